/**
 * Dijkstra / A* over the compact graph with preallocated typed-array buffers. One workspace per graph is
 * reused across queries: a generation stamp replaces clearing the distance array, and a binary heap on
 * typed arrays (lazy deletion) replaces a priority queue of objects.
 */
import type { Graph } from './graph.js';

/** Reusable single-source shortest-path state for one graph. Not re-entrant. */
export class Dijkstra {
  readonly g: Graph;
  readonly dist: Float64Array;
  /** Span used to reach each node (-1 at the source); valid only where reached(v). */
  readonly predSpan: Int32Array;
  private readonly seen: Uint32Array;
  private gen = 0;
  /** Spans/nodes whose stamp equals blockGen are temporarily removed (e.g. Yen's spur searches). */
  private readonly spanBlock: Uint32Array;
  private readonly nodeBlock: Uint32Array;
  private blockGen = 1;
  private heapKey: Float64Array;
  private heapNode: Int32Array;
  private heapSize = 0;
  /** Nodes popped by the last run: a measure of the work done. */
  settledCount = 0;

  constructor(g: Graph) {
    this.g = g;
    const n = g.nodeCount;
    this.dist = new Float64Array(n);
    this.predSpan = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.spanBlock = new Uint32Array(g.spanCount);
    this.nodeBlock = new Uint32Array(n);
    // Lazy deletion pushes at most once per improvement: bounded by one per directed arc plus the source.
    const cap = 2 * g.spanCount + 1;
    this.heapKey = new Float64Array(cap);
    this.heapNode = new Int32Array(cap);
  }

  /** Forget all blocked spans and nodes. */
  clearBlocks(): void {
    this.blockGen++;
    if (this.blockGen === 0xffffffff) {
      this.spanBlock.fill(0);
      this.nodeBlock.fill(0);
      this.blockGen = 1;
    }
  }

  /** Remove span e until the next clearBlocks(). */
  blockSpan(e: number): void {
    this.spanBlock[e] = this.blockGen;
  }

  /** Remove node v until the next clearBlocks(). */
  blockNode(v: number): void {
    this.nodeBlock[v] = this.blockGen;
  }

  /** True when node v was reached by the last run. */
  reached(v: number): boolean {
    return this.seen[v] === this.gen;
  }

  /** Distance of v from the last run's source; Infinity when not reached. */
  distanceTo(v: number): number {
    return this.seen[v] === this.gen ? this.dist[v] : Infinity;
  }

  private push(v: number, key: number): void {
    if (this.heapSize === this.heapKey.length) {
      // Only reachable when float rounding makes an A* heuristic slightly inconsistent and nodes reopen.
      const k = new Float64Array(this.heapKey.length * 2);
      const n = new Int32Array(this.heapKey.length * 2);
      k.set(this.heapKey);
      n.set(this.heapNode);
      this.heapKey = k;
      this.heapNode = n;
    }
    let i = this.heapSize++;
    const hk = this.heapKey;
    const hn = this.heapNode;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hk[p] <= key) break;
      hk[i] = hk[p];
      hn[i] = hn[p];
      i = p;
    }
    hk[i] = key;
    hn[i] = v;
  }

  private pop(): number {
    const hk = this.heapKey;
    const hn = this.heapNode;
    const top = hn[0];
    const size = --this.heapSize;
    const key = hk[size];
    const node = hn[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && hk[c + 1] < hk[c]) c++;
      if (hk[c] >= key) break;
      hk[i] = hk[c];
      hn[i] = hn[c];
      i = c;
    }
    hk[i] = key;
    hn[i] = node;
    return top;
  }

  /**
   * Shortest distances from src under span weights w, stopping when dst is settled (dst < 0: settle all).
   * spanOk/nodeOk (1 = usable) and blocks restrict the graph; src is always usable as a start; a node
   * the graph marks endpoint-only (g.transit) is settled but not expanded, so paths end there but never pass.
   * h, when given, is an admissible A* heuristic (lower bound on the distance to dst; Infinity = cannot reach).
   * Returns the distance to dst (Infinity if unreachable), or 0 when dst < 0.
   * maxDist (without h) stops once every node within that distance is settled: nodes farther away may
   * then be reached with a distance that is not final, so callers read only distances <= maxDist.
   */
  run(src: number, dst: number, w: Float64Array, spanOk: Uint8Array | null, nodeOk: Uint8Array | null, h: Float64Array | null = null, maxDist = Infinity): number {
    const g = this.g;
    this.gen++;
    if (this.gen === 0xffffffff) {
      this.seen.fill(0);
      this.gen = 1;
    }
    const gen = this.gen;
    const { dist, predSpan, seen, spanBlock, nodeBlock, blockGen } = this;
    const { adjStart, adjNode, adjSpan, transit } = g;
    this.heapSize = 0;
    this.settledCount = 0;
    dist[src] = 0;
    predSpan[src] = -1;
    seen[src] = gen;
    this.push(src, h ? h[src] : 0);
    if (h && h[src] === Infinity) this.heapSize = 0;
    while (this.heapSize > 0) {
      const key = this.heapKey[0];
      const u = this.pop();
      const du = dist[u];
      // Stale entry: u was improved after this entry was pushed.
      if (key > (h ? du + h[u] : du)) continue;
      // Keys pop in nondecreasing order: everything left is farther than the bound.
      if (du > maxDist) break;
      this.settledCount++;
      if (u === dst) return du;
      // An endpoint-only site is reached but never passed through (unless the search starts there).
      if (transit[u] === 0 && u !== src) continue;
      for (let j = adjStart[u], end = adjStart[u + 1]; j < end; j++) {
        const e = adjSpan[j];
        if (spanBlock[e] === blockGen || (spanOk !== null && spanOk[e] === 0)) continue;
        const v = adjNode[j];
        if (nodeBlock[v] === blockGen || (nodeOk !== null && nodeOk[v] === 0)) continue;
        const nd = du + w[e];
        if (seen[v] !== gen || nd < dist[v]) {
          const hv = h ? h[v] : 0;
          if (hv === Infinity) continue;
          seen[v] = gen;
          dist[v] = nd;
          predSpan[v] = e;
          this.push(v, nd + hv);
        }
      }
    }
    return dst < 0 ? 0 : Infinity;
  }

  /** Node and span sequences from the last run's source to v (v must be reached). */
  pathTo(v: number): { nodes: number[]; spans: number[] } {
    const g = this.g;
    const nodes = [v];
    const spans: number[] = [];
    let cur = v;
    while (this.predSpan[cur] >= 0) {
      const e = this.predSpan[cur];
      spans.push(e);
      cur = g.spanA[e] === cur ? g.spanZ[e] : g.spanA[e];
      nodes.push(cur);
    }
    nodes.reverse();
    spans.reverse();
    return { nodes, spans };
  }
}

const workspaces = new WeakMap<Graph, Dijkstra[]>();

/**
 * A shared Dijkstra workspace of a graph (created on first use). Algorithms that nest searches use
 * different slots so the inner search does not overwrite the outer one's state.
 */
export function workspaceFor(g: Graph, slot = 0): Dijkstra {
  let list = workspaces.get(g);
  if (!list) {
    list = [];
    workspaces.set(g, list);
  }
  let ws = list[slot];
  if (!ws) {
    ws = new Dijkstra(g);
    list[slot] = ws;
  }
  return ws;
}
