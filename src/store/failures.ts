/**
 * SQL for failure events and service outage intervals. Every function takes a Queryable so the caller
 * picks the transaction (a failure, its effects and its events commit together).
 */
import { bumpInventoryVersion } from './inventory.js';
import type { Queryable } from './db.js';

/** A stored failure event. */
export interface FailureRow {
  id: string;
  spans: string[];
  srlgs: string[];
  sites: string[];
  /** Every span the event took down (spans + SRLG members + spans at lost sites). */
  failedSpans: string[];
  note: string | null;
  startedAt: string;
  repairedAt: string | null;
}

/** One interval during which a service carried no traffic; endedAt null = still down. */
export interface OutageRow {
  serviceId: string;
  startedAt: string;
  endedAt: string | null;
  cause: string | null;
}

function iso(v: unknown): string {
  return new Date(v as string | Date).toISOString();
}

function toFailure(r: Record<string, unknown>): FailureRow {
  return {
    id: r.id as string,
    spans: r.spans as string[],
    srlgs: r.srlgs as string[],
    sites: r.sites as string[],
    failedSpans: r.failed_spans as string[],
    note: (r.note as string | null) ?? null,
    startedAt: iso(r.started_at),
    repairedAt: r.repaired_at === null || r.repaired_at === undefined ? null : iso(r.repaired_at),
  };
}

/** Stores a failure that starts now (transaction time). */
export async function insertFailure(q: Queryable, f: Pick<FailureRow, 'id' | 'spans' | 'srlgs' | 'sites' | 'failedSpans' | 'note'>): Promise<FailureRow> {
  // Which spans are usable is part of the network every cached view is built from.
  await bumpInventoryVersion(q);
  const r = await q.query<Record<string, unknown>>(
    `INSERT INTO failures (id, spans, srlgs, sites, failed_spans, note) VALUES ($1, $2::text[], $3::text[], $4::text[], $5::text[], $6) RETURNING *`,
    [f.id, f.spans, f.srlgs, f.sites, f.failedSpans, f.note],
  );
  return toFailure(r.rows[0]);
}

/** The open failure naming exactly these (sorted) spans, SRLGs and sites, if any. */
export async function openFailureLike(q: Queryable, f: { spans: string[]; srlgs: string[]; sites: string[] }): Promise<FailureRow | null> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM failures WHERE repaired_at IS NULL AND spans = $1::text[] AND srlgs = $2::text[] AND sites = $3::text[]`,
    [f.spans, f.srlgs, f.sites],
  );
  return r.rows[0] ? toFailure(r.rows[0]) : null;
}

/** A failure by id; forUpdate locks the row. */
export async function getFailure(q: Queryable, id: string, forUpdate = false): Promise<FailureRow | null> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM failures WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toFailure(r.rows[0]) : null;
}

/** Keyset page of failures (optionally only unrepaired ones), by id. */
export async function listFailures(q: Queryable, f: { after: string | undefined; limit: number; open?: boolean }): Promise<FailureRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM failures WHERE ($1::text IS NULL OR id > $1) AND (NOT $3::boolean OR repaired_at IS NULL) ORDER BY id LIMIT $2`,
    [f.after ?? null, f.limit, f.open ?? false],
  );
  return r.rows.map(toFailure);
}

/** Marks a failure repaired now; false if it was already repaired. */
export async function repairFailure(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query('UPDATE failures SET repaired_at = now() WHERE id = $1 AND repaired_at IS NULL', [id]);
  if (r.rowCount > 0) await bumpInventoryVersion(q);
  return r.rowCount > 0;
}

/** Every span id that an unrepaired failure holds down. */
export async function failedSpanIds(q: Queryable): Promise<string[]> {
  const r = await q.query<{ id: string }>('SELECT DISTINCT unnest(failed_spans) AS id FROM failures WHERE repaired_at IS NULL ORDER BY 1');
  return r.rows.map((x) => x.id);
}

/** Opens an outage for each service that has none open (idempotent). */
export async function openOutages(q: Queryable, serviceIds: readonly string[], cause: string): Promise<void> {
  if (serviceIds.length === 0) return;
  await q.query(
    `INSERT INTO service_outages (service_id, started_at, cause)
     SELECT s, now(), $2 FROM unnest($1::text[]) AS u(s)
      WHERE NOT EXISTS (SELECT 1 FROM service_outages o WHERE o.service_id = u.s AND o.ended_at IS NULL)`,
    [[...serviceIds], cause],
  );
}

/** Closes the open outage of each service (now). */
export async function closeOutages(q: Queryable, serviceIds: readonly string[]): Promise<void> {
  if (serviceIds.length === 0) return;
  await q.query(`UPDATE service_outages SET ended_at = now() WHERE service_id = ANY($1::text[]) AND ended_at IS NULL`, [[...serviceIds]]);
}

/** Outages of a service overlapping [from, to), oldest first. */
export async function outagesBetween(q: Queryable, serviceId: string, from: string, to: string): Promise<OutageRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT service_id, started_at, ended_at, cause FROM service_outages
      WHERE service_id = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2) ORDER BY started_at, id`,
    [serviceId, from, to],
  );
  return r.rows.map((x) => ({
    serviceId: x.service_id as string,
    startedAt: iso(x.started_at),
    endedAt: x.ended_at === null ? null : iso(x.ended_at),
    cause: (x.cause as string | null) ?? null,
  }));
}

/** The database's clock (transaction time), for windows that end "now". */
export async function dbNow(q: Queryable): Promise<string> {
  const r = await q.query<{ t: unknown }>('SELECT now() AS t');
  return iso(r.rows[0].t);
}

/** Marks every open failure repaired now, with a note (they name a network that is being replaced). */
export async function closeOpenFailures(q: Queryable, note: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `UPDATE failures SET repaired_at = now(), note = COALESCE(note || '; ', '') || $1 WHERE repaired_at IS NULL RETURNING id`,
    [note],
  );
  return r.rows.map((x) => x.id);
}
