/**
 * Brute-force oracles: enumerate every simple path by depth-first search, written independently of the
 * engine (it reads only the graph's span endpoint arrays).
 */
import type { Graph } from '../../../src/engine/graph.js';
import type { Metric } from '../../../src/engine/constraints.js';

export interface BrutePath {
  nodes: number[];
  spans: number[];
}

/** Every simple s->t path using only spans for which spanOk holds and nodes for which nodeOk holds. */
export function allSimplePaths(g: Graph, s: number, t: number, spanOk: (e: number) => boolean = () => true, nodeOk: (v: number) => boolean = () => true): BrutePath[] {
  const out: BrutePath[] = [];
  if (!nodeOk(s) || !nodeOk(t)) return out;
  const onPath = new Set<number>([s]);
  const nodes = [s];
  const spans: number[] = [];
  const dfs = (v: number): void => {
    if (v === t) {
      out.push({ nodes: [...nodes], spans: [...spans] });
      return;
    }
    for (let e = 0; e < g.spanCount; e++) {
      if (!spanOk(e)) continue;
      let w = -1;
      if (g.spanA[e] === v) w = g.spanZ[e];
      else if (g.spanZ[e] === v) w = g.spanA[e];
      if (w < 0 || onPath.has(w) || !nodeOk(w)) continue;
      onPath.add(w);
      nodes.push(w);
      spans.push(e);
      dfs(w);
      onPath.delete(w);
      nodes.pop();
      spans.pop();
    }
  };
  if (s === t) return [{ nodes: [s], spans: [] }];
  dfs(s);
  return out;
}

/** Span weight under a metric, read from the graph's arrays. */
export function spanWeight(g: Graph, e: number, metric: Metric): number {
  return metric === 'latency' ? g.latencyUs[e] : metric === 'length' ? g.lengthKm[e] : metric === 'cost' ? g.cost[e] : 1;
}

/** Sum of span weights of a path. */
export function pathWeight(g: Graph, spans: readonly number[], metric: Metric): number {
  let s = 0;
  for (const e of spans) s += spanWeight(g, e, metric);
  return s;
}

/** SRLG indices of a span. */
export function srlgsOf(g: Graph, e: number): number[] {
  const out: number[] = [];
  for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) out.push(g.spanSrlg[j]);
  return out;
}

/** Throws unless p is a simple s->t path of the graph whose totals match its spans. */
export function assertValidPath(g: Graph, p: { nodes: number[]; spans: number[]; hops: number; latencyUs: number; lengthKm: number }, s: number, t: number): void {
  if (p.nodes[0] !== s || p.nodes[p.nodes.length - 1] !== t) throw new Error(`path ends ${p.nodes[0]}..${p.nodes.at(-1)} != ${s}..${t}`);
  if (p.spans.length !== p.nodes.length - 1 || p.hops !== p.spans.length) throw new Error('path length mismatch');
  if (new Set(p.nodes).size !== p.nodes.length) throw new Error(`path not simple: ${p.nodes.join(',')}`);
  let lat = 0;
  let len = 0;
  p.spans.forEach((e, i) => {
    const a = p.nodes[i];
    const b = p.nodes[i + 1];
    const ok = (g.spanA[e] === a && g.spanZ[e] === b) || (g.spanA[e] === b && g.spanZ[e] === a);
    if (!ok) throw new Error(`span ${e} does not join ${a} and ${b}`);
    lat += g.latencyUs[e];
    len += g.lengthKm[e];
  });
  if (Math.abs(lat - p.latencyUs) > 1e-9 * Math.max(1, lat) || Math.abs(len - p.lengthKm) > 1e-9 * Math.max(1, len)) throw new Error('path totals wrong');
}

/** Approximate equality for sums of the same numbers added in different orders. */
export function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
