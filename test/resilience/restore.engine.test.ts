import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildGraph, type Graph } from '../../src/engine/graph.js';
import { SpectrumGrid } from '../../src/engine/spectrum.js';
import { assignSpectrum, commitAssignment, plansForPath } from '../../src/engine/rsa.js';
import { DEFAULT_MODULATIONS, placeRegenerators, type ModulationMode } from '../../src/engine/modulation.js';
import {
  cloneStrandPools,
  failedMask,
  newRestoreStats,
  planReversion,
  planRestoration,
  restoreOrder,
  type RestoreDemand,
  type RestoreOutcome,
  type StrandCable,
} from '../../src/engine/restore.js';
import { SpanIndex } from '../../src/engine/restore-index.js';
import { allSingleSpans, analyzeFailures, indexDemands, resolveFailedSpans } from '../../src/engine/whatif.js';
import { arbNet, type SmallNet } from '../engine/support/gen.js';
import { referencePlanRestoration } from './restore-reference.js';
import { CandidateCache, NoFitProver } from '../../src/engine/restore-candidates.js';
import { allSimplePaths, type BrutePath } from '../engine/support/brute.js';

const SLOTS = 16;
const SEED = 20_261_121;

/** Small graph where every span has a 16-slot line system and lengths in km that force modulation choices. */
function graphOf(net: SmallNet): Graph {
  return buildGraph(
    Array.from({ length: net.n }, (_, i) => ({ id: `n${i}`, lat: 0, lon: i })),
    net.spans.map((s, j) => ({ id: `s${j}`, aSiteId: `n${s.a}`, zSiteId: `n${s.z}`, lengthKm: s.len, latencyUs: s.lat, srlgIds: s.srlgs.map((k) => `g${k}`), slotCount: j % 5 === 4 ? 0 : SLOTS })),
  );
}

interface Case {
  net: SmallNet;
  layers: number;
  fill: { layer: number; span: number; lo: number; w: number }[];
  demands: { a: number; z: number; rate: number; prot: number; prio: number; age: number; pick: number; pick2: number; dark: boolean; bound: number }[];
  failed: number[];
  strandCount: number;
}

/** Random cases: up to `nodes` sites, `spans` spans, `demands` circuits and `fill` pre-occupied ranges. */
function arbCaseOf(o: { nodes: number; spans: number; demands: number; fill: number; prot?: fc.Arbitrary<number>; net?: fc.Arbitrary<SmallNet>; minDemands?: number }): fc.Arbitrary<Case> {
  return (o.net ?? arbNet(o.nodes, o.spans, 'any')).chain((net) =>
    fc.record({
      net: fc.constant(net),
      layers: fc.integer({ min: 1, max: 2 }),
      fill: fc.array(fc.record({ layer: fc.nat(1), span: fc.nat(net.spans.length - 1), lo: fc.nat(SLOTS - 1), w: fc.integer({ min: 1, max: 6 }) }), { maxLength: o.fill }),
      demands: fc.array(
        fc.record({
          a: fc.nat(net.n - 1),
          z: fc.nat(net.n - 1),
          rate: fc.constantFrom(100, 400),
          prot: o.prot ?? fc.nat(2),
          prio: fc.nat(2),
          age: fc.nat(5),
          pick: fc.nat(50),
          pick2: fc.nat(50),
          dark: fc.boolean(),
          bound: fc.constantFrom(0, 12, 25),
        }),
        { minLength: o.minDemands ?? 0, maxLength: o.demands },
      ),
      failed: fc.array(fc.nat(net.spans.length - 1), { minLength: 1, maxLength: 3 }),
      strandCount: fc.integer({ min: 2, max: 8 }),
    }),
  );
}

const arbCase: fc.Arbitrary<Case> = arbCaseOf({ nodes: 6, spans: 10, demands: 10, fill: 12 });

const PROTS = ['unprotected', 'restorable', 'protected-1+1'] as const;

