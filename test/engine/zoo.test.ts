import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedFiles } from '../support/shared.js';
import { readGml } from './support/gml.js';
import { buildGraph } from '../../src/engine/graph.js';
import type { Graph, GraphSpan } from '../../src/engine/graph.js';
import { kShortestPaths, shortestPath } from '../../src/engine/paths.js';
import { allPairsMatrix } from '../../src/engine/allpairs.js';
import type { Disjointness } from '../../src/engine/diverse.js';
import { diversePair } from '../../src/engine/diverse.js';
import { assertValidPath, close, srlgsOf } from './support/brute.js';

/** Plain O(n^2) Dijkstra over the raw span list: the independent oracle. */
function plainDijkstra(ids: string[], spans: GraphSpan[], src: number): number[] {
  const n = ids.length;
  const index = new Map(ids.map((id, i) => [id, i]));
  const adj: [number, number][][] = ids.map(() => []);
  for (const s of spans) {
    const a = index.get(s.aSiteId) as number;
    const z = index.get(s.zSiteId) as number;
    adj[a].push([z, s.latencyUs]);
    adj[z].push([a, s.latencyUs]);
  }
  const dist = new Array<number>(n).fill(Infinity);
  const done = new Array<boolean>(n).fill(false);
  dist[src] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) if (!done[v] && dist[v] < Infinity && (u < 0 || dist[v] < dist[u])) u = v;
    if (u < 0) return dist;
    done[u] = true;
    for (const [v, w] of adj[u]) if (dist[u] + w < dist[v]) dist[v] = dist[u] + w;
  }
}

/** Connected after removing one node or one span? (BFS on the raw arrays.) */
function connected(g: Graph, s: number, t: number, skipNode: number, skipSpan: number): boolean {
  const seen = new Uint8Array(g.nodeCount);
  const stack = [s];
  seen[s] = 1;
  while (stack.length > 0) {
    const u = stack.pop() as number;
    if (u === t) return true;
    for (let e = 0; e < g.spanCount; e++) {
      if (e === skipSpan) continue;
      const v = g.spanA[e] === u ? g.spanZ[e] : g.spanZ[e] === u ? g.spanA[e] : -1;
      if (v < 0 || v === skipNode || seen[v]) continue;
      seen[v] = 1;
      stack.push(v);
    }
  }
  return false;
}

/**
 * Synthetic SRLGs. Star: every fifth site is a centre and a span joins the group of its first end that is a
 * centre (each span in at most one SRLG, each group's spans share the centre). Arbitrary: overlapping groups
 * of unrelated spans.
 */
function withSrlgs(sites: string[], spans: GraphSpan[], star: boolean): GraphSpan[] {
  const centre = new Set(sites.filter((_, i) => i % 5 === 0));
  return spans.map((s, i) => {
    if (star) {
      const c = centre.has(s.aSiteId) ? s.aSiteId : centre.has(s.zSiteId) ? s.zSiteId : null;
      return c && i % 2 === 0 ? { ...s, srlgIds: [`star-${c}`] } : s;
    }
    return { ...s, srlgIds: i % 4 === 0 ? [`r${i % 11}`] : i % 4 === 1 ? [`r${i % 7}`, `q${i % 5}`] : [] };
  });
}

