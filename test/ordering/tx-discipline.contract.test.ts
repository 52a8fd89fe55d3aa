/**
 * Transaction discipline: code running inside a transaction reads and writes through that
 * transaction, never through the pool. A pool statement inside a transaction needs a second
 * connection while holding one; with every connection held by such transactions (locked order mode
 * under load) they all wait for the pool's connect timeout. bench:orders showed it as a 10 s p99 in
 * locked mode, from the refusal path that says until when an open-ended order would fit.
 * The guard below makes such a statement fail at once, on both drivers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, checkInvariants, loadTinyNetwork } from './support.js';

const DAY = 24 * 3_600_000;

/** The same Db, refusing pool statements issued from inside one of its transactions. */
function guarded(db: Db): Db {
  const inTx = new AsyncLocalStorage<boolean>();
  return Object.assign(Object.create(db) as Db, {
    query: ((sql, params, opts) => {
      if (inTx.getStore()) throw new Error(`pool statement inside a transaction: ${sql.slice(0, 80)}`);
      return db.query(sql, params, opts);
    }) as Queryable['query'],
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => inTx.run(true, () => fn(tx))),
  });
}

for (const driver of testDrivers()) {
  describe(`transaction discipline on ${driver.name}`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { slotCount: 24 });
    });
    after(async () => {
      await db.close();
    });

    test('the guard itself refuses a pool statement inside a transaction', async () => {
      const g = guarded(db);
      await assert.rejects(
        g.transaction(() => g.query('SELECT 1')),
        /pool statement inside a transaction/,
      );
      assert.equal((await g.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).rows[0].one, 1);
    });

    test('locked order mode: a refused open-ended order says until when it fits, reading only through its transaction', async () => {
      const t0 = Math.ceil((Date.now() + DAY) / 3_600_000) * 3_600_000;
      const at = (days: number): string => new Date(t0 + days * DAY).toISOString();
      const wave = { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 400, protection: 'unprotected' };
      // Optimistic mode fills a future window (its writes are single statements, outside transactions).
      const filler = new OrderingService(db);
      let placed = 0;
      for (; placed < 50; placed++) {
        try {
          await filler.placeOrder(alice, { ...wave, start: at(1), end: at(2) });
        } catch (err) {
          assert.ok(err instanceof LightpathError && err.code === 'capacity-exhausted', String(err));
          break;
        }
      }
      assert.ok(placed >= 1 && placed < 50, `the window holds ${placed} waves`);
      // Every attempt of the locked mode runs in a transaction.
      const locked = new OrderingService(guarded(db), { optimisticOrders: false });
      await assert.rejects(locked.placeOrder(alice, wave), (err: unknown) => {
        assert.ok(err instanceof LightpathError, String(err));
        assert.equal(err.code, 'capacity-exhausted');
        assert.equal(err.extra?.availableUntil, at(1));
        return true;
      });
      // Until then it fits, in the same mode.
      const until = await locked.placeOrder(alice, { ...wave, end: at(1) });
      assert.equal(until.created, true);
      await checkInvariants(db);
    });
  });
}
