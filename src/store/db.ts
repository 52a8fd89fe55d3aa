/**
 * The one interface the rest of the product uses to reach PostgreSQL, whichever engine runs it:
 * embedded PGlite (default) or a real server (DATABASE_URL). Both speak the same SQL and run the
 * same migrations; a contract test suite runs against each.
 */

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** How to send one statement. */
export interface QueryOptions {
  /**
   * Prepare it once per connection and reuse the parsed statement and plan (hot paths whose text comes
   * from a handful of variants; each distinct text is prepared once per connection).
   */
  prepare?: boolean;
}

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<Row>>;
}

export type DbKind = 'pglite' | 'postgres';

/** A database handle with transactions. */
export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Human description without secrets, e.g. "embedded PostgreSQL in ./.lightpath". */
  readonly description: string;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATE codes the services translate into API errors. */
export const PgCode = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  /** Raised by the inventory guard (migration 006): a live allocation holds what the change would remove. */
  inUse: 'LP409',
  /** Raised by the allocation check (migration 006): a new allocation on a resource that is not there. */
  outsideInventory: 'LP422',
  /** Raised by the audit log's guard (migration 006). */
  appendOnly: 'LP403',
} as const;

/** SQLSTATE of a database error, or undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const code = (err as { code: string }).code;
    return /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  }
  return undefined;
}

/** Name of the constraint a database error names, when it names one. */
export function constraintName(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'constraint' in err) {
    const c = (err as { constraint: unknown }).constraint;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

/** Removes the password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