/** Builds a consistent starting state: demands hold random simple paths with real spectrum/strands. */
function setup(c: Case): { g: Graph; layers: SpectrumGrid[]; pools: StrandCable[][]; demands: RestoreDemand[] } {
  const g = graphOf(c.net);
  const layers = Array.from({ length: c.layers }, () => new SpectrumGrid(g.spanCount, SLOTS));
  for (const f of c.fill) {
    if (f.layer >= c.layers || f.lo + f.w > SLOTS) continue;
    for (let s = f.lo; s < f.lo + f.w; s++) if (layers[f.layer].isFree(f.span, s, 1)) layers[f.layer].occupy(f.span, s, 1);
  }
  // Span index 3 of every five has no cable: strands cannot use it.
  const pools: StrandCable[][] = Array.from({ length: g.spanCount }, (_, e) => (e % 5 === 3 ? [] : [{ strandCount: c.strandCount, firstUsable: 0, used: [] }]));
  const demands: RestoreDemand[] = [];
  c.demands.forEach((d, i) => {
    if (d.a === d.z) return;
    const kind = d.dark ? 'strands' : 'wave';
    const ok = kind === 'wave' ? (e: number) => g.slotCount[e] > 0 : (e: number) => pools[e].length > 0;
    const all = allSimplePaths(g, d.a, d.z, ok);
    if (all.length === 0) return;
    const protection = PROTS[d.prot];
    const chosen: BrutePath[] = [all[d.pick % all.length]];
    if (protection === 'protected-1+1') {
      const other = all.filter((p) => !p.spans.some((e) => chosen[0].spans.includes(e)));
      if (other.length === 0) return;
      chosen.push(other[d.pick2 % other.length]);
    }
    // Hold real resources for each path so the starting occupancy is what the database would contain.
    for (const p of chosen) {
      if (kind === 'wave') {
        const path = { nodes: p.nodes, spans: p.spans, hops: p.spans.length, lengthKm: p.spans.reduce((s, e) => s + g.lengthKm[e], 0), latencyUs: p.spans.reduce((s, e) => s + g.latencyUs[e], 0), cost: 0 };
        let held = false;
        for (const l of layers) {
          const a = assignSpectrum(g, l, [path], { lineRateGbps: d.rate });
          if (a) {
            commitAssignment(l, a);
            held = true;
            break;
          }
        }
        if (!held) return;
      } else {
        for (const e of p.spans) {
          const cable = pools[e][0];
          const lo = cable.used.length * 2;
          if (lo + 2 > cable.strandCount) return;
          cable.used.push([lo, lo + 2]);
        }
      }
    }
    demands.push({
      id: `d${i}`,
      kind,
      src: d.a,
      dst: d.z,
      lineRateGbps: kind === 'wave' ? d.rate : 0,
      protection,
      priority: d.prio,
      createdAtMs: d.age,
      maxLatencyUs: d.bound === 0 ? null : d.bound,
      paths: chosen.map((p) => ({ nodes: p.nodes, spans: p.spans })),
    });
  });
  return { g, layers, pools, demands };
}

function pathLatency(g: Graph, spans: readonly number[]): number {
  return spans.reduce((s, e) => s + g.latencyUs[e], 0);
}

/** A cable has a free pair when two adjacent strands lie outside every held range. */
function hasFreePair(c: StrandCable): boolean {
  for (let s = c.firstUsable; s + 2 <= c.strandCount; s++) if (!c.used.some(([lo, hi]) => s < hi && lo < s + 2)) return true;
  return false;
}

