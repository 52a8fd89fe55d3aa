import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService, type Order } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { PRODUCTS, PROTECTIONS, type CircuitSpec } from '../../src/domain/products.js';
import { alice, bob, checkInvariants, loadTinyNetwork, operator, rejectsWith } from './support.js';
import { listEvents } from '../../src/store/events.js';
import { lossBudget } from '../../src/domain/loss.js';
import { latencyLowerBoundUs } from '../../src/domain/network.js';

function specFor(product: (typeof PRODUCTS)[number], protection: (typeof PROTECTIONS)[number]): CircuitSpec {
  return {
    product,
    aSite: 'a',
    zSite: product === 'cloud-connect' ? 'cloud' : 'c',
    bandwidthGbps: product === 'dark-fiber' ? 0 : product === 'wave' ? 100 : 10,
    protection,
    maxLatencyUs: null,
  };
}

for (const driver of testDrivers()) {
  describe(`ordering lifecycle on ${driver.name}`, () => {
    let db: Db;
    let svc: OrderingService;
    let emulator: EmulatorDriver;
    let worker: ActivationWorker;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db);
      svc = new OrderingService(db);
      emulator = new EmulatorDriver();
      worker = new ActivationWorker(db, emulator, { concurrency: 2 });
    });
    after(async () => {
      await worker.close();
      await db.close();
    });

    for (const product of PRODUCTS) {
      for (const protection of PROTECTIONS) {
        test(`${product} ${protection}: quote, order, activate, modify, disconnect`, async () => {
          const spec = specFor(product, protection);
          const quote = await svc.quote(alice, spec);
          assert.match(quote.id, /^quo_[0-9A-Z]{26}$/);
          assert.ok(quote.options.length >= 1, 'at least one option');
          const held0 = await db.query('SELECT count(*)::int AS n FROM allocations');
          for (const o of quote.options) {
            assert.ok(o.latencyUs >= o.latencyLowerBoundUs, 'no path beats the straight-line bound');
            assert.ok(o.availability > 0 && o.availability < 1);
            assert.ok(Number.isInteger(o.monthly.amountMinor) && o.monthly.amountMinor > 0);
            assert.equal(o.paths.length, protection === 'protected-1+1' ? 2 : 1);
            const sum = o.paths[0].spanIds.length;
            assert.ok(sum >= 1);
            if (product === 'dark-fiber') {
              // Independent recomputation from the span lengths the quote reports.
              const km = o.paths[0].lengthKm;
              assert.ok(o.paths[0].lossBudget);
              assert.ok(Math.abs(o.paths[0].lossBudget.fiberLossDb - Math.round(km * 0.25 * 100) / 100) < 0.011);
            }
            if (protection === 'protected-1+1') {
              const [w, p] = o.paths;
              assert.ok(w.spanIds.every((s) => !p.spanIds.includes(s)), 'disjoint spans');
              assert.ok(!(w.spanIds.includes('b-c') || w.spanIds.includes('d-a')) || !(p.spanIds.includes('b-c') || p.spanIds.includes('d-a')), 'no shared SRLG');
              assert.ok(o.availability > 1 - (1 - 0.9999) , 'parallel beats a single path');
            }
          }
          const held1 = await db.query('SELECT count(*)::int AS n FROM allocations');
          assert.deepEqual(held1.rows, held0.rows, 'quoting reserves nothing');

          const { order, created } = await svc.placeOrder(alice, { quoteId: quote.id, optionId: 'opt-1' }, `key-${product}-${protection}`);
          assert.equal(created, true);
          assert.equal(order.state, 'acknowledged');
          assert.match(order.id, /^ord_/);
          const reserved = await svc.getService(alice, order.serviceId);
          assert.equal(reserved.state, 'reserved');
          assert.deepEqual(reserved.design.paths.map((p) => p.spanIds), quote.options[0].paths.map((p) => p.spanIds), 'ordered on the quoted path');
          await checkInvariants(db);

          assert.ok((await worker.runOnce()) >= 1);
          assert.equal((await svc.getOrder(alice, order.id)).state, 'completed');
          const active = await svc.getService(alice, order.serviceId);
          assert.equal(active.state, 'active');
          assert.deepEqual(active.price.monthly, quote.options[0].monthly, 'quoted price holds');
          await checkInvariants(db);

          if (product !== 'dark-fiber') {
            const bigger = product === 'wave' ? 400 : 40;
            const mod = await svc.modifyService(alice, order.serviceId, { bandwidthGbps: bigger });
            assert.equal(mod.action, 'modify');
            await checkInvariants(db);
            await worker.runOnce();
            assert.equal((await svc.getOrder(alice, mod.id)).state, 'completed');
            const modified = await svc.getService(alice, order.serviceId);
            assert.equal(modified.bandwidthGbps, bigger);
            if (product === 'wave') assert.equal(modified.design.paths[0].wave?.lineRateGbps, 400);
            await checkInvariants(db);
          } else {
            await rejectsWith(svc.modifyService(alice, order.serviceId, { bandwidthGbps: 10 }), 'validation-failed');
          }

          const del = await svc.disconnectService(alice, order.serviceId);
          await worker.runOnce();
          assert.equal((await svc.getOrder(alice, del.id)).state, 'completed');
          assert.equal((await svc.getService(alice, order.serviceId)).state, 'terminated');
          const left = await db.query(`SELECT count(*)::int AS n FROM allocations WHERE during && tstzrange(now(), NULL)`);
          assert.equal(Number((left.rows[0] as { n: number }).n), 0, 'disconnect releases everything (idle trunks too)');
          await checkInvariants(db);
        });
      }
    }

    test('failed activation releases what the order held; failed modify keeps the old design', async () => {
      emulator.failNext(1);
      const { order } = await svc.placeOrder(alice, specFor('wave', 'protected-1+1'));
      assert.ok(Number(((await db.query(`SELECT count(*)::int AS n FROM allocations WHERE order_id = $1`, [order.id])).rows[0] as { n: number }).n) > 0);
      await worker.runOnce();
      const failed = await svc.getOrder(alice, order.id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.failureReason ?? '', /activation failed/);
      assert.equal((await svc.getService(alice, order.serviceId)).state, 'terminated');
      await checkInvariants(db);

      const { order: eth } = await svc.placeOrder(alice, specFor('ethernet', 'unprotected'));
      await worker.runOnce();
      const before = await svc.getService(alice, eth.serviceId);
      emulator.failNext(1);
      const mod = await svc.modifyService(alice, eth.serviceId, { bandwidthGbps: 100 });
      await worker.runOnce();
      assert.equal((await svc.getOrder(alice, mod.id)).state, 'failed');
      const after = await svc.getService(alice, eth.serviceId);
      assert.equal(after.state, 'active');
      assert.deepEqual(after.design, before.design);
      assert.equal(after.bandwidthGbps, 10);
      await checkInvariants(db);
      const del = await svc.disconnectService(alice, eth.serviceId);
      await worker.runOnce();
      assert.equal((await svc.getOrder(alice, del.id)).state, 'completed');
      await checkInvariants(db);
    });

    test('ethernet circuits groom onto one trunk until it is full, then light another', async () => {
      const orders: Order[] = [];
      for (let i = 0; i < 3; i++) orders.push((await svc.placeOrder(bob, { ...specFor('ethernet', 'unprotected'), bandwidthGbps: 150 })).order);
      await worker.runOnce();
      const trunkIds = await Promise.all(orders.map(async (o) => (await svc.getService(bob, o.serviceId)).design.paths[0].trunk?.trunkId));
      assert.equal(trunkIds[0], trunkIds[1], 'second circuit fits the first trunk (300 of 400G)');
      assert.notEqual(trunkIds[2], trunkIds[0], 'third does not fit: a new wave is lit');
      await checkInvariants(db);
      for (const o of orders) await svc.disconnectService(bob, o.serviceId);
      await worker.runOnce();
      await checkInvariants(db);
    });

    test('idempotency: same key same body -> one order; same key other body -> 409', async () => {
      const body = specFor('wave', 'unprotected');
      const first = await svc.placeOrder(alice, body, 'idem-1');
      const again = await svc.placeOrder(alice, { ...body }, 'idem-1');
      assert.equal(again.created, false);
      assert.equal(again.order.id, first.order.id);
      const n = await db.query(`SELECT count(DISTINCT order_id)::int AS n FROM allocations WHERE order_id = $1`, [first.order.id]);
      assert.equal(Number((n.rows[0] as { n: number }).n), 1);
      const count = await db.query(`SELECT count(*)::int AS n FROM orders WHERE idempotency_key = 'idem-1'`);
      assert.equal(Number((count.rows[0] as { n: number }).n), 1);
      await rejectsWith(svc.placeOrder(alice, { ...body, bandwidthGbps: 400 }, 'idem-1'), 'idempotency-conflict');
      // Keys are per tenant: bob's idem-1 is a different order.
      const bobs = await svc.placeOrder(bob, body, 'idem-1');
      assert.notEqual(bobs.order.id, first.order.id);
      // Concurrent retries with one key still make one order.
      const racing = await Promise.all([1, 2, 3].map(() => svc.placeOrder(alice, specFor('ethernet', 'unprotected'), 'idem-race')));
      assert.equal(new Set(racing.map((r) => r.order.id)).size, 1);
      assert.equal(racing.filter((r) => r.created).length, 1);
      await worker.runOnce();
      await checkInvariants(db);
    });

    test('tenant isolation: another tenant gets not-found, operators see all', async () => {
      const { order } = await svc.placeOrder(alice, specFor('ethernet', 'unprotected'));
      const quote = await svc.quote(alice, specFor('wave', 'unprotected'));
      await rejectsWith(svc.getOrder(bob, order.id), 'not-found');
      await rejectsWith(svc.getService(bob, order.serviceId), 'not-found');
      await rejectsWith(svc.getQuote(bob, quote.id), 'not-found');
      await rejectsWith(svc.placeOrder(bob, { quoteId: quote.id, optionId: 'opt-1' }), 'not-found');
      await rejectsWith(svc.cancelOrder(bob, order.id), 'not-found');
      await rejectsWith(svc.modifyService(bob, order.serviceId, { bandwidthGbps: 20 }), 'not-found');
      await rejectsWith(svc.disconnectService(bob, order.serviceId), 'not-found');
      for (const page of [await svc.listOrders(bob, {}), await svc.listServices(bob, {}), await svc.listQuotes(bob, {})]) {
        assert.ok(page.items.every((x) => x.tenantId === 'bob'));
      }
      assert.ok((await svc.listServices(operator, { limit: 1000 })).items.some((s) => s.tenantId === 'alice'));
      assert.equal((await svc.getOrder(operator, order.id)).id, order.id);
      const cancelled = await svc.cancelOrder(alice, order.id);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal((await svc.getService(alice, order.serviceId)).state, 'terminated');
      await checkInvariants(db);
    });

    test('every state change has its event, in order', async () => {
      const { order } = await svc.placeOrder(alice, specFor('wave', 'unprotected'));
      await worker.runOnce();
      const events = await listEvents(db, { after: 0, limit: 10000, tenantId: 'alice' });
      const mine = events.filter((e) => e.subject.id === order.id || e.subject.id === order.serviceId).map((e) => e.type);
      assert.deepEqual(mine, ['order.acknowledged', 'order.inProgress', 'order.completed', 'service.activated']);
      assert.equal((await listEvents(db, { after: 0, limit: 10000, tenantId: 'bob' })).filter((e) => e.subject.id === order.id).length, 0);
    });

    test('paging through services visits each once', async () => {
      const all = new Set<string>();
      let cursor: string | undefined;
      for (;;) {
        const page = await svc.listServices(operator, { limit: 2, ...(cursor ? { cursor } : {}) });
        for (const s of page.items) {
          assert.ok(!all.has(s.id));
          all.add(s.id);
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const n = await db.query('SELECT count(*)::int AS n FROM services');
      assert.equal(all.size, Number((n.rows[0] as { n: number }).n));
      await rejectsWith(svc.listServices(operator, { cursor: 'garbage' }), 'validation-failed');
      await rejectsWith(svc.listServices(operator, { limit: 0 }), 'validation-failed');
    });

    test('an expired quote cannot be ordered; an unknown option is a validation error', async () => {
      const stale = new OrderingService(db, { quoteTtlMs: -1000 });
      const q = await stale.quote(alice, specFor('wave', 'unprotected'));
      await rejectsWith(svc.placeOrder(alice, { quoteId: q.id, optionId: 'opt-1' }), 'conflict');
      const fresh = await svc.quote(alice, specFor('wave', 'unprotected'));
      await rejectsWith(svc.placeOrder(alice, { quoteId: fresh.id, optionId: 'opt-99' }), 'validation-failed');
      await rejectsWith(svc.placeOrder(alice, { quoteId: fresh.id, optionId: 'opt-1', product: 'wave' }), 'validation-failed');
    });

    test('quote facts: lower bound and loss budget come from independent formulas', async () => {
      const q = await svc.quote(alice, { product: 'dark-fiber', aSite: 'a', zSite: 'b', protection: 'unprotected' });
      const o = q.options[0];
      assert.deepEqual(o.paths[0].spanIds, ['a-b']);
      assert.equal(o.latencyLowerBoundUs, latencyLowerBoundUs({ lat: 40, lon: -100 }, { lat: 40, lon: -99 }));
      // 110 km: 27.5 dB fiber, 21 reel splices of 0.1 dB, two 0.5 dB connectors = 30.6 dB.
      assert.equal(o.paths[0].lossBudget?.lossDb, 30.6);
      assert.deepEqual(o.paths[0].lossBudget, lossBudget([110]));
      const tight = await svc.quote(alice, { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: 160 * 4.9 - 1 });
      assert.equal(tight.options.length, 0, 'a bound below every path yields no options');
    });
  });
}
