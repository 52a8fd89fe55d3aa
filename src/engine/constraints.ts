/**
 * Path constraints as the caller states them (ids or indices) and compiled into the masks and bounds
 * the search loops read.
 */
import type { Graph } from './graph.js';

/** What a path's length is measured in. Latency in µs, length in km, hops, or the spans' cost weight. */
export type Metric = 'latency' | 'length' | 'hops' | 'cost';

/** A site or span named by id (string) or by index in the graph (number). */
export type Ref = string | number;

/** Restrictions on acceptable paths. Every field is optional; nothing set means any simple path. */
export interface PathConstraints {
  /** What to minimise (default latency). */
  metric?: Metric;
  /** Upper bound on the path's latency (inclusive). */
  maxLatencyUs?: number;
  /** Upper bound on the number of spans (inclusive). */
  maxHops?: number;
  avoidSites?: readonly Ref[];
  avoidSpans?: readonly Ref[];
  /** No span of the path may belong to any of these SRLGs. */
  avoidSrlgs?: readonly Ref[];
  /** Failed spans are unusable (same effect as avoidSpans; kept apart because the caller's meaning differs). */
  failedSpans?: readonly Ref[];
  /** Sites the path must visit, in this order, between source and destination. */
  waypoints?: readonly Ref[];
  /** Free slots per span index; with minFreeSlots, spans with fewer free slots are unusable. */
  freeSlots?: ArrayLike<number>;
  minFreeSlots?: number;
  /** Extra predicate over span index; false = unusable. */
  spanFilter?: (span: number) => boolean;
}

/** Constraints resolved against one graph. */
export interface CompiledConstraints {
  metric: Metric;
  weights: Float64Array;
  /** 1 = usable. */
  spanOk: Uint8Array;
  nodeOk: Uint8Array;
  maxLatencyUs: number;
  maxHops: number;
  waypoints: number[];
}

const weightCache = new WeakMap<Graph, Map<Metric, Float64Array>>();

/** Per-span weight array for a metric (cached per graph; do not mutate). */
export function metricWeights(g: Graph, metric: Metric): Float64Array {
  let byMetric = weightCache.get(g);
  if (!byMetric) {
    byMetric = new Map();
    weightCache.set(g, byMetric);
  }
  let w = byMetric.get(metric);
  if (!w) {
    switch (metric) {
      case 'latency':
        w = g.latencyUs;
        break;
      case 'length':
        w = g.lengthKm;
        break;
      case 'cost':
        w = g.cost;
        break;
      case 'hops':
        w = new Float64Array(g.spanCount).fill(1);
        break;
      default:
        throw new RangeError(`unknown metric ${String(metric)}`);
    }
    byMetric.set(metric, w);
  }
  return w;
}

/** Node index of a site reference; throws on an unknown id or out-of-range index. */
export function resolveNode(g: Graph, ref: Ref): number {
  const i = typeof ref === 'number' ? ref : g.nodeIndex(ref);
  if (!(Number.isInteger(i) && i >= 0 && i < g.nodeCount)) throw new RangeError(`unknown site ${String(ref)}`);
  return i;
}

/** Span index of a span reference; throws on an unknown id or out-of-range index. */
export function resolveSpan(g: Graph, ref: Ref): number {
  const i = typeof ref === 'number' ? ref : g.spanIndex(ref);
  if (!(Number.isInteger(i) && i >= 0 && i < g.spanCount)) throw new RangeError(`unknown span ${String(ref)}`);
  return i;
}

function resolveSrlg(g: Graph, ref: Ref): number {
  const i = typeof ref === 'number' ? ref : g.srlgIds.indexOf(ref);
  // An SRLG no span belongs to removes nothing; only an out-of-range index is an error.
  if (typeof ref === 'number' && !(Number.isInteger(i) && i >= 0 && i < g.srlgIds.length)) throw new RangeError(`unknown srlg ${ref}`);
  return i;
}

const openMasks = new WeakMap<Graph, { spanOk: Uint8Array; nodeOk: Uint8Array }>();

function hasMasks(c: PathConstraints): boolean {
  return (
    (c.avoidSites?.length ?? 0) > 0 ||
    (c.avoidSpans?.length ?? 0) > 0 ||
    (c.failedSpans?.length ?? 0) > 0 ||
    (c.avoidSrlgs?.length ?? 0) > 0 ||
    (c.minFreeSlots ?? 0) > 0 ||
    c.spanFilter !== undefined
  );
}

/**
 * Resolve constraints against a graph into masks and bounds. Without any masking constraint the masks are
 * shared all-ones arrays (so plain queries allocate nothing O(n)): treat them as read-only.
 */
export function compileConstraints(g: Graph, c: PathConstraints = {}): CompiledConstraints {
  const metric = c.metric ?? 'latency';
  const bounds = {
    metric,
    weights: metricWeights(g, metric),
    maxLatencyUs: c.maxLatencyUs ?? Infinity,
    maxHops: c.maxHops ?? Infinity,
    waypoints: (c.waypoints ?? []).map((r) => resolveNode(g, r)),
  };
  if (!hasMasks(c)) {
    let open = openMasks.get(g);
    if (!open) {
      open = { spanOk: new Uint8Array(g.spanCount).fill(1), nodeOk: new Uint8Array(g.nodeCount).fill(1) };
      openMasks.set(g, open);
    }
    return { ...bounds, spanOk: open.spanOk, nodeOk: open.nodeOk };
  }
  const spanOk = new Uint8Array(g.spanCount).fill(1);
  const nodeOk = new Uint8Array(g.nodeCount).fill(1);
  for (const r of c.avoidSites ?? []) nodeOk[resolveNode(g, r)] = 0;
  for (const r of c.avoidSpans ?? []) spanOk[resolveSpan(g, r)] = 0;
  for (const r of c.failedSpans ?? []) spanOk[resolveSpan(g, r)] = 0;
  const avoidSrlg = new Set<number>();
  for (const r of c.avoidSrlgs ?? []) {
    const i = resolveSrlg(g, r);
    if (i >= 0) avoidSrlg.add(i);
  }
  const minFree = c.minFreeSlots ?? 0;
  if (minFree > 0 && !c.freeSlots) throw new RangeError('minFreeSlots needs freeSlots');
  for (let e = 0; e < g.spanCount; e++) {
    if (spanOk[e] === 0) continue;
    if (avoidSrlg.size > 0) {
      for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) {
        if (avoidSrlg.has(g.spanSrlg[j])) spanOk[e] = 0;
      }
    }
    if (minFree > 0 && c.freeSlots && c.freeSlots[e] < minFree) spanOk[e] = 0;
    if (c.spanFilter && spanOk[e] === 1 && !c.spanFilter(e)) spanOk[e] = 0;
  }
  return { ...bounds, spanOk, nodeOk };
}

/**
 * The constraints with every endpoint-only site of the graph other than src and dst masked out, for
 * searches that read nodeOk instead of running Dijkstra (the flow constructions of diverse.ts).
 */
export function withTransit(g: Graph, cc: CompiledConstraints, src: number, dst: number): CompiledConstraints {
  let nodeOk: Uint8Array | null = null;
  for (let v = 0; v < g.nodeCount; v++) {
    if (g.transit[v] === 1 || v === src || v === dst || cc.nodeOk[v] === 0) continue;
    nodeOk ??= Uint8Array.from(cc.nodeOk);
    nodeOk[v] = 0;
  }
  return nodeOk === null ? cc : { ...cc, nodeOk };
}
