import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { appendEvent, latestEventId, listEvents, type LightpathEvent } from '../../src/store/events.js';
import { EventsService, parseEventId, parseTypes } from '../../src/services/events.js';
import { LightpathError } from '../../src/domain/errors.js';

/** Collects from a follow until `n` events arrived (or the generator ended). */
async function take(gen: AsyncGenerator<LightpathEvent>, n: number): Promise<LightpathEvent[]> {
  const out: LightpathEvent[] = [];
  if (n === 0) return out;
  for await (const e of gen) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

describe('event query parsing', () => {
  test('types and ids are checked', () => {
    assert.deepEqual(parseTypes('order.completed, span.failed,order.completed'), ['order.completed', 'span.failed']);
    assert.equal(parseTypes(''), undefined);
    assert.throws(() => parseTypes('order'), LightpathError);
    assert.equal(parseEventId('42', '/after'), 42);
    assert.equal(parseEventId(undefined, '/after'), undefined);
    for (const bad of ['-1', '1.5', 'x', '9999999999999999']) assert.throws(() => parseEventId(bad, '/after'), LightpathError, bad);
  });
});

for (const driver of testDrivers()) {
  describe(`following events on ${driver.name}`, () => {
    let db: Db;
    let svc: EventsService;
    before(async () => {
      db = await driver.open();
      svc = new EventsService(db, { pollMs: 30, batch: 3 });
    });
    after(async () => {
      await svc.close();
      await db.close();
    });

    test('backlog then live events, in id order, tenant-filtered, across several catch-up batches', async () => {
      const base = await latestEventId(db);
      const tenants = ['a', 'b', 'a', 'a', null, 'a', 'b', 'a'];
      for (const [i, t] of tenants.slice(0, 5).entries()) await appendEvent(db, { type: 'order.completed', tenantId: t, subject: { kind: 'o', id: `${i}` }, data: {} });
      const ctl = new AbortController();
      const gen = svc.follow({ tenantId: 'a', role: 'customer' }, { after: base }, ctl.signal);
      const want = tenants.filter((t) => t === 'a').length;
      const pending = take(gen, want);
      for (const [i, t] of tenants.slice(5).entries()) {
        await db.transaction((tx) => appendEvent(tx, { type: 'span.failed', tenantId: t, subject: { kind: 's', id: `${i}` }, data: {} }));
      }
      const got = await pending;
      ctl.abort();
      const expected = (await listEvents(db, { after: base, limit: 100 })).filter((e) => e.tenantId === 'a');
      assert.deepEqual(got.map((e) => e.id), expected.map((e) => e.id));
    });

    test('an event written by another process (no in-process signal) arrives by polling', async () => {
      const base = await latestEventId(db);
      const ctl = new AbortController();
      const pending = take(svc.follow({ tenantId: 'op', role: 'operator' }, { after: base, types: ['span.repaired'] }, ctl.signal), 1);
      // raw SQL, exactly what appendEvent does in another process, without this process's emitter
      await new Promise((r) => setTimeout(r, 40));
      const r = await db.query<{ id: string }>(
        "INSERT INTO events (type, tenant_id, subject_kind, subject_id, data) VALUES ('span.repaired', NULL, 'span', 'x', '{}') RETURNING id",
      );
      const [e] = await pending;
      ctl.abort();
      assert.equal(e.id, Number(r.rows[0].id));
    });

    test('abort and close end idle followers', async () => {
      const ctl = new AbortController();
      const idle = take(svc.follow({ tenantId: 'zzz', role: 'customer' }, { after: await latestEventId(db) }, ctl.signal), 1);
      setTimeout(() => ctl.abort(), 20);
      assert.deepEqual(await idle, []);
      const other = new EventsService(db, { pollMs: 30 });
      const idle2 = take(other.follow({ tenantId: 'zzz', role: 'customer' }, {}, new AbortController().signal), 1);
      setTimeout(() => void other.close(), 20);
      assert.deepEqual(await idle2, []);
    });
  });
}
