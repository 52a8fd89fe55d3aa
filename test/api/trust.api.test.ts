/**
 * The edge's promises: every state-changing request leaves an audit record naming who, what and which
 * request (and the trail cannot be edited); NUL characters and absurd nesting are refused naming the
 * field; a key that sends too much is slowed down with 429 and Retry-After; contention that outlasts
 * the retries answers 503 busy with Retry-After, never a final-sounding capacity-exhausted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import { withAllocationRetry } from '../../src/services/ordering/common.js';
import { toProblem } from '../../src/api/problem.js';
import { LightpathError } from '../../src/domain/errors.js';
import { jsonDepth } from '../../src/api/input-guards.js';
import type { FastifyRequest } from 'fastify';
import fc from 'fast-check';

for (const driver of testDrivers()) {
  describe(`trust at the edge on ${driver.name}`, () => {
    let db: Db;
    let services: Services;
    let app: LightpathApp;
    const key = { operator: '', operatorId: '', acme: '', acmeId: '' };
    const as = (k: string) => ({ authorization: `Bearer ${k}` });

    before(async () => {
      db = await driver.open();
      services = createServices(db);
      await services.inventory.initialize();
      const op = await createKey(db, { tenantId: 'operator', role: 'operator' });
      const acme = await createKey(db, { tenantId: 'acme', role: 'customer' });
      Object.assign(key, { operator: op.key, operatorId: op.record.id, acme: acme.key, acmeId: acme.record.id });
      app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    test('every state-changing request leaves one audit record with its actor and request id', async () => {
      const op = as(key.operator);
      const cust = as(key.acme);
      const writes: { method: 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; headers: Record<string, string>; payload?: unknown; action: string; actor: string }[] = [
        { method: 'POST', url: '/v1/srlgs', headers: op, payload: { id: 'audit-duct', name: 'Audit duct', kind: 'duct' }, action: 'srlg.create', actor: key.operatorId },
        { method: 'POST', url: '/v1/sites', headers: op, payload: { id: 'audit-a', name: 'Audit A', kind: 'pop', lat: 40, lon: -100 }, action: 'site.create', actor: key.operatorId },
        { method: 'POST', url: '/v1/sites', headers: op, payload: { id: 'audit-b', name: 'Audit B', kind: 'pop', lat: 41, lon: -100 }, action: 'site.create', actor: key.operatorId },
        { method: 'PATCH', url: '/v1/sites/audit-b', headers: op, payload: { name: 'Audit B2' }, action: 'site.update', actor: key.operatorId },
        { method: 'POST', url: '/v1/spans', headers: op, payload: { id: 'audit-ab', aSiteId: 'audit-a', zSiteId: 'audit-b', srlgIds: ['audit-duct'] }, action: 'span.create', actor: key.operatorId },
        { method: 'PATCH', url: '/v1/spans/audit-ab', headers: op, payload: { lengthKm: 140 }, action: 'span.update', actor: key.operatorId },
        { method: 'DELETE', url: '/v1/spans/audit-ab', headers: op, action: 'span.delete', actor: key.operatorId },
        { method: 'DELETE', url: '/v1/sites/audit-b', headers: op, action: 'site.delete', actor: key.operatorId },
        { method: 'PATCH', url: '/v1/srlgs/audit-duct', headers: op, payload: { name: 'Renamed' }, action: 'srlg.update', actor: key.operatorId },
        { method: 'DELETE', url: '/v1/srlgs/audit-duct', headers: op, action: 'srlg.delete', actor: key.operatorId },
        { method: 'PUT', url: '/v1/pricebook', headers: op, payload: await (await app.inject({ url: '/v1/pricebook', headers: op })).json(), action: 'pricebook.replace', actor: key.operatorId },
        { method: 'POST', url: '/v1/keys', headers: cust, payload: { name: 'second' }, action: 'key.create', actor: key.acmeId },
        { method: 'POST', url: '/v1/webhooks', headers: cust, payload: { url: 'https://hooks.example.com/x' }, action: 'webhook.create', actor: key.acmeId },
        { method: 'POST', url: '/v1/orders', headers: cust, payload: { product: 'wave', aSite: 'chi-pop', zSite: 'stl-pop', bandwidthGbps: 100, protection: 'unprotected' }, action: 'order.place', actor: key.acmeId },
        { method: 'POST', url: '/v1/failures', headers: op, payload: { spans: ['sea-pdx'] }, action: 'failure.record', actor: key.operatorId },
      ];
      for (const w of writes) {
        const res = await app.inject({ method: w.method, url: w.url, headers: w.headers, ...(w.payload !== undefined ? { payload: w.payload as object } : {}) });
        assert.ok(res.statusCode < 300, `${w.method} ${w.url}: ${res.statusCode} ${res.body}`);
        const requestId = String(res.headers['x-request-id']);
        assert.match(requestId, /^req_[0-9A-Z]{26}$/);
        const rows = await db.query<{ action: string; actor_key_id: string; actor_via: string }>('SELECT action, actor_key_id, actor_via FROM audit_log WHERE request_id = $1', [requestId]);
        assert.equal(rows.rows.length, 1, `${w.method} ${w.url}: one record`);
        assert.deepEqual(rows.rows[0], { action: w.action, actor_key_id: w.actor, actor_via: 'api' });
      }
      // Failed requests change nothing and record nothing.
      const refused = await app.inject({ method: 'DELETE', url: '/v1/sites/chi-pop', headers: op });
      assert.equal(refused.statusCode, 409);
      assert.equal((await db.query('SELECT 1 FROM audit_log WHERE request_id = $1', [refused.headers['x-request-id']])).rows.length, 0);
      // Secrets never reach the trail.
      const trail = JSON.stringify((await db.query('SELECT before, after FROM audit_log')).rows);
      assert.ok(!/lp_[A-Za-z0-9_-]{43}/.test(trail), 'no API key in the audit log');
      assert.ok(!trail.includes('"secret"'), 'no webhook secret in the audit log');
    });

    test('GET /v1/audit: operators only, filters and pages; the log cannot be edited', async () => {
      assert.equal((await app.inject({ url: '/v1/audit', headers: as(key.acme) })).statusCode, 403);
      const all = (await app.inject({ url: '/v1/audit?limit=1000', headers: as(key.operator) })).json() as { items: { id: number; action: string; actorKeyId: string }[] };
      assert.ok(all.items.length >= 15);
      const creates = (await app.inject({ url: '/v1/audit?action=site.create', headers: as(key.operator) })).json() as { items: { action: string }[] };
      assert.ok(creates.items.length >= 2 && creates.items.every((x) => x.action === 'site.create'));
      const mine = (await app.inject({ url: `/v1/audit?actorKeyId=${key.acmeId}`, headers: as(key.operator) })).json() as { items: { actorKeyId: string }[] };
      assert.ok(mine.items.length >= 3 && mine.items.every((x) => x.actorKeyId === key.acmeId));
      // Paging walks everything once, in id order.
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = (await app.inject({ url: `/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`, headers: as(key.operator) })).json() as { items: { id: number }[]; nextCursor: string | null };
        seen.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, all.items.map((x) => x.id));
      for (const sql of ['UPDATE audit_log SET action = \'x.y\'', 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
        await assert.rejects(db.query(sql), (err: unknown) => (err as { code?: string }).code === 'LP403', sql);
      }
    });

    test('NUL characters are refused at the edge, naming the field; the store is unchanged', async () => {
      const count = async () => Number(((await db.query('SELECT count(*)::int AS n FROM srlgs')).rows[0] as { n: number }).n);
      const n = await count();
      const body = await app.inject({ method: 'POST', url: '/v1/srlgs', headers: { ...as(key.operator), 'content-type': 'application/json' }, payload: '{"id":"n1","name":"a\\u0000b","kind":"duct"}' });
      assert.equal(body.statusCode, 400, body.body);
      assert.deepEqual(body.json().errors, [{ path: '/name', message: 'NUL characters (U+0000) are not allowed' }]);
      const query = await app.inject({ url: '/v1/sites?metro=%00', headers: as(key.operator) });
      assert.equal(query.statusCode, 400);
      assert.equal(query.json().errors[0].path, '/metro');
      const file = await app.inject({ method: 'POST', url: '/v1/network/import?format=gml&replace=true', headers: { ...as(key.operator), 'content-type': 'text/plain' }, payload: 'graph [\n  node [ id 0 label "x\u0000" ]\n]' });
      assert.equal(file.statusCode, 400);
      assert.equal(file.json().errors[0].line, 2);
      assert.equal(await count(), n);
    });

    test('bodies nested thousands of levels deep are refused before any parser recurses', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      for (const url of ['/v1/network/import?format=json&replace=true', '/v1/sites', '/v1/quotes']) {
        const res = await app.inject({ method: 'POST', url, headers: { ...as(key.operator), 'content-type': 'application/json' }, payload: deep });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.match(res.json().detail, /nests deeper than 64 levels/);
      }
      const big = await app.inject({ method: 'POST', url: '/v1/sites', headers: { ...as(key.operator), 'content-type': 'application/json' }, payload: JSON.stringify({ id: 'x', name: 'y'.repeat(2 * 1024 * 1024) }) });
      assert.equal(big.statusCode, 413);
      assert.equal(big.json().code, 'payload-too-large');
    });

    test('a key that sends too much gets 429 problem+json with Retry-After; other keys are unaffected', async () => {
      const limited = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 5 });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 7; i++) codes.push((await limited.inject({ url: '/v1/me', headers: as(key.acme) })).statusCode);
        assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
        const r = await limited.inject({ url: '/v1/me', headers: as(key.acme) });
        assert.equal(r.json().code, 'rate-limited');
        assert.match(String(r.headers['content-type']), /problem\+json/);
        assert.ok(Number(r.headers['retry-after']) >= 1);
        assert.equal((await limited.inject({ url: '/v1/me', headers: as(key.operator) })).statusCode, 200, 'counted per key');
      } finally {
        await limited.close();
      }
    });

    test('contention that outlasts the retries is 503 busy with Retry-After, and writes nothing', async () => {
      let attempts = 0;
      const err = await withAllocationRetry(db, async () => {
        attempts++;
        throw Object.assign(new Error('conflicting key value violates exclusion constraint'), { code: '23P01' });
      }, 4).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof LightpathError);
      assert.equal(err.code, 'busy');
      assert.equal(attempts, 4);
      const p = toProblem(err, { log: { error() {}, warn() {} } } as unknown as FastifyRequest);
      assert.equal(p.status, 503);
      assert.ok(Number(p.retryAfterSeconds) >= 1);
    });
  });
}

test('jsonDepth counts nesting outside strings only (against JSON.parse on random documents)', () => {
  const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + Math.max(0, ...v.map(depthOf)) : v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => jsonDepth(JSON.stringify(v)) === depthOf(v)), { seed: 9457, numRuns: 500 });
  assert.equal(jsonDepth('{"a":"[[[[\\"]]"}'), 1);
});

test('the OpenAPI document names every error code, and every keyed operation its 401, 429 and 503', async () => {
  const { pgliteDriver } = await import('../support/db.js');
  const { ERROR_CODES } = await import('../../src/domain/errors.js');
  const db = await pgliteDriver.open();
  const app = await buildApp({ services: createServices(db), logger: false, webDir: null });
  try {
    const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    const text = JSON.stringify(doc);
    for (const code of ERROR_CODES) if (code !== 'store-locked') assert.ok(text.includes(`\`${code}\``), `${code} is documented`);
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!p.startsWith('/v1')) continue;
      for (const [m, op] of Object.entries(ops)) for (const s of ['401', '429', '503']) assert.ok(op.responses[s], `${m.toUpperCase()} ${p} documents ${s}`);
    }
  } finally {
    await app.close();
    await db.close();
  }
});
