/**
 * Holds that run out together expire together (the hold-expiry handler's runBatch: one transaction for
 * the batch), each exactly as alone: cancelled with reason hold-expired, its capacity free, its audit
 * record and event, its job gone. A batch in which one job's lease was taken over falls back to one
 * transaction per hold: the others still expire, and the one whose lease is gone is left to its new
 * owner, untouched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, activationHandlers, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { EXPIRE_HOLD } from '../../src/store/job-kinds.js';
import * as jobsStore from '../../src/store/jobs.js';
import { LeaseLostError, type JobContext, type JobRow } from '../../src/services/jobs.js';
import { alice, loadTinyNetwork } from '../ordering/support.js';

const HOUR = 3_600_000;

for (const driver of testDrivers()) {
  describe(`hold expiry in batches on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { slotCount: 384 });
      ordering = new OrderingService(db);
    });
    after(async () => {
      await db.close();
    });

    /** n holds of one second, each in an hour of its own a day ahead; their order ids. */
    const holds = async (n: number, day: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const start = Math.ceil(Date.now() / HOUR) * HOUR + (24 * day + i) * HOUR;
        const { order } = await ordering.placeOrder(alice, {
          product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected',
          start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString(), hold: true, holdSeconds: 1,
        });
        assert.equal(order.state, 'held');
        ids.push(order.id);
      }
      await new Promise((r) => setTimeout(r, 1_200));
      return ids;
    };

    /** Per order: its state and reason, allocations still held, expiry audit records, cancel events, expiry jobs. */
    const outcome = async (id: string) => {
      const one = async (sql: string): Promise<number> => (await db.query<{ n: number }>(sql, [id])).rows[0].n;
      const row = (await db.query<{ state: string; failure_reason: string | null }>('SELECT state, failure_reason FROM orders WHERE id = $1', [id])).rows[0];
      return {
        state: row.state,
        reason: row.failure_reason,
        held: await one(`SELECT count(*)::int AS n FROM allocations WHERE order_id = $1 AND NOT isempty(during)`),
        audits: await one(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'order.expire' AND subject_id = $1`),
        events: await one(`SELECT count(*)::int AS n FROM event_outbox WHERE type = 'order.cancelled' AND subject_id = $1`),
        jobs: await one(`SELECT count(*)::int AS n FROM jobs WHERE kind = '${EXPIRE_HOLD}' AND subject = $1`),
      };
    };
    const expired = { state: 'cancelled', reason: 'hold-expired', held: 0, audits: 1, events: 1, jobs: 0 };

    test('holds due together expire in one sweep, each with its own record', async () => {
      const ids = await holds(6, 1);
      for (const id of ids) assert.equal((await outcome(id)).held > 0, true, 'held before the sweep');
      const worker = new ActivationWorker(db, new EmulatorDriver(), { concurrency: 1 });
      try {
        await worker.runOnce();
      } finally {
        await worker.close();
      }
      for (const id of ids) assert.deepEqual(await outcome(id), expired, id);
      // One transaction for them all: their audit records carry its one now().
      const at = await db.query<{ n: number }>(`SELECT count(DISTINCT at)::int AS n FROM audit_log WHERE action = 'order.expire' AND subject_id = ANY($1::text[])`, [ids]);
      assert.equal(at.rows[0].n, 1);
    });

    test('a batch with a lost lease: the others expire, the lost one is left as it was', async () => {
      const ids = await holds(4, 2);
      const handler = activationHandlers(db, new EmulatorDriver()).find((h) => h.kind === EXPIRE_HOLD);
      assert.ok(handler?.runBatch);
      const tokens = ids.map(() => randomUUID());
      const leased = (await jobsStore.leaseJobs(db, { kinds: [EXPIRE_HOLD], owner: 'test', tokens, leaseSeconds: 60 })).filter((j) => ids.includes(j.subject));
      assert.equal(leased.length, ids.length);
      const lost = leased[1];
      // The fence a worker's context applies (services/jobs.ts); for `lost`, the token another worker took over.
      const ctxOf = (job: JobRow): JobContext => ({
        signal: new AbortController().signal,
        async finish(tx) {
          const token = job === lost ? randomUUID() : (job.leaseToken as string);
          if (!(await jobsStore.finishJob(tx, job.id, token))) throw new LeaseLostError(job);
        },
      });
      const results = await handler.runBatch(leased.map((job) => ({ job, ctx: ctxOf(job) })));
      assert.equal(results.length, leased.length);
      for (const [k, job] of leased.entries()) {
        if (job === lost) {
          assert.ok(results[k] instanceof LeaseLostError, 'its error is its own');
          const o = await outcome(job.subject);
          assert.ok(o.held > 0, 'still holds its capacity');
          assert.deepEqual({ ...o, held: 1 }, { state: 'held', reason: null, held: 1, audits: 0, events: 0, jobs: 1 });
        } else {
          assert.equal(results[k], undefined);
          assert.deepEqual(await outcome(job.subject), expired, job.subject);
        }
      }
    });
  });
}
