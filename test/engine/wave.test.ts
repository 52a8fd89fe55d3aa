/**
 * Wave planning by physics (src/engine/wave.ts), checked against independent oracles on random chains
 * of spans with mixed grids, ROADMs and amplifier huts, held spectrum and lit neighbours:
 *  - every span's slots are free before planning, lie in the span's band and cover the channel's
 *    frequency range on that span's own grid (slot continuity computed in frequency);
 *  - the fiber pair changes only at a ROADM, never across an amplifier hut; regenerators only at ROADMs;
 *  - each segment's GSNR, recomputed from scratch with the closed form (pathGsnr, not the incremental
 *    state) over the channels lit on each span, clears the mode's threshold plus the margin, and no lit
 *    neighbour is left below its own threshold;
 *  - a path whose bands share no spectrum is refused saying so.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Network, Site, Span } from '../../src/domain/network.js';
import { TRANSCEIVER_MODES } from '../../src/domain/transceiver-modes.js';
import { makePath } from '../../src/engine/graph.js';
import { LineSystemState, pathGsnr, type LightpathInput, type LineState } from '../../src/engine/qot/line-system.js';
import type { SpectrumGrid } from '../../src/engine/spectrum.js';
import { clearStarts, modesForBandwidth, occupyWave, physicsPlacer, planWave, regenCandidates, thresholdDb, txOsnrOf, type SpanGrid, type WavePlan } from '../../src/engine/wave.js';
import { placeRegenerators } from '../../src/engine/qot/regenerators.js';
import { buildNetworkView, type NetworkView } from '../../src/services/ordering/network-view.js';
import { emptyLineState, physicsOf } from '../../src/services/ordering/physics.js';
import { baseLayers } from '../../src/services/ordering/planner.js';

/** Grids a span may have: 12.5 GHz flex grid, 6.25 GHz, a 50 GHz fixed grid offset by 25 GHz, a shifted 12.5 GHz one. */
const GRIDS = [
  { slotWidthGhz: 12.5, startFrequencyGhz: 191_300, slotCount: 96 },
  { slotWidthGhz: 6.25, startFrequencyGhz: 191_300, slotCount: 192 },
  { slotWidthGhz: 50, startFrequencyGhz: 191_325, slotCount: 24 },
  { slotWidthGhz: 12.5, startFrequencyGhz: 191_337.5, slotCount: 96 },
];
/** A band of its own (193.0–193.8 THz): shares no spectrum with GRIDS[0] (191.3–192.5 THz). */
const APART = GRIDS.length;
const ALL_GRIDS = [...GRIDS, { slotWidthGhz: 12.5, startFrequencyGhz: 193_000, slotCount: 64 }];

interface Chain {
  view: NetworkView;
  /** 1 = the middle node at this index is an amplifier hut. */
  huts: boolean[];
}

function chain(kms: number[], grids: number[], pairs: number[], huts: boolean[], launchPowerDbm?: number): Chain {
  const n = kms.length;
  const sites: Site[] = Array.from({ length: n + 1 }, (_, i) => ({
    id: `s${i}`,
    name: `s${i}`,
    kind: i > 0 && i < n && huts[i] ? 'amplifier' : 'pop',
    lat: 40,
    lon: -100 + i,
    metro: `m${i}`,
    cloudProvider: null,
    cloudRegion: null,
  }));
  const spans: Span[] = kms.map((km, j) => ({
    id: `e${j}`,
    aSiteId: `s${j}`,
    zSiteId: `s${j + 1}`,
    lengthKm: km,
    measuredLatencyUs: null,
    geometry: { type: 'LineString', coordinates: [[-100 + j, 40], [-99 + j, 40]] },
    srlgIds: [],
    cables: [{ id: `c${j}`, strandCount: 24, strandsInUse: 0 }],
    lineSystem: { fiberPairs: pairs[j], ...ALL_GRIDS[grids[j]], ...(launchPowerDbm !== undefined ? { launchPowerDbm } : {}) },
  }));
  const net: Network = { name: 'chain', sites, spans, srlgs: [] };
  return { view: buildNetworkView(net, 1), huts: sites.map((s) => s.kind === 'amplifier') };
}

