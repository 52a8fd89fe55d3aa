/**
 * Store benchmark: one statement sent plainly against the same statement sent with `prepare: true`
 * (named and prepared once per connection), on embedded PGlite and, with DATABASE_URL, on the
 * PostgreSQL server. On PGlite a plain statement is six protocol messages, each its own call into the
 * WebAssembly backend, parsed and planned every time; a prepared one is one call on a cached plan
 * (src/store/pglite.ts). Statements: a one-parameter SELECT, a quote's insert (about 3 KB of options,
 * as store/ordering.ts insertQuote sends it) and a read of the shape a quote's planning snapshot has
 * (meta, price book, policy and now in subqueries). Prints figures; asserts nothing.
 * Run: npm run bench:store
 */
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';

const N = 3000;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}

const OPTIONS = JSON.stringify(Array.from({ length: 3 }, (_, i) => ({ id: `opt-${i + 1}`, paths: [{ spanIds: Array.from({ length: 12 }, (_, k) => `span-${k}`), lengthKm: 1234.5, latencyUs: 6172 }], priceMinor: 1234500, qot: [{ gsnrDb: 18.2, marginDb: 3.1, perSpan: Array.from({ length: 12 }, (_, k) => ({ spanId: `span-${k}`, gsnr01nmDb: 30 - k })) }] })));

const STATEMENTS: { label: string; sql: string; params: (i: number) => unknown[] }[] = [
  { label: 'SELECT $1::int', sql: 'SELECT $1::int AS x', params: (i) => [i] },
  {
    label: `quote insert (${(OPTIONS.length / 1024).toFixed(1)} KiB of options)`,
    sql: `INSERT INTO quotes (id, tenant_id, request, options, expires_at) VALUES ($1, $2, $3::json, $4::json, $5) RETURNING created_at`,
    params: (i) => [`quo_bench_${process.hrtime.bigint()}_${i}`, 'bench', JSON.stringify({ product: 'wave', aSite: 'a', zSite: 'z' }), OPTIONS, new Date(Date.now() + 600_000).toISOString()],
  },
  {
    label: 'snapshot-shaped read (meta, price book, policy, now)',
    sql: `SELECT (SELECT value FROM meta WHERE key = 'inventoryVersion') AS v, (SELECT book FROM price_book WHERE id = 1) AS book,
                 (SELECT value FROM meta WHERE key = 'qotPolicy') AS qot, now() AS now, $1::bigint AS since`,
    params: (i) => [i],
  },
];

async function run(db: Db, name: string): Promise<void> {
  console.log(`${name}`);
  for (const s of STATEMENTS) {
    const cells: string[] = [];
    for (const prepare of [false, true]) {
      for (let i = 0; i < 200; i++) await db.query(s.sql, s.params(i), { prepare }); // warm-up
      const lat: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        await db.query(s.sql, s.params(i), { prepare });
        lat.push((performance.now() - t) * 1000);
      }
      cells.push(`${prepare ? 'prepared' : 'plain   '} p50 ${pct(lat, 0.5).toFixed(0).padStart(5)} µs p99 ${pct(lat, 0.99).toFixed(0).padStart(5)} µs`);
    }
    console.log(`  ${s.label.padEnd(54)} ${cells.join('  |  ')}`);
  }
  await db.query(`DELETE FROM quotes WHERE tenant_id = 'bench'`);
}

console.log(`bench:store — ${N} runs of each statement, one client; compare plain and prepared within a row.\n`);
const lite = await openPglite({});
await migrate(lite);
await run(lite, 'pglite (in memory)');
await lite.close();
if (process.env.DATABASE_URL) {
  const pg = await openPostgres({ url: process.env.DATABASE_URL });
  await migrate(pg);
  await run(pg, 'postgres');
  await pg.close();
}
