import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { appendEvent, getEvent, latestEventId, listEvents, type LightpathEvent, type NewEvent } from '../../src/store/events.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const driver of testDrivers()) {
  describe(`event outbox on ${driver.name}`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
    });
    after(async () => {
      await db.close();
    });

    test('an event appended in a committed transaction is stored with its fields', async () => {
      const e: NewEvent = { type: 'order.completed', tenantId: 't-a', subject: { kind: 'order', id: 'ord_1' }, data: { n: 1, s: 'x' } };
      await db.transaction((tx) => appendEvent(tx, e));
      // Its id is drawn when it is published (the first read after the commit).
      const id = await latestEventId(db);
      const got = await getEvent(db, id);
      assert.ok(got);
      assert.equal(got.id, id);
      assert.equal(got.type, e.type);
      assert.equal(got.tenantId, e.tenantId);
      assert.deepEqual(got.subject, e.subject);
      assert.deepEqual(got.data, e.data);
      assert.ok(!Number.isNaN(Date.parse(got.occurredAt)));
    });

    test('an event appended in a rolled-back transaction leaves nothing', async () => {
      const before = await latestEventId(db);
      await assert.rejects(
        db.transaction(async (tx) => {
          await appendEvent(tx, { type: 'service.activated', tenantId: 't-a', subject: { kind: 'service', id: 'svc_x' }, data: {} });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await latestEventId(db), before);
      assert.equal(await getEvent(db, before + 1), null);
      assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_outbox')).rows[0].n, 0, 'nothing left in the outbox');
      // the next committed event still gets a larger id than anything seen
      await db.transaction((tx) => appendEvent(tx, { type: 'span.failed', tenantId: null, subject: { kind: 'span', id: 's1' }, data: {} }));
      const next = await latestEventId(db);
      assert.ok(next > before);
      assert.equal((await getEvent(db, next))?.type, 'span.failed');
    });

    test('rejects a type that is not dotted lowercase', async () => {
      await assert.rejects(appendEvent(db, { type: 'OrderCompleted', tenantId: null, subject: { kind: 'order', id: 'o' }, data: {} }));
    });

    test('listEvents filters by tenant and type, in id order, like a filter over all events', async () => {
      const start = await latestEventId(db);
      const tenants = ['t-1', 't-2', null] as const;
      const types = ['order.completed', 'service.activated', 'span.failed'];
      // deterministic pseudo-random mix
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ t: fc.constantFrom(...tenants), ty: fc.constantFrom(...types) }), { minLength: 1, maxLength: 25 }),
          fc.constantFrom(undefined, 't-1', 't-2'),
          fc.subarray(types),
          fc.integer({ min: 1, max: 7 }),
          async (batch, tenant, typeFilter, pageSize) => {
            const base = await latestEventId(db);
            await db.transaction(async (tx) => {
              for (const [i, b] of batch.entries()) {
                await appendEvent(tx, { type: b.ty, tenantId: b.t, subject: { kind: 'x', id: `x${i}` }, data: { i } });
              }
            });
            const all = await listEvents(db, { after: base, limit: 1000 });
            assert.equal(all.length, batch.length);
            // Published in the order they were appended (the outbox's order).
            assert.deepEqual(all.map((e) => (e.data as { i: number }).i), batch.map((_, i) => i));
            const expected = all.filter((e) => (tenant === undefined || e.tenantId === tenant) && (typeFilter.length === 0 || typeFilter.includes(e.type)));
            // page through the filtered view the way a resuming client does
            const got: LightpathEvent[] = [];
            let cursor = base;
            for (;;) {
              const page = await listEvents(db, { after: cursor, limit: pageSize, tenantId: tenant, types: typeFilter });
              if (page.length === 0) break;
              got.push(...page);
              cursor = page[page.length - 1].id;
            }
            assert.deepEqual(got.map((e) => e.id), expected.map((e) => e.id));
          },
        ),
        { seed: 424242, numRuns: 15 },
      );
      assert.ok((await latestEventId(db)) > start);
    });

    test('a reader resuming from the last id it saw never skips an event that commits late', async () => {
      // Writers interleave: each transaction appends, then sleeps before committing, so on a server
      // a plain sequence would let a later id commit first. A reader polls concurrently.
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
      const writers = Array.from({ length: 12 }, (_, w) =>
        db
          .transaction(async (tx) => {
            await sleep((w * 7) % 5);
            await appendEvent(tx, { type: 'service.rerouted', tenantId: 't', subject: { kind: 'service', id: `w${w}` }, data: { w } });
            await sleep(((w * 13) % 4) * 3);
            if (w % 5 === 4) throw new Error('rolled back on purpose');
          })
          .catch(() => undefined),
      );
      await Promise.all(writers);
      done = true;
      await reader;
      const committed = (await listEvents(db, { after: base, limit: 1000 })).map((e) => e.id);
      assert.equal(committed.length, 12 - 2);
      assert.deepEqual(seen, committed);
    });
  });
}
