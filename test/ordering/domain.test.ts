import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lossBudget, ATTENUATION_DB_PER_KM_1550, CONNECTOR_LOSS_DB, SPLICE_LOSS_DB } from '../../src/domain/loss.js';
import { circuitAvailability, DEFAULT_PRICE_BOOK, MTTR_HOURS, parsePriceBook, pathAvailability, priceCircuit, protectedAvailability, SHARED_SITE_AVAILABILITY, type LegRisks } from '../../src/domain/pricing.js';
import { parseCircuitSpec, PRODUCTS, PROTECTIONS } from '../../src/domain/products.js';
import { lowestGap, pickGap } from '../../src/services/ordering/planner.js';

const SEED = { seed: 20261121, numRuns: 300 };

describe('loss budget', () => {
  test('equals attenuation x km + splices + two connectors, splices counted independently', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.1, max: 400, noNaN: true }), { minLength: 1, maxLength: 8 }), (spans) => {
        // Oracle: walk each span in 5 km reels and count the joints between them, plus one joint per
        // intermediate site.
        let splices = spans.length - 1;
        for (const km of spans) for (let edge = 5; edge < km; edge += 5) splices++;
        const expected = spans.reduce((a, b) => a + b, 0) * ATTENUATION_DB_PER_KM_1550 + splices * SPLICE_LOSS_DB + 2 * CONNECTOR_LOSS_DB;
        const b = lossBudget(spans);
        assert.equal(b.splices, splices);
        assert.ok(Math.abs(b.lossDb - expected) <= 0.006, `${b.lossDb} vs ${expected}`);
      }),
      SEED,
    );
  });

  test('a published-style figure: 80 km single span', () => {
    // 80 km x 0.25 = 20 dB, 15 reel splices x 0.1 = 1.5 dB, 2 connectors x 0.5 = 1 dB.
    assert.equal(lossBudget([80]).lossDb, 22.5);
  });
});

describe('availability and price', () => {
  test('one cut per 1,000 route-miles a year with 12 h repairs', () => {
    const a = pathAvailability(1609.344);
    assert.ok(Math.abs(1 - a - MTTR_HOURS / 8760) < 1e-6, 'one mile-thousand: one 12 h outage a year');
  });

  test('series multiplies, parallel beats each path, restoration beats repair', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 10_000, noNaN: true }), fc.double({ min: 1, max: 10_000, noNaN: true }), (x, y) => {
        assert.ok(Math.abs(pathAvailability(x + y) - pathAvailability(x) * pathAvailability(y)) < 1e-12);
        const p = circuitAvailability('protected-1+1', x, y);
        assert.ok(p >= pathAvailability(x) && p >= pathAvailability(y) && p <= 1);
        assert.ok(circuitAvailability('restorable', x, null) >= circuitAvailability('unprotected', x, null));
        assert.ok(pathAvailability(x) > 0 && pathAvailability(x) < 1);
      }),
      SEED,
    );
  });

  test('price: integer minor units from the book, hourly never undercuts monthly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PRODUCTS), fc.constantFrom(...PROTECTIONS), fc.integer({ min: 0, max: 800 }), fc.double({ min: 1, max: 9000, noNaN: true }), fc.double({ min: 1, max: 9000, noNaN: true }), (product, protection, gbps, w, pkm) => {
        const { monthly, hourly } = priceCircuit(DEFAULT_PRICE_BOOK, product, protection, gbps, w, pkm);
        const pp = DEFAULT_PRICE_BOOK.products[product];
        const path = (km: number) => pp.fixedMonthlyMinor + pp.perKmMonthlyMinor * km + pp.perGbpsMonthlyMinor * gbps;
        const extra = protection === 'protected-1+1' ? path(pkm) * 0.8 : protection === 'restorable' ? path(w) * 0.25 : 0;
        assert.ok(Math.abs(monthly.amountMinor - (path(w) + extra)) <= 0.5 + 1e-6);
        assert.ok(Number.isInteger(monthly.amountMinor) && Number.isInteger(hourly.amountMinor));
        assert.ok(hourly.amountMinor * DEFAULT_PRICE_BOOK.hoursPerMonth >= monthly.amountMinor);
      }),
      SEED,
    );
  });

  test('price books are validated whole', () => {
    assert.ok('book' in parsePriceBook(structuredClone(DEFAULT_PRICE_BOOK)));
    const broken = structuredClone(DEFAULT_PRICE_BOOK) as unknown as Record<string, unknown>;
    (broken.products as Record<string, unknown>).wave = { fixedMonthlyMinor: -1, perKmMonthlyMinor: 1.5, perGbpsMonthlyMinor: 0 };
    const r = parsePriceBook(broken);
    assert.ok('errors' in r);
    assert.deepEqual(r.errors.map((e) => e.path).sort(), ['/products/wave/fixedMonthlyMinor', '/products/wave/perKmMonthlyMinor']);
  });
});

