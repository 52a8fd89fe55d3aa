/**
 * Diverse (disjoint) path pairs with the minimum total metric.
 *
 * - link: no common span. Exact (Suurballe on the bidirected graph).
 * - node: no common site other than the two ends (so also no common span). Exact (Suurballe on split nodes).
 * - srlg: no common span and no common SRLG. NP-hard in general. Exact in polynomial time when every usable
 *   span is in at most one SRLG and each SRLG's usable spans share an end site (a "star": parallel spans,
 *   spans fanning out of a building or conduit entry): an SRLG becomes one unit-capacity gate the pair can
 *   cross only once. Otherwise an exhaustive search over the first path in metric order, pairing each with
 *   the shortest path that avoids its spans and SRLGs, and stopping once no better pair can exist; exact
 *   when it finishes, and when capped it says what it has (a verified pair, exact: false) or that it gave up.
 * Every returned pair is checked against its promise before it is returned.
 */
import type { CompiledConstraints, PathConstraints, Ref } from './constraints.js';
import { compileConstraints, resolveNode, withTransit } from './constraints.js';
import { workspaceFor } from './dijkstra.js';
import type { Graph, Path } from './graph.js';
import { makePath, otherEnd } from './graph.js';
import { PathEnumerator } from './ksp.js';
import { kShortestPaths, metricOf } from './paths.js';
import type { ArcGraph } from './twoflow.js';
import { addArc, addUndirected, minCostTwoPaths, newArcGraph } from './twoflow.js';

/** Which resources the two paths must not share. */
export type Disjointness = 'link' | 'node' | 'srlg';

/** found (exact = proven minimum total), none (proven: no such pair exists), or gave-up (search capped). */
export type DiverseResult =
  | { status: 'found'; exact: boolean; paths: [Path, Path]; totalMetric: number }
  | { status: 'none' }
  | { status: 'gave-up'; examined: number; reason: string };

/** Options of diversePair. */
export interface DiverseOptions {
  disjointness?: Disjointness;
  /** Cap on first paths tried by the SRLG search when the exact construction does not apply (default 2000). */
  maxExamined?: number;
}

/** True when the paths share no span. */
export function spanDisjoint(p: Path, q: Path): boolean {
  const s = new Set(p.spans);
  return q.spans.every((e) => !s.has(e));
}

/** True when the paths share no site other than their first and last. */
export function nodeDisjoint(p: Path, q: Path): boolean {
  const s = new Set(p.nodes.slice(1, -1));
  return q.nodes.slice(1, -1).every((v) => !s.has(v)) && spanDisjoint(p, q);
}

/** SRLG indices of the spans of a path. */
export function pathSrlgs(g: Graph, p: Path): Set<number> {
  const out = new Set<number>();
  for (const e of p.spans) for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) out.add(g.spanSrlg[j]);
  return out;
}

/** True when the paths share no span and no SRLG. */
export function srlgDisjoint(g: Graph, p: Path, q: Path): boolean {
  if (!spanDisjoint(p, q)) return false;
  const a = pathSrlgs(g, p);
  for (const x of pathSrlgs(g, q)) if (a.has(x)) return false;
  return true;
}

/** True when the pair keeps the promise of the given disjointness. */
export function isDisjoint(g: Graph, p: Path, q: Path, d: Disjointness): boolean {
  return d === 'link' ? spanDisjoint(p, q) : d === 'node' ? nodeDisjoint(p, q) : srlgDisjoint(g, p, q);
}

function usable(g: Graph, cc: CompiledConstraints, e: number): boolean {
  return cc.spanOk[e] === 1 && cc.nodeOk[g.spanA[e]] === 1 && cc.nodeOk[g.spanZ[e]] === 1;
}

/** Turn a decoded span sequence from s into a simple Path (cutting loops the constructions may allow). */
function spansToPath(g: Graph, s: number, spans: number[]): Path {
  const nodes = [s];
  const kept: number[] = [];
  const pos = new Map<number, number>([[s, 0]]);
  let v = s;
  for (const e of spans) {
    const w = otherEnd(g, e, v);
    const at = pos.get(w);
    if (at !== undefined) {
      for (let i = nodes.length - 1; i > at; i--) pos.delete(nodes[i]);
      nodes.length = at + 1;
      kept.length = at;
    } else {
      nodes.push(w);
      kept.push(e);
      pos.set(w, nodes.length - 1);
    }
    v = w;
  }
  return makePath(g, nodes, kept);
}

