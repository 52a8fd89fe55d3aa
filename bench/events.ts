/**
 * Event outbox benchmark: event-writing commits per second with the outbox (appendEvent: no lock, ids
 * drawn by the publisher, migration 014) next to the scheme it replaced (an advisory lock taken before
 * the id and held through commit) and a plain insert with no ordering guarantee (the floor), and how fast
 * a follower sees an event. Prints figures; asserts nothing. Uses PGlite, and the PostgreSQL server too when DATABASE_URL
 * is set (each run in a throwaway schema).
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/events.js
 */
import { testDrivers } from '../test/support/db.js';
import type { Db } from '../src/store/db.js';
import { appendEvent, EVENTS_LOCK_KEY, latestEventId } from '../src/store/events.js';
import { EventsService } from '../src/services/events.js';

const WRITERS = [1, 4, 16];
const TX_PER_WRITER = 100;

type Way = 'plain' | 'outbox' | 'locked';

/** Commits per second with `writers` concurrent transactions, each appending one event. */
async function throughput(db: Db, writers: number, way: Way): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < TX_PER_WRITER; i++) {
        await db.transaction(async (tx) => {
          // a little work in the same transaction, as an order would do
          await tx.query('SELECT count(*) FROM events WHERE id > (SELECT coalesce(max(id), 0) - 10 FROM events)');
          const e = { type: 'bench.appended', tenantId: `t${w}`, subject: { kind: 'bench', id: `${w}-${i}` }, data: { i } };
          if (way === 'outbox') await appendEvent(tx, e);
          else {
            // The scheme before migration 014 (lock, then the id, held through commit), or no ordering at all.
            await tx.query(
              `${way === 'locked' ? 'WITH ordered AS (SELECT pg_advisory_xact_lock($6::bigint)) ' : ''}INSERT INTO events (type, tenant_id, subject_kind, subject_id, data)
               SELECT $1, $2, $3, $4, $5::jsonb${way === 'locked' ? ' FROM ordered' : ' WHERE $6::bigint IS NOT NULL'}`,
              [e.type, e.tenantId, e.subject.kind, e.subject.id, JSON.stringify(e.data), EVENTS_LOCK_KEY],
            );
          }
        });
      }
    }),
  );
  return (writers * TX_PER_WRITER) / ((performance.now() - t0) / 1000);
}

/** Milliseconds from an append's commit until a follower yields it (median, p99 of n). */
async function followLatency(db: Db, pollMs: number, n: number): Promise<{ median: number; p99: number }> {
  const svc = new EventsService(db, { pollMs });
  const ctl = new AbortController();
  // Keyed by the event's data.i: its id is drawn when it is published.
  const committedAt = new Map<number, number>();
  const lat: number[] = [];
  const start = await latestEventId(db);
  const reader = (async () => {
    for await (const e of svc.follow({ tenantId: 'op', role: 'operator' }, { after: start }, ctl.signal)) {
      const t = committedAt.get((e.data as { i?: number }).i ?? -1);
      if (t !== undefined) lat.push(performance.now() - t);
      if (lat.length >= n) break;
    }
  })();
  for (let i = 0; i < n; i++) {
    await db.transaction(async (tx) => {
      await appendEvent(tx, { type: 'bench.followed', tenantId: null, subject: { kind: 'bench', id: String(i) }, data: { i } });
    });
    committedAt.set(i, performance.now());
    await new Promise((r) => setTimeout(r, 5));
  }
  await reader;
  ctl.abort();
  await svc.close();
  lat.sort((a, b) => a - b);
  return { median: lat[Math.floor(lat.length / 2)], p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] };
}

for (const driver of testDrivers()) {
  const db = await driver.open();
  console.log(`\n== ${driver.name} ==`);
  await throughput(db, 4, 'outbox'); // warm-up: connections, plans, JIT
  await latestEventId(db);
  for (const writers of WRITERS) {
    // interleaved, best of two each: the machine is shared, so single runs are noisy
    const best: Record<Way, number> = { plain: 0, outbox: 0, locked: 0 };
    for (let round = 0; round < 2; round++) {
      for (const way of ['plain', 'outbox', 'locked'] as const) best[way] = Math.max(best[way], await throughput(db, writers, way));
      // publish what the outbox collected (a reader would), so the next round starts alike
      await latestEventId(db);
    }
    console.log(
      `${writers.toString().padStart(2)} writers: ${best.outbox.toFixed(0).padStart(6)} tx/s appendEvent (outbox, no lock), ${best.locked.toFixed(0).padStart(6)} tx/s lock held through commit (before 014), ${best.plain.toFixed(0).padStart(6)} tx/s plain insert (no ordering)`,
    );
  }
  const f = await followLatency(db, 1000, 200);
  console.log(`follower latency, same process: median ${f.median.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms (200 events)`);
  await db.close();
}
