/**
 * Property test of the calendar (fast-check): random sequences of scheduled orders and holds (waves and
 * Ethernet over trunks, bounded and open-ended windows), commits, hold expiries, extensions and
 * shortenings, cancels, cuts and repairs. After every step, from the allocations table alone: no
 * resource unit is held twice at any instant (a sweep of every window boundary), every held or committed
 * booking holds its whole window, expired holds hold nothing, and the ordering invariants hold.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { expireHold } from '../../src/services/ordering/changes.js';
import { ResilienceService } from '../../src/services/resilience/index.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, checkInvariants, loadTinyNetwork } from '../ordering/support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { assertBookingsHeld, assertNoDoubleHolding } from './sweep.js';

const HOUR = 3_600_000;
const SITES = ['a', 'b', 'c', 'd'] as const;
const SPANS = ['a-b', 'b-c', 'c-d', 'd-a', 'a-c'] as const;

type Op =
  | { op: 'order'; a: number; z: number; product: 'wave' | 'ethernet'; startH: number; hours: number | null; hold: boolean }
  | { op: 'commit' | 'expire' | 'cancel'; pick: number }
  | { op: 'resize'; pick: number; hours: number | null }
  | { op: 'cut'; span: number }
  | { op: 'repair'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('order' as const), a: fc.nat(3), z: fc.nat(3), product: fc.constantFrom('wave' as const, 'ethernet' as const), startH: fc.nat(48), hours: fc.option(fc.integer({ min: 1, max: 36 }), { freq: 4 }), hold: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('commit' as const, 'expire' as const, 'cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('resize' as const), pick: fc.nat(), hours: fc.option(fc.integer({ min: 1, max: 48 }), { freq: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cut' as const), span: fc.nat(SPANS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repair' as const), pick: fc.nat() }) },
);

for (const driver of testDrivers()) {
  describe(`calendar properties on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    let resilience: ResilienceService;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { slotCount: 24 });
      ordering = new OrderingService(db);
      resilience = new ResilienceService(db, { views: ordering.views, revert: 'auto' });
    });
    after(async () => db.close());

    const reset = async (): Promise<void> => {
      for (const f of (await resilience.listFailures({ open: true })).items) await resilience.repair(TEST_OPERATOR, f.id);
      await db.query('DELETE FROM jobs');
      await db.query('DELETE FROM allocations');
      await db.query(`UPDATE trunks SET retired_at = now() WHERE retired_at IS NULL`);
      await db.query(`UPDATE orders SET state = 'cancelled', failure_reason = 'test reset' WHERE state IN ('held', 'acknowledged', 'inProgress')`);
      await db.query(`UPDATE services SET state = 'terminated' WHERE state NOT IN ('terminated', 'ended')`);
    };
    /** Only refusals the calendar is meant to give: no capacity, a lifecycle conflict, a window rule. */
    const expected = (err: unknown): void => {
      assert.ok(err instanceof LightpathError && ['capacity-exhausted', 'conflict', 'validation-failed'].includes(err.code), String(err));
    };

    test('no unit held twice at any instant; bookings hold their windows; expired holds hold nothing', async () => {
      const base = Math.ceil((Date.now() + 2 * HOUR) / HOUR) * HOUR;
      const iso = (h: number): string => new Date(base + h * HOUR).toISOString();
      let steps = 0;
      let placed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
          await reset();
          const orders: { id: string; serviceId: string }[] = [];
          const failures: string[] = [];
          for (const o of ops) {
            try {
              if (o.op === 'order') {
                if (o.a === o.z) continue;
                const { order } = await ordering.placeOrder(alice, {
                  product: o.product, aSite: SITES[o.a], zSite: SITES[o.z], bandwidthGbps: o.product === 'wave' ? 400 : 100, protection: 'unprotected',
                  start: iso(o.startH), ...(o.hours ? { end: iso(o.startH + o.hours) } : {}), ...(o.hold ? { hold: true, holdSeconds: 3600 } : {}),
                });
                orders.push({ id: order.id, serviceId: order.serviceId });
                placed++;
              } else if (orders.length > 0 && (o.op === 'commit' || o.op === 'cancel' || o.op === 'expire' || o.op === 'resize')) {
                const target = orders[o.pick % orders.length];
                if (o.op === 'commit') await ordering.commitOrder(alice, target.id);
                else if (o.op === 'cancel') await ordering.cancelOrder(alice, target.id);
                else if (o.op === 'expire') {
                  // The hold runs out: the leased job's work at its time.
                  await db.query(`UPDATE orders SET hold_expires_at = now() - interval '1 second' WHERE id = $1 AND state = 'held'`, [target.id]);
                  await db.transaction((tx) => expireHold(tx, target.id));
                } else if (o.op === 'resize') {
                  const svc = await ordering.getService(alice, target.serviceId);
                  await ordering.modifyService(alice, target.serviceId, { end: o.hours ? new Date(Date.parse(svc.start) + o.hours * HOUR).toISOString() : null });
                }
              } else if (o.op === 'cut') {
                failures.push((await resilience.cut(TEST_OPERATOR, { spans: [SPANS[o.span]] })).failure.id);
              } else if (o.op === 'repair' && failures.length > 0) {
                const [id] = failures.splice(o.pick % failures.length, 1);
                await resilience.repair(TEST_OPERATOR, id);
              }
            } catch (err) {
              expected(err);
            }
            steps++;
            await assertNoDoubleHolding(db);
            await assertBookingsHeld(db);
            await checkInvariants(db);
          }
        }),
        { numRuns: driver.name === 'pglite' ? 12 : 20, seed: 20261203, endOnFailure: true },
      );
      assert.ok(placed > 10 && steps > 50, `the sequences did something (${placed} bookings, ${steps} steps)`);
    });

    test("OSCARS's case: equal overlapping holds on the last unit, exactly one wins", async () => {
      await reset();
      const w = { start: new Date(Date.now() + 40 * 24 * HOUR).toISOString(), end: new Date(Date.now() + 41 * 24 * HOUR).toISOString() };
      const spec = { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 110 * 4.9 + 1 };
      let n = 0;
      for (;;) {
        try {
          await ordering.placeOrder(alice, { ...spec, ...w });
          n++;
        } catch (err) {
          expected(err);
          break;
        }
      }
      assert.ok(n >= 1);
      // Free exactly one unit: cancel the last booking, then race equal holds for it.
      const last = (await db.query<{ id: string }>(`SELECT id FROM orders WHERE state = 'acknowledged' ORDER BY created_at DESC, id DESC LIMIT 1`)).rows[0].id;
      await ordering.cancelOrder(alice, last);
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => ordering.placeOrder(alice, { ...spec, ...w, hold: true })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') expected(r.reason);
      await assertNoDoubleHolding(db);
    });
  });
}
