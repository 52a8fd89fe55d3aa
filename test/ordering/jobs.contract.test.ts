/**
 * Work that survives a crash: activation runs as leased jobs. A lease whose worker died is taken over
 * after it expires; the dead worker's late outcome is fenced off; the driver sees the order id as its
 * transaction id and converges when called again; an unreachable network is retried and, in the end,
 * fails the order and releases what it held. Also: trunk retirement is decided on committed state
 * (two circuits of one trunk disconnected at the same moment still retire it). On both drivers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, DriverUnavailableError, EmulatorDriver, type ActivationRequest, type SouthboundDriver } from '../../src/services/ordering/activation.js';
import * as jobs from '../../src/store/jobs.js';
import { JobWorker, type JobHandler } from '../../src/services/jobs.js';
import { alice, checkInvariants, loadTinyNetwork } from './support.js';

async function orderState(db: Db, id: string): Promise<string> {
  return (await db.query<{ state: string }>('SELECT state FROM orders WHERE id = $1', [id])).rows[0].state;
}

async function held(db: Db, orderId: string): Promise<number> {
  return Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE order_id = $1 AND (upper_inf(during) OR upper(during) > now())`, [orderId])).rows[0].n);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const driver of testDrivers()) {
  describe(`leased jobs on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { slotCount: 96, fiberPairs: 2 });
      ordering = new OrderingService(db);
    });
    after(async () => {
      await db.close();
    });

    test('every order is written with its activation job, in the same statement', async () => {
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
      const job = await db.query<{ kind: string }>('SELECT kind FROM jobs WHERE subject = $1', [order.id]);
      assert.deepEqual(job.rows.map((r) => r.kind), ['order.activate']);
      await new ActivationWorker(db, new EmulatorDriver()).runOnce();
      assert.equal(await orderState(db, order.id), 'completed');
      assert.equal((await db.query('SELECT 1 FROM jobs WHERE subject = $1', [order.id])).rows.length, 0, 'done jobs are gone');
    });

    test('a solo kind runs one job at a time per worker; other kinds run beside it', async () => {
      const ids = ['s1', 's2', 's3'].map((x) => `${x}-${crypto.randomUUID()}`);
      await jobs.enqueueJobs(db, [...ids.map((subject) => ({ kind: 'test.solo', subject })), { kind: 'test.quick', subject: 'q1' }, { kind: 'test.quick', subject: 'q2' }]);
      let running = 0;
      let most = 0;
      let soloDone = 0;
      // Quick jobs run while solo work is still queued or running (a lane may take one before the first solo starts).
      const quickBeforeSoloEnd: string[] = [];
      const solo: JobHandler = {
        kind: 'test.solo',
        solo: true,
        run: async (job, ctx) => {
          running++;
          most = Math.max(most, running);
          await sleep(150);
          running--;
          await db.transaction((tx) => ctx.finish(tx));
          soloDone++;
        },
      };
      const quick: JobHandler = {
        kind: 'test.quick',
        run: async (job, ctx) => {
          if (soloDone < ids.length) quickBeforeSoloEnd.push(job.subject);
          await db.transaction((tx) => ctx.finish(tx));
        },
      };
      const w = new JobWorker(db, [solo, quick], { concurrency: 3 });
      assert.equal(await w.runOnce(), 5);
      assert.equal(most, 1, 'never two solo jobs at once');
      assert.deepEqual(quickBeforeSoloEnd.sort(), ['q1', 'q2'], 'the other lanes ran the quick jobs meanwhile, not after the solo ones');
    });

    test('a kind with runBatch gets its due jobs in one call; each outcome is its own (a failed one is given back alone)', async () => {
      const ids = ['b1', 'b2', 'b3', 'b4'].map((x) => `${x}-${crypto.randomUUID()}`);
      await jobs.enqueueJobs(db, ids.map((subject) => ({ kind: 'test.batch', subject })));
      const calls: string[][] = [];
      const batch: JobHandler = {
        kind: 'test.batch',
        run: () => Promise.reject(new Error('runBatch takes these')),
        runBatch: async (items) => {
          calls.push(items.map((i) => i.job.subject).sort());
          return Promise.all(
            items.map(async ({ job, ctx }) => {
              if (job.subject === ids[2] && job.attempts === 1) return new Error('refused once');
              await db.transaction((tx) => ctx.finish(tx));
              return undefined;
            }),
          );
        },
      };
      const w = new JobWorker(db, [batch], { concurrency: 4 });
      assert.equal(await w.runOnce(), 4);
      assert.deepEqual(calls, [[...ids].sort()], 'the four due jobs in one call');
      assert.equal(w.stats.done, 3);
      assert.equal(w.stats.retried, 1);
      const left = await db.query<{ subject: string; attempts: number; last_error: string }>(`SELECT subject, attempts, last_error FROM jobs WHERE kind = 'test.batch'`);
      assert.deepEqual(left.rows, [{ subject: ids[2], attempts: 1, last_error: 'refused once' }], 'only the failed job is back in the queue');
      await db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'test.batch'`);
      assert.equal(await w.runOnce(), 1);
      assert.deepEqual(calls.length, 2);
      assert.equal((await db.query(`SELECT 1 FROM jobs WHERE kind = 'test.batch'`)).rows.length, 0);
    });

    test('a lease whose worker died is taken over when it expires; the dead worker cannot record an outcome', async () => {
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected' });
      // A worker that leased the job and then died (never renews, never finishes).
      const [dead] = await jobs.leaseJobs(db, { kinds: ['order.activate'], owner: 'dead-worker', tokens: [crypto.randomUUID()], leaseSeconds: 1 });
      assert.equal(dead.subject, order.id);
      const emulator = new EmulatorDriver();
      const live = new ActivationWorker(db, emulator, { leaseSeconds: 5 });
      assert.equal(await live.runOnce(), 0, 'a live lease is not taken');
      await sleep(1_200);
      assert.equal(await live.runOnce(), 1, 'an expired one is');
      assert.equal(await orderState(db, order.id), 'completed');
      assert.deepEqual(emulator.applied.map((r) => r.orderId), [order.id]);
      // The dead worker wakes up and tries to record its outcome: fenced off.
      assert.equal(await jobs.finishJob(db, dead.id, dead.leaseToken), false);
      assert.equal(await jobs.releaseJob(db, dead.id, dead.leaseToken, { error: 'late', retryInSeconds: 0 }), false);
    });

    test('the driver is called with the order id as its transaction id and converges when called again', async () => {
      const emulator = new EmulatorDriver();
      const req: ActivationRequest = { orderId: 'ord_same', action: 'add', serviceId: 'svc_x', product: 'wave', design: { paths: [] } };
      await emulator.apply(req);
      await emulator.apply(req);
      assert.equal(emulator.calls, 2);
      assert.equal(emulator.applied.length, 1, 'configured once');
    });

    test('a crash between the driver call and the outcome: the next worker calls again and the order completes once', async () => {
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'b', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected' });
      const emulator = new EmulatorDriver();
      // The first worker leases the job, moves the order on, configures the network, then dies before
      // recording anything: its lease stays until it expires.
      const [lease] = await jobs.leaseJobs(db, { kinds: ['order.activate'], owner: 'doomed', tokens: [crypto.randomUUID()], leaseSeconds: 1 });
      assert.equal(lease.subject, order.id);
      await db.query(`UPDATE orders SET state = 'inProgress' WHERE id = $1`, [order.id]);
      await emulator.apply({ orderId: order.id, action: 'add', serviceId: order.serviceId, product: 'wave', design: { paths: [] } });
      await sleep(1_200);
      const w2 = new ActivationWorker(db, emulator, { leaseSeconds: 5 });
      assert.equal(await w2.runOnce(), 1);
      assert.equal(await orderState(db, order.id), 'completed');
      assert.equal(emulator.calls, 2, 'called again after the crash');
      assert.equal(emulator.applied.filter((r) => r.orderId === order.id).length, 1, 'configured once');
      await checkInvariants(db);
    });

    test('an unreachable network is retried; after the last attempt the order fails and releases what it held', async () => {
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'c', zSite: 'd', bandwidthGbps: 100, protection: 'unprotected' });
      assert.ok((await held(db, order.id)) > 0);
      const emulator = new EmulatorDriver();
      emulator.unavailableNext(1);
      const w = new ActivationWorker(db, emulator);
      await w.runOnce();
      assert.equal(await orderState(db, order.id), 'inProgress', 'given back to be retried');
      const row = (await db.query<{ attempts: number; last_error: string; run_at: Date }>('SELECT attempts, last_error, run_at FROM jobs WHERE subject = $1', [order.id])).rows[0];
      assert.equal(Number(row.attempts), 1);
      assert.match(row.last_error, /unreachable/);
      // Retry now: it works.
      await db.query('UPDATE jobs SET run_at = now() WHERE subject = $1', [order.id]);
      await w.runOnce();
      assert.equal(await orderState(db, order.id), 'completed');

      const { order: doomed } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'd', bandwidthGbps: 100, protection: 'unprotected' });
      const never: SouthboundDriver = { async apply() { throw new DriverUnavailableError('no route to device'); } };
      const w2 = new ActivationWorker(db, never);
      for (let i = 0; i < 8; i++) {
        await db.query('UPDATE jobs SET run_at = now() WHERE subject = $1', [doomed.id]);
        await w2.runOnce();
      }
      assert.equal(await orderState(db, doomed.id), 'failed');
      assert.equal(await held(db, doomed.id), 0);
      const reason = (await db.query<{ failure_reason: string }>('SELECT failure_reason FROM orders WHERE id = $1', [doomed.id])).rows[0].failure_reason;
      assert.match(reason, /could not be reached/);
      await checkInvariants(db);
    });

    test('a job handler that throws is retried with backoff, never lost', async () => {
      let calls = 0;
      const flaky: JobHandler = {
        kind: 'test.flaky',
        async run(_job, ctx) {
          calls++;
          if (calls < 3) throw new Error(`boom ${calls}`);
          await db.transaction((tx) => ctx.finish(tx));
        },
      };
      await jobs.enqueueJobs(db, [{ kind: 'test.flaky', subject: 'x' }, { kind: 'test.flaky', subject: 'x' }]);
      const w = new JobWorker(db, [flaky]);
      for (let i = 0; i < 3; i++) {
        await db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'test.flaky'`);
        await w.runOnce();
      }
      assert.equal(calls, 3, 'enqueued twice, run as one job until it succeeded');
      assert.equal((await db.query(`SELECT 1 FROM jobs WHERE kind = 'test.flaky'`)).rows.length, 0);
      assert.deepEqual(w.stats, { done: 1, retried: 2, gaveUp: 0, leaseLost: 0, handedBack: 0 });
    });

    test('two circuits of one trunk disconnected at the same moment: the trunk is retired (committed state decides)', async () => {
      const rounds = driver.name === 'postgres' ? 30 : 5;
      for (let round = 0; round < rounds; round++) {
        const a = await ordering.placeOrder(alice, { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 10, protection: 'unprotected' });
        const b = await ordering.placeOrder(alice, { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 10, protection: 'unprotected' });
        await new ActivationWorker(db, new EmulatorDriver()).runOnce();
        const trunks = await db.query<{ id: string }>(`SELECT DISTINCT trunk_id AS id FROM allocations WHERE kind = 'spectrum' AND trunk_id IS NOT NULL AND upper_inf(during)`);
        assert.equal(trunks.rows.length, 1, 'both ride one trunk');
        await ordering.disconnectService(alice, a.order.serviceId);
        await ordering.disconnectService(alice, b.order.serviceId);
        // Two workers, one job each, at the same moment: their completion transactions race.
        const w1 = new ActivationWorker(db, new EmulatorDriver(), { concurrency: 1 });
        const w2 = new ActivationWorker(db, new EmulatorDriver(), { concurrency: 1 });
        await Promise.all([w1.runOnce(), w2.runOnce()]);
        const t = await db.query<{ retired_at: unknown }>('SELECT retired_at FROM trunks WHERE id = $1', [trunks.rows[0].id]);
        assert.ok(t.rows[0].retired_at, `round ${round}: the empty trunk is retired`);
        const spectrum = await db.query(`SELECT 1 FROM allocations WHERE trunk_id = $1 AND (upper_inf(during) OR upper(during) > now())`, [trunks.rows[0].id]);
        assert.equal(spectrum.rows.length, 0, `round ${round}: and its spectrum released`);
      }
      await checkInvariants(db);
    });

    test('cancelling twice gives the same answer (a retry after a lost response)', async () => {
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
      const first = await ordering.cancelOrder(alice, order.id);
      const second = await ordering.cancelOrder(alice, order.id);
      assert.equal(first.state, 'cancelled');
      assert.deepEqual(second, first);
      assert.equal((await db.query('SELECT 1 FROM jobs WHERE subject = $1', [order.id])).rows.length, 0, 'its job is gone');
    });
  });
}
