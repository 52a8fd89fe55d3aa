import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Network, Span } from '../../src/domain/network.js';
import type { ForecastDemand } from '../../src/domain/planning.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { DEFAULT_MODULATIONS } from '../../src/engine/modulation.js';
import { DEFAULT_PLANNING_COSTS, type NetworkPlanInput } from '../../src/engine/planning/network-input.js';
import { buildNetworkModel } from '../../src/engine/planning/network-model.js';
import { decodeNetworkPlan, type NetworkPlan } from '../../src/engine/planning/network-plan.js';
import { checkNetworkPlan } from '../../src/engine/planning/network-check.js';
import { networkWarmStart } from '../../src/engine/planning/warm-start.js';
import { spanExhaustion } from '../../src/engine/planning/exhaustion.js';
import { growthForecast, proposeRoutes } from '../../src/engine/planning/scenarios.js';
import { objectiveOf } from '../../src/engine/planning/model.js';
import { solveWithHighs } from '../../src/solver/highs.js';

function site(id: string, lat: number, lon: number): Network['sites'][number] {
  return { id, name: id, kind: 'pop', lat, lon, metro: null, cloudProvider: null, cloudRegion: null };
}

function span(id: string, a: string, z: string, km: number, pairs: number, strands: number, inUse: number, srlgs: string[] = []): Span {
  return {
    id, aSiteId: a, zSiteId: z, lengthKm: km, measuredLatencyUs: null, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, srlgIds: srlgs,
    cables: [{ id: `${id}-c1`, strandCount: strands, strandsInUse: inUse }],
    lineSystem: pairs > 0 ? { fiberPairs: pairs, slotCount: 384, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 } : null,
  };
}

async function solvePlan(input: NetworkPlanInput, timeLimitSec = 60): Promise<{ plan: NetworkPlan | null; status: string; objective: number | null }> {
  const nm = buildNetworkModel(input);
  const r = await solveWithHighs(nm.model, { timeLimitSec });
  if (r.x === null) return { plan: null, status: r.status, objective: null };
  const plan = decodeNetworkPlan(nm, r);
  assert.deepEqual(checkNetworkPlan(input, plan).problems, []);
  return { plan, status: r.status, objective: r.objective };
}

/**
 * Brute force for one span, one period: every mix of wave modes (any mode of the table whose reach
 * covers the span), then the line systems and cables that mix needs, priced from the cost table.
 */
function bruteForceOneSpan(gbps: number, km: number, litPairs: number, freePairs: number): number {
  const c = DEFAULT_PLANNING_COSTS;
  const modes = DEFAULT_MODULATIONS.filter((m) => [100, 400, 800].includes(m.lineRateGbps) && m.reachKm >= km);
  let best = Infinity;
  const counts = new Array<number>(modes.length).fill(0);
  const rec = (i: number, gbpsSoFar: number): void => {
    if (i === modes.length) {
      if (gbpsSoFar < gbps) return;
      const slots = modes.reduce((s, m, k) => s + m.slots * counts[k], 0);
      const ls = Math.max(0, Math.ceil(slots / 384) - litPairs);
      const cables = Math.max(0, Math.ceil((ls - freePairs) / 72));
      const cost = modes.reduce((s, m, k) => s + 2 * c.transponderByRateGbps[m.lineRateGbps] * counts[k], 0)
        + ls * (c.lineSystemFixed + c.lineSystemPerKm * km) + cables * km * (c.cablePerRouteKm + 144 * c.cablePerStrandKm);
      best = Math.min(best, cost);
      return;
    }
    const maxN = Math.ceil(gbps / modes[i].lineRateGbps);
    for (let n = 0; n <= maxN; n++) {
      counts[i] = n;
      rec(i + 1, gbpsSoFar + n * modes[i].lineRateGbps);
    }
    counts[i] = 0;
  };
  rec(0, 0);
  return best;
}