/** Independent feasibility: some healthy simple path within the bound has spectrum (or strands) right now. */
function feasible(g: Graph, layers: SpectrumGrid[], pools: StrandCable[][], failed: Uint8Array, d: RestoreDemand): { path: boolean; capacity: boolean } {
  const ok = d.kind === 'wave' ? (e: number) => failed[e] === 0 && g.slotCount[e] > 0 : (e: number) => failed[e] === 0 && pools[e].length > 0;
  const paths = allSimplePaths(g, d.src, d.dst, ok).filter((p) => d.maxLatencyUs === null || pathLatency(g, p.spans) <= d.maxLatencyUs);
  let capacity = false;
  for (const p of paths) {
    if (d.kind === 'strands') {
      if (p.spans.every((e) => pools[e].some(hasFreePair))) capacity = true;
    } else {
      const path = { nodes: p.nodes, spans: p.spans, hops: p.spans.length, lengthKm: p.spans.reduce((s, e) => s + g.lengthKm[e], 0), latencyUs: pathLatency(g, p.spans), cost: 0 };
      if (layers.some((l) => assignSpectrum(g, l, [path], { lineRateGbps: d.lineRateGbps }) !== null)) capacity = true;
    }
    if (capacity) break;
  }
  return { path: paths.length > 0, capacity };
}

test('planRestoration: right outcome per protection, valid paths avoiding failures, no double allocation, complete (vs brute force)', () => {
  let restoredSeen = 0;
  let lostSeen = 0;
  fc.assert(
    fc.property(arbCase, (c) => {
      const { g, layers, pools, demands } = setup(c);
      const failed = failedMask(g, c.failed);
      const before = layers.map((l) => l.clone());
      const poolsBefore = JSON.stringify(pools);
      const plan = planRestoration(g, layers, pools, failed, demands, { maxCandidates: 100_000 });
      // Inputs untouched (the plan copies what it changes).
      layers.forEach((l, i) => assert.deepEqual(l.bits, before[i].bits));
      assert.equal(JSON.stringify(pools), poolsBefore);
      const hitIds = demands.filter((d) => d.paths.some((p) => p.spans.some((e) => c.failed.includes(e)))).map((d) => d.id);
      assert.deepEqual(plan.outcomes.map((o) => o.id).sort(), hitIds.sort());
      const byId = new Map(demands.map((d) => [d.id, d]));
      const order = plan.outcomes.map((o) => byId.get(o.id) as RestoreDemand);
      for (let i = 1; i < order.length; i++) assert.ok(restoreOrder(order[i - 1], order[i]) < 0, 'priority desc, oldest first');
      // Replay on independent copies: each new allocation must fit; each loss must be proven by brute force.
      const replay = layers.map((l) => l.clone());
      const rpools = cloneStrandPools(pools);
      for (const o of plan.outcomes) {
        const d = byId.get(o.id) as RestoreDemand;
        const activeHit = d.paths[0].spans.some((e) => failed[e] === 1);
        if (d.protection === 'protected-1+1') {
          const standbyHit = d.paths[1].spans.some((e) => failed[e] === 1);
          const expected = !activeHit ? 'degraded' : standbyHit ? 'down' : 'switched';
          assert.equal(o.action, expected);
          continue;
        }
        if (d.protection === 'unprotected') {
          assert.deepEqual(o, { id: d.id, action: 'down', reason: 'unprotected' });
          continue;
        }
        check(g, replay, rpools, failed, d, o);
        if (o.action === 'rerouted') restoredSeen++;
        else lostSeen++;
      }
      // Final occupancy equals the replay (the plan took exactly what it reported).
      plan.layers.forEach((l, i) => assert.deepEqual(l.bits, replay[i].bits));
    }),
    { seed: SEED, numRuns: 500 },
  );
  assert.ok(restoredSeen > 40 && lostSeen > 20, `the generator exercises both outcomes (${restoredSeen} restored, ${lostSeen} lost)`);
});

