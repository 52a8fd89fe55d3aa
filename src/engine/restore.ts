/**
 * Restoration after failures: given what every affected circuit holds and the spans that failed, decide for
 * all of them at once who switches to a standby path, who gets a new path and spectrum (or strands), and
 * who goes down. Pure and deterministic: it works on copies of the occupancy, so callers can plan, commit
 * to the database, and only then release what the old paths held (make-before-break).
 *
 * Speed (GitHub issue 5) never changes a plan: candidate lists are shared per (ends, bound, width) and
 * enumerated only when a proof cannot show that none of the remaining candidates fits
 * (restore-candidates.ts); strand scans resume where they stopped; what-if scenarios share the prepared
 * occupancy. test/resilience/restore-reference.ts keeps the planner as it was, and the tests compare.
 */
import type { Graph, Path } from './graph.js';
import { makePath } from './graph.js';
import { workspaceFor } from './dijkstra.js';
import type { ModulationMode } from './modulation.js';
import { modesFor } from './modulation.js';
import { shortestPath } from './paths.js';
import { CandidateCache, NoFitProver, type CandidateList } from './restore-candidates.js';
import type { RsaAssignment, RsaRequest } from './rsa.js';
import { assignSpectrum, commitAssignment } from './rsa.js';
import type { SpectrumGrid } from './spectrum.js';
import { findSlotRange } from './spectrum.js';
import type { WavePlan } from './wave.js';

/** How a circuit survives a failure (same names as the products' protection schemes). */
export type RestoreProtection = 'unprotected' | 'protected-1+1' | 'restorable';

/** A cable on a span as the strand search sees it: strands below firstUsable are the inventory's own. */
export interface StrandCable {
  strandCount: number;
  firstUsable: number;
  /** Held half-open strand ranges [lo, hi). */
  used: [number, number][];
}

/** Cables per span index (empty list = no fiber to lease on that span). */
export type StrandPools = readonly (readonly StrandCable[])[];

/** A path a circuit holds, as node and span indices. */
export interface HeldPath {
  nodes: number[];
  spans: number[];
}

/** One circuit (or packet trunk) the failure may touch. */
export interface RestoreDemand {
  id: string;
  /** wave = spectrum on fiber-pair layers; strands = a strand pair on every span (dark fiber). */
  kind: 'wave' | 'strands';
  src: number;
  dst: number;
  /** Wave line rate (modulation picks the width); ignored for strands. */
  lineRateGbps: number;
  protection: RestoreProtection;
  /** Higher is restored first when capacity is short. */
  priority: number;
  /** Older first among equal priorities (ms since epoch). */
  createdAtMs: number;
  maxLatencyUs: number | null;
  /** Held paths, the one carrying traffic first (1+1: [active, standby]). */
  paths: HeldPath[];
}

/**
 * Spectrum picked for a rerouted wave: an assignment of the reach table (one fiber pair, `layer`), or
 * a physics plan (wave.ts: mode, regenerators and slots decided by GSNR; then `assignment` is absent).
 */
export interface WaveChoice {
  layer: number;
  assignment?: RsaAssignment;
  physics?: WavePlan;
}

/**
 * How restoration places a wave on a path. The default uses the reach table (rsa.ts); the services
 * pass one deciding by GSNR (wave.ts). A placer keeps one fiber pair per path, which the no-fit
 * proofs rely on.
 */
export interface WavePlacer {
  /** Narrowest width (slots) any mode of the rate needs; Infinity when none carries it. */
  minSlots(lineRateGbps: number): number;
  /** The first fit of the demand on the path, on one of the fiber pairs `allow` accepts, without changing anything. */
  fit(g: Graph, layers: readonly SpectrumGrid[], path: Path, d: Pick<RestoreDemand, 'id' | 'lineRateGbps'>, allow: (layer: number) => boolean): WaveChoice | null;
  /** Takes what a fit chose (occupancy, and lit channels for physics). */
  commit(layers: readonly SpectrumGrid[], choice: WaveChoice): void;
}

