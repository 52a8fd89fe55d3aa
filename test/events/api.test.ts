import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Ajv } from 'ajv';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import type { AppInstance } from '../../src/api/app.js';
import { sendProblem, toProblem } from '../../src/api/problem.js';
import { eventsRoutes } from '../../src/api/routes/events.js';
import { webhookRoutes } from '../../src/api/routes/webhooks.js';
import { usageRoutes } from '../../src/api/routes/usage.js';
import { appendEvent, latestEventId, type LightpathEvent } from '../../src/store/events.js';
import { recordUsage } from '../../src/services/usage.js';
import { openSse } from './sse-client.js';

const H = 3_600_000;

/**
 * The routes mounted the way the API mounts them, with a stand-in for the auth hook: the principal
 * comes from test headers, and no header means no principal.
 */
async function testApp(db: Db): Promise<{ app: AppInstance; url: string; openStreams: () => number }> {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>() as unknown as AppInstance;
  // as the API does: bodies are not coerced and unknown properties are errors, not silently dropped
  const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  const otherAjv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema));
  let open = 0;
  app.setErrorHandler((err, req, reply) => sendProblem(reply, toProblem(err, req)));
  app.addHook('onRequest', async (req) => {
    const tenant = req.headers['x-test-tenant'];
    if (typeof tenant === 'string') {
      (req as unknown as { principal: unknown }).principal = { tenantId: tenant, role: req.headers['x-test-role'] ?? 'customer', keyId: 'k' };
    }
  });
  await app.register(async (scope) => eventsRoutes(scope as AppInstance, { db }, { heartbeatMs: 100, pollMs: 50, onStreamCount: (n) => (open = n) }));
  await app.register(async (scope) => webhookRoutes(scope as AppInstance, { db }, { allowPrivateTargets: true }));
  await app.register(async (scope) => usageRoutes(scope as AppInstance, { db }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, openStreams: () => open };
}

const acme = { 'x-test-tenant': 'acme' };
const globex = { 'x-test-tenant': 'globex' };
const operator = { 'x-test-tenant': 'op', 'x-test-role': 'operator' };

