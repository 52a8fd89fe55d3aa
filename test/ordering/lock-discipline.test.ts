/**
 * One locking discipline for every writer of allocations: placing (locked attempt), changing a
 * booking, modifying a started service and restoring after a cut all take the transaction-level
 * advisory lock of each resource before they write to it (kind:id:sub, key space 7310; see
 * placedOrdersWrites). Proved from outside: another connection holds the locks of the network's
 * spectrum, and each writer must be seen waiting on one of them (pg_locks) and finish only once they are
 * released. Only meaningful on a server (PGlite has one connection and takes none).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { postgresDriver } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { InventoryService } from '../../src/services/inventory.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { ResilienceService } from '../../src/services/resilience/index.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { alice, checkInvariants, operator } from './support.js';

const url = process.env.DATABASE_URL;
const DAY = 24 * 3_600_000;

describe('one locking discipline for every allocation writer (PostgreSQL server)', { skip: url ? false : 'DATABASE_URL is not set: locks between connections need a real server' }, () => {
  let db: Db;
  let holder: Db;
  let ordering: OrderingService;
  // Span ids of this run only: other test files on the same server lock keys of their own networks.
  const tag = `lk${crypto.randomBytes(4).toString('hex')}`;
  const span = (a: string, z: string): string => `${tag}-${a}${z}`;
  const keys = (): string[] => ['12', '23', '34', '41'].map((x) => `spectrum:${span(x[0], x[1])}:0`).sort();

  before(async () => {
    db = await postgresDriver(url as string).open();
    const inv = new InventoryService(db);
    await inv.initialize({ empty: true });
    const lineSystem = { fiberPairs: 1, slotCount: 48, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 };
    for (const [i, [lat, lon]] of [[40, -100], [40, -99], [39, -99], [39, -100]].entries()) {
      await inv.createSite(TEST_OPERATOR, { id: `${tag}-${i + 1}`, name: `P${i + 1}`, kind: 'pop', lat, lon, metro: null, cloudProvider: null, cloudRegion: null });
    }
    // A square: the direct span 1-2, and the long way round 1-4-3-2 to restore onto.
    for (const [a, z, lengthKm] of [['1', '2', 110], ['2', '3', 100], ['3', '4', 110], ['4', '1', 100]] as const) {
      await inv.createSpan(TEST_OPERATOR, { id: span(a, z), aSiteId: `${tag}-${a}`, zSiteId: `${tag}-${z}`, lengthKm, srlgIds: [], lineSystem, cables: [{ id: `${span(a, z)}-c1`, strandCount: 12, strandsInUse: 4 }] });
    }
    const search = await db.query<{ setting: string }>("SELECT current_setting('search_path') AS setting");
    holder = await openPostgres({ url: url as string, searchPath: search.rows[0].setting.replace(/\s+/g, ''), max: 2 });
    ordering = new OrderingService(db);
  });
  after(async () => {
    await holder?.close();
    await db?.close();
  });

  /**
   * Runs `write` while another connection holds the advisory locks of every spectrum resource of the
   * network: asserts it waits on one of them and has not finished, then releases them and returns its result.
   */
  async function waitsForLocks<T>(write: () => Promise<T>): Promise<T> {
    let locked!: () => void;
    let release!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const released = new Promise<void>((r) => (release = r));
    const holding = holder.transaction(async (tx: Queryable) => {
      await tx.query('SELECT count(pg_advisory_xact_lock(7310, hashtext(k))) FROM unnest($1::text[]) AS k', [keys()]);
      locked();
      await released;
    });
    await isLocked;
    let settled = false;
    const result = write().finally(() => (settled = true));
    result.catch(() => undefined);
    let waiting = 0;
    for (let i = 0; i < 400 && waiting === 0 && !settled; i++) {
      const r = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND classid = 7310
            AND objid::bigint IN (SELECT hashtext(k)::bigint & 4294967295 FROM unnest($1::text[]) AS k)`,
        [keys()],
      );
      waiting = Number(r.rows[0].n);
      if (waiting === 0) await new Promise((r) => setTimeout(r, 25));
    }
    const finishedEarly = settled;
    release();
    await holding;
    const out = await result;
    assert.equal(finishedEarly, false, 'the writer finished while the locks of the resources it writes were held elsewhere');
    assert.ok(waiting > 0, 'the writer waited on the advisory lock of a resource it writes');
    return out;
  }

  const wave = { product: 'wave', aSite: `${tag}-1`, zSite: `${tag}-2`, bandwidthGbps: 100, protection: 'restorable' };

  test('a locked order attempt waits for the locks of its route', async () => {
    const locked = new OrderingService(db, { optimisticOrders: false });
    const placed = await waitsForLocks(() => locked.placeOrder(alice, wave));
    assert.equal(placed.order.state, 'acknowledged');
    await checkInvariants(db);
  });

  test('a booking changed before its start, and a started service given a new bandwidth, wait for the locks', async () => {
    const t0 = Math.ceil((Date.now() + DAY) / 3_600_000) * 3_600_000;
    const booked = await ordering.placeOrder(alice, { ...wave, start: new Date(t0).toISOString(), end: new Date(t0 + DAY).toISOString() });
    const rebooked = await waitsForLocks(() => ordering.modifyService(alice, booked.order.serviceId, { end: new Date(t0 + 2 * DAY).toISOString() }));
    assert.equal(rebooked.id, booked.order.id, 'the booking keeps its order');
    assert.equal(rebooked.end, new Date(t0 + 2 * DAY).toISOString());

    const now = await ordering.placeOrder(alice, wave);
    const worker = new ActivationWorker(db, new EmulatorDriver(), { concurrency: 1 });
    try {
      await worker.runOnce();
      assert.equal((await ordering.getService(alice, now.order.serviceId)).state, 'active');
      const modify = await waitsForLocks(() => ordering.modifyService(alice, now.order.serviceId, { bandwidthGbps: 400 }));
      assert.equal(modify.action, 'modify');
      // Written like a placed order: its row, its activation job, its audit record and its event.
      const job = await db.query('SELECT 1 FROM jobs WHERE subject = $1', [modify.id]);
      assert.equal(job.rows.length, 1, 'the modify order has its activation job');
      const audit = await db.query<{ after: unknown }>(`SELECT after FROM audit_log WHERE action = 'service.modify' AND subject_id = $1`, [now.order.serviceId]);
      assert.equal(audit.rows.length, 1);
      const events = await db.query(`SELECT 1 FROM event_outbox WHERE type = 'order.acknowledged' AND subject_id = $1 UNION ALL SELECT 1 FROM events WHERE type = 'order.acknowledged' AND subject_id = $1`, [modify.id]);
      assert.equal(events.rows.length, 1, 'one order.acknowledged event for the modify order');
      await checkInvariants(db);
      await worker.runOnce();
      assert.equal((await ordering.getOrder(alice, modify.id)).state, 'completed');
      assert.equal((await ordering.getService(alice, now.order.serviceId)).bandwidthGbps, 400);
      await checkInvariants(db);
    } finally {
      await worker.close();
    }
  });

  test('restoration after a cut waits for the locks of the resources it moves services onto', async () => {
    const res = new ResilienceService(db, { revert: 'manual' });
    // Bookings not started are planned again inside the restoration (under their route's locks): none
    // here, so what waits is the restoration's own write.
    for (const r of (await db.query<{ id: string }>(`SELECT id FROM services WHERE state IN ('held', 'scheduled')`)).rows) await ordering.disconnectService(alice, r.id);
    const active = (await db.query<{ id: string }>(`SELECT id FROM services WHERE state = 'active'`)).rows.map((r) => r.id);
    assert.ok(active.length > 0);
    const outcome = await waitsForLocks(() => res.cut(operator, { spans: [span('1', '2')] }));
    assert.ok(outcome.batch, 'restored at once');
    assert.ok(outcome.batch.rerouted.length > 0, `services rerouted round the square: ${JSON.stringify(outcome.batch)}`);
    await checkInvariants(db);
  });
});
