/**
 * SQL for the audit log: append-only (migration 006 refuses UPDATE, DELETE and TRUNCATE), written in
 * the same transaction or statement as the change it records, so an audit row exists exactly when the
 * change committed.
 */
import type { Queryable } from './db.js';

/** One audited change. */
export interface AuditRow {
  actorKeyId: string | null;
  actorTenantId: string | null;
  actorRole: 'operator' | 'customer' | 'system';
  actorVia: 'api' | 'cli' | 'system';
  requestId: string | null;
  /** Dotted: `site.create`, `order.place`, `failure.record`, ... */
  action: string;
  subjectKind: string;
  subjectId: string | null;
  /** The tenant whose object changed (null for the operator's inventory). */
  tenantId: string | null;
  before: unknown;
  after: unknown;
}

/** A stored audit record. */
export interface AuditRecord extends AuditRow {
  id: number;
  at: string;
}

const COLUMNS = 'actor_key_id, actor_tenant_id, actor_role, actor_via, request_id, action, subject_kind, subject_id, tenant_id, before, after';

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** Appends audit rows. */
export async function insertAudit(q: Queryable, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO audit_log (${COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[])`,
    auditParams(rows),
  );
}

/** The eleven column arrays of audit rows, in COLUMNS order (for statements that insert them). */
export function auditParams(rows: readonly AuditRow[]): unknown[][] {
  return [
    rows.map((r) => r.actorKeyId),
    rows.map((r) => r.actorTenantId),
    rows.map((r) => r.actorRole),
    rows.map((r) => r.actorVia),
    rows.map((r) => r.requestId),
    rows.map((r) => r.action),
    rows.map((r) => r.subjectKind),
    rows.map((r) => r.subjectId),
    rows.map((r) => r.tenantId),
    rows.map((r) => json(r.before)),
    rows.map((r) => json(r.after)),
  ];
}

export { COLUMNS as AUDIT_COLUMNS };

/** Filters of the audit list (all optional); keyset paging by id, oldest first. */
export interface AuditFilter {
  afterId: number | undefined;
  limit: number;
  actorKeyId?: string | undefined;
  tenantId?: string | undefined;
  action?: string | undefined;
  subjectKind?: string | undefined;
  subjectId?: string | undefined;
  requestId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A page of audit records matching the filter. */
export async function listAudit(q: Queryable, f: AuditFilter): Promise<AuditRecord[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT id, at, ${COLUMNS} FROM audit_log
      WHERE ($1::bigint IS NULL OR id > $1) AND ($3::text IS NULL OR actor_key_id = $3)
        AND ($4::text IS NULL OR tenant_id = $4 OR actor_tenant_id = $4) AND ($5::text IS NULL OR action = $5)
        AND ($6::text IS NULL OR subject_kind = $6) AND ($7::text IS NULL OR subject_id = $7)
        AND ($8::text IS NULL OR request_id = $8)
        AND ($9::timestamptz IS NULL OR at >= $9) AND ($10::timestamptz IS NULL OR at < $10)
      ORDER BY id LIMIT $2`,
    [f.afterId ?? null, f.limit, f.actorKeyId ?? null, f.tenantId ?? null, f.action ?? null, f.subjectKind ?? null, f.subjectId ?? null, f.requestId ?? null, f.from ?? null, f.to ?? null],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    at: new Date(x.at as string).toISOString(),
    actorKeyId: (x.actor_key_id as string | null) ?? null,
    actorTenantId: (x.actor_tenant_id as string | null) ?? null,
    actorRole: x.actor_role as AuditRow['actorRole'],
    actorVia: x.actor_via as AuditRow['actorVia'],
    requestId: (x.request_id as string | null) ?? null,
    action: x.action as string,
    subjectKind: x.subject_kind as string,
    subjectId: (x.subject_id as string | null) ?? null,
    tenantId: (x.tenant_id as string | null) ?? null,
    before: typeof x.before === 'string' ? JSON.parse(x.before) : (x.before ?? null),
    after: typeof x.after === 'string' ? JSON.parse(x.after) : (x.after ?? null),
  }));
}
