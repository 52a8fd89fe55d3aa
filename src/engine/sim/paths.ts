/**
 * Candidate paths for every node pair, computed once before a run and stored compactly: per pair
 * an offset into flat per-path arrays, per path a span list (a typed-array view made once, so the
 * hot loop hands findSlotRange a ready array) and its per-slot capacity.
 */
import type { Graph, Path } from '../graph.js';
import { capacityForLength, type Modulation } from './modulation.js';
import { nxShortestSimplePaths } from './nx-yen.js';

/** The engine's k-shortest-paths routine as the simulator calls it: paths ordered by g.cost. */
export type KShortestFn = (g: Graph, source: number, target: number, k: number) => Path[];

/** How candidate paths are ranked: by total km, or by hop count with km breaking ties. */
export type PathOrder = 'km' | 'hops';

/** Candidate paths of all node pairs. Both directions of a pair share one list (spans are bidirectional). */
export interface PathTable {
  readonly nodeCount: number;
  readonly k: number;
  /** pairFirst[s * n + d]: index of the pair's first path; pairCount: how many it has (0 if s = d or unreachable). */
  readonly pairFirst: Int32Array;
  readonly pairCount: Int32Array;
  readonly pathHops: Int32Array;
  readonly pathLengthKm: Float64Array;
  /** Per-slot capacity of the best modulation reaching the path; 0 = no modulation reaches it. */
  readonly pathCapacityGbps: Float64Array;
  readonly pathSpans: readonly Int32Array[];
  readonly pathCount: number;
}

/** Options for building a PathTable. */
export interface PathTableOptions {
  k: number;
  order: PathOrder;
  modulations: readonly Modulation[];
  /** The engine's k-shortest paths (Yen); ignored when nxCompat is set. */
  kShortest: KShortestFn;
  /** Use the networkx-compatible Yen by km, lower node index as source (Optical RL-Gym's tie order). */
  nxCompat?: boolean;
}

// Weight of one hop when ranking by hops: larger than any path's km, so km only breaks ties.
const HOP_WEIGHT = 1e7;

/** Computes up to k candidate paths per unordered node pair and lays them out for the simulator. */
export function buildPathTable(g: Graph, opts: PathTableOptions): PathTable {
  const n = g.nodeCount;
  if (!Number.isInteger(opts.k) || opts.k < 1) throw new RangeError(`k must be an integer >= 1, got ${opts.k}`);
  const cost = new Float64Array(g.spanCount);
  for (let e = 0; e < g.spanCount; e++) cost[e] = opts.order === 'hops' ? HOP_WEIGHT + g.lengthKm[e] : g.lengthKm[e];
  // A shallow copy with the ranking weights as cost: the engine's Yen ranks by g.cost.
  const ranked: Graph = { ...g, cost };
  const pairFirst = new Int32Array(n * n).fill(-1);
  const pairCount = new Int32Array(n * n);
  const hops: number[] = [];
  const lengths: number[] = [];
  const spans: Int32Array[] = [];
  for (let s = 0; s < n; s++) {
    for (let d = s + 1; d < n; d++) {
      let list: { spans: readonly number[] }[];
      if (opts.nxCompat) {
        if (opts.order !== 'km') throw new RangeError('rl-gym compatibility ranks paths by km only');
        list = nxShortestSimplePaths(g, g.lengthKm, s, d, opts.k);
      } else {
        list = opts.kShortest(ranked, s, d, opts.k);
      }
      const first = spans.length;
      for (const p of list.slice(0, opts.k)) {
        let km = 0;
        for (const e of p.spans) km += g.lengthKm[e];
        spans.push(Int32Array.from(p.spans));
        hops.push(p.spans.length);
        lengths.push(km);
      }
      const count = spans.length - first;
      pairFirst[s * n + d] = pairFirst[d * n + s] = count > 0 ? first : -1;
      pairCount[s * n + d] = pairCount[d * n + s] = count;
    }
  }
  const pathLengthKm = Float64Array.from(lengths);
  const pathCapacityGbps = new Float64Array(spans.length);
  for (let p = 0; p < spans.length; p++) pathCapacityGbps[p] = capacityForLength(pathLengthKm[p], opts.modulations);
  return {
    nodeCount: n, k: opts.k, pairFirst, pairCount, pathHops: Int32Array.from(hops), pathLengthKm,
    pathCapacityGbps, pathSpans: spans, pathCount: spans.length,
  };
}