function check(g: Graph, replay: SpectrumGrid[], rpools: StrandCable[][], failed: Uint8Array, d: RestoreDemand, o: RestoreOutcome): void {
  if (o.action === 'rerouted') {
    const p = o.path;
    assert.equal(p.nodes[0], d.src);
    assert.equal(p.nodes[p.nodes.length - 1], d.dst);
    assert.equal(new Set(p.nodes).size, p.nodes.length, 'simple');
    p.spans.forEach((e, i) => {
      assert.equal(failed[e], 0, 'no failed span');
      assert.deepEqual([g.spanA[e], g.spanZ[e]].sort(), [p.nodes[i], p.nodes[i + 1]].sort());
    });
    if (d.maxLatencyUs !== null) assert.ok(pathLatency(g, p.spans) <= d.maxLatencyUs);
    assert.equal(o.addedLatencyUs, pathLatency(g, p.spans) - pathLatency(g, d.paths[0].spans));
    if (d.kind === 'wave') {
      const w = o.wave;
      assert.ok(w);
      const a = w.assignment;
      assert.ok(a, 'the reach-table placer assigns');
      assert.deepEqual(a.segments.flatMap((s) => s.spans), p.spans);
      for (const s of a.segments) for (const e of s.spans) replay[w.layer].occupy(e, s.startSlot, a.slots); // throws on double allocation
    } else {
      assert.ok(o.strands);
      assert.deepEqual(o.strands.map((s) => s.span), p.spans);
      for (const s of o.strands) {
        const cable = rpools[s.span][s.cable];
        assert.ok(s.lo >= cable.firstUsable && s.lo + 2 <= cable.strandCount);
        assert.ok(!cable.used.some(([lo, hi]) => s.lo < hi && lo < s.lo + 2), 'strand pair free');
        cable.used.push([s.lo, s.lo + 2]);
      }
    }
  } else {
    assert.equal(o.action, 'down');
    const f = feasible(g, replay, rpools, failed, d);
    assert.ok(!f.capacity, `${d.id} was feasible but lost`);
    assert.equal(o.reason, f.path ? 'no-capacity' : 'no-path');
  }
}

test('planReversion: back on the original path when healthy and free, never over held spectrum', () => {
  const seen = { reverted: 0, stay: 0 };
  fc.assert(
    fc.property(arbCase, (c) => {
      const { g, layers, pools, demands } = setup(c);
      const failed = failedMask(g, c.failed);
      const reqs = demands.filter((d) => d.protection === 'restorable').map((d) => ({ demand: d, original: d.paths[0] }));
      const r = planReversion(g, layers, pools, failed, reqs);
      const replay = layers.map((l) => l.clone());
      const rpools = cloneStrandPools(pools);
      for (const o of r.outcomes) {
        seen[o.action]++;
        const d = reqs.find((q) => q.demand.id === o.id)?.demand as RestoreDemand;
        const hit = d.paths[0].spans.some((e) => failed[e] === 1);
        if (o.action === 'reverted') {
          assert.ok(!hit);
          assert.deepEqual(o.path.spans, d.paths[0].spans);
          const a = o.wave?.assignment;
          if (o.wave && a) for (const s of a.segments) for (const e of s.spans) replay[o.wave.layer].occupy(e, s.startSlot, a.slots);
          for (const s of o.strands ?? []) rpools[s.span][s.cable].used.push([s.lo, s.lo + 2]);
        } else if (hit) assert.equal(o.reason, 'original-failed');
        else {
          assert.equal(o.reason, 'no-capacity');
          // Only the original path counts here: check it alone.
          const p = d.paths[0];
          const path = { nodes: p.nodes, spans: p.spans, hops: p.spans.length, lengthKm: p.spans.reduce((s, e) => s + g.lengthKm[e], 0), latencyUs: pathLatency(g, p.spans), cost: 0 };
          const onPath = d.kind === 'wave' ? replay.some((l) => assignSpectrum(g, l, [path], { lineRateGbps: d.lineRateGbps }) !== null) : p.spans.every((e) => rpools[e].some(hasFreePair));
          assert.ok(!onPath, `${d.id} could have reverted`);
        }
      }
    }),
    { seed: SEED + 1, numRuns: 150 },
  );
  assert.ok(seen.reverted > 20 && seen.stay > 20, `both outcomes exercised (${JSON.stringify(seen)})`);
});

