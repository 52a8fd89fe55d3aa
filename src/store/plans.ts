/**
 * SQL for capacity plans (table `plans`, migration 012): the plan row through its states (queued,
 * running, done, failed), its last progress, its document, and the once-only apply stamp.
 */
import type { Queryable } from './db.js';

export type PlanState = 'queued' | 'running' | 'done' | 'failed';

export interface PlanProgress {
  seconds: number;
  primal: number | null;
  dual: number | null;
  gap: number | null;
  nodes: number | null;
}

export interface PlanRow {
  id: string;
  state: PlanState;
  request: unknown;
  progress: PlanProgress | null;
  document: unknown;
  error: { code: string; detail: string } | null;
  inventoryVersion: number | null;
  createdBy: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  appliedAt: string | null;
  appliedBy: string | null;
  appliedChanges: unknown;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string | Date).toISOString();
}

function toPlan(r: Record<string, unknown>): PlanRow {
  return {
    id: r.id as string,
    state: r.state as PlanState,
    request: json(r.request),
    progress: r.progress === null || r.progress === undefined ? null : json<PlanProgress>(r.progress),
    document: r.document === null || r.document === undefined ? null : json(r.document),
    error: r.error === null || r.error === undefined ? null : json<{ code: string; detail: string }>(r.error),
    inventoryVersion: r.inventory_version === null || r.inventory_version === undefined ? null : Number(r.inventory_version),
    createdBy: r.created_by as string,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    requestHash: (r.request_hash as string | null) ?? null,
    createdAt: isoOrNull(r.created_at) as string,
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    appliedAt: isoOrNull(r.applied_at),
    appliedBy: (r.applied_by as string | null) ?? null,
    appliedChanges: r.applied_changes === null || r.applied_changes === undefined ? null : json(r.applied_changes),
  };
}

// The list leaves the (large) document out; `withDocument` reads it.
const SUMMARY_COLUMNS = `id, state, request, progress, NULL::jsonb AS document, error, inventory_version, created_by, idempotency_key, request_hash,
  created_at, started_at, finished_at, applied_at, applied_by, NULL::jsonb AS applied_changes`;

export async function insertPlan(q: Queryable, p: { id: string; request: unknown; createdBy: string; idempotencyKey: string | null; requestHash: string }): Promise<PlanRow> {
  const r = await q.query<Record<string, unknown>>(
    `INSERT INTO plans (id, state, request, created_by, idempotency_key, request_hash) VALUES ($1, 'queued', $2::jsonb, $3, $4, $5) RETURNING *`,
    [p.id, JSON.stringify(p.request), p.createdBy, p.idempotencyKey, p.requestHash],
  );
  return toPlan(r.rows[0]);
}

/** A plan by id (with its document), optionally locked for update. */
export async function getPlan(q: Queryable, id: string, forUpdate = false): Promise<PlanRow | null> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM plans WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toPlan(r.rows[0]) : null;
}

export async function planByIdempotencyKey(q: Queryable, key: string): Promise<PlanRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM plans WHERE idempotency_key = $1', [key]);
  return r.rows[0] ? toPlan(r.rows[0]) : null;
}

/** Keyset page of plans by id (documents left out), optionally one state. */
export async function listPlans(q: Queryable, f: { after: string | undefined; limit: number; state?: string | undefined }): Promise<PlanRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT ${SUMMARY_COLUMNS} FROM plans WHERE ($1::text IS NULL OR id > $1) AND ($2::text IS NULL OR state = $2) ORDER BY id LIMIT $3`,
    [f.after ?? null, f.state ?? null, f.limit],
  );
  return r.rows.map(toPlan);
}

/** queued → running (again after a lost worker): returns false when the plan already finished. */
export async function startPlan(q: Queryable, id: string, inventoryVersion: number): Promise<boolean> {
  const r = await q.query(
    `UPDATE plans SET state = 'running', started_at = now(), inventory_version = $2, progress = NULL WHERE id = $1 AND state IN ('queued', 'running')`,
    [id, inventoryVersion],
  );
  return r.rowCount > 0;
}

export async function setPlanProgress(q: Queryable, id: string, progress: PlanProgress): Promise<void> {
  await q.query(`UPDATE plans SET progress = $2::jsonb WHERE id = $1 AND state = 'running'`, [id, JSON.stringify(progress)]);
}

export async function finishPlan(q: Queryable, id: string, outcome: { document: unknown } | { error: { code: string; detail: string } }): Promise<boolean> {
  const r =
    'document' in outcome
      ? await q.query(`UPDATE plans SET state = 'done', document = $2::jsonb, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, [id, JSON.stringify(outcome.document)])
      : await q.query(`UPDATE plans SET state = 'failed', error = $2::jsonb, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, [id, JSON.stringify(outcome.error)]);
  return r.rowCount > 0;
}

/** Stamps the plan applied (once: false when it already was). */
export async function markPlanApplied(q: Queryable, id: string, by: string, changes: unknown): Promise<boolean> {
  const r = await q.query(
    `UPDATE plans SET applied_at = now(), applied_by = $2, applied_changes = $3::jsonb WHERE id = $1 AND state = 'done' AND applied_at IS NULL`,
    [id, by, JSON.stringify(changes)],
  );
  return r.rowCount > 0;
}
