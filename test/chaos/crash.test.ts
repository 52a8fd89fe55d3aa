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
import { runCrashStorm } from '../support/chaos.js';

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
  // Settling is bounded well past the lease: on a loaded 2-core machine the restarted store alone can take tens of seconds.
  const stats = await runCrashStorm(store, open, { kills: KILLS, seed, clients: 6, perClient: 20, env, settleLimitMs: (LEASE_SECONDS + 90) * 1000 });
  assert.ok(stats.storm.acknowledged.size >= 40, `${stats.storm.acknowledged.size} orders acknowledged`);
  assert.equal(stats.storm.status5xx.get(500) ?? 0, 0, 'no 500 ever');
  assert.deepEqual(stats.lost, [], 'every acknowledged order exists and settled');
  assert.equal(stats.replayMismatches, 0, 'a retry with the same key returns the same order');
  assert.equal(stats.facts.stuck, 0);
  assert.equal(stats.facts.doubleAllocations, 0);
  assert.equal(stats.facts.orphanAllocations, 0);
  assert.equal(stats.facts.duplicateKeys, 0);
  assert.equal(stats.jobsLeft, 0, 'no job left behind');
  const db = await open();
  try {
    await checkInvariants(db);
  } finally {
    await db.close();
  }
}

describe('kill -9 during an order storm', () => {
  // Generous timeouts: five restarts of the embedded store on a loaded 2-core machine took over four minutes.
  test(`embedded store: ${KILLS} kills, every order settles, nothing lost or held twice`, { timeout: 480_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-crash-'));
    try {
      await crashRun({ dataDir: dir }, () => openStore({ dataDir: dir, command: 'crash test check' }), 7310);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`PostgreSQL server: ${KILLS} kills, every order settles, nothing lost or held twice`, { timeout: 480_000, skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (CI sets it)' }, async () => {
    const fresh = await freshDatabase(process.env.DATABASE_URL as string);
    try {
      await crashRun({ databaseUrl: fresh.url }, () => openPostgres({ url: fresh.url }), 20261203);
    } finally {
      await fresh.drop();
    }
  });
});