test('SpanIndex equals a full scan after random updates', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: fc.nat(9), spans: fc.array(fc.nat(11), { maxLength: 4 }), drop: fc.boolean() }), { maxLength: 40 }),
      fc.array(fc.nat(11), { maxLength: 3 }),
      (ops, query) => {
        const idx = new SpanIndex();
        const truth = new Map<string, number[]>();
        for (const op of ops) {
          const id = `c${op.id}`;
          if (op.drop) {
            idx.remove(id);
            truth.delete(id);
          } else {
            idx.set(id, op.spans);
            truth.set(id, op.spans);
          }
        }
        const scan = [...truth].filter(([, s]) => s.some((e) => query.includes(e))).map(([id]) => id).sort();
        assert.deepEqual(idx.affected(query), scan);
        assert.equal(idx.size, truth.size);
        for (let e = 0; e < 12; e++) assert.equal(idx.count(e), [...truth.values()].filter((s) => s.includes(e)).length);
      },
    ),
    { seed: SEED + 2, numRuns: 300 },
  );
});

test('what-if of every single span equals planning that cut with a full scan', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const { g, layers, pools, demands } = setup(c);
      const reports = analyzeFailures(g, layers, pools, demands, allSingleSpans(g), { index: indexDemands(demands) });
      assert.equal(reports.length, g.spanCount);
      for (const r of reports) {
        const plan = planRestoration(g, layers, pools, failedMask(g, r.failedSpans), demands);
        const ids = (a: string) => plan.outcomes.filter((o) => o.action === a).map((o) => o.id).sort();
        assert.deepEqual(r.affected, plan.outcomes.map((o) => o.id).sort());
        assert.deepEqual(r.protected, ids('switched'));
        assert.deepEqual(r.degraded, ids('degraded'));
        assert.deepEqual(r.restorable.map((x) => x.id), ids('rerouted'));
        assert.deepEqual(r.lost.map((x) => x.id), ids('down'));
        // Shortfall appears exactly when something was lost for capacity.
        assert.equal(r.shortfall.length > 0, r.lost.some((l) => l.reason === 'no-capacity'));
      }
    }),
    { seed: SEED + 3, numRuns: 80 },
  );
});

test('resolveFailedSpans: SRLG and site events expand to exactly their spans', () => {
  const g = graphOf({
    n: 4,
    spans: [
      { a: 0, z: 1, lat: 1, len: 10, cost: 1, srlgs: [0] },
      { a: 1, z: 2, lat: 1, len: 10, cost: 1, srlgs: [0, 1] },
      { a: 2, z: 3, lat: 1, len: 10, cost: 1, srlgs: [] },
      { a: 3, z: 0, lat: 1, len: 10, cost: 1, srlgs: [1] },
    ],
  });
  const brute = (srlgs: number[], sites: number[], spans: number[]) =>
    Array.from({ length: g.spanCount }, (_, e) => e).filter(
      (e) => spans.includes(e) || sites.includes(g.spanA[e]) || sites.includes(g.spanZ[e]) || g.srlgIds.some((id, k) => srlgs.includes(k) && Array.from(g.spanSrlg.subarray(g.spanSrlgStart[e], g.spanSrlgStart[e + 1])).includes(k) && id !== ''),
    );
  for (const [srlgs, sites, spans] of [[[0], [], []], [[1], [], [2]], [[], [2], []], [[0, 1], [3], [2]]] as number[][][]) {
    assert.deepEqual(resolveFailedSpans(g, spans, srlgs, sites), brute(srlgs, sites, spans));
  }
});

/**
 * Rates 100G and 400G share their narrowest width here, so circuits of both rates share candidate lists
 * (the list is pinned by whichever asks first); the reaches force regenerators on the small graphs.
 */
