import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { allocationStats } from '../../src/services/ordering/common.js';
import { LightpathError } from '../../src/domain/errors.js';
import { DEFAULT_MODULATIONS, chooseModulation } from '../../src/engine/index.js';
import { alice, checkInvariants, loadTinyNetwork } from './support.js';

const url = process.env.DATABASE_URL;

// Many connections racing for the last capacity only means something on a real server: PGlite has
// one connection and runs transactions one after another.
describe('concurrent orders racing for the last capacity (PostgreSQL server)', { skip: url ? false : 'DATABASE_URL is not set: the race needs a real server with many connections' }, () => {
  let db: Db;
  const handles: Db[] = [];
  before(async () => {
    db = await postgresDriver(url as string).open();
    // Every span has 1 fiber pair of 24 slots: a 400G wave over <= 500 km takes 6 slots (DP-16QAM),
    // so exactly 4 fit on the direct span a-b. Orders are pinned there with a tight latency bound.
    await loadTinyNetwork(db, { slotCount: 24 });
    const search = await db.query<{ setting: string }>("SELECT current_setting('search_path') AS setting");
    // Separate Db handles (separate pools) as separate processes would have.
    for (let i = 0; i < 4; i++) handles.push(await openPostgres({ url: url as string, searchPath: search.rows[0].setting.replace(/\s+/g, ''), max: 8 }));
  });
  after(async () => {
    for (const h of handles) await h.close();
    await db.close();
  });

  test('N orders for M < N waves: exactly M succeed, the rest get capacity-exhausted, nothing half-allocated', async () => {
    const mode = chooseModulation(400, 110, DEFAULT_MODULATIONS);
    assert.ok(mode);
    const m = Math.floor(24 / mode.slots);
    const n = 24;
    assert.ok(m < n);
    const services = handles.map((h) => new OrderingService(h));
    const spec = { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 110 * 4.9 + 1 };
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => services[i % services.length].placeOrder(alice, spec)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) {
      assert.ok(f.reason instanceof LightpathError, String(f.reason));
      assert.equal(f.reason.code, 'capacity-exhausted');
    }
    assert.equal(ok.length, m, `exactly ${m} of ${n} orders fit`);
    assert.equal(failed.length, n - m);
    const held = await db.query<{ lo: number }>(`SELECT lower(units) AS lo FROM allocations WHERE resource = 'spectrum:a-b:0' AND during && tstzrange(now(), NULL) ORDER BY 1`);
    assert.equal(held.rows.length, m);
    const orders = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(Number(orders.rows[0].n), m, 'losers left no order behind');
    const svcs = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM services');
    assert.equal(Number(svcs.rows[0].n), m, 'losers left no service behind');
    await checkInvariants(db);
  });

  test('without the service (no locks, no planning), concurrent raw inserts of one range: exactly one wins', async () => {
    const owner = await db.query<{ service_id: string }>(`SELECT service_id FROM allocations WHERE service_id IS NOT NULL LIMIT 1`);
    const attempt = (h: Db, i: number) =>
      h.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role) VALUES ('spectrum', 'c-d', 0, int4range($1, $1 + 6), $2, $3, 'working')`,
          [i % 3, owner.rows[0].service_id, `ord_raw_${i}`],
        );
        // Hold the row a moment so the racers really overlap in time.
        await tx.query('SELECT pg_sleep(0.05)');
      });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => attempt(handles[i % handles.length], i)));
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won, 1, 'overlapping ranges [0,6), [1,7), [2,8): only one can be held');
    for (const l of lost) assert.ok(['23P01', '40P01'].includes((l.reason as { code?: string }).code ?? ''), String(l.reason));
    await db.query(`DELETE FROM allocations WHERE order_id LIKE 'ord_raw_%'`);
  });

  test('locked orders (candidate locks, then plan): N racing for M waves, exactly M succeed', async () => {
    // Same race on span c-d (the raw-insert test above has cleaned up after itself there).
    const mode = chooseModulation(400, 100, DEFAULT_MODULATIONS);
    assert.ok(mode);
    const m = Math.floor(24 / mode.slots);
    const n = 24;
    const services = handles.map((h) => new OrderingService(h, { optimisticOrders: false }));
    const spec = { product: 'wave', aSite: 'c', zSite: 'd', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 100 * 4.9 + 1 };
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => services[i % services.length].placeOrder(alice, spec)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    for (const f of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      assert.ok(f.reason instanceof LightpathError, String(f.reason));
      assert.equal(f.reason.code, 'capacity-exhausted');
    }
    assert.equal(ok.length, m, `exactly ${m} of ${n} orders fit`);
    const held = await db.query(`SELECT 1 FROM allocations WHERE resource = 'spectrum:c-d:0' AND during && tstzrange(now(), NULL)`);
    assert.equal(held.rows.length, m);
    const orders = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(Number(orders.rows[0].n) - Number(before.rows[0].n), m, 'losers left no order behind');
    await checkInvariants(db);
  });

  test('one process, many connections: N racing for M waves, exactly M succeed without a single retry', async () => {
    // Span b-c, untouched by the races above. One service (one process) over a pool of 8 connections:
    // its orders see each other's in-flight plans, so none loses a race and none waits on a lock.
    const mode = chooseModulation(400, 120, DEFAULT_MODULATIONS);
    assert.ok(mode);
    const m = Math.floor(24 / mode.slots);
    const n = 24;
    const svc = new OrderingService(handles[0]);
    const spec = { product: 'wave', aSite: 'b', zSite: 'c', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 120 * 4.9 + 1 };
    const retries0 = allocationStats.retries;
    const results = await Promise.allSettled(Array.from({ length: n }, () => svc.placeOrder(alice, spec)));
    for (const f of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      assert.ok(f.reason instanceof LightpathError, String(f.reason));
      assert.equal(f.reason.code, 'capacity-exhausted');
    }
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, m, `exactly ${m} of ${n} orders fit`);
    assert.equal(allocationStats.retries - retries0, 0);
    const held = await db.query(`SELECT 1 FROM allocations WHERE resource = 'spectrum:b-c:0' AND during && tstzrange(now(), NULL)`);
    assert.equal(held.rows.length, m);
    await checkInvariants(db);
  });

  test('the exclusion constraint itself refuses a double booking, whoever writes', async () => {
    const taken = await db.query<{ order_id: string }>(`SELECT order_id FROM allocations WHERE resource = 'spectrum:a-b:0' LIMIT 1`);
    await assert.rejects(
      db.query(`INSERT INTO allocations (kind, resource_id, sub, units, trunk_id, service_id, order_id, role)
                SELECT 'spectrum', 'a-b', 0, int4range(0, 1), NULL, service_id, 'ord_manual', 'working' FROM allocations WHERE order_id = $1 LIMIT 1`, [taken.rows[0].order_id]),
      (err: unknown) => (err as { code?: string }).code === '23P01',
    );
  });
});
