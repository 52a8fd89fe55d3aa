import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Network } from '../../src/domain/network.js';
import { modesForBandwidth } from '../../src/engine/index.js';
import { buildNetworkView, type NetworkView } from '../../src/services/ordering/network-view.js';
import { baseLayers, cloneOccupancy, planCircuit, routeFor, type Occupancy, type PlanOptions } from '../../src/services/ordering/planner.js';
import type { WaveDesign } from '../../src/services/ordering/design.js';
import { emptyLineState } from '../../src/services/ordering/physics.js';
import type { CircuitSpec } from '../../src/domain/products.js';

/** A ring of 5 sites with a chord, 2 fiber pairs of 16 slots, 6-strand cables with 2 in use. */
function ring(): Network {
  const ids = ['p', 'q', 'r', 's', 't'];
  const sites = ids.map((id, i) => ({ id, name: id, kind: 'pop' as const, lat: 40 + Math.sin(i), lon: -100 + Math.cos(i), metro: null, cloudProvider: null, cloudRegion: null }));
  const pairs: [string, string, number][] = [['p', 'q', 120], ['q', 'r', 90], ['r', 's', 150], ['s', 't', 80], ['t', 'p', 110], ['p', 'r', 200]];
  const spans = pairs.map(([a, z, km]) => ({
    id: `${a}${z}`,
    aSiteId: a,
    zSiteId: z,
    lengthKm: km,
    measuredLatencyUs: null,
    geometry: { type: 'LineString' as const, coordinates: [] as [number, number][] },
    srlgIds: [],
    cables: [{ id: `${a}${z}-c`, strandCount: 6, strandsInUse: 2 }],
    lineSystem: { fiberPairs: 2, slotCount: 16, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 },
  }));
  return { name: 'ring', sites, spans, srlgs: [] };
}

const SEED = { seed: 77, numRuns: 40 };

/** Planning options with nothing lit and a 2 dB margin. */
function opts(view: NetworkView, reasons?: string[]): PlanOptions {
  return { qot: { state: emptyLineState(view), marginDb: 2, idPrefix: 'ord' }, ...(reasons ? { reasons } : {}) };
}