const SHARED_WIDTH_TABLE: readonly ModulationMode[] = [
  { lineRateGbps: 100, format: 'A', slots: 2, reachKm: 400 },
  { lineRateGbps: 100, format: 'B', slots: 4, reachKm: 2000 },
  { lineRateGbps: 400, format: 'C', slots: 2, reachKm: 150 },
  { lineRateGbps: 400, format: 'D', slots: 6, reachKm: 900 },
];

/** A meshier network than arbNet's usual draw: 5-8 sites and 12-20 spans (so there are many candidate paths). */
const arbMesh: fc.Arbitrary<SmallNet> = fc.integer({ min: 5, max: 8 }).chain((n) =>
  fc
    .array(fc.record({ a: fc.nat(n - 1), d: fc.integer({ min: 1, max: n - 1 }), lat: fc.integer({ min: 1, max: 9 }), len: fc.integer({ min: 1, max: 900 }), srlg: fc.nat(4) }), { minLength: 12, maxLength: 20 })
    .map((raw) => ({ n, spans: raw.map((r) => ({ a: r.a, z: (r.a + r.d) % n, lat: r.lat, len: r.len, cost: 1, srlgs: r.srlg < 3 ? [r.srlg] : [] })) })),
);

/** Busier cases: more circuits than the spectrum holds, mostly restorable, endpoints repeating. */
const arbBusy = arbCaseOf({ nodes: 8, spans: 20, demands: 40, minDemands: 20, fill: 30, prot: fc.constantFrom(1, 1, 1, 0, 2), net: arbMesh });

/** Extra restorable waves "held" on the first failed span, as the benchmark's batch: all hit, all compete. */
const arbSurge = fc.array(fc.record({ a: fc.nat(1000), z: fc.nat(1000), rate: fc.constantFrom(100, 100, 400), bound: fc.constantFrom(0, 0, 12, 25), prio: fc.nat(2), dark: fc.boolean() }), { minLength: 0, maxLength: 40 });

/** Strand ranges held out of order and with gaps, on cables grown by `extra` strands. */
const arbHoles = fc.record({ extra: fc.nat(12), ranges: fc.array(fc.record({ span: fc.nat(1000), lo: fc.nat(19), w: fc.integer({ min: 1, max: 2 }) }), { maxLength: 30 }) });

function punchHoles(pools: StrandCable[][], holes: { extra: number; ranges: { span: number; lo: number; w: number }[] }): void {
  for (const cables of pools) for (const c of cables) c.strandCount += holes.extra;
  for (const r of holes.ranges) {
    const c = pools[r.span % pools.length][0];
    if (!c || r.lo + r.w > c.strandCount || c.used.some(([lo, hi]) => r.lo < hi && lo < r.lo + r.w)) continue;
    c.used.push([r.lo, r.lo + r.w]);
  }
}

function surgeDemands(g: Graph, failedSpan: number, surge: { a: number; z: number; rate: number; bound: number; prio: number; dark: boolean }[]): RestoreDemand[] {
  const held = { nodes: [g.spanA[failedSpan], g.spanZ[failedSpan]], spans: [failedSpan] };
  return surge.map((x, i) => ({
    id: `surge${i}`,
    kind: x.dark ? 'strands' : 'wave',
    src: x.a % g.nodeCount,
    dst: x.z % g.nodeCount,
    lineRateGbps: x.dark ? 0 : x.rate,
    protection: 'restorable',
    priority: x.prio,
    createdAtMs: 10 + i,
    maxLatencyUs: x.bound === 0 ? null : x.bound,
    paths: [held],
  }));
}