function wholePath(view: NetworkView) {
  const g = view.graph;
  return makePath(g, view.spans.map((_, j) => g.nodeIndex(`s${j}`)).concat(g.nodeIndex(`s${view.spans.length}`)), view.spans.map((s) => g.spanIndex(s.id)));
}

/** The GSNR (signal bandwidth, dB) of every lit lightpath, recomputed from scratch with the closed form. */
function recomputed(state: LineSystemState, lps: readonly LightpathInput[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const lp of lps) {
    const models = lp.spanIds.map((id) => state.model(id));
    const lit = lp.spanIds.map((sid) => lps.filter((o) => o.spanIds.includes(sid)).map((o) => ({ id: o.id, frequencyHz: o.frequencyHz, baudRateHz: o.baudRateHz })));
    out.set(lp.id, pathGsnr(models, lit, lp.id, lp.txOsnrDb).gsnrDb);
  }
  return out;
}

/** Checks a plan against the oracles; returns the lightpaths it lights. */
function checkPlan(c: Chain, layersBefore: readonly SpectrumGrid[], plan: WavePlan, roadm: Uint8Array): LightpathInput[] {
  const g = c.view.graph;
  const path = wholePath(c.view);
  for (const v of plan.regenNodes) assert.equal(roadm[v], 1, `regenerator at ${g.nodeIds[v]}, which has no ROADM`);
  const covered = plan.segments.flatMap((s) => s.spans);
  assert.deepEqual(covered, path.spans, 'segments cover the path in order');
  const bounds = plan.segments.slice(1).map((s) => path.spans.indexOf(s.spans[0]));
  assert.deepEqual(bounds.map((i) => path.nodes[i]), plan.regenNodes, 'segments meet at the regenerators');
  const widthGhz = plan.mode.channelWidthGhz;
  for (const s of plan.segments) {
    s.spans.forEach((e, i) => {
      const grid = c.view.spans[e].lineSystem as SpanGrid;
      const [start, count, pair] = [s.startSlots[i], s.slotCounts[i], s.fiberPairs[i]];
      assert.ok(start >= 0 && start + count <= grid.slotCount && pair < grid.fiberPairs, 'in the span\'s band and fiber pairs');
      assert.ok(layersBefore[pair].isFree(e, start, count), `slots ${start}+${count} of span e${e} pair ${pair} were free`);
      const lo = grid.startFrequencyGhz + start * grid.slotWidthGhz;
      const hi = lo + count * grid.slotWidthGhz;
      assert.ok(lo <= s.centerFrequencyGhz - widthGhz / 2 + 1e-6 && hi >= s.centerFrequencyGhz + widthGhz / 2 - 1e-6, `span e${e}'s slots [${lo}, ${hi}) GHz cover the channel at ${s.centerFrequencyGhz} ± ${widthGhz / 2}`);
      assert.ok(hi - lo < widthGhz + 2 * grid.slotWidthGhz, 'no more slots than covering takes');
      // Across a node without a ROADM the wave stays on its fiber pair.
      if (i > 0 && roadm[path.nodes[path.spans.indexOf(e)]] !== 1) assert.equal(pair, s.fiberPairs[i - 1], `fiber pair changed at amplifier hut ${g.nodeIds[path.nodes[path.spans.indexOf(e)]]}`);
    });
  }
  return plan.segments.map((s) => s.lightpath);
}

const arbChain = fc.record({
  n: fc.integer({ min: 1, max: 4 }),
  kms: fc.array(fc.integer({ min: 30, max: 900 }), { minLength: 4, maxLength: 4 }),
  grids: fc.array(fc.integer({ min: 0, max: GRIDS.length - 1 }), { minLength: 4, maxLength: 4 }),
  pairs: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 4, maxLength: 4 }),
  huts: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  held: fc.array(fc.record({ span: fc.nat(3), pair: fc.nat(1), start: fc.nat(191), width: fc.integer({ min: 1, max: 40 }) }), { maxLength: 12 }),
  neighbours: fc.array(fc.record({ from: fc.nat(3), to: fc.nat(3), gbps: fc.constantFrom(100, 200, 400), top: fc.boolean() }), { maxLength: 6 }),
  gbps: fc.constantFrom(100, 200, 400),
  marginDb: fc.constantFrom(0, 1, 2, 3),
});

