/**
 * Latency catchment: every site reachable from one site within a one-way latency budget, each with its
 * lowest-latency path (one bounded Dijkstra: nodes beyond the budget are never settled).
 */
import type { PathConstraints, Ref } from './constraints.js';
import { compileConstraints, resolveNode } from './constraints.js';
import { workspaceFor } from './dijkstra.js';
import type { Graph, Path } from './graph.js';
import { makePath } from './graph.js';

/** A site within the budget and the lowest-latency path to it. */
export interface Reached {
  node: number;
  path: Path;
}

/**
 * Sites reachable from src with a path of latency <= maxLatencyUs (inclusive), nearest first (ties by
 * node index), src itself excluded. Only the masks of the constraints apply (avoid lists, failed
 * spans, SRLGs); the metric is always latency and bounds other than the budget are ignored.
 */
export function reachWithin(g: Graph, src: Ref, maxLatencyUs: number, constraints: Omit<PathConstraints, 'metric' | 'maxLatencyUs' | 'maxHops' | 'waypoints'> = {}): Reached[] {
  const s = resolveNode(g, src);
  const cc = compileConstraints(g, { ...constraints, metric: 'latency' });
  if (cc.nodeOk[s] === 0 || !(maxLatencyUs >= 0)) return [];
  const ws = workspaceFor(g, 0);
  ws.clearBlocks();
  ws.run(s, -1, cc.weights, cc.spanOk, cc.nodeOk, null, maxLatencyUs);
  const nodes: number[] = [];
  for (let v = 0; v < g.nodeCount; v++) if (v !== s && ws.distanceTo(v) <= maxLatencyUs) nodes.push(v);
  nodes.sort((a, b) => ws.distanceTo(a) - ws.distanceTo(b) || a - b);
  return nodes.map((v) => {
    const r = ws.pathTo(v);
    return { node: v, path: makePath(g, r.nodes, r.spans) };
  });
}