/** The reach-table placer: RSA with a modulation table (default DEFAULT_MODULATIONS). */
export function tablePlacer(table?: readonly ModulationMode[]): WavePlacer {
  return {
    minSlots: (rate) => minSlots(rate, table),
    fit: (g, layers, path, d, allow) => {
      const req: RsaRequest = table ? { lineRateGbps: d.lineRateGbps, table } : { lineRateGbps: d.lineRateGbps };
      const candidates = [path];
      for (let layer = 0; layer < layers.length; layer++) {
        if (!allow(layer)) continue;
        const a = assignSpectrum(g, layers[layer], candidates, req);
        if (a) return { layer, assignment: a };
      }
      return null;
    },
    commit: (layers, c) => commitAssignment(layers[c.layer], c.assignment as RsaAssignment),
  };
}

/** Strand pair [lo, lo+2) picked on one span (cable = index in that span's pool). */
export interface StrandChoice {
  span: number;
  cable: number;
  lo: number;
}

/** Why a circuit could not be kept up. */
export type DownReason = 'unprotected' | 'both-paths-failed' | 'no-path' | 'no-capacity';

/** What happens to one affected circuit. */
export type RestoreOutcome =
  | { id: string; action: 'switched'; activePath: number }
  | { id: string; action: 'degraded' }
  | { id: string; action: 'rerouted'; path: Path; wave?: WaveChoice; strands?: StrandChoice[]; addedLatencyUs: number }
  | { id: string; action: 'down'; reason: DownReason };

/** Candidate paths a wave tries before it counts as lacking capacity, unless told otherwise. */
export const DEFAULT_MAX_CANDIDATES = 16;

/** Search settings. */
export interface RestoreOptions {
  /** Candidate paths tried per wave before it counts as lacking capacity (default 16; Infinity = exhaustive). */
  maxCandidates?: number;
  /** Reach table of the default placer (ignored when placer is given). */
  table?: readonly ModulationMode[];
  /** How waves are placed (default: tablePlacer(table)). */
  placer?: WavePlacer;
  /** When given, the plan adds its work counters here (for benchmarks and tests). */
  stats?: RestoreStats;
}

/** Work counters of restoration planning (added to, so one object can sum several plans). */
export interface RestoreStats {
  /** Candidate paths produced by Yen enumerators. */
  pathsEnumerated: number;
  /** Times candidate enumeration was about to start and a no-fit proof was attempted instead. */
  proofsTried: number;
  /** Proofs that succeeded (the remaining candidates were skipped without enumerating them). */
  proofsSucceeded: number;
}

/** Zeroed counters. */
export function newRestoreStats(): RestoreStats {
  return { pathsEnumerated: 0, proofsTried: 0, proofsSucceeded: 0 };
}

/**
 * Result of planning: outcomes in processing order and the occupancy after the new paths are taken
 * (strand cables the plan did not touch are shared with the input: treat both as read-only).
 */
export interface RestorePlan {
  outcomes: RestoreOutcome[];
  layers: SpectrumGrid[];
  strands: StrandCable[][];
}

/** 1 per failed span, from a list of span indices. */
export function failedMask(g: Graph, failedSpans: Iterable<number>): Uint8Array {
  const m = new Uint8Array(g.spanCount);
  for (const e of failedSpans) m[e] = 1;
  return m;
}

/** True when the path crosses a failed span. */
export function pathHit(path: HeldPath, failed: Uint8Array): boolean {
  const spans = path.spans;
  for (let i = 0; i < spans.length; i++) if (failed[spans[i]] === 1) return true;
  return false;
}

/** True when any path the demand holds crosses a failed span. */
export function demandHit(d: RestoreDemand, failed: Uint8Array): boolean {
  for (let i = 0; i < d.paths.length; i++) if (pathHit(d.paths[i], failed)) return true;
  return false;
}

