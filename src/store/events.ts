/**
 * The event outbox. Every state change appends its event in the same transaction as the change, so an
 * event exists exactly when the change committed.
 *
 * Ordering. Readers resume from the last id they saw, so an id must never become visible after a larger
 * one did. With a plain sequence that can happen on a server: transaction A takes id 5, B takes id 6, B
 * commits first, a reader delivers 6 and moves past 5 before A commits. We considered a high-water mark
 * based on transaction ids (deliver only rows whose xid is older than the oldest running transaction),
 * but a transaction that began earlier can still take a *smaller-than-delivered* id later, so xid order
 * is not id order and that scheme skips events too. Instead appendEvent takes a transaction-scoped
 * advisory lock before drawing the id: event-writing transactions then draw ids and commit one after
 * another, and PostgreSQL makes a commit visible before it releases the transaction's locks, so every
 * snapshot that sees id N also sees every committed id below N. Rolled-back ids leave harmless gaps.
 * The price is that event-writing transactions serialize from their first appendEvent to commit, so
 * callers append events as the last step of a transaction (that also avoids lock-order deadlocks with
 * row locks taken afterwards). bench/events.ts measures the cost: none for one writer, and on a 2-core
 * server about 1.4-1.6k instead of 2.5k event-writing commits/s with 4-16 concurrent writers, far above
 * what ordering needs. PGlite has one connection, where the lock costs nothing.
 */
import { EventEmitter } from 'node:events';
import type { Queryable } from './db.js';

/** A stored event (CONVENTIONS: `{ id, type, occurredAt, tenantId, subject, data }`). */
export interface LightpathEvent {
  id: number;
  type: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
  /** Tenant the event belongs to; null for operator-only / system events. */
  tenantId: string | null;
  subject: { kind: string; id: string };
  data: unknown;
}

/** What a writer supplies; id and occurredAt are assigned by the database. */
export interface NewEvent {
  type: string;
  tenantId: string | null;
  subject: { kind: string; id: string };
  data: unknown;
}

export interface EventFilter {
  /** Only events with a larger id. */
  after: number;
  limit: number;
  /** undefined = every tenant (operators); a string = that tenant's events only. */
  tenantId?: string | undefined;
  /** undefined or empty = every type. */
  types?: readonly string[] | undefined;
}

// Arbitrary constant, distinct from the migration and initialisation keys.
export const EVENTS_LOCK_KEY = 7_310_550_003;

/**
 * In-process signal that an event was appended (payload: its id). It fires before the writer commits,
 * so listeners treat it as "look soon", not "it is there".
 */
export const eventAppended = new EventEmitter();
eventAppended.setMaxListeners(0);

interface EventRow {
  id: string | number;
  type: string;
  occurred_at: Date | string;
  tenant_id: string | null;
  subject_kind: string;
  subject_id: string;
  data: unknown;
}

function toEvent(r: EventRow): LightpathEvent {
  return {
    id: Number(r.id),
    type: r.type,
    occurredAt: new Date(r.occurred_at).toISOString(),
    tenantId: r.tenant_id,
    subject: { kind: r.subject_kind, id: r.subject_id },
    data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
  };
}

/**
 * Appends an event inside the caller's transaction and returns its id. One statement, so the lock and
 * the insert share a transaction even when q is not one.
 */
export async function appendEvent(
  q: Queryable,
  e: { type: string; tenantId: string | null; subject: { kind: string; id: string }; data: unknown },
): Promise<number> {
  const r = await q.query<{ id: string | number }>(
    `WITH ordered AS (SELECT pg_advisory_xact_lock($1::bigint))
     INSERT INTO events (type, tenant_id, subject_kind, subject_id, data)
     SELECT $2, $3, $4, $5, $6::jsonb FROM ordered
     RETURNING id`,
    [EVENTS_LOCK_KEY, e.type, e.tenantId, e.subject.kind, e.subject.id, JSON.stringify(e.data === undefined ? {} : e.data)],
  );
  const id = Number(r.rows[0].id);
  eventAppended.emit('appended', id);
  return id;
}

