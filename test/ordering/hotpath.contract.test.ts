/**
 * The combined statements of the quote and order hot paths (bench/orders.ts measures their speed; this
 * checks they still mean the same thing): the one-statement planning read against the separate reads
 * it replaces, the gated order write (alone and batched), stale cached views, concurrent orders of one
 * service, and round-trip counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import * as st from '../../src/store/ordering.js';
import { appendEventAfter, listEvents, latestEventId } from '../../src/store/events.js';
import { InventoryService } from '../../src/services/inventory.js';
import { OrderingService, toOrder } from '../../src/services/ordering/orders.js';
import { writePlacedOrders } from '../../src/services/ordering/write-combiner.js';
import { Batcher } from '../../src/services/ordering/batcher.js';
import { allocationStats } from '../../src/services/ordering/common.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, checkInvariants, loadTinyNetwork } from './support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { auditRow } from '../../src/services/audit.js';

/** A Db whose statements are counted (BEGIN/COMMIT excluded: they are the transaction's, not the caller's). */
function counting(db: Db): { db: Db; count: () => number; reset: () => void } {
  let n = 0;
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params, opts) => {
      n++;
      return q.query(sql, params, opts);
    },
  });
  const counted: Db = Object.assign(Object.create(db) as Db, {
    query: wrap(db).query,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
  });
  return { db: counted, count: () => n, reset: () => (n = 0) };
}

