/**
 * Deny by default, proven on the routes Fastify actually registered (not a hand-written list): for
 * every route and every odd spelling of its path, no key is 401, a customer key on an operator route is
 * 403, and another tenant's object is 404. Requests go over real HTTP with the path bytes exactly as
 * written (no client-side normalisation).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pgliteDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import type { Principal } from '../../src/services/ordering/principal.js';
import { WebhookService } from '../../src/services/webhooks.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { normalizeRequestUrl } from '../../src/api/access.js';

interface Raw {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request with the path sent byte for byte as given. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Odd spellings of one path that must reach the same route with the same rule. */
export function spellings(path: string): string[] {
  const segs = path.split('/').filter((s) => s !== '');
  const pct = (s: string) => `%${s.charCodeAt(0).toString(16)}${s.slice(1)}`;
  return [
    path,
    '/' + [pct(segs[0]), ...segs.slice(1)].join('/'),
    '/' + [segs[0], ...(segs.length > 1 ? [pct(segs[1])] : []), ...segs.slice(2)].join('/'),
    '//' + segs.join('//'),
    '/' + [segs[0], '.', ...segs.slice(1)].join('/'),
    '/' + [segs[0], 'nowhere', '..', ...segs.slice(1)].join('/'),
    '/' + [segs[0], '%2e', ...segs.slice(1)].join('/'),
    path + '/',
    // Upper case on the route's own words only: ids are case-sensitive data.
    '/' + segs.map((s, i) => (i < 2 ? s.toUpperCase() : s)).join('/'),
  ];
}

/**
 * The access policy, stated independently of the routes' own declarations: the inventory, the price
 * book, the QoT policy, failures and analysis, reverts, devices, capacity plans, the audit trail and metrics are the operator's; everything a
 * customer owns (quotes, orders, services, transfers, keys, webhooks, events, usage) and every read of the
 * network is any key's; probes, the OpenAPI document and the portal are public.
 */
function policy(method: string, url: string): 'public' | 'any' | 'operator' {
  if (!url.startsWith('/v1') && url !== '/metrics') return 'public';
  const read = method === 'GET' || method === 'HEAD';
  if (url === '/metrics' || url.startsWith('/v1/failures') || url.startsWith('/v1/audit') || url.startsWith('/v1/analysis') || url.startsWith('/v1/devices') || url.startsWith('/v1/plans')) return 'operator';
  if (url === '/v1/services/:id/revert' || url === '/v1/spans/:id/occupancy') return 'operator';
  if (!read && /^\/v1\/(sites|spans|srlgs|network|pricebook|qot)(\/|$)/.test(url)) return 'operator';
  return 'any';
}

