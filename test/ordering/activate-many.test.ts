/**
 * Activations leased together (activate-many.ts): one batch mixing plain add orders, an order the
 * network refuses, a modify order and an order cancelled before its turn ends with every order where it
 * would have ended alone — completed with its service active, failed with its capacity released,
 * modified, cancelled — with each order's events in lifecycle order and its audit records, and the
 * batch's bookkeeping in a handful of transactions instead of two per order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { listEvents } from '../../src/store/events.js';
import { alice, checkInvariants, loadTinyNetwork } from './support.js';

/** The same Db, counting the transactions begun through it. */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  const wrapped = Object.assign(Object.create(db) as Db, {
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => {
      n++;
      return db.transaction(fn);
    },
  });
  return { db: wrapped, transactions: () => n };
}

for (const driver of testDrivers()) {
  describe(`activations leased together (${driver.name})`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { slotCount: 96 });
    });
    after(async () => {
      await db.close();
    });

    test('a mixed batch ends every order as alone, its bookkeeping shared', async () => {
      const ordering = new OrderingService(db);
      const emulator = new EmulatorDriver();
      const wave = (a: string, z: string) => ({ product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected' });
      // A service to modify in the batch.
      const first = await ordering.placeOrder(alice, wave('a', 'b'));
      await new ActivationWorker(db, emulator, { concurrency: 1 }).runOnce();
      assert.equal((await ordering.getService(alice, first.order.serviceId)).state, 'active');

      const pairs: [string, string][] = [['a', 'c'], ['b', 'd'], ['c', 'd'], ['a', 'd'], ['b', 'c'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['a', 'b'], ['d', 'a']];
      const placed = [];
      for (const [a, z] of pairs) placed.push(await ordering.placeOrder(alice, wave(a, z)));
      const cancelled = placed.pop()!;
      await ordering.cancelOrder(alice, cancelled.order.id);
      const modify = await ordering.modifyService(alice, first.order.serviceId, { bandwidthGbps: 400 });
      emulator.failNext(1);
      const after0 = (await listEvents(db, { after: 0, limit: 100_000 })).at(-1)?.id ?? 0;

      const { db: counted, transactions } = counting(db);
      // One lane: every due job in one batch.
      const handled = await new ActivationWorker(counted, emulator, { concurrency: 1 }).runOnce();
      assert.equal(handled, placed.length + 1, 'the batch took every due activation');

      const states = await Promise.all(placed.map((p) => ordering.getOrder(alice, p.order.id)));
      const failed = states.filter((o) => o.state === 'failed');
      const completed = states.filter((o) => o.state === 'completed');
      assert.equal(failed.length, 1, `exactly the refused order failed: ${states.map((o) => o.state).join(',')}`);
      assert.match(failed[0].failureReason ?? '', /^activation failed: /);
      assert.equal(completed.length, placed.length - 1);
      assert.equal((await ordering.getService(alice, failed[0].serviceId)).state, 'terminated');
      for (const o of completed) assert.equal((await ordering.getService(alice, o.serviceId)).state, 'active');
      assert.equal((await ordering.getOrder(alice, modify.id)).state, 'completed');
      assert.equal((await ordering.getService(alice, first.order.serviceId)).bandwidthGbps, 400);
      assert.equal((await ordering.getOrder(alice, cancelled.order.id)).state, 'cancelled');
      const left = await db.query(`SELECT kind, subject FROM jobs WHERE kind = 'order.activate'`);
      assert.deepEqual(left.rows, [], 'no activation job is left');

      // Each order's events in lifecycle order, once; each completed service activated once.
      const events = (await listEvents(db, { after: after0, limit: 100_000 })).filter((e) => e.subject.kind === 'order' || e.type === 'service.activated');
      for (const o of completed) {
        assert.deepEqual(events.filter((e) => e.subject.id === o.id).map((e) => e.type), ['order.inProgress', 'order.completed'], `events of ${o.id}`);
        assert.equal(events.filter((e) => e.type === 'service.activated' && e.subject.id === o.serviceId).length, 1);
        const data = events.find((e) => e.subject.id === o.id && e.type === 'order.completed')?.data as { state?: string } | undefined;
        assert.equal(data?.state, 'completed', 'the event carries the order as completed');
      }
      assert.deepEqual(events.filter((e) => e.subject.id === failed[0].id).map((e) => e.type), ['order.inProgress', 'order.failed']);
      assert.deepEqual(events.filter((e) => e.subject.id === cancelled.order.id).map((e) => e.type), []);
      const audits = await db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE subject_id = ANY($1::text[]) AND action IN ('order.start', 'order.complete') GROUP BY action ORDER BY action`,
        [completed.map((o) => o.id)],
      );
      assert.deepEqual(audits.rows.map((r) => [r.action, Number(r.n)]), [['order.complete', completed.length], ['order.start', completed.length]]);

      // Starts together, completions together, the refused and the modify order alone: not two per order.
      assert.ok(transactions() <= 5, `${transactions()} transactions for ${handled} activations`);
      await checkInvariants(db);
    });
  });
}