for (const driver of testDrivers()) {
  describe(`ordering hot paths on ${driver.name}`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      // 52 strands: the random strand holdings below lie in [4, 52), above the 4 strands in use (the
      // database refuses allocations outside the inventory).
      await loadTinyNetwork(db, { slotCount: 48, strandCount: 52, fiberPairs: 2 });
    });
    after(async () => {
      await db.close();
    });

    test('planningSnapshot reads what quoteContext, activeAllocations and trunksBetween read (random holdings)', async () => {
      const svc = await db.query<{ id: string }>(`INSERT INTO services (id, tenant_id, product, state, spec, design, price)
        VALUES ('svc_snap', 't', 'wave', 'reserved', '{}', '{}', '{}') RETURNING id`);
      assert.equal(svc.rows.length, 1);
      const spans = ['a-b', 'b-c', 'c-d', 'd-a', 'a-c'];
      const cables = spans.map((s) => `${s}-c1`);
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          // Disjoint slot ranges per resource: [8i, 8i + w) never overlap for distinct i.
          fc.array(fc.record({ kind: fc.constantFrom('spectrum', 'strand'), r: fc.integer({ min: 0, max: 4 }), i: fc.integer({ min: 0, max: 5 }), w: fc.integer({ min: 1, max: 8 }), fp: fc.integer({ min: 0, max: 1 }), released: fc.boolean() }), {
            maxLength: 20,
          }),
          fc.subarray([0, 1, 2, 3, 4], { minLength: 0 }),
          fc.boolean(),
          async (holds, pick, withTrunk) => {
            round++;
            await db.query('DELETE FROM allocations');
            await db.query('DELETE FROM trunks');
            const seen = new Set<string>();
            for (const h of holds) {
              const resourceId = h.kind === 'spectrum' ? spans[h.r] : cables[h.r];
              // Spectrum on either fiber pair (the read covers every sub); strands have one.
              const sub = h.kind === 'spectrum' ? h.fp : 0;
              const key = `${h.kind}:${resourceId}:${sub}:${h.i}`;
              if (seen.has(key)) continue;
              seen.add(key);
              await db.query(
                `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role, during)
                 VALUES ($1, $2, $6, int4range($3, $4), 'svc_snap', 'ord_snap', 'working',
                         CASE WHEN $5 THEN tstzrange(now() - interval '1 hour', now() - interval '1 minute') ELSE tstzrange(now(), NULL) END)`,
                [h.kind, resourceId, 8 * h.i + (h.kind === 'strand' ? 4 : 0), 8 * h.i + h.w + (h.kind === 'strand' ? 4 : 0), h.released, sub],
              );
            }
            if (withTrunk) {
              await db.query(`INSERT INTO trunks (id, a_site_id, z_site_id, capacity_gbps, path_spans, latency_us, length_km, created_by)
                VALUES ('trk_${round}', 'a', 'c', 400, '{"siteIds":["a","c"],"spanIds":["a-c"]}', 784, 160, 'ord_snap')`);
              await db.query(`INSERT INTO allocations (kind, resource_id, sub, units, trunk_id, order_id, role) VALUES ('trunk', 'trk_${round}', 0, int4range(0, 10), 'trk_${round}', 'ord_snap', 'trunk')`);
            }
            for (const kind of ['spectrum', 'strand'] as const) {
              const ids = pick.map((i) => (kind === 'spectrum' ? spans[i] : cables[i]));
              const snap = await st.planningSnapshot(db, { kind, resourceIds: ids, subs: kind === 'spectrum' ? 2 : 1, trunkPair: ['c', 'a'] });
              const ctx = await st.quoteContext(db);
              assert.equal(snap.inventoryVersion, ctx.inventoryVersion);
              assert.deepEqual(snap.priceBook, ctx.priceBook);
              const key = (x: { resourceId: string; sub: number; lo: number; hi: number }) => `${x.resourceId}/${x.sub}/${x.lo}/${x.hi}`;
              const expected = (await st.activeAllocations(db, kind, ids)).map(key).sort();
              assert.deepEqual(snap.held.map(key).sort(), expected);
              assert.deepEqual(snap.trunks, await st.trunksBetween(db, 'a', 'c'));
              assert.equal(snap.existingOrder, null);
            }
            // The batched read (concurrent orders of one process) answers each request as the single one does.
            const reqs: st.SnapshotRequest[] = (['spectrum', 'strand'] as const).map((kind) => ({ kind, resourceIds: pick.map((i) => (kind === 'spectrum' ? spans[i] : cables[i])), subs: kind === 'spectrum' ? 2 : 1, trunkPair: ['c', 'a'] }));
            reqs.push({ kind: 'spectrum', resourceIds: spans, subs: 2, trunkPair: null, idempotency: { tenantId: 'alice', key: 'none' } }, { kind: 'strand', resourceIds: [], subs: 1, trunkPair: ['a', 'b'] });
            const comparable = (x: st.PlanningSnapshot) => ({ ...x, now: null, held: x.held.map((h) => `${h.resourceId}/${h.sub}/${h.lo}/${h.hi}`).sort() });
            const batch = await st.planningSnapshots(db, reqs);
            assert.equal(batch.length, reqs.length);
            for (const [i, r] of reqs.entries()) assert.deepEqual(comparable(batch[i]), comparable(await st.planningSnapshot(db, r)));
          },
        ),
        { seed: 20261121, numRuns: 25 },
      );
      await db.query('DELETE FROM allocations');
      await db.query('DELETE FROM trunks');
      await db.query(`DELETE FROM services WHERE id = 'svc_snap'`);
    });

    test('the gated order write: all or nothing, and the event carries the stored order', async () => {
      const version = (await st.quoteContext(db)).inventoryVersion;
      const now = (await db.query<{ now: Date | string }>('SELECT now() AS now')).rows[0].now;
      const placed = (id: string, over: Partial<st.PlacedOrder> = {}): st.PlacedOrder => ({
        service: { id: `svc_${id}`, tenantId: 'alice', product: 'wave', state: 'reserved', spec: { id }, design: { paths: [] }, price: { p: 1 } },
        trunks: [],
        allocations: [{ kind: 'spectrum', resourceId: 'c-d', sub: 0, lo: 40, hi: 44, role: 'working', serviceId: `svc_${id}`, trunkId: null }],
        order: { id: `ord_${id}`, tenantId: 'alice', action: 'add', state: 'acknowledged', serviceId: `svc_${id}`, quoteId: null, optionId: null, spec: { id }, design: null, idempotencyKey: null, requestHash: null, requestId: null },
        audit: auditRow(TEST_OPERATOR, { action: 'order.place', subject: { kind: 'order', id: `ord_${id}` }, tenantId: 'alice' }),
        locks: ['spectrum:c-d:0'],
        liveTrunks: [],
        inventoryVersion: version,
        createdAt: new Date(now).toISOString(),
        window: { start: new Date(now).toISOString(), end: null },
        holdExpiresAt: null,
        activateAt: new Date(now).toISOString(),
        seriesId: null,
        ...over,
      });
      const write = (o: st.PlacedOrder) => appendEventAfter(db, st.placedOrderWrites(o), { type: 'order.acknowledged', tenantId: 'alice', subject: { kind: 'order', id: o.order.id }, data: toOrder(st.placedOrderRow(o)) });
      const count = async () => {
        const r = await db.query<{ s: number; o: number; a: number; e: number }>(
          `SELECT (SELECT count(*)::int FROM services) AS s, (SELECT count(*)::int FROM orders) AS o, (SELECT count(*)::int FROM allocations) AS a, ((SELECT count(*) FROM events) + (SELECT count(*) FROM event_outbox))::int AS e`,
        );
        return r.rows[0];
      };
      const before0 = await count();
      // Stale inventory version: nothing at all is written.
      assert.equal(await write(placed('g1', { inventoryVersion: version + 1 })), false);
      // A trunk that is not live (here: does not exist): nothing written either.
      assert.equal(await write(placed('g2', { liveTrunks: ['trk_gone'] })), false);
      assert.deepEqual(await count(), before0);
      // The real thing: every row, and the event's order equals the order as stored.
      assert.equal(await write(placed('g3')), true);
      const after1 = await count();
      const id = await latestEventId(db);
      assert.deepEqual(after1, { s: before0.s + 1, o: before0.o + 1, a: before0.a + 1, e: before0.e + 1 });
      const stored = await st.getOrder(db, 'ord_g3', undefined);
      assert.ok(stored);
      const ev = (await listEvents(db, { after: id - 1, limit: 1 }))[0];
      assert.equal(ev.id, id);
      assert.deepEqual(ev.data, JSON.parse(JSON.stringify(toOrder(stored))));
      // The exclusion constraint still has the last word: the same range again is refused whole.
      await assert.rejects(write(placed('g4')), (err: unknown) => (err as { code?: string }).code === '23P01');
      assert.deepEqual(await count(), after1);
      await db.query(`DELETE FROM allocations WHERE order_id = 'ord_g3'`);
    });

    test('batched order writes: each order meets its own gate, and a batch that fails whole is written order by order', async () => {
      const version = (await st.quoteContext(db)).inventoryVersion;
      const now = new Date((await db.query<{ now: Date | string }>('SELECT now() AS now')).rows[0].now).toISOString();
      const placed = (id: string, lo: number, over: Partial<st.PlacedOrder> = {}): st.PlacedOrder => ({
        service: { id: `svc_${id}`, tenantId: 'alice', product: 'wave', state: 'reserved', spec: { id }, design: { paths: [] }, price: { p: 1 } },
        trunks: [],
        allocations: [{ kind: 'spectrum', resourceId: 'a-b', sub: 0, lo, hi: lo + 2, role: 'working', serviceId: `svc_${id}`, trunkId: null }],
        order: { id: `ord_${id}`, tenantId: 'alice', action: 'add', state: 'acknowledged', serviceId: `svc_${id}`, quoteId: null, optionId: null, spec: { id }, design: null, idempotencyKey: null, requestHash: null, requestId: null },
        audit: auditRow(TEST_OPERATOR, { action: 'order.place', subject: { kind: 'order', id: `ord_${id}` }, tenantId: 'alice' }),
        locks: [],
        liveTrunks: [],
        inventoryVersion: version,
        createdAt: now,
        window: { start: now, end: null },
        holdExpiresAt: null,
        activateAt: now,
        seriesId: null,
        ...over,
      });
      const item = (o: st.PlacedOrder) => ({ order: o, event: { type: 'order.acknowledged', tenantId: 'alice', subject: { kind: 'order', id: o.order.id }, data: { id: o.order.id } } });
      const start = await latestEventId(db);
      // One statement, three orders: stale view, dead trunk, fine. Only the last one leaves rows and an event.
      const written = await writePlacedOrders(db, [item(placed('b1', 40, { inventoryVersion: version + 1 })), item(placed('b2', 42, { liveTrunks: ['trk_gone'] })), item(placed('b3', 44))]);
      assert.deepEqual(written, [false, false, true]);
      const orders = await db.query<{ id: string }>(`SELECT id FROM orders WHERE id LIKE 'ord_b_' ORDER BY id`);
      assert.deepEqual(orders.rows.map((r) => r.id), ['ord_b3']);
      const evs = await listEvents(db, { after: start, limit: 10 });
      assert.deepEqual(evs.map((e) => e.subject.id), ['ord_b3']);
      // Through the combiner: the first write is in flight when the next two queue up, so they share
      // one statement. b5 collides with b3's range, which fails that statement; each is then written
      // alone, so b6 still goes in and only b5 gets the exclusion violation.
      const combiner = new Batcher((items: ReturnType<typeof item>[]) => writePlacedOrders(db, items), { maxBatch: 64, maxInFlight: 1 });
      const results = await Promise.allSettled([placed('b4', 30), placed('b5', 45), placed('b6', 20)].map((o) => combiner.submit(item(o))));
      assert.deepEqual([combiner.stats.batches, combiner.stats.items], [2, 3]);
      assert.equal(results[0].status, 'fulfilled');
      assert.equal(results[2].status, 'fulfilled');
      assert.equal(results[1].status, 'rejected');
      assert.equal(((results[1] as PromiseRejectedResult).reason as { code?: string }).code, '23P01');
      const after2 = await db.query<{ id: string }>(`SELECT id FROM orders WHERE id LIKE 'ord_b_' ORDER BY id`);
      assert.deepEqual(after2.rows.map((r) => r.id), ['ord_b3', 'ord_b4', 'ord_b6']);
      await db.query(`DELETE FROM allocations WHERE order_id LIKE 'ord_b_'`);
    });

    test('concurrent orders of one service: one planning read each, writes combined, no retries, nothing double-booked', async () => {
      const svc = new OrderingService(db);
      const retries0 = allocationStats.retries;
      const specs = Array.from({ length: 12 }, (_, i) => ({ product: 'wave', aSite: ['a', 'b', 'c', 'd'][i % 4], zSite: ['c', 'd', 'a', 'b'][i % 4], bandwidthGbps: 100, protection: 'unprotected' }));
      const results = await Promise.allSettled(specs.map((s) => svc.placeOrder(alice, s)));
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as LightpathError).code, 'capacity-exhausted');
      assert.ok(results.filter((r) => r.status === 'fulfilled').length > 0);
      assert.equal(allocationStats.retries - retries0, 0, 'orders of one process never collide with each other');
      assert.ok(svc.writer.stats.batches < svc.writer.stats.items, `writes were combined (${JSON.stringify(svc.writer.stats)})`);
      assert.equal(svc.inflight.size, 0, 'nothing left in flight');
      await checkInvariants(db);
    });

    test('quotes and orders see an inventory change made behind their cached views', async () => {
      const spec = { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' };
      // Three services (as three processes would be), each with a view cached before the change.
      const [quoter, fromQuote, inline] = [new OrderingService(db), new OrderingService(db), new OrderingService(db)];
      for (const s of [quoter, fromQuote, inline]) assert.ok((await s.quote(alice, spec)).options.length > 0);
      const inv = new InventoryService(db);
      await inv.createSite(TEST_OPERATOR, { id: 'e', name: 'E', kind: 'pop', lat: 40.5, lon: -99.5, metro: null, cloudProvider: null, cloudRegion: null });
      await inv.createSpan(TEST_OPERATOR, {
        id: 'b-e',
        aSiteId: 'b',
        zSiteId: 'e',
        lengthKm: 80,
        srlgIds: [],
        lineSystem: { fiberPairs: 1, slotCount: 48, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 },
        cables: [{ id: 'b-e-c1', strandCount: 12, strandsInUse: 4 }],
      });
      const toE = { ...spec, zSite: 'e' };
      // A stale view knows no site e: that must not surface as "unknown site" or "network changed".
      const q = await quoter.quote(alice, toE);
      assert.ok(q.options.length > 0, 'the quote used the new inventory');
      assert.equal(q.options[0].paths[0].spanIds.at(-1), 'b-e');
      const fromQ = await fromQuote.placeOrder(alice, { quoteId: q.id, optionId: 'opt-1' });
      assert.equal(fromQ.order.state, 'acknowledged');
      const direct = await inline.placeOrder(alice, { ...toE, aSite: 'c' });
      assert.equal(direct.created, true);
      await checkInvariants(db);
    });

    test('placeOrder: the acknowledged event and the returned order are the order as stored', async () => {
      const svc = new OrderingService(db);
      const start = await latestEventId(db);
      const { order } = await svc.placeOrder(alice, { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 10, protection: 'unprotected' }, 'hot-1');
      const stored = toOrder((await st.getOrder(db, order.id, undefined)) as st.OrderRow);
      assert.deepEqual(order, stored);
      const events = (await listEvents(db, { after: start, limit: 100 })).filter((e) => e.subject.id === order.id);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0].data, JSON.parse(JSON.stringify(stored)));
      // The idempotency lookup now rides on the planning read: same key, same order, nothing new.
      const again = await svc.placeOrder(alice, { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 10, protection: 'unprotected' }, 'hot-1');
      assert.equal(again.created, false);
      assert.deepEqual(again.order, stored);
      await checkInvariants(db);
    });

    test('round trips: a quote is 2 statements, an inline order 2 (plus its candidate locks in locked mode on a server)', async () => {
      const c = counting(db);
      const svc = new OrderingService(c.db);
      const spec = { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected' };
      await svc.quote(alice, spec); // warm the view cache
      c.reset();
      await svc.quote(alice, spec);
      assert.equal(c.count(), 2);
      c.reset();
      await svc.placeOrder(alice, spec);
      assert.equal(c.count(), 2);
      const locked = new OrderingService(c.db, { optimisticOrders: false });
      await locked.quote(alice, spec);
      c.reset();
      await locked.placeOrder(alice, spec);
      assert.equal(c.count(), db.kind === 'postgres' ? 3 : 2);
      await checkInvariants(db);
    });
  });
}