function decode(g: Graph, ag: ArcGraph, s: number, arcs: number[]): Path {
  return spansToPath(
    g,
    s,
    arcs.map((a) => ag.span[a]).filter((e) => e >= 0),
  );
}

function linkGraph(g: Graph, cc: CompiledConstraints): ArcGraph {
  const ag = newArcGraph(g.nodeCount);
  for (let e = 0; e < g.spanCount; e++) if (usable(g, cc, e)) addUndirected(ag, g.spanA[e], g.spanZ[e], cc.weights[e], e);
  return ag;
}

/** Node v splits into in = v and out = n + v joined by a unit arc; spans run out -> in. */
function nodeGraph(g: Graph, cc: CompiledConstraints, s: number, t: number): ArcGraph {
  const n = g.nodeCount;
  const ag = newArcGraph(2 * n);
  for (let v = 0; v < n; v++) if (v !== s && v !== t && cc.nodeOk[v] === 1) addArc(ag, v, n + v, 0, -1);
  for (let e = 0; e < g.spanCount; e++) {
    if (!usable(g, cc, e)) continue;
    const a = g.spanA[e];
    const z = g.spanZ[e];
    const x = addArc(ag, n + a, z, cc.weights[e], e);
    const y = addArc(ag, n + z, a, cc.weights[e], e);
    ag.twin[x] = y;
    ag.twin[y] = x;
  }
  return ag;
}

/**
 * The star construction, or null when some usable span is in two SRLGs or some SRLG's usable spans share
 * no end site. SRLG k with centre c gets a gate gin -> gout (unit capacity); c -> gin and gout -> c are free;
 * member span (c, x) becomes x -> gin (its weight) and gout -> x (its weight). A simple path uses at most two
 * spans of a star, consecutively through c, so it crosses the gate at most once; the gate lets only one of
 * the two paths use the SRLG at all.
 */
function starGraph(g: Graph, cc: CompiledConstraints): ArcGraph | null {
  const members: number[][] = g.srlgIds.map(() => []);
  for (let e = 0; e < g.spanCount; e++) {
    if (!usable(g, cc, e)) continue;
    const count = g.spanSrlgStart[e + 1] - g.spanSrlgStart[e];
    if (count > 1) return null;
    if (count === 1) members[g.spanSrlg[g.spanSrlgStart[e]]].push(e);
  }
  const centre: number[] = [];
  for (const spans of members) {
    if (spans.length === 0) {
      centre.push(-1);
      continue;
    }
    let cands = [g.spanA[spans[0]], g.spanZ[spans[0]]];
    for (const e of spans) cands = cands.filter((c) => c === g.spanA[e] || c === g.spanZ[e]);
    if (cands.length === 0) return null;
    centre.push(cands[0]);
  }
  const n = g.nodeCount;
  const ag = newArcGraph(n + 2 * members.length);
  members.forEach((spans, k) => {
    if (spans.length === 0) return;
    const c = centre[k];
    const gin = n + 2 * k;
    const gout = gin + 1;
    addArc(ag, gin, gout, 0, -1);
    addArc(ag, c, gin, 0, -1);
    addArc(ag, gout, c, 0, -1);
    for (const e of spans) {
      const x = otherEnd(g, e, c);
      addArc(ag, x, gin, cc.weights[e], e);
      addArc(ag, gout, x, cc.weights[e], e);
    }
  });
  for (let e = 0; e < g.spanCount; e++) {
    if (usable(g, cc, e) && g.spanSrlgStart[e + 1] === g.spanSrlgStart[e]) addUndirected(ag, g.spanA[e], g.spanZ[e], cc.weights[e], e);
  }
  return ag;
}

function ordered(cc: CompiledConstraints, p: Path, q: Path, exact: boolean): DiverseResult {
  const mp = metricOf(cc, p.spans);
  const mq = metricOf(cc, q.spans);
  return { status: 'found', exact, paths: mp <= mq ? [p, q] : [q, p], totalMetric: mp + mq };
}

/**
 * Minimum-total-metric pair of disjoint src->dst paths (default: SRLG-disjoint, metric latency). Only the
 * masks of the constraints (avoid*, failedSpans, freeSlots, spanFilter) and the metric apply; bounds and
 * waypoints are not supported here and are rejected.
 */
