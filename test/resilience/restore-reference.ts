/**
 * The restoration planner as it was before the batch optimisations (GitHub issue 5), kept verbatim as a
 * slow oracle: the optimised planRestoration must return the same plan for the same inputs and options.
 * Only planning lives here; the shared helpers and types come from the engine.
 */
import { compileConstraints, type CompiledConstraints } from '../../src/engine/constraints.js';
import type { Graph, Path } from '../../src/engine/graph.js';
import { makePath } from '../../src/engine/graph.js';
import { workspaceFor } from '../../src/engine/dijkstra.js';
import { PathEnumerator } from '../../src/engine/ksp.js';
import type { ModulationMode } from '../../src/engine/modulation.js';
import { modesFor } from '../../src/engine/modulation.js';
import { meetsBounds, shortestPath } from '../../src/engine/paths.js';
import type { RsaAssignment } from '../../src/engine/rsa.js';
import { assignSpectrum, commitAssignment } from '../../src/engine/rsa.js';
import type { SpectrumGrid } from '../../src/engine/spectrum.js';
import { findSlotRange } from '../../src/engine/spectrum.js';
import {
  DEFAULT_MAX_CANDIDATES,
  demandHit,
  pathHit,
  restoreOrder,
  type DownReason,
  type RestoreDemand,
  type RestoreOptions,
  type RestoreOutcome,
  type RestorePlan,
  type StrandCable,
  type StrandChoice,
  type StrandPools,
} from '../../src/engine/restore.js';

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

/**
 * Candidate paths for one (src, dst, bound) in nondecreasing latency order, shared by every circuit with
 * that key (the failed set is the same for the whole batch). The first candidate of every key comes from
 * one shortest-path tree per source (prime); further ones from a lazily created Yen enumerator.
 */
class CandidateCache {
  private readonly lists = new Map<string, { paths: Path[]; first: Path | null; en: PathEnumerator | null | undefined; cc: CompiledConstraints | null }>();
  private readonly spanOk: Uint8Array;

  constructor(
    private readonly g: Graph,
    usable: Uint8Array,
  ) {
    this.spanOk = usable;
  }

  private static key(src: number, dst: number, bound: number | null, width: number): string {
    return `${src}:${dst}:${bound ?? ''}:${width}`;
  }

  /** Computes first candidates for many keys: one Dijkstra per distinct source. */
  prime(keys: readonly { src: number; dst: number; bound: number | null; width: number }[]): void {
    const bySrc = new Map<number, { dst: number; bound: number | null; width: number }[]>();
    for (const k of keys) {
      if (this.lists.has(CandidateCache.key(k.src, k.dst, k.bound, k.width))) continue;
      const list = bySrc.get(k.src) ?? [];
      list.push(k);
      bySrc.set(k.src, list);
    }
    const ws = workspaceFor(this.g, 2);
    for (const [src, list] of bySrc) {
      ws.clearBlocks();
      ws.run(src, -1, this.g.latencyUs, this.spanOk, null);
      for (const { dst, bound, width } of list) {
        const key = CandidateCache.key(src, dst, bound, width);
        if (this.lists.has(key)) continue;
        let first: Path | null = null;
        if (dst !== src && ws.reached(dst)) {
          const r = ws.pathTo(dst);
          first = makePath(this.g, r.nodes, r.spans);
        }
        const ok = first !== null && (bound === null || first.latencyUs <= bound);
        // Unreachable without a bound means no path at all: no enumerator needed.
        this.lists.set(key, { paths: ok && first ? [first] : [], first, en: first === null ? null : undefined, cc: null });
      }
    }
  }

  /**
   * The i-th candidate (0-based) for a wave of at least `width` slots, or null when there are no more.
   * Candidates after the first are enumerated over `live` as it is when first needed: spans that can still
   * hold the width (the mask only shrinks, so nothing feasible is left out).
   */
  get(src: number, dst: number, bound: number | null, width: number, i: number, live: Uint8Array | null = null): Path | null {
    const key = CandidateCache.key(src, dst, bound, width);
    let entry = this.lists.get(key);
    if (!entry) {
      this.prime([{ src, dst, bound, width }]);
      entry = this.lists.get(key) as NonNullable<typeof entry>;
    }
    while (entry.paths.length <= i && entry.en !== null) {
      if (entry.en === undefined) {
        const spanOk = live ? live.slice() : this.spanOk;
        entry.cc = compileConstraints(this.g, { spanFilter: (e) => spanOk[e] === 1, ...(bound !== null ? { maxLatencyUs: bound } : {}) });
        entry.en = new PathEnumerator(this.g, src, dst, entry.cc);
      }
      const p = entry.en.next();
      if (!p) {
        entry.en = null;
        break;
      }
      const f = entry.first;
      // The tree's path is already candidate 0 when it met the bound; do not offer it twice.
      if (f && entry.paths[0] === f && samePath(f.spans, p.spans)) continue;
      if (meetsBounds(p, entry.cc as CompiledConstraints)) entry.paths.push(makePath(this.g, p.nodes, p.spans));
    }
    return entry.paths[i] ?? null;
  }
}

