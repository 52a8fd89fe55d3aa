/**
 * Embedded PostgreSQL vacuums and analyzes its tables as autovacuum would (PGlite runs no autovacuum),
 * with autovacuum's default thresholds: a table with more dead rows than 50 plus a fifth of it, or more
 * rows inserted since its last vacuum than 1,000 plus a fifth, is vacuumed; a table changed by more than
 * 50 rows plus a tenth since its last analyze is analyzed; the others are left alone. Checked against the
 * catalog itself (pg_class.reltuples, pg_stat_user_tables, pg_stats), on the timer too, in real time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYZE_STATISTICS_TARGET, isPgliteDb, openPglite, type Maintained } from '../../src/store/pglite.js';
import type { Db } from '../../src/store/db.js';

type Counter = 'n_live_tup' | 'n_dead_tup' | 'n_ins_since_vacuum';

const stat = async (db: Db, table: string, counter: Counter): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT ${counter}::int AS n FROM pg_stat_user_tables WHERE relname = $1`, [table])).rows[0]?.n ?? 0;

/** Waits until a statistics counter of `table` reads `value` (PostgreSQL flushes them about once a second). */
async function statShows(db: Db, table: string, counter: Counter, value: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await stat(db, table, counter)) === value) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`${counter} of ${table} never read ${value} (last ${await stat(db, table, counter)})`);
}

const reltuples = async (db: Db, table: string): Promise<number> => (await db.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, [table])).rows[0].n;

/** Runs `fn` on a fresh in-memory embedded database, its maintenance timer every `maintainEveryMs` (0: off), and closes it. */
async function withPglite(maintainEveryMs: number, fn: (db: Db & { maintain(): Promise<Maintained> }) => Promise<void>): Promise<void> {
  const db = await openPglite({ maintainEveryMs });
  try {
    assert.ok(isPgliteDb(db));
    await fn(db);
  } finally {
    await db.close();
  }
}

test("tables changed past autovacuum's analyze threshold are analyzed, the others are not", async () => {
  await withPglite(0, async (db) => {
    await db.query('CREATE TABLE grown (id int PRIMARY KEY)');
    await db.query('CREATE TABLE small (id int PRIMARY KEY)');
    await db.query('INSERT INTO grown SELECT generate_series(1, 2000)');
    await db.query('INSERT INTO small SELECT generate_series(1, 40)');
    await statShows(db, 'grown', 'n_live_tup', 2000);
    await statShows(db, 'small', 'n_live_tup', 40);
    assert.equal(await reltuples(db, 'grown'), -1, 'never analyzed: the planner guesses');
    assert.deepEqual((await db.maintain()).analyzed, ['public.grown'], '40 rows is under the threshold of 50');
    assert.equal(await reltuples(db, 'grown'), 2000);
    assert.equal(await reltuples(db, 'small'), -1);
    // 150 more rows: under 50 + 10 % of 2000 = 250 since the analyze, so not yet; 150 more, past it.
    await db.query('INSERT INTO grown SELECT generate_series(2001, 2150)');
    await statShows(db, 'grown', 'n_live_tup', 2150);
    assert.deepEqual((await db.maintain()).analyzed, []);
    await db.query('INSERT INTO grown SELECT generate_series(2151, 2300)');
    await statShows(db, 'grown', 'n_live_tup', 2300);
    assert.deepEqual((await db.maintain()).analyzed, ['public.grown']);
    assert.equal(await reltuples(db, 'grown'), 2300);
  });
});

test("tables past autovacuum's dead-row or insert threshold are vacuumed, the others are not", async () => {
  await withPglite(0, async (db) => {
    await db.query('CREATE TABLE churn (id int PRIMARY KEY, v int)');
    await db.query('CREATE TABLE few (id int PRIMARY KEY)');
    // 3,000 rows inserted: past 1,000 + a fifth of 3,000 inserted since the last vacuum. 500 are not.
    await db.query('INSERT INTO churn SELECT g, 0 FROM generate_series(1, 3000) g');
    await db.query('INSERT INTO few SELECT generate_series(1, 500)');
    await statShows(db, 'churn', 'n_live_tup', 3000);
    await statShows(db, 'few', 'n_live_tup', 500);
    assert.deepEqual((await db.maintain()).vacuumed, ['public.churn']);
    await statShows(db, 'churn', 'n_ins_since_vacuum', 0);
    // 600 rows updated: 600 dead rows, under 50 + a fifth of 3,000 = 650; 100 more, past it.
    await db.query('UPDATE churn SET v = 1 WHERE id <= 600');
    await statShows(db, 'churn', 'n_dead_tup', 600);
    assert.deepEqual((await db.maintain()).vacuumed, []);
    await db.query('UPDATE churn SET v = 1 WHERE id > 600 AND id <= 700');
    await statShows(db, 'churn', 'n_dead_tup', 700);
    assert.deepEqual((await db.maintain()).vacuumed, ['public.churn']);
    await statShows(db, 'churn', 'n_dead_tup', 0);
  });
});

test('the embedded database maintains its tables on its own timer', async () => {
  await withPglite(200, async (db) => {
    await db.query('CREATE TABLE grown (id int PRIMARY KEY)');
    await db.query('INSERT INTO grown SELECT generate_series(1, 1000)');
    let n = -1;
    for (let i = 0; i < 100 && n !== 1000; i++) {
      await new Promise((res) => setTimeout(res, 100));
      n = await reltuples(db, 'grown');
    }
    assert.equal(n, 1000, 'analyzed without being asked');
  });
});

test('the embedded analyze samples at its own statistics target', async () => {
  await withPglite(0, async (db) => {
    await db.query('CREATE TABLE grown (id int PRIMARY KEY, v int)');
    await db.query('INSERT INTO grown SELECT g, g FROM generate_series(1, 5000) g');
    await statShows(db, 'grown', 'n_live_tup', 5000);
    assert.deepEqual((await db.maintain()).analyzed, ['public.grown']);
    // A histogram has at most target + 1 bounds (PostgreSQL's default target, 100, gives 101 here).
    const bounds = async () => (await db.query<{ n: number }>(`SELECT cardinality(histogram_bounds::text::int[])::int AS n FROM pg_stats WHERE tablename = 'grown' AND attname = 'v'`)).rows[0].n;
    assert.equal(await bounds(), ANALYZE_STATISTICS_TARGET + 1);
    await db.query('ANALYZE grown');
    assert.equal(await bounds(), 101, 'a plain ANALYZE in the same session keeps the default target');
  });
});