describe('planner against a brute-force oracle', () => {
  test('waves: never double-books; refuses only when no (fiber pair, start) fits on any candidate', () => {
    const view = buildNetworkView(ring(), 1);
    const req = fc.record({ a: fc.constantFrom('p', 'q', 'r', 's', 't'), z: fc.constantFrom('p', 'q', 'r', 's', 't'), rate: fc.constantFrom(100, 400, 800) });
    let refused = 0;
    let planned = 0;
    fc.assert(
      fc.property(fc.array(req, { minLength: 1, maxLength: 30 }), (reqs) => {
        const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [] };
        // Oracle occupancy: plain booleans per (fiber pair, span, slot).
        const busy = new Set<string>();
        for (const { a, z, rate } of reqs) {
          if (a === z) continue;
          const spec: CircuitSpec = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: rate, protection: 'unprotected', maxLatencyUs: null };
          const route = routeFor(view, spec, 3);
          assert.ok(route && route.kind === 'single');
          const reasons: string[] = [];
          const plan = planCircuit(view, occ, spec, route, () => 'unused', opts(view, reasons));
          if (plan) {
            planned++;
            for (const al of plan.allocations) {
              for (let s = al.lo; s < al.hi; s++) {
                const k = `${al.sub}/${al.resourceId}/${s}`;
                assert.ok(!busy.has(k), `double booking ${k}`);
                assert.ok(s < 16);
                busy.add(k);
              }
            }
            const spans = plan.design.paths[0].spanIds;
            assert.deepEqual(new Set(plan.allocations.map((x) => x.resourceId)), new Set(spans), 'every span of the path is held');
          } else {
            refused++;
            // Every ring site is a ROADM, so a wave may change fiber pair at each one but keeps its
            // frequency: refused only when no run of the narrowest mode's slots is free on some pair
            // of every span, or when GSNR (not spectrum) ruled it out, as the reasons say.
            const width = Math.ceil(modesForBandwidth(rate)[0].channelWidthGhz / 12.5 - 1e-9);
            const spectrumOnly = reasons.length > 0 && reasons.every((r) => !/reaches|below its threshold|cannot cross|share no spectrum/.test(r));
            if (!spectrumOnly) continue;
            for (const p of route.candidates) {
              for (let s = 0; s + width <= 16; s++) {
                const free = p.spans.every((e) => [0, 1].some((fp) => { for (let x = s; x < s + width; x++) if (busy.has(`${fp}/${view.graph.spanIds[e]}/${x}`)) return false; return true; }));
                assert.ok(!free, `planner refused but start ${s} is free on some pair of every span of ${p.spans.join(',')}`);
              }
            }
          }
        }
      }),
      SEED,
    );
    assert.ok(refused > 0 && planned > 0, 'both outcomes were exercised');
  });

  test('dark fiber: strand pairs never overlap and never touch strands already in use', () => {
    const view = buildNetworkView(ring(), 1);
    const req = fc.record({ a: fc.constantFrom('p', 'q', 'r', 's', 't'), z: fc.constantFrom('p', 'q', 'r', 's', 't') });
    fc.assert(
      fc.property(fc.array(req, { minLength: 1, maxLength: 12 }), (reqs) => {
        const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [] };
        const used = new Set<string>();
        for (const { a, z } of reqs) {
          if (a === z) continue;
          const spec: CircuitSpec = { product: 'dark-fiber', aSite: a, zSite: z, bandwidthGbps: 0, protection: 'unprotected', maxLatencyUs: null };
          const route = routeFor(view, spec, 3);
          assert.ok(route);
          const plan = planCircuit(view, occ, spec, route, () => 'unused', opts(view));
          if (!plan) {
            // Oracle: some span of every candidate has no two adjacent free strands at 2..5.
            for (const p of route.kind === 'single' ? route.candidates : route.pairs.flat()) {
              const blocked = p.spans.some((e) => {
                const c = view.spans[e].cables[0];
                for (let s = 2; s + 2 <= 6; s++) if (!used.has(`${c.id}/${s}`) && !used.has(`${c.id}/${s + 1}`)) return false;
                return true;
              });
              assert.ok(blocked, 'refused although a candidate had free strands on every span');
            }
            continue;
          }
          for (const al of plan.allocations) {
            assert.ok(al.lo >= 2 && al.hi <= 6 && al.hi - al.lo === 2);
            for (let s = al.lo; s < al.hi; s++) {
              assert.ok(!used.has(`${al.resourceId}/${s}`));
              used.add(`${al.resourceId}/${s}`);
            }
          }
        }
      }),
      SEED,
    );
  });

  test('protected routes are SRLG-disjoint and both paths are held', () => {
    const net = ring();
    net.srlgs.push({ id: 'g', name: 'g', kind: 'duct' });
    net.spans[0].srlgIds = ['g']; // p-q
    net.spans[4].srlgIds = ['g']; // t-p
    const view = buildNetworkView(net, 1);
    const spec: CircuitSpec = { product: 'wave', aSite: 'q', zSite: 't', bandwidthGbps: 100, protection: 'protected-1+1', maxLatencyUs: null };
    const route = routeFor(view, spec);
    assert.ok(route && route.kind === 'pair');
    const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [] };
    const plan = planCircuit(view, occ, spec, route, () => 'unused', opts(view));
    assert.ok(plan);
    const [w, p] = plan.design.paths;
    const srlgs = (ids: string[]) => new Set(ids.flatMap((id) => net.spans.find((s) => s.id === id)?.srlgIds ?? []));
    const sw = srlgs(w.spanIds);
    assert.ok([...srlgs(p.spanIds)].every((g) => !sw.has(g)));
    assert.ok(w.spanIds.every((s) => !p.spanIds.includes(s)));
    assert.equal(plan.allocations.filter((a) => a.role === 'working').length, w.spanIds.length);
    assert.equal(plan.allocations.filter((a) => a.role === 'protect').length, p.spanIds.length);
  });
  test('1+1 looks beyond the first disjoint pair when spectrum rules it out (against every pair of the three parallel routes)', () => {
    // a and z joined by three node-disjoint routes via x1, x2, x3 (lengths 100, 150, 220 km a side).
    const km: Record<string, number> = { x1: 100, x2: 150, x3: 220 };
    const sites = ['a', 'z', 'x1', 'x2', 'x3'].map((id, i) => ({ id, name: id, kind: 'pop' as const, lat: 40 + i * 0.3, lon: -100 + i * 0.2, metro: null, cloudProvider: null, cloudRegion: null }));
    const spans = Object.keys(km).flatMap((x) => [['a', x], [x, 'z']].map(([u, v]) => ({
      id: `${u}${v}`, aSiteId: u, zSiteId: v, lengthKm: km[x], measuredLatencyUs: null,
      geometry: { type: 'LineString' as const, coordinates: [] as [number, number][] }, srlgIds: [], cables: [{ id: `${u}${v}-c`, strandCount: 6, strandsInUse: 0 }],
      lineSystem: { fiberPairs: 1, slotCount: 16, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 },
    })));
    const view = buildNetworkView({ name: 'ladder', sites, spans, srlgs: [] }, 1);
    const spec: CircuitSpec = { product: 'wave', aSite: 'a', zSite: 'z', bandwidthGbps: 100, protection: 'protected-1+1', maxLatencyUs: null };
    for (const full of [[], ['x1'], ['x2'], ['x1', 'x2'], ['x3', 'x1']]) {
      const route = routeFor(view, spec);
      assert.ok(route && route.kind === 'pair');
      const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [] };
      for (const x of full) occ.layers[0].occupy(view.graph.spanIndex(`a${x}`), 0, 16);
      const plan = planCircuit(view, occ, spec, route, () => 'unused', opts(view));
      // The oracle: of the three routes, those with spectrum free; the best pair is the two shortest of them.
      const free = Object.keys(km).filter((x) => !full.includes(x)).sort((u, v) => km[u] - km[v]);
      if (free.length < 2) {
        assert.equal(plan, null, `nothing fits with ${full.join(', ')} full`);
        continue;
      }
      assert.ok(plan, `a pair fits with ${full.join(', ') || 'nothing'} full`);
      const via = plan.design.paths.map((p) => p.siteIds[1]).sort();
      assert.deepEqual(via, free.slice(0, 2).sort(), `with ${full.join(', ') || 'nothing'} full`);
    }
  });
});

