/**
 * Candidate paths for wave restoration, shared by every circuit with the same (src, dst, bound, width) in
 * one plan, and a proof that lets the planner skip enumerating candidates none of which can fit.
 */
import { compileConstraints, type CompiledConstraints } from './constraints.js';
import { workspaceFor } from './dijkstra.js';
import type { Graph, Path } from './graph.js';
import { makePath } from './graph.js';
import { PathEnumerator } from './ksp.js';
import { meetsBounds } from './paths.js';

/**
 * One key's candidates: the tree path first (when it meets the bound), then Yen's paths over the mask
 * pinned when enumeration was first needed. The list is a pure function of (first, pinned mask, bound),
 * so it may be enumerated later than it was pinned without changing a single candidate.
 */
export interface CandidateList {
  readonly src: number;
  readonly dst: number;
  readonly bound: number | null;
  paths: Path[];
  /** The shortest path over the usable spans (null = src and dst are disconnected). */
  first: Path | null;
  /** undefined = not created yet, null = exhausted. */
  en: PathEnumerator | null | undefined;
  /** Spans later candidates are enumerated over (fixed once set). */
  pinned: Uint8Array | null;
  cc: CompiledConstraints | null;
}

function samePath(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Candidate paths for one (src, dst, bound, width) in nondecreasing latency order. The first candidate of
 * every key comes from one shortest-path tree per source (prime); further ones from a lazily created Yen
 * enumerator over the mask pinned when they were first asked for.
 */
export class CandidateCache {
  private readonly lists = new Map<string, CandidateList>();
  /** Candidate paths produced by Yen enumerators so far (a measure of the work done). */
  enumerated = 0;

  constructor(
    private readonly g: Graph,
    private readonly usable: Uint8Array,
  ) {}

  /** Map key of a candidate list. */
  static key(src: number, dst: number, bound: number | null, width: number): string {
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
      ws.run(src, -1, this.g.latencyUs, this.usable, null);
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
        this.lists.set(key, { src, dst, bound, paths: ok && first ? [first] : [], first, en: first === null ? null : undefined, pinned: null, cc: null });
      }
    }
  }

  /** The list of a key (primed on first use). */
  list(src: number, dst: number, bound: number | null, width: number): CandidateList {
    const key = CandidateCache.key(src, dst, bound, width);
    let entry = this.lists.get(key);
    if (!entry) {
      this.prime([{ src, dst, bound, width }]);
      entry = this.lists.get(key) as CandidateList;
    }
    return entry;
  }

  /** True when candidate i is not known yet and the list may have more: get(i) would enumerate. */
  static needsEnumeration(entry: CandidateList, i: number): boolean {
    return entry.paths.length <= i && entry.en !== null;
  }

  /**
   * Pins the mask for later candidates as get(i, live) does on its first enumeration: `live` as it is now
   * (spans that can still hold the width; the mask only shrinks, so nothing feasible is left out), or the
   * usable spans when live is null. No-op once pinned or enumerated.
   */
  pin(entry: CandidateList, live: Uint8Array | null): void {
    if (entry.en === undefined && entry.pinned === null) entry.pinned = live ? live.slice() : this.usable;
  }

  /** The i-th candidate (0-based), or null when there are no more. */
  get(entry: CandidateList, i: number, live: Uint8Array | null = null): Path | null {
    while (entry.paths.length <= i && entry.en !== null) {
      if (entry.en === undefined) {
        this.pin(entry, live);
        const spanOk = entry.pinned as Uint8Array;
        entry.cc = compileConstraints(this.g, { spanFilter: (e) => spanOk[e] === 1, ...(entry.bound !== null ? { maxLatencyUs: entry.bound } : {}) });
        entry.en = new PathEnumerator(this.g, entry.src, entry.dst, entry.cc);
      }
      const p = entry.en.next();
      if (!p) {
        entry.en = null;
        break;
      }
      this.enumerated++;
      const f = entry.first;
      // The tree's path is already candidate 0 when it met the bound; do not offer it twice.
      if (f && entry.paths[0] === f && samePath(f.spans, p.spans)) continue;
      if (meetsBounds(p, entry.cc as CompiledConstraints)) entry.paths.push(makePath(this.g, p.nodes, p.spans));
    }
    return entry.paths[i] ?? null;
  }
}

/** Outcome of a proof: every candidate from the asked index up to the limit is infeasible. */
export interface NoFitProof {
  /** Length of the whole candidate list when the search saw all of it (fewer than the limit), else null. */
  listLength: number | null;
}

