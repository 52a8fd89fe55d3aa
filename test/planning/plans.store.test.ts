/**
 * The plans table (store/plans.ts, migration 012) on both stores: a plan moves queued → running →
 * done or failed once (a late second outcome changes nothing), the database refuses a done plan without
 * a document and an applied plan that is not done, a plan is stamped applied once, and lists page by id
 * without documents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import * as st from '../../src/store/plans.js';

for (const driver of testDrivers()) {
  describe(`plans table on ${driver.name}`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
    });
    after(async () => {
      await db.close();
    });

    test('one outcome per plan; apply once; lists without documents', async () => {
      const p = await st.insertPlan(db, { id: 'pln_1', request: { periods: 2 }, createdBy: 'k1', idempotencyKey: 'idem-1', requestHash: 'h' });
      assert.equal(p.state, 'queued');
      assert.deepEqual(p.request, { periods: 2 });
      assert.equal((await st.planByIdempotencyKey(db, 'idem-1'))?.id, 'pln_1');
      assert.equal(await st.markPlanApplied(db, 'pln_1', 'k1', {}), false, 'a queued plan cannot be applied');
      assert.equal(await st.startPlan(db, 'pln_1', 7), true);
      await st.setPlanProgress(db, 'pln_1', { seconds: 1.5, primal: 10, dual: 8, gap: 0.2, nodes: 3 });
      const running = await st.getPlan(db, 'pln_1');
      assert.equal(running?.state, 'running');
      assert.equal(running?.inventoryVersion, 7);
      assert.deepEqual(running?.progress, { seconds: 1.5, primal: 10, dual: 8, gap: 0.2, nodes: 3 });
      assert.equal(await st.finishPlan(db, 'pln_1', { document: { network: 'n' } }), true);
      assert.equal(await st.finishPlan(db, 'pln_1', { error: { code: 'internal', detail: 'late' } }), false, 'a second outcome is refused');
      assert.equal(await st.startPlan(db, 'pln_1', 8), false, 'a done plan does not run again');
      const done = await st.getPlan(db, 'pln_1');
      assert.equal(done?.state, 'done');
      assert.deepEqual(done?.document, { network: 'n' });
      assert.equal(done?.error, null);
      assert.ok(done?.finishedAt);
      assert.equal(await st.markPlanApplied(db, 'pln_1', 'k2', { changes: [] }), true);
      assert.equal(await st.markPlanApplied(db, 'pln_1', 'k3', { changes: [1] }), false, 'applied once');
      const applied = await st.getPlan(db, 'pln_1');
      assert.equal(applied?.appliedBy, 'k2');
      assert.deepEqual(applied?.appliedChanges, { changes: [] });

      await st.insertPlan(db, { id: 'pln_2', request: {}, createdBy: 'k1', idempotencyKey: null, requestHash: 'h2' });
      assert.equal(await st.finishPlan(db, 'pln_2', { error: { code: 'capacity-exhausted', detail: 'no plan' } }), true);
      const page = await st.listPlans(db, { after: undefined, limit: 10 });
      assert.deepEqual(page.map((x) => [x.id, x.state, x.document]), [['pln_1', 'done', null], ['pln_2', 'failed', null]]);
      assert.deepEqual((await st.listPlans(db, { after: 'pln_1', limit: 10 })).map((x) => x.id), ['pln_2']);
      assert.deepEqual((await st.listPlans(db, { after: undefined, limit: 10, state: 'failed' })).map((x) => x.id), ['pln_2']);
    });

    test('the table refuses inconsistent rows', async () => {
      await assert.rejects(db.query(`INSERT INTO plans (id, state, request, created_by) VALUES ('pln_x', 'done', '{}', 'k')`), /check/i);
      await assert.rejects(db.query(`INSERT INTO plans (id, state, request, created_by, applied_at) VALUES ('pln_y', 'queued', '{}', 'k', now())`), /check/i);
      await assert.rejects(db.query(`INSERT INTO plans (id, state, request, created_by) VALUES ('pln_z', 'lost', '{}', 'k')`), /check/i);
      await st.insertPlan(db, { id: 'pln_3', request: {}, createdBy: 'k', idempotencyKey: 'idem-3', requestHash: 'h' });
      await assert.rejects(st.insertPlan(db, { id: 'pln_4', request: {}, createdBy: 'k', idempotencyKey: 'idem-3', requestHash: 'h' }), /unique|duplicate/i);
    });
  });
}
