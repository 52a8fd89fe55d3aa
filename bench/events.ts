/**
 * Event outbox benchmark: what the ordering lock in appendEvent costs, and how fast a follower sees an
 * event. Prints figures; asserts nothing. Uses PGlite, and the PostgreSQL server too when DATABASE_URL
 * is set (each run in a throwaway schema).
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/events.js
 */
import { testDrivers } from '../test/support/db.js';
import type { Db } from '../src/store/db.js';
import { appendEvent, latestEventId } from '../src/store/events.js';
import { EventsService } from '../src/services/events.js';

const WRITERS = [1, 4, 16];
const TX_PER_WRITER = 100;

/** Commits per second with `writers` concurrent transactions, each appending one event. */
async function throughput(db: Db, writers: number, locked: boolean): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < TX_PER_WRITER; i++) {
        await db.transaction(async (tx) => {
          // a little work in the same transaction, as an order would do
          await tx.query('SELECT count(*) FROM events WHERE id > (SELECT coalesce(max(id), 0) - 10 FROM events)');
          const e = { type: 'bench.appended', tenantId: `t${w}`, subject: { kind: 'bench', id: `${w}-${i}` }, data: { i } };
          if (locked) await appendEvent(tx, e);
          else {
            // the same insert without the ordering lock, for comparison only
            await tx.query('INSERT INTO events (type, tenant_id, subject_kind, subject_id, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
              e.type,
              e.tenantId,
              e.subject.kind,
              e.subject.id,
              JSON.stringify(e.data),
            ]);
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
  const committedAt = new Map<number, number>();
  const lat: number[] = [];
  const start = await latestEventId(db);
  const reader = (async () => {
    for await (const e of svc.follow({ tenantId: 'op', role: 'operator' }, { after: start }, ctl.signal)) {
      const t = committedAt.get(e.id);
      if (t !== undefined) lat.push(performance.now() - t);
      if (lat.length >= n) break;
    }
  })();
  for (let i = 0; i < n; i++) {
    let id = 0;
    await db.transaction(async (tx) => {
      id = await appendEvent(tx, { type: 'bench.followed', tenantId: null, subject: { kind: 'bench', id: String(i) }, data: {} });
    });
    committedAt.set(id, performance.now());
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
  await throughput(db, 4, true); // warm-up: connections, plans, JIT
  for (const writers of WRITERS) {
    // interleaved, best of two each: the machine is shared, so single runs are noisy
    let plain = 0;
    let locked = 0;
    for (let round = 0; round < 2; round++) {
      plain = Math.max(plain, await throughput(db, writers, false));
      locked = Math.max(locked, await throughput(db, writers, true));
    }
    console.log(`${writers.toString().padStart(2)} writers: ${plain.toFixed(0).padStart(6)} tx/s plain insert, ${locked.toFixed(0).padStart(6)} tx/s appendEvent (ordering lock)`);
  }
  const f = await followLatency(db, 1000, 200);
  console.log(`follower latency, same process: median ${f.median.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms (200 events)`);
  await db.close();
}
