/**
 * The database goes away and comes back while a replica is under an order storm. A real HAProxy in TCP
 * mode sits between `lightpath serve` and PostgreSQL; killing it cuts every connection at once (as a
 * server restart or a network cut does) and refuses new ones until it is started again on the same port.
 * Meanwhile requests answer 503 store-unavailable with Retry-After (never 500, never a crash), /readyz
 * is not ready; afterwards the replica is ready again by itself, and nothing committed is lost or
 * half-applied. (The shared PostgreSQL server itself is not restarted: other work uses it.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPostgres } from '../../src/store/postgres.js';
import { checkInvariants } from '../ordering/support.js';
import { call, orderStorm, startServer, storeFacts, waitSettled } from '../support/chaos.js';
import { freshDatabase, HAPROXY, startTcpProxy, tempDir } from '../support/cluster.js';

const url = process.env.DATABASE_URL;
const skip = !url ? 'needs DATABASE_URL (CI sets it)' : !fs.existsSync(HAPROXY) ? 'haproxy is not installed' : false;

describe('the database goes away during an order storm', { skip }, () => {
  test('503 store-unavailable with Retry-After, /readyz not ready, reconnects by itself, nothing lost', { timeout: 300_000 }, async () => {
    const fresh = await freshDatabase(url as string);
    const dir = tempDir('lp-outage-');
    const target = new URL(url as string);
    let proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, dir);
    const viaProxy = new URL(fresh.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = await startServer({ databaseUrl: viaProxy.toString() }, { LIGHTPATH_JOB_LEASE_SECONDS: '3', LIGHTPATH_EMULATOR_DELAY_MS: '50' });
    const direct = await openPostgres({ url: fresh.url, max: 2 });
    try {
      const key = server.firstKey;
      assert.ok(key);
      assert.equal((await call(server.url, key, 'GET', '/readyz')).status, 200);
      let stop = false;
      const storm = orderStorm(() => server.url, key, { clients: 6, perClient: 1000, seed: 1812, stop: () => stop });
      await new Promise((r) => setTimeout(r, 1500));

      await proxy.kill();
      // While the database is gone: not ready, and a write answers 503 with Retry-After (and with no key, nothing to replay).
      const outage: { status: number; code: unknown; retryAfter: string | null }[] = [];
      for (let i = 0; i < 6; i++) {
        const ready = await call(server.url, key, 'GET', '/readyz');
        const order = await call(server.url, key, 'POST', '/v1/orders', { product: 'wave', aSite: 'chi-pop', zSite: 'nyc-pop', bandwidthGbps: 100, protection: 'unprotected' });
        for (const r of [ready, order]) outage.push({ status: r.status, code: r.json?.code, retryAfter: r.headers?.get('retry-after') ?? null });
        await new Promise((r) => setTimeout(r, 300));
      }
      for (const o of outage) {
        assert.equal(o.status, 503, JSON.stringify(outage));
        assert.equal(o.code, 'store-unavailable');
        assert.ok(Number(o.retryAfter) >= 1, 'Retry-After is sent');
      }
      assert.equal(server.proc.exitCode, null, 'the replica is still running');

      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, dir, proxy.port);
      const since = Date.now();
      for (;;) {
        if ((await call(server.url, key, 'GET', '/readyz')).status === 200) break;
        assert.ok(Date.now() - since < 30_000, 'ready again within 30 s of the database coming back');
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      const result = await storm;

      assert.equal(server.proc.exitCode, null, 'never crashed');
      assert.equal(result.status5xx.get(500) ?? 0, 0, `no 500 (${JSON.stringify([...result.status5xx])})`);
      assert.deepEqual([...result.status5xx.keys()].filter((s) => s !== 503), [], 'only 503 while the store was away');
      assert.ok((result.status5xx.get(503) ?? 0) > 0, 'the storm met the outage');
      assert.ok(result.acknowledged.size >= 20, `${result.acknowledged.size} orders acknowledged`);
      await waitSettled(direct, 60_000);
      const ids = [...result.acknowledged.values()];
      const found = await direct.query<{ id: string }>('SELECT id FROM orders WHERE id = ANY($1::text[])', [ids]);
      assert.equal(found.rows.length, ids.length, 'every acknowledged order is stored');
      const facts = await storeFacts(direct);
      assert.deepEqual([facts.stuck, facts.doubleAllocations, facts.orphanAllocations, facts.duplicateKeys], [0, 0, 0, 0], JSON.stringify(facts));
      await checkInvariants(direct);
      assert.ok(!server.stdout().includes(key), 'the key is never logged');
    } finally {
      await server.kill();
      await proxy.kill();
      await direct.close();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
