/**
 * bench:chaos — what real faults do to Lightpath, on the embedded store and (with DATABASE_URL) on the
 * PostgreSQL server: kill -9 of `lightpath serve` during an order storm, connections to PostgreSQL cut
 * right after statements and commits, and a fuzzer derived from /openapi.json. Prints, per store:
 * kills and drops survived, orders placed / acknowledged / completed / failed, duplicates, stuck
 * orders, double allocations (all three must be 0), fuzz requests and 5xx seen (must be 0), and the
 * time from the last restart (and from the storm's last answer) until every order settled; orders are
 * activated by leased jobs (lease 3 s in the killed servers, 15 s by default in the proxied one).
 *
 *   npm run bench:chaos [-- --kills 5 --clients 6 --per-client 25 --fuzz-runs 20]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openStore } from '../src/store/open.js';
import { openPostgres } from '../src/store/postgres.js';
import { migrate } from '../src/store/migrate.js';
import type { Db } from '../src/store/db.js';
import { buildApp } from '../src/api/app.js';
import { createServices, startBackground, stopServices } from '../src/services/index.js';
import { createKey } from '../src/services/ordering/keys.js';
import { EmulatorDriver } from '../src/services/ordering/activation.js';
import { pgliteDriver, postgresDriver } from '../test/support/db.js';
import { CuttingProxy, orderStorm, runCrashStorm, storeFacts, waitSettled, type StoreFacts } from '../test/support/chaos.js';
import { fuzzApi } from '../test/support/api-fuzz.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const KILLS = arg('kills', 5);
const CLIENTS = arg('clients', 6);
const PER_CLIENT = arg('per-client', 25);
const FUZZ_RUNS = arg('fuzz-runs', 20);
const LEASE_SECONDS = 3;
const serveEnv = { LIGHTPATH_JOB_LEASE_SECONDS: String(LEASE_SECONDS), LIGHTPATH_EMULATOR_DELAY_MS: '80' };

interface Row {
  store: string;
  fault: string;
  faults: number;
  placed: number;
  acknowledged: number;
  completed: number;
  failed: number;
  duplicates: number;
  stuck: number;
  doubles: number;
  orphans: number;
  lost: number;
  status500: number;
  settleMs: number | null;
  afterStormMs: number | null;
}

function row(store: string, fault: string, faults: number, placed: number, acknowledged: number, facts: StoreFacts, lost: number, status500: number, settleMs: number | null, afterStormMs: number | null): Row {
  return {
    store,
    fault,
    faults,
    placed,
    acknowledged,
    completed: facts.orders.completed ?? 0,
    failed: facts.orders.failed ?? 0,
    duplicates: facts.duplicateKeys,
    stuck: facts.stuck,
    doubles: facts.doubleAllocations,
    orphans: facts.orphanAllocations,
    lost,
    status500,
    settleMs,
    afterStormMs,
  };
}

async function crash(store: 'pglite' | 'postgres', url: string | undefined): Promise<Row> {
  if (store === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-chaos-'));
    try {
      const s = await runCrashStorm({ dataDir: dir }, () => openStore({ dataDir: dir, command: 'bench:chaos check' }), { kills: KILLS, seed: 1, clients: CLIENTS, perClient: PER_CLIENT, env: serveEnv, settleLimitMs: 120_000 });
      return row('embedded', 'kill -9 of serve', s.kills, s.storm.placed, s.storm.acknowledged.size, s.facts, s.lost.length + s.replayMismatches, s.storm.status5xx.get(500) ?? 0, s.settleMs, s.settleAfterStormMs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const name = `lp_chaos_${crypto.randomBytes(5).toString('hex')}`;
  const admin = await openPostgres({ url: url as string, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url as string);
  u.pathname = `/${name}`;
  try {
    const s = await runCrashStorm({ databaseUrl: u.toString() }, () => openPostgres({ url: u.toString() }), { kills: KILLS, seed: 2, clients: CLIENTS, perClient: PER_CLIENT, env: serveEnv, settleLimitMs: 120_000 });
    return row('server', 'kill -9 of serve', s.kills, s.storm.placed, s.storm.acknowledged.size, s.facts, s.lost.length + s.replayMismatches, s.storm.status5xx.get(500) ?? 0, s.settleMs, s.settleAfterStormMs);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

async function drops(url: string): Promise<Row> {
  const target = new URL(url);
  const schema = `lp_chaos_${crypto.randomBytes(5).toString('hex')}`;
  const direct = await openPostgres({ url, searchPath: `${schema},public`, max: 4 });
  await direct.query(`CREATE SCHEMA ${schema}`);
  await migrate(direct);
  const proxy = new CuttingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.start();
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String(proxy.port);
  const db = await openPostgres({ url: via.toString(), searchPath: `${schema},public`, max: 8, connectionTimeoutMs: 2_000 });
  const services = createServices(db, { driver: new EmulatorDriver({ delayMs: 5 }), workerPollMs: 50 });
  await services.inventory.initialize();
  const key = (await createKey(db, { tenantId: 'acme', role: 'customer' })).key;
  const app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  startBackground(services);
  try {
    proxy.dropRate = 0.08;
    const storm = await orderStorm(() => base, key, { clients: CLIENTS, perClient: PER_CLIENT, seed: 3 });
    proxy.dropRate = 0;
    const settleStart = Date.now();
    await waitSettled(direct, 120_000);
    const settleMs = Date.now() - settleStart;
    let lost = 0;
    for (const id of storm.acknowledged.values()) if ((await direct.query('SELECT 1 FROM orders WHERE id = $1', [id])).rows.length === 0) lost++;
    const facts = await storeFacts(direct);
    return row('server', 'connection cut after a statement or COMMIT', proxy.cuts.afterCommandComplete + proxy.cuts.beforeReadyForQuery, storm.placed, storm.acknowledged.size, facts, lost, storm.status5xx.get(500) ?? 0, null, settleMs);
  } finally {
    proxy.dropRate = 0;
    await app.close();
    await stopServices(services);
    await db.close();
    await proxy.close();
    await direct.query(`DROP SCHEMA ${schema} CASCADE`);
    await direct.close();
  }
}

async function fuzz(open: () => Promise<Db>): Promise<{ operations: number; sent: number; rejected: number; fiveXx: number; problem: string | null }> {
  const db = await open();
  const services = createServices(db);
  await services.inventory.initialize();
  const keys = { operator: (await createKey(db, { tenantId: 'operator', role: 'operator' })).key, customer: (await createKey(db, { tenantId: 'acme', role: 'customer' })).key };
  const app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const stats = await fuzzApi({ port: (app.server.address() as AddressInfo).port, db, keys, ids: ['chi-pop', 'chi-stl', 'sea-pdx', 'opt-1'], runs: FUZZ_RUNS, seed: 1 });
    const fiveXx = [...stats.statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    return { operations: stats.operations, sent: stats.sent, rejected: stats.rejected, fiveXx, problem: null };
  } catch (err) {
    return { operations: 0, sent: 0, rejected: 0, fiveXx: 1, problem: (err as Error).message.split('\n')[0] };
  } finally {
    await app.close();
    await db.close();
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  console.log(`bench:chaos — ${KILLS} kills per store, ${CLIENTS} clients × ${PER_CLIENT} orders, lease ${LEASE_SECONDS} s, fuzz ${FUZZ_RUNS} runs per operation`);
  console.log(`machine: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)} (figures are noisy on a shared machine)${url ? '' : '; DATABASE_URL not set: the server rows are skipped'}\n`);
  const rows: Row[] = [await crash('pglite', undefined)];
  if (url) rows.push(await crash('postgres', url), await drops(url));
  console.table(
    rows.map((r) => ({
      store: r.store,
      fault: r.fault,
      'faults survived': r.faults,
      placed: r.placed,
      acknowledged: r.acknowledged,
      completed: r.completed,
      failed: r.failed,
      'duplicates (0)': r.duplicates,
      'stuck (0)': r.stuck,
      'double alloc (0)': r.doubles,
      'orphans (0)': r.orphans,
      'lost (0)': r.lost,
      '500s (0)': r.status500,
      'settled after last restart (ms)': r.settleMs,
      'settled after storm (ms)': r.afterStormMs,
    })),
  );
  const fuzzRows = [{ store: 'embedded', ...(await fuzz(() => pgliteDriver.open())) }];
  if (url) fuzzRows.push({ store: 'server', ...(await fuzz(() => postgresDriver(url).open())) });
  console.table(fuzzRows.map((f) => ({ store: f.store, operations: f.operations, 'requests sent': f.sent, refused: f.rejected, '5xx seen (0)': f.fiveXx, ...(f.problem ? { problem: f.problem } : {}) })));
  const bad = rows.some((r) => r.duplicates + r.stuck + r.doubles + r.orphans + r.lost + r.status500 > 0) || fuzzRows.some((f) => f.fiveXx > 0);
  console.log(bad ? '\nFAILED: a must-be-zero figure is not zero' : '\nall must-be-zero figures are zero');
  process.exitCode = bad ? 1 : 0;
}

await main();
