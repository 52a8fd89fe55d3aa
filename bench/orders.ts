/**
 * Ordering benchmark: quotes/s and orders/s with p50/p99 latency through the ordering service (the
 * use-case layer the API calls), on embedded PGlite and, with DATABASE_URL, on the PostgreSQL server,
 * with 1, 16 and 64 concurrent clients. On the server it also runs pgbench (TPC-B default script) and
 * prints orders/s divided by pgbench's tps: the database's own write rate is the ceiling to approach.
 * Also: statements per quote and per order (what the hot paths were cut down to), how many orders each
 * combined write carried, the locked order mode next to the default at 16 clients on the server, and
 * an API-key check with and without the principal cache. Prints figures; asserts nothing.
 * Run: npm run bench:orders
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import type { Db, Queryable } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';
import { InventoryService } from '../src/services/inventory.js';
import { OrderingService, type OrderingOptions } from '../src/services/ordering/orders.js';
import { authenticate, createKey, PrincipalCache } from '../src/services/ordering/keys.js';
import { allocationStats } from '../src/services/ordering/common.js';
import type { Principal } from '../src/services/ordering/principal.js';
import { LightpathError } from '../src/domain/errors.js';
import { builtinNetwork } from '../src/data/builtin-network.js';

const CLIENTS = [1, 16, 64];
// Enough quotes that p99 is not just the 4th-worst sample.
const QUOTES = 1000;
const ORDERS = 300;
const customer: Principal = { tenantId: 'bench', role: 'customer', keyId: 'bench' };

type Stat = { perSec: number; p50: number; p99: number; ok: number; refused: number; nodeCpuPct: number };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded mix of requests between POPs: 50 % 100G waves, 30 % 10G ethernet, 20 % dark fiber. */
function requests(n: number, seed: number): Record<string, unknown>[] {
  const pops = builtinNetwork().sites.filter((s) => s.kind === 'pop').map((s) => s.id);
  const r = rng(seed);
  const out: Record<string, unknown>[] = [];
  while (out.length < n) {
    const a = pops[Math.floor(r() * pops.length)];
    const z = pops[Math.floor(r() * pops.length)];
    if (a === z) continue;
    const x = r();
    if (x < 0.5) out.push({ product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected' });
    else if (x < 0.8) out.push({ product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: 10, protection: 'unprotected' });
    else out.push({ product: 'dark-fiber', aSite: a, zSite: z, protection: 'unprotected' });
  }
  return out;
}

async function run(clients: number, work: Record<string, unknown>[], op: (body: Record<string, unknown>) => Promise<unknown>): Promise<Stat> {
  const lat: number[] = [];
  let next = 0;
  let refused = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < work.length) {
        const body = work[next++];
        const s = performance.now();
        try {
          await op(body);
          lat.push(performance.now() - s);
        } catch (err) {
          if (err instanceof LightpathError && err.code === 'capacity-exhausted') refused++;
          else throw err;
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const nodeCpuPct = ((cpu.user + cpu.system) / 1e6 / secs) * 100;
  lat.sort((a, b) => a - b);
  return { perSec: lat.length / secs, p50: lat[Math.floor(lat.length / 2)] ?? NaN, p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] ?? NaN, ok: lat.length, refused, nodeCpuPct };
}

interface Target {
  name: string;
  open(clients: number): Promise<Db>;
}

const pgliteTarget: Target = {
  name: 'pglite',
  async open() {
    return openPglite({});
  },
};

function serverTarget(url: string): Target {
  return {
    name: 'postgres',
    async open(clients) {
      const schema = `lp_bench_${crypto.randomBytes(4).toString('hex')}`;
      const admin = await openPostgres({ url, max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.close();
      const db = await openPostgres({ url, searchPath: `${schema},public`, max: Math.min(clients, 48) });
      const close = db.close.bind(db);
      return Object.assign(db, {
        async close() {
          await db.query(`DROP SCHEMA ${schema} CASCADE`);
          await close();
        },
      });
    },
  };
}

/** The same Db, counting the statements sent through it (BEGIN/COMMIT not included). */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const wrap = (q: Queryable): Queryable['query'] => (sql, params, opts) => {
    n++;
    return q.query(sql, params, opts);
  };
  const counted: Db = Object.assign(Object.create(db) as Db, { query: wrap(db), transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn({ query: wrap(tx) })) });
  return { db: counted, count: () => n };
}

/** Statements per quote and per inline order (average over a few). */
async function statementsPerOp(db: Db, opts: OrderingOptions): Promise<{ quote: number; order: number }> {
  const c = counting(db);
  const svc = new OrderingService(c.db, opts);
  const work = requests(20, 4);
  await svc.quote(customer, work[0]);
  let n0 = c.count();
  for (const b of work) await svc.quote(customer, b);
  const quote = (c.count() - n0) / work.length;
  n0 = c.count();
  let placed = 0;
  for (const b of work) {
    try {
      await svc.placeOrder(customer, b);
      placed++;
    } catch (err) {
      if (!(err instanceof LightpathError && err.code === 'capacity-exhausted')) throw err;
    }
  }
  return { quote, order: (c.count() - n0) / Math.max(1, placed) };
}

/** Microseconds per API-key check, without and with the principal cache (median of 2,000). */
async function authCost(db: Db): Promise<{ uncachedUs: number; cachedUs: number }> {
  const { key } = await createKey(db, { tenantId: 'bench', role: 'customer' });
  const header = `Bearer ${key}`;
  const median = async (cache: PrincipalCache | null): Promise<number> => {
    const t: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      await authenticate(db, header, cache);
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return t[t.length >> 1] * 1000;
  };
  return { uncachedUs: await median(null), cachedUs: await median(new PrincipalCache()) };
}

function fmt(s: Stat): string {
  return `${s.perSec.toFixed(0).padStart(6)}/s  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${s.p99.toFixed(2).padStart(7)} ms  (${s.ok} ok${s.refused ? `, ${s.refused} capacity-exhausted` : ''}, node CPU ${s.nodeCpuPct.toFixed(0)} %)`;
}

function pgbench(url: string, clients: number): number | null {
  const u = new URL(url);
  const schema = `lp_pgbench_${crypto.randomBytes(4).toString('hex')}`;
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGOPTIONS: `-c search_path=${schema}` };
  const conn = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username), u.pathname.slice(1)];
  const psql = (sql: string) => spawnSync('psql', [...conn.slice(0, 6), '-d', u.pathname.slice(1), '-Atc', sql], { env, encoding: 'utf8' });
  psql(`CREATE SCHEMA ${schema}`);
  try {
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '16', ...conn], { env, encoding: 'utf8' });
    if (init.status !== 0) {
      console.log(`pgbench -i failed: ${init.stderr.trim().split('\n').pop()}`);
      return null;
    }
    const r = spawnSync('pgbench', ['-c', String(clients), '-j', '2', '-T', '10', ...conn], { env, encoding: 'utf8' });
    const m = /tps = ([0-9.]+) \(without initial connection time\)/.exec(r.stdout) ?? /tps = ([0-9.]+)/.exec(r.stdout);
    if (!m) {
      console.log(`pgbench failed: ${r.stderr.trim().split('\n').pop()}`);
      return null;
    }
    return Number(m[1]);
  } finally {
    psql(`DROP SCHEMA ${schema} CASCADE`);
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const targets = [pgliteTarget];
  if (url) targets.push(serverTarget(url));
  else console.log('note: DATABASE_URL is not set, so only embedded PGlite is measured (no server figures, no pgbench ratio).');
  console.log(`workload: ${QUOTES} quotes then ${ORDERS} inline orders per run, seeded mix of 100G waves / 10G ethernet / dark fiber between random POPs of the built-in network; activation not included`);
  const best: Record<string, number> = {};
  for (const t of targets) {
    for (const clients of CLIENTS) {
      const db = await t.open(clients);
      await migrate(db);
      await new InventoryService(db).initialize();
      const svc = new OrderingService(db);
      await run(1, requests(20, 1), (b) => svc.quote(customer, b)); // warm-up: graph cache, JIT
      const q = await run(clients, requests(QUOTES, 2), (b) => svc.quote(customer, b));
      const before = { ...allocationStats, byCause: { ...allocationStats.byCause } };
      const o = await run(clients, requests(ORDERS, 3), (b) => svc.placeOrder(customer, b));
      const retries = allocationStats.retries - before.retries;
      const causes = Object.entries(allocationStats.byCause)
        .map(([k, v]) => [k, v - (before.byCause[k] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      const w = svc.writer.stats;
      const rd = svc.reader.stats;
      const batching = `${(rd.items / Math.max(1, rd.batches)).toFixed(1)} orders per planning read, ${(w.items / Math.max(1, w.batches)).toFixed(1)} per write statement (${(w.ms / Math.max(1, w.batches)).toFixed(2)} ms each)`;
      let locked = '';
      if (t.name === 'postgres' && clients === 16) {
        // The other concurrency mode, on the same database (which now holds the orders above).
        const ob = { ...allocationStats };
        const lsvc = new OrderingService(db, { optimisticOrders: false });
        const lo = await run(clients, requests(ORDERS, 5), (b) => lsvc.placeOrder(customer, b));
        locked = `${t.name.padEnd(8)} clients ${String(clients).padStart(2)}  orders ${fmt(lo)}; retries ${allocationStats.retries - ob.retries}, gave up ${allocationStats.gaveUp - ob.gaveUp} (locked mode)`;
      }
      let extras = '';
      if (clients === 1) {
        const dflt = await statementsPerOp(db, {});
        const lck = await statementsPerOp(db, { optimisticOrders: false });
        const a = await authCost(db);
        extras = `${t.name.padEnd(8)} statements per quote ${dflt.quote.toFixed(1)}, per order ${dflt.order.toFixed(1)} (locked mode ${lck.order.toFixed(1)} + BEGIN/COMMIT); API-key check ${a.uncachedUs.toFixed(0)} us uncached, ${a.cachedUs.toFixed(1)} us cached`;
      }
      await db.close();
      console.log(`${t.name.padEnd(8)} clients ${String(clients).padStart(2)}  quotes ${fmt(q)}`);
      console.log(`${t.name.padEnd(8)} clients ${String(clients).padStart(2)}  orders ${fmt(o)}; retries ${retries}${causes ? ` (${causes})` : ''}; ${batching}`);
      if (locked) console.log(locked);
      if (extras) console.log(extras);
      if (clients === 1) console.log(`${t.name.padEnd(8)} quote p99 target < 5 ms at 1 client: ${q.p99 < 5 ? 'met' : 'NOT met'} (${q.p99.toFixed(2)} ms)`);
      best[t.name] = Math.max(best[t.name] ?? 0, o.perSec);
    }
  }
  if (url) {
    const tps = pgbench(url, 16);
    if (tps !== null) {
      const ratio = best.postgres / tps;
      console.log(`pgbench TPC-B (scale 16, 16 clients, 10 s) on the same server: ${tps.toFixed(0)} tps`);
      console.log(`best server orders/s ${best.postgres.toFixed(0)} / pgbench tps ${tps.toFixed(0)} = ${ratio.toFixed(2)} (target >= 0.33: ${ratio >= 1 / 3 ? 'met' : 'NOT met'})`);
    }
  }
}

await main();
