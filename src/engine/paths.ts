/**
 * Constrained shortest path and k shortest loopless paths over the compact graph.
 */
import type { CompiledConstraints, PathConstraints, Ref } from './constraints.js';
import { compileConstraints, resolveNode } from './constraints.js';
import { workspaceFor } from './dijkstra.js';
import type { Graph, Path } from './graph.js';
import { makePath } from './graph.js';
import { PathEnumerator } from './ksp.js';

/** Outcome of a constrained search: found (exact = proven optimal), none (proven), or gave-up. */
export type PathResult =
  | { status: 'found'; path: Path; exact: boolean }
  | { status: 'none' }
  | { status: 'gave-up'; examined: number; reason: string };

/** Limits on exhaustive search when the constraints make it necessary. */
export interface SearchLimits {
  /** Most candidate paths examined before giving up (default 5000). */
  maxExamined?: number;
  /**
   * kShortestPaths only: a path whose key equals an accepted path's key is skipped (e.g. the same
   * intercity spans reached through other metro spans), so the k results differ in what the key keeps.
   */
  distinct?: (p: Path) => string;
}

/** Sum of the metric's weights along a path. */
export function metricOf(cc: CompiledConstraints, spans: readonly number[]): number {
  let m = 0;
  for (const e of spans) m += cc.weights[e];
  return m;
}

/** True when a path meets the bounds and visits the waypoints in order (masks are assumed applied). */
export function meetsBounds(p: Path, cc: CompiledConstraints): boolean {
  if (p.latencyUs > cc.maxLatencyUs || p.hops > cc.maxHops) return false;
  let k = 0;
  for (let i = 0; i < p.nodes.length && k < cc.waypoints.length; i++) if (p.nodes[i] === cc.waypoints[k]) k++;
  return k === cc.waypoints.length;
}

function isSimple(nodes: readonly number[]): boolean {
  return new Set(nodes).size === nodes.length;
}

/**
 * Shortest path from src to dst by constraints.metric (default latency) meeting every constraint.
 * Plain masks cost one Dijkstra; bounds and waypoints are exact too, via the best unconstrained path when it
 * qualifies, else ordered enumeration (Yen) until the first qualifying path, up to limits.maxExamined paths.
 */
export function shortestPath(g: Graph, src: Ref, dst: Ref, constraints: PathConstraints = {}, limits: SearchLimits = {}): PathResult {
  const s = resolveNode(g, src);
  const t = resolveNode(g, dst);
  const cc = compileConstraints(g, constraints);
  if (cc.nodeOk[s] === 0 || cc.nodeOk[t] === 0) return { status: 'none' };
  if (s === t) {
    const p = makePath(g, [s], []);
    return meetsBounds(p, cc) ? { status: 'found', path: p, exact: true } : { status: 'none' };
  }
  const ws = workspaceFor(g, 0);
  if (cc.waypoints.length === 0) {
    ws.clearBlocks();
    if (ws.run(s, t, cc.weights, cc.spanOk, cc.nodeOk) === Infinity) return { status: 'none' };
    const r = ws.pathTo(t);
    const p = makePath(g, r.nodes, r.spans);
    if (meetsBounds(p, cc)) return { status: 'found', path: p, exact: true };
  } else {
    // Each leg of a qualifying path joins consecutive waypoints, so the legs' shortest paths bound it below:
    // if their concatenation is itself simple and within bounds, it is optimal.
    const stops = [s, ...cc.waypoints, t];
    const nodes = [s];
    const spans: number[] = [];
    for (let i = 0; i + 1 < stops.length; i++) {
      ws.clearBlocks();
      if (ws.run(stops[i], stops[i + 1], cc.weights, cc.spanOk, cc.nodeOk) === Infinity) return { status: 'none' };
      const r = ws.pathTo(stops[i + 1]);
      nodes.push(...r.nodes.slice(1));
      spans.push(...r.spans);
    }
    const p = makePath(g, nodes, spans);
    if (isSimple(nodes) && meetsBounds(p, cc)) return { status: 'found', path: p, exact: true };
  }
  const maxExamined = limits.maxExamined ?? 5000;
  const en = new PathEnumerator(g, s, t, cc);
  for (;;) {
    const p = en.next();
    if (!p) return { status: 'none' };
    // Give up only with a path in hand that was not examined: "none" must stay a proof.
    if (en.produced > maxExamined) break;
    if (meetsBounds(p, cc)) return { status: 'found', path: stripRank(p), exact: true };
  }
  const h = cc.waypoints.length > 0 ? sequentialWaypointPath(g, s, t, cc) : null;
  if (h && meetsBounds(h, cc)) return { status: 'found', path: h, exact: false };
  return { status: 'gave-up', examined: maxExamined, reason: `no qualifying path among the ${maxExamined} shortest paths examined, and more paths remain` };
}

function stripRank(p: Path): Path {
  return { nodes: p.nodes, spans: p.spans, lengthKm: p.lengthKm, latencyUs: p.latencyUs, hops: p.hops, cost: p.cost };
}

/** Heuristic for waypoints: route leg by leg, each leg avoiding the nodes of earlier legs and of later stops. */
function sequentialWaypointPath(g: Graph, s: number, t: number, cc: CompiledConstraints): Path | null {
  const ws = workspaceFor(g, 0);
  const stops = [s, ...cc.waypoints, t];
  const nodes = [s];
  const spans: number[] = [];
  for (let i = 0; i + 1 < stops.length; i++) {
    ws.clearBlocks();
    for (const v of nodes) if (v !== stops[i]) ws.blockNode(v);
    for (let j = i + 2; j < stops.length; j++) ws.blockNode(stops[j]);
    if (ws.run(stops[i], stops[i + 1], cc.weights, cc.spanOk, cc.nodeOk) === Infinity) return null;
    const r = ws.pathTo(stops[i + 1]);
    nodes.push(...r.nodes.slice(1));
    spans.push(...r.spans);
  }
  return isSimple(nodes) ? makePath(g, nodes, spans) : null;
}

/** Result of a k-shortest-paths query: complete = these are exactly the k best (or all that exist). */
export interface KspResult {
  paths: Path[];
  complete: boolean;
}

/** The k shortest simple paths meeting the constraints, in nondecreasing metric order (Yen + A*). */
export function kShortestPaths(g: Graph, src: Ref, dst: Ref, k: number, constraints: PathConstraints = {}, limits: SearchLimits = {}): KspResult {
  const s = resolveNode(g, src);
  const t = resolveNode(g, dst);
  const cc = compileConstraints(g, constraints);
  const paths: Path[] = [];
  if (k <= 0) return { paths, complete: true };
  if (s === t) {
    const p = makePath(g, [s], []);
    if (cc.nodeOk[s] === 1 && meetsBounds(p, cc)) paths.push(p);
    return { paths, complete: true };
  }
  const maxExamined = Math.max(limits.maxExamined ?? 5000, k);
  const en = new PathEnumerator(g, s, t, cc);
  const keys = limits.distinct ? new Set<string>() : null;
  while (paths.length < k) {
    const p = en.next();
    if (!p) return { paths, complete: true };
    if (en.produced > maxExamined) return { paths, complete: false };
    if (!meetsBounds(p, cc)) continue;
    if (keys && limits.distinct) {
      const key = limits.distinct(p);
      if (keys.has(key)) continue;
      keys.add(key);
    }
    paths.push(stripRank(p));
  }
  return { paths, complete: true };
}
