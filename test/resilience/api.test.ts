import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import type { AppInstance } from '../../src/api/app.js';
import { buildApp } from '../../src/api/app.js';
import { createServices } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { alice, bob, loadTinyNetwork, operator } from '../ordering/support.js';
import type { Principal } from '../../src/services/ordering/principal.js';

/**
 * The whole app over db, with a real API key per test principal; `x-test-principal` (operator, alice,
 * bob) picks whose key a request carries.
 */
async function appFor(db: Db): Promise<Pick<AppInstance, 'inject' | 'close'>> {
  const app = await buildApp({ services: createServices(db), logger: false, webDir: null });
  const who: Record<string, Principal> = { operator, alice, bob };
  const keys: Record<string, string> = {};
  for (const [name, p] of Object.entries(who)) keys[name] = (await createKey(db, { tenantId: p.tenantId, role: p.role })).key;
  const inject = ((o: { headers?: Record<string, string> } & Record<string, unknown>) => {
    const { 'x-test-principal': name, ...headers } = o.headers ?? {};
    return app.inject({ ...o, headers: { ...headers, authorization: `Bearer ${keys[name ?? 'operator']}` } } as never);
  }) as unknown as AppInstance['inject'];
  return { inject, close: () => app.close() } as Pick<AppInstance, 'inject' | 'close'>;
}

for (const driver of testDrivers()) {
  describe(`resilience API (${driver.name})`, () => {
    let db: Db;
    let app: Pick<AppInstance, 'inject' | 'close'>;
    let waveId = '';
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db);
      const ordering = new OrderingService(db);
      const { order } = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
      waveId = order.serviceId;
      await new ActivationWorker(db, new EmulatorDriver()).runOnce();
      app = await appFor(db);
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    test('cut, list, get, availability while down, repair, availability after; errors as problem+json', async () => {
      const svc = (await db.query<{ design: unknown }>('SELECT design FROM services WHERE id = $1', [waveId])).rows[0];
      const design = (typeof svc.design === 'string' ? JSON.parse(svc.design) : svc.design) as { paths: { spanIds: string[] }[] };
      const span = design.paths[0].spanIds[0];

      const forbidden = await app.inject({ method: 'POST', url: '/v1/failures', headers: { 'x-test-principal': 'alice' }, payload: { spans: [span] } });
      assert.equal(forbidden.statusCode, 403);
      const bad = await app.inject({ method: 'POST', url: '/v1/failures', payload: { spans: ['nope'] } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'validation-failed');
      const empty = await app.inject({ method: 'POST', url: '/v1/failures', payload: {} });
      assert.equal(empty.statusCode, 400);

      const cut = await app.inject({ method: 'POST', url: '/v1/failures', payload: { spans: [span], note: 'backhoe' } });
      assert.equal(cut.statusCode, 201, cut.body);
      const { failure, batch } = cut.json();
      assert.equal(cut.headers.location, `/v1/failures/${failure.id}`);
      assert.deepEqual(batch.down, [{ id: waveId, reason: 'unprotected' }]);

      const open = await app.inject({ method: 'GET', url: '/v1/failures?open=true' });
      assert.deepEqual(open.json().items.map((f: { id: string }) => f.id), [failure.id]);
      assert.equal((await app.inject({ method: 'GET', url: `/v1/failures/${failure.id}` })).json().note, 'backhoe');
      assert.equal((await app.inject({ method: 'GET', url: '/v1/failures/flt_nope' })).statusCode, 404);

      const during = await app.inject({ method: 'GET', url: `/v1/services/${waveId}/availability`, headers: { 'x-test-principal': 'alice' } });
      assert.equal(during.statusCode, 200);
      assert.equal(during.json().outages.length, 1);
      assert.equal(during.json().outages[0].endedAt, null);
      assert.equal((await app.inject({ method: 'GET', url: `/v1/services/${waveId}/availability`, headers: { 'x-test-principal': 'bob' } })).statusCode, 404, 'tenant-scoped');

      const whatif = await app.inject({ method: 'POST', url: '/v1/analysis/failures', payload: { scenario: [{ spans: [span] }, { sites: ['b'] }] } });
      assert.equal(whatif.statusCode, 200, whatif.body);
      assert.equal(whatif.json().items.length, 2);
      assert.equal((await app.inject({ method: 'POST', url: '/v1/analysis/failures', headers: { 'x-test-principal': 'alice' }, payload: { scenario: 'all-single-spans' } })).statusCode, 403);

      const rep = await app.inject({ method: 'DELETE', url: `/v1/failures/${failure.id}` });
      assert.equal(rep.statusCode, 200, rep.body);
      assert.deepEqual(rep.json().batch.restored, [waveId]);
      assert.equal((await app.inject({ method: 'DELETE', url: `/v1/failures/${failure.id}` })).statusCode, 409);

      const win = await app.inject({ method: 'GET', url: `/v1/services/${waveId}/availability` });
      const a = win.json();
      const o = a.outages[0];
      const downS = (Date.parse(o.endedAt) - Date.parse(o.startedAt)) / 1000;
      assert.equal(a.downtimeSeconds, downS);
      assert.ok(a.availability < 1 || downS === 0);
      const later = await app.inject({ method: 'GET', url: `/v1/services/${waveId}/availability?from=${encodeURIComponent(o.endedAt)}&to=${encodeURIComponent(new Date(Date.parse(o.endedAt) + 60_000).toISOString())}` });
      assert.equal(later.json().availability, 1, 'no downtime after the repair');
      const inverted = await app.inject({ method: 'GET', url: `/v1/services/${waveId}/availability?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z` });
      assert.equal(inverted.statusCode, 400);
    });
  });
}