test('planRestoration returns exactly the plan of the pre-optimisation planner (reference), for any candidate limit and table', () => {
  const stats = newRestoreStats();
  let rerouted = 0;
  let down = 0;
  fc.assert(
    fc.property(fc.oneof(arbCase, arbBusy), arbSurge, arbHoles, fc.constantFrom(1, 2, 3, 5, 16, 100_000), fc.boolean(), (c, surge, holes, maxCandidates, custom) => {
      const setupResult = setup(c);
      const { g, layers, pools } = setupResult;
      punchHoles(pools, holes);
      const demands = setupResult.demands.concat(surgeDemands(g, c.failed[0], surge));
      const failed = failedMask(g, c.failed);
      const options = custom ? { maxCandidates, table: SHARED_WIDTH_TABLE } : { maxCandidates };
      const want = referencePlanRestoration(g, layers, pools, failed, demands, options);
      const got = planRestoration(g, layers, pools, failed, demands, { ...options, stats });
      assert.deepEqual(got.outcomes, want.outcomes);
      assert.equal(got.layers.length, want.layers.length);
      got.layers.forEach((l, i) => assert.deepEqual(l.bits, want.layers[i].bits));
      assert.deepEqual(got.strands, want.strands);
      for (const o of got.outcomes) {
        if (o.action === 'rerouted') rerouted++;
        else if (o.action === 'down' && o.reason !== 'unprotected') down++;
      }
    }),
    { seed: SEED + 4, numRuns: 1000 },
  );
  // The shortcuts were taken (proofs that skipped enumeration) and so was the ordinary path (enumeration).
  assert.ok(stats.proofsSucceeded > 100 && stats.proofsTried > stats.proofsSucceeded && stats.pathsEnumerated > 100, JSON.stringify(stats));
  assert.ok(rerouted > 200 && down > 200, `both outcomes exercised (${rerouted} rerouted, ${down} down)`);
});

test('analyzeFailures reports what the reference planner plans for each single-span cut', () => {
  fc.assert(
    fc.property(arbBusy, arbHoles, (c, holes) => {
      const { g, layers, pools, demands } = setup(c);
      punchHoles(pools, holes);
      const reports = analyzeFailures(g, layers, pools, demands, allSingleSpans(g));
      for (const r of reports) {
        const want = referencePlanRestoration(g, layers, pools, failedMask(g, r.failedSpans), demands);
        const rerouted = want.outcomes.flatMap((o) => (o.action === 'rerouted' ? [{ id: o.id, path: o.path, addedLatencyUs: o.addedLatencyUs }] : []));
        const lost = want.outcomes.flatMap((o) => (o.action === 'down' ? [{ id: o.id, reason: o.reason }] : []));
        assert.deepEqual(r.restorable, rerouted.sort((a, b) => (a.id < b.id ? -1 : 1)));
        assert.deepEqual(r.lost, lost.sort((a, b) => (a.id < b.id ? -1 : 1)));
      }
    }),
    { seed: SEED + 5, numRuns: 60 },
  );
});

/** Independent plans: every mode of the rate with a placement, by regenerators, then slots, then longest reach. */
function expectedPlans(g: Graph, spans: readonly number[], rate: number, table: readonly ModulationMode[]): { mode: ModulationMode; regenAt: number[] }[] {
  const km = spans.map((e) => g.lengthKm[e]);
  return table
    .filter((m) => m.lineRateGbps === rate)
    .map((mode) => ({ mode, regenAt: placeRegenerators(km, mode.reachKm) }))
    .filter((x): x is { mode: ModulationMode; regenAt: number[] } => x.regenAt !== null)
    .sort((a, b) => a.regenAt.length - b.regenAt.length || a.mode.slots - b.mode.slots || b.mode.reachKm - a.mode.reachKm);
}