describe('trunk units from a start (PlanOptions.trunkStart)', () => {
  // One lit 400G trunk p-q; an ethernet circuit grooms onto it.
  const view = buildNetworkView(ring(), 1);
  const trunkWith = (used: [number, number][]): Occupancy => ({
    layers: baseLayers(view),
    strands: new Map(),
    trunks: [{ id: 'trk_1', aSiteId: 'p', zSiteId: 'q', capacityGbps: 400, siteIds: ['p', 'q'], spanIds: ['pq'], latencyUs: 600, lengthKm: 120, used: [...used] }],
  });
  const take = (bw: number, used: [number, number][], trunkStart: number): [number, number] | null => {
    const spec: CircuitSpec = { product: 'ethernet', aSite: 'p', zSite: 'q', bandwidthGbps: bw, protection: 'unprotected', maxLatencyUs: null };
    const route = routeFor(view, spec);
    assert.ok(route);
    const plan = planCircuit(view, trunkWith(used), spec, route, () => 'trk_new', { ...opts(view), trunkStart });
    const a = plan?.allocations.find((x) => x.kind === 'trunk' && x.resourceId === 'trk_1');
    return a ? [a.lo, a.hi] : null;
  };

  test('first fit from the start, aligned to the circuit size; below it once nothing fits above', () => {
    assert.deepEqual(take(1, [], 0), [0, 1]);
    assert.deepEqual(take(1, [], 0.5), [200, 201]);
    assert.deepEqual(take(100, [], 0.6), [200, 300]);
    assert.deepEqual(take(10, [[200, 400]], 0.5), [0, 10]);
  });

  test('takes a free range whenever one exists, never a used unit (against a brute-force oracle)', () => {
    const used = fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 40 }).map((xs) => xs.map((x) => [x * 10, x * 10 + 10] as [number, number]));
    fc.assert(
      fc.property(used, fc.constantFrom(1, 10, 100), fc.double({ min: 0, max: 1, noNaN: true }), (u, bw, start) => {
        const got = take(bw, u, start);
        const fits = Array.from({ length: 401 - bw }, (_, lo) => lo).some((lo) => u.every(([a, b]) => b <= lo || a >= lo + bw));
        if (!fits) return got === null;
        return got !== null && got[1] - got[0] === bw && u.every(([a, b]) => b <= got[0] || a >= got[1]);
      }),
      SEED,
    );
  });
});

