/**
 * appendEventAfter (the order write's event, appended in the same statement as the writes) keeps the
 * outbox's ordering guarantee: a reader resuming from the last id it saw never skips an event, whether
 * the writer is a lone statement or a transaction that commits late.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { appendEvent, appendEventAfter, latestEventId, listEvents } from '../../src/store/events.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const driver of testDrivers()) {
  describe(`appendEventAfter on ${driver.name}`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      await db.query('CREATE TABLE lp_test_writes (id int PRIMARY KEY)');
    });
    after(async () => {
      await db.close();
    });

    const writes = (id: number, delayS: number) => ({
      ctes: `lp_nap AS (SELECT pg_sleep($1::float8) AS s), lp_w AS (INSERT INTO lp_test_writes (id) SELECT $2 FROM lp_nap RETURNING 1)`,
      forced: '(SELECT count(*) FROM lp_w)',
      params: [delayS, id],
    });

    test('the writes and the event land together, or (gate shut) neither does', async () => {
      assert.equal(await appendEventAfter(db, writes(1, 0), { type: 'test.written', tenantId: 't', subject: { kind: 'w', id: '1' }, data: { n: 1 } }), true);
      const id = await latestEventId(db);
      const ev = (await listEvents(db, { after: id - 1, limit: 1 }))[0];
      assert.deepEqual([ev.id, ev.type, ev.data], [id, 'test.written', { n: 1 }]);
      assert.equal((await db.query('SELECT 1 FROM lp_test_writes WHERE id = 1')).rows.length, 1);
      const before = await latestEventId(db);
      const shut = await appendEventAfter(db, { ...writes(2, 0), proceed: 'false' }, { type: 'test.written', tenantId: 't', subject: { kind: 'w', id: '2' }, data: {} });
      assert.equal(shut, false);
      assert.equal(await latestEventId(db), before);
      // A failing write takes the event with it.
      await assert.rejects(appendEventAfter(db, writes(1, 0), { type: 'test.written', tenantId: 't', subject: { kind: 'w', id: 'dup' }, data: {} }));
      assert.equal(await latestEventId(db), before);
    });

    test('a reader resuming from the last id it saw never skips one, with statement and transaction writers interleaved', async () => {
      const base = await latestEventId(db);
      const seen: number[] = [];
      let done = false;
      const reader = (async () => {
        let cursor = base;
        for (;;) {
          const finished = done;
          const page = await listEvents(db, { after: cursor, limit: 1000 });
          for (const e of page) seen.push(e.id);
          if (page.length > 0) cursor = page[page.length - 1].id;
          if (finished && page.length === 0) return;
          await sleep(1);
        }
      })();
      const writers = Array.from({ length: 16 }, (_, w) => {
        const e = { type: 'test.ordered', tenantId: 't', subject: { kind: 'w', id: `w${w}` }, data: { w } };
        if (w % 2 === 0) return appendEventAfter(db, writes(100 + w, ((w * 7) % 5) / 1000), e).catch(() => undefined);
        // Transactions that append first and commit (or roll back) a little later.
        return db
          .transaction(async (tx) => {
            await sleep((w * 3) % 4);
            if (w % 4 === 1) await appendEventAfter(tx, writes(100 + w, 0), e);
            else await appendEvent(tx, e);
            await sleep(((w * 13) % 4) * 3);
            if (w % 8 === 7) throw new Error('rolled back on purpose');
          })
          .catch(() => undefined);
      });
      await Promise.all(writers);
      done = true;
      await reader;
      const committed = (await listEvents(db, { after: base, limit: 1000 })).map((e) => e.id);
      assert.equal(committed.length, 16 - 2);
      assert.deepEqual(seen, committed);
    });
  });
}
