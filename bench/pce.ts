/**
 * Path computation engine benchmark: per-query median and p99 on Kdl, Cogentco and a generated 10,000-site
 * network, against graphology + graphology-shortest-path on the same queries. Prints figures; asserts nothing.
 * Run: npm run bench:pce
 */
import { UndirectedGraph } from 'graphology';
import { bidirectional, singleSource } from 'graphology-shortest-path/dijkstra.js';
import { sharedData } from '../test/support/shared.js';
import { readGml } from '../test/engine/support/gml.js';
import { geometricNetwork, rng } from './support/gen.js';
import type { Graph, GraphSite, GraphSpan } from '../src/engine/graph.js';
import { buildGraph } from '../src/engine/graph.js';
import { kShortestPaths, shortestPath } from '../src/engine/paths.js';
import { distancesFrom } from '../src/engine/allpairs.js';
import { diversePair } from '../src/engine/diverse.js';
import { SpectrumGrid, findSlotRange } from '../src/engine/spectrum.js';
import { assignSpectrum } from '../src/engine/rsa.js';

type Stats = { median: number; p99: number; n: number };

function stats(samplesMs: number[]): Stats {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))], n: s.length };
}

function time(pairs: [number, number][], f: (s: number, t: number) => void): Stats {
  for (const [s, t] of pairs.slice(0, Math.min(20, pairs.length))) f(s, t); // warm-up
  const out: number[] = [];
  for (const [s, t] of pairs) {
    const t0 = performance.now();
    f(s, t);
    out.push(performance.now() - t0);
  }
  return stats(out);
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

function row(name: string, ours: Stats, peer: Stats | null): void {
  const ratio = peer ? `${(peer.median / ours.median).toFixed(1)}x` : 'n/a';
  const peerText = peer ? `${fmt(peer.median).padStart(10)} ${fmt(peer.p99).padStart(10)}` : `${'—'.padStart(10)} ${'—'.padStart(10)}`;
  console.log(`  ${name.padEnd(24)} ${fmt(ours.median).padStart(10)} ${fmt(ours.p99).padStart(10)}   ${peerText}   ${ratio.padStart(7)}   (n=${ours.n})`);
}

/** graphology twin of the network: parallel spans collapse to the lightest, which keeps every shortest path. */
function toGraphology(sites: GraphSite[], spans: GraphSpan[]): UndirectedGraph {
  const gg = new UndirectedGraph();
  for (const s of sites) gg.addNode(s.id);
  for (const e of spans) {
    const k = gg.edge(e.aSiteId, e.zSiteId);
    if (k === undefined) gg.addEdgeWithKey(e.id, e.aSiteId, e.zSiteId, { w: e.latencyUs });
    else if (gg.getEdgeAttribute(k, 'w') > e.latencyUs) gg.setEdgeAttribute(k, 'w', e.latencyUs);
  }
  return gg;
}

/** Naive Yen over graphology's bidirectional Dijkstra: removed edges/nodes get infinite weight. */
function yenGraphology(gg: UndirectedGraph, s: string, t: string, k: number): string[][] {
  const removedEdges = new Set<string>();
  const removedNodes = new Set<string>();
  const weight = (e: string, attr: Record<string, unknown>): number => {
    if (removedEdges.has(e)) return Infinity;
    const [a, b] = gg.extremities(e);
    if (removedNodes.has(a) || removedNodes.has(b)) return Infinity;
    return attr.w as number;
  };
  const cost = (p: string[]): number => {
    let c = 0;
    for (let i = 0; i + 1 < p.length; i++) c += weight(gg.edge(p[i], p[i + 1]) as string, gg.getEdgeAttributes(gg.edge(p[i], p[i + 1]) as string));
    return c;
  };
  const first = bidirectional(gg, s, t, weight);
  if (!first) return [];
  const A: string[][] = [first];
  const B: { p: string[]; c: number }[] = [];
  const keys = new Set([first.join('|')]);
  while (A.length < k) {
    const last = A[A.length - 1];
    for (let i = 0; i + 1 < last.length; i++) {
      const root = last.slice(0, i + 1);
      removedEdges.clear();
      removedNodes.clear();
      for (const p of A) if (p.length > i + 1 && p.slice(0, i + 1).join('|') === root.join('|')) removedEdges.add(gg.edge(p[i], p[i + 1]) as string);
      for (const v of root.slice(0, -1)) removedNodes.add(v);
      const spur = bidirectional(gg, last[i], t, weight);
      if (!spur) continue;
      const c0 = cost(spur);
      if (c0 === Infinity) continue;
      const full = root.slice(0, -1).concat(spur);
      const key = full.join('|');
      if (keys.has(key)) continue;
      keys.add(key);
      removedEdges.clear();
      removedNodes.clear();
      B.push({ p: full, c: cost(full) });
    }
    if (B.length === 0) break;
    B.sort((a, b) => a.c - b.c);
    A.push((B.shift() as { p: string[] }).p);
  }
  return A;
}

function benchNetwork(label: string, sites: GraphSite[], spans: GraphSpan[], opts: { pairs: number; oneToAll: number; yen: number; yenPeer: number; diverse: number }): void {
  const g: Graph = buildGraph(sites, spans);
  const gg = toGraphology(sites, spans);
  const rand = rng(12345);
  const n = g.nodeCount;
  // Only pairs in the same component: unreachable pairs would make both sides look fast.
  const d0 = distancesFrom(g, 0);
  let root = 0;
  let reach = 0;
  for (let v = 0; v < n; v++) if (d0[v] < Infinity) reach++;
  if (reach < n / 2) root = Math.floor(rand() * n);
  const comp = distancesFrom(g, root);
  const inComp = Array.from({ length: n }, (_, i) => i).filter((v) => comp[v] < Infinity);
  const pick = (): number => inComp[Math.floor(rand() * inComp.length)];
  const pairs: [number, number][] = [];
  while (pairs.length < opts.pairs) {
    const s = pick();
    const t = pick();
    if (s !== t) pairs.push([s, t]);
  }
  console.log(`\n${label}: ${n} sites, ${g.spanCount} spans (${inComp.length} in the benchmarked component)`);
  console.log(`  ${'query'.padEnd(24)} ${'median'.padStart(10)} ${'p99'.padStart(10)}   ${'peer med'.padStart(10)} ${'peer p99'.padStart(10)}   ${'speedup'.padStart(7)}`);

  let mismatches = 0;
  for (const [s, t] of pairs.slice(0, 200)) {
    const r = shortestPath(g, s, t);
    const p = bidirectional(gg, g.nodeIds[s], g.nodeIds[t], 'w');
    let c = 0;
    for (let i = 0; p && i + 1 < p.length; i++) c += gg.getEdgeAttribute(gg.edge(p[i], p[i + 1]) as string, 'w') as number;
    if (r.status !== 'found' || Math.abs(r.path.latencyUs - c) > 1e-6 * c) mismatches++;
  }
  console.log(`  (cross-check: ${mismatches} of 200 shortest-path costs differ from graphology)`);

  const sp = time(pairs, (s, t) => shortestPath(g, s, t));
  const spPeer = time(pairs, (s, t) => bidirectional(gg, g.nodeIds[s], g.nodeIds[t], 'w'));
  row('shortest path (1 pair)', sp, spPeer);
  const oa = pairs.slice(0, opts.oneToAll);
  row('one-to-all', time(oa, (s) => distancesFrom(g, s)), time(oa, (s) => singleSource(gg, g.nodeIds[s], 'w')));
  const ky = pairs.slice(0, opts.yen);
  const yen = time(ky, (s, t) => kShortestPaths(g, s, t, 10));
  const yenPeer = opts.yenPeer > 0 ? time(pairs.slice(0, opts.yenPeer), (s, t) => yenGraphology(gg, g.nodeIds[s], g.nodeIds[t], 10)) : null;
  row('Yen k=10', yen, yenPeer);
  const dv = pairs.slice(0, opts.diverse);
  row('diverse pair (link)', time(dv, (s, t) => diversePair(g, s, t, {}, { disjointness: 'link' })), null);
  row('diverse pair (node)', time(dv, (s, t) => diversePair(g, s, t, {}, { disjointness: 'node' })), null);

  // Spectrum: 384-slot grid about half full with random 2..12-slot channels, 400G requests on 3 candidates.
  const grid = new SpectrumGrid(g.spanCount, 384);
  for (let e = 0; e < g.spanCount; e++) {
    for (let tries = 0; tries < 40; tries++) {
      const w = 2 + Math.floor(rand() * 11);
      const st = Math.floor(rand() * (384 - w));
      if (grid.isFree(e, st, w)) grid.occupy(e, st, w);
    }
  }
  const cands = dv.map(([s, t]) => kShortestPaths(g, s, t, 3).paths);
  const idx = dv.map((_, i) => [i, 0] as [number, number]);
  row('RSA 400G, k=3, first-fit', time(idx, (i) => assignSpectrum(g, grid, cands[i], { lineRateGbps: 400, policy: 'first-fit' })), null);
  row('RSA 400G, k=3, best-fit', time(idx, (i) => assignSpectrum(g, grid, cands[i], { lineRateGbps: 400, policy: 'best-fit', selection: 'least-loaded' })), null);
}

function benchFindSlotRange(): void {
  // NSFNET-sized: 22 spans x 64 slots, 30 % load, 4-span paths, widths 1..8.
  const rand = rng(7);
  const grid = new SpectrumGrid(22, 64);
  for (let e = 0; e < 22; e++) for (let i = 0; i < 64; i++) if (rand() < 0.3) grid.occupy(e, i, 1);
  const paths = Array.from({ length: 1024 }, () => Int32Array.from({ length: 4 }, () => Math.floor(rand() * 22)));
  const widths = Array.from({ length: 1024 }, () => 1 + Math.floor(rand() * 8));
  console.log('\nfindSlotRange on 64-slot NSFNET-sized grid, 4-span paths, 30 % random load:');
  for (const policy of ['first-fit', 'last-fit', 'best-fit'] as const) {
    let sink = 0;
    const calls = 2_000_000;
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) sink += findSlotRange(grid, paths[i & 1023], 4, widths[i & 1023], policy);
    const ms = performance.now() - t0;
    console.log(`  ${policy.padEnd(10)} ${((calls / ms) * 1000 / 1e6).toFixed(1)} M calls/s (checksum ${sink})`);
  }
}

function main(): void {
  console.log('Lightpath PCE benchmark (ours vs graphology 0.26 + graphology-shortest-path; times per query)');
  for (const name of ['Kdl', 'Cogentco']) {
    const { sites, spans } = readGml(sharedData('topologyzoo', `${name}.gml`));
    benchNetwork(name, sites, spans, { pairs: 2000, oneToAll: 300, yen: 300, yenPeer: 20, diverse: 300 });
  }
  // The naive graphology Yen takes tens of seconds per query at 10k sites: one sample only.
  const gen = geometricNetwork(10_000, 2.7, 42);
  benchNetwork('Generated 10k (geometric, avg degree ~2.7)', gen.sites, gen.spans, { pairs: 500, oneToAll: 50, yen: 100, yenPeer: 1, diverse: 100 });
  benchFindSlotRange();
}

main();