/** The order capacity is handed out in: priority desc, then oldest, then id. */
export function restoreOrder(a: RestoreDemand, b: RestoreDemand): number {
  return b.priority - a.priority || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Deep copy of strand pools (the plan marks what it takes on the copy). */
export function cloneStrandPools(p: StrandPools): StrandCable[][] {
  return p.map((cables) => cables.map((c) => ({ strandCount: c.strandCount, firstUsable: c.firstUsable, used: c.used.map((r) => [r[0], r[1]] as [number, number]) })));
}

/** Lowest start of a free run of `width` units in [from, cap) among held ranges; -1 if none. */
export function lowestFreeRun(used: readonly [number, number][], width: number, from: number, cap: number): number {
  return lowestFreeRunSorted(used.length > 1 ? [...used].sort((x, y) => x[0] - y[0]) : used, width, from, cap);
}

/** lowestFreeRun for ranges already sorted by start. */
function lowestFreeRunSorted(sorted: readonly [number, number][], width: number, from: number, cap: number): number {
  let start = from;
  for (const [lo, hi] of sorted) {
    if (hi <= start) continue;
    if (lo - start >= width) break;
    start = Math.max(start, hi);
  }
  return start + width <= cap ? start : -1;
}

function latencyOf(g: Graph, spans: readonly number[]): number {
  let us = 0;
  for (const e of spans) us += g.latencyUs[e];
  return us;
}

/**
 * Per minimum width: spans (not failed, lit) where some fiber pair still has a free run that wide. A path
 * over any other span cannot carry the wave, so when src and dst are disconnected in this mask the wave
 * is lost without enumerating paths. Kept current as the plan takes spectrum.
 */
class WaveMasks {
  private readonly masks = new Map<number, Uint8Array>();
  /** Per (demand key, layer): the masked shortest path last tried without success (null = none exists). */
  readonly tried = new Map<string, Path | null>();
  private readonly queue: Int32Array;
  private readonly seen: Uint8Array;

  constructor(
    private readonly g: Graph,
    private readonly layers: SpectrumGrid[],
    private readonly usable: Uint8Array,
  ) {
    this.queue = new Int32Array(g.nodeCount);
    this.seen = new Uint8Array(g.nodeCount);
  }

  /** True when fiber pair `layer` (-1 = any) of span e has a free run of `width` slots. */
  private hasRun(e: number, width: number, layer: number): boolean {
    const one = [e];
    if (layer >= 0) return findSlotRange(this.layers[layer], one, 1, width, 'first-fit') >= 0;
    for (const l of this.layers) if (findSlotRange(l, one, 1, width, 'first-fit') >= 0) return true;
    return false;
  }

  /** The mask for a width on one fiber pair (layer >= 0) or on any (-1). */
  mask(width: number, layer = -1): Uint8Array {
    const key = width * 64 + layer + 1;
    let m = this.masks.get(key);
    if (!m) {
      m = new Uint8Array(this.g.spanCount);
      for (let e = 0; e < this.g.spanCount; e++) m[e] = this.usable[e] === 1 && this.hasRun(e, width, layer) ? 1 : 0;
      this.masks.set(key, m);
    }
    return m;
  }

  /** Spectrum was taken on these spans. */
  update(spans: readonly number[]): void {
    for (const [key, m] of this.masks) {
      const width = Math.floor(key / 64);
      const layer = (key % 64) - 1;
      for (const e of spans) if (m[e] === 1 && !this.hasRun(e, width, layer)) m[e] = 0;
    }
  }

  connected(src: number, dst: number, m: Uint8Array): boolean {
    const { g, queue, seen } = this;
    seen.fill(0);
    let head = 0;
    let tail = 0;
    queue[tail++] = src;
    seen[src] = 1;
    while (head < tail) {
      const v = queue[head++];
      if (v === dst) return true;
      for (let j = g.adjStart[v]; j < g.adjStart[v + 1]; j++) {
        const w = g.adjNode[j];
        if (seen[w] === 0 && m[g.adjSpan[j]] === 1) {
          seen[w] = 1;
          queue[tail++] = w;
        }
      }
    }
    return false;
  }
}

/** Narrowest width any mode of the rate needs; Infinity when the table has none. */
function minSlots(lineRateGbps: number, table: readonly ModulationMode[] | undefined): number {
  let w = Infinity;
  for (const m of modesFor(lineRateGbps, table)) w = Math.min(w, m.slots);
  return w;
}

/** Per-plan state of the wave search (everything restoreWave reads and updates besides the occupancy). */
interface WaveState {
  g: Graph;
  layers: SpectrumGrid[];
  cache: CandidateCache;
  masks: WaveMasks;
  prover: NoFitProver;
  /** Per (src, dst, bound, rate): the first candidate still worth trying. */
  next: Map<string, number>;
  maxCandidates: number;
  placer: WavePlacer;
  /** Narrowest width per line rate (the table is fixed for the plan). */
  widths: Map<number, number>;
  /** Scratch: bit l of spanLayers[e] = fiber pair l of span e has room for the width being proved. */
  spanLayers: Int32Array;
}

function widthOf(st: WaveState, lineRateGbps: number): number {
  let w = st.widths.get(lineRateGbps);
  if (w === undefined) {
    w = st.placer.minSlots(lineRateGbps);
    st.widths.set(lineRateGbps, w);
  }
  return w;
}

/** First fiber pair on which the path can be assigned, with the assignment; null when none. */
function fitOnLayers(st: WaveState, path: Path, d: RestoreDemand, layerBits: number): WaveChoice | null {
  return st.placer.fit(st.g, st.layers, path, d, (layer) => layer >= 31 || (layerBits & (1 << layer)) !== 0);
}

/**
 * Tries to prove that candidates i..maxCandidates-1 of the list cannot fit now (see NoFitProver); returns
 * the value `next` would have after trying them all, or -1 when unproven.
 */
function proveNoneFits(st: WaveState, list: CandidateList, width: number, d: RestoreDemand): number {
  const { g, layers, masks, spanLayers } = st;
  // A path that fits a fiber pair lies inside that pair's mask: when no mask connects the ends, nothing fits.
  // The list's true length is then not needed: with `next` at the limit, later circuits of this key try
  // only the per-pair shortest paths, which cannot fit either, so every outcome stays the same.
  let reachable = false;
  for (let l = 0; l < layers.length && !reachable; l++) reachable = masks.connected(list.src, list.dst, masks.mask(width, l));
  if (!reachable) return st.maxCandidates;
  if (layers.length > 31) spanLayers.fill(-1);
  else {
    spanLayers.fill(0);
    for (let l = 0; l < layers.length; l++) {
      const m = masks.mask(width, l);
      for (let e = 0; e < g.spanCount; e++) if (m[e] === 1) spanLayers[e] |= 1 << l;
    }
  }
  const proof = st.prover.prove(list, st.maxCandidates, spanLayers, (path, bits) => fitOnLayers(st, path, d, bits) !== null);
  if (!proof) return -1;
  return proof.listLength === null ? st.maxCandidates : Math.min(st.maxCandidates, proof.listLength);
}

/**
 * Occupancy only grows during a plan, so a candidate that fits no fiber pair for a rate now never will:
 * `next` remembers, per (key, rate), the first candidate still worth trying. Candidates are enumerated only
 * when NoFitProver cannot show that none of the remaining ones fits; the outcome is the same either way.
 */
function restoreWave(st: WaveState, d: RestoreDemand): RestoreOutcome {
  const { g, layers, cache, masks, next, maxCandidates } = st;
  const oldUs = d.paths.length > 0 ? latencyOf(g, d.paths[0].spans) : 0;
  const width = widthOf(st, d.lineRateGbps);
  const list = cache.list(d.src, d.dst, d.maxLatencyUs, width);
  const lost = (): RestoreOutcome => ({ id: d.id, action: 'down', reason: cache.get(list, 0) ? 'no-capacity' : 'no-path' });
  if (width === Infinity) return lost();
  const live = masks.mask(width);
  if (!masks.connected(d.src, d.dst, live)) return lost();
  const memo = `${d.src}:${d.dst}:${d.maxLatencyUs ?? ''}:${d.lineRateGbps}`;
  let i = next.get(memo) ?? 0;
  const placed = (path: Path, choice: WaveChoice): RestoreOutcome => {
    st.placer.commit(layers, choice);
    masks.update(path.spans);
    return { id: d.id, action: 'rerouted', path, wave: choice, addedLatencyUs: path.latencyUs - oldUs };
  };
  if (i > 0) {
    // The shortest candidates are known not to fit: try, per fiber pair, the shortest path over spans where
    // that pair still has room for the narrowest mode (likely to fit, two Dijkstras), before enumerating.
    const ws = workspaceFor(g, 2);
    for (let layer = 0; layer < layers.length; layer++) {
      const m = masks.mask(width, layer);
      // Masks only shrink: no path stays no path, and a failed path still inside the mask is still the
      // shortest there and still fails (occupancy only grew), so neither needs recomputing.
      const seenKey = `${memo}:${layer}`;
      const prev = masks.tried.get(seenKey);
      if (prev === null || (prev && prev.spans.every((e) => m[e] === 1))) continue;
      ws.clearBlocks();
      if (ws.run(d.src, d.dst, g.latencyUs, m, null) === Infinity) {
        masks.tried.set(seenKey, null);
        continue;
      }
      const r = ws.pathTo(d.dst);
      const path = makePath(g, r.nodes, r.spans);
      masks.tried.set(seenKey, path);
      if (d.maxLatencyUs !== null && path.latencyUs > d.maxLatencyUs) continue;
      const c = st.placer.fit(g, layers, path, d, (l) => l === layer);
      if (c) {
        masks.tried.delete(seenKey);
        return placed(path, c);
      }
    }
  }
  let proofTried = false;
  for (; i < maxCandidates; i++) {
    if (!proofTried && CandidateCache.needsEnumeration(list, i)) {
      // Enumeration would start here: pin its mask exactly as it would be pinned, then try to skip it.
      proofTried = true;
      cache.pin(list, live);
      const end = proveNoneFits(st, list, width, d);
      if (end >= 0) {
        i = end;
        break;
      }
    }
    const path = cache.get(list, i, live);
    if (!path) break;
    const fit = fitOnLayers(st, path, d, -1);
    if (fit) {
      next.set(memo, i);
      return placed(path, fit);
    }
  }
  next.set(memo, i);
  return lost();
}

/** First cable with a free pair and the pair's start; cables' used lists must be sorted (sortedPools). */
function freePair(cables: readonly StrandCable[]): { cable: number; lo: number } | null {
  for (let c = 0; c < cables.length; c++) {
    const lo = lowestFreeRunSorted(cables[c].used, 2, cables[c].firstUsable, cables[c].strandCount);
    if (lo >= 0) return { cable: c, lo };
  }
  return null;
}

function isSorted(used: readonly [number, number][]): boolean {
  for (let i = 1; i < used.length; i++) if (used[i - 1][0] > used[i][0]) return false;
  return true;
}

/**
 * Copy-on-write view of strand pools: cables are shared with the input until the plan takes a pair on
 * them (then copied), and unsorted used lists are copied sorted, because freePair needs them sorted.
 */
function sortedPools(p: StrandPools): StrandCable[][] {
  return p.map((cables) =>
    cables.map((c) => (isSorted(c.used) ? (c as StrandCable) : { strandCount: c.strandCount, firstUsable: c.firstUsable, used: [...c.used].sort((x, y) => x[0] - y[0]) })),
  );
}

/** Takes pair [lo, lo+2) on cable c of span e, copying the cable first when it is still shared with the input. */
function takePair(pools: StrandCable[][], owned: Set<StrandCable>, e: number, c: number, lo: number): void {
  let cable = pools[e][c];
  if (!owned.has(cable)) {
    cable = { strandCount: cable.strandCount, firstUsable: cable.firstUsable, used: cable.used.slice() };
    pools[e][c] = cable;
    owned.add(cable);
  }
  let i = cable.used.length;
  while (i > 0 && cable.used[i - 1][0] > lo) i--;
  cable.used.splice(i, 0, [lo, lo + 2]);
}

interface StrandTree {
  pred: Int32Array;
  /** 1 = the span is an edge of the tree (its loss invalidates the tree). */
  uses: Uint8Array;
}

/**
 * Where the lowest-free-pair scan of one cable stands: lowestFreeRunSorted(used, 2, firstUsable, ...) has
 * passed ranges [0, k) and reached `start`. Ranges are only ever inserted at k (the plan always takes the
 * lowest free pair, and every range before k starts at or below it), so the scan resumes instead of
 * walking the whole list again: a plan's takes on a cable cost its length once, not once per take.
 */
export interface PairScan {
  k: number;
  start: number;
}

/** Advances a cable's scan to its lowest free pair and returns the pair's start (-1 if none). */
function resumeScan(cable: StrandCable, s: PairScan): number {
  const used = cable.used;
  let k = s.k;
  let start = s.start;
  for (; k < used.length; k++) {
    const r = used[k];
    if (r[1] <= start) continue;
    if (r[0] - start >= 2) break;
    start = Math.max(start, r[1]);
  }
  s.k = k;
  s.start = start;
  return start + 2 <= cable.strandCount ? start : -1;
}

/** Every cable's scan advanced to its lowest free pair (sorted pools). */
function pairScans(pools: readonly (readonly StrandCable[])[]): PairScan[][] {
  return pools.map((cables) =>
    cables.map((c) => {
      const s = { k: 0, start: c.firstUsable };
      resumeScan(c, s);
      return s;
    }),
  );
}

/** Strand search state: which spans still have a free pair, and shortest-path trees per source. */
class StrandState {
  readonly free: Uint8Array;
  private readonly trees = new Map<number, StrandTree>();
  private readonly owned = new Set<StrandCable>();
  private readonly scans: PairScan[][];
  /** 1 = healthy span with fiber (built on first need). */
  private cabled: Uint8Array | null = null;

  constructor(
    private readonly g: Graph,
    readonly pools: StrandCable[][],
    private readonly failed: Uint8Array,
    start: readonly (readonly PairScan[])[],
  ) {
    this.free = new Uint8Array(g.spanCount);
    this.scans = Array.from({ length: g.spanCount }, (_, e) => (start[e] ?? []).map((x) => ({ k: x.k, start: x.start })));
    for (let e = 0; e < g.spanCount; e++) this.free[e] = failed[e] === 0 && (pools[e]?.length ?? 0) > 0 && this.freeCable(e) >= 0 ? 1 : 0;
  }

  /** Lowest free pair start on cable c of span e (-1 if none), resuming the cable's scan. */
  private lowestPair(e: number, c: number): number {
    return resumeScan(this.pools[e][c], this.scans[e][c]);
  }

  /** First cable of span e with a free pair (freePair's choice), or -1. */
  private freeCable(e: number): number {
    const n = this.pools[e].length;
    for (let c = 0; c < n; c++) if (this.lowestPair(e, c) >= 0) return c;
    return -1;
  }

  private tree(src: number): StrandTree {
    let t = this.trees.get(src);
    if (t) return t;
    const g = this.g;
    const ws = workspaceFor(g, 2);
    ws.clearBlocks();
    ws.run(src, -1, g.latencyUs, this.free, null);
    const pred = new Int32Array(g.nodeCount).fill(-1);
    const uses = new Uint8Array(g.spanCount);
    for (let v = 0; v < g.nodeCount; v++) {
      if (v !== src && ws.reached(v)) {
        pred[v] = ws.predSpan[v];
        uses[pred[v]] = 1;
      }
    }
    t = { pred, uses };
    this.trees.set(src, t);
    return t;
  }

  /**
   * True when some path within the bound joins src and dst over healthy spans with fiber, as shortestPath
   * decides it. One Dijkstra answers unless the bound sits within rounding of the shortest latency, where
   * the exact search decides (another path of the same length may sum a hair lower).
   */
  anyPath(src: number, dst: number, bound: number | null): boolean {
    const g = this.g;
    const exact = (): boolean =>
      shortestPath(g, src, dst, { ...(bound !== null ? { maxLatencyUs: bound } : {}), spanFilter: (e) => this.failed[e] === 0 && (this.pools[e]?.length ?? 0) > 0 }).status === 'found';
    if (src === dst) return exact();
    if (!this.cabled) {
      this.cabled = new Uint8Array(g.spanCount);
      for (let e = 0; e < g.spanCount; e++) this.cabled[e] = this.failed[e] === 0 && (this.pools[e]?.length ?? 0) > 0 ? 1 : 0;
    }
    const ws = workspaceFor(g, 2);
    ws.clearBlocks();
    const us = ws.run(src, dst, g.latencyUs, this.cabled, null);
    if (us === Infinity) return false;
    if (bound === null || us <= bound) return true;
    return us > bound + 1e-9 * Math.max(1, Math.abs(bound)) ? false : exact();
  }

  /** Shortest path over spans with a free pair; trees stay valid until one of their own spans runs out. */
  shortest(src: number, dst: number, bound: number | null): Path | null {
    if (src === dst) return null;
    const t = this.tree(src);
    if (t.pred[dst] < 0) return null;
    const nodes = [dst];
    const spans: number[] = [];
    for (let v = dst; v !== src; ) {
      const e = t.pred[v];
      spans.push(e);
      v = this.g.spanA[e] === v ? this.g.spanZ[e] : this.g.spanA[e];
      nodes.push(v);
    }
    const p = makePath(this.g, nodes.reverse(), spans.reverse());
    if (bound === null || p.latencyUs <= bound) return p;
    // The unbounded shortest path is too slow: exact bounded search.
    const r = shortestPath(this.g, src, dst, { maxLatencyUs: bound, spanFilter: (e) => this.free[e] === 1 });
    return r.status === 'found' ? r.path : null;
  }

  /** Takes a pair on every span of the path. */
  take(path: Path): StrandChoice[] {
    const out: StrandChoice[] = [];
    for (const e of path.spans) {
      const c = this.freeCable(e);
      const lo = this.lowestPair(e, c);
      let cable = this.pools[e][c];
      if (!this.owned.has(cable)) {
        cable = { strandCount: cable.strandCount, firstUsable: cable.firstUsable, used: cable.used.slice() };
        this.pools[e][c] = cable;
        this.owned.add(cable);
      }
      // Where takePair would insert it: after every range starting at or below lo, which is the scan's k.
      const s = this.scans[e][c];
      cable.used.splice(s.k, 0, [lo, lo + 2]);
      s.k++;
      s.start = lo + 2;
      out.push({ span: e, cable: c, lo });
      if (this.freeCable(e) < 0) {
        this.free[e] = 0;
        // Removing a span outside a shortest-path tree leaves the tree shortest; only trees using it go.
        for (const [src, t] of this.trees) if (t.uses[e] === 1) this.trees.delete(src);
      }
    }
    return out;
  }
}

/**
 * Strands for one demand. Capacity only shrinks during a plan, so a (src, dst, bound) that found nothing
 * stays lost: `lost` remembers it with its reason.
 */
function restoreStrands(g: Graph, state: StrandState, failed: Uint8Array, lost: Map<string, DownReason>, d: RestoreDemand): RestoreOutcome {
  const oldUs = d.paths.length > 0 ? latencyOf(g, d.paths[0].spans) : 0;
  const key = `${d.src}:${d.dst}:${d.maxLatencyUs ?? ''}`;
  const known = lost.get(key);
  if (known) return { id: d.id, action: 'down', reason: known };
  // Spans are independent for strands (no continuity), so the shortest path over spans that still have a
  // free pair is feasible and the best there is.
  const path = state.shortest(d.src, d.dst, d.maxLatencyUs);
  if (!path) {
    const reason: DownReason = state.anyPath(d.src, d.dst, d.maxLatencyUs) ? 'no-capacity' : 'no-path';
    lost.set(key, reason);
    return { id: d.id, action: 'down', reason };
  }
  return { id: d.id, action: 'rerouted', path, strands: state.take(path), addedLatencyUs: path.latencyUs - oldUs };
}

/**
 * Plans what every demand hit by the failed spans does: 1+1 switches to a healthy standby (or is degraded
 * when only the standby was hit), restorable circuits get a new path and spectrum/strands avoiding every
 * failed span (priority desc, oldest first, first candidate path and fiber pair that fits), unprotected
 * ones go down. Demands not hit are ignored. The inputs are not modified; old paths stay occupied in the
 * returned occupancy (make-before-break).
 */
export function planRestoration(
  g: Graph,
  layers: readonly SpectrumGrid[],
  strands: StrandPools,
  failed: Uint8Array,
  demands: readonly RestoreDemand[],
  options: RestoreOptions = {},
): RestorePlan {
  return planRestorationOn(g, prepareOccupancy(layers, strands), failed, demands, options);
}

/**
 * Occupancy prepared once for many plans against it (what-if scenarios): strand lists sorted, and each
 * cable's lowest free pair found on first need. Neither the occupancy nor the input may change meanwhile.
 */
export interface PreparedOccupancy {
  readonly layers: readonly SpectrumGrid[];
  readonly pools: readonly (readonly StrandCable[])[];
  scans: PairScan[][] | null;
}

/** Prepares an occupancy for planRestorationOn. */
export function prepareOccupancy(layers: readonly SpectrumGrid[], strands: StrandPools): PreparedOccupancy {
  return { layers, pools: sortedPools(strands), scans: null };
}

/** planRestoration on a prepared occupancy (same result; the preparation is shared between calls). */
export function planRestorationOn(g: Graph, occ: PreparedOccupancy, failed: Uint8Array, demands: readonly RestoreDemand[], options: RestoreOptions = {}): RestorePlan {
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const work = occ.layers.map((l) => l.clone());
  // Fresh outer arrays: the plan replaces the cables it takes pairs on, never the shared ones.
  const pools = occ.pools.map((cables) => cables.slice());
  const waveUsable = new Uint8Array(g.spanCount);
  for (let e = 0; e < g.spanCount; e++) waveUsable[e] = failed[e] === 0 && g.slotCount[e] > 0 ? 1 : 0;
  const cache = new CandidateCache(g, waveUsable);
  const masks = new WaveMasks(g, work, waveUsable);
  const prover = new NoFitProver(g);
  const st: WaveState = { g, layers: work, cache, masks, prover, next: new Map(), maxCandidates, placer: options.placer ?? tablePlacer(options.table), widths: new Map(), spanLayers: new Int32Array(g.spanCount) };
  const hit = demands.filter((d) => demandHit(d, failed)).sort(restoreOrder);
  cache.prime(
    hit.filter((d) => d.kind === 'wave' && d.protection === 'restorable').map((d) => ({ src: d.src, dst: d.dst, bound: d.maxLatencyUs, width: widthOf(st, d.lineRateGbps) })),
  );
  let strandState: StrandState | null = null;
  const strandLost = new Map<string, DownReason>();
  const outcomes: RestoreOutcome[] = [];
  for (const d of hit) {
    const activeHit = d.paths.length > 0 && pathHit(d.paths[0], failed);
    if (d.protection === 'protected-1+1' && d.paths.length > 1) {
      if (!activeHit) outcomes.push({ id: d.id, action: 'degraded' });
      else {
        const standby = d.paths.findIndex((p, i) => i > 0 && !pathHit(p, failed));
        outcomes.push(standby > 0 ? { id: d.id, action: 'switched', activePath: standby } : { id: d.id, action: 'down', reason: 'both-paths-failed' });
      }
      continue;
    }
    if (d.protection !== 'restorable') {
      outcomes.push({ id: d.id, action: 'down', reason: 'unprotected' });
      continue;
    }
    if (d.kind === 'strands') {
      strandState ??= new StrandState(g, pools, failed, (occ.scans ??= pairScans(occ.pools)));
      outcomes.push(restoreStrands(g, strandState, failed, strandLost, d));
    } else outcomes.push(restoreWave(st, d));
  }
  if (options.stats) {
    options.stats.pathsEnumerated += cache.enumerated;
    options.stats.proofsTried += prover.tried;
    options.stats.proofsSucceeded += prover.proved;
  }
  return { outcomes, layers: work, strands: pools };
}

/** A rerouted circuit that may go back to its original path after a repair. */
export interface RevertRequest {
  demand: RestoreDemand;
  original: HeldPath;
}

/** What happens to one revert request. */
export type RevertOutcome =
  | { id: string; action: 'reverted'; path: Path; wave?: WaveChoice; strands?: StrandChoice[] }
  | { id: string; action: 'stay'; reason: 'original-failed' | 'no-capacity' };

/**
 * Plans moving rerouted circuits back to their original paths (healthy ones only), in restoration order,
 * each taking fresh spectrum or strands on the original path while its current path stays held
 * (make-before-break). Inputs are not modified.
 */
export function planReversion(
  g: Graph,
  layers: readonly SpectrumGrid[],
  strands: StrandPools,
  failed: Uint8Array,
  requests: readonly RevertRequest[],
  options: Pick<RestoreOptions, 'table' | 'placer'> = {},
): { outcomes: RevertOutcome[]; layers: SpectrumGrid[]; strands: StrandCable[][] } {
  const work = layers.map((l) => l.clone());
  const pools = sortedPools(strands);
  const owned = new Set<StrandCable>();
  const outcomes: RevertOutcome[] = [];
  const placer = options.placer ?? tablePlacer(options.table);
  for (const { demand: d, original } of [...requests].sort((a, b) => restoreOrder(a.demand, b.demand))) {
    if (pathHit(original, failed)) {
      outcomes.push({ id: d.id, action: 'stay', reason: 'original-failed' });
      continue;
    }
    const path = makePath(g, original.nodes, original.spans);
    if (d.kind === 'strands') {
      const picks = path.spans.map((e) => freePair(pools[e] ?? []));
      if (picks.some((p) => p === null)) {
        outcomes.push({ id: d.id, action: 'stay', reason: 'no-capacity' });
        continue;
      }
      const choice = path.spans.map((e, i) => {
        const p = picks[i] as { cable: number; lo: number };
        takePair(pools, owned, e, p.cable, p.lo);
        return { span: e, cable: p.cable, lo: p.lo };
      });
      outcomes.push({ id: d.id, action: 'reverted', path, strands: choice });
      continue;
    }
    const choice = placer.fit(g, work, path, d, () => true);
    if (choice) {
      placer.commit(work, choice);
      outcomes.push({ id: d.id, action: 'reverted', path, wave: choice });
    } else outcomes.push({ id: d.id, action: 'stay', reason: 'no-capacity' });
  }
  return { outcomes, layers: work, strands: pools };
}