/** Largest candidate limit tracked exactly; above it only an exhaustive search proves anything. */
const MAX_TRACKED = 4096;
/** Partial paths a proof may create before it gives up (the planner then enumerates as usual). */
const PARTIAL_BUDGET = 4096;

/** Scratch arrays of the proof search, shared by every prover of a graph (one search runs at a time). */
interface ProverBuffers {
  // Partial paths as a tree of parent links.
  pNode: Int32Array;
  pSpan: Int32Array;
  pParent: Int32Array;
  pLat: Float64Array;
  pBits: Int32Array;
  heapKey: Float64Array;
  heapItem: Int32Array;
  /** mark[v] === stamp: v is on the prefix being extended. */
  mark: Uint32Array;
  stamp: number;
}

const proverBuffers = new WeakMap<Graph, ProverBuffers>();

/**
 * Distances to each destination over every lit span, per graph (graphs are immutable). Pinned masks are
 * subsets of the lit spans, so these are lower bounds for every plan and failure; a weaker bound only
 * makes a proof search wider, never changes its answer.
 */
const litDistances = new WeakMap<Graph, Map<number, Float64Array>>();

function buffersFor(g: Graph): ProverBuffers {
  let b = proverBuffers.get(g);
  if (!b) {
    b = {
      pNode: new Int32Array(PARTIAL_BUDGET),
      pSpan: new Int32Array(PARTIAL_BUDGET),
      pParent: new Int32Array(PARTIAL_BUDGET),
      pLat: new Float64Array(PARTIAL_BUDGET),
      pBits: new Int32Array(PARTIAL_BUDGET),
      heapKey: new Float64Array(PARTIAL_BUDGET),
      heapItem: new Int32Array(PARTIAL_BUDGET),
      mark: new Uint32Array(g.nodeCount),
      stamp: 0,
    };
    proverBuffers.set(g, b);
  }
  return b;
}

/**
 * Proves, without Yen's enumeration, that none of a list's candidates i..limit-1 fits. Yen yields the
 * simple paths over the pinned mask S in nondecreasing latency, so its first `limit` paths within the
 * bound all have latency <= T, the limit-th smallest latency among them. A best-first search over simple
 * partial paths of S, keyed by latency plus the distance to the destination over all lit spans (a lower
 * bound, computed once per destination and graph), pops complete paths in
 * latency order; it stops once every key left exceeds T. If no complete path it popped fits (`fits`,
 * called only when the path's spans all have room on some fiber pair per `spanLayers`), no candidate
 * does. The tree path heading the list is no longer than any of them. Latencies are summed in path order,
 * exactly as Yen and meetsBounds sum them.
 */
export class NoFitProver {
  private readonly buf: ProverBuffers;
  private heapSize = 0;
  private top = new Float64Array(16);
  /** Proofs attempted / succeeded (measures of how often enumeration was skipped). */
  tried = 0;
  proved = 0;

  constructor(private readonly g: Graph) {
    this.buf = buffersFor(g);
  }

