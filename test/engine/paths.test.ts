import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Metric, PathConstraints } from '../../src/engine/constraints.js';
import { kShortestPaths, shortestPath } from '../../src/engine/paths.js';
import { arbNet, toGraph } from './support/gen.js';
import type { SmallNet } from './support/gen.js';
import { allSimplePaths, assertValidPath, close, pathWeight, srlgsOf } from './support/brute.js';
import type { Graph } from '../../src/engine/graph.js';

const METRICS: Metric[] = ['latency', 'length', 'hops', 'cost'];

interface Query {
  s: number;
  t: number;
  constraints: PathConstraints;
  freeSlots: number[];
}

const arbQuery = (net: SmallNet): fc.Arbitrary<Query> =>
  fc
    .record({
      s: fc.nat(net.n - 1),
      t: fc.nat(net.n - 1),
      metric: fc.constantFrom(...METRICS),
      avoidSites: fc.array(fc.nat(net.n - 1), { maxLength: 2 }),
      avoidSpans: fc.array(fc.nat(net.spans.length - 1), { maxLength: 2 }),
      failedSpans: fc.array(fc.nat(net.spans.length - 1), { maxLength: 1 }),
      avoidSrlgs: fc.array(fc.nat(3), { maxLength: 1 }),
      maxLatencyUs: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      maxHops: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      waypoints: fc.array(fc.nat(net.n - 1), { maxLength: 2 }),
      freeSlots: fc.array(fc.nat(8), { minLength: net.spans.length, maxLength: net.spans.length }),
      minFreeSlots: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      useConstraints: fc.boolean(),
    })
    .map((r) => ({
      s: r.s,
      t: r.t,
      freeSlots: r.freeSlots,
      constraints: r.useConstraints
        ? {
            metric: r.metric,
            avoidSites: r.avoidSites.map((i) => `n${i}`),
            avoidSpans: r.avoidSpans,
            failedSpans: r.failedSpans.map((i) => `s${i}`),
            avoidSrlgs: r.avoidSrlgs.map((k) => `g${k}`),
            maxLatencyUs: r.maxLatencyUs,
            maxHops: r.maxHops,
            waypoints: r.waypoints.map((i) => `n${i}`),
            freeSlots: r.freeSlots,
            minFreeSlots: r.minFreeSlots,
          }
        : { metric: r.metric },
    }));

/** Every simple path meeting the constraints, checked independently of the engine's compiler. */
function bruteFeasible(g: Graph, q: Query): { nodes: number[]; spans: number[] }[] {
  const c = q.constraints;
  const avoidN = new Set((c.avoidSites ?? []).map((r) => g.nodeIndex(String(r))));
  const avoidE = new Set<number>([...(c.avoidSpans ?? []).map(Number), ...(c.failedSpans ?? []).map((r) => g.spanIndex(String(r)))]);
  const avoidG = new Set((c.avoidSrlgs ?? []).map((r) => g.srlgIds.indexOf(String(r))));
  const spanOk = (e: number): boolean =>
    !avoidE.has(e) && srlgsOf(g, e).every((k) => !avoidG.has(k)) && (c.minFreeSlots === undefined || q.freeSlots[e] >= c.minFreeSlots);
  const wps = (c.waypoints ?? []).map((r) => g.nodeIndex(String(r)));
  return allSimplePaths(g, q.s, q.t, spanOk, (v) => !avoidN.has(v)).filter((p) => {
    if (c.maxLatencyUs !== undefined && pathWeight(g, p.spans, 'latency') > c.maxLatencyUs) return false;
    if (c.maxHops !== undefined && p.spans.length > c.maxHops) return false;
    let k = 0;
    for (const v of p.nodes) if (k < wps.length && v === wps[k]) k++;
    return k === wps.length;
  });
}

test('constrained shortest path equals brute force over all simple paths', () => {
  let found = 0;
  let none = 0;
  fc.assert(
    fc.property(
      arbNet(7, 12, 'any').chain((net) => fc.tuple(fc.constant(net), arbQuery(net))),
      ([net, q]) => {
        const g = toGraph(net);
        const metric = q.constraints.metric ?? 'latency';
        const feasible = bruteFeasible(g, q);
        const r = shortestPath(g, q.s, q.t, q.constraints);
        if (feasible.length === 0) {
          assert.equal(r.status, 'none');
          none++;
          return;
        }
        assert.equal(r.status, 'found');
        if (r.status !== 'found') return;
        found++;
        assert.equal(r.exact, true);
        assertValidPath(g, r.path, q.s, q.t);
        const best = Math.min(...feasible.map((p) => pathWeight(g, p.spans, metric)));
        assert.ok(close(pathWeight(g, r.path.spans, metric), best), `metric ${metric}: got ${pathWeight(g, r.path.spans, metric)}, brute ${best}`);
        assert.ok(feasible.some((p) => p.spans.join() === r.path.spans.join()), 'returned path violates a constraint');
      },
    ),
    { seed: 20261121, numRuns: 3000 },
  );
  // Both outcomes must actually be exercised, or the property proves little.
  assert.ok(found > 300 && none > 300, `found ${found}, none ${none}`);
});

