/**
 * A fuzz test derived from /openapi.json: for every operation the API publishes, requests built from
 * its own schemas (fast-check arbitraries for path parameters, query and body), then hostile mutations
 * (wrong types, huge and negative numbers, long and odd strings, deep nesting, invalid JSON, wrong
 * content types), as the operator, a customer or nobody, over real HTTP. No response may be a 5xx, and
 * no rejected request may change anything in the store (every table's contents are compared).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import type { Principal } from '../../src/services/ordering/principal.js';
import { fromSchema, hostileValue, mutate, type Schema } from '../support/schema-arb.js';

const TABLES = ['meta', 'sites', 'spans', 'cables', 'srlgs', 'span_srlgs', 'services', 'orders', 'allocations', 'trunks', 'quotes', 'api_keys', 'price_book', 'webhooks', 'webhook_idempotency', 'failures', 'service_outages', 'service_resilience', 'events', 'audit_log', 'jobs', 'usage_records'];

/** Every table's contents, as one digest per table. */
async function digest(db: Db): Promise<Record<string, string>> {
  const r = await db.query<Record<string, string>>(`SELECT ${TABLES.map((t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x) AS ${t}`).join(', ')}`);
  return r.rows[0];
}

interface Sent {
  status: number;
  contentType: string;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Sent> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      // An event stream stays open by design: its status line is the answer.
      if (contentType.startsWith('text/event-stream')) {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, contentType, body: '' });
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType, body: text }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, contentType: '', body: String(err) }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Percent-encodes any string's UTF-8 bytes (lone surrogates included, as a client library would send them). */
function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema: Schema; required?: boolean }[];
  body: Schema | undefined;
  bodyTypes: string[];
}

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
      const doc = JSON.parse((await send(port, 'GET', '/openapi.json', {}, undefined)).body) as { paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> };
      const ops: Operation[] = [];
      for (const [p, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          if (method === 'head' || method === 'options') continue;
          const content = op.requestBody?.content ?? {};
          ops.push({ method: method.toUpperCase(), path: p, params: op.parameters ?? [], body: content['application/json']?.schema, bodyTypes: Object.keys(content) });
        }
      }
      assert.ok(ops.length >= 45, `${ops.length} operations published`);
      const runs = Number(process.env.LIGHTPATH_FUZZ_RUNS ?? (driver.name === 'pglite' ? 40 : 12));
      let sent = 0;
      let rejected = 0;
      const statuses = new Map<number, number>();
      for (const op of ops) {
        const request = fc.record({
          who: fc.constantFrom('operator', 'operator', 'operator', 'customer', 'customer', 'none'),
          params: fc.tuple(...op.params.filter((x) => x.in === 'path').map((x) => fc.oneof(fc.constantFrom(...ids), fromSchema(x.schema)))),
          query: fc.tuple(...op.params.filter((x) => x.in === 'query').map((x) => fc.option(fc.oneof({ weight: 4, arbitrary: fromSchema(x.schema) }, { weight: 1, arbitrary: hostileValue }), { nil: undefined }))),
          body: op.body ? fromSchema(op.body).chain((b) => fc.oneof({ weight: 2, arbitrary: fc.constant(b) }, { weight: 3, arbitrary: mutate(b) })) : fc.constant(undefined),
          form: fc.constantFrom('json', 'json', 'json', 'json', 'invalid-json', 'text', 'xml', 'png', 'none'),
        });
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            const pathParams = op.params.filter((x) => x.in === 'path');
            let url = op.path;
            pathParams.forEach((x, i) => (url = url.replace(`{${x.name}}`, enc(String(r.params[i])))));
            const qs = op.params
              .filter((x) => x.in === 'query')
              .map((x, i) => [x.name, r.query[i]] as const)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${enc(k)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`);
            if (op.path === '/v1/events') qs.push('format=json');
            if (qs.length > 0) url += `?${qs.join('&')}`;
            const headers: Record<string, string> = r.who === 'none' ? {} : { authorization: `Bearer ${keys[r.who]}` };
            let body: string | undefined;
            if (op.method !== 'GET' && op.method !== 'DELETE') {
              const value = r.body ?? {};
              if (r.form === 'json') [headers['content-type'], body] = ['application/json', JSON.stringify(value)];
              else if (r.form === 'invalid-json') [headers['content-type'], body] = ['application/json', JSON.stringify(value).slice(0, -1) + ',,'];
              else if (r.form === 'text') [headers['content-type'], body] = ['text/plain', String(JSON.stringify(value))];
              else if (r.form === 'xml') [headers['content-type'], body] = ['application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'];
              else if (r.form === 'png') [headers['content-type'], body] = ['image/png', '\u0089PNG'];
            }
            const before = await digest(db);
            const res = await send(port, op.method, url, headers, body);
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            assert.ok(res.status >= 200 && res.status < 500, `${op.method} ${url} (${r.who}, ${r.form}) answered ${res.status}: ${res.body.slice(0, 500)}\nbody: ${body?.slice(0, 300)}`);
            if (res.status >= 400) {
              rejected++;
              assert.match(res.contentType, /application\/problem\+json/, `${op.method} ${url}: ${res.status} without problem+json`);
              assert.deepEqual(await digest(db), before, `${op.method} ${url} was refused (${res.status}) but changed the store`);
            }
          }),
          { numRuns: runs, seed: 9457 + ops.indexOf(op) },
        );
      }
      assert.ok(sent >= ops.length * runs, `${sent} requests`);
      assert.ok(rejected > sent / 3, `${rejected} of ${sent} rejected: the mutations reach the validators`);
    });
  });
}
