/**
 * The multi-replica proof: three `lightpath serve` processes on one PostgreSQL database, behind a real
 * HAProxy (deploy/haproxy.cfg with loopback addresses), everything started by the test.
 * - N concurrent orders through the balancer for the last M waves: exactly M succeed, and packet orders
 *   for one site pair landing on different replicas light one trunk, not one each.
 * - kill -9 of the replica holding background work, twice, during an order storm through the balancer
 *   whose clients retry with their Idempotency-Key: nothing lost or duplicated, every order settles, and
 *   the killed replica's leased jobs are taken over within 10 s. Meanwhile an event stream on a replica
 *   that is never killed receives every event, exactly once and in id order, across a forced reconnect.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPostgres } from '../../src/store/postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { createKey } from '../../src/services/ordering/keys.js';
import type { Db } from '../../src/store/db.js';
import { DEFAULT_MODULATIONS, chooseModulation } from '../../src/engine/index.js';
import { checkInvariants, loadTinyNetwork } from '../ordering/support.js';
import { call, orderStorm, startServer, storeFacts, waitSettled, type ServerProcess } from '../support/chaos.js';
import { freshDatabase, HAPROXY, startBalancer, tempDir } from '../support/cluster.js';
import { openSse, type SseClient } from '../events/sse-client.js';
import { latestEventId, listEvents } from '../../src/store/events.js';

const url = process.env.DATABASE_URL;
const skip = !url ? 'needs DATABASE_URL (CI sets it): replicas share a PostgreSQL server' : !fs.existsSync(HAPROXY) ? 'haproxy is not installed' : false;
const LEASE_SECONDS = 3;
const env = { LIGHTPATH_JOB_LEASE_SECONDS: String(LEASE_SECONDS), LIGHTPATH_EMULATOR_DELAY_MS: '300', LIGHTPATH_DRAIN_DELAY_MS: '0' };

function portOf(s: ServerProcess): number {
  return Number(new URL(s.url).port);
}

/** Waits until the balancer answers /readyz and its checks had time to see every replica up (rise 2, 1 s apart). */
async function balancerReady(base: string): Promise<void> {
  const t0 = Date.now();
  while ((await call(base, '', 'GET', '/readyz')).status !== 200) {
    assert.ok(Date.now() - t0 < 30_000, 'the balancer never became ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2_500));
}

/** Leases held now by a process (lease_owner is host:pid:random). */
async function leasesOf(db: Db, pid: number): Promise<{ id: number; owner: string }[]> {
  const r = await db.query<{ id: string; lease_owner: string }>(`SELECT id, lease_owner FROM jobs WHERE lease_until > now() AND split_part(lease_owner, ':', 2) = $1`, [String(pid)]);
  return r.rows.map((x) => ({ id: Number(x.id), owner: x.lease_owner }));
}

describe('three replicas behind HAProxy on one PostgreSQL', { skip }, () => {
  test('N orders for the last M waves through the balancer: exactly M; one trunk per site pair', { timeout: 240_000 }, async () => {
    const fresh = await freshDatabase(url as string);
    const dir = tempDir('lp-cluster-');
    const db = await openPostgres({ url: fresh.url, max: 4 });
    const replicas: ServerProcess[] = [];
    let lb: Awaited<ReturnType<typeof startBalancer>> | null = null;
    try {
      await migrate(db);
      // 24 slots per span: a 400G wave on the 110 km span a-b takes 6, so exactly 4 fit there.
      await loadTinyNetwork(db, { slotCount: 24 });
      const customer = (await createKey(db, { tenantId: 'alice', role: 'customer' })).key;
      replicas.push(...(await Promise.all([0, 1, 2].map(() => startServer({ databaseUrl: fresh.url }, env)))));
      lb = await startBalancer(replicas.map(portOf), dir);
      await balancerReady(lb.url);
      const mode = chooseModulation(400, 110, DEFAULT_MODULATIONS);
      assert.ok(mode);
      const m = Math.floor(24 / mode.slots);
      const n = 36;
      const spec = { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 110 * 4.9 + 1 };
      const base = lb.url;
      // Each client retries a 5xx (busy, a replica's hiccup) with its key until it gets a final answer.
      const place = async (body: unknown, idem: string): Promise<{ status: number; code: unknown; id: unknown }> => {
        for (let i = 0; ; i++) {
          const r = await call(base, customer, 'POST', '/v1/orders', body, { 'idempotency-key': idem });
          if (r.status > 0 && r.status < 500) return { status: r.status, code: r.json?.code, id: r.json?.id };
          assert.notEqual(r.status, 500, JSON.stringify(r.json));
          assert.ok(i < 100, `no final answer for ${idem}`);
          await new Promise((res) => setTimeout(res, 50));
        }
      };
      const results = await Promise.all(Array.from({ length: n }, (_, i) => place(spec, `last-${i}`)));
      const won = results.filter((r) => r.status === 201);
      const lost = results.filter((r) => r.status !== 201);
      assert.equal(won.length, m, `exactly ${m} of ${n} succeed: ${JSON.stringify(results)}`);
      for (const l of lost) assert.deepEqual([l.status, l.code], [409, 'capacity-exhausted']);
      const held = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE resource = 'spectrum:a-b:0' AND during && tstzrange(now(), NULL)`);
      assert.equal(Number(held.rows[0].n), m);
      const orders = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders`);
      assert.equal(Number(orders.rows[0].n), m, 'losers left no order behind');

      // Packet orders for one new site pair spread over the replicas: one trunk carries them all.
      const eth = { product: 'ethernet', aSite: 'c', zSite: 'd', bandwidthGbps: 10, protection: 'unprotected' };
      const ethResults = await Promise.all(Array.from({ length: 8 }, (_, i) => place(eth, `eth-${i}`)));
      assert.deepEqual(ethResults.map((r) => r.status), Array(8).fill(201), JSON.stringify(ethResults));
      const trunks = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trunks WHERE retired_at IS NULL AND least(a_site_id, z_site_id) = 'c' AND greatest(a_site_id, z_site_id) = 'd'`);
      assert.equal(Number(trunks.rows[0].n), 1, 'one trunk between c and d');
      await waitSettled(db, 60_000);
      await checkInvariants(db);
    } finally {
      await lb?.kill();
      await Promise.all(replicas.map((r) => r.kill()));
      await db.close();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('kill -9 of the lease holder during a storm: nothing lost, takeover within 10 s; SSE on another replica sees every event once, in order', { timeout: 420_000 }, async () => {
    const fresh = await freshDatabase(url as string);
    const dir = tempDir('lp-cluster-');
    const replicas: ServerProcess[] = [];
    let lb: Awaited<ReturnType<typeof startBalancer>> | null = null;
    let db: Db | null = null;
    const streams: SseClient[] = [];
    try {
      // The first replica migrates and loads the built-in network; the others join the same database.
      replicas.push(await startServer({ databaseUrl: fresh.url }, env));
      const key = replicas[0].firstKey;
      assert.ok(key);
      replicas.push(...(await Promise.all([1, 2].map(() => startServer({ databaseUrl: fresh.url }, env)))));
      db = await openPostgres({ url: fresh.url, max: 4 });
      lb = await startBalancer(replicas.map(portOf), dir);
      await balancerReady(lb.url);
      const base = lb.url;

      // The stream is on replica 3, which is never killed; it starts after every event written so far.
      const watcher = replicas[2];
      const start = await latestEventId(db);
      const auth = { authorization: `Bearer ${key}` };
      streams.push(await openSse(`${watcher.url}/v1/events?after=${start}`, auth));
      const received = (): number[] => streams.flatMap((s) => s.frames.map((f) => Number(f.id)));

      // The storm runs until both kills are over, plus two seconds of normal service.
      let done = false;
      let stopAt = Infinity;
      const storm = orderStorm(() => base, key, { clients: 8, perClient: 1000, seed: 18, stop: () => Date.now() > stopAt }).finally(() => (done = true));
      const takeovers: number[] = [];
      for (const victimIndex of [0, 1]) {
        // Wait for the victim to hold leases (activations take 300 ms each), then kill it.
        let held: { id: number; owner: string }[] = [];
        for (let i = 0; held.length === 0 && !done; i++) {
          held = await leasesOf(db, replicas[victimIndex].proc.pid as number);
          if (held.length === 0) await new Promise((r) => setTimeout(r, 20));
        }
        if (done) break;
        const port = portOf(replicas[victimIndex]);
        await replicas[victimIndex].kill();
        const killedAt = Date.now();
        // The forced reconnect: the stream is cut and resumed with Last-Event-ID, as EventSource does.
        const last = received().at(-1) ?? start;
        streams.at(-1)?.close();
        streams.push(await openSse(`${watcher.url}/v1/events`, { ...auth, 'last-event-id': String(last) }));
        // Every job the dead replica held is finished or leased by a live replica within 10 s.
        for (;;) {
          const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::bigint[]) AND lease_owner = ANY($2::text[])`, [held.map((h) => h.id), [...new Set(held.map((h) => h.owner))]]);
          if (Number(r.rows[0].n) === 0) break;
          assert.ok(Date.now() - killedAt < 10_000, `jobs of the killed replica not taken over in 10 s (${r.rows[0].n} left)`);
          await new Promise((r2) => setTimeout(r2, 50));
        }
        takeovers.push(Date.now() - killedAt);
        // Back on the same port, as systemd's Restart=always would do it.
        replicas[victimIndex] = await startServer({ databaseUrl: fresh.url }, env, ['--port', String(port)]);
      }
      stopAt = Date.now() + 2_000;
      const result = await storm;
      assert.equal(takeovers.length, 2, 'both kills happened during the storm');
      assert.equal(result.status5xx.get(500) ?? 0, 0, `no 500 (${JSON.stringify([...result.status5xx])})`);
      await waitSettled(db, 90_000);
      const ids = [...result.acknowledged.values()];
      assert.ok(ids.length >= 60, `${ids.length} orders acknowledged`);
      const found = await db.query<{ id: string }>('SELECT id FROM orders WHERE id = ANY($1::text[])', [ids]);
      assert.equal(found.rows.length, new Set(ids).size, 'every acknowledged order is stored');
      assert.equal(new Set(ids).size, ids.length, 'no two requests got one order');
      // Every request that got an answer made at most one order: orders count = keys that created one.
      const keys = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE idempotency_key LIKE 'storm-%'`);
      assert.equal(Number(keys.rows[0].n), ids.length, 'no order without an acknowledgement, none twice');
      const facts = await storeFacts(db);
      assert.deepEqual([facts.stuck, facts.doubleAllocations, facts.orphanAllocations, facts.duplicateKeys], [0, 0, 0, 0], JSON.stringify(facts));
      await checkInvariants(db);
      const jobsLeft = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind IN ('order.activate') `);
      assert.equal(Number(jobsLeft.rows[0].n), 0, 'no activation left behind');

      // The stream on replica 3 has every event written through any replica, once, in id order.
      const all = (await listEvents(db, { after: start, limit: 1_000_000 })).map((e) => e.id);
      assert.ok(all.length > ids.length, `${all.length} events written`);
      await streams.at(-1)?.until(() => received().at(-1) === all.at(-1), 30_000);
      assert.deepEqual(received(), all);
    } finally {
      for (const s of streams) s.close();
      await lb?.kill();
      await Promise.all(replicas.map((r) => r.kill()));
      await db?.close();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
