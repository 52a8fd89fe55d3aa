/**
 * The webhook fan-out with several replicas: the dispatch cursor is taken with SKIP LOCKED, so a worker
 * that finds another replica fanning out skips its round (busy) instead of queueing behind it with a
 * connection and a transaction held; the next round does the work. Needs a server (two connections).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDriver } from '../support/db.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { appendEvent, publishEvents } from '../../src/store/events.js';
import { dispatchEvents } from '../../src/store/webhooks.js';

const url = process.env.DATABASE_URL;

describe('webhook fan-out across replicas (PostgreSQL server)', { skip: url ? false : 'DATABASE_URL is not set: two connections need a real server' }, () => {
  let db: Db;
  let other: Db;
  before(async () => {
    db = await postgresDriver(url as string).open();
    const search = await db.query<{ setting: string }>("SELECT current_setting('search_path') AS setting");
    other = await openPostgres({ url: url as string, searchPath: search.rows[0].setting.replace(/\s+/g, ''), max: 1 });
  });
  after(async () => {
    await other?.close();
    await db?.close();
  });

  test('a worker that finds the cursor held skips its round at once; the next round fans out', async () => {
    await appendEvent(db, { type: 'test.ping', tenantId: null, subject: { kind: 'test', id: 'x' }, data: {} });
    await publishEvents(db);
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const released = new Promise<void>((r) => (release = r));
    const holder = other.transaction(async (tx: Queryable) => {
      await tx.query('SELECT last_event_id FROM webhook_dispatch FOR UPDATE');
      held();
      await released;
    });
    await isHeld;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const skipped = await Promise.race([
      db.transaction((tx) => dispatchEvents(tx, new Date(), 1000)),
      new Promise<'blocked'>((r) => (timer = setTimeout(() => r('blocked'), 5000))),
    ]);
    clearTimeout(timer);
    release();
    await holder;
    assert.notEqual(skipped, 'blocked', 'the fan-out queued behind the cursor held by another worker');
    assert.deepEqual(skipped, { events: 0, deliveries: 0, busy: true });
    const next = await db.transaction((tx) => dispatchEvents(tx, new Date(), 1000));
    assert.equal(next.busy, undefined);
    assert.ok(next.events >= 1, 'the next round fans the event out');
  });
});
