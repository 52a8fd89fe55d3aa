/**
 * The audit trail of state changes: who (key, tenant, role, how), what (action and subject), when,
 * and a before/after summary. Use cases call `audit` inside the transaction that makes the change;
 * the order write path adds its row to the same statement (store/ordering.ts). Operators read it
 * through `AuditService` (GET /v1/audit).
 */
import { validationFailed } from '../domain/errors.js';
import type { Queryable } from '../store/db.js';
import * as st from '../store/audit.js';
import { pageArgs, toPage, type Page } from './paging.js';
import type { Principal } from './ordering/principal.js';

export type { AuditRecord } from '../store/audit.js';

/** What a use case records. */
export interface AuditEntry {
  action: string;
  subject: { kind: string; id: string | null };
  /** Whose object it is (customers' objects); null for the operator's own. */
  tenantId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** The audit row for an entry made by a principal. */
export function auditRow(p: Principal, e: AuditEntry): st.AuditRow {
  const system = p.via === 'system';
  return {
    actorKeyId: p.keyId,
    actorTenantId: p.tenantId,
    actorRole: system ? 'system' : p.role,
    actorVia: p.via ?? 'api',
    requestId: p.requestId ?? null,
    action: e.action,
    subjectKind: e.subject.kind,
    subjectId: e.subject.id,
    tenantId: e.tenantId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
  };
}

/** Records entries inside the caller's transaction. */
export async function audit(tx: Queryable, p: Principal, ...entries: AuditEntry[]): Promise<void> {
  await st.insertAudit(tx, entries.map((e) => auditRow(p, e)));
}

/** Query of the audit list (API filters). */
export interface AuditQuery {
  limit?: number;
  cursor?: string;
  actorKeyId?: string;
  tenantId?: string;
  action?: string;
  subjectKind?: string;
  subjectId?: string;
  requestId?: string;
  from?: string;
  to?: string;
}

/** Reads the audit log (operators). */
export class AuditService {
  constructor(private readonly db: Queryable) {}

  async list(q: AuditQuery): Promise<Page<st.AuditRecord>> {
    const { limit, after } = pageArgs(q);
    const afterId = after === undefined ? undefined : Number(after);
    if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw validationFailed('invalid cursor', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
    for (const [k, v] of [['from', q.from], ['to', q.to]] as const) {
      if (v !== undefined && !Number.isFinite(Date.parse(v))) throw validationFailed('invalid time', [{ path: `/${k}`, message: 'must be an ISO-8601 time' }]);
    }
    const rows = await st.listAudit(this.db, { ...q, afterId, limit: limit + 1 });
    return toPage(rows, limit, (r) => String(r.id));
  }
}
