/**
 * Availability over time against an independent oracle (fast-check): after random bookings of waves
 * and dark fiber with random windows (hour-aligned, bounded or open-ended), every hour of the asked
 * period must be reported feasible exactly when a quote for that hour alone offers an option. The quote
 * is planned from the database's own window filter (one planning read for the window), not from
 * availability's in-memory sweep, so the two are independent paths to the same answer.
 *
 * The second property makes GSNR, not spectrum, what runs out: only the direct span between the two
 * sites is allowed (a latency bound) and the operator's margin is set between a 400G wave's margin
 * beside one neighbour and beside two there, so an hour with two waves lit has free spectrum and no
 * room, and availability must plan it again rather than carry a plan into it, and find it infeasible
 * after a release.
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
import { QotPolicyService } from '../../src/services/ordering/qot-policy.js';
import { TEST_OPERATOR } from '../support/principals.js';

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

  describe(`availability over time where GSNR runs out first, on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    // The direct span a–c (160 km) alone: the two-span routes are slower than this.
    const circuit = { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 900 } as const;
    before(async () => {
      db = await driver.open();
      // 48 slots of 12.5 GHz: four 400G channels at 118 GBd, so spectrum runs out only at the fourth.
      await loadTinyNetwork(db, { slotCount: 48, strandCount: 6 });
      ordering = new OrderingService(db);
    });
    after(async () => db.close());

    test('every hour is feasible exactly when a quote for that hour offers an option', async () => {
      const base = Math.ceil((Date.now() + 2 * HOUR) / HOUR) * HOUR;
      const iso = (h: number): string => new Date(base + h * HOUR).toISOString();
      // The margin a 400G wave keeps on the empty span and beside one wave, from the quotes themselves
      // (the physics is the QoT engine's, tested on its own): the policy asks for a margin between the
      // one beside a neighbour and the one alone, so a second neighbour leaves too little.
      const policy = new QotPolicyService(db);
      await policy.put(TEST_OPERATOR, { marginDb: 5, maxUnamplifiedLossDb: 30 });
      const marginNow = async (): Promise<number> => {
        const q = await ordering.quote(alice, { ...circuit, start: iso(0), end: iso(1) });
        assert.equal(q.options.length, 1);
        return (q.options[0].qot as { marginDb: number }[])[0].marginDb;
      };
      const alone = await marginNow();
      await ordering.placeOrder(alice, { ...circuit, start: iso(0), end: iso(1) });
      const besideOne = await marginNow();
      assert.ok(besideOne < alone, `a neighbour costs margin (${alone} → ${besideOne} dB)`);
      await policy.put(TEST_OPERATOR, { marginDb: besideOne - (alone - besideOne) / 4, maxUnamplifiedLossDb: 30 });
      let feasibleHours = 0;
      let infeasibleHours = 0;
      let gsnrHours = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ startH: fc.nat(PERIOD_H), hours: fc.option(fc.integer({ min: 1, max: 12 }), { freq: 4 }) }), { minLength: 2, maxLength: 10 }),
          async (bookings) => {
            await db.query('DELETE FROM jobs');
            await db.query('DELETE FROM allocations');
            for (const b of bookings) {
              try {
                await ordering.placeOrder(alice, { ...circuit, start: iso(b.startH), ...(b.hours === null ? {} : { end: iso(b.startH + b.hours) }) });
              } catch (err) {
                assert.ok(err instanceof LightpathError && err.code === 'capacity-exhausted', String(err));
              }
            }
            const av = await ordering.availability({ ...circuit, from: iso(0), to: iso(PERIOD_H) });
            assert.equal(av.intervals[0].start, iso(0));
            assert.equal(av.intervals[av.intervals.length - 1].end, iso(PERIOD_H));
            const at = (h: number): AvailabilityInterval | undefined => av.intervals.find((x) => Date.parse(x.start) <= base + h * HOUR && base + h * HOUR < Date.parse(x.end));
            const held = await db.query<{ startH: number; endH: number | null }>(
              `SELECT (extract(epoch FROM lower(during)) * 1000 - $1) / ${HOUR} AS "startH", (extract(epoch FROM upper(during)) * 1000 - $1) / ${HOUR} AS "endH"
                 FROM allocations WHERE kind = 'spectrum' AND NOT isempty(during)`,
              [base],
            );
            for (let h = 0; h < PERIOD_H; h++) {
              const q = await ordering.quote(alice, { ...circuit, start: iso(h), end: iso(h + 1) });
              const offered = q.options.length > 0;
              assert.equal(at(h)?.feasible, offered, `hour ${h}: availability says ${at(h)?.feasible}, a quote for the hour offers ${q.options.length} options`);
              if (offered) feasibleHours++;
              else infeasibleHours++;
              // Refused with fewer than four waves lit in the hour: GSNR, not spectrum, ran out.
              const lit = held.rows.filter((r) => Number(r.startH) < h + 1 && (r.endH === null || Number(r.endH) > h)).length;
              if (!offered && lit < 4) gsnrHours++;
            }
          },
        ),
        { numRuns: driver.name === 'pglite' ? 10 : 15, seed: 20261205, endOnFailure: true },
      );
      assert.ok(feasibleHours > 0 && gsnrHours > 0, `feasible ${feasibleHours} h, infeasible ${infeasibleHours} h (${gsnrHours} h by GSNR)`);
    });
  });
}