/**
 * Runs the caller's data-modifying CTEs and appends events after them, in one statement. `forced` must
 * read every CTE: it is evaluated before the ordering lock is taken, so the writes (and any waiting they
 * do) happen outside the lock and the events stay the last step, exactly as with appendEvent.
 * `written` is a query over the CTEs yielding column `i`: the indexes (0-based) of the events whose
 * writes went in; the others are not appended. Returns those indexes, ascending, with the ids given.
 *
 * Run as a statement of its own (no transaction) it commits on the server the moment it ends, so the
 * ordering lock is held for the event insert and the commit only, never across a round trip to the
 * application: that is what lets event writers pass the lock at the database's pace.
 */
export async function appendEventsAfter(
  q: Queryable,
  writes: { ctes: string; forced: string; written: string; params: readonly unknown[] },
  events: readonly NewEvent[],
): Promise<{ indexes: number[]; ids: number[] }> {
  const n = writes.params.length;
  const r = await q.query<{ written: (string | number)[] | null; ids: (string | number)[] | null }>(
    `WITH ${writes.ctes},
     lp_writes_done AS (SELECT ${writes.forced} AS n),
     lp_written AS (SELECT w.i FROM (${writes.written}) w, lp_writes_done),
     ordered AS (SELECT pg_advisory_xact_lock($${n + 1}::bigint) FROM lp_writes_done WHERE EXISTS (SELECT 1 FROM lp_written)),
     lp_events AS (INSERT INTO events (type, tenant_id, subject_kind, subject_id, data)
                   SELECT u.t, u.tn, u.k, u.s, u.d::jsonb
                     FROM ordered, unnest($${n + 2}::text[], $${n + 3}::text[], $${n + 4}::text[], $${n + 5}::text[], $${n + 6}::text[]) WITH ORDINALITY AS u(t, tn, k, s, d, o)
                    WHERE u.o - 1 IN (SELECT i FROM lp_written)
                    ORDER BY u.o
                   RETURNING id)
     SELECT (SELECT array_agg(i ORDER BY i) FROM lp_written) AS written, (SELECT array_agg(id ORDER BY id) FROM lp_events) AS ids`,
    [
      ...writes.params,
      EVENTS_LOCK_KEY,
      events.map((e) => e.type),
      events.map((e) => e.tenantId),
      events.map((e) => e.subject.kind),
      events.map((e) => e.subject.id),
      events.map((e) => JSON.stringify(e.data === undefined ? {} : e.data)),
    ],
    { prepare: true },
  );
  const indexes = (r.rows[0]?.written ?? []).map(Number);
  const ids = (r.rows[0]?.ids ?? []).map(Number);
  if (ids.length > 0) eventAppended.emit('appended', ids[ids.length - 1]);
  return { indexes, ids };
}

/**
 * appendEventsAfter for one event: `proceed` is a boolean SQL expression over the CTEs; when false, no
 * event is appended and null comes back, so writes gated on the same condition leave nothing behind.
 */
export async function appendEventAfter(q: Queryable, writes: { ctes: string; forced: string; proceed?: string; params: readonly unknown[] }, e: NewEvent): Promise<number | null> {
  const r = await appendEventsAfter(q, { ctes: writes.ctes, forced: writes.forced, written: `SELECT 0 AS i WHERE ${writes.proceed ?? 'true'}`, params: writes.params }, [e]);
  return r.ids[0] ?? null;
}

/** Events after `after` in id order, filtered by tenant and type. */
export async function listEvents(q: Queryable, f: EventFilter): Promise<LightpathEvent[]> {
  const types = f.types && f.types.length > 0 ? [...f.types] : null;
  const r = await q.query<EventRow>(
    `SELECT id, type, occurred_at, tenant_id, subject_kind, subject_id, data FROM events
     WHERE id > $1 AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text[] IS NULL OR type = ANY($3::text[]))
     ORDER BY id LIMIT $4`,
    [f.after, f.tenantId ?? null, types, f.limit],
  );
  return r.rows.map(toEvent);
}

/** The event with this id, or null. */
export async function getEvent(q: Queryable, id: number): Promise<LightpathEvent | null> {
  const r = await q.query<EventRow>(
    'SELECT id, type, occurred_at, tenant_id, subject_kind, subject_id, data FROM events WHERE id = $1',
    [id],
  );
  return r.rows[0] ? toEvent(r.rows[0]) : null;
}

/** Largest committed event id visible now (0 when there is none). */
export async function latestEventId(q: Queryable): Promise<number> {
  const r = await q.query<{ id: string | number | null }>('SELECT max(id) AS id FROM events');
  return Number(r.rows[0]?.id ?? 0);
}
