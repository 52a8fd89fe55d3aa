import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pgliteDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices } from '../../src/services/index.js';

describe('events, webhooks and usage in the real API', () => {
  let db: Db;
  let app: AppInstance;
  before(async () => {
    db = await pgliteDriver.open();
    app = await buildApp({ services: createServices(db), logger: false, webDir: null });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('the routes are published in OpenAPI', async () => {
    const r = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    const paths = Object.keys((r.json() as { paths: Record<string, unknown> }).paths);
    for (const p of ['/v1/events', '/v1/webhooks', '/v1/webhooks/{id}', '/v1/webhooks/{id}/deliveries', '/v1/usage']) assert.ok(paths.includes(p), p);
  });

  test('without an API key they answer 401 problem+json', async () => {
    for (const url of ['/v1/events?format=json', '/v1/webhooks', '/v1/usage']) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 401, url);
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
      assert.equal((r.json() as { code: string }).code, 'unauthorized');
    }
  });
});