type ChainCase = typeof arbChain extends fc.Arbitrary<infer T> ? T : never;

/**
 * The world of one arbChain case: the chain, its held spectrum and its neighbours (waves planned on
 * sub-paths the same way, then held and lit), and the lightpaths they lit.
 */
function worldOf(r: ChainCase) {
  const n = r.n;
  const c = chain(r.kms.slice(0, n), r.grids.slice(0, n), r.pairs.slice(0, n), r.huts.slice(0, n + 1));
  const { net } = physicsOf(c.view);
  const layers = baseLayers(c.view);
  for (const h of r.held) {
    const e = h.span % n;
    const ls = c.view.spans[e].lineSystem as SpanGrid;
    if (h.pair >= ls.fiberPairs) continue;
    const start = h.start % ls.slotCount;
    const width = Math.min(h.width, ls.slotCount - start);
    if (layers[h.pair].isFree(e, start, width)) layers[h.pair].occupy(e, start, width);
  }
  const state = emptyLineState(c.view);
  const g = c.view.graph;
  const lit: LightpathInput[] = [];
  r.neighbours.forEach((nb, k) => {
    const a = Math.min(nb.from % n, nb.to % n);
    const b = Math.max(nb.from % n, nb.to % n) + 1;
    const sub = makePath(g, Array.from({ length: b - a + 1 }, (_, i) => g.nodeIndex(`s${a + i}`)), Array.from({ length: b - a }, (_, i) => g.spanIndex(`e${a + i}`)));
    const res = planWave(net, layers, state, sub, { id: `nb${k}`, bandwidthGbps: nb.gbps, marginDb: 0, fromTop: nb.top });
    if (!res.ok) return;
    occupyWave(layers, res.plan);
    lit.push(...res.plan.segments.map((s) => s.lightpath));
  });
  return { c, net, layers, state, lit };
}

