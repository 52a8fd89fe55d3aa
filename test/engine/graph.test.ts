import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildGraph, graphFromNetwork } from '../../src/engine/graph.js';
import { allPairsMatrix } from '../../src/engine/allpairs.js';
import type { Network } from '../../src/domain/network.js';
import { DEFAULT_LINE_SYSTEM, straightGeometry } from '../../src/domain/network.js';
import { arbNet, toGraph } from './support/gen.js';

test('CSR lists every span exactly once from each end; SRLG CSR matches the input', () => {
  fc.assert(
    fc.property(arbNet(8, 15, 'any'), (net) => {
      const g = toGraph(net);
      assert.equal(g.adjStart[g.nodeCount], 2 * g.spanCount);
      const seen = new Map<string, number>();
      for (let v = 0; v < g.nodeCount; v++) {
        for (let j = g.adjStart[v]; j < g.adjStart[v + 1]; j++) {
          const e = g.adjSpan[j];
          const w = g.adjNode[j];
          assert.ok((g.spanA[e] === v && g.spanZ[e] === w) || (g.spanZ[e] === v && g.spanA[e] === w));
          seen.set(`${e}:${v}`, (seen.get(`${e}:${v}`) ?? 0) + 1);
        }
      }
      net.spans.forEach((s, e) => {
        assert.equal(seen.get(`${e}:${s.a}`), 1);
        assert.equal(seen.get(`${e}:${s.z}`), 1);
        const ids = Array.from(g.spanSrlg.subarray(g.spanSrlgStart[e], g.spanSrlgStart[e + 1]), (k) => g.srlgIds[k]);
        assert.deepEqual(ids, s.srlgs.map((k) => `g${k}`));
        assert.equal(g.spanIndex(`s${e}`), e);
      });
      assert.equal(g.nodeIndex('missing'), -1);
    }),
    { seed: 1, numRuns: 300 },
  );
});

test('buildGraph rejects bad input', () => {
  const sites = [{ id: 'a', lat: 0, lon: 0 }, { id: 'b', lat: 0, lon: 1 }];
  const span = { id: 's', aSiteId: 'a', zSiteId: 'b', lengthKm: 1, latencyUs: 4.9, srlgIds: [] };
  assert.throws(() => buildGraph([...sites, sites[0]], []), /duplicate site/);
  assert.throws(() => buildGraph(sites, [span, span]), /duplicate span/);
  assert.throws(() => buildGraph(sites, [{ ...span, zSiteId: 'x' }]), /unknown site/);
  assert.throws(() => buildGraph(sites, [{ ...span, zSiteId: 'a' }]), /self-loop/);
  assert.throws(() => buildGraph(sites, [{ ...span, lengthKm: -1 }]), /lengthKm/);
});

test('graphFromNetwork takes measured latency when given, else 4.9 us/km, and slots from the line system', () => {
  const site = (id: string, lon: number) => ({ id, name: id, kind: 'pop' as const, lat: 0, lon, metro: null, cloudProvider: null, cloudRegion: null });
  const a = site('a', 0);
  const b = site('b', 1);
  const net: Network = {
    name: 't',
    sites: [a, b],
    srlgs: [],
    spans: [
      { id: 's1', aSiteId: 'a', zSiteId: 'b', lengthKm: 100, measuredLatencyUs: null, geometry: straightGeometry(a, b), srlgIds: ['x'], cables: [], lineSystem: DEFAULT_LINE_SYSTEM },
      { id: 's2', aSiteId: 'b', zSiteId: 'a', lengthKm: 100, measuredLatencyUs: 600, geometry: straightGeometry(b, a), srlgIds: [], cables: [], lineSystem: null },
    ],
  };
  const g = graphFromNetwork(net);
  assert.equal(g.latencyUs[0], 100 * 4.9);
  assert.equal(g.latencyUs[1], 600);
  assert.equal(g.slotCount[0], DEFAULT_LINE_SYSTEM.slotCount);
  assert.equal(g.slotCount[1], 0);
  assert.deepEqual(g.srlgIds, ['x']);
});

test('all-pairs matrix equals Floyd-Warshall', () => {
  fc.assert(
    fc.property(arbNet(9, 16, 'none'), (net) => {
      const g = toGraph(net);
      const n = g.nodeCount;
      const d = new Float64Array(n * n).fill(Infinity);
      for (let i = 0; i < n; i++) d[i * n + i] = 0;
      for (let e = 0; e < g.spanCount; e++) {
        const a = g.spanA[e];
        const z = g.spanZ[e];
        d[a * n + z] = Math.min(d[a * n + z], g.latencyUs[e]);
        d[z * n + a] = Math.min(d[z * n + a], g.latencyUs[e]);
      }
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = Math.min(d[i * n + j], d[i * n + k] + d[k * n + j]);
      assert.deepEqual(Array.from(allPairsMatrix(g)), Array.from(d));
    }),
    { seed: 2, numRuns: 500 },
  );
});