export function diversePair(g: Graph, src: Ref, dst: Ref, constraints: PathConstraints = {}, options: DiverseOptions = {}): DiverseResult {
  if (constraints.maxLatencyUs !== undefined || constraints.maxHops !== undefined || (constraints.waypoints?.length ?? 0) > 0) {
    throw new RangeError('diversePair supports the metric and avoid/failed/capacity masks, not maxLatencyUs, maxHops or waypoints');
  }
  const d = options.disjointness ?? 'srlg';
  const s = resolveNode(g, src);
  const t = resolveNode(g, dst);
  if (s === t) throw new RangeError('diversePair needs two different sites');
  const cc = withTransit(g, compileConstraints(g, constraints), s, t);
  if (cc.nodeOk[s] === 0 || cc.nodeOk[t] === 0) return { status: 'none' };

  if (d === 'link' || d === 'node') {
    const ag = d === 'link' ? linkGraph(g, cc) : nodeGraph(g, cc, s, t);
    const r = minCostTwoPaths(ag, d === 'link' ? s : g.nodeCount + s, t);
    if (!r) return { status: 'none' };
    const p = decode(g, ag, s, r[0]);
    const q = decode(g, ag, s, r[1]);
    if (!isDisjoint(g, p, q, d)) throw new Error(`internal: ${d}-disjoint construction returned overlapping paths`);
    return ordered(cc, p, q, true);
  }

  const star = starGraph(g, cc);
  if (star) {
    const r = minCostTwoPaths(star, s, t);
    if (!r) return { status: 'none' };
    const p = decode(g, star, s, r[0]);
    const q = decode(g, star, s, r[1]);
    if (!srlgDisjoint(g, p, q)) throw new Error('internal: SRLG star construction returned overlapping paths');
    return ordered(cc, p, q, true);
  }
  return srlgSearch(g, s, t, cc, options.maxExamined ?? 2000);
}

/**
 * Exhaustive SRLG-disjoint search: for each first path P in nondecreasing metric order, the best partner is
 * the shortest path avoiding P's spans and every span sharing an SRLG with P. The best pair's cheaper path
 * comes up at some point, so once 2 * metric(P) >= best, nothing better remains.
 */
function srlgSearch(g: Graph, s: number, t: number, cc: CompiledConstraints, maxExamined: number): DiverseResult {
  // No link-disjoint pair means no SRLG-disjoint pair either, and it is cheap to know.
  if (!minCostTwoPaths(linkGraph(g, cc), s, t)) return { status: 'none' };
  const srlgSpans: number[][] = g.srlgIds.map(() => []);
  for (let e = 0; e < g.spanCount; e++) for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) srlgSpans[g.spanSrlg[j]].push(e);
  const en = new PathEnumerator(g, s, t, cc, 1);
  const ws = workspaceFor(g, 2);
  let best: [Path, Path] | null = null;
  let bestMetric = Infinity;
  for (;;) {
    const p = en.next();
    if (!p || 2 * p.metricValue >= bestMetric) break;
    // Capped only with an unexamined first path that could still improve: otherwise the search is complete.
    if (en.produced > maxExamined) {
      if (best) return ordered(cc, best[0], best[1], false);
      return {
        status: 'gave-up',
        examined: maxExamined,
        reason: `a link-disjoint pair exists, but none of the ${maxExamined} shortest first paths has an SRLG-disjoint partner and more first paths remain; no proof either way`,
      };
    }
    ws.clearBlocks();
    for (const e of p.spans) {
      ws.blockSpan(e);
      for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) for (const f of srlgSpans[g.spanSrlg[j]]) ws.blockSpan(f);
    }
    const dq = ws.run(s, t, cc.weights, cc.spanOk, cc.nodeOk);
    if (dq < Infinity) {
      const r = ws.pathTo(t);
      const q = makePath(g, r.nodes, r.spans);
      const total = p.metricValue + metricOf(cc, q.spans);
      if (total < bestMetric && srlgDisjoint(g, p, q)) {
        bestMetric = total;
        best = [makePath(g, p.nodes, p.spans), q];
      }
    }
  }
  return best ? ordered(cc, best[0], best[1], true) : { status: 'none' };
}

/**
 * What the two legs of a protected pair must not share: `node-srlg` (the default for 1+1) = no span,
 * no SRLG and no site other than the two ends; `srlg` = no span and no SRLG; `node` = no span and no
 * intermediate site; `link` = no span.
 */
export type PairDisjointness = 'node-srlg' | 'srlg' | 'node' | 'link';

/** True when the pair keeps the promise of the given pair disjointness. */
export function pairDisjoint(g: Graph, p: Path, q: Path, d: PairDisjointness): boolean {
  if (d === 'node-srlg') return nodeDisjoint(p, q) && srlgDisjoint(g, p, q);
  return isDisjoint(g, p, q, d);
}

