/**
 * Routing that respects the network, checked against independent oracles: no path passes through an
 * endpoint-only site (nor, for dark fiber, an amplifier hut); every 1+1 pair keeps the disjointness it
 * promises (sets of spans, sites and SRLGs intersected here, not by the engine); k-shortest results
 * differ in their intercity spans.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Network, Site, SiteKind, Span } from '../../src/domain/network.js';
import type { CircuitSpec, PairDisjointnessName } from '../../src/domain/products.js';
import { buildNetworkView } from '../../src/services/ordering/network-view.js';
import { routeFor } from '../../src/services/ordering/planner.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';

const KINDS: SiteKind[] = ['pop', 'pop', 'pop', 'datacenter', 'cloud-onramp', 'amplifier'];

/** A random connected network: a ring plus chords, random site kinds and transit overrides, random SRLGs. */
const arbNetwork = fc
  .record({
    n: fc.integer({ min: 5, max: 10 }),
    kinds: fc.array(fc.integer({ min: 0, max: KINDS.length - 1 }), { minLength: 10, maxLength: 10 }),
    overrides: fc.array(fc.constantFrom<boolean | undefined>(undefined, undefined, true, false), { minLength: 10, maxLength: 10 }),
    chords: fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), { maxLength: 10 }),
    srlg: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
    km: fc.array(fc.integer({ min: 20, max: 300 }), { minLength: 30, maxLength: 30 }),
  })
  .map(({ n, kinds, overrides, chords, srlg, km }): Network => {
    const sites: Site[] = Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      name: `s${i}`,
      kind: KINDS[kinds[i]],
      lat: 40 + Math.sin((2 * Math.PI * i) / n),
      lon: -100 + Math.cos((2 * Math.PI * i) / n),
      metro: `m${i}`,
      cloudProvider: KINDS[kinds[i]] === 'cloud-onramp' ? 'aws' : null,
      cloudRegion: KINDS[kinds[i]] === 'cloud-onramp' ? 'r' : null,
      ...(overrides[i] !== undefined ? { transit: overrides[i] } : {}),
    }));
    const pairs: [number, number][] = Array.from({ length: n }, (_, i) => [i, (i + 1) % n]);
    for (const [a, b] of chords) if (a < n && b < n && a !== b) pairs.push([a, b]);
    const spans: Span[] = pairs.map(([a, b], j) => ({
      id: `e${j}-${a}-${b}`,
      aSiteId: `s${a}`,
      zSiteId: `s${b}`,
      lengthKm: km[j % km.length],
      measuredLatencyUs: null,
      geometry: { type: 'LineString', coordinates: [] },
      srlgIds: srlg[j % srlg.length] === 0 ? ['g1'] : srlg[j % srlg.length] === 1 ? ['g2'] : [],
      cables: [{ id: `c${j}`, strandCount: 24, strandsInUse: 0 }],
      lineSystem: { fiberPairs: 2, slotCount: 64, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 },
    }));
    return { name: 'random', sites, spans, srlgs: [{ id: 'g1', name: 'g1', kind: 'duct' }, { id: 'g2', name: 'g2', kind: 'duct' }] };
  });

/** Whether circuits may pass through a site: the operator's override, else POPs and huts only. */
function mayPass(s: Site): boolean {
  return s.transit ?? (s.kind === 'pop' || s.kind === 'amplifier');
}

const SEED = { seed: 4242, numRuns: 60 };

