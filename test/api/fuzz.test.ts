/**
 * A fuzz test derived from /openapi.json: for every operation the API publishes, requests built from
 * its own schemas (fast-check arbitraries for path parameters, query and body), then hostile mutations
 * (wrong types, huge and negative numbers, long and odd strings, deep nesting, invalid JSON, wrong
 * content types), as the operator, a customer or nobody, over real HTTP. No response may be a 5xx, and
 * no rejected request may change anything in the store (every table's contents are compared).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import type { Principal } from '../../src/services/ordering/principal.js';
import { fuzzApi } from '../support/api-fuzz.js';

for (const driver of testDrivers()) {
  describe(`fuzzing every published operation on ${driver.name}`, () => {
    let db: Db;
    let services: Services;
    let app: LightpathApp;
    let port = 0;
    const keys: Record<string, string> = {};
    const ids: string[] = [];

    before(async () => {
      db = await driver.open();
      services = createServices(db);
      await services.inventory.initialize();
      keys.operator = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
      const c = await createKey(db, { tenantId: 'acme', role: 'customer' });
      keys.customer = c.key;
      const p: Principal = { tenantId: 'acme', role: 'customer', keyId: c.record.id };
      const q = await services.ordering.quote(p, { product: 'wave', aSite: 'chi-pop', zSite: 'nyc-pop', bandwidthGbps: 100, protection: 'unprotected' });
      const { order } = await services.ordering.placeOrder(p, { quoteId: q.id, optionId: 'opt-1' });
      await services.worker.runOnce();
      ids.push(q.id, order.id, order.serviceId, c.record.id, 'chi-pop', 'chi-stl', 'sea-pdx', 'opt-1', 'flt_01J00000000000000000000000');
      app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
      await app.listen({ host: '127.0.0.1', port: 0 });
      port = (app.server.address() as AddressInfo).port;
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    test('no 5xx, and every rejected request leaves the store exactly as it was', { timeout: 600_000 }, async () => {
      const runs = Number(process.env.LIGHTPATH_FUZZ_RUNS ?? (driver.name === 'pglite' ? 40 : 12));
      const stats = await fuzzApi({ port, db, keys, ids, runs, seed: 9457 });
      const { sent, rejected, operations } = stats;
      assert.ok(operations >= 45, `${operations} operations published`);
      assert.ok(sent >= operations * runs, `${sent} requests`);
      assert.ok(rejected > sent / 3, `${rejected} of ${sent} rejected: the mutations reach the validators`);
    });
  });
}
