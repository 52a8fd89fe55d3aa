/**
 * The portal's pure logic (site search, map bounds, number formats), tested without a browser
 * against brute-force oracles with fast-check (fixed seeds, so failures reproduce).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { NetworkCollection, SiteFeature } from '../../web/src/api/types.js';
import { searchSites } from '../../web/src/latency/siteSearch.js';
import { linesBounds, networkBounds } from '../../web/src/map/bounds.js';
import { formatKm, formatMs, formatStretch, formatUs } from '../../web/src/ui/format.js';

const KINDS = ['pop', 'datacenter', 'cloud-onramp', 'amplifier'] as const;
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', ' ', '-', 'é'), minLength: 0, maxLength: 8 });

const siteArb = fc.record({ id: word, name: word, metro: fc.option(word, { nil: null }), kind: fc.constantFrom(...KINDS), lon: fc.double({ min: -180, max: 180, noNaN: true }), lat: fc.double({ min: -85, max: 85, noNaN: true }) });

function toFeature(s: { id: string; name: string; metro: string | null; kind: (typeof KINDS)[number]; lon: number; lat: number }, i: number): SiteFeature {
  const id = `${s.id}#${i}`; // unique ids, as the server guarantees
  return { type: 'Feature', id, geometry: { type: 'Point', coordinates: [s.lon, s.lat] }, properties: { featureType: 'site', id, name: s.name, kind: s.kind, metro: s.metro, cloudProvider: null, cloudRegion: null } };
}

function matches(s: SiteFeature, q: string): boolean {
  const needle = q.trim().toLowerCase();
  return [s.properties.name, s.properties.id, s.properties.metro ?? ''].some((f) => f.toLowerCase().includes(needle));
}

describe('site search (combobox)', () => {
  it('returns exactly the matching sites, each once, prefix matches first', () => {
    fc.assert(
      fc.property(fc.array(siteArb, { maxLength: 40 }), word, fc.integer({ min: 1, max: 60 }), (raw, q, limit) => {
        const sites = raw.map(toFeature);
        const got = searchSites(sites, q, limit);
        const expected = sites.filter((s) => matches(s, q));
        assert.equal(new Set(got.map((s) => s.properties.id)).size, got.length, 'no duplicates');
        assert.equal(got.length, Math.min(limit, expected.length));
        for (const s of got) assert.ok(matches(s, q), `${s.properties.id} matches ${JSON.stringify(q)}`);
        const needle = q.trim().toLowerCase();
        const isPrefix = (s: SiteFeature) => [s.properties.name, s.properties.id, s.properties.metro ?? ''].some((f) => f.toLowerCase().startsWith(needle));
        const firstNonPrefix = got.findIndex((s) => !isPrefix(s));
        if (firstNonPrefix >= 0) assert.ok(got.slice(firstNonPrefix).every((s) => !isPrefix(s)), 'prefix matches come first');
      }),
      { seed: 6006, numRuns: 400 },
    );
  });

  it('finds a site by its exact id whatever the case', () => {
    fc.assert(
      fc.property(fc.array(siteArb, { minLength: 1, maxLength: 30 }), fc.nat(), (raw, pick) => {
        const sites = raw.map(toFeature);
        const target = sites[pick % sites.length];
        const got = searchSites(sites, target.properties.id.toUpperCase(), 1000);
        assert.ok(got.some((s) => s.properties.id === target.properties.id));
      }),
      { seed: 6007, numRuns: 200 },
    );
  });
});

describe('map bounds', () => {
  const coord = fc.tuple(fc.double({ min: -179, max: 179, noNaN: true }), fc.double({ min: -80, max: 80, noNaN: true }));

  it('encloses every site and span vertex and is attained on each side', () => {
    fc.assert(
      fc.property(fc.array(coord, { maxLength: 20 }), fc.array(fc.array(coord, { minLength: 2, maxLength: 6 }), { maxLength: 10 }), (points, lines) => {
        const net: NetworkCollection = {
          type: 'FeatureCollection',
          name: 'n',
          srlgs: [],
          features: [
            ...points.map(([lon, lat], i) => toFeature({ id: 's', name: 's', metro: null, kind: 'pop', lon, lat }, i)),
            ...lines.map((coordinates, i) => ({
              type: 'Feature' as const,
              id: `e${i}`,
              geometry: { type: 'LineString' as const, coordinates },
              properties: { featureType: 'span' as const, id: `e${i}`, aSiteId: 'a', zSiteId: 'z', lengthKm: 1, measuredLatencyUs: null, latencyUs: 4.9, srlgIds: [], cables: [], lineSystem: null },
            })),
          ],
        };
        const all = [...points, ...lines.flat()];
        const b = networkBounds(net);
        if (all.length === 0) {
          assert.equal(b, null);
          return;
        }
        assert.ok(b !== null);
        const [[w, s], [e, n]] = b;
        for (const [lon, lat] of all) assert.ok(lon >= w && lon <= e && lat >= s && lat <= n);
        const lons = all.map((c) => c[0]);
        const lats = all.map((c) => c[1]);
        const tight = Math.max(...lons) - Math.min(...lons) >= 0.5 || Math.max(...lats) - Math.min(...lats) >= 0.5;
        if (tight) assert.deepEqual(b, [[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]]);
        else assert.ok(e - w >= 1 && n - s >= 1, 'a tiny network still gets a box to zoom to');
        if (lines.length > 0) {
          const lb = linesBounds(lines.map((coordinates) => ({ coordinates })));
          const flat = lines.flat();
          assert.deepEqual(lb, [[Math.min(...flat.map((c) => c[0])), Math.min(...flat.map((c) => c[1]))], [Math.max(...flat.map((c) => c[0])), Math.max(...flat.map((c) => c[1]))]]);
        }
      }),
      { seed: 6008, numRuns: 300 },
    );
  });
});

describe('number formats', () => {
  it('µs and ms figures read back to the value they show', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (us) => {
        assert.equal(Number(formatUs(us).replace(/[^\d]/g, '')), Math.round(us));
        const ms = Number(formatMs(us).replace(/[^\d.]/g, ''));
        assert.ok(Math.abs(ms - us / 1000) <= 0.005 + 1e-9, `${formatMs(us)} for ${us} µs`);
        assert.match(formatMs(us), / ms$/);
      }),
      { seed: 6009, numRuns: 500 },
    );
  });

  it('lengths show one decimal below 100 km and whole km above', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 50_000, noNaN: true }), (km) => {
        const shown = Number(formatKm(km).replace(/[^\d.]/g, ''));
        assert.ok(Math.abs(shown - km) <= (km < 100 ? 0.05 : 0.5) + 1e-9, `${formatKm(km)} for ${km}`);
      }),
      { seed: 6010, numRuns: 500 },
    );
  });

  it('stretch over the bound is the excess in whole percent', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }), (bound, factor) => {
        const shown = Number(formatStretch(bound * factor, bound).replace(/[^\d]/g, ''));
        assert.ok(Math.abs(shown - (factor - 1) * 100) <= 0.5 + 1e-6);
      }),
      { seed: 6011, numRuns: 300 },
    );
    assert.equal(formatStretch(100, 0), '—');
  });
});
