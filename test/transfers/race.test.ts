/**
 * A transfer decision and an order that commits in the middle of it (PostgreSQL server: two
 * connections). Optimistic orders take no locks, so one can groom onto a trunk after the decision read
 * the calendar and before it placed its holds. The decision must start over from fresh state (as when
 * the exclusion constraint refuses a write), never fail with an internal error nor hold units twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDriver } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { TransferService } from '../../src/services/transfers/index.js';
import { alice, checkInvariants, loadTinyNetwork, operator, rejectsWith } from '../ordering/support.js';

const SLOT_MS = 900_000;
const url = process.env.DATABASE_URL;

describe('a transfer decision meets an order committed in its middle (PostgreSQL server)', { skip: url ? false : 'needs DATABASE_URL' }, () => {
  let db: Db;
  before(async () => {
    db = await postgresDriver(url as string).open();
    await loadTinyNetwork(db);
    // Trunks a-c (300 of 400 Gbps used), a-b and b-c (100 used each): a->c carries 100 direct + 300 via b.
    const ordering = new OrderingService(db);
    for (const [a, z, g] of [['a', 'c', 300], ['a', 'b', 100], ['b', 'c', 100]] as const) {
      await ordering.placeOrder(operator, { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: g, protection: 'unprotected', maxLatencyUs: null });
    }
  });
  after(async () => db?.close());

  test('the decision starts over and answers from what is left', async () => {
    const nowMs = Date.now();
    const ordering = new OrderingService(db);
    let transactions = 0;
    let injected = false;
    // The same Db; in the first decision, just before its second read of the trunk calendar (the one
    // its holds are placed against), an ethernet order takes the last 100 Gbps of trunk a-c.
    const racing: Db = Object.assign(Object.create(db) as Db, {
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
        db.transaction((tx) => {
          transactions++;
          let calendarReads = 0;
          return fn({
            query: async (sql, params, opts) => {
              if (/FROM allocations\s+WHERE kind = 'trunk' AND resource_id = ANY/.test(sql) && ++calendarReads === 2 && !injected) {
                injected = true;
                await ordering.placeOrder(operator, { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null });
              }
              return tx.query(sql, params, opts);
            },
          });
        }),
    });
    // Trunk capacity only: the race is on the trunk calendar (a wave would admit the transfer anyway).
    const svc = new TransferService(racing, { now: () => nowMs, lightWaves: false });
    // 150 TB by slot 5 needs more than the 300 Gbps via b in slots 1-4: the plan counts on a-c, which
    // the order takes; from fresh state it no longer fits.
    const deadline = new Date((Math.floor(nowMs / SLOT_MS) + 5) * SLOT_MS).toISOString();
    await rejectsWith(svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 150, deadline }), 'deadline-infeasible');
    assert.ok(injected, 'the order was placed in the middle of the decision');
    assert.ok(transactions >= 2, `the decision started over (${transactions} transaction(s))`);
    const held = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE transfer_id IS NOT NULL`);
    assert.equal(held.rows[0].n, 0, 'a refusal holds nothing');
    await checkInvariants(db);
  });
});