describe('circuit spec parsing', () => {
  test('never throws on arbitrary input, and accepted specs are sound', () => {
    fc.assert(
      fc.property(fc.anything(), fc.record({ product: fc.constantFrom(...PRODUCTS, 'x'), aSite: fc.string(), zSite: fc.string(), bandwidthGbps: fc.oneof(fc.integer(), fc.double(), fc.string()), protection: fc.constantFrom(...PROTECTIONS, 'y') }, { requiredKeys: [] }), (junk, rec) => {
        for (const input of [junk, rec]) {
          const r = parseCircuitSpec(input);
          if ('spec' in r) {
            const s = r.spec;
            assert.ok(PRODUCTS.includes(s.product) && PROTECTIONS.includes(s.protection) && s.aSite !== s.zSite);
            if (s.product === 'wave') assert.ok([100, 400, 800].includes(s.bandwidthGbps));
            if (s.product === 'ethernet' || s.product === 'cloud-connect') assert.ok(Number.isInteger(s.bandwidthGbps) && s.bandwidthGbps >= 1 && s.bandwidthGbps <= 400);
            if (s.product === 'dark-fiber') assert.equal(s.bandwidthGbps, 0);
          } else assert.ok(r.errors.length > 0);
        }
      }),
      SEED,
    );
  });
});

describe('lowestGap', () => {
  test('lowest and highest fits match a brute-force scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 10 })).map(([lo, w]) => [lo, lo + w] as [number, number]), { maxLength: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 70 }),
        (used, width, from, cap) => {
          let expected = -1;
          for (let s = from; s + width <= cap; s++) {
            if (used.every(([lo, hi]) => hi <= s || lo >= s + width)) {
              expected = s;
              break;
            }
          }
          assert.equal(lowestGap(used, width, from, cap), expected);
          assert.equal(pickGap(used, width, from, cap, false), expected);
          let top = -1;
          for (let s = cap - width; s >= from; s--) {
            if (used.every(([lo, hi]) => hi <= s || lo >= s + width)) {
              top = s;
              break;
            }
          }
          assert.equal(pickGap(used, width, from, cap, true), top);
        },
      ),
      SEED,
    );
  });
});

test('1+1 availability counts what the legs share once: equals an enumeration of every up/down state of spans, shared sites and shared-SRLG events', () => {
  const span = fc.record({ id: fc.constantFrom('e0', 'e1', 'e2', 'e3', 'e4', 'e5'), lengthKm: fc.integer({ min: 1, max: 3000 }), srlgIds: fc.subarray(['g1', 'g2']) });
  const leg = fc.record({ spans: fc.uniqueArray(span, { minLength: 1, maxLength: 3, selector: (x) => x.id }), transitSiteIds: fc.subarray(['v1', 'v2', 'v3']) });
  fc.assert(
    fc.property(leg, leg, (w0: LegRisks, p0: LegRisks) => {
      // One length per span id on both legs (the same span is the same fiber).
      const km = new Map<string, { lengthKm: number; srlgIds: readonly string[] }>();
      for (const x of [...w0.spans, ...p0.spans]) if (!km.has(x.id)) km.set(x.id, x);
      const fix = (l: LegRisks): LegRisks => ({ ...l, spans: l.spans.map((x) => ({ id: x.id, ...(km.get(x.id) as { lengthKm: number; srlgIds: readonly string[] }) })) });
      const [w, p] = [fix(w0), fix(p0)];
      const got = protectedAvailability(w, p);
      // Elements that fail independently: each span, each site both legs pass, and each SRLG both legs'
      // own (unshared) spans belong to, as one event as long as its shortest such span.
      const shared = new Set(w.spans.filter((x) => p.spans.some((y) => y.id === x.id)).map((x) => x.id));
      const ownSrlgKm = (l: LegRisks) => {
        const m = new Map<string, number>();
        for (const x of l.spans) if (!shared.has(x.id)) for (const g of x.srlgIds) m.set(g, Math.min(m.get(g) ?? Infinity, x.lengthKm));
        return m;
      };
      const [ws, ps] = [ownSrlgKm(w), ownSrlgKm(p)];
      const events = [...ws.keys()].filter((g) => ps.has(g)).map((g) => ({ g, a: pathAvailability(Math.min(ws.get(g) as number, ps.get(g) as number)) }));
      const sites = w.transitSiteIds.filter((v, i, all) => all.indexOf(v) === i && p.transitSiteIds.includes(v));
      const els = [...[...km].map(([id, x]) => ({ kind: 'span', id, a: pathAvailability(x.lengthKm) })), ...sites.map((id) => ({ kind: 'site', id, a: SHARED_SITE_AVAILABILITY })), ...events.map((e) => ({ kind: 'srlg', id: e.g, a: e.a }))];
      let up = 0;
      for (let mask = 0; mask < 1 << els.length; mask++) {
        let pr = 1;
        const down = new Set<string>();
        els.forEach((e, i) => {
          const isUp = ((mask >> i) & 1) === 1;
          pr *= isUp ? e.a : 1 - e.a;
          if (!isUp) down.add(`${e.kind}:${e.id}`);
        });
        const legUp = (l: LegRisks) =>
          l.spans.every((x) => !down.has(`span:${x.id}`)) && sites.every((v) => !down.has(`site:${v}`)) && events.every((e) => !down.has(`srlg:${e.g}`));
        if (legUp(w) || legUp(p)) up += pr;
      }
      assert.ok(Math.abs(got.availability - up) < 1e-12, `${got.availability} vs ${up}`);
      assert.deepEqual(got.spanIds, [...shared].sort());
      assert.deepEqual(got.siteIds, [...sites].sort());
      // Nothing shared: the fully disjoint figure.
      if (shared.size === 0 && sites.length === 0 && events.length === 0) {
        const sum = (l: LegRisks) => l.spans.reduce((k, x) => k + x.lengthKm, 0);
        assert.ok(Math.abs(got.availability - circuitAvailability('protected-1+1', sum(w), sum(p))) < 1e-12);
      }
    }),
    { seed: 99, numRuns: 300 },
  );
});