describe('routing respects the network (independent oracles)', () => {
  test('no path passes through an endpoint-only site; dark fiber never through an amplifier hut', () => {
    let checked = 0;
    fc.assert(
      fc.property(arbNetwork, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('wave', 'dark-fiber') as fc.Arbitrary<'wave' | 'dark-fiber'>, (net, ai, zi, product) => {
        const n = net.sites.length;
        const a = net.sites[ai % n].id;
        const z = net.sites[zi % n].id;
        if (a === z) return;
        const view = buildNetworkView(net, 1);
        const spec: CircuitSpec = { product, aSite: a, zSite: z, bandwidthGbps: product === 'wave' ? 100 : 0, protection: 'unprotected', maxLatencyUs: null };
        const route = routeFor(view, spec, 4);
        if (!route || route.kind !== 'single') return;
        const byId = new Map(net.sites.map((s) => [s.id, s]));
        for (const p of route.candidates) {
          const inner = p.nodes.slice(1, -1).map((v) => byId.get(view.graph.nodeIds[v]) as Site);
          for (const s of inner) {
            assert.ok(mayPass(s), `${s.id} (${s.kind}, transit ${String(s.transit)}) is endpoint-only but ${a}→${z} passes through it`);
            if (product === 'dark-fiber') assert.notEqual(s.kind, 'amplifier', `dark fiber ${a}→${z} spliced through amplifier hut ${s.id}`);
          }
          checked++;
        }
      }),
      SEED,
    );
    assert.ok(checked > 50, `enough paths checked (${checked})`);
  });

  test('every 1+1 pair is disjoint as promised: node-srlg, srlg, node, link; the default says what it shares', () => {
    let pairs = 0;
    fc.assert(
      fc.property(arbNetwork, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom<PairDisjointnessName | undefined>(undefined, 'node-srlg', 'srlg', 'node', 'link'), (net, ai, zi, d) => {
        const n = net.sites.length;
        const a = net.sites[ai % n].id;
        const z = net.sites[zi % n].id;
        if (a === z) return;
        const view = buildNetworkView(net, 1);
        const spec: CircuitSpec = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'protected-1+1', maxLatencyUs: null, ...(d ? { disjointness: d } : {}) };
        const route = routeFor(view, spec, 3);
        if (!route) return;
        assert.equal(route.kind, 'pair');
        if (route.kind !== 'pair') return;
        const spanById = new Map(net.spans.map((s) => [s.id, s]));
        const byId = new Map(net.sites.map((s) => [s.id, s]));
        const seen = new Set<string>();
        for (const [p, q] of route.pairs) {
          const ps = p.spans.map((e) => view.graph.spanIds[e]);
          const qs = q.spans.map((e) => view.graph.spanIds[e]);
          const key = [ps.join(','), qs.join(',')].sort().join('|');
          assert.ok(!seen.has(key), 'pairs are distinct');
          seen.add(key);
          assert.ok(!ps.some((s) => qs.includes(s)), 'no shared span');
          const inner = (x: typeof p) => x.nodes.slice(1, -1).map((v) => view.graph.nodeIds[v]);
          const sharedSites = inner(p).filter((v) => inner(q).includes(v));
          const srlgs = (ids: string[]) => new Set(ids.flatMap((id) => spanById.get(id)?.srlgIds ?? []));
          const qSrlg = srlgs(qs);
          const sharedSrlgs = [...srlgs(ps)].filter((g) => qSrlg.has(g));
          const promise: PairDisjointnessName = d ?? route.disjointness;
          if (promise === 'node-srlg' || promise === 'node') assert.deepEqual(sharedSites, [], `${promise}: no shared site`);
          if (promise === 'node-srlg' || promise === 'srlg') assert.deepEqual(sharedSrlgs, [], `${promise}: no shared SRLG`);
          // Both legs stay within the transit policy too.
          for (const v of [...inner(p), ...inner(q)]) assert.ok(mayPass(byId.get(v) as Site), `${v} is endpoint-only`);
          pairs++;
        }
        if (d === undefined) {
          // The default offers node-and-SRLG-disjoint pairs before any pair that shares a site.
          const shares = route.pairs.map(([p, q]) => p.nodes.slice(1, -1).some((v) => q.nodes.slice(1, -1).includes(v)));
          const firstSharing = shares.indexOf(true);
          if (firstSharing >= 0) assert.ok(shares.slice(firstSharing).every((x) => x), 'node-disjoint pairs come first');
        }
      }),
      { ...SEED, numRuns: 200 },
    );
    assert.ok(pairs > 30, `enough pairs checked (${pairs})`);
  });

  test('k-shortest candidates on the built-in network differ in their intercity spans', () => {
    const net = builtinNetwork();
    const view = buildNetworkView(net, 1);
    const metro = new Map(net.sites.map((s) => [s.id, s.metro]));
    const dcs = net.sites.filter((s) => s.kind === 'datacenter');
    let compared = 0;
    // Data centers in different metros, so every path has intercity spans.
    for (let i = 0; i + 1 < Math.min(dcs.length, 24); i += 2) {
      if (dcs[i].metro === dcs[i + 1].metro) continue;
      const spec: CircuitSpec = { product: 'wave', aSite: dcs[i].id, zSite: dcs[i + 1].id, bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null };
      const route = routeFor(view, spec, 5);
      if (!route || route.kind !== 'single') continue;
      const keys = route.candidates.map((p) =>
        p.spans
          .map((e) => view.spans[e])
          .filter((s) => metro.get(s.aSiteId) !== metro.get(s.zSiteId))
          .map((s) => s.id)
          .join(','),
      );
      assert.equal(new Set(keys).size, keys.length, `${dcs[i].id}→${dcs[i + 1].id}: ${keys.join(' | ')}`);
      compared += keys.length;
    }
    assert.ok(compared > 10);
  });
});
