import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices } from '../../src/services/index.js';
import { createKey, EmulatorDriver, type OrderingServices } from '../../src/services/ordering/index.js';
import { DEFAULT_PRICE_BOOK } from '../../src/domain/pricing.js';
import { checkInvariants, loadTinyNetwork } from './support.js';

type Res = Awaited<ReturnType<AppInstance['inject']>>;

function assertProblem(res: Res, status: number, code?: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json() as { code: string; status: number };
  if (code) assert.equal(body.code, code);
  assert.equal(body.status, status);
}

/** The app exactly as serve builds it, with the emulator driver the test controls. */
async function orderingApp(db: Db, driver: EmulatorDriver): Promise<{ app: AppInstance; services: OrderingServices }> {
  const services = createServices(db, { driver });
  const app = await buildApp({ services, logger: false, webDir: null });
  await app.ready();
  return { app, services };
}

const WRITTEN = ['quotes', 'orders', 'services', 'allocations', 'trunks', 'api_keys', 'price_book'];

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of WRITTEN) out[t] = Number(((await db.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0] as { n: number }).n);
  return out;
}

for (const driver of testDrivers()) {
  describe(`ordering API on ${driver.name}`, () => {
    let db: Db;
    let app: AppInstance;
    let services: OrderingServices;
    const emulator = new EmulatorDriver();
    const auth: Record<'op' | 'alice' | 'bob', { authorization: string }> = {} as never;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db);
      ({ app, services } = await orderingApp(db, emulator));
      auth.op = { authorization: `Bearer ${(await createKey(db, { tenantId: 'operator', role: 'operator' })).key}` };
      auth.alice = { authorization: `Bearer ${(await createKey(db, { tenantId: 'alice', role: 'customer' })).key}` };
      auth.bob = { authorization: `Bearer ${(await createKey(db, { tenantId: 'bob', role: 'customer' })).key}` };
    });
    after(async () => {
      await app.close();
      await services.worker.close();
      await db.close();
    });

    test('every /v1 route needs a valid key; public endpoints do not', async () => {
      const routes: [string, string][] = [
        ['GET', '/v1/quotes'], ['POST', '/v1/quotes'], ['GET', '/v1/quotes/quo_X'], ['POST', '/v1/orders'], ['GET', '/v1/orders'],
        ['GET', '/v1/orders/ord_X'], ['POST', '/v1/orders/ord_X/cancel'], ['GET', '/v1/services'], ['GET', '/v1/services/svc_X'],
        ['PATCH', '/v1/services/svc_X'], ['DELETE', '/v1/services/svc_X'], ['GET', '/v1/pricebook'], ['PUT', '/v1/pricebook'],
        ['GET', '/v1/keys'], ['POST', '/v1/keys'], ['DELETE', '/v1/keys/key_X'], ['GET', '/v1/sites'], ['GET', '/v1/spans'], ['POST', '/v1/sites'],
      ];
      const badHeaders = [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }, { authorization: `Bearer lp_${'A'.repeat(43)}` }];
      for (const [method, url] of routes) {
        for (const headers of badHeaders) assertProblem(await app.inject({ method: method as 'GET', url, headers, payload: method === 'GET' || method === 'DELETE' ? undefined : {} }), 401, 'unauthorized');
      }
      for (const url of ['/healthz', '/openapi.json']) assert.equal((await app.inject(url)).statusCode, 200, url);
      // A revoked key stops working at once.
      const { key, record } = await createKey(db, { tenantId: 'carol', role: 'customer' });
      assert.equal((await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${key}` } })).statusCode, 200);
      assert.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${record.id}`, headers: auth.op })).statusCode, 204);
      assertProblem(await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${key}` } }), 401);
      const stored = await db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [record.id]);
      assert.notEqual(stored.rows[0].key_hash, key, 'keys are stored hashed');
      assert.ok(!JSON.stringify(stored.rows).includes(key.slice(3)));
    });

    test('roles: inventory and price book writes need an operator; reads any key', async () => {
      assert.equal((await app.inject({ url: '/v1/sites', headers: auth.alice })).statusCode, 200);
      assertProblem(await app.inject({ method: 'POST', url: '/v1/sites', headers: auth.alice, payload: { id: 'x', name: 'X', kind: 'pop', lat: 1, lon: 1 } }), 403, 'forbidden');
      assertProblem(await app.inject({ method: 'DELETE', url: '/v1/spans/a-b', headers: auth.alice }), 403, 'forbidden');
      assert.deepEqual((await app.inject({ url: '/v1/pricebook', headers: auth.bob })).json(), DEFAULT_PRICE_BOOK);
      const book = structuredClone(DEFAULT_PRICE_BOOK);
      book.products.wave.fixedMonthlyMinor = 123_400;
      assertProblem(await app.inject({ method: 'PUT', url: '/v1/pricebook', headers: auth.alice, payload: book }), 403, 'forbidden');
      const put = await app.inject({ method: 'PUT', url: '/v1/pricebook', headers: auth.op, payload: book });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal((await app.inject({ url: '/v1/pricebook', headers: auth.alice })).json().products.wave.fixedMonthlyMinor, 123_400);
      assertProblem(await app.inject({ method: 'PUT', url: '/v1/pricebook', headers: auth.op, payload: { ...book, hoursPerMonth: -1 } }), 400, 'validation-failed');
      assertProblem(await app.inject({ method: 'POST', url: '/v1/keys', headers: auth.alice, payload: { tenantId: 'bob' } }), 403, 'forbidden');
      assertProblem(await app.inject({ method: 'POST', url: '/v1/keys', headers: auth.alice, payload: { role: 'operator' } }), 403, 'forbidden');
      const mine = await app.inject({ method: 'POST', url: '/v1/keys', headers: auth.alice, payload: { name: 'ci' } });
      assert.equal(mine.statusCode, 201);
      assert.match(mine.json().key, /^lp_[A-Za-z0-9_-]{43}$/);
      const listed = (await app.inject({ url: '/v1/keys', headers: auth.alice })).json() as { items: { tenantId: string; key?: string }[] };
      assert.ok(listed.items.length >= 2 && listed.items.every((k) => k.tenantId === 'alice' && k.key === undefined));
    });

    test('full flow over HTTP with idempotency, and tenant isolation across every endpoint', async () => {
      const q = await app.inject({ method: 'POST', url: '/v1/quotes', headers: auth.alice, payload: { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'protected-1+1' } });
      assert.equal(q.statusCode, 201, q.body);
      const quote = q.json() as { id: string; options: { id: string; monthly: { amountMinor: number } }[] };
      const body = { quoteId: quote.id, optionId: quote.options[0].id };
      const o1 = await app.inject({ method: 'POST', url: '/v1/orders', headers: { ...auth.alice, 'idempotency-key': 'k1' }, payload: body });
      assert.equal(o1.statusCode, 201, o1.body);
      const o2 = await app.inject({ method: 'POST', url: '/v1/orders', headers: { ...auth.alice, 'idempotency-key': 'k1' }, payload: body });
      assert.equal(o2.statusCode, 200);
      assert.equal(o2.json().id, o1.json().id);
      assertProblem(await app.inject({ method: 'POST', url: '/v1/orders', headers: { ...auth.alice, 'idempotency-key': 'k1' }, payload: { ...body, optionId: 'opt-2' } }), 409, 'idempotency-conflict');
      const order = o1.json() as { id: string; serviceId: string };
      await services.worker.runOnce();
      const s = await app.inject({ url: `/v1/services/${order.serviceId}`, headers: auth.alice });
      assert.equal(s.json().state, 'active');
      assert.equal(s.json().price.monthly.amountMinor, quote.options[0].monthly.amountMinor);

      // bob sees none of it, whatever the endpoint
      const foreign: [string, string, unknown?][] = [
        ['GET', `/v1/quotes/${quote.id}`], ['GET', `/v1/orders/${order.id}`], ['GET', `/v1/services/${order.serviceId}`],
        ['PATCH', `/v1/services/${order.serviceId}`, { bandwidthGbps: 400 }], ['DELETE', `/v1/services/${order.serviceId}`],
        ['POST', `/v1/orders/${order.id}/cancel`, {}], ['POST', '/v1/orders', body],
      ];
      const before = await rowCounts(db);
      for (const [method, url, payload] of foreign) {
        const r = await app.inject({ method: method as 'GET', url, headers: auth.bob, ...(payload !== undefined ? { payload: payload as object } : {}) });
        assertProblem(r, 404, 'not-found');
        assert.ok(!r.body.includes(order.serviceId) || url.includes(order.serviceId), 'no data leaks in the problem');
      }
      for (const url of ['/v1/quotes', '/v1/orders', '/v1/services', '/v1/keys']) {
        const items = (await app.inject({ url, headers: auth.bob })).json().items as { tenantId: string }[];
        assert.ok(items.every((x) => x.tenantId === 'bob'), url);
      }
      assert.ok(((await app.inject({ url: '/v1/services', headers: auth.op })).json().items as { id: string }[]).some((x) => x.id === order.serviceId));
      assert.deepEqual(await rowCounts(db), before, 'foreign requests wrote nothing');

      // (800G would not close over the 160 km a-c leg by GSNR with the 2 dB margin: 400G it is.)
      const mod = await app.inject({ method: 'PATCH', url: `/v1/services/${order.serviceId}`, headers: auth.alice, payload: { bandwidthGbps: 400 } });
      assert.equal(mod.statusCode, 202, mod.body);
      await services.worker.runOnce();
      assert.equal((await app.inject({ url: `/v1/orders/${mod.json().id}`, headers: auth.alice })).json().state, 'completed');
      const del = await app.inject({ method: 'DELETE', url: `/v1/services/${order.serviceId}`, headers: auth.alice });
      assert.equal(del.statusCode, 202);
      await services.worker.runOnce();
      assert.equal((await app.inject({ url: `/v1/services/${order.serviceId}`, headers: auth.alice })).json().state, 'terminated');
      await checkInvariants(db);
    });

    test('malformed and hostile requests get 4xx problem+json, never 5xx, and write nothing', async () => {
      const fixed: unknown[] = [
        { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: '100' },
        { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 1e308 },
        { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 2 ** 53 },
        { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: -5 },
        { product: 'ethernet', aSite: 'a', zSite: 'c', bandwidthGbps: 0 },
        { product: 'ethernet', aSite: 'a', zSite: 'nowhere', bandwidthGbps: 10 },
        { product: 'ethernet', aSite: 'a', zSite: 'a', bandwidthGbps: 10 },
        { product: 'cloud-connect', aSite: 'a', zSite: 'c', bandwidthGbps: 10 },
        { product: 'teleport', aSite: 'a', zSite: 'c' },
        { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, maxLatencyUs: -1 },
        { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, extra: true },
        { product: 'wave', aSite: "a'; DROP TABLE orders; --", zSite: 'c', bandwidthGbps: 100 },
        { product: 'wave', aSite: 'a'.repeat(10_000), zSite: 'c', bandwidthGbps: 100 },
        { quoteId: 'quo_nope', optionId: 'opt-1' },
        { quoteId: 'quo_01ARZ3NDEKTSV4RRFFQ69G5FAV', optionId: 'opt-1', product: 'wave' },
        [],
        'hello',
        null,
        {},
      ];
      const before = await rowCounts(db);
      const check = async (method: 'POST' | 'PATCH', url: string, payload: unknown, headers: Record<string, string> = {}) => {
        const r = await app.inject({ method, url, headers: { ...auth.alice, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });
        assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url} ${JSON.stringify(payload).slice(0, 80)} -> ${r.statusCode} ${r.body.slice(0, 200)}`);
        assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      };
      for (const p of fixed) {
        await check('POST', '/v1/orders', p);
        if (!(p && typeof p === 'object' && 'quoteId' in p)) await check('POST', '/v1/quotes', p);
      }
      await check('POST', '/v1/orders', fixed[0], { 'idempotency-key': 'x'.repeat(500) });
      const bad = await app.inject({ method: 'POST', url: '/v1/orders', headers: { ...auth.alice, 'content-type': 'application/json' }, payload: '{"product": "wave",' });
      assertProblem(bad, 400);
      // Generated garbage: values of every JSON type in every field (seeded, so reproducible).
      const value = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 40 }), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(-1), fc.constant(1e300));
      const body = fc.record(
        { product: fc.oneof(fc.constantFrom('wave', 'ethernet', 'dark-fiber', 'cloud-connect'), value), aSite: fc.oneof(fc.constantFrom('a', 'zz'), value), zSite: fc.oneof(fc.constantFrom('c', 'cloud'), value), bandwidthGbps: fc.oneof(fc.constantFrom(-1, 0, 401, 1e9, 3.5), value), protection: value, maxLatencyUs: value },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          await check('POST', '/v1/quotes', b);
          await check('POST', '/v1/orders', b);
        }),
        { seed: 4242, numRuns: 60 },
      );
      const svcRow = await db.query<{ id: string }>(`SELECT id FROM services LIMIT 1`);
      if (svcRow.rows[0]) for (const p of [{ bandwidthGbps: -1 }, { bandwidthGbps: '10' }, { bandwidthGbps: 1e12 }, { product: 'wave' }, {}]) await check('PATCH', `/v1/services/${svcRow.rows[0].id}`, p);
      const after = await rowCounts(db);
      // Quotes are writes too, but none of these bodies was valid enough to be quoted.
      assert.deepEqual(after, before, 'nothing written');
    });
  });
}
