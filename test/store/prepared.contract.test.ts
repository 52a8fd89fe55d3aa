/**
 * Statements sent with `prepare: true` (named, prepared once per connection: node-postgres on a
 * server, our own protocol path on PGlite) behave as the same statements sent plainly: the same rows
 * and types, the same errors with their SQLSTATE, inside and outside transactions, rolled back with
 * their transaction, and never run inside another caller's open transaction. On both drivers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';

const TYPES = `SELECT $1::int AS i, $2::bigint AS big, $3::text[] AS texts, $4::int[] AS ints, $5::json AS j, $6::jsonb AS jb,
                      $7::timestamptz AS ts, $8::boolean AS b, $9::float8 AS f, $10::text AS nothing, $11::numeric AS n,
                      int4range($1::int, $1::int + 3) AS r, now() - now() AS zero`;
const VALUES = [7, '9007199254740993', ['a', 'b,c', 'd"e'], [1, 2, 3], JSON.stringify({ x: [1, 'y'] }), JSON.stringify({ k: null }), new Date('2026-12-04T10:00:00.123Z'), true, 0.1, null, '12.50'];

for (const driver of testDrivers()) {
  describe(`prepared statements on ${driver.name}`, () => {
    let db: Db;

    before(async () => {
      db = await driver.open();
      await db.query('CREATE TABLE IF NOT EXISTS prepared_probe (id text PRIMARY KEY, v int NOT NULL)');
      await db.query('DELETE FROM prepared_probe');
    });
    after(async () => {
      await db.query('DROP TABLE IF EXISTS prepared_probe');
      await db.close();
    });

    const insert = (q: Queryable, id: string, v: number) => q.query('INSERT INTO prepared_probe (id, v) VALUES ($1, $2) RETURNING v', [id, v], { prepare: true });
    const count = async (q: Queryable) => Number((await q.query<{ n: string }>('SELECT count(*) AS n FROM prepared_probe', [], { prepare: true })).rows[0].n);

    test('rows and types equal the plain statement, first run and again, in and out of a transaction', async () => {
      const plain = await db.query(TYPES, VALUES);
      for (let run = 0; run < 3; run++) assert.deepEqual(await db.query(TYPES, VALUES, { prepare: true }), plain, `run ${run}`);
      const inTx = await db.transaction(async (tx) => [await tx.query(TYPES, VALUES, { prepare: true }), await tx.query(TYPES, VALUES)]);
      assert.deepEqual(inTx[0], inTx[1]);
      assert.deepEqual(inTx[0].rows[0].texts, ['a', 'b,c', 'd"e']);
      assert.deepEqual(inTx[0].rows[0].j, { x: [1, 'y'] });
    });

    test('long text, varchar, json and jsonb values (multi-byte characters too) equal the plain statement', async () => {
      const long = (seed: string) => Array.from({ length: 400 }, (_, i) => `${seed}${i} é ✓ 𝄞 "q" \\ ${'x'.repeat(i % 7)}`).join('|');
      const doc = { options: Array.from({ length: 60 }, (_, i) => ({ id: `opt-${i}`, name: [...long('n')].slice(0, 200 + i).join(''), gsnrDb: 12.345 + i, path: ['a-b', 'b-c'], note: null })) };
      const sql = 'SELECT $1::text AS t, $2::varchar AS v, $3::json AS j, $4::jsonb AS jb, length($1::text) AS n, octet_length($1::text) AS bytes, $5::text AS short';
      const values = [long('t'), long('v'), JSON.stringify(doc), JSON.stringify(doc), 'é✓'];
      const plain = await db.query(sql, values);
      for (let run = 0; run < 2; run++) assert.deepEqual(await db.query(sql, values, { prepare: true }), plain, `run ${run}`);
      const row = plain.rows[0] as { t: string; j: unknown; jb: unknown; n: number };
      assert.equal(row.t, values[0]);
      assert.equal(Number(row.n), [...values[0] as string].length);
      assert.deepEqual(row.j, doc);
      assert.deepEqual(row.jb, doc);
      // Invalid json is refused the same way whichever way it travels.
      const bad = `{"a": [${'1,'.repeat(400)}`;
      await assert.rejects(db.query('SELECT $1::json AS j', [bad], { prepare: true }), (e: unknown) => (e as { code?: string }).code === '22P02');
      await assert.rejects(db.query('SELECT $1::jsonb AS j', [bad], { prepare: true }), (e: unknown) => (e as { code?: string }).code === '22P02');
    });

    test('row counts and RETURNING; an error keeps its SQLSTATE and the statement works again after it', async () => {
      const r = await insert(db, 'a', 1);
      assert.deepEqual(r, { rows: [{ v: 1 }], rowCount: 1 });
      await assert.rejects(insert(db, 'a', 2), (e: unknown) => (e as { code?: string }).code === '23505');
      await assert.rejects(db.query('SELECT 1 / $1::int', [0], { prepare: true }), (e: unknown) => (e as { code?: string }).code === '22012');
      assert.equal((await db.query('SELECT 1 / $1::int AS q', [1], { prepare: true })).rows[0].q, 1);
      const upd = await db.query('UPDATE prepared_probe SET v = v + $1 WHERE id = ANY($2::text[])', [10, ['a', 'zz']], { prepare: true });
      assert.equal(upd.rowCount, 1);
      assert.equal(await count(db), 1);
      await assert.rejects(db.query('SELEC 1', [], { prepare: true }), (e: unknown) => (e as { code?: string }).code === '42601');
    });

    test('a transaction that throws takes its prepared writes with it; the next one commits', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await insert(tx, 'b', 2);
          assert.equal(await count(tx), 2);
          await insert(tx, 'a', 3); // unique violation: the transaction is rolled back
        }),
        (e: unknown) => (e as { code?: string }).code === '23505',
      );
      assert.equal(await count(db), 1);
      await db.transaction(async (tx) => {
        await insert(tx, 'b', 2);
      });
      assert.equal(await count(db), 2);
    });

    test('a prepared statement outside a transaction never runs inside another caller\'s open one', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const wrote = new Promise<void>((r) => (inserted = r));
      const tx = db
        .transaction(async (t) => {
          await insert(t, 'c', 3);
          inserted();
          await gate;
          throw new Error('roll back');
        })
        .catch((e: unknown) => e);
      await wrote;
      // Sent while the transaction is open and holds an uncommitted row: it must see the database as
      // the transaction leaves it (rolled back), not the row inside it.
      const seen = count(db);
      setTimeout(release, 50);
      assert.equal(await seen, 2);
      assert.match(String(await tx), /roll back/);
    });
  });
}
