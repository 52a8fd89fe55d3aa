/**
 * Minimum-cost pair of arc-disjoint paths in a small directed graph (Suurballe: two successive shortest
 * augmenting paths, the second on reduced costs so Dijkstra stays valid). The diverse-routing problems
 * (link-, node-, SRLG-disjoint) are built as such arc graphs and decoded back to spans.
 */

/** A directed multigraph with unit-capacity arcs. */
export interface ArcGraph {
  nodeCount: number;
  from: number[];
  to: number[];
  weight: number[];
  /** Original span an arc stands for, or -1 for construction arcs. */
  span: number[];
  /** The opposite-direction arc of the same undirected span, or -1: both carrying flow cancel out. */
  twin: number[];
}

/** An empty arc graph on nodeCount nodes. */
export function newArcGraph(nodeCount: number): ArcGraph {
  return { nodeCount, from: [], to: [], weight: [], span: [], twin: [] };
}

/** Add an arc; returns its index. */
export function addArc(ag: ArcGraph, u: number, v: number, w: number, span: number): number {
  ag.from.push(u);
  ag.to.push(v);
  ag.weight.push(w);
  ag.span.push(span);
  ag.twin.push(-1);
  return ag.from.length - 1;
}

/** Add both directions of an undirected span as twin arcs. */
export function addUndirected(ag: ArcGraph, u: number, v: number, w: number, span: number): void {
  const a = addArc(ag, u, v, w, span);
  const b = addArc(ag, v, u, w, span);
  ag.twin[a] = b;
  ag.twin[b] = a;
}

/** Dijkstra over arcs with a per-arc usable test and cost; returns dist and the arc entering each node. */
function dijkstraArcs(
  n: number,
  out: number[][],
  s: number,
  arcHead: (a: number) => number,
  arcCost: (a: number) => number,
): { dist: Float64Array; pred: Int32Array } {
  const dist = new Float64Array(n).fill(Infinity);
  const pred = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  dist[s] = 0;
  // Binary heap of [key, node]; these graphs are per-query and small, so clarity beats typed arrays here.
  const heap: [number, number][] = [[0, s]];
  while (heap.length > 0) {
    const top = heap[0];
    const last = heap.pop() as [number, number];
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        let m = i;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (l + 1 < heap.length && heap[l + 1][0] < heap[m][0]) m = l + 1;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    const u = top[1];
    if (done[u]) continue;
    done[u] = 1;
    for (const a of out[u]) {
      const c = arcCost(a);
      if (c === Infinity) continue;
      const v = arcHead(a);
      const nd = dist[u] + c;
      if (nd < dist[v]) {
        dist[v] = nd;
        pred[v] = a;
        heap.push([nd, v]);
        let i = heap.length - 1;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (heap[p][0] <= heap[i][0]) break;
          [heap[i], heap[p]] = [heap[p], heap[i]];
          i = p;
        }
      }
    }
  }
  return { dist, pred };
}

/**
 * Minimum total-weight pair of arc-disjoint s->t paths, each as its arc sequence (loops removed), with
 * opposite twin arcs cancelled so no undirected span is used by both; null when no such pair exists.
 */
export function minCostTwoPaths(ag: ArcGraph, s: number, t: number): [number[], number[]] | null {
  const n = ag.nodeCount;
  const m = ag.from.length;
  // Residual graph: arc a forward (index a) while unused, backward (index m + a) once used.
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < m; a++) {
    out[ag.from[a]].push(a);
    out[ag.to[a]].push(m + a);
  }
  const flow = new Uint8Array(m);
  const head = (r: number): number => (r < m ? ag.to[r] : ag.from[r - m]);
  const first = dijkstraArcs(n, out, s, head, (r) => (r < m ? ag.weight[r] : Infinity));
  if (first.dist[t] === Infinity) return null;
  for (let v = t; v !== s; v = ag.from[first.pred[v]]) flow[first.pred[v]] = 1;
  const d = first.dist;
  // Reduced costs w + d(u) - d(v) >= 0 on unused arcs; reversed used arcs lie on the tree path, reduced cost 0.
  // Rounding can leave -1e-12 where 0 is meant: clamp, which changes no comparison that matters.
  const second = dijkstraArcs(n, out, s, head, (r) => {
    if (r < m) {
      if (flow[r] === 1 || d[ag.from[r]] === Infinity) return Infinity;
      return Math.max(0, ag.weight[r] + d[ag.from[r]] - d[ag.to[r]]);
    }
    const a = r - m;
    return flow[a] === 1 ? 0 : Infinity;
  });
  if (second.dist[t] === Infinity) return null;
  for (let v = t; v !== s; ) {
    const r = second.pred[v];
    if (r < m) {
      flow[r] = 1;
      v = ag.from[r];
    } else {
      flow[r - m] = 0;
      v = ag.to[r - m];
    }
  }
  // Both directions of one span carrying flow is a zero-or-positive-cost cycle through it: drop both.
  for (let a = 0; a < m; a++) {
    const b = ag.twin[a];
    if (b >= 0 && flow[a] === 1 && flow[b] === 1) {
      flow[a] = 0;
      flow[b] = 0;
    }
  }
  const outFlow: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < m; a++) if (flow[a] === 1) outFlow[ag.from[a]].push(a);
  const p1 = walk(ag, outFlow, s, t);
  const p2 = walk(ag, outFlow, s, t);
  if (!p1 || !p2) throw new Error('internal: flow of value 2 did not decompose into two paths');
  return [p1, p2];
}

/** Follow unused flow arcs from s to t, consuming them, and cut out any loop on the way. */
function walk(ag: ArcGraph, outFlow: number[][], s: number, t: number): number[] | null {
  const arcs: number[] = [];
  const nodes = [s];
  const posOf = new Map<number, number>([[s, 0]]);
  let v = s;
  while (v !== t) {
    const a = outFlow[v].pop();
    if (a === undefined) return null;
    const w = ag.to[a];
    const seenAt = posOf.get(w);
    if (seenAt !== undefined) {
      // A cycle back to w: drop it (its arcs are consumed, which keeps the other path disjoint).
      for (let i = nodes.length - 1; i > seenAt; i--) posOf.delete(nodes[i]);
      nodes.length = seenAt + 1;
      arcs.length = seenAt;
    } else {
      arcs.push(a);
      nodes.push(w);
      posOf.set(w, nodes.length - 1);
    }
    v = w;
  }
  return arcs;
}
