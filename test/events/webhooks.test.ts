import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { LightpathError } from '../../src/domain/errors.js';
import { appendEvent, latestEventId } from '../../src/store/events.js';
import { listDeliveries } from '../../src/store/webhooks.js';
import { WebhookService, checkWebhookUrl, isPrivateHost } from '../../src/services/webhooks.js';
import { WebhookWorker } from '../../src/services/webhooks-worker.js';
import { KEEP_DELIVERIES_MS, KEEP_IDEMPOTENCY_MS, housekeeping, startEventWorkers } from '../../src/services/events-workers.js';
import { retryDelayMs, signatureHeader, verifySignature, type RetryPolicy } from '../../src/services/webhooks-delivery.js';
import type { Principal } from '../../src/services/ordering/principal.js';
import { startReceiver, type Receiver } from './receiver.js';

const opA: Principal = { tenantId: 'op', role: 'operator', keyId: 'key_op' };
const custA: Principal = { tenantId: 'acme', role: 'customer', keyId: 'key_acme' };
const custB: Principal = { tenantId: 'globex', role: 'customer', keyId: 'key_globex' };

/** Independent signature check: recompute HMAC-SHA256 over "<t>.<body>" from the header's t. */
function independentlyVerified(secret: string, body: string, header: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const mac = crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${m[1]}.${body}`, 'utf8')).digest('hex');
  return mac === m[2];
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof LightpathError && err.code === code);
}

describe('webhook signatures and retry schedule (pure)', () => {
  test('the header signs "<t>.<body>" with HMAC-SHA256 and verifies, and tampering fails', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 16, maxLength: 64 }), fc.string({ maxLength: 300 }), fc.integer({ min: 0, max: 4_000_000_000 }), (secret, body, t) => {
        const h = signatureHeader(secret, body, t);
        assert.ok(independentlyVerified(secret, body, h));
        assert.equal(h.startsWith(`t=${t},`), true);
        assert.ok(verifySignature(secret, body, h));
        assert.ok(!verifySignature(secret, body + 'x', h));
        assert.ok(!verifySignature(secret + 'x', body, h));
        assert.ok(!verifySignature(secret, body, h, { nowSeconds: t + 301, toleranceSeconds: 300 }));
      }),
      { seed: 1101, numRuns: 200 },
    );
  });

  test('retry delays double from the base up to the cap, within the jitter band, and stop at maxAttempts', () => {
    fc.assert(
      fc.property(
        fc.record({
          baseMs: fc.integer({ min: 1, max: 5000 }),
          capMs: fc.integer({ min: 1, max: 600_000 }),
          maxAttempts: fc.integer({ min: 1, max: 20 }),
          jitter: fc.double({ min: 0, max: 0.9, noNaN: true }),
        }),
        fc.integer({ min: 1, max: 25 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (policy: RetryPolicy, attempt, r) => {
          const got = retryDelayMs(attempt, policy, () => r);
          if (attempt >= policy.maxAttempts) {
            assert.equal(got, null);
            return;
          }
          // un-jittered delay by repeated doubling, independent of the closed form
          let d = policy.baseMs;
          for (let i = 1; i < attempt; i++) d = Math.min(policy.capMs, d * 2);
          d = Math.min(policy.capMs, d);
          assert.ok(got !== null);
          assert.ok(got >= Math.floor(d * (1 - policy.jitter)) && got <= Math.ceil(d * (1 + policy.jitter)), `${got} vs ${d}`);
          if (policy.jitter === 0) assert.equal(got, d);
        },
      ),
      { seed: 1102, numRuns: 500 },
    );
  });

  test('private, loopback and link-local hosts are recognised (as the URL parser normalises them)', () => {
    const host = (u: string) => new URL(u).hostname;
    for (const u of ['http://127.0.0.1/', 'http://localhost:8080/', 'http://a.localhost/', 'http://10.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.255/',
      'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[fd00::1]/',
      'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:10.0.0.1]/', 'http://2130706433/', 'http://0x7f.1/']) {
      assert.equal(isPrivateHost(host(u)), true, u);
    }
    for (const u of ['https://example.com/', 'http://8.8.8.8/', 'http://172.32.0.1/', 'http://192.169.0.1/', 'http://[2001:db8::1]/', 'http://[::ffff:8.8.8.8]/']) {
      assert.equal(isPrivateHost(host(u)), false, u);
    }
  });

  test('webhook URLs must be absolute http(s) without credentials', () => {
    assert.deepEqual(checkWebhookUrl('https://example.com/hook'), []);
    assert.deepEqual(checkWebhookUrl('http://127.0.0.1:8080/x?y=1'), []);
    for (const bad of ['ftp://example.com/', 'javascript:alert(1)', '/relative', 'https://u:p@example.com/', 'https://example.com/#f', '', 'x'.repeat(3000)]) {
      assert.notDeepEqual(checkWebhookUrl(bad), [], bad);
    }
  });
});

for (const driver of testDrivers()) {
  describe(`webhooks on ${driver.name}`, () => {
    let db: Db;
    let svc: WebhookService;
    let rx: Receiver;
    before(async () => {
      db = await driver.open();
      svc = new WebhookService(db, { allowPrivateTargets: true });
      rx = await startReceiver();
    });
    after(async () => {
      await rx.close();
      await db.close();
    });

    test('create returns the secret once; list and get never show it; tenants are isolated', async () => {
      const created = await svc.create(custA, { url: `${rx.url}/a` });
      assert.match(created.id, /^whk_[0-9A-Z]{26}$/);
      assert.ok(created.secret.length >= 32);
      assert.equal(created.tenantId, 'acme');
      const mine = await svc.list(custA);
      assert.ok(mine.items.some((w) => w.id === created.id));
      for (const w of mine.items) assert.equal('secret' in w, false);
      assert.equal('secret' in (await svc.get(custA, created.id)), false);
      // another tenant: invisible and not-found
      assert.equal((await svc.list(custB)).items.some((w) => w.id === created.id), false);
      await rejectsWith(svc.get(custB, created.id), 'not-found');
      await rejectsWith(svc.delete(custB, created.id), 'not-found');
      // operators see every tenant's
      assert.ok((await svc.list(opA)).items.some((w) => w.id === created.id));
      await svc.delete(custA, created.id);
      await rejectsWith(svc.get(custA, created.id), 'not-found');
    });

    test('customers may not target private addresses unless allowed; operators may', async () => {
      const strict = new WebhookService(db);
      await rejectsWith(strict.create(custA, { url: 'http://169.254.169.254/latest' }), 'validation-failed');
      await rejectsWith(strict.create(custA, { url: `${rx.url}/x` }), 'validation-failed');
      const ok = await strict.create(opA, { url: `${rx.url}/x` });
      await strict.delete(opA, ok.id);
    });

    test('validation: bad url, short secret, bad types', async () => {
      await rejectsWith(svc.create(custA, { url: 'ftp://x' }), 'validation-failed');
      await rejectsWith(svc.create(custA, { url: `${rx.url}/`, secret: 'short' }), 'validation-failed');
      await rejectsWith(svc.create(custA, { url: `${rx.url}/`, types: ['Not A Type'] }), 'validation-failed');
      await rejectsWith(svc.create(custA, { url: `${rx.url}/`, types: [] }), 'validation-failed');
    });

    test('Idempotency-Key: same body gives the same webhook, different body conflicts, keys are per tenant', async () => {
      const body = { url: `${rx.url}/idem`, types: ['order.completed'] };
      const a = await svc.create(custA, body, 'key-1');
      const b = await svc.create(custA, { ...body }, 'key-1');
      assert.deepEqual(b, a);
      await rejectsWith(svc.create(custA, { url: `${rx.url}/other` }, 'key-1'), 'idempotency-conflict');
      const c = await svc.create(custB, body, 'key-1');
      assert.notEqual(c.id, a.id);
      // concurrent first use of one key creates one webhook
      const [x, y] = await Promise.all([svc.create(custA, body, 'key-2'), svc.create(custA, body, 'key-2')]);
      assert.equal(x.id, y.id);
      for (const id of [a.id, c.id, x.id]) await svc.delete(id === c.id ? custB : custA, id);
    });

    test('delivery: signed, retried on the backoff schedule after failures, state persisted across a restart', async () => {
      const failFirst = 3;
      rx.respond = (path, n) => (path === '/retry' && n < failFirst ? 500 : 200);
      const secret = 'test-secret-0123456789abcdef';
      const hook = await svc.create(custA, { url: `${rx.url}/retry`, secret, types: ['order.completed'] });
      await db.transaction((tx) => appendEvent(tx, { type: 'order.completed', tenantId: 'acme', subject: { kind: 'order', id: 'ord_9' }, data: { ok: true } }));
      // Its id is drawn when it is published (the first read after the commit).
      const eventId = await latestEventId(db);
      // events that must not reach this hook: other tenant, other type
      await appendEvent(db, { type: 'order.completed', tenantId: 'globex', subject: { kind: 'order', id: 'ord_x' }, data: {} });
      await appendEvent(db, { type: 'service.activated', tenantId: 'acme', subject: { kind: 'service', id: 'svc_x' }, data: {} });

      const policy: RetryPolicy = { baseMs: 1000, capMs: 60_000, maxAttempts: 8, jitter: 0 };
      let clock = Date.UTC(2026, 10, 21, 8, 0, 0);
      const mk = () => new WebhookWorker(db, { retry: policy, now: () => clock, timeoutMs: 5000 });
      const start = rx.received.length;
      const r1 = await mk().runOnce();
      assert.equal(r1.attempted, 1);
      assert.equal(r1.retrying, 1);
      // the expected schedule, computed here: attempt k failed -> wait base * 2^(k-1)
      for (let k = 1; k < failFirst + 1; k++) {
        const wait = policy.baseMs * 2 ** (k - 1);
        clock += wait - 1;
        // a new worker each time: only the database carries the state
        assert.equal((await mk().runOnce()).attempted, 0, `attempt ${k + 1} must wait ${wait} ms`);
        clock += 1;
        const r = await mk().runOnce();
        assert.equal(r.attempted, 1);
        assert.equal(k < failFirst ? r.retrying : r.delivered, 1);
      }
      const got = rx.received.slice(start).filter((x) => x.path === '/retry');
      assert.equal(got.length, failFirst + 1);
      for (const req of got) {
        assert.equal(req.headers['lightpath-event-id'], String(eventId));
        assert.equal(req.headers['content-type'], 'application/json');
        assert.ok(independentlyVerified(secret, req.body, String(req.headers['lightpath-signature'])));
        const ev = JSON.parse(req.body) as { id: number; type: string; tenantId: string; subject: unknown; data: unknown; occurredAt: string };
        assert.equal(ev.id, eventId);
        assert.equal(ev.type, 'order.completed');
        assert.equal(ev.tenantId, 'acme');
        assert.deepEqual(ev.subject, { kind: 'order', id: 'ord_9' });
        assert.deepEqual(ev.data, { ok: true });
      }
      const [d] = await listDeliveries(db, hook.id, 10);
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, failFirst + 1);
      assert.equal(d.lastStatusCode, 200);
      assert.equal((await listDeliveries(db, hook.id, 10)).length, 1);
      // nothing left to do
      clock += 3_600_000;
      assert.equal((await mk().runOnce()).attempted, 0);
      await svc.delete(custA, hook.id);
    });

    test('a delivery that never succeeds is failed after maxAttempts; a refused connection counts as a failure', async () => {
      const dead = await startReceiver();
      const deadUrl = dead.url;
      await dead.close(); // nothing listens there any more
      const hook = await svc.create(custA, { url: `${deadUrl}/gone` });
      const policy: RetryPolicy = { baseMs: 10, capMs: 40, maxAttempts: 4, jitter: 0 };
      let clock = Date.UTC(2026, 10, 21, 9, 0, 0);
      const w = new WebhookWorker(db, { retry: policy, now: () => clock, timeoutMs: 2000 });
      await appendEvent(db, { type: 'span.failed', tenantId: 'acme', subject: { kind: 'span', id: 's1' }, data: {} });
      let attempts = 0;
      for (let i = 0; i < 10; i++) {
        attempts += (await w.runOnce()).attempted;
        clock += 1000;
      }
      assert.equal(attempts, policy.maxAttempts);
      const [d] = await listDeliveries(db, hook.id, 10);
      assert.equal(d.status, 'failed');
      assert.equal(d.attempts, policy.maxAttempts);
      assert.equal(d.lastStatusCode, null);
      assert.ok(d.lastError);
      await svc.delete(custA, hook.id);
    });

    test("fan-out: customer hooks get their tenant's events only, operator hooks get all, types filter, no history", async () => {
      rx.respond = () => 204;
      // history before the hooks exist is not delivered
      await appendEvent(db, { type: 'order.completed', tenantId: 'acme', subject: { kind: 'order', id: 'old' }, data: {} });
      const hA = await svc.create(custA, { url: `${rx.url}/fan-a` });
      const hB = await svc.create(custB, { url: `${rx.url}/fan-b`, types: ['span.repaired'] });
      const hO = await svc.create(opA, { url: `${rx.url}/fan-op` });
      const written = [
        { type: 'order.completed', tenantId: 'acme' },
        { type: 'span.repaired', tenantId: 'globex' },
        { type: 'order.completed', tenantId: 'globex' },
        { type: 'span.failed', tenantId: null },
        { type: 'service.activated', tenantId: 'acme' },
      ];
      const ids: number[] = [];
      for (const [i, e] of written.entries()) {
        await appendEvent(db, { ...e, subject: { kind: 'x', id: `f${i}` }, data: { i } });
        ids.push(await latestEventId(db));
      }
      const start = rx.received.length;
      const w = new WebhookWorker(db, { now: () => Date.now() });
      await w.runOnce();
      const byPath = (p: string) =>
        rx.received
          .slice(start)
          .filter((x) => x.path === p)
          .map((x) => Number(x.headers['lightpath-event-id']))
          .sort((a, b) => a - b);
      const expect = (pred: (e: (typeof written)[number]) => boolean) => ids.filter((_, i) => pred(written[i]));
      assert.deepEqual(byPath('/fan-a'), expect((e) => e.tenantId === 'acme'));
      assert.deepEqual(byPath('/fan-b'), expect((e) => e.tenantId === 'globex' && e.type === 'span.repaired'));
      assert.deepEqual(byPath('/fan-op'), expect(() => true));
      // a second round sends nothing again
      assert.equal((await w.runOnce()).attempted, 0);
      for (const [v, h] of [[custA, hA], [custB, hB], [opA, hO]] as const) await svc.delete(v, h.id);
    });

    test('housekeeping forgets old idempotency keys and old finished deliveries, never pending ones', async () => {
      rx.respond = () => 200;
      const hook = await svc.create(custA, { url: `${rx.url}/hk` }, 'hk-key');
      const ids: number[] = [];
      for (const sid of ['hk1', 'hk2']) {
        await appendEvent(db, { type: 'span.failed', tenantId: 'acme', subject: { kind: 'span', id: sid }, data: {} });
        ids.push(await latestEventId(db));
      }
      await new WebhookWorker(db).runOnce();
      // age everything, then put the second delivery back to pending
      const now = Date.now();
      await db.query('UPDATE webhook_idempotency SET created_at = $1 WHERE key = $2', [new Date(now - KEEP_IDEMPOTENCY_MS - 1000), 'hk-key']);
      await db.query('UPDATE webhook_deliveries SET created_at = $1 WHERE webhook_id = $2', [new Date(now - KEEP_DELIVERIES_MS - 1000), hook.id]);
      await db.query("UPDATE webhook_deliveries SET status = 'pending' WHERE webhook_id = $1 AND event_id = $2", [hook.id, ids[1]]);
      const r = await housekeeping(db, now);
      assert.ok(r.keys >= 1 && r.deliveries >= 1);
      assert.deepEqual((await listDeliveries(db, hook.id, 10)).map((d) => d.eventId), [ids[1]]);
      // the key is forgotten: the same key now creates a new webhook
      const again = await svc.create(custA, { url: `${rx.url}/hk` }, 'hk-key');
      assert.notEqual(again.id, hook.id);
      await svc.delete(custA, hook.id);
      await svc.delete(custA, again.id);
    });

    test('startEventWorkers starts and stops cleanly', async () => {
      const w = startEventWorkers(db, { webhooks: { pollMs: 20 } });
      await new Promise((r) => setTimeout(r, 50));
      await w.stop();
    });

    test('start/stop: the background worker delivers promptly and stops cleanly', async () => {
      rx.respond = () => 200;
      const hook = await svc.create(custA, { url: `${rx.url}/bg` });
      const w = new WebhookWorker(db, { pollMs: 50 });
      w.start();
      await appendEvent(db, { type: 'service.rerouted', tenantId: 'acme', subject: { kind: 'service', id: 'svc_bg' }, data: {} });
      const id = await latestEventId(db);
      for (let i = 0; i < 200 && !rx.received.some((x) => x.path === '/bg'); i++) await new Promise((r) => setTimeout(r, 20));
      await w.stop();
      const got = rx.received.filter((x) => x.path === '/bg');
      assert.equal(got.length, 1);
      assert.equal(got[0].headers['lightpath-event-id'], String(id));
      await svc.delete(custA, hook.id);
    });
  });
}