function samePath(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/**
 * Occupancy only grows during a plan, so a candidate that fits no fiber pair for a rate now never will:
 * `next` remembers, per (key, rate), the first candidate still worth trying.
 */
function restoreWave(g: Graph, layers: SpectrumGrid[], cache: CandidateCache, masks: WaveMasks, next: Map<string, number>, d: RestoreDemand, maxCandidates: number, table: readonly ModulationMode[] | undefined): RestoreOutcome {
  const oldUs = d.paths.length > 0 ? latencyOf(g, d.paths[0].spans) : 0;
  const width = minSlots(d.lineRateGbps, table);
  const lost = (): RestoreOutcome => ({ id: d.id, action: 'down', reason: cache.get(d.src, d.dst, d.maxLatencyUs, width, 0) ? 'no-capacity' : 'no-path' });
  if (width === Infinity) return lost();
  const live = masks.mask(width);
  if (!masks.connected(d.src, d.dst, live)) return lost();
  const memo = `${d.src}:${d.dst}:${d.maxLatencyUs ?? ''}:${d.lineRateGbps}`;
  let i = next.get(memo) ?? 0;
  const placed = (path: Path, layer: number, a: RsaAssignment): RestoreOutcome => {
    commitAssignment(layers[layer], a);
    masks.update(path.spans);
    return { id: d.id, action: 'rerouted', path, wave: { layer, assignment: a }, addedLatencyUs: path.latencyUs - oldUs };
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
      const a = assignSpectrum(g, layers[layer], [path], { lineRateGbps: d.lineRateGbps, ...(table ? { table } : {}) });
      if (a) {
        masks.tried.delete(seenKey);
        return placed(path, layer, a);
      }
    }
  }
  for (; i < maxCandidates; i++) {
    const path = cache.get(d.src, d.dst, d.maxLatencyUs, width, i, live);
    if (!path) break;
    for (let layer = 0; layer < layers.length; layer++) {
      const a = assignSpectrum(g, layers[layer], [path], { lineRateGbps: d.lineRateGbps, ...(table ? { table } : {}) });
      if (!a) continue;
      next.set(memo, i);
      return placed(path, layer, a);
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

/** Strand search state: which spans still have a free pair, and shortest-path trees per source. */
class StrandState {
  readonly free: Uint8Array;
  private readonly trees = new Map<number, StrandTree>();
  private readonly owned = new Set<StrandCable>();

  constructor(
    private readonly g: Graph,
    readonly pools: StrandCable[][],
    failed: Uint8Array,
  ) {
    this.free = new Uint8Array(g.spanCount);
    for (let e = 0; e < g.spanCount; e++) this.free[e] = failed[e] === 0 && freePair(pools[e] ?? []) !== null ? 1 : 0;
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
      const f = freePair(this.pools[e]) as { cable: number; lo: number };
      takePair(this.pools, this.owned, e, f.cable, f.lo);
      out.push({ span: e, cable: f.cable, lo: f.lo });
      if (freePair(this.pools[e]) === null) {
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
    const bound = d.maxLatencyUs !== null ? { maxLatencyUs: d.maxLatencyUs } : {};
    const any = shortestPath(g, d.src, d.dst, { ...bound, spanFilter: (e) => failed[e] === 0 && (state.pools[e]?.length ?? 0) > 0 });
    const reason: DownReason = any.status === 'found' ? 'no-capacity' : 'no-path';
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
export function referencePlanRestoration(
  g: Graph,
  layers: readonly SpectrumGrid[],
  strands: StrandPools,
  failed: Uint8Array,
  demands: readonly RestoreDemand[],
  options: RestoreOptions = {},
): RestorePlan {
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const work = layers.map((l) => l.clone());
  const pools = sortedPools(strands);
  const waveUsable = new Uint8Array(g.spanCount);
  for (let e = 0; e < g.spanCount; e++) waveUsable[e] = failed[e] === 0 && g.slotCount[e] > 0 ? 1 : 0;
  const cache = new CandidateCache(g, waveUsable);
  const next = new Map<string, number>();
  const masks = new WaveMasks(g, work, waveUsable);
  const hit = demands.filter((d) => demandHit(d, failed)).sort(restoreOrder);
  cache.prime(
    hit.filter((d) => d.kind === 'wave' && d.protection === 'restorable').map((d) => ({ src: d.src, dst: d.dst, bound: d.maxLatencyUs, width: minSlots(d.lineRateGbps, options.table) })),
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
      strandState ??= new StrandState(g, pools, failed);
      outcomes.push(restoreStrands(g, strandState, failed, strandLost, d));
    } else outcomes.push(restoreWave(g, work, cache, masks, next, d, maxCandidates, options.table));
  }
  return { outcomes, layers: work, strands: pools };
}