/** Options of diversePairs. */
export interface PairSearch {
  disjointness?: PairDisjointness;
  /** Pairs wanted (default 4). */
  maxPairs?: number;
  /** Partners tried per first path (default 2). */
  partnersPerPath?: number;
  /** First paths examined at most (default 200). */
  maxExamined?: number;
  /** Both legs within this latency (1+1 may carry traffic on either). */
  maxLatencyUs?: number;
}

/** Disjoint pairs, least total metric first. */
export interface PairsResult {
  pairs: { paths: [Path, Path]; totalMetric: number }[];
  /** True when the first pair is proven the least total (the search was not capped before it could be). */
  exact: boolean;
}

/**
 * Disjoint pairs of src->dst paths in nondecreasing total metric, for 1+1 that must look beyond the
 * first pair when spectrum, GSNR or latency rules it out. For each first path P in metric order (Yen),
 * its best partners are the shortest paths avoiding P's spans, (srlg) every span sharing an SRLG with
 * P, and (node) P's intermediate sites. A pair's cheaper leg comes up as a first path, so once twice
 * the next first path's metric reaches the total of the best pair found, that pair is the optimum;
 * the search goes on until maxPairs pairs are ordered that way or the cap is hit. Later pairs are
 * each first path's best partners (a pair using a first path's third-best partner can be missed).
 * Every pair is checked against its promise. Masks and metric of the constraints apply; bounds other
 * than maxLatencyUs (both legs) are not supported.
 */
export function diversePairs(g: Graph, src: Ref, dst: Ref, constraints: PathConstraints = {}, search: PairSearch = {}): PairsResult {
  const d = search.disjointness ?? 'node-srlg';
  const maxPairs = search.maxPairs ?? 4;
  const partners = search.partnersPerPath ?? 2;
  const maxExamined = search.maxExamined ?? 200;
  const bound = search.maxLatencyUs ?? constraints.maxLatencyUs;
  const s = resolveNode(g, src);
  const t = resolveNode(g, dst);
  if (s === t) throw new RangeError('diversePairs needs two different sites');
  const base: PathConstraints = { ...constraints, ...(bound !== undefined ? { maxLatencyUs: bound } : {}) };
  const cc = compileConstraints(g, base);
  if (cc.nodeOk[s] === 0 || cc.nodeOk[t] === 0) return { pairs: [], exact: true };
  const srlgSpans: number[][] = g.srlgIds.map(() => []);
  for (let e = 0; e < g.spanCount; e++) for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) srlgSpans[g.spanSrlg[j]].push(e);
  const useSrlg = d === 'node-srlg' || d === 'srlg';
  const useNode = d === 'node-srlg' || d === 'node';
  const found = new Map<string, { paths: [Path, Path]; totalMetric: number }>();
  const sorted = (): { paths: [Path, Path]; totalMetric: number }[] => [...found.values()].sort((a, b) => a.totalMetric - b.totalMetric);
  const en = new PathEnumerator(g, s, t, cc, 3);
  let exact = true;
  for (;;) {
    const p = en.next();
    if (!p) break;
    const best = sorted();
    if (best.length >= maxPairs && 2 * p.metricValue >= best[maxPairs - 1].totalMetric) break;
    if (en.produced > maxExamined) {
      exact = best.length > 0 && 2 * p.metricValue >= best[0].totalMetric;
      break;
    }
    if (bound !== undefined && p.latencyUs > bound) continue;
    const avoidSpans = new Set<number>(p.spans);
    if (useSrlg) for (const e of p.spans) for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) for (const f of srlgSpans[g.spanSrlg[j]]) avoidSpans.add(f);
    const avoidSites = new Set<number>(constraints.avoidSites?.map((r) => resolveNode(g, r)) ?? []);
    if (useNode) for (const v of p.nodes.slice(1, -1)) avoidSites.add(v);
    const r = kShortestPaths(g, s, t, partners, { ...base, avoidSpans: [...(constraints.avoidSpans ?? []), ...avoidSpans], avoidSites: [...avoidSites] }).paths;
    const first = makePath(g, p.nodes, p.spans);
    for (const q of r) {
      if (!pairDisjoint(g, first, q, d)) continue;
      const key = [first.spans.join(','), q.spans.join(',')].sort().join('|');
      if (found.has(key)) continue;
      const o = ordered(cc, first, q, true) as { paths: [Path, Path]; totalMetric: number };
      found.set(key, { paths: o.paths, totalMetric: o.totalMetric });
    }
  }
  return { pairs: sorted().slice(0, maxPairs), exact };
}