test('with a tiny search cap: none only when brute force agrees, exact only when optimal, else gave-up', () => {
  const seen: Record<string, number> = {};
  fc.assert(
    fc.property(
      arbNet(7, 12, 'any').chain((net) => fc.tuple(fc.constant(net), arbQuery(net), fc.integer({ min: 1, max: 3 }))),
      ([net, q, cap]) => {
        const g = toGraph(net);
        const metric = q.constraints.metric ?? 'latency';
        const feasible = bruteFeasible(g, q);
        const r = shortestPath(g, q.s, q.t, q.constraints, { maxExamined: cap });
        const key = r.status === 'found' ? `found-${r.exact}` : r.status;
        seen[key] = (seen[key] ?? 0) + 1;
        if (r.status === 'none') assert.equal(feasible.length, 0);
        if (r.status === 'gave-up') assert.equal(r.examined, cap);
        if (r.status !== 'found') return;
        assert.ok(feasible.some((p) => p.spans.join() === r.path.spans.join()), 'returned path violates a constraint');
        if (r.exact) assert.ok(close(pathWeight(g, r.path.spans, metric), Math.min(...feasible.map((p) => pathWeight(g, p.spans, metric)))));
      },
    ),
    { seed: 8080, numRuns: 3000 },
  );
  assert.ok((seen['gave-up'] ?? 0) > 0 && (seen.none ?? 0) > 0 && (seen['found-true'] ?? 0) > 0, JSON.stringify(seen));
});

test('k shortest paths: same metric sequence as sorted brute force, all distinct and feasible', () => {
  fc.assert(
    fc.property(
      arbNet(7, 13, 'any').chain((net) => fc.tuple(fc.constant(net), arbQuery(net), fc.integer({ min: 1, max: 12 }))),
      ([net, q, k]) => {
        const g = toGraph(net);
        const metric = q.constraints.metric ?? 'latency';
        const feasible = bruteFeasible(g, q);
        const want = feasible.map((p) => pathWeight(g, p.spans, metric)).sort((a, b) => a - b).slice(0, k);
        const r = kShortestPaths(g, q.s, q.t, k, q.constraints);
        assert.equal(r.complete, true);
        const got = r.paths.map((p) => pathWeight(g, p.spans, metric));
        assert.equal(got.length, want.length);
        got.forEach((m, i) => assert.ok(close(m, want[i]), `rank ${i}: ${m} vs ${want[i]}`));
        const keys = new Set(r.paths.map((p) => p.spans.join()));
        assert.equal(keys.size, r.paths.length, 'duplicate path');
        const feasibleKeys = new Set(feasible.map((p) => p.spans.join()));
        for (const p of r.paths) {
          assertValidPath(g, p, q.s, q.t);
          assert.ok(feasibleKeys.has(p.spans.join()), 'infeasible path returned');
        }
      },
    ),
    { seed: 77, numRuns: 2000 },
  );
});

test('shortest path rejects unknown ids and says gave-up, not none, when capped', () => {
  const net: SmallNet = {
    n: 3,
    spans: [
      { a: 0, z: 2, lat: 10, len: 1, cost: 1, srlgs: [] },
      { a: 0, z: 1, lat: 1, len: 1, cost: 1, srlgs: [] },
      { a: 1, z: 2, lat: 1, len: 1, cost: 1, srlgs: [] },
    ],
  };
  const g = toGraph(net);
  assert.throws(() => shortestPath(g, 'nope', 0), /unknown site/);
  assert.throws(() => shortestPath(g, 0, 2, { avoidSpans: ['zz'] }), /unknown span/);
  // Fewest hops is the direct span, too slow for the bound; the next path qualifies.
  const c: PathConstraints = { metric: 'hops', maxLatencyUs: 5 };
  const capped = shortestPath(g, 0, 2, c, { maxExamined: 1 });
  assert.equal(capped.status, 'gave-up');
  const full = shortestPath(g, 0, 2, c);
  assert.equal(full.status, 'found');
  const brute = bruteFeasible(g, { s: 0, t: 2, freeSlots: [], constraints: c });
  assert.deepEqual(full.status === 'found' ? full.path.spans : [], brute[0].spans);
});