test('Topology Zoo: shortest paths equal an independent Dijkstra; diverse pairs keep their promise', () => {
  const files = sharedFiles('topologyzoo', '.gml');
  assert.ok(files.length > 200, 'Topology Zoo not found');
  let pairs = 0;
  let diverse = 0;
  let yens = 0;
  files.forEach((file, fi) => {
    const { sites, spans } = readGml(file);
    if (sites.length < 2) return;
    const name = path.basename(file);
    const star = fi % 2 === 0;
    const srlgSpans = withSrlgs(sites.map((x) => x.id), spans, star);
    const g = buildGraph(sites, srlgSpans);
    const ids = sites.map((s) => s.id);
    const n = g.nodeCount;
    const apsp = n <= 800 ? allPairsMatrix(g) : null;
    const sources = [...new Set([0, n >> 1, n - 1])];
    for (const s of sources) {
      const want = plainDijkstra(ids, spans, s);
      for (let t = 0; t < n; t += Math.max(1, Math.floor(n / 40))) {
        const r = shortestPath(g, s, t);
        if (want[t] === Infinity) {
          assert.equal(r.status, 'none', `${name} ${s}->${t}`);
          continue;
        }
        assert.equal(r.status, 'found', `${name} ${s}->${t}`);
        if (r.status !== 'found') continue;
        assertValidPath(g, r.path, s, t);
        assert.ok(close(r.path.latencyUs, want[t]), `${name} ${s}->${t}: ${r.path.latencyUs} vs ${want[t]}`);
        if (apsp) assert.ok(close(apsp[s * n + t], want[t]));
        pairs++;
      }
    }
    for (let k = 0; k < 2; k++) {
      const s = (k * 7919 + 3) % n;
      const t = (k * 6007 + n - 2) % n;
      const want = plainDijkstra(ids, spans, s)[t];
      const r = kShortestPaths(g, s, t, 8);
      assert.equal(r.complete, true);
      if (want === Infinity) {
        assert.equal(r.paths.length, 0);
        continue;
      }
      assert.ok(r.paths.length > 0 && close(r.paths[0].latencyUs, want), `${name}: first of k differs from Dijkstra`);
      const keys = new Set<string>();
      r.paths.forEach((p, i) => {
        assertValidPath(g, p, s, t);
        if (i > 0) assert.ok(p.latencyUs >= r.paths[i - 1].latencyUs - 1e-9, `${name}: k-shortest out of order`);
        keys.add(p.spans.join());
      });
      assert.equal(keys.size, r.paths.length, `${name}: duplicate path`);
      yens++;
    }
    for (let k = 0; k < 4; k++) {
      const s = (k * 7919) % n;
      const t = (k * 104729 + n - 1) % n;
      if (s === t) continue;
      const totals: Partial<Record<Disjointness, number>> = {};
      for (const d of ['link', 'node', 'srlg'] as const) {
        const r = diversePair(g, s, t, {}, { disjointness: d, maxExamined: 200 });
        if (d === 'srlg' && star) assert.ok(r.status !== 'gave-up' && (r.status !== 'found' || r.exact), `${name}: star SRLGs must be exact`);
        if (r.status === 'gave-up') {
          assert.equal(d, 'srlg');
          continue;
        }
        if (r.status === 'none') {
          // Menger: no two disjoint paths iff one span (link) or one span or inner site (node) separates them.
          let cut = !connected(g, s, t, -1, -1);
          for (let e = 0; e < g.spanCount && !cut; e++) cut = !connected(g, s, t, -1, e);
          if (d === 'node') for (let v = 0; v < n && !cut; v++) if (v !== s && v !== t) cut = !connected(g, s, t, v, -1);
          if (d !== 'srlg') assert.ok(cut, `${name} ${d} none but no single cut separates ${s},${t}`);
          continue;
        }
        const [p, q] = r.paths;
        assertValidPath(g, p, s, t);
        assertValidPath(g, q, s, t);
        assert.ok(p.spans.every((e) => !q.spans.includes(e)), `${name}: shared span`);
        if (d === 'node') assert.ok(p.nodes.slice(1, -1).every((v) => !q.nodes.includes(v)), `${name}: shared site`);
        if (d === 'srlg') {
          const gp = new Set(p.spans.flatMap((e) => srlgsOf(g, e)));
          assert.ok(q.spans.every((e) => srlgsOf(g, e).every((x) => !gp.has(x))), `${name}: shared SRLG`);
        }
        totals[d] = r.totalMetric;
        diverse++;
      }
      // Stricter disjointness can only cost more (a node- or SRLG-disjoint pair is link-disjoint).
      if (totals.link !== undefined && totals.node !== undefined) assert.ok(totals.node >= totals.link - 1e-6);
      if (totals.link !== undefined && totals.srlg !== undefined) assert.ok(totals.srlg >= totals.link - 1e-6);
    }
  });
  assert.ok(pairs > 5000 && diverse > 500 && yens > 300, `pairs ${pairs}, diverse ${diverse}, yen ${yens}`);
});
