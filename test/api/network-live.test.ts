/**
 * The live layer of GET /v1/network (what the portal's map colours): span utilisation from held
 * spectrum and the failed flag, checked against the service's own design and the failure record.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices, stopServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import { EmulatorDriver } from '../../src/services/ordering/activation.js';
import type { DesignPath } from '../../src/services/ordering/design.js';

interface SpanFeature {
  properties: { featureType: string; id: string; failed?: boolean; utilisation?: number | null; usedSlots?: number | null; totalSlots?: number | null; lineSystem: { fiberPairs: number; slotCount: number } | null };
}

for (const driver of testDrivers()) {
  describe(`live network layer on ${driver.name}`, () => {
    let db: Db;
    let services: Services;
    let app: AppInstance;
    let op: string;
    let customer: string;
    const as = (key: string) => (o: InjectOptions): Promise<LightMyRequestResponse> => app.inject({ ...o, headers: { authorization: `Bearer ${key}`, ...(o.headers ?? {}) } });
    before(async () => {
      db = await driver.open();
      services = createServices(db, { driver: new EmulatorDriver({ delayMs: 0, failureRate: 0 }) });
      await services.inventory.initialize();
      op = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
      customer = (await createKey(db, { tenantId: 'acme', role: 'customer' })).key;
      app = await buildApp({ services, logger: false, webDir: null });
    });
    after(async () => {
      await app.close();
      await stopServices(services);
      await db.close();
    });

    const spans = async () => {
      const fc = (await as(op)({ url: '/v1/network' })).json() as { features: SpanFeature[] };
      return new Map(fc.features.filter((f) => f.properties.featureType === 'span').map((f) => [f.properties.id, f.properties]));
    };

    test('an idle network is empty and healthy; a wave fills exactly its slots on its spans', async () => {
      const idle = await spans();
      for (const s of idle.values()) {
        assert.equal(s.failed, false);
        if (s.lineSystem) {
          assert.equal(s.utilisation, 0);
          assert.equal(s.totalSlots, s.lineSystem.fiberPairs * s.lineSystem.slotCount);
        } else assert.equal(s.utilisation, null);
      }
      const r = await as(customer)({ method: 'POST', url: '/v1/orders', headers: { 'idempotency-key': 'live-1' }, payload: { product: 'wave', aSite: 'ash-dc1', zSite: 'chi-pop', bandwidthGbps: 400, protection: 'unprotected' } });
      assert.ok(r.statusCode < 300, r.body);
      const serviceId = (r.json() as { serviceId: string }).serviceId;
      await services.worker.runOnce();
      const svc = (await as(customer)({ url: `/v1/services/${serviceId}` })).json() as { state: string; design: { paths: DesignPath[] } };
      assert.equal(svc.state, 'active');
      // Independent expectation: the slots each wave segment of the design holds, per span.
      const expected = new Map<string, number>();
      for (const p of svc.design.paths) for (const seg of p.wave?.segments ?? []) for (const id of seg.spanIds) expected.set(id, (expected.get(id) ?? 0) + seg.slots);
      assert.ok(expected.size > 0);
      const live = await spans();
      const forCustomer = (await as(customer)({ url: '/v1/network' })).json() as { features: SpanFeature[] };
      for (const f of forCustomer.features.filter((x) => x.properties.featureType === 'span')) {
        assert.equal(typeof f.properties.failed, 'boolean');
        assert.ok(!('utilisation' in f.properties) && !('usedSlots' in f.properties), 'customers do not see network load');
      }
      for (const [id, s] of live) {
        const used = expected.get(id) ?? 0;
        if (!s.lineSystem) continue;
        assert.equal(s.usedSlots, used, id);
        assert.ok(Math.abs((s.utilisation ?? -1) - used / (s.totalSlots ?? 1)) < 1e-12, id);
      }
    });

    test('events: after=latest skips the history and still sees what comes next', async () => {
      const all = (await as(op)({ url: '/v1/events?format=json&limit=1000' })).json() as { items: { id: number }[] };
      assert.ok(all.items.length > 0, 'the order above left events');
      const latest = (await as(op)({ url: '/v1/events?format=json&after=latest' })).json() as { items: unknown[] };
      assert.deepEqual(latest.items, []);
      const last = all.items[all.items.length - 1].id;
      const cut = await as(op)({ method: 'POST', url: '/v1/failures', payload: { spans: ['sea-pdx'] } });
      assert.equal(cut.statusCode, 201, cut.body);
      const next = (await as(op)({ url: `/v1/events?format=json&after=${last}` })).json() as { items: { id: number; type: string }[] };
      assert.ok(next.items.some((e) => e.type === 'span.failed'), 'the cut is seen by a subscriber that started at latest');
      const id = (cut.json() as { id?: string; failure?: { id: string } }).id ?? (cut.json() as { failure: { id: string } }).failure.id;
      assert.ok((await as(op)({ method: 'DELETE', url: `/v1/failures/${id}` })).statusCode < 300);
      assert.equal((await as(op)({ url: '/v1/events?format=json&after=nonsense' })).statusCode, 400);
    });

    test('a cut span is marked failed until it is repaired; /v1/paths avoids it meanwhile', async () => {
      const cut = await as(op)({ method: 'POST', url: '/v1/failures', payload: { spans: ['chi-stl'] } });
      assert.equal(cut.statusCode, 201, cut.body);
      const failureId = (cut.json() as { id?: string; failure?: { id: string } }).id ?? (cut.json() as { failure: { id: string } }).failure.id;
      let live = await spans();
      assert.equal(live.get('chi-stl')?.failed, true);
      assert.equal([...live.values()].filter((s) => s.failed).length, 1);
      const paths = (await as(customer)({ url: '/v1/paths?from=chi-pop&to=stl-pop&k=5' })).json() as { paths: { spanIds: string[] }[]; failedSpansAvoided: string[] };
      assert.deepEqual(paths.failedSpansAvoided, ['chi-stl']);
      assert.ok(paths.paths.length > 0 && paths.paths.every((p) => !p.spanIds.includes('chi-stl')));
      const repaired = await as(op)({ method: 'DELETE', url: `/v1/failures/${failureId}` });
      assert.ok(repaired.statusCode < 300, repaired.body);
      live = await spans();
      assert.equal(live.get('chi-stl')?.failed, false);
      const again = (await as(customer)({ url: '/v1/paths?from=chi-pop&to=stl-pop&k=1' })).json() as { paths: { spanIds: string[] }[] };
      assert.deepEqual(again.paths[0].spanIds, ['chi-stl'], 'the direct span is the best path again');
    });
  });
}
