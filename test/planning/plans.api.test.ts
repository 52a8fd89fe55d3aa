/**
 * Capacity plans through the API, on both stores (PGlite; PostgreSQL with DATABASE_URL): operators
 * only; the request checked against the store's network; the background job solves a small build-out
 * (the tiny test network with no free fiber pair, a forecast beyond its lit spectrum, so the plan
 * must lay cables and light pairs), stores the document and emits its events; the change set lists
 * exactly what the document builds; apply writes exactly those inventory rows with audit records,
 * once (409 after); an apply that fails halfway changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey, EmulatorDriver } from '../../src/services/ordering/index.js';
import { InventoryService } from '../../src/services/inventory.js';
import { PlanService, planTag, type Plan, type PlanChanges } from '../../src/services/planning/index.js';
import { listEvents } from '../../src/store/events.js';
import { listAudit } from '../../src/store/audit.js';
import { loadNetwork } from '../../src/store/inventory.js';
import { checkNetworkPlan } from '../../src/engine/planning/network-check.js';
import type { NetworkPlan } from '../../src/engine/planning/network-plan.js';
import { loadTinyNetwork } from '../ordering/support.js';
import { TEST_OPERATOR } from '../support/principals.js';

type Json = Record<string, unknown>;

// a↔c: 2 Tbps, then 12 Tbps; a-c, a-b-c and a-d-c carry 3 × 3.2 Tbps on their one lit pair (48 slots).
const REQUEST = {
  forecast: [
    { aSiteId: 'a', zSiteId: 'c', period: 1, gbps: 2000 },
    { aSiteId: 'a', zSiteId: 'c', period: 2, gbps: 12000 },
  ],
  periodLabels: ['2027', '2028'],
  newCableStrands: 12,
  timeLimitSeconds: 20,
};

for (const driver of testDrivers()) {
  describe(`capacity plans over the API, on ${driver.name}`, { timeout: 240_000 }, () => {
    let db: Db;
    let app: AppInstance;
    let services: Services;
    let base = '';
    const keys: Record<'op' | 'alice', string> = { op: '', alice: '' };
    let planId = '';

    const call = async <T = Json>(method: string, p: string, who: keyof typeof keys, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { authorization: `Bearer ${keys[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as T };
    };

    const waitDone = async (id: string): Promise<Plan> => {
      for (let i = 0; i < 600; i++) {
        const r = await call<Plan>('GET', `/v1/plans/${id}`, 'op');
        assert.equal(r.status, 200);
        if (r.json.state === 'done' || r.json.state === 'failed') return r.json;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the plan did not finish in 60 s');
    };

    before(async () => {
      db = await driver.open();
      // 4 strands, all in use: no free fiber pair anywhere, so more capacity needs a new cable.
      await loadTinyNetwork(db, { strandCount: 4 });
      services = createServices(db, { driver: new EmulatorDriver(), workerPollMs: 50 });
      app = await buildApp({ services, logger: false, webDir: null });
      await app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      services.worker.start();
      keys.op = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
      keys.alice = (await createKey(db, { tenantId: 'alice', role: 'customer' })).key;
    });
    after(async () => {
      await app.close();
      await services.worker.close();
      await db.close();
    });

    test('a customer key is refused on every plan route', async () => {
      for (const [m, p, body] of [['POST', '/v1/plans', REQUEST], ['GET', '/v1/plans', undefined], ['GET', '/v1/plans/pln_x', undefined], ['GET', '/v1/plans/pln_x/changes', undefined], ['POST', '/v1/plans/pln_x/apply', undefined]] as const) {
        const r = await call(m, p, 'alice', body);
        assert.equal(r.status, 403, `${m} ${p}`);
        assert.equal(r.json.code, 'forbidden');
      }
      const list = await call<{ items: unknown[] }>('GET', '/v1/plans', 'op');
      assert.equal(list.json.items.length, 0, 'the refused POST queued nothing');
    });

    test('invalid requests are 400 validation-failed naming the field', async () => {
      const unknownSite = await call<{ code: string; errors: { path: string }[] }>('POST', '/v1/plans', 'op', { forecast: [{ aSiteId: 'a', zSiteId: 'nowhere', period: 1, gbps: 10 }] });
      assert.equal(unknownSite.status, 400);
      assert.equal(unknownSite.json.code, 'validation-failed');
      assert.ok(unknownSite.json.errors.some((e) => e.path === '/forecast/0/zSiteId'), JSON.stringify(unknownSite.json));
      const both = await call<{ code: string }>('POST', '/v1/plans', 'op', { ...REQUEST, growth: { baseGbps: 100, defaultGrowth: 0.2 } });
      assert.equal(both.status, 400);
      const labels = await call<{ errors: { path: string }[] }>('POST', '/v1/plans', 'op', { ...REQUEST, periodLabels: ['2027'] });
      assert.equal(labels.status, 400);
      assert.ok(labels.json.errors.some((e) => e.path === '/periodLabels'));
      // The tiny network has no data-center markets to grow traffic between.
      const growth = await call<{ errors: { path: string }[] }>('POST', '/v1/plans', 'op', { growth: { baseGbps: 100, defaultGrowth: 0.2 } });
      assert.equal(growth.status, 400);
      assert.ok(growth.json.errors.some((e) => e.path === '/growth'), JSON.stringify(growth.json));
      const extra = await call('POST', '/v1/plans', 'op', { ...REQUEST, timeLimitSeconds: -1 });
      assert.equal(extra.status, 400);
      assert.equal((await call<{ items: unknown[] }>('GET', '/v1/plans', 'op')).json.items.length, 0);
      assert.equal((await call('GET', '/v1/plans/pln_missing', 'op')).status, 404);
    });

    test('POST queues a job (202) that solves, stores the plan and emits its events', async () => {
      const r = await call<Plan>('POST', '/v1/plans', 'op', REQUEST);
      assert.equal(r.status, 202, JSON.stringify(r.json));
      assert.equal(r.json.state, 'queued');
      assert.equal(r.json.document, null);
      planId = r.json.id;
      assert.match(planId, /^pln_/);
      const done = await waitDone(planId);
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      const doc = done.document as NetworkPlan;
      assert.deepEqual(doc.periods.map((p) => p.label), ['2027', '2028']);
      assert.ok(done.inventoryVersion !== null && done.finishedAt !== null);
      // The stored document is a feasible plan for the store's network and the forecast.
      const network = await loadNetwork(db);
      const check = checkNetworkPlan({ network, forecast: REQUEST.forecast.map((f) => ({ ...f, protection: 'none' as const })), periods: 2, periodLabels: REQUEST.periodLabels, newCableStrands: 12 }, doc);
      assert.ok(check.ok, check.problems.join('; '));
      assert.ok(doc.periods[1].build.cables.length > 0, 'the forecast beyond the lit spectrum lays cable');
      const events = (await listEvents(db, { after: 0, limit: 1000 })).filter((e) => e.subject.kind === 'plan' && e.subject.id === planId);
      const types = events.map((e) => e.type).filter((t) => t !== 'plan.progress');
      assert.deepEqual(types, ['plan.queued', 'plan.started', 'plan.completed']);
      // The solver's first report is written at once (later ones at most one a second), before the outcome.
      const progress = events.filter((e) => e.type === 'plan.progress');
      assert.ok(progress.length >= 1, 'a progress event');
      assert.ok(progress.every((e) => e.id > events[1].id && e.id < (events.at(-1)?.id ?? 0)));
      assert.equal(typeof (progress[0].data as { seconds: number }).seconds, 'number');
      assert.ok(done.progress !== null, 'the plan keeps its last progress');
      assert.ok(events.every((e) => e.tenantId === null));
      assert.equal((events.at(-1)?.data as { capex: number }).capex, doc.capex.total);
      const actions = (await listAudit(db, { afterId: undefined, limit: 100, subjectId: planId })).map((a) => a.action);
      assert.deepEqual(actions, ['plan.create', 'plan.complete']);
      // Listed without its document; the same request again with its Idempotency-Key is the same plan.
      const list = await call<{ items: Plan[]; nextCursor: string | null }>('GET', '/v1/plans?state=done&limit=1', 'op');
      assert.deepEqual(list.json.items.map((p) => p.id), [planId]);
      assert.equal(list.json.items[0].document, null);
    });

    test('a plan with no solution fails with its reason (plan.failed); Idempotency-Key gives the same plan', async () => {
      // No fiber may be bought, but the forecast needs a new cable: infeasible.
      const body = { ...REQUEST, fiberSupplyKm: [0] };
      const post = (k: string) => fetch(`${base}/v1/plans`, { method: 'POST', headers: { authorization: `Bearer ${keys.op}`, 'content-type': 'application/json', 'idempotency-key': k }, body: JSON.stringify(body) });
      const first = await post('k-1');
      assert.equal(first.status, 202);
      const plan = (await first.json()) as Plan;
      const again = await post('k-1');
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as Plan).id, plan.id);
      const other = await fetch(`${base}/v1/plans`, { method: 'POST', headers: { authorization: `Bearer ${keys.op}`, 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: JSON.stringify(REQUEST) });
      assert.equal(other.status, 409);
      assert.equal(((await other.json()) as { code: string }).code, 'idempotency-conflict');
      const failed = await waitDone(plan.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'capacity-exhausted');
      assert.equal(failed.document, null);
      const ev = (await listEvents(db, { after: 0, limit: 1000, types: ['plan.failed'] })).filter((e) => e.subject.id === plan.id);
      assert.equal(ev.length, 1);
      assert.equal((ev[0].data as { code: string }).code, 'capacity-exhausted');
      const changes = await call<{ code: string }>('GET', `/v1/plans/${plan.id}/changes`, 'op');
      assert.equal(changes.status, 409, 'a failed plan has no change set');
      assert.equal((await call('POST', `/v1/plans/${plan.id}/apply`, 'op')).status, 409);
    });

    test('changes list exactly what the plan builds; apply writes exactly those rows, once', async () => {
      const plan = (await call<Plan>('GET', `/v1/plans/${planId}`, 'op')).json;
      const doc = plan.document as NetworkPlan;
      const cablesBySpan = new Map<string, number>();
      const pairsBySpan = new Map<string, number>();
      for (const p of doc.periods) {
        for (const c of p.build.cables) cablesBySpan.set(c.spanId, (cablesBySpan.get(c.spanId) ?? 0) + c.added);
        for (const l of p.build.lineSystems) pairsBySpan.set(l.spanId, (pairsBySpan.get(l.spanId) ?? 0) + l.added);
      }
      const before = await loadNetwork(db);
      const preview = await call<PlanChanges>('GET', `/v1/plans/${planId}/changes`, 'op');
      assert.equal(preview.status, 200, JSON.stringify(preview.json));
      assert.equal(preview.json.applied, false);
      assert.deepEqual(preview.json.conflicts, []);
      assert.deepEqual(preview.json.changes.map((c) => c.spanId).sort(), [...new Set([...cablesBySpan.keys(), ...pairsBySpan.keys()])].sort());
      for (const c of preview.json.changes) {
        assert.equal(c.op, 'span.update');
        assert.equal(c.cablesAdded.length, cablesBySpan.get(c.spanId) ?? 0, c.spanId);
        assert.equal(c.fiberPairsAdded, pairsBySpan.get(c.spanId) ?? 0, c.spanId);
        assert.ok(c.cablesAdded.every((id) => id.includes(planTag(planId))));
      }
      assert.deepEqual(await loadNetwork(db), before, 'a preview changes nothing');

      const applied = await call<PlanChanges>('POST', `/v1/plans/${planId}/apply`, 'op');
      assert.equal(applied.status, 200, JSON.stringify(applied.json));
      assert.equal(applied.json.applied, true);
      const afterNet = await loadNetwork(db);
      for (const s of afterNet.spans) {
        const was = before.spans.find((x) => x.id === s.id);
        assert.ok(was);
        const addedCables = s.cables.filter((c) => !was.cables.some((w) => w.id === c.id));
        assert.equal(addedCables.length, cablesBySpan.get(s.id) ?? 0, `cables on ${s.id}`);
        assert.ok(addedCables.every((c) => c.strandCount === 12));
        assert.equal((s.lineSystem?.fiberPairs ?? 0) - (was.lineSystem?.fiberPairs ?? 0), pairsBySpan.get(s.id) ?? 0, `fiber pairs on ${s.id}`);
        const usedDelta = s.cables.reduce((n, c) => n + c.strandsInUse, 0) - was.cables.reduce((n, c) => n + c.strandsInUse, 0);
        assert.equal(usedDelta, 2 * (pairsBySpan.get(s.id) ?? 0), `strands lit on ${s.id}`);
      }
      assert.equal(afterNet.spans.length, before.spans.length);
      const audits = await listAudit(db, { afterId: undefined, limit: 1000 });
      const applyAudit = audits.find((a) => a.action === 'plan.apply' && a.subjectId === planId);
      assert.ok(applyAudit);
      assert.deepEqual(audits.filter((a) => a.action === 'span.update' && a.requestId === applyAudit.requestId).map((a) => a.subjectId).sort(), preview.json.changes.map((c) => c.spanId).sort(), 'one audit record per change, in the apply request');
      assert.equal(audits.filter((a) => a.action === 'plan.apply' && a.subjectId === planId).length, 1);
      assert.equal((await listEvents(db, { after: 0, limit: 1000, types: ['plan.applied'] })).length, 1);

      // Twice: refused, nothing duplicated.
      const again = await call<{ code: string }>('POST', `/v1/plans/${planId}/apply`, 'op');
      assert.equal(again.status, 409);
      assert.equal(again.json.code, 'conflict');
      assert.deepEqual(await loadNetwork(db), afterNet);
      const shown = await call<PlanChanges>('GET', `/v1/plans/${planId}/changes`, 'op');
      assert.equal(shown.json.applied, true);
      assert.deepEqual(shown.json.changes.map((c) => c.spanId), preview.json.changes.map((c) => c.spanId));
    });

    test('an apply that fails halfway leaves the inventory and the plan unchanged', async () => {
      const r = await call<Plan>('POST', '/v1/plans', 'op', { ...REQUEST, forecast: [...REQUEST.forecast, { aSiteId: 'b', zSiteId: 'd', period: 2, gbps: 9000 }] });
      assert.equal(r.status, 202);
      const done = await waitDone(r.json.id);
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      const preview = (await call<PlanChanges>('GET', `/v1/plans/${done.id}/changes`, 'op')).json;
      assert.ok(preview.changes.length >= 2, `needs two changes to fail between them: ${preview.changes.length}`);
      const before = await loadNetwork(db);
      const auditsBefore = (await listAudit(db, { afterId: undefined, limit: 1000 })).length;
      // The second span write of the transaction fails (as a lost connection would).
      let updates = 0;
      const failing = (tx: Queryable): Queryable => ({
        query: (sql: string, params?: readonly unknown[], opts?: object) => {
          if (/^\s*UPDATE spans SET/.test(sql) && ++updates === 2) return Promise.reject(new Error('injected failure'));
          return tx.query(sql, params, opts);
        },
      }) as Queryable;
      const broken = Object.assign(Object.create(db) as Db, { transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(failing(tx))) });
      const plans = new PlanService(broken, new InventoryService(broken));
      await assert.rejects(plans.apply(TEST_OPERATOR, done.id), /injected failure/);
      assert.equal(updates, 2);
      assert.deepEqual(await loadNetwork(db), before);
      assert.equal((await listAudit(db, { afterId: undefined, limit: 1000 })).length, auditsBefore);
      assert.equal((await call<Plan>('GET', `/v1/plans/${done.id}`, 'op')).json.appliedAt, null);
      assert.equal((await listEvents(db, { after: 0, limit: 1000, types: ['plan.applied'] })).length, 1);
      // A change set reviewed on another inventory version is not applied; the one reviewed is.
      const stale = await call<{ code: string; inventoryVersion: number }>('POST', `/v1/plans/${done.id}/apply?inventoryVersion=${preview.inventoryVersion - 1}`, 'op');
      assert.equal(stale.status, 409);
      assert.equal(stale.json.inventoryVersion, preview.inventoryVersion);
      assert.deepEqual(await loadNetwork(db), before);
      const ok = await call<PlanChanges>('POST', `/v1/plans/${done.id}/apply?inventoryVersion=${preview.inventoryVersion}`, 'op');
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
    });
  });
}
