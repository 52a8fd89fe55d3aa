/**
 * A faithful re-implementation of networkx's `shortest_simple_paths(G, s, t, weight)` (Yen's
 * algorithm over networkx's `_bidirectional_dijkstra`), used only by `--compat rl-gym`.
 *
 * Why it exists: on networks whose lengths are round numbers (NSFNET's are multiples of 150 km)
 * many paths tie, and which of two equal-length paths networkx yields first decides which one
 * first-fit tries first. Reproducing Optical RL-Gym's numbers needs the same tie order, which
 * depends on details no textbook Yen fixes: alternating forward/backward Dijkstra steps sharing
 * one push counter, adjacency in edge-insertion order, the "first meeting node that improves"
 * rule for the best path, and a candidate heap ordered by (length, insertion counter).
 * The engine's own k-shortest paths serve every other mode.
 */
import type { Graph } from '../graph.js';

/** A path as networkx yields it: node sequence plus the spans between them and its total weight. */
export interface NxPath {
  nodes: number[];
  spans: number[];
  weight: number;
}

/** Tiny binary heap of [key, counter, value] ordered like Python tuples (key, then counter). */
class TupleHeap<T> {
  private items: [number, number, T][] = [];

  get length(): number {
    return this.items.length;
  }

  push(key: number, counter: number, value: T): void {
    const a = this.items;
    a.push([key, counter, value]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): [number, number, T] {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as [number, number, T];
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l], a[m])) m = l;
        if (r < a.length && less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function less<T>(x: [number, number, T], y: [number, number, T]): boolean {
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

/** networkx `_bidirectional_dijkstra` with ignore_nodes / ignore_edges; null when there is no path. */
function bidirectionalDijkstra(
  g: Graph, weight: Float64Array, source: number, target: number,
  ignoreNodes: Uint8Array, ignoreSpans: Uint8Array,
): { weight: number; nodes: number[]; spans: number[] } | null {
  if (source === target) return { weight: 0, nodes: [source], spans: [] };
  const dists: Map<number, number>[] = [new Map(), new Map()];
  const paths: Map<number, { nodes: number[]; spans: number[] }>[] = [
    new Map([[source, { nodes: [source], spans: [] }]]),
    new Map([[target, { nodes: [target], spans: [] }]]),
  ];
  const seen: Map<number, number>[] = [new Map([[source, 0]]), new Map([[target, 0]])];
  const fringe = [new TupleHeap<number>(), new TupleHeap<number>()];
  let counter = 0;
  fringe[0].push(0, counter++, source);
  fringe[1].push(0, counter++, target);
  let finalDist = 0;
  let finalPath: { nodes: number[]; spans: number[] } | null = null;
  let dir = 1;
  while (fringe[0].length > 0 && fringe[1].length > 0) {
    dir = 1 - dir;
    const [dist, , v] = fringe[dir].pop();
    if (dists[dir].has(v)) continue;
    dists[dir].set(v, dist);
    if (dists[1 - dir].has(v)) return finalPath ? { weight: finalDist, ...finalPath } : null;
    for (let k = g.adjStart[v]; k < g.adjStart[v + 1]; k++) {
      const w = g.adjNode[k];
      const e = g.adjSpan[k];
      if (ignoreNodes[w] || ignoreSpans[e]) continue;
      const vwLength = dist + weight[e];
      const known = dists[dir].get(w);
      if (known !== undefined) {
        if (vwLength < known) throw new Error('negative weights');
        continue;
      }
      const seenW = seen[dir].get(w);
      if (seenW === undefined || vwLength < seenW) {
        seen[dir].set(w, vwLength);
        fringe[dir].push(vwLength, counter++, w);
        const pv = paths[dir].get(v) as { nodes: number[]; spans: number[] };
        paths[dir].set(w, { nodes: [...pv.nodes, w], spans: [...pv.spans, e] });
        const s0 = seen[0].get(w);
        const s1 = seen[1].get(w);
        if (s0 !== undefined && s1 !== undefined) {
          const total = s0 + s1;
          if (finalPath === null || finalDist > total) {
            finalDist = total;
            const fw = paths[0].get(w) as { nodes: number[]; spans: number[] };
            const bw = paths[1].get(w) as { nodes: number[]; spans: number[] };
            finalPath = {
              nodes: [...fw.nodes, ...bw.nodes.slice(0, -1).reverse()],
              spans: [...fw.spans, ...bw.spans.slice().reverse()],
            };
          }
        }
      }
    }
  }
  return null;
}

/**
 * The first k simple paths from source to target in networkx `shortest_simple_paths` order, with
 * `weight[span]` as edge weight. Assumes a simple graph (no parallel spans), as networkx's Graph does.
 */
export function nxShortestSimplePaths(g: Graph, weight: Float64Array, source: number, target: number, k: number): NxPath[] {
  const listA: NxPath[] = [];
  const buffer = new TupleHeap<NxPath>();
  const inBuffer = new Set<string>();
  let counter = 0;
  const push = (p: NxPath): void => {
    const key = p.nodes.join(',');
    if (inBuffer.has(key)) return;
    inBuffer.add(key);
    buffer.push(p.weight, counter++, p);
  };
  const ignoreNodes = new Uint8Array(g.nodeCount);
  const ignoreSpans = new Uint8Array(g.spanCount);
  let prev: NxPath | null = null;
  while (listA.length < k) {
    if (prev === null) {
      const first = bidirectionalDijkstra(g, weight, source, target, ignoreNodes, ignoreSpans);
      if (first) push(first);
    } else {
      ignoreNodes.fill(0);
      ignoreSpans.fill(0);
      let rootWeight = 0;
      for (let i = 1; i < prev.nodes.length; i++) {
        if (i > 1) rootWeight += weight[prev.spans[i - 2]];
        for (const p of listA) {
          if (p.nodes.length > i && samePrefix(p.nodes, prev.nodes, i)) ignoreSpans[p.spans[i - 1]] = 1;
        }
        const spurNode = prev.nodes[i - 1];
        const spur = bidirectionalDijkstra(g, weight, spurNode, target, ignoreNodes, ignoreSpans);
        if (spur) {
          push({
            nodes: [...prev.nodes.slice(0, i - 1), ...spur.nodes],
            spans: [...prev.spans.slice(0, i - 1), ...spur.spans],
            weight: rootWeight + spur.weight,
          });
        }
        ignoreNodes[spurNode] = 1;
      }
    }
    if (buffer.length === 0) break;
    const [, , path] = buffer.pop();
    inBuffer.delete(path.nodes.join(','));
    listA.push(path);
    prev = path;
  }
  return listA;
}

function samePrefix(a: number[], b: number[], n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
