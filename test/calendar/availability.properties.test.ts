/**
 * Availability over time against an independent oracle (fast-check): after random bookings of waves
 * and dark fiber with random windows (hour-aligned, bounded or open-ended), every hour of the asked
 * period must be reported feasible exactly when a quote for that hour alone offers an option. The quote
 * is planned from the database's own window filter (one planning read for the window), not from
 * availability's in-memory sweep, so the two are independent paths to the same answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import type { AvailabilityInterval } from '../../src/services/ordering/availability.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, loadTinyNetwork } from '../ordering/support.js';

const HOUR = 3_600_000;
const SITES = ['a', 'b', 'c', 'd'] as const;
const PERIOD_H = 30;

// Half the bookings between a and c (the pair asked about), so its three routes do fill up.
const pairArb = fc.oneof(fc.constant([0, 2] as const), fc.tuple(fc.nat(3), fc.nat(3)));
const bookingArb = fc.record({
  pair: pairArb,
  product: fc.constantFrom('wave' as const, 'dark-fiber' as const),
  startH: fc.nat(PERIOD_H),
  hours: fc.option(fc.integer({ min: 1, max: 12 }), { freq: 4 }),
});

for (const driver of testDrivers()) {
  describe(`availability over time on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    before(async () => {
      db = await driver.open();
      // Few slots and strands: a handful of bookings fill a span, so both answers occur.
      await loadTinyNetwork(db, { slotCount: 12, strandCount: 6 });
      ordering = new OrderingService(db);
    });
    after(async () => db.close());

    test('every hour is feasible exactly when a quote for that hour offers an option', async () => {
      const base = Math.ceil((Date.now() + 2 * HOUR) / HOUR) * HOUR;
      const iso = (h: number): string => new Date(base + h * HOUR).toISOString();
      let feasibleHours = 0;
      let infeasibleHours = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(bookingArb, { minLength: 4, maxLength: 24 }), fc.constantFrom('wave' as const, 'dark-fiber' as const), async (bookings, asked) => {
          await db.query('DELETE FROM jobs');
          await db.query('DELETE FROM allocations');
          for (const b of bookings) {
            const [a, z] = b.pair;
            if (a === z) continue;
            const body = {
              product: b.product,
              aSite: SITES[a],
              zSite: SITES[z],
              ...(b.product === 'wave' ? { bandwidthGbps: 400 } : {}),
              protection: 'unprotected',
              start: iso(b.startH),
              ...(b.hours === null ? {} : { end: iso(b.startH + b.hours) }),
            };
            try {
              await ordering.placeOrder(alice, body);
            } catch (err) {
              assert.ok(err instanceof LightpathError && err.code === 'capacity-exhausted', String(err));
            }
          }
          const circuit = { product: asked, aSite: 'a', zSite: 'c', ...(asked === 'wave' ? { bandwidthGbps: 400 } : {}), protection: 'unprotected' };
          const av = await ordering.availability({ ...circuit, from: iso(0), to: iso(PERIOD_H) });
          // The intervals tile the period without gaps or overlaps.
          assert.equal(av.intervals[0].start, iso(0));
          assert.equal(av.intervals[av.intervals.length - 1].end, iso(PERIOD_H));
          for (let i = 1; i < av.intervals.length; i++) assert.equal(av.intervals[i].start, av.intervals[i - 1].end);
          const at = (h: number): AvailabilityInterval => {
            const t = base + h * HOUR;
            const hit = av.intervals.find((x) => Date.parse(x.start) <= t && t < Date.parse(x.end));
            assert.ok(hit, `no interval covers hour ${h}`);
            return hit;
          };
          for (let h = 0; h < PERIOD_H; h++) {
            const q = await ordering.quote(alice, { ...circuit, start: iso(h), end: iso(h + 1) });
            const offered = q.options.length > 0;
            assert.equal(at(h).feasible, offered, `hour ${h} (${asked}): availability says ${at(h).feasible}, a quote for the hour offers ${q.options.length} options`);
            if (offered) feasibleHours++;
            else infeasibleHours++;
          }
        }),
        { numRuns: driver.name === 'pglite' ? 10 : 15, seed: 20261203, endOnFailure: true },
      );
      // Both answers were exercised, or the property proved little.
      assert.ok(feasibleHours > 0 && infeasibleHours > 0, `feasible ${feasibleHours} h, infeasible ${infeasibleHours} h`);
    });
  });
}
