import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { buildGraph, type Graph } from '../../src/engine/graph.js';
import { nxShortestSimplePaths } from '../../src/engine/sim/nx-yen.js';
import { nsfnetGraph } from './helpers.js';

test('nx-compatible Yen reproduces networkx shortest_simple_paths on NSFNET, ties included', () => {
  // Fixture generated once with networkx 3.6.1 (see its "generator" field): an independent oracle.
  const fixture = JSON.parse(fs.readFileSync('test/sim/fixtures/nsfnet-nx-ksp5.json', 'utf8')) as { paths: Record<string, number[][]> };
  const g = nsfnetGraph();
  let pairs = 0;
  for (const [key, expected] of Object.entries(fixture.paths)) {
    const [a, b] = key.split('-').map((x) => g.nodeIndex(x));
    const got = nxShortestSimplePaths(g, g.lengthKm, a, b, 5).map((p) => p.nodes.map((v) => g.nodeIds[v]).map(Number));
    assert.deepEqual(got, expected, key);
    pairs++;
  }
  assert.equal(pairs, 91);
});

/** All simple path weights from s to t by depth-first enumeration (brute force). */
function allSimplePathWeights(g: Graph, w: Float64Array, s: number, t: number): number[] {
  const out: number[] = [];
  const onPath = new Uint8Array(g.nodeCount);
  const dfs = (v: number, acc: number): void => {
    if (v === t) { out.push(acc); return; }
    onPath[v] = 1;
    for (let k = g.adjStart[v]; k < g.adjStart[v + 1]; k++) {
      const u = g.adjNode[k];
      if (!onPath[u]) dfs(u, acc + w[g.adjSpan[k]]);
    }
    onPath[v] = 0;
  };
  dfs(s, 0);
  return out.sort((a, b) => a - b);
}

test('nx-compatible Yen returns the k lightest simple paths (property, brute force oracle)', () => {
  const graphArb = fc.integer({ min: 3, max: 7 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 4 })), {
        maxLength: 14, selector: ([a, b]) => (a < b ? `${a}-${b}` : `${b}-${a}`),
      }),
      k: fc.integer({ min: 1, max: 8 }),
    }));
  fc.assert(
    fc.property(graphArb, ({ n, edges, k }) => {
      const es = edges.filter(([a, b]) => a !== b);
      const g = buildGraph(
        Array.from({ length: n }, (_, i) => ({ id: String(i), lat: 0, lon: 0 })),
        es.map(([a, b, km], i) => ({ id: `e${i}`, aSiteId: String(a), zSiteId: String(b), lengthKm: km, latencyUs: km, srlgIds: [] })),
      );
      const paths = nxShortestSimplePaths(g, g.lengthKm, 0, n - 1, k);
      const oracle = allSimplePathWeights(g, g.lengthKm, 0, n - 1).slice(0, k);
      assert.deepEqual(paths.map((p) => p.weight), oracle);
      const seen = new Set<string>();
      for (const p of paths) {
        assert.equal(new Set(p.nodes).size, p.nodes.length, 'simple');
        assert.equal(p.nodes[0], 0);
        assert.equal(p.nodes[p.nodes.length - 1], n - 1);
        p.spans.forEach((e, i) => {
          const ends = [g.spanA[e], g.spanZ[e]].sort().join();
          assert.equal(ends, [p.nodes[i], p.nodes[i + 1]].sort().join());
        });
        seen.add(p.nodes.join());
      }
      assert.equal(seen.size, paths.length, 'distinct');
    }),
    { seed: 424242, numRuns: 300 },
  );
});
