import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Metric } from '../../src/engine/constraints.js';
import type { Disjointness } from '../../src/engine/diverse.js';
import { diversePair } from '../../src/engine/diverse.js';
import type { Graph } from '../../src/engine/graph.js';
import { arbNet, toGraph } from './support/gen.js';
import type { SmallNet, SrlgMode } from './support/gen.js';
import type { BrutePath } from './support/brute.js';
import { allSimplePaths, assertValidPath, close, pathWeight, srlgsOf } from './support/brute.js';

/** Independent disjointness check on span/node lists. */
function disjoint(g: Graph, p: BrutePath, q: BrutePath, d: Disjointness): boolean {
  if (p.spans.some((e) => q.spans.includes(e))) return false;
  if (d === 'node') {
    const inner = p.nodes.slice(1, -1);
    if (q.nodes.slice(1, -1).some((v) => inner.includes(v))) return false;
  }
  if (d === 'srlg') {
    const gp = new Set(p.spans.flatMap((e) => srlgsOf(g, e)));
    if (q.spans.some((e) => srlgsOf(g, e).some((k) => gp.has(k)))) return false;
  }
  return true;
}

/** Minimum total metric over all unordered pairs of distinct disjoint simple paths; Infinity if none. */
function bruteBest(g: Graph, s: number, t: number, d: Disjointness, metric: Metric, spanOk: (e: number) => boolean): number {
  const paths = allSimplePaths(g, s, t, spanOk);
  let best = Infinity;
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      if (disjoint(g, paths[i], paths[j], d)) best = Math.min(best, pathWeight(g, paths[i].spans, metric) + pathWeight(g, paths[j].spans, metric));
    }
  }
  return best;
}

interface Case {
  net: SmallNet;
  s: number;
  t: number;
  metric: Metric;
  avoid: number[];
  maxExamined: number;
}

const arbCase = (mode: SrlgMode, maxExamined: fc.Arbitrary<number>): fc.Arbitrary<Case> =>
  arbNet(7, 12, mode).chain((net) =>
    fc.record({
      net: fc.constant(net),
      s: fc.nat(net.n - 1),
      d: fc.integer({ min: 1, max: net.n - 1 }),
      metric: fc.constantFrom<Metric>('latency', 'length', 'hops', 'cost'),
      avoid: fc.array(fc.nat(net.spans.length - 1), { maxLength: 2 }),
      maxExamined,
    }).map((r) => ({ net: r.net, s: r.s, t: (r.s + r.d) % net.n, metric: r.metric, avoid: r.avoid, maxExamined: r.maxExamined })),
  );

function check(c: Case, d: Disjointness, stats: Record<string, number>): void {
  const g = toGraph(c.net);
  const best = bruteBest(g, c.s, c.t, d, c.metric, (e) => !c.avoid.includes(e));
  const r = diversePair(g, c.s, c.t, { metric: c.metric, avoidSpans: c.avoid }, { disjointness: d, maxExamined: c.maxExamined });
  stats[r.status === 'found' ? `found-${r.exact}` : r.status] = (stats[r.status === 'found' ? `found-${r.exact}` : r.status] ?? 0) + 1;
  if (r.status === 'none') {
    assert.equal(best, Infinity, `claimed none but brute force has a pair of total ${best}`);
    return;
  }
  if (r.status === 'gave-up') {
    assert.equal(d, 'srlg', 'only the SRLG search may give up');
    return;
  }
  const [p, q] = r.paths;
  assertValidPath(g, p, c.s, c.t);
  assertValidPath(g, q, c.s, c.t);
  assert.ok(p.spans.every((e) => !c.avoid.includes(e)) && q.spans.every((e) => !c.avoid.includes(e)), 'avoided span used');
  assert.ok(disjoint(g, p, q, d), `${d}-disjoint promise broken`);
  const total = pathWeight(g, p.spans, c.metric) + pathWeight(g, q.spans, c.metric);
  assert.ok(close(total, r.totalMetric), 'totalMetric wrong');
  assert.ok(best < Infinity, 'found a pair brute force says does not exist');
  if (r.exact) assert.ok(close(total, best), `${d} exact pair total ${total} but brute force best ${best}`);
  else assert.ok(total >= best - 1e-9);
}

for (const d of ['link', 'node'] as const) {
  test(`${d}-disjoint min-sum pair equals brute force (Suurballe)`, () => {
    const stats: Record<string, number> = {};
    fc.assert(
      fc.property(arbCase('any', fc.constant(2000)), (c) => check(c, d, stats)),
      { seed: d === 'link' ? 11 : 12, numRuns: 2500 },
    );
    assert.ok((stats['found-true'] ?? 0) > 300 && (stats.none ?? 0) > 300, JSON.stringify(stats));
  });
}

test('SRLG-disjoint on star SRLGs: exact construction equals brute force', () => {
  const stats: Record<string, number> = {};
  fc.assert(fc.property(arbCase('star', fc.constant(2000)), (c) => check(c, 'srlg', stats)), { seed: 13, numRuns: 2500 });
  assert.ok((stats['found-true'] ?? 0) > 300 && (stats.none ?? 0) > 300, JSON.stringify(stats));
  assert.equal(stats['gave-up'] ?? 0, 0);
});

test('SRLG-disjoint on arbitrary SRLGs: exact search equals brute force', () => {
  const stats: Record<string, number> = {};
  fc.assert(fc.property(arbCase('any', fc.constant(2000)), (c) => check(c, 'srlg', stats)), { seed: 14, numRuns: 2500 });
  assert.ok((stats['found-true'] ?? 0) > 300 && (stats.none ?? 0) > 300, JSON.stringify(stats));
});

test('SRLG search capped: found pairs verified, none only when true, gave-up otherwise', () => {
  const stats: Record<string, number> = {};
  fc.assert(fc.property(arbCase('any', fc.integer({ min: 1, max: 3 })), (c) => check(c, 'srlg', stats)), { seed: 15, numRuns: 2500 });
  assert.ok((stats['gave-up'] ?? 0) > 0 && (stats['found-false'] ?? 0) > 0, JSON.stringify(stats));
});

test('SRLG chain that trips simple constructions: parallel spans and a shared conduit across two routes', () => {
  // s=0, t=3. Route A: 0-1-3, route B: 0-2-3. Spans 0-1 and 2-3 share conduit g0 (not a star): the two
  // cheap routes conflict, the pair must use the expensive detour 0-4-3.
  const net: SmallNet = {
    n: 5,
    spans: [
      { a: 0, z: 1, lat: 1, len: 1, cost: 1, srlgs: [0] },
      { a: 1, z: 3, lat: 1, len: 1, cost: 1, srlgs: [] },
      { a: 0, z: 2, lat: 1, len: 1, cost: 1, srlgs: [] },
      { a: 2, z: 3, lat: 1, len: 1, cost: 1, srlgs: [0] },
      { a: 0, z: 4, lat: 5, len: 1, cost: 1, srlgs: [] },
      { a: 4, z: 3, lat: 5, len: 1, cost: 1, srlgs: [] },
    ],
  };
  const g = toGraph(net);
  const r = diversePair(g, 0, 3, {}, { disjointness: 'srlg' });
  assert.equal(r.status, 'found');
  if (r.status !== 'found') return;
  assert.equal(r.exact, true);
  assert.equal(r.totalMetric, bruteBest(g, 0, 3, 'srlg', 'latency', () => true));
  const link = diversePair(g, 0, 3, {}, { disjointness: 'link' });
  assert.equal(link.status === 'found' && link.totalMetric, bruteBest(g, 0, 3, 'link', 'latency', () => true));
});