describe('route access (every registered route, every spelling)', () => {
  let db: Db;
  let services: Services;
  let app: LightpathApp;
  let port = 0;
  const keys: Record<'operator' | 'a' | 'b', string> = { operator: '', a: '', b: '' };
  const objects: Record<string, string> = {};

  before(async () => {
    db = await pgliteDriver.open();
    services = createServices(db);
    await services.inventory.initialize();
    keys.operator = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
    const a = await createKey(db, { tenantId: 'tenant-a', role: 'customer' });
    keys.a = a.key;
    keys.b = (await createKey(db, { tenantId: 'tenant-b', role: 'customer' })).key;
    const pa: Principal = { tenantId: 'tenant-a', role: 'customer', keyId: a.record.id };
    // Objects tenant A owns, for the "another tenant's object is 404" column.
    const quote = await services.ordering.quote(pa, { product: 'wave', aSite: 'chi-pop', zSite: 'nyc-pop', bandwidthGbps: 100, protection: 'unprotected' });
    const { order } = await services.ordering.placeOrder(pa, { quoteId: quote.id, optionId: 'opt-1' });
    await services.worker.runOnce();
    const hook = await new WebhookService(db).create(pa, { url: 'https://hooks.example.com/a' });
    // A trunk chi-nyc (lit by an ethernet circuit) carries tenant A's bulk transfer.
    await services.ordering.placeOrder(pa, { product: 'ethernet', aSite: 'chi-pop', zSite: 'nyc-pop', bandwidthGbps: 10, protection: 'unprotected' });
    const { transfer } = await services.transfers.create(pa, { aSite: 'chi-pop', zSite: 'nyc-pop', volumeTB: 1, deadline: new Date(Date.now() + 6 * 3_600_000).toISOString() });
    const failure = await services.resilience.cut(TEST_OPERATOR, { spans: ['sea-pdx'] });
    Object.assign(objects, { quote: quote.id, order: order.id, service: order.serviceId, webhook: hook.id, key: a.record.id, failure: failure.failure.id, transfer: transfer.id });
    app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    await app.close();
    await db.close();
  });

  /** A concrete path for a route pattern: tenant A's objects, the built-in inventory's ids. */
  function concrete(url: string): { path: string; ownedByA: boolean } {
    const owned: [RegExp, string][] = [
      [/^\/v1\/quotes\/:id/, objects.quote],
      [/^\/v1\/orders\/:id/, objects.order],
      [/^\/v1\/services\/:id/, objects.service],
      [/^\/v1\/webhooks\/:id/, objects.webhook],
      [/^\/v1\/keys\/:id/, objects.key],
      [/^\/v1\/transfers\/:id/, objects.transfer],
    ];
    for (const [re, id] of owned) if (re.test(url)) return { path: url.replace(':id', id), ownedByA: true };
    const inventory: Record<string, string> = { sites: 'chi-pop', spans: 'chi-stl', srlgs: 'unknown-srlg', failures: objects.failure };
    const m = /^\/v1\/([a-z]+)\/:id/.exec(url);
    return { path: m ? url.replace(':id', inventory[m[1]] ?? 'x') : url, ownedByA: false };
  }

  test('every registered route declares the access the policy gives it', () => {
    assert.ok(app.registeredRoutes.length > 50, `${app.registeredRoutes.length} routes`);
    for (const r of app.registeredRoutes) assert.equal(r.access, policy(r.method, r.url), `${r.method} ${r.url}`);
    // Every keyed /v1 route, and nothing else under /v1, is keyed.
    for (const r of app.registeredRoutes) if (r.url.startsWith('/v1')) assert.notEqual(r.access, 'public', `${r.method} ${r.url} is public`);
  });

  test('no key: 401; a customer key on an operator route: 403; another tenant\'s object: 404 — for every spelling', async () => {
    let checked = 0;
    for (const r of app.registeredRoutes) {
      if (policy(r.method, r.url) === 'public' || r.url.includes('*')) continue;
      const { path, ownedByA } = concrete(r.url);
      const body = r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? undefined : '{}';
      for (const p of spellings(path)) {
        const anon = await raw(port, r.method, p, {}, body);
        assert.equal(anon.status, 401, `${r.method} ${p} without a key: ${anon.status} ${anon.body}`);
        if (policy(r.method, r.url) === 'operator') {
          const cust = await raw(port, r.method, p, { authorization: `Bearer ${keys.b}` }, body);
          assert.equal(cust.status, 403, `${r.method} ${p} with a customer key: ${cust.status} ${cust.body}`);
        } else if (ownedByA && r.method !== 'PATCH' && r.method !== 'POST') {
          const other = await raw(port, r.method, p, { authorization: `Bearer ${keys.b}` });
          assert.equal(other.status, 404, `${r.method} ${p} as tenant B: ${other.status} ${other.body}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 300, `${checked} requests checked`);
  });

  test('another tenant cannot change tenant A\'s objects either (valid bodies, every write route on them)', async () => {
    const writes: [string, string, string | undefined][] = [
      ['POST', `/v1/orders/${objects.order}/cancel`, undefined],
      ['PATCH', `/v1/services/${objects.service}`, JSON.stringify({ bandwidthGbps: 400 })],
      ['DELETE', `/v1/services/${objects.service}`, undefined],
      ['DELETE', `/v1/webhooks/${objects.webhook}`, undefined],
      ['DELETE', `/v1/keys/${objects.key}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      for (const p of spellings(path)) {
        const r = await raw(port, method, p, { authorization: `Bearer ${keys.b}` }, body);
        assert.equal(r.status, 404, `${method} ${p} as tenant B: ${r.status} ${r.body}`);
      }
    }
    // And tenant A's objects are all still there, unchanged.
    const svc = await raw(port, 'GET', `/v1/services/${objects.service}`, { authorization: `Bearer ${keys.a}` });
    assert.equal(svc.status, 200);
    assert.equal(JSON.parse(svc.body).bandwidthGbps, 100);
  });

  test('unmatched paths under /v1 need a key; public routes do not', async () => {
    for (const p of spellings('/v1/no-such-thing')) assert.equal((await raw(port, 'GET', p)).status, 401, p);
    assert.equal((await raw(port, 'GET', '/v1/no-such-thing', { authorization: `Bearer ${keys.b}` })).status, 404);
    for (const p of ['/healthz', '/readyz', '/openapi.json']) assert.equal((await raw(port, 'GET', p)).status, 200, p);
    assert.equal((await raw(port, 'GET', '/metrics')).status, 401, 'metrics need a key');
    assert.equal((await raw(port, 'GET', '/metrics', { authorization: `Bearer ${keys.a}` })).status, 403, 'and an operator key');
    const m = await raw(port, 'GET', '/metrics', { authorization: `Bearer ${keys.operator}` });
    assert.equal(m.status, 200);
    assert.match(m.body, /lightpath_http_request_duration_seconds/);
  });

  test('HEAD answers on every GET route and never hangs (the event stream included)', async () => {
    for (const r of app.registeredRoutes.filter((x) => x.method === 'HEAD' && !x.url.includes('*') && !x.url.includes(':'))) {
      const res = await raw(port, 'HEAD', r.url, { authorization: `Bearer ${keys.operator}` });
      assert.ok(res.status < 500, `HEAD ${r.url}: ${res.status}`);
      assert.equal(res.body, '');
    }
    const ev = await raw(port, 'HEAD', '/v1/events', { authorization: `Bearer ${keys.a}` });
    assert.equal(ev.status, 200);
    assert.match(String(ev.headers['content-type']), /text\/event-stream/);
  });

  test('a route registered without an access declaration stops the server from starting', async () => {
    const bad = await buildApp({ services, logger: false, webDir: null });
    bad.get('/v1/undeclared', async () => ({ ok: true }));
    await assert.rejects(async () => { await bad.ready(); }, /without an access declaration.*GET \/v1\/undeclared/);
    await bad.close().catch(() => {});
  });

  test('path normalisation removes dot segments and repeated slashes, and keeps the query', () => {
    assert.equal(normalizeRequestUrl('/v1/./sites'), '/v1/sites');
    assert.equal(normalizeRequestUrl('/v1/x/../sites?limit=2'), '/v1/sites?limit=2');
    assert.equal(normalizeRequestUrl('//v1//sites/'), '/v1/sites/');
    assert.equal(normalizeRequestUrl('/../../v1'), '/v1');
    assert.equal(normalizeRequestUrl('/v1/%2E%2e/v1/me'), '/v1/me');
    assert.equal(normalizeRequestUrl('/'), '/');
    assert.equal(normalizeRequestUrl('/a?x=/../b'), '/a?x=/../b');
  });
});