  private push(item: number, key: number): void {
    const { heapKey, heapItem } = this.buf;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapKey[p] <= key) break;
      heapKey[i] = heapKey[p];
      heapItem[i] = heapItem[p];
      i = p;
    }
    heapKey[i] = key;
    heapItem[i] = item;
  }

  private pop(): number {
    const { heapKey, heapItem } = this.buf;
    const top = heapItem[0];
    const n = --this.heapSize;
    if (n > 0) {
      const key = heapKey[n];
      const item = heapItem[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heapKey[c + 1] < heapKey[c]) c++;
        if (heapKey[c] >= key) break;
        heapKey[i] = heapKey[c];
        heapItem[i] = heapItem[c];
        i = c;
      }
      heapKey[i] = key;
      heapItem[i] = item;
    }
    return top;
  }

  /** Marks the nodes of a partial path (a fresh stamp each time). */
  private markPrefix(item: number): number {
    const b = this.buf;
    if (++b.stamp === 0xffffffff) {
      b.mark.fill(0);
      b.stamp = 1;
    }
    for (let p = item; p >= 0; p = b.pParent[p]) b.mark[b.pNode[p]] = b.stamp;
    return b.stamp;
  }

  private pathOf(item: number): Path {
    const { pNode, pSpan, pParent } = this.buf;
    const nodes: number[] = [];
    const spans: number[] = [];
    for (let p = item; p >= 0; p = pParent[p]) {
      nodes.push(pNode[p]);
      if (pSpan[p] >= 0) spans.push(pSpan[p]);
    }
    return makePath(this.g, nodes.reverse(), spans.reverse());
  }

  /**
   * Tries to prove that candidates i..limit-1 of `entry` (pinned) cannot fit. `spanLayers[e]` has bit l set
   * when fiber pair l of span e has room for the narrowest mode (all bits when unknown). Returns null when
   * a path within reach fits or the search ran out of budget.
   */
  prove(entry: CandidateList, limit: number, spanLayers: Int32Array, fits: (path: Path, layers: number) => boolean): NoFitProof | null {
    const S = entry.pinned;
    if (S === null) return null;
    this.tried++;
    const g = this.g;
    const { pNode, pSpan, pParent, pLat, pBits, heapKey, mark } = this.buf;
    const { src, dst, bound } = entry;
    const first = entry.first;
    const firstInList = first !== null && entry.paths[0] === first;
    const firstInS = firstInList && (first as Path).spans.every((e) => S[e] === 1);
    const listLength = (yenCount: number): number => yenCount + (firstInList && !firstInS ? 1 : 0);
    if (src === dst) return this.done({ listLength: listLength(0) });
    const h = this.heuristic(dst);

    // Counting keeps a margin below the bound so it never counts a path Yen's pruning might drop by rounding;
    // exploring keeps one above it so no path it could keep is missed.
    const margin = bound === null ? 0 : 1e-9 * Math.max(1, Math.abs(bound));
    const countLimit = bound === null ? Infinity : bound - margin;
    const exploreLimit = bound === null ? Infinity : bound + margin;
    const k = limit <= MAX_TRACKED ? limit : Infinity;
    if (k !== Infinity && this.top.length < k) this.top = new Float64Array(k);
    const top = this.top;
    let topCount = 0;
    let T = Infinity;
    let counted = 0;
    let nearBound = false;
    const lat = g.latencyUs;
    const { adjStart, adjNode, adjSpan } = g;

    this.heapSize = 0;
    let items = 1;
    pNode[0] = src;
    pSpan[0] = -1;
    pParent[0] = -1;
    pLat[0] = 0;
    pBits[0] = -1;
    this.push(0, h[src]);
    while (this.heapSize > 0) {
      const reach = Math.min(T, exploreLimit);
      const cut = reach === Infinity ? Infinity : reach + 1e-9 * Math.max(1, Math.abs(reach));
      if (heapKey[0] > cut) break;
      const it = this.pop();
      const v = pNode[it];
      const base = pLat[it];
      if (v === dst) {
        if (base <= countLimit) {
          counted++;
          if (k !== Infinity && topCount < k) {
            top[topCount++] = base;
            // Complete paths pop in nondecreasing latency, up to rounding in the keys: keep the maximum.
            if (topCount === k) T = Math.max(...top.subarray(0, k));
          }
        } else nearBound = true;
        // A fitting path this short may be one of the candidates: no proof.
        if (pBits[it] !== 0 && fits(this.pathOf(it), pBits[it])) return null;
        continue;
      }
      const stamp = this.markPrefix(it);
      for (let j = adjStart[v]; j < adjStart[v + 1]; j++) {
        const e = adjSpan[j];
        const w = adjNode[j];
        if (S[e] === 0 || mark[w] === stamp || h[w] === Infinity) continue;
        const nl = base + lat[e];
        if (nl + h[w] > cut) continue;
        if (items === PARTIAL_BUDGET) return null;
        pNode[items] = w;
        pSpan[items] = e;
        pParent[items] = it;
        pLat[items] = nl;
        pBits[items] = pBits[it] & spanLayers[e];
        this.push(items, nl + h[w]);
        items++;
      }
    }
    if (T !== Infinity) return this.done({ listLength: null });
    // Fewer than `limit` paths exist: the list's length is known, unless rounding at the bound blurs it.
    if (nearBound) return null;
    return this.done({ listLength: listLength(counted) });
  }

  private heuristic(dst: number): Float64Array {
    const g = this.g;
    let byDst = litDistances.get(g);
    if (!byDst) {
      byDst = new Map();
      litDistances.set(g, byDst);
    }
    let h = byDst.get(dst);
    if (!h) {
      const lit = new Uint8Array(g.spanCount);
      for (let e = 0; e < g.spanCount; e++) lit[e] = g.slotCount[e] > 0 ? 1 : 0;
      const ws = workspaceFor(g, 2);
      ws.clearBlocks();
      ws.run(dst, -1, g.latencyUs, lit, null);
      h = new Float64Array(g.nodeCount);
      for (let v = 0; v < g.nodeCount; v++) h[v] = ws.distanceTo(v);
      byDst.set(dst, h);
    }
    return h;
  }

  private done(p: NoFitProof): NoFitProof {
    this.proved++;
    return p;
  }
}