describe('planner and add/drop ports (Occupancy.addDrop)', () => {
  /** The ring with long spans, so 400G and 800G waves need regenerators. */
  function longRing(): Network {
    const n = ring();
    return { ...n, spans: n.spans.map((s) => ({ ...s, lengthKm: s.lengthKm * 7, lineSystem: { fiberPairs: 2, slotCount: 64, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 } })) };
  }
  const portsOf = (design: { paths: { siteIds: string[]; wave?: { regeneratorSiteIds: string[] } }[] }): Map<string, number> => {
    const need = new Map<string, number>();
    const add = (s: string, n: number) => need.set(s, (need.get(s) ?? 0) + n);
    for (const p of design.paths) {
      add(p.siteIds[0], 1);
      add(p.siteIds[p.siteIds.length - 1], 1);
      for (const r of p.wave?.regeneratorSiteIds ?? []) add(r, 2);
    }
    return need;
  };

  test('never takes a port that is not free; refuses only when every plan it would make without the limit needs one', () => {
    const view = buildNetworkView(longRing(), 1);
    const ids = ['p', 'q', 'r', 's', 't'];
    const req = fc.record({ a: fc.constantFrom(...ids), z: fc.constantFrom(...ids), rate: fc.constantFrom(100, 400, 800), protect: fc.boolean() });
    let regenerated = 0;
    let refusedForPorts = 0;
    let elsewhere = 0;
    let planned = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 5, maxLength: 5 }), fc.array(req, { minLength: 1, maxLength: 12 }), (start, reqs) => {
        const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [], addDrop: new Map(ids.map((s, i) => [s, start[i]])) };
        // The oracle's own count of free ports, kept from the designs.
        const free = new Map(ids.map((s, i) => [s, start[i]]));
        const o = opts(view);
        for (const [k, { a, z, rate, protect }] of reqs.entries()) {
          if (a === z) continue;
          const spec: CircuitSpec = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: rate, protection: protect ? 'protected-1+1' : 'unprotected', maxLatencyUs: null, ...(protect ? { disjointness: 'link' as const } : {}) };
          const route = routeFor(view, spec, 3);
          if (!route) continue;
          // What the planner would do without the limit (on copies; its waves unlit again).
          const unlimited = planCircuit(view, { layers: occ.layers.map((l) => l.clone()), strands: new Map(), trunks: [] }, spec, route, () => 'unused', { ...o, qot: { ...o.qot, idPrefix: `probe${k}` } });
          if (unlimited) for (const lp of unlimited.lightpaths) o.qot.state.remove(lp.id);
          const plan = planCircuit(view, occ, spec, route, () => 'unused', { ...o, qot: { ...o.qot, idPrefix: `ord${k}` } });
          if (plan) {
            planned++;
            const need = portsOf(plan.design);
            if (plan.design.paths.some((x) => (x.wave?.regeneratorSiteIds.length ?? 0) > 0)) regenerated++;
            const where = (d: typeof plan.design) => JSON.stringify(d.paths.map((x) => [x.siteIds, x.wave?.regeneratorSiteIds]));
            if (unlimited && where(unlimited.design) !== where(plan.design)) elsewhere++;
            for (const [s, n] of need) {
              assert.ok((free.get(s) as number) >= n, `${s}: takes ${n} of ${free.get(s)} free`);
              free.set(s, (free.get(s) as number) - n);
            }
            assert.deepEqual(new Map(plan.addDrop.reduce((m, x) => m.set(x.siteId, (m.get(x.siteId) ?? 0) + x.count), new Map<string, number>())), need, 'the plan says which ports it takes');
            assert.deepEqual(occ.addDrop, free, 'the occupancy counts them');
          } else if (unlimited) {
            // Refused with the limit: the plan it would make without it needs a port that is not free.
            refusedForPorts++;
            assert.ok([...portsOf(unlimited.design)].some(([s, n]) => (free.get(s) as number) < n), `refused, but ${JSON.stringify(unlimited.design.paths.map((x) => x.siteIds))} fits the free ports ${JSON.stringify([...free])}`);
          }
        }
      }),
      { seed: 77, numRuns: 150 },
    );
    // The runs cover plans with regenerators, plans put elsewhere (another path or regenerator site) than
    // without the limit, and refusals.
    assert.ok(planned > 20 && regenerated > 5 && elsewhere > 0 && refusedForPorts > 5, `planned ${planned}, with regenerators ${regenerated}, elsewhere ${elsewhere}, refused for ports ${refusedForPorts}`);
  });
});

