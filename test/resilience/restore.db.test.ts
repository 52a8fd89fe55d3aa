import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { InventoryService } from '../../src/services/inventory.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import type { DesignPath } from '../../src/services/ordering/design.js';
import type { Product, Protection } from '../../src/domain/products.js';
import { ResilienceService } from '../../src/services/resilience/index.js';
import { runBatch } from '../../src/services/resilience/reconcile.js';
import { insertFailure } from '../../src/store/failures.js';
import { holdersOf } from '../../src/store/resilience.js';
import { listEvents } from '../../src/store/events.js';
import { operator, rejectsWith } from '../ordering/support.js';
import { checkResilience, realSpans, services, working, type Live } from './support.js';
import { TEST_OPERATOR } from '../support/principals.js';

const MIX: [Product, Protection][] = [
  ['wave', 'unprotected'],
  ['wave', 'restorable'],
  ['wave', 'protected-1+1'],
  ['dark-fiber', 'restorable'],
  ['dark-fiber', 'unprotected'],
  ['dark-fiber', 'protected-1+1'],
  ['ethernet', 'restorable'],
  ['ethernet', 'unprotected'],
  ['ethernet', 'protected-1+1'],
];

for (const driver of testDrivers()) {
  describe(`resilience on the built-in network (${driver.name})`, () => {
    let db: Db;
    let ordering: OrderingService;
    let worker: ActivationWorker;
    let res: ResilienceService;
    let hot = '';
    before(async () => {
      db = await driver.open();
      await new InventoryService(db).initialize();
      ordering = new OrderingService(db);
      worker = new ActivationWorker(db, new EmulatorDriver(), { concurrency: 1 });
      res = new ResilienceService(db, { revert: 'auto' });
      // Every product/protection mix on a few corridors that share their busiest spans.
      const pops = (await db.query<{ id: string }>(`SELECT id FROM sites WHERE kind = 'pop' ORDER BY id`)).rows.map((r) => r.id);
      const pairs: [string, string][] = [
        [pops[0], pops[pops.length - 1]],
        [pops[3], pops[pops.length - 5]],
        [pops[7], pops[pops.length - 9]],
      ];
      for (const [a, z] of pairs) {
        for (const [product, protection] of MIX) {
          await ordering.placeOrder(operator, { product, aSite: a, zSite: z, bandwidthGbps: product === 'dark-fiber' ? 0 : product === 'wave' ? 100 : 10, protection });
        }
      }
      await worker.runOnce();
      const r = await db.query<{ resource_id: string; n: number }>(
        `SELECT resource_id, count(DISTINCT coalesce(service_id, trunk_id))::int AS n FROM allocations WHERE kind = 'spectrum' AND during && tstzrange(now(), NULL) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
      );
      hot = r.rows[0].resource_id;
    });
    after(async () => {
      await worker.close();
      await db.close();
    });

    test('the SQL reverse index (holdersOf) equals a full scan of every design, for every span', async () => {
      const all = await services(db);
      const spans = (await db.query<{ id: string }>('SELECT id FROM spans ORDER BY id')).rows.map((r) => r.id);
      const cablesOf = new Map<string, string[]>();
      for (const r of (await db.query<{ id: string; span_id: string }>('SELECT id, span_id FROM cables')).rows) cablesOf.set(r.span_id, [...(cablesOf.get(r.span_id) ?? []), r.id]);
      let nonEmpty = 0;
      for (const span of spans) {
        const got = await holdersOf(db, [span], cablesOf.get(span) ?? []);
        const scan: string[] = [];
        for (const s of all) {
          if (s.state !== 'active' && s.state !== 'down') continue;
          let on = false;
          for (const p of s.design.paths) if ((await realSpans(db, p)).includes(span)) on = true;
          if (on) scan.push(s.id);
        }
        assert.deepEqual(got.serviceIds, scan.sort(), span);
        if (scan.length > 0) nonEmpty++;
      }
      assert.ok(nonEmpty >= 5);
    });

    test('what-if of every single span equals actually cutting it (each cut on a rolled-back copy)', async () => {
      const whatif = await res.analyze({ scenario: 'all-single-spans' });
      const spans = (await db.query<{ id: string }>('SELECT id FROM spans ORDER BY id')).rows.map((r) => r.id);
      assert.equal(whatif.length, spans.length);
      let compared = 0;
      for (const w of whatif) {
        if (w.affected.length === 0) continue;
        const spanId = w.failedSpans[0];
        const actual = await rolledBack(db, async (tx) => {
          await insertFailure(tx, { id: `flt_test_${spanId}`, spans: [spanId], srlgs: [], sites: [], failedSpans: [spanId], note: null });
          const view = await res.views.get(tx);
          return runBatch(tx, view, { batchId: 'rst_whatif_check', revert: false });
        });
        assert.deepEqual(w.protected, [...actual.switched].sort(), `${spanId}: protected`);
        assert.deepEqual(w.restorable.map((x) => x.id), actual.rerouted.map((x) => x.id).sort(), `${spanId}: restorable`);
        assert.deepEqual(w.lost.map((x) => x.id), actual.down.map((x) => x.id).sort(), `${spanId}: lost`);
        for (const x of w.restorable) assert.ok(!x.spanIds.includes(spanId), 'would-be path avoids the cut');
        compared++;
      }
      assert.ok(compared >= 5, `compared ${compared} spans with effects`);
      await checkResilience(db);
    });

    test('a cut of the busiest span: 1+1 switch, restorable reroute, unprotected down; repair reverts', async () => {
      const before0 = await services(db);
      const hitBefore: Live[] = [];
      for (const s of before0) {
        for (const p of s.design.paths) if ((await realSpans(db, p)).includes(hot)) {
          hitBefore.push(s);
          break;
        }
      }
      assert.ok(hitBefore.length >= 5, `the busiest span carries several services (${hitBefore.length})`);
      const cut = await res.cut(TEST_OPERATOR, { spans: [hot] });
      const { failure } = cut;
      assert.ok(cut.created && cut.batch, 'recorded, and restored at once');
      const batch = cut.batch;
      assert.match(failure.id, /^flt_[0-9A-Z]{26}$/);
      assert.deepEqual(failure.failedSpans, [hot]);
      await checkResilience(db);
      const afterCut = new Map((await services(db)).map((s) => [s.id, s]));
      let switched = 0;
      let rerouted = 0;
      let down = 0;
      for (const s of hitBefore) {
        const now = afterCut.get(s.id) as Live;
        const w0 = await realSpans(db, working(s.design));
        const activeHit = working(s.design).trunk ? !batch.trunksRerouted.includes(working(s.design).trunk?.trunkId ?? '') && w0.includes(hot) : w0.includes(hot);
        if (!activeHit && !working(s.design).trunk) {
          assert.equal(now.state, 'active', `${s.id}: standby hit only, keeps working`);
          assert.deepEqual(working(now.design).spanIds, working(s.design).spanIds);
        } else if (s.protection === 'protected-1+1') {
          const standby = s.design.paths.find((p) => p.role === 'protect') as DesignPath;
          if (now.state === 'active' && working(now.design).spanIds.join() === standby.spanIds.join()) switched++;
          else assert.ok(now.state === 'active' || now.state === 'down');
        } else if (s.protection === 'restorable') {
          assert.equal(now.state, 'active', `${s.id}: restorable service restored (the backbone has spare capacity)`);
          assert.ok(!(await realSpans(db, working(now.design))).includes(hot));
          rerouted++;
        } else if (!working(s.design).trunk) {
          assert.equal(now.state, 'down', `${s.id}: unprotected goes down`);
          down++;
        }
      }
      assert.ok(switched >= 1 && rerouted >= 1 && down >= 1, `mix exercised: ${switched} switched, ${rerouted} rerouted, ${down} down`);
      const types = (await listEvents(db, { after: 0, limit: 10_000 })).map((e) => e.type);
      for (const t of ['span.failed', 'service.protection-switched', 'service.rerouted', 'service.down']) assert.ok(types.includes(t), `event ${t}`);

      await rejectsWith(res.cut(TEST_OPERATOR, { spans: ['no-such-span'] }), 'validation-failed');
      const rep = await res.repair(TEST_OPERATOR, failure.id);
      assert.ok(rep.failure.repairedAt);
      await rejectsWith(res.repair(TEST_OPERATOR, failure.id), 'conflict');
      await checkResilience(db);
      const afterRepair = new Map((await services(db)).map((s) => [s.id, s]));
      for (const s of hitBefore) {
        const now = afterRepair.get(s.id) as Live;
        assert.equal(now.state, 'active', `${s.id} back up after repair`);
        if (!working(s.design).trunk) assert.deepEqual(working(now.design).spanIds, working(s.design).spanIds, `${s.id}: reverted to its original path (auto)`);
      }
      const types2 = (await listEvents(db, { after: 0, limit: 10_000 })).map((e) => e.type);
      for (const t of ['span.repaired', 'service.restored', 'service.reverted']) assert.ok(types2.includes(t), `event ${t}`);

      // SLA: exactly the services that went down have downtime, equal to their outage interval.
      for (const s of hitBefore) {
        const a = await res.availability(operator, s.id);
        const o = await db.query<{ started_at: Date; ended_at: Date }>('SELECT started_at, ended_at FROM service_outages WHERE service_id = $1', [s.id]);
        const expected = o.rows.reduce((sum, r) => sum + (new Date(r.ended_at).getTime() - new Date(r.started_at).getTime()), 0) / 1000;
        assert.equal(a.downtimeSeconds, expected);
        assert.equal(a.availability, 1 - (expected * 1000) / (Date.parse(a.to) - Date.parse(a.from)));
      }
    });
  });
}

class Rollback extends Error {
  constructor(readonly value: unknown) {
    super('rollback');
  }
}

/** Runs fn in a transaction that is always rolled back, returning fn's result (a copy that vanishes). */
async function rolledBack<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    await db.transaction(async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
  throw new Error('unreachable');
}