for (const driver of testDrivers()) {
  describe(`events, webhooks and usage over HTTP on ${driver.name}`, () => {
    let db: Db;
    let app: AppInstance;
    let url: string;
    let openStreams: () => number;
    before(async () => {
      db = await driver.open();
      ({ app, url, openStreams } = await testApp(db));
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    const getJson = async (path: string, headers: Record<string, string>) => {
      const r = await fetch(url + path, { headers: { accept: 'application/json', ...headers } });
      return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Record<string, unknown> };
    };

    test('JSON mode: tenants see their own events, operators all; paging and filters agree with the full list', async () => {
      const base = await latestEventId(db);
      const written = [
        { type: 'order.completed', tenantId: 'acme' },
        { type: 'service.activated', tenantId: 'globex' },
        { type: 'span.failed', tenantId: null },
        { type: 'service.activated', tenantId: 'acme' },
        { type: 'order.completed', tenantId: 'acme' },
      ];
      for (const [i, e] of written.entries()) await appendEvent(db, { ...e, subject: { kind: 'x', id: `j${i}` }, data: { i } });
      const all = (await getJson(`/v1/events?format=json&after=${base}`, operator)).body.items as LightpathEvent[];
      assert.deepEqual(all.map((e) => e.tenantId), written.map((e) => e.tenantId));
      const collect = async (headers: Record<string, string>, extra: string) => {
        const got: LightpathEvent[] = [];
        let next = `/v1/events?after=${base}&limit=2${extra}`;
        for (;;) {
          const page = await getJson(next, headers);
          assert.equal(page.status, 200);
          got.push(...(page.body.items as LightpathEvent[]));
          if (page.body.nextCursor === null) break;
          next = `/v1/events?limit=2&cursor=${String(page.body.nextCursor)}${extra}`;
        }
        return got.map((e) => e.id);
      };
      assert.deepEqual(await collect(acme, ''), all.filter((e) => e.tenantId === 'acme').map((e) => e.id));
      assert.deepEqual(await collect(globex, ''), all.filter((e) => e.tenantId === 'globex').map((e) => e.id));
      assert.deepEqual(await collect(acme, '&types=order.completed'), all.filter((e) => e.tenantId === 'acme' && e.type === 'order.completed').map((e) => e.id));
      assert.deepEqual(await collect(operator, '&types=span.failed,service.activated'), all.filter((e) => e.type !== 'order.completed').map((e) => e.id));
    });

    test('errors are problem+json: no principal 401, bad after/types 400', async () => {
      const r = await getJson('/v1/events?format=json', {});
      assert.equal(r.status, 401);
      assert.match(r.type, /application\/problem\+json/);
      assert.equal(r.body.code, 'unauthorized');
      assert.equal((await getJson('/v1/events?format=json&after=-1', acme)).status, 400);
      assert.equal((await getJson('/v1/events?format=json&types=NotAType', acme)).body.code, 'validation-failed');
      assert.equal((await fetch(`${url}/v1/events`, { headers: { ...acme, 'last-event-id': 'abc' } })).status, 400);
    });

    test('SSE: events arrive in id order, tenant-filtered; a reconnect with Last-Event-ID resumes without loss or duplicates', async () => {
      const base = await latestEventId(db);
      const s1 = await openSse(`${url}/v1/events?after=${base}`, acme);
      assert.equal(s1.status, 200);
      assert.match(String(s1.headers['content-type']), /^text\/event-stream/);
      const tenants = ['acme', 'globex', 'acme', null, 'acme', 'acme', 'globex', 'acme'];
      const ids: number[] = [];
      // first half while connected, each in its own transaction
      for (const [i, t] of tenants.slice(0, 4).entries()) {
        await db.transaction((tx) => appendEvent(tx, { type: 'service.rerouted', tenantId: t, subject: { kind: 'service', id: `s${i}` }, data: { i } }));
        ids.push(await latestEventId(db));
      }
      const acmeIds = () => ids.filter((_, i) => tenants[i] === 'acme');
      await s1.until((c) => c.frames.length >= 2);
      s1.close();
      const lastSeen = s1.frames[s1.frames.length - 1].id;
      // second half while disconnected, then a reconnect, then more while connected
      for (const [i, t] of tenants.slice(4, 6).entries()) {
        await appendEvent(db, { type: 'order.completed', tenantId: t, subject: { kind: 'o', id: `o${i}` }, data: {} });
        ids.push(await latestEventId(db));
      }
      const s2 = await openSse(`${url}/v1/events?after=${base}`, { ...acme, 'last-event-id': String(lastSeen) });
      for (const [i, t] of tenants.slice(6).entries()) {
        await appendEvent(db, { type: 'span.repaired', tenantId: t, subject: { kind: 'span', id: `p${i}` }, data: {} });
        ids.push(await latestEventId(db));
      }
      const want = acmeIds();
      await s2.until((c) => c.frames.length >= want.length - s1.frames.length);
      // a little longer: nothing else may arrive
      await new Promise((r) => setTimeout(r, 150));
      s2.close();
      const frames = [...s1.frames, ...s2.frames];
      assert.deepEqual(frames.map((f) => Number(f.id)), want);
      for (const f of frames) {
        const e = JSON.parse(f.data) as LightpathEvent;
        assert.equal(String(e.id), f.id);
        assert.equal(e.type, f.event);
        assert.equal(e.tenantId, 'acme');
      }
    });

    test('SSE: idle streams get heartbeats; a client disconnect ends the stream on the server', async () => {
      const s = await openSse(`${url}/v1/events?after=${await latestEventId(db)}`, operator);
      await s.until((c) => c.comments.includes('heartbeat'), 3000);
      assert.equal(openStreams(), 1);
      s.close();
      for (let i = 0; i < 100 && openStreams() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(openStreams(), 0);
    });

    test('webhooks: create with secret once, idempotent replay, conflict, tenant isolation, delete', async () => {
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${url}/v1/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const body = { url: 'http://127.0.0.1:9/hook', types: ['order.completed'] };
      const r1 = await post({ ...acme, 'idempotency-key': 'k1' }, body);
      assert.equal(r1.status, 201);
      const w = (await r1.json()) as { id: string; secret: string; tenantId: string };
      assert.ok(w.secret.length >= 32);
      assert.equal(w.tenantId, 'acme');
      const r2 = await post({ ...acme, 'idempotency-key': 'k1' }, body);
      assert.deepEqual(await r2.json(), w);
      const r3 = await post({ ...acme, 'idempotency-key': 'k1' }, { ...body, url: 'http://127.0.0.1:9/other' });
      assert.equal(r3.status, 409);
      assert.equal(((await r3.json()) as { code: string }).code, 'idempotency-conflict');
      assert.equal((await post(acme, { url: 'ftp://x' })).status, 400);
      assert.equal((await post(acme, { ...body, extra: 1 })).status, 400);
      const list = await getJson('/v1/webhooks', acme);
      assert.deepEqual((list.body.items as Array<{ id: string }>).map((x) => x.id), [w.id]);
      assert.ok(!JSON.stringify(list.body).includes(w.secret));
      assert.equal((await getJson(`/v1/webhooks/${w.id}`, globex)).status, 404);
      assert.deepEqual((await getJson('/v1/webhooks', globex)).body.items, []);
      assert.equal((await getJson(`/v1/webhooks/${w.id}/deliveries`, acme)).status, 200);
      assert.equal((await fetch(`${url}/v1/webhooks/${w.id}`, { method: 'DELETE', headers: globex })).status, 404);
      assert.equal((await fetch(`${url}/v1/webhooks/${w.id}`, { method: 'DELETE', headers: acme })).status, 204);
      assert.equal((await getJson(`/v1/webhooks/${w.id}`, acme)).status, 404);
    });

    test('usage: records of the caller only; bad times are 400', async () => {
      const t0 = Date.UTC(2026, 10, 1);
      await recordUsage(
        db,
        [
          { serviceId: 'svc_u1', tenantId: 'acme', product: 'wave', bandwidthGbps: 100, fromMs: t0 + 0.5 * H, toMs: t0 + 2 * H },
          { serviceId: 'svc_u2', tenantId: 'globex', product: 'ethernet', bandwidthGbps: 10, fromMs: t0, toMs: t0 + H },
        ],
        new Date(t0 + 3 * H),
      );
      const mine = await getJson('/v1/usage', acme);
      assert.equal(mine.status, 200);
      assert.deepEqual(
        (mine.body.items as Array<{ serviceId: string; hour: string; activeSeconds: number }>).map((r) => [r.serviceId, r.hour, r.activeSeconds]),
        [
          ['svc_u1', new Date(t0).toISOString(), 1800],
          ['svc_u1', new Date(t0 + H).toISOString(), 3600],
        ],
      );
      assert.deepEqual((await getJson('/v1/usage?serviceId=svc_u1', globex)).body.items, []);
      assert.equal(((await getJson('/v1/usage', operator)).body.items as unknown[]).length, 3);
      assert.equal((await getJson('/v1/usage?from=tomorrow', acme)).status, 400);
    });

    test('server close ends open streams', async () => {
      const { app: app2, url: url2 } = await testApp(db);
      const s = await openSse(`${url2}/v1/events`, operator);
      await app2.close();
      await s.until((c) => c.ended, 3000);
      assert.ok(s.ended);
    });
  });
}
