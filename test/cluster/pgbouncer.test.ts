/**
 * Replicas behind PgBouncer in transaction mode (deploy/pgbouncer.ini; Debian's 1.18), where consecutive
 * transactions of one client may run on different server connections. Lightpath keeps no session state
 * there: advisory locks are transaction-scoped, nothing LISTENs, and LIGHTPATH_DB_POOLER=transaction
 * turns named prepared statements off. The first test shows why that switch is needed; the second runs
 * migrations, two replicas behind HAProxy and an order storm through PgBouncer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPostgres } from '../../src/store/postgres.js';
import { checkInvariants } from '../ordering/support.js';
import { orderStorm, startServer, storeFacts, waitSettled, type ServerProcess } from '../support/chaos.js';
import { freshDatabase, HAPROXY, PGBOUNCER, startBalancer, startPgbouncer, tempDir } from '../support/cluster.js';

const url = process.env.DATABASE_URL;
const skip = !url ? 'needs DATABASE_URL (CI sets it)' : !fs.existsSync(PGBOUNCER) || !fs.existsSync(HAPROXY) ? 'pgbouncer and haproxy must be installed' : false;

describe('through PgBouncer in transaction mode', { skip }, () => {
  test('named prepared statements break across pooled connections; unnamed ones (the pooler setting) do not', { timeout: 60_000 }, async () => {
    const fresh = await freshDatabase(url as string);
    const dir = tempDir('lp-bouncer-');
    const bouncer = await startPgbouncer(fresh.url, dir, { poolSize: 3 });
    try {
      const run = async (preparedStatements: boolean): Promise<number> => {
        const db = await openPostgres({ url: bouncer.url, max: 12, preparedStatements });
        let failures = 0;
        try {
          // Many clients, few server connections per client over time: a statement prepared on one
          // server connection is asked for by name on another.
          await Promise.all(
            Array.from({ length: 12 }, async (_, c) => {
              for (let i = 0; i < 20; i++) {
                await db.query('SELECT $1::int + 1 AS n', [c * i], { prepare: true }).catch(() => failures++);
                await db.transaction(async (tx) => tx.query('SELECT pg_advisory_xact_lock(42)')).catch(() => failures++);
              }
            }),
          );
        } finally {
          await db.close();
        }
        return failures;
      };
      assert.equal(await run(false), 0, 'unnamed statements work through the pooler');
      assert.ok((await run(true)) > 0, 'named prepared statements fail through the pooler (why LIGHTPATH_DB_POOLER exists)');
    } finally {
      await bouncer.kill();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two replicas behind HAProxy through PgBouncer: migrations, an order storm, every order settles, invariants hold', { timeout: 300_000 }, async () => {
    const fresh = await freshDatabase(url as string);
    const dir = tempDir('lp-bouncer-');
    // 40 client connections (two replicas' pools) over 6 server connections: transactions hop between them.
    const bouncer = await startPgbouncer(fresh.url, dir, { poolSize: 6 });
    const env = { LIGHTPATH_DB_POOLER: 'transaction', LIGHTPATH_JOB_LEASE_SECONDS: '3', LIGHTPATH_EMULATOR_DELAY_MS: '50', LIGHTPATH_DRAIN_DELAY_MS: '0' };
    const replicas: ServerProcess[] = [];
    let lb: Awaited<ReturnType<typeof startBalancer>> | null = null;
    const direct = await openPostgres({ url: fresh.url, max: 2 });
    try {
      replicas.push(await startServer({ databaseUrl: bouncer.url }, env));
      const key = replicas[0].firstKey;
      assert.ok(key);
      replicas.push(await startServer({ databaseUrl: bouncer.url }, env));
      lb = await startBalancer(replicas.map((r) => Number(new URL(r.url).port)), dir);
      const base = lb.url;
      await new Promise((r) => setTimeout(r, 2_500));
      const result = await orderStorm(() => base, key, { clients: 8, perClient: 10, seed: 615 });
      assert.deepEqual([...result.status5xx], [], 'no 5xx at all');
      assert.ok(result.acknowledged.size >= 40, `${result.acknowledged.size} orders acknowledged`);
      await waitSettled(direct, 60_000);
      const facts = await storeFacts(direct);
      assert.deepEqual([facts.stuck, facts.doubleAllocations, facts.orphanAllocations, facts.duplicateKeys], [0, 0, 0, 0], JSON.stringify(facts));
      assert.equal(facts.orders.failed ?? 0, 0, 'no activation failed');
      await checkInvariants(direct);
      for (const r of replicas) assert.doesNotMatch(r.stdout(), /prepared statement|"level":50/, 'no errors logged');
    } finally {
      await lb?.kill();
      await Promise.all(replicas.map((r) => r.kill()));
      await bouncer.kill();
      await direct.close();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
