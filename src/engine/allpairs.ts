/**
 * All-pairs shortest distances (Dijkstra from every node) for the portal's latency map.
 */
import type { Metric } from './constraints.js';
import { metricWeights } from './constraints.js';
import { Dijkstra, workspaceFor } from './dijkstra.js';
import type { Graph } from './graph.js';

/** Row-major n*n matrix: m[i*n + j] = shortest i->j distance by metric (default latency µs), Infinity if unreachable. */
export function allPairsMatrix(g: Graph, metric: Metric = 'latency'): Float64Array {
  const n = g.nodeCount;
  const w = metricWeights(g, metric);
  const ws = new Dijkstra(g);
  const out = new Float64Array(n * n);
  for (let s = 0; s < n; s++) {
    ws.run(s, -1, w, null, null);
    const row = s * n;
    for (let v = 0; v < n; v++) out[row + v] = ws.distanceTo(v);
  }
  return out;
}

/** Shortest distance by metric (default latency) from src to every node; Infinity where unreachable. */
export function distancesFrom(g: Graph, src: number, metric: Metric = 'latency'): Float64Array {
  const ws = workspaceFor(g, 0);
  ws.clearBlocks();
  ws.run(src, -1, metricWeights(g, metric), null, null);
  const out = new Float64Array(g.nodeCount);
  for (let v = 0; v < g.nodeCount; v++) out[v] = ws.distanceTo(v);
  return out;
}
