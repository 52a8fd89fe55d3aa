/**
 * Connections cut at the worst moments: a TCP proxy between Lightpath and PostgreSQL drops the
 * connection right after a statement completed (or right before the server says it is ready again,
 * i.e. after COMMIT), so Lightpath never hears the outcome of writes that did go through. During an
 * order storm over HTTP (orders with and without Idempotency-Key, activation running through the same
 * proxy) no order may be created twice, no committed order may be lost, none may stay unsettled,
 * nothing may be held twice, and no request may answer 500.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { openPostgres } from '../../src/store/postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { buildApp } from '../../src/api/app.js';
import { createServices, startBackground, stopServices } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import { EmulatorDriver } from '../../src/services/ordering/activation.js';
import { checkInvariants } from '../ordering/support.js';
import { call, CuttingProxy, storeFacts, waitSettled } from '../support/chaos.js';

const url = process.env.DATABASE_URL;

describe('connections cut by a proxy during an order storm', { skip: url ? false : 'needs DATABASE_URL (CI sets it): the proxy sits in front of a PostgreSQL server' }, () => {
  test('no duplicate, no lost committed order, no 500, nothing unsettled', { timeout: 240_000 }, async () => {
    const target = new URL(url as string);
    const schema = `lp_drop_${crypto.randomBytes(5).toString('hex')}`;
    const direct = await openPostgres({ url: url as string, searchPath: `${schema},public`, max: 4 });
    await direct.query(`CREATE SCHEMA ${schema}`);
    await migrate(direct);
    let seed = 20261203;
    const proxy = new CuttingProxy({ host: target.hostname, port: Number(target.port || 5432) }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296));
    await proxy.start();
    const viaProxy = new URL(url as string);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const db = await openPostgres({ url: viaProxy.toString(), searchPath: `${schema},public`, max: 8, connectionTimeoutMs: 2_000 });
    const services = createServices(db, { driver: new EmulatorDriver({ delayMs: 5 }), workerPollMs: 50 });
    await services.inventory.initialize();
    const key = (await createKey(db, { tenantId: 'acme', role: 'customer' })).key;
    const app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    startBackground(services);
    try {
      proxy.dropRate = 0.08;
      const sites = ['chi-pop', 'nyc-pop', 'dal-pop', 'atl-pop', 'den-pop', 'sea-pop', 'lax-pop', 'mkc-pop'];
      const sent: { sig: number; idem: string | null; status: number; orderId: string | null }[] = [];
      const statuses = new Map<number, number>();
      let n = 0;
      const client = async (c: number) => {
        for (let i = 0; i < 30; i++) {
          // Each request carries a signature of its own (maxLatencyUs), so a duplicate order is visible.
          const sig = 900_000 - n++;
          const a = sites[(c + i) % sites.length];
          const z = sites[(c + 3 * i + 1) % sites.length] === a ? sites[(c + 3 * i + 2) % sites.length] : sites[(c + 3 * i + 1) % sites.length];
          const idem = i % 3 === 0 ? `drop-${c}-${i}` : null;
          const body = { product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: sig };
          const r = await call(base, key, 'POST', '/v1/orders', body, idem ? { 'idempotency-key': idem } : {});
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          sent.push({ sig, idem, status: r.status, orderId: r.status < 300 ? String(r.json?.id) : ((r.json?.orderId as string | undefined) ?? null) });
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, c) => client(c)));
      proxy.dropRate = 0;
      const cuts = proxy.cuts.afterCommandComplete + proxy.cuts.beforeReadyForQuery;
      assert.ok(cuts >= 10, `the proxy cut ${cuts} connections`);
      assert.equal(statuses.get(500) ?? 0, 0, `no 500 (statuses ${JSON.stringify([...statuses])})`);
      for (const s of statuses.keys()) assert.ok([200, 201, 409, 503].includes(s), `unexpected status ${s}`);
      await waitSettled(direct, 60_000);
      const orders = await direct.query<{ id: string; sig: string; idempotency_key: string | null }>(`SELECT id, spec->>'maxLatencyUs' AS sig, idempotency_key FROM orders WHERE action = 'add'`);
      const bySig = new Map<number, string[]>();
      for (const o of orders.rows) bySig.set(Number(o.sig), [...(bySig.get(Number(o.sig)) ?? []), o.id]);
      for (const [sig, ids] of bySig) assert.equal(ids.length, 1, `request ${sig} created ${ids.length} orders`);
      for (const s of sent) {
        if (s.status === 200 || s.status === 201) assert.deepEqual(bySig.get(s.sig), [s.orderId], `acknowledged order ${s.orderId} (request ${s.sig}) is stored`);
        else if (s.status === 503 && s.orderId) assert.ok(!bySig.has(s.sig) || bySig.get(s.sig)?.[0] === s.orderId, 'a 503 names the order it may have written');
      }
      assert.ok(sent.filter((s) => s.status < 300).length >= 60, 'most orders went through');
      const facts = await storeFacts(direct);
      assert.deepEqual([facts.stuck, facts.doubleAllocations, facts.orphanAllocations, facts.duplicateKeys], [0, 0, 0, 0], JSON.stringify(facts));
      await checkInvariants(direct);
    } finally {
      proxy.dropRate = 0;
      await app.close();
      await stopServices(services);
      await db.close();
      await proxy.close();
      await direct.query(`DROP SCHEMA ${schema} CASCADE`);
      await direct.close();
    }
  });
});
