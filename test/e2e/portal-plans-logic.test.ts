/**
 * The planning view's pure logic (web/src/plans/planView.ts) against a hand-made plan document: the
 * period of each build, the map overlays (existing spans solid per period, new routes dashed on their
 * own geometry), the chart series and bars, the exhaustion list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanDocument } from '../../web/src/api/ordering-types.js';
import { bars, builtLinks, exhaustionRows, periodColour, periodSeries, planOverlays } from '../../web/src/plans/planView.js';

const capex = (total: number) => ({ transponders: 0, lineSystems: total, cables: 0, routes: 0, total, discounted: total });
const kpis = (fiberMiles: number) => ({ routeKm: 0, routeMiles: 0, fiberMiles, litCapacityGbps: 0, demandGbps: 0, fiberKmBought: 0, fiberKmSupply: null, wavesLit: 0 });
const route = { type: 'LineString' as const, coordinates: [[-100, 40], [-99, 39]] as [number, number][] };

const doc: PlanDocument = {
  network: 't',
  periods: [
    {
      period: 1,
      label: '2027',
      build: { waves: [], lineSystems: [{ spanId: 'a-b', added: 2 }], cables: [], newRoutes: [] },
      capex: capex(40),
      lit: [],
      utilisation: [
        { spanId: 'a-b', slotsUsed: 24, slotsLit: 48, utilisation: 0.5, fiberPairsLit: 1, cablesAdded: 0 },
        { spanId: 'b-c', slotsUsed: 0, slotsLit: 0, utilisation: null, fiberPairsLit: 0, cablesAdded: 0 },
      ],
      kpis: kpis(1000),
    },
    {
      period: 2,
      label: '2028',
      build: {
        waves: [],
        lineSystems: [{ spanId: 'a-b', added: 1 }, { spanId: 'new-a-c', added: 1 }],
        cables: [{ spanId: 'b-c', added: 1, strandsPerCable: 144, fiberKm: 14400, onNewRoute: false }, { spanId: 'new-a-c', added: 1, strandsPerCable: 144, fiberKm: 20000, onNewRoute: true }],
        newRoutes: [{ routeId: 'new-a-c', aSiteId: 'a', zSiteId: 'c', lengthKm: 140, geometry: route }],
      },
      capex: capex(260),
      lit: [],
      utilisation: [
        { spanId: 'a-b', slotsUsed: 36, slotsLit: 48, utilisation: 0.75, fiberPairsLit: 1, cablesAdded: 0 },
        { spanId: 'b-c', slotsUsed: 12, slotsLit: 48, utilisation: 0.25, fiberPairsLit: 1, cablesAdded: 1 },
      ],
      kpis: kpis(4000),
    },
  ],
  solver: { solver: 'highs', status: 'optimal', objective: 300, bound: 300, gap: 0, seconds: 1, nodes: 1 },
  capex: capex(300),
  exhaustion: [
    { spanId: 'b-c', slotsAvailable: 0, slotsNeeded: [0, 12], exhaustedInPeriod: 2, label: '2028' },
    { spanId: 'a-b', slotsAvailable: 48, slotsNeeded: [60, 80], exhaustedInPeriod: 1, label: '2027' },
    { spanId: 'c-d', slotsAvailable: 48, slotsNeeded: [1, 2], exhaustedInPeriod: null, label: null },
  ],
  assumptions: { newCableStrands: 144, discountRate: 0, pathsPerDemand: 3, pairsPerDemand: 3 },
};

describe('planning view logic', () => {
  it('each link is drawn in the colour of the first period that builds on it; new routes dashed on their geometry', () => {
    assert.deepEqual(builtLinks(doc).map((l) => [l.spanId, l.label, l.lineSystemsAdded, l.cablesAdded, l.newRoute]), [
      ['a-b', '2027', 3, 0, false],
      ['b-c', '2028', 0, 1, false],
      ['new-a-c', '2028', 1, 1, true],
    ]);
    const o = planOverlays(doc);
    assert.deepEqual(o.map((x) => [x.key, x.spanIds, x.colour, x.dashed === true]), [
      ['plan-1', ['a-b'], periodColour(0), false],
      ['plan-2', ['b-c'], periodColour(1), false],
      ['plan-route-new-a-c', [], periodColour(1), true],
    ]);
    assert.deepEqual(o[2].lines, [route]);
    assert.notEqual(periodColour(0), periodColour(1));
  });

  it('series per period: fiber miles, capex, mean utilisation of lit links; bars proportional', () => {
    const s = periodSeries(doc);
    assert.deepEqual(s.map((p) => [p.label, p.fiberMiles, p.capex, p.utilisation]), [
      ['2027', 1000, 40, 0.5],
      ['2028', 4000, 260, 0.5],
    ]);
    const b = bars(s.map((p) => ({ label: p.label, value: p.capex })), 200, 100);
    assert.equal(b.top, 500);
    assert.deepEqual(b.bars.map((x) => x.height), [8, 52]);
    assert.ok(b.bars.every((x) => Math.abs(x.y + x.height - 100) < 1e-9), 'bars stand on the axis');
    assert.ok(b.bars[0].x + b.bars[0].width <= b.bars[1].x, 'bars do not overlap');
    assert.equal(bars([{ label: 'x', value: 0.25 }], 100, 80, 1).bars[0].height, 20);
  });

  it('exhaustion: only spans that run out, soonest first', () => {
    assert.deepEqual(exhaustionRows(doc).map((e) => [e.spanId, e.label]), [['a-b', '2027'], ['b-c', '2028']]);
  });
});
