/**
 * The event outbox. Every state change appends its event in the same transaction as the change, so an
 * event exists exactly when the change committed.
 *
 * Ordering. Readers resume from the last id they saw, so an id must never become visible after a larger
 * one did. With ids drawn by the writers that can happen on a server: transaction A takes id 5, B takes
 * id 6, B commits first, a reader delivers 6 and moves past 5 before A commits. Writers therefore do not
 * draw public ids: they append to `event_outbox`, with no lock, and a publisher moves committed outbox
 * rows into `events`, drawing the ids there (migration 014). Publishers take an advisory lock for their
 * own short move-and-commit only, so each draws ids above every id committed before it, and a reader
 * that sees id N sees every id below N. Readers publish first (`lp_events_after`, `lp_latest_event_id`):
 * an event is listed by the first read after its writer committed. Before migration 014 each writer held
 * that lock from its first event to its commit, so event-writing commits (every order) went one at a
 * time; bench/events.ts measures both ways.
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

// Arbitrary constant, distinct from the migration and initialisation keys: publishers (and, before
// migration 014, writers) take it; a previous version's replica still writing events directly during a
// rolling upgrade takes the same lock, so ids stay in visibility order across the upgrade.
export const EVENTS_LOCK_KEY = 7_310_550_003;

/**
 * In-process signal that an event was appended (no payload: the public id is drawn when it is
 * published). It fires before the writer commits, so listeners treat it as "look soon", not "it is there".
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

/** Appends an event to the outbox inside the caller's transaction (its id is drawn when it is published). */
export async function appendEvent(
  q: Queryable,
  e: { type: string; tenantId: string | null; subject: { kind: string; id: string }; data: unknown },
): Promise<void> {
  await appendEvents(q, [e]);
}

/** Appends several events to the outbox in one statement, in array order. */
export async function appendEvents(q: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await q.query(
    `INSERT INTO event_outbox (type, tenant_id, subject_kind, subject_id, data)
     SELECT u.t, u.tn, u.k, u.i, u.d::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(t, tn, k, i, d, n)
      ORDER BY u.n`,
    [events.map((e) => e.type), events.map((e) => e.tenantId), events.map((e) => e.subject.kind), events.map((e) => e.subject.id), events.map((e) => JSON.stringify(e.data === undefined ? {} : e.data))],
  );
  eventAppended.emit('appended');
}

/**
 * Moves committed outbox events into `events` (public ids drawn in order); returns how many. Readers in
 * this module call it themselves; run it outside a transaction (inside one, its lock lasts until that
 * transaction commits).
 */
export async function publishEvents(q: Queryable): Promise<number> {
  const r = await q.query<{ n: string | number }>('SELECT lp_publish_events() AS n');
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Runs the caller's data-modifying CTEs and appends events after them, in one statement. `forced` must
 * read every CTE (the events are appended only once the writes are done). `written` is a query over the
 * CTEs yielding column `i`: the indexes (0-based) of the events whose writes went in; the others are not
 * appended. Returns those indexes, ascending.
 */
export async function appendEventsAfter(
  q: Queryable,
  writes: { ctes: string; forced: string; written: string; params: readonly unknown[] },
  events: readonly NewEvent[],
): Promise<{ indexes: number[] }> {
  const n = writes.params.length;
  const r = await q.query<{ written: (string | number)[] | null; n: string | number | null }>(
    `WITH ${writes.ctes},
     lp_writes_done AS (SELECT ${writes.forced} AS n),
     lp_written AS (SELECT w.i FROM (${writes.written}) w, lp_writes_done),
     lp_events AS (INSERT INTO event_outbox (type, tenant_id, subject_kind, subject_id, data)
                   SELECT u.t, u.tn, u.k, u.s, u.d::jsonb
                     FROM unnest($${n + 1}::text[], $${n + 2}::text[], $${n + 3}::text[], $${n + 4}::text[], $${n + 5}::text[]) WITH ORDINALITY AS u(t, tn, k, s, d, o)
                    WHERE u.o - 1 IN (SELECT i FROM lp_written)
                    ORDER BY u.o
                   RETURNING seq)
     SELECT (SELECT array_agg(i ORDER BY i) FROM lp_written) AS written, (SELECT count(*) FROM lp_events) AS n`,
    [
      ...writes.params,
      events.map((e) => e.type),
      events.map((e) => e.tenantId),
      events.map((e) => e.subject.kind),
      events.map((e) => e.subject.id),
      events.map((e) => JSON.stringify(e.data === undefined ? {} : e.data)),
    ],
    { prepare: true },
  );
  const indexes = (r.rows[0]?.written ?? []).map(Number);
  if (Number(r.rows[0]?.n ?? 0) > 0) eventAppended.emit('appended');
  return { indexes };
}

/**
 * appendEventsAfter for one event: `proceed` is a boolean SQL expression over the CTEs; when false, no
 * event is appended and false comes back, so writes gated on the same condition leave nothing behind.
 */
export async function appendEventAfter(q: Queryable, writes: { ctes: string; forced: string; proceed?: string; params: readonly unknown[] }, e: NewEvent): Promise<boolean> {
  const r = await appendEventsAfter(q, { ctes: writes.ctes, forced: writes.forced, written: `SELECT 0 AS i WHERE ${writes.proceed ?? 'true'}`, params: writes.params }, [e]);
  return r.indexes.length > 0;
}

/** Events after `after` in id order, filtered by tenant and type (committed ones are published first). */
export async function listEvents(q: Queryable, f: EventFilter): Promise<LightpathEvent[]> {
  const types = f.types && f.types.length > 0 ? [...f.types] : null;
  const r = await q.query<EventRow>(
    `SELECT id, type, occurred_at, tenant_id, subject_kind, subject_id, data FROM lp_events_after($1, $2, $3::text[], $4)`,
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

/** Largest event id visible now, committed ones published first (0 when there is none). */
export async function latestEventId(q: Queryable): Promise<number> {
  const r = await q.query<{ id: string | number | null }>('SELECT lp_latest_event_id() AS id');
  return Number(r.rows[0]?.id ?? 0);
}