describe('wave planning by physics', () => {
  test('property: clearStarts marks exactly the starts whose n slots are all clear and inside the words (brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.integer({ min: 0, max: 447 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        (raw, clearRuns, n, sparse) => {
          // Mostly held words with runs cleared, or random words: both long and short free runs.
          const occ = Uint32Array.from(raw.map((x) => (sparse ? x : 0xffffffff)));
          const bits = occ.length * 32;
          for (const start of clearRuns) for (let k = start; k < Math.min(bits, start + 1 + (start % 37)); k++) occ[k >>> 5] &= ~(1 << (k & 31));
          const held = (k: number): boolean => k >= bits || ((occ[k >>> 5] >>> (k & 31)) & 1) === 1;
          const got = clearStarts(occ, n);
          for (let k = 0; k < bits; k++) {
            let clear = true;
            for (let j = 0; j < n && clear; j++) if (held(k + j)) clear = false;
            assert.equal(((got[k >>> 5] >>> (k & 31)) & 1) === 1, clear, `start ${k}, n ${n}`);
          }
        },
      ),
      { seed: 2305, numRuns: 300 },
    );
  });

  test('property: free slots covering the channel in frequency on each grid, one fiber pair across amplifier huts, regenerators at ROADMs, GSNR and neighbours above threshold (recomputed from scratch)', () => {
    let planned = 0;
    let regenerated = 0;
    fc.assert(
      fc.property(arbChain, (r) => {
        const { c, net, layers, state, lit } = worldOf(r);
        const before = layers.map((l) => l.clone());
        const res = planWave(net, layers, state, wholePath(c.view), { id: 'w', bandwidthGbps: r.gbps, marginDb: r.marginDb });
        if (!res.ok) {
          assert.ok(res.reason.length > 0, 'a refusal says why');
          for (const lp of lit) assert.ok(state.has(lp.id) && !state.has('w/0'), 'a refusal leaves the lit state as it was');
          return;
        }
        planned++;
        if (res.plan.regenNodes.length > 0) regenerated++;
        const mine = checkPlan(c, before, res.plan, net.roadm);
        const gsnr = recomputed(state, [...lit, ...mine]);
        res.plan.segments.forEach((s) => {
          const th = s.lightpath.thresholdDb as number;
          assert.ok((gsnr.get(s.lightpathId) as number) >= th + r.marginDb - 1e-9, `segment ${s.lightpathId}: GSNR ${gsnr.get(s.lightpathId)} dB against ${th} + ${r.marginDb} dB`);
          assert.ok(Math.abs((gsnr.get(s.lightpathId) as number) - s.qot.gsnrDb) < 1e-9, 'the plan states the GSNR the closed form gives');
        });
        for (const lp of lit) {
          if (lp.thresholdDb !== undefined) assert.ok((gsnr.get(lp.id) as number) >= lp.thresholdDb - 1e-9, `neighbour ${lp.id} pushed below its threshold`);
        }
      }),
      { seed: 1313, numRuns: 120 },
    );
    assert.ok(planned > 40, `most random requests are planned (${planned})`);
    assert.ok(regenerated > 0, 'some need a regenerator');
  });

  test('property: with lightLast false the plan is the same, every segment but the last is lit and the last is not (a refusal lights nothing either way)', () => {
    let planned = 0;
    let regenerated = 0;
    fc.assert(
      fc.property(arbChain, (r) => {
        // Two identical worlds: the same held spectrum and neighbours, planned the same way.
        const lit = worldOf(r);
        const unlit = worldOf(r);
        const { c, net } = lit;
        const req = { id: 'w', bandwidthGbps: r.gbps, marginDb: r.marginDb };
        const a = planWave(net, lit.layers, lit.state, wholePath(c.view), req);
        const b = planWave(net, unlit.layers, unlit.state, wholePath(c.view), { ...req, lightLast: false });
        assert.deepEqual(b, a);
        assert.equal(unlit.state.size, lit.state.size - (a.ok ? 1 : 0));
        if (!a.ok) return;
        planned++;
        if (a.plan.regenNodes.length > 0) regenerated++;
        const segs = a.plan.segments;
        segs.forEach((sg, k) => {
          assert.ok(lit.state.has(sg.lightpathId));
          assert.equal(unlit.state.has(sg.lightpathId), k + 1 < segs.length, `segment ${k} of ${segs.length}`);
        });
      }),
      { seed: 1205, numRuns: 150 },
    );
    assert.ok(planned > 20 && regenerated > 0, `planned ${planned}, regenerated ${regenerated}`);
  });

  test('property: regenerated candidates come fewest regenerators first, then narrowest, then in mode order, as probing every mode among the lit channels gives (modes are probed alone first)', () => {
    let compared = 0;
    let reordered = 0;
    // Many neighbours: their NLI must change some mode's regenerator count for the order to be tested.
    const crowded = arbChain.chain((r) =>
      fc
        .tuple(fc.array(fc.record({ from: fc.nat(3), to: fc.nat(3), gbps: fc.constantFrom(100, 200, 400), top: fc.boolean() }), { minLength: 10, maxLength: 60 }), fc.constantFrom(0, 3, 6))
        .map(([neighbours, launchPowerDbm]) => ({ ...r, neighbours, launchPowerDbm })),
    );
    fc.assert(
      fc.property(crowded, (r) => {
        const n = r.n;
        const c = chain(r.kms.slice(0, n), r.grids.slice(0, n), r.pairs.slice(0, n), r.huts.slice(0, n + 1), r.launchPowerDbm);
        const { net } = physicsOf(c.view);
        const layers = baseLayers(c.view);
        const state = emptyLineState(c.view);
        const g = c.view.graph;
        r.neighbours.forEach((nb, k) => {
          const a = Math.min(nb.from % n, nb.to % n);
          const b = Math.max(nb.from % n, nb.to % n) + 1;
          const sub = makePath(g, Array.from({ length: b - a + 1 }, (_, i) => g.nodeIndex(`s${a + i}`)), Array.from({ length: b - a }, (_, i) => g.spanIndex(`e${a + i}`)));
          const res = planWave(net, layers, state, sub, { id: `nb${k}`, bandwidthGbps: nb.gbps, marginDb: 0, fromTop: nb.top });
          if (res.ok) occupyWave(layers, res.plan);
        });
        const path = wholePath(c.view);
        const req = { id: 'w', bandwidthGbps: r.gbps, marginDb: r.marginDb };
        const modes = modesForBandwidth(r.gbps);
        // Brute force: every mode probed among the lit channels at the first span's band centre, its
        // fewest regenerators placed, those with at least one sorted by count, width and mode order.
        const grid = c.view.spans[path.spans[0]].lineSystem as SpanGrid;
        const centreHz = (grid.startFrequencyGhz + (grid.slotCount * grid.slotWidthGhz) / 2) * 1e9;
        const spanIds = path.spans.map((e) => g.spanIds[e]);
        const want = modes
          .map((mode, at) => {
            const eff = state.evaluate({ id: 'probe', spanIds, frequencyHz: centreHz, baudRateHz: mode.baudRateGbd * 1e9, txOsnrDb: txOsnrOf(mode) }, { neighbours: false });
            const models = spanIds.map((id) => state.model(id));
            const plan = placeRegenerators(n, (i) => net.roadm[path.nodes[i]] === 1, (i, j) => {
              let inv = eff.terminalInv;
              let cd = 0;
              let pmd2 = 0;
              for (let k = i; k < j; k++) {
                inv += eff.perSpanInv[k];
                cd += models[k].cdPsPerNm;
                pmd2 += models[k].pmdPs ** 2;
              }
              const th = thresholdDb(mode, cd, Math.sqrt(pmd2));
              return Number.isFinite(th) && -10 * Math.log10(inv) >= th + r.marginDb;
            });
            return { id: mode.id, sites: plan?.sites ?? [], width: mode.channelWidthGhz, at };
          })
          .filter((x) => x.sites.length > 0)
          .sort((x, y) => x.sites.length - y.sites.length || x.width - y.width || x.at - y.at);
        const got = [...regenCandidates(net, state, path, modes, req)].map((x) => ({ id: x.mode.id, sites: x.cuts }));
        assert.deepEqual(got, want.map((x) => ({ id: x.id, sites: x.sites })));
        if (want.length > 1) compared++;
        // Cases where the candidates' order by their counts alone (no channel lit) is not their order:
        // the bound alone would try them in the wrong order there.
        const alone = new LineSystemState(spanIds.map((id) => state.model(id)), state.opts);
        const aloneCount = new Map([...regenCandidates(net, alone, path, modes, req)].map((x) => [x.mode.id, x.cuts.length]));
        const byBound = [...want].sort((x, y) => (aloneCount.get(x.id) ?? 0) - (aloneCount.get(y.id) ?? 0) || x.width - y.width || x.at - y.at);
        if (byBound.map((x) => x.id).join() !== want.map((x) => x.id).join()) reordered++;
      }),
      { seed: 2024, numRuns: 300 },
    );
    assert.ok(compared > 10, `several requests have more than one regenerated candidate (${compared})`);
    assert.ok(reordered >= 3, `the lit channels change the order in some requests (${reordered})`);
  });

  test('a neighbour already below its threshold refuses the segment at once, and brute force agrees: every frequency would push it further below', () => {
    const c = chain([400, 400], [0, 0], [1, 1], [false, false, false]);
    const { net } = physicsOf(c.view);
    const state = emptyLineState(c.view);
    // A lit wave whose receiver asks more than any GSNR here: below its threshold before anything else is lit.
    state.add({ id: 'weak', spanIds: ['e1'], frequencyHz: 191_400e9, baudRateHz: 32e9, thresholdDb: 60 });
    const layers = baseLayers(c.view);
    const res = planWave(net, layers, state, wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 0 });
    assert.ok(!res.ok && /weak is already .* below its threshold/.test(res.reason), res.ok ? 'planned' : res.reason);
    assert.ok(!state.has('w/0'), 'nothing left lit');
    // The oracle: each 50 GHz placement across the band, judged one by one, leaves the neighbour below.
    const ls = c.view.spans[0].lineSystem as SpanGrid;
    for (let f = ls.startFrequencyGhz + 50; f < ls.startFrequencyGhz + ls.slotCount * ls.slotWidthGhz - 50; f += 50) {
      if (f === 191_400) continue;
      const eff = state.evaluate({ id: 'w/0', spanIds: ['e0', 'e1'], frequencyHz: f * 1e9, baudRateHz: 32e9 });
      assert.ok(eff.worst !== null && eff.worst.id === 'weak' && eff.worst.marginDb < 0, `at ${f} GHz`);
    }
  });

  test('the weakest neighbour is asked for only once a neighbour refuses a frequency: not at all where none does, once (after one evaluation) where one is already below', () => {
    /** The state itself, counting what the planner asks of it (a spy on the real object, not a stand-in). */
    const counted = (state: LineSystemState) => {
      const n = { weakestOn: 0, evaluate: 0, bySegment: new Map<string, number>() };
      const spy: LineState = Object.create(state) as LineState;
      spy.weakestOn = (ids) => (n.weakestOn++, state.weakestOn(ids));
      spy.evaluate = (lp, o) => {
        n.evaluate++;
        // A frequency judged with its neighbours (not the regenerator search's probes, which read only the noise).
        if (!o?.alone && o?.neighbours !== false) n.bySegment.set(lp.spanIds.join(','), (n.bySegment.get(lp.spanIds.join(',')) ?? 0) + 1);
        return state.evaluate(lp, o);
      };
      return { spy, n };
    };
    const c = chain([400, 400], [0, 0], [1, 1], [false, false, false]);
    const { net } = physicsOf(c.view);
    // Healthy neighbours: planned without asking.
    const calm = emptyLineState(c.view);
    calm.add({ id: 'fine', spanIds: ['e1'], frequencyHz: 191_400e9, baudRateHz: 32e9, thresholdDb: 10 });
    const a = counted(calm);
    const ok = planWave(net, baseLayers(c.view), a.spy, wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 0 });
    assert.ok(ok.ok, ok.ok ? '' : ok.reason);
    assert.equal(a.n.weakestOn, 0, 'no neighbour refused: the weakest was not looked for');
    assert.ok(a.n.evaluate >= 1);
    // A neighbour below its threshold before anything is lit: one evaluation finds it, then the segment is refused.
    const weak = emptyLineState(c.view);
    weak.add({ id: 'weak', spanIds: ['e1'], frequencyHz: 191_400e9, baudRateHz: 32e9, thresholdDb: 60 });
    const b = counted(weak);
    const res = planWave(net, baseLayers(c.view), b.spy, wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 0, modes: modesForBandwidth(100).slice(0, 1) });
    assert.ok(!res.ok && /weak is already .* below its threshold/.test(res.reason), res.ok ? 'planned' : res.reason);
    // Every segment crossing e1 (the whole path, and after a regenerator at s1) is refused after its first frequency.
    const crossing = [...b.n.bySegment].filter(([k]) => k.split(',').includes('e1'));
    assert.ok(crossing.length >= 1);
    for (const [k, times] of crossing) assert.equal(times, 1, `segment ${k} evaluated once, not once per frequency`);
    assert.equal(b.n.weakestOn, crossing.length, 'asked once per refused segment');
  });

  test('property: a refusal because regenerators cannot help (a stretch between two ROADMs with no free spectrum) agrees with brute force over every regenerator placement and mode', () => {
    let refused = 0;
    fc.assert(
      fc.property(arbChain, fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }), (r, full) => {
        const n = Math.max(2, r.n);
        // One grid on every span (the shortcut is taken only then); some spans made nearly full.
        const grid = r.grids[0];
        const c = chain(r.kms.slice(0, n).map((km) => Math.min(km, 400)), Array(n).fill(grid), r.pairs.slice(0, n), r.huts.slice(0, n + 1));
        const { net } = physicsOf(c.view);
        const layers = baseLayers(c.view);
        const ls = c.view.spans[0].lineSystem as SpanGrid;
        for (const e of full.map((x) => x % n)) {
          for (let p = 0; p < (c.view.spans[e].lineSystem as SpanGrid).fiberPairs; p++) {
            // Held every 4th slot: narrow channels may still fit somewhere, wide ones not.
            for (let k = 0; k < ls.slotCount; k += 4) if (layers[p].isFree(e, k, 1)) layers[p].occupy(e, k, 1);
          }
        }
        for (const h of r.held) {
          const e = h.span % n;
          if (h.pair >= (c.view.spans[e].lineSystem as SpanGrid).fiberPairs) continue;
          const start = h.start % ls.slotCount;
          const width = Math.min(h.width, ls.slotCount - start);
          if (layers[h.pair].isFree(e, start, width)) layers[h.pair].occupy(e, start, width);
        }
        const path = wholePath(c.view);
        const res = planWave(net, layers, emptyLineState(c.view), path, { id: 'w', bandwidthGbps: r.gbps, marginDb: r.marginDb });
        if (res.ok || !/regenerators do not help/.test(res.reason)) return;
        refused++;
        // Brute force: every set of regenerator sites (ROADMs inside the path) and every mode; a segment
        // places a channel when some start has, on each run of spans joined by amplifier huts, one fiber
        // pair with all its slots free on every span of the run.
        const inner = path.nodes.slice(1, -1).map((v, i) => ({ v, i: i + 1 })).filter((x) => net.roadm[x.v] === 1).map((x) => x.i);
        const free = (a: number, b: number, slots: number): boolean => {
          for (let k = 0; k + slots <= ls.slotCount; k++) {
            let ok = true;
            for (let i = a; i < b && ok; ) {
              let j = i + 1;
              while (j < b && net.roadm[path.nodes[j]] !== 1) j++;
              const spans = path.spans.slice(i, j);
              const pairs = Math.max(...spans.map((e) => (c.view.spans[e].lineSystem as SpanGrid).fiberPairs));
              let some = false;
              for (let p = 0; p < pairs && !some; p++) some = spans.every((e) => p < (c.view.spans[e].lineSystem as SpanGrid).fiberPairs && layers[p].isFree(e, k, slots));
              ok = some;
              i = j;
            }
            if (ok) return true;
          }
          return false;
        };
        for (const mode of modesForBandwidth(r.gbps)) {
          const slots = Math.ceil(mode.channelWidthGhz / ls.slotWidthGhz - 1e-9);
          for (let mask = 0; mask < 1 << inner.length; mask++) {
            const bounds = [0, ...inner.filter((_, b) => (mask >> b) & 1), n];
            const placeable = bounds.slice(1).every((b, k) => free(bounds[k], b, slots));
            assert.ok(!placeable, `${mode.id} with regenerators at nodes ${bounds.slice(1, -1).join(',')} has spectrum on every segment, yet: ${res.reason}`);
          }
        }
      }),
      { seed: 77, numRuns: 200 },
    );
    assert.ok(refused >= 10, `several requests are refused so (${refused})`);
  });

  test('a stretch between two ROADMs with no free spectrum refuses the regenerated plans without a GSNR evaluation', () => {
    const c = chain([300, 300, 300], [0, 0, 0], [1, 1, 1], [false, false, false, false]);
    const { net } = physicsOf(c.view);
    const layers = baseLayers(c.view);
    const ls = c.view.spans[1].lineSystem as SpanGrid;
    layers[0].occupy(1, 0, ls.slotCount);
    const state = emptyLineState(c.view);
    let evaluations = 0;
    const spy: LineState = Object.create(state) as LineState;
    spy.evaluate = (lp, o) => (evaluations++, state.evaluate(lp, o));
    const res = planWave(net, layers, spy, wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 0 });
    assert.ok(!res.ok && /regenerators do not help: no .* GHz of spectrum is free on every span from s1 to s2/.test(res.reason), res.ok ? 'planned' : res.reason);
    assert.equal(evaluations, 0);
  });

  test('line systems with different grids: one channel, centred alike, on each grid\'s own covering slots', () => {
    const c = chain([60, 60], [0, 2], [1, 1], [false, false, false]);
    const { net } = physicsOf(c.view);
    const res = planWave(net, baseLayers(c.view), emptyLineState(c.view), wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 2 });
    assert.ok(res.ok, res.ok ? '' : res.reason);
    const s = res.plan.segments[0];
    // 12.5 GHz grid from 191.3 THz and a 50 GHz grid from 191.325 THz: the first shared placement.
    assert.deepEqual(s.slotCounts.length, 2);
    assert.ok(s.startSlots[1] * 50 + 191_325 <= s.centerFrequencyGhz - res.plan.mode.channelWidthGhz / 2);
  });

  test('bands that do not overlap are refused with that reason; a ROADM may change fiber pair, an amplifier hut may not', () => {
    // Joined at an amplifier hut, nothing can bridge the bands; at a ROADM a regenerator does.
    const apart = chain([60, 60], [0, APART], [1, 1], [false, true, false]);
    const refused = planWave(physicsOf(apart.view).net, baseLayers(apart.view), emptyLineState(apart.view), wholePath(apart.view), { id: 'w', bandwidthGbps: 100, marginDb: 0, modes: TRANSCEIVER_MODES });
    assert.ok(!refused.ok && /share no spectrum/.test(refused.reason), refused.ok ? 'planned' : refused.reason);
    const bridged = chain([60, 60], [0, APART], [1, 1], [false, false, false]);
    const regen = planWave(physicsOf(bridged.view).net, baseLayers(bridged.view), emptyLineState(bridged.view), wholePath(bridged.view), { id: 'w', bandwidthGbps: 100, marginDb: 0 });
    assert.ok(regen.ok && regen.plan.regenNodes.length === 1 && regen.plan.segments[1].centerFrequencyGhz >= 193_000, 'a regenerator at the ROADM bridges the bands');


    // Restoration's placer: a regenerator takes two add/drop ports at its site, and only a site with two free gets one.
    const { net: bn } = physicsOf(bridged.view);
    const middle = bn.g.nodeIds[wholePath(bridged.view).nodes[1]];
    const fit = (free: number) => {
      const ports = new Map([[middle, free]]);
      const placer = physicsPlacer(bn, emptyLineState(bridged.view), 0, 'r:', ports);
      const layers = baseLayers(bridged.view);
      const got = placer.fit(bn.g, layers, wholePath(bridged.view), { id: 'w', lineRateGbps: 100 }, () => true);
      if (got) placer.commit(layers, got);
      return { got, left: ports.get(middle) };
    };
    assert.deepEqual(fit(1), { got: null, left: 1 }, 'one free add/drop port: no regenerator there, and no other way across');
    const two = fit(2);
    assert.ok(two.got?.physics.regenNodes.length === 1, 'two free: regenerated there');
    assert.equal(two.left, 0, 'the committed plan took both');

    for (const hut of [false, true]) {
      const c = chain([60, 60], [0, 0], [2, 2], [false, hut, false]);
      const { net } = physicsOf(c.view);
      const layers = baseLayers(c.view);
      // Span e0 has only pair 1 free, span e1 only pair 0.
      layers[0].occupy(0, 0, 96);
      layers[1].occupy(1, 0, 96);
      const res = planWave(net, layers, emptyLineState(c.view), wholePath(c.view), { id: 'w', bandwidthGbps: 100, marginDb: 0 });
      if (hut) assert.ok(!res.ok, 'no fiber pair is free end to end across the hut');
      else {
        assert.ok(res.ok, res.ok ? '' : res.reason);
        assert.deepEqual(res.plan.segments[0].fiberPairs, [1, 0]);
        assert.deepEqual(res.plan.regenNodes, [], 'changing pair at a ROADM needs no regenerator');
      }
    }
  });
});
