/**
 * Crashes with real processes: `lightpath serve` is killed with SIGKILL at random moments of an order
 * storm, five times, and started again on the same store (embedded data directory, and the PostgreSQL
 * server when DATABASE_URL is set). Afterwards every order that got a 2xx exists; none stays
 * acknowledged or in progress past the lease; no allocation is held twice or by something dead; a
 * retry with the same Idempotency-Key returns the same order; the embedded directory reopens at once
 * after each kill (its lock is the kernel's).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { openStore } from '../../src/store/open.js';
import { openPostgres } from '../../src/store/postgres.js';
import type { Db } from '../../src/store/db.js';
import { checkInvariants } from '../ordering/support.js';
import { call, orderStorm, startServer, storeFacts, type ServerProcess } from '../support/chaos.js';

const LEASE_SECONDS = 3;
const KILLS = 5;
const env = { LIGHTPATH_JOB_LEASE_SECONDS: String(LEASE_SECONDS), LIGHTPATH_EMULATOR_DELAY_MS: '80' };

/** A fresh database on the server, and how to drop it. */
async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lp_chaos_${crypto.randomBytes(5).toString('hex')}`;
  const admin = await openPostgres({ url, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = await openPostgres({ url, max: 1 });
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

async function crashRun(store: { dataDir: string } | { databaseUrl: string }, open: () => Promise<Db>, seed: number): Promise<void> {
  let srv: ServerProcess = await startServer(store, env);
  const key = srv.firstKey;
  assert.ok(key, 'first start printed the operator key');
  let base = srv.url;
  const storm = orderStorm(() => base, key, { clients: 6, perClient: 20, seed });
  let restartedAt = 0;
  try {
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 300 + ((seed * (k + 7)) % 600)));
      await srv.kill();
      srv = await startServer(store, env);
      base = srv.url;
      restartedAt = Date.now();
    }
    const result = await storm;
    assert.ok(result.acknowledged.size >= 40, `${result.acknowledged.size} orders acknowledged`);
    assert.equal(result.status5xx.get(500) ?? 0, 0, 'no 500 ever');
    // Every order settles within the lease (plus the activation time) after the last restart.
    for (;;) {
      const open = await call(base, key, 'GET', '/v1/orders?limit=1000&state=inProgress');
      const ack = await call(base, key, 'GET', '/v1/orders?limit=1000&state=acknowledged');
      const n = ((open.json?.items as unknown[]) ?? []).length + ((ack.json?.items as unknown[]) ?? []).length;
      if (open.status === 200 && ack.status === 200 && n === 0) break;
      assert.ok(Date.now() - restartedAt < (LEASE_SECONDS + 20) * 1000, `${n} orders still unsettled ${Date.now() - restartedAt} ms after the last restart`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A retry with the same key returns the same order, whatever happened in between.
    for (const [idem, id] of [...result.acknowledged].slice(0, 15)) {
      const again = await call(base, key, 'POST', '/v1/orders', result.bodies.get(idem), { 'idempotency-key': idem });
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.equal(again.json?.id, id);
    }
    await srv.stop();
    const db = await open();
    try {
      for (const [idem, id] of result.acknowledged) {
        const row = await db.query<{ state: string; idempotency_key: string }>('SELECT state, idempotency_key FROM orders WHERE id = $1', [id]);
        assert.equal(row.rows.length, 1, `acknowledged order ${id} exists`);
        assert.equal(row.rows[0].idempotency_key, idem);
        assert.ok(row.rows[0].state === 'completed' || row.rows[0].state === 'failed', `${id} is ${row.rows[0].state}`);
      }
      const facts = await storeFacts(db);
      assert.equal(facts.stuck, 0);
      assert.equal(facts.doubleAllocations, 0);
      assert.equal(facts.orphanAllocations, 0);
      assert.equal(facts.duplicateKeys, 0);
      assert.equal((await db.query('SELECT 1 FROM jobs WHERE dead_at IS NULL')).rows.length, 0, 'no job left behind');
      await checkInvariants(db);
    } finally {
      await db.close();
    }
  } finally {
    await srv.kill();
  }
}

describe('kill -9 during an order storm', () => {
  test(`embedded store: ${KILLS} kills, every order settles, nothing lost or held twice`, { timeout: 240_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-crash-'));
    try {
      await crashRun({ dataDir: dir }, () => openStore({ dataDir: dir, command: 'crash test check' }), 7310);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`PostgreSQL server: ${KILLS} kills, every order settles, nothing lost or held twice`, { timeout: 240_000, skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (CI sets it)' }, async () => {
    const fresh = await freshDatabase(process.env.DATABASE_URL as string);
    try {
      await crashRun({ databaseUrl: fresh.url }, () => openPostgres({ url: fresh.url }), 20261203);
    } finally {
      await fresh.drop();
    }
  });
});