test('one span: the optimum equals a brute force over wave mixes, line systems and cables; undiscounted horizons cost the peak', async () => {
  for (const [gbps, km, pairs, free] of [[500, 300, 1, 2], [3300, 300, 0, 1], [9000, 700, 1, 0], [2600, 1500, 1, 3]] as const) {
    const net: Network = { name: 'pair', sites: [site('a', 0, 0), site('b', 0, 3)], spans: [span('a-b', 'a', 'b', km, pairs, 2 * (pairs + free), 2 * pairs)], srlgs: [] };
    const forecast: ForecastDemand[] = [{ aSiteId: 'a', zSiteId: 'b', period: 1, gbps: gbps / 2, protection: 'none' }, { aSiteId: 'a', zSiteId: 'b', period: 2, gbps, protection: 'none' }];
    const { objective, status } = await solvePlan({ network: net, forecast, periods: 2 });
    assert.equal(status, 'optimal');
    const expected = bruteForceOneSpan(gbps, km, pairs, free);
    assert.ok(Math.abs((objective as number) - expected) < 1e-6, `${gbps}G over ${km} km: ${objective} vs brute force ${expected}`);
  }
});

/** A square a-b-c-d with a diagonal candidate route and cables nearly full. */
function square(): Network {
  return {
    name: 'square',
    sites: [site('a', 0, 0), site('b', 0, 2), site('c', 2, 2), site('d', 2, 0)],
    spans: [span('ab', 'a', 'b', 220, 1, 4, 2, ['s1']), span('bc', 'b', 'c', 220, 1, 2, 2), span('cd', 'c', 'd', 220, 1, 4, 2), span('da', 'd', 'a', 220, 1, 2, 2, ['s1'])],
    srlgs: [{ id: 's1', name: 's1', kind: 'conduit' }],
  };
}

function squareInput(supply: number[] | undefined, scale = 1): NetworkPlanInput {
  const net = square();
  const forecast: ForecastDemand[] = [];
  for (let t = 1; t <= 3; t++) {
    forecast.push({ aSiteId: 'a', zSiteId: 'c', period: t, gbps: scale * 4000 * t, protection: 'none' });
    forecast.push({ aSiteId: 'b', zSiteId: 'd', period: t, gbps: scale * 1200 * t, protection: '1+1' });
  }
  return { network: net, forecast, periods: 3, fiberSupplyKm: supply, candidateRoutes: proposeRoutes(net, { maxKm: 400 }), discountRate: 0.08 };
}

test('multi-period plan: feasible by the independent checker, monotone, 1+1 on SRLG-disjoint routes, supply respected', async () => {
  const input = squareInput([60_000, 60_000, 60_000]);
  const { plan, status } = await solvePlan(input);
  assert.equal(status, 'optimal');
  assert.ok(plan);
  for (let t = 1; t < plan.periods.length; t++) {
    const before = new Map(plan.periods[t - 1].lit.map((w) => [`${w.rateGbps}|${w.spanIds}|${w.protectSpanIds}`, w.count]));
    for (const [k, n] of before) {
      const now = plan.periods[t].lit.filter((w) => `${w.rateGbps}|${w.spanIds}|${w.protectSpanIds}` === k).reduce((s, w) => s + w.count, 0);
      assert.ok(now >= n, `wave ${k} decreased`);
    }
    assert.ok(plan.periods[t].kpis.litCapacityGbps >= plan.periods[t - 1].kpis.litCapacityGbps);
  }
  const prot = plan.periods[2].lit.filter((w) => w.protection === '1+1');
  assert.ok(prot.length > 0);
  for (const w of prot) assert.ok(!(w.spanIds.includes('ab') && w.protectSpanIds.includes('da')) && !(w.spanIds.includes('da') && w.protectSpanIds.includes('ab')), 'ab and da share SRLG s1');
  for (const p of plan.periods) assert.ok(p.kpis.fiberKmBought <= 60_000 + 1e-6);
  // The checker catches a plan that drops a wave or overstates supply.
  const broken = structuredClone(plan);
  broken.periods[2].lit = broken.periods[2].lit.slice(1);
  assert.ok(!checkNetworkPlan(input, broken).ok);
  assert.ok(!checkNetworkPlan({ ...input, fiberSupplyKm: [0, 0, 0] }, plan).ok || plan.periods.every((p) => p.kpis.fiberKmBought === 0));
});