test('plansForPath (modes cached per table and rate) equals a fresh computation and survives callers mutating results', () => {
  const tables = [DEFAULT_MODULATIONS, SHARED_WIDTH_TABLE];
  let withRegen = 0;
  fc.assert(
    fc.property(arbNet(6, 10, 'none'), fc.nat(50), fc.constantFrom(100, 200, 400, 800), fc.nat(1), (net, pick, rate, t) => {
      const g = graphOf(net);
      const all = allSimplePaths(g, 0, net.n - 1);
      if (all.length === 0) return;
      const p = all[pick % all.length];
      const path = { nodes: p.nodes, spans: p.spans, hops: p.spans.length, lengthKm: 0, latencyUs: pathLatency(g, p.spans), cost: 0 };
      const table = tables[t];
      const want = expectedPlans(g, p.spans, rate, table);
      if (want.some((x) => x.regenAt.length > 0)) withRegen++;
      const first = plansForPath(g, path, rate, table);
      assert.deepEqual(first, want);
      for (const x of first) x.regenAt.push(99);
      first.length = 0;
      assert.deepEqual(plansForPath(g, path, rate, table), want);
      // The same object given another spans array is planned afresh.
      const other = all[(pick + 1) % all.length];
      path.spans = other.spans;
      path.nodes = other.nodes;
      assert.deepEqual(plansForPath(g, path, rate, table), expectedPlans(g, other.spans, rate, table));
    }),
    { seed: SEED + 6, numRuns: 300 },
  );
  assert.ok(withRegen > 20, `regenerator plans exercised (${withRegen})`);
});

test('NoFitProver: a proof means no simple path up to the limit-th shortest fits (vs brute force), and the list length is exact', () => {
  let proved = 0;
  let refused = 0;
  let lengths = 0;
  fc.assert(
    fc.property(arbBusy, fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), fc.constantFrom(100, 400), (c, limit, keep, rate) => {
      const { g, layers } = setup(c);
      const usable = new Uint8Array(g.spanCount);
      for (let e = 0; e < g.spanCount; e++) usable[e] = g.slotCount[e] > 0 ? 1 : 0;
      // A pinned mask: some usable spans dropped, as spectrum running out would drop them.
      const pinned = usable.map((u, e) => (u === 1 && keep[e % keep.length] ? 1 : 0));
      const bound = c.demands[0]?.bound ? c.demands[0].bound : null;
      const src = 0;
      const dst = g.nodeCount - 1;
      const cache = new CandidateCache(g, usable);
      const list = cache.list(src, dst, bound, 2);
      if (!CandidateCache.needsEnumeration(list, list.paths.length)) return;
      cache.pin(list, pinned);
      const fitsNow = (spans: number[]): boolean => {
        const path = { nodes: [], spans, hops: spans.length, lengthKm: 0, latencyUs: pathLatency(g, spans), cost: 0 };
        return layers.some((l) => assignSpectrum(g, l, [path], { lineRateGbps: rate }) !== null);
      };
      const proof = new NoFitProver(g).prove(list, limit, new Int32Array(g.spanCount).fill(-1), (p) => fitsNow(p.spans));
      const paths = allSimplePaths(g, src, dst, (e) => pinned[e] === 1);
      const inS = paths
        .map((p) => pathLatency(g, p.spans))
        .filter((us) => bound === null || us <= bound)
        .sort((a, b) => a - b);
      if (!proof) {
        refused++;
        return;
      }
      proved++;
      const limitUs = inS.length >= limit ? inS[limit - 1] : Infinity;
      for (const p of paths) {
        const us = pathLatency(g, p.spans);
        if (us <= limitUs && (bound === null || us <= bound)) assert.ok(!fitsNow(p.spans), `path ${p.spans.join(',')} fits but was proved not to`);
      }
      if (proof.listLength !== null) {
        lengths++;
        assert.ok(inS.length < limit);
        // The list: the tree path (when within the bound) and then every path of the pinned mask but that one.
        const first = list.first;
        const firstInList = first !== null && list.paths[0] === first;
        const firstInS = firstInList && first.spans.every((e) => pinned[e] === 1);
        assert.equal(proof.listLength, inS.length + (firstInList && !firstInS ? 1 : 0));
      } else assert.ok(inS.length >= limit);
    }),
    { seed: SEED + 7, numRuns: 400 },
  );
  assert.ok(proved > 40 && refused > 40 && lengths > 10, `both answers exercised (${proved} proved, ${refused} refused, ${lengths} with a length)`);
});
