/**
 * The plan → inventory change set (engine/planning/change-set.ts) on a hand-made plan: builds summed
 * over periods per span, cables named per plan, fiber pairs lit from free strands (existing cables
 * first), new routes as new spans, waves only counted, and every reason it cannot apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChangeSet } from '../../src/engine/planning/change-set.js';
import type { NetworkPlan, PeriodPlan } from '../../src/engine/planning/network-plan.js';
import { DEFAULT_LINE_SYSTEM, type Network } from '../../src/domain/network.js';

const net = (): Network => ({
  name: 't',
  sites: ['a', 'b', 'c'].map((id, i) => ({ id, name: id, kind: 'pop' as const, lat: 40, lon: -100 + i, metro: null, cloudProvider: null, cloudRegion: null })),
  srlgs: [],
  spans: [
    { id: 'a-b', aSiteId: 'a', zSiteId: 'b', lengthKm: 100, measuredLatencyUs: null, geometry: { type: 'LineString', coordinates: [[-100, 40], [-99, 40]] }, srlgIds: [], cables: [{ id: 'a-b-c1', strandCount: 6, strandsInUse: 2 }], lineSystem: { ...DEFAULT_LINE_SYSTEM } },
    { id: 'b-c', aSiteId: 'b', zSiteId: 'c', lengthKm: 50, measuredLatencyUs: null, geometry: { type: 'LineString', coordinates: [[-99, 40], [-98, 40]] }, srlgIds: [], cables: [], lineSystem: null },
  ],
});

const capex = { transponders: 0, lineSystems: 0, cables: 0, routes: 0, total: 0, discounted: 0 };
const kpis = { routeKm: 0, routeMiles: 0, fiberMiles: 0, litCapacityGbps: 0, demandGbps: 0, fiberKmBought: 0, fiberKmSupply: null, wavesLit: 0 };
const period = (p: number, build: Partial<PeriodPlan['build']>): PeriodPlan => ({ period: p, label: `Y${p}`, build: { waves: [], lineSystems: [], cables: [], newRoutes: [], ...build }, capex, lit: [], utilisation: [], kpis });
const planOf = (periods: PeriodPlan[]): NetworkPlan => ({ network: 't', periods, solver: { solver: 'x', status: 'optimal', objective: 0, bound: 0, gap: 0, seconds: 0, nodes: 0 }, capex, exhaustion: [], assumptions: { newCableStrands: 12, discountRate: 0, pathsPerDemand: 3, pairsPerDemand: 3 } });
const geometry = { type: 'LineString' as const, coordinates: [[-100, 40], [-98, 40]] as [number, number][] };

test('builds over periods become span updates and creates; pairs take free strands, existing cables first', () => {
  const plan = planOf([
    period(1, { lineSystems: [{ spanId: 'a-b', added: 2 }] }),
    period(2, {
      lineSystems: [{ spanId: 'a-b', added: 1 }, { spanId: 'b-c', added: 1 }, { spanId: 'new-a-c', added: 2 }],
      cables: [{ spanId: 'a-b', added: 1, strandsPerCable: 12, fiberKm: 1200, onNewRoute: false }, { spanId: 'b-c', added: 1, strandsPerCable: 12, fiberKm: 600, onNewRoute: false }, { spanId: 'new-a-c', added: 1, strandsPerCable: 12, fiberKm: 2400, onNewRoute: true }],
      newRoutes: [{ routeId: 'new-a-c', aSiteId: 'a', zSiteId: 'c', lengthKm: 200, geometry }],
      waves: [{ count: 5 } as PeriodPlan['build']['waves'][number]],
    }),
  ]);
  const cs = planChangeSet(net(), plan, 'pln-1');
  assert.deepEqual(cs.conflicts, []);
  assert.equal(cs.wavesPlanned, 5);
  assert.deepEqual(cs.changes.map((c) => [c.op, c.spanId, c.cablesAdded, c.fiberPairsAdded]), [
    ['span.update', 'a-b', ['a-b-pln-1-1'], 3],
    ['span.update', 'b-c', ['b-c-pln-1-1'], 1],
    ['span.create', 'new-a-c', ['new-a-c-pln-1-1'], 2],
  ]);
  const [ab, bc, ac] = cs.changes;
  // a-b: 4 free strands on the old cable take two pairs, the third pair comes from the new cable.
  assert.deepEqual(ab.after.cables, [{ id: 'a-b-c1', strandCount: 6, strandsInUse: 6 }, { id: 'a-b-pln-1-1', strandCount: 12, strandsInUse: 2 }]);
  assert.equal(ab.after.lineSystem?.fiberPairs, 1 + 3);
  assert.deepEqual(ab.periods.map((p) => [p.label, p.lineSystemsAdded, p.cablesAdded]), [['Y1', 2, 0], ['Y2', 1, 1]]);
  assert.equal(ab.fiberKmAdded, 1200);
  // b-c had no line system: it gets the default one with the pairs lit.
  assert.deepEqual(bc.after.lineSystem, { ...DEFAULT_LINE_SYSTEM, fiberPairs: 1 });
  assert.equal(bc.before?.lineSystem, null);
  assert.equal(ac.before, null);
  assert.deepEqual([ac.after.aSiteId, ac.after.zSiteId, ac.after.lengthKm, ac.after.geometry], ['a', 'c', 200, geometry]);
  assert.equal(ac.after.lineSystem?.fiberPairs, 2);
  assert.equal(ac.after.cables[0].strandsInUse, 4);
  assert.ok(ac.periods[0].routeOpened);
  // Deterministic: the same plan names the same cables.
  assert.deepEqual(planChangeSet(net(), plan, 'pln-1'), cs);
});

test('every reason the change set no longer fits is a conflict', () => {
  const n = net();
  n.spans = n.spans.filter((s) => s.id !== 'b-c');
  n.spans[0].cables.push({ id: 'a-b-pln-2-1', strandCount: 2, strandsInUse: 0 });
  const plan = planOf([
    period(1, {
      lineSystems: [{ spanId: 'b-c', added: 1 }, { spanId: 'a-b', added: 9 }],
      cables: [{ spanId: 'a-b', added: 1, strandsPerCable: 2, fiberKm: 200, onNewRoute: false }],
      newRoutes: [{ routeId: 'a-b', aSiteId: 'a', zSiteId: 'b', lengthKm: 1, geometry }, { routeId: 'new-x', aSiteId: 'a', zSiteId: 'zz', lengthKm: 1, geometry }],
    }),
  ]);
  const cs = planChangeSet(n, plan, 'pln-2');
  assert.equal(cs.conflicts.length, 3, cs.conflicts.join('\n'));
  assert.match(cs.conflicts.join('\n'), /span "a-b" already exists/);
  assert.match(cs.conflicts.join('\n'), /"b-c" of the plan is no longer in the inventory/);
  assert.match(cs.conflicts.join('\n'), /unknown site\(s\) zz/);
  const cs2 = planChangeSet(n, planOf([period(1, { lineSystems: [{ spanId: 'a-b', added: 9 }], cables: [{ spanId: 'a-b', added: 1, strandsPerCable: 2, fiberKm: 200, onNewRoute: false }] })]), 'pln-2');
  assert.match(cs2.conflicts.join('\n'), /cable "a-b-pln-2-1" already exists/);
  assert.match(cs2.conflicts.join('\n'), /no free fiber pair left for 5 of the plan's 9/);
});
