/**
 * Enumeration of simple paths in nondecreasing metric order: Yen's algorithm with Lawler's deviation-index
 * saving and A*-guided spur searches. The heuristic is the exact distance-to-destination tree of the
 * unrestricted (constraint-masked) graph: Yen only removes spans and nodes, which can only lengthen
 * distances, so it stays admissible and the spur searches settle few nodes.
 */
import type { CompiledConstraints } from './constraints.js';
import { metricWeights } from './constraints.js';
import type { Dijkstra } from './dijkstra.js';
import { workspaceFor } from './dijkstra.js';
import type { Graph, Path } from './graph.js';
import { makePath } from './graph.js';

/** A path with its value in the enumeration's metric. */
export interface RankedPath extends Path {
  metricValue: number;
}

interface Candidate {
  nodes: number[];
  spans: number[];
  metricValue: number;
  /** Index of the first spur node that can yield paths not yet generated (Lawler). */
  dev: number;
  seq: number;
}

function before(a: Candidate, b: Candidate): boolean {
  if (a.metricValue !== b.metricValue) return a.metricValue < b.metricValue;
  if (a.spans.length !== b.spans.length) return a.spans.length < b.spans.length;
  return a.seq < b.seq;
}

/** Minimal binary heap of candidates ordered by (metric, hops, creation order). */
class CandidateHeap {
  private readonly items: Candidate[] = [];
  get size(): number {
    return this.items.length;
  }
  push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Candidate | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as Candidate;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Distances to dst from every node under weights w on the masked graph (Infinity = unreachable). */
export function distanceToTree(ws: Dijkstra, dst: number, w: Float64Array, cc: CompiledConstraints): Float64Array {
  ws.clearBlocks();
  ws.run(dst, -1, w, cc.spanOk, cc.nodeOk);
  const n = ws.g.nodeCount;
  const h = new Float64Array(n);
  for (let v = 0; v < n; v++) h[v] = ws.distanceTo(v);
  return h;
}

/**
 * Lazily yields the simple src->dst paths of the masked graph (spanOk/nodeOk of cc) in nondecreasing
 * cc.metric order. Resource bounds (maxLatencyUs, maxHops) prune spur nodes whose root already cannot
 * be completed within them, so enumeration skips paths that would violate them, but callers still filter.
 */
export class PathEnumerator {
  private readonly g: Graph;
  private readonly src: number;
  private readonly dst: number;
  private readonly cc: CompiledConstraints;
  private readonly w: Float64Array;
  private readonly ws: Dijkstra;
  private readonly h: Float64Array | null;
  private readonly latLb: Float64Array | null;
  private readonly hopLb: Float64Array | null;
  private readonly accepted: Candidate[] = [];
  private readonly heap = new CandidateHeap();
  private readonly keys = new Set<string>();
  private seq = 0;
  private started = false;
  /** Paths returned so far. */
  produced = 0;

  /** slot selects the shared workspace; nested users must pass distinct slots. */
  constructor(g: Graph, src: number, dst: number, cc: CompiledConstraints, slot = 1) {
    this.g = g;
    this.src = src;
    this.dst = dst;
    this.cc = cc;
    this.w = cc.weights;
    this.ws = workspaceFor(g, slot);
    const usable = cc.nodeOk[src] === 1 && cc.nodeOk[dst] === 1 && src !== dst;
    this.h = usable ? distanceToTree(this.ws, dst, this.w, cc) : null;
    this.latLb = null;
    this.hopLb = null;
    if (this.h && cc.maxLatencyUs < Infinity) {
      this.latLb = cc.metric === 'latency' ? this.h : distanceToTree(this.ws, dst, metricWeights(g, 'latency'), cc);
    }
    if (this.h && cc.maxHops < Infinity) {
      this.hopLb = cc.metric === 'hops' ? this.h : distanceToTree(this.ws, dst, metricWeights(g, 'hops'), cc);
    }
  }

  /** The next path in order, or null when every simple path has been produced. */
  next(): RankedPath | null {
    if (!this.h) return null;
    if (!this.started) {
      this.started = true;
      if (this.h[this.src] === Infinity) return null;
      this.ws.clearBlocks();
      const d = this.ws.run(this.src, this.dst, this.w, this.cc.spanOk, this.cc.nodeOk, this.h);
      if (d === Infinity) return null;
      const p = this.ws.pathTo(this.dst);
      this.pushCandidate(p.nodes, p.spans, 0);
    } else {
      this.spurFrom(this.accepted[this.accepted.length - 1]);
    }
    const c = this.heap.pop();
    if (!c) return null;
    this.accepted.push(c);
    this.produced++;
    return { ...makePath(this.g, c.nodes, c.spans), metricValue: c.metricValue };
  }

  private pushCandidate(nodes: number[], spans: number[], dev: number): void {
    const key = spans.join(',');
    if (this.keys.has(key)) return;
    this.keys.add(key);
    let m = 0;
    for (const e of spans) m += this.w[e];
    this.heap.push({ nodes, spans, metricValue: m, dev, seq: this.seq++ });
  }

  private spurFrom(p: Candidate): void {
    const { g, ws, cc } = this;
    const hops = p.spans.length;
    let rootLat = 0;
    for (let i = 0; i < p.dev; i++) rootLat += g.latencyUs[p.spans[i]];
    for (let i = p.dev; i < hops; i++) {
      if (i > p.dev) rootLat += g.latencyUs[p.spans[i - 1]];
      const spur = p.nodes[i];
      // No completion of this root can meet the bounds, and every path derived from it extends the root.
      if (this.latLb && rootLat + this.latLb[spur] > cc.maxLatencyUs) continue;
      if (this.hopLb && i + this.hopLb[spur] > cc.maxHops) continue;
      ws.clearBlocks();
      for (let j = 0; j < i; j++) ws.blockNode(p.nodes[j]);
      for (const q of this.accepted) {
        if (q.spans.length <= i) continue;
        let same = true;
        for (let j = 0; j < i; j++) {
          if (q.spans[j] !== p.spans[j]) {
            same = false;
            break;
          }
        }
        if (same) ws.blockSpan(q.spans[i]);
      }
      const d = ws.run(spur, this.dst, this.w, cc.spanOk, cc.nodeOk, this.h);
      if (d === Infinity) continue;
      const tail = ws.pathTo(this.dst);
      this.pushCandidate(p.nodes.slice(0, i).concat(tail.nodes), p.spans.slice(0, i).concat(tail.spans), i);
    }
  }
}