describe('waves planned in one shape (PlanOptions.shape: availability re-plans a carried plan so)', () => {
  test('the shape of a plan plans it again; another mode or no regenerator sites are kept to', () => {
    const view = buildNetworkView(ring(), 1);
    const g = view.graph;
    const req = fc.record({ a: fc.constantFrom('p', 'q', 'r', 's', 't'), z: fc.constantFrom('p', 'q', 'r', 's', 't'), rate: fc.constantFrom(100, 400, 800), other: fc.nat(20) });
    let shaped = 0;
    let otherMode = 0;
    fc.assert(
      fc.property(fc.array(req, { minLength: 1, maxLength: 20 }), (reqs) => {
        const occ: Occupancy = { layers: baseLayers(view), strands: new Map(), trunks: [] };
        for (const { a, z, rate, other } of reqs) {
          if (a === z) continue;
          const spec: CircuitSpec = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: rate, protection: 'unprotected', maxLatencyUs: null };
          const route = routeFor(view, spec, 3);
          assert.ok(route && route.kind === 'single');
          const plan = planCircuit(view, cloneOccupancy(occ), spec, route, () => 'unused', opts(view));
          if (!plan) continue;
          const wave = plan.design.paths[0].wave as WaveDesign;
          const path = route.candidates.find((p) => p.spans.map((e) => g.spanIds[e]).join(',') === plan.design.paths[0].spanIds.join(','));
          assert.ok(path);
          const mode = modesForBandwidth(rate).find((m) => m.id === wave.modeId);
          assert.ok(mode);
          const sites = new Set(wave.regeneratorSiteIds.map((id) => g.nodeIndex(id)));
          // Its own shape, on its own path: planned again, in that mode, regenerated only where it was.
          const again = planCircuit(view, cloneOccupancy(occ), spec, { kind: 'single', candidates: [path] }, () => 'unused', { ...opts(view), shape: { mode, regenSites: sites } });
          assert.ok(again, 'a plan is planned again in its own shape');
          const w2 = again.design.paths[0].wave as WaveDesign;
          assert.equal(w2.modeId, mode.id);
          assert.ok(w2.regeneratorSiteIds.every((id) => wave.regeneratorSiteIds.includes(id)));
          shaped++;
          // Another mode for the rate, no regenerators: whatever is planned is in that mode, transparent.
          const modes = modesForBandwidth(rate);
          const pick = modes[other % modes.length];
          const forced = planCircuit(view, cloneOccupancy(occ), spec, route, () => 'unused', { ...opts(view), shape: { mode: pick, regenSites: new Set() } });
          if (forced) {
            const w3 = forced.design.paths[0].wave as WaveDesign;
            assert.equal(w3.modeId, pick.id);
            assert.deepEqual(w3.regeneratorSiteIds, []);
            if (pick.id !== mode.id) otherMode++;
          }
          // Hold the first plan's spectrum: the next requests plan around it.
          planCircuit(view, occ, spec, route, () => 'unused', opts(view));
        }
      }),
      SEED,
    );
    assert.ok(shaped > 20 && otherMode > 5, `shaped ${shaped}, in another mode ${otherMode}`);
  });
});