test('property: lowering the fiber supply never lowers the optimum (or makes it infeasible)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 120_000 }), async (s1, s2) => {
      const [lo, hi] = s1 <= s2 ? [s1, s2] : [s2, s1];
      const a = await solvePlan(squareInput([hi, hi, hi]), 60);
      const b = await solvePlan(squareInput([lo, lo, lo]), 60);
      if (b.status === 'infeasible') return;
      assert.equal(a.status, 'optimal');
      assert.equal(b.status, 'optimal');
      assert.ok((b.objective as number) >= (a.objective as number) - 1e-6, `supply ${lo}: ${b.objective} < supply ${hi}: ${a.objective}`);
    }),
    { numRuns: 5, seed: 3 },
  );
});

test('property: adding demand never lowers the optimum', async () => {
  await fc.assert(
    fc.asyncProperty(fc.double({ min: 0.2, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), async (scale, extra) => {
      const a = await solvePlan(squareInput(undefined, scale), 60);
      const b = await solvePlan(squareInput(undefined, scale + extra), 60);
      assert.ok((b.objective as number) >= (a.objective as number) - 1e-6);
    }),
    { numRuns: 5, seed: 11 },
  );
});

test('built-in network, three years of AI data-center growth: a checked plan within the time limit, warm start feasible', async () => {
  const net = builtinNetwork();
  const forecast = growthForecast(net, { baseGbps: 400, defaultGrowth: 0.25, growthByMetro: { Dallas: 0.8, Phoenix: 0.8 }, periods: 3 });
  const input: NetworkPlanInput = { network: net, forecast, periods: 3, periodLabels: ['2026', '2027', '2028'], fiberSupplyKm: [100_000, 100_000, 100_000] };
  const nm = buildNetworkModel(input);
  const ws = networkWarmStart(nm);
  assert.ok(ws, 'the shortest-path warm start is feasible');
  // Optimality is not asserted (the bench reports the gap): a short limit keeps CI time down.
  const r = await solveWithHighs(nm.model, { timeLimitSec: 6, warmStart: ws });
  assert.ok(r.x);
  assert.ok((r.objective as number) <= objectiveOf(nm.model, ws) + 1e-6, 'never worse than the warm start');
  assert.ok(r.bound !== null && r.bound <= (r.objective as number) + 1e-6);
  const plan = decodeNetworkPlan(nm, r);
  assert.deepEqual(checkNetworkPlan(input, plan).problems, []);
  assert.equal(plan.periods[0].label, '2026');
  assert.ok(plan.periods[2].kpis.litCapacityGbps >= plan.periods[2].kpis.demandGbps);
  assert.ok(JSON.parse(JSON.stringify(plan)).periods.length === 3, 'the plan is JSON-serialisable');
});

test('exhaustion: a span is exhausted in the first period whose shortest-path need exceeds its lit slots', () => {
  const net: Network = { name: 'line', sites: [site('a', 0, 0), site('b', 0, 1), site('c', 0, 2)], spans: [span('ab', 'a', 'b', 100, 1, 4, 2), span('bc', 'b', 'c', 100, 1, 4, 2)], srlgs: [] };
  // 800G DP-32QAM (10 slots, 250 km) is the narrowest highest-rate mode reaching 200 km: 38 waves take
  // 380 of the 384 lit slots, 39 take 390.
  const forecast: ForecastDemand[] = [1, 2, 3].map((t) => ({ aSiteId: 'a', zSiteId: 'c', period: t, gbps: [800 * 38, 800 * 38 + 1, 10][t - 1], protection: 'none' as const }));
  forecast.push({ aSiteId: 'a', zSiteId: 'b', period: 3, gbps: 800, protection: 'none' });
  const ex = spanExhaustion({ network: net, forecast, periods: 3 });
  const ab = ex.find((e) => e.spanId === 'ab');
  const bc = ex.find((e) => e.spanId === 'bc');
  assert.deepEqual(ab?.slotsNeeded, [380, 390, 20]);
  assert.deepEqual(bc?.slotsNeeded, [380, 390, 10]);
  assert.equal(ab?.exhaustedInPeriod, 2);
  assert.equal(bc?.exhaustedInPeriod, 2);
  assert.equal(ex.length, 2);
});
