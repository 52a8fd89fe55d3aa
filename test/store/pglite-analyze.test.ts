/**
 * Embedded PostgreSQL analyzes its tables as they grow (PGlite runs no autovacuum): a table changed by
 * more than autovacuum's default threshold (50 rows plus a tenth of the table) since its last analyze
 * is analyzed, and its planner estimates follow; a table changed less is left alone. Checked against
 * the catalog itself (pg_class.reltuples, pg_stat_user_tables), on the timer too, in real time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYZE_IDLE_MS, ANALYZE_STATISTICS_TARGET, isPgliteDb, openPglite } from '../../src/store/pglite.js';
import type { Db } from '../../src/store/db.js';

/** Waits until the statistics of `table` show `rows` live rows (PostgreSQL flushes them about once a second). */
async function statsShow(db: Db, table: string, rows: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await db.query<{ n: number }>(`SELECT n_live_tup::int AS n FROM pg_stat_user_tables WHERE relname = $1`, [table]);
    if ((r.rows[0]?.n ?? 0) >= rows) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`statistics of ${table} never showed ${rows} rows`);
}

const reltuples = async (db: Db, table: string): Promise<number> => (await db.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, [table])).rows[0].n;

test('tables changed past autovacuum\'s threshold are analyzed, the others are not', async () => {
  const db = await openPglite({ analyzeEveryMs: 0 });
  try {
    assert.ok(isPgliteDb(db));
    await db.query('CREATE TABLE grown (id int PRIMARY KEY)');
    await db.query('CREATE TABLE small (id int PRIMARY KEY)');
    await db.query('INSERT INTO grown SELECT generate_series(1, 2000)');
    await db.query('INSERT INTO small SELECT generate_series(1, 40)');
    await statsShow(db, 'grown', 2000);
    await statsShow(db, 'small', 40);
    assert.equal(await reltuples(db, 'grown'), -1, 'never analyzed: the planner guesses');
    assert.deepEqual(await db.analyzeStale(), ['public.grown'], '40 rows is under the threshold of 50');
    assert.equal(await reltuples(db, 'grown'), 2000);
    assert.equal(await reltuples(db, 'small'), -1);
    // 150 more rows: under 50 + 10 % of 2000 = 250 since the analyze, so not yet; 150 more, past it.
    await db.query('INSERT INTO grown SELECT generate_series(2001, 2150)');
    await statsShow(db, 'grown', 2150);
    assert.deepEqual(await db.analyzeStale(), []);
    await db.query('INSERT INTO grown SELECT generate_series(2151, 2300)');
    await statsShow(db, 'grown', 2300);
    assert.deepEqual(await db.analyzeStale(), ['public.grown']);
    assert.equal(await reltuples(db, 'grown'), 2300);
  } finally {
    await db.close();
  }
});

test('the embedded database analyzes on its own timer, once no statement has run for a while', async () => {
  const db = await openPglite({ analyzeEveryMs: 100 });
  const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
  try {
    await db.query('CREATE TABLE grown (id int PRIMARY KEY)');
    await db.query('INSERT INTO grown SELECT generate_series(1, 1000)');
    // A statement every tenth of the idle time, for ten idle times and many ticks: never idle, no analyze.
    const busyUntil = performance.now() + 10 * ANALYZE_IDLE_MS;
    while (performance.now() < busyUntil) {
      await db.query('SELECT 1');
      await sleep(ANALYZE_IDLE_MS / 10);
    }
    assert.equal(await reltuples(db, 'grown'), -1, 'analyzed while statements kept coming');
    // Quiet: the next tick after the idle time analyzes it (checked less often than the idle time).
    let n = -1;
    for (let i = 0; i < 40 && n !== 1000; i++) {
      await sleep(2 * ANALYZE_IDLE_MS);
      n = await reltuples(db, 'grown');
    }
    assert.equal(n, 1000, 'analyzed without being asked once idle');
  } finally {
    await db.close();
  }
});

test('the embedded analyze samples at its own statistics target', async () => {
  const db = await openPglite({ analyzeEveryMs: 0 });
  try {
    assert.ok(isPgliteDb(db));
    await db.query('CREATE TABLE grown (id int PRIMARY KEY, v int)');
    await db.query('INSERT INTO grown SELECT g, g FROM generate_series(1, 5000) g');
    await statsShow(db, 'grown', 5000);
    assert.deepEqual(await db.analyzeStale(), ['public.grown']);
    // A histogram has at most target + 1 bounds (PostgreSQL's default target, 100, gives 101 here).
    const bounds = async () => (await db.query<{ n: number }>(`SELECT cardinality(histogram_bounds::text::int[])::int AS n FROM pg_stats WHERE tablename = 'grown' AND attname = 'v'`)).rows[0].n;
    assert.equal(await bounds(), ANALYZE_STATISTICS_TARGET + 1);
    await db.query('ANALYZE grown');
    assert.equal(await bounds(), 101, 'a plain ANALYZE in the same session keeps the default target');
  } finally {
    await db.close();
  }
});
