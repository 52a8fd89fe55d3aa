import pg from 'pg';
import crypto from 'node:crypto';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.js';
import { redactUrl } from './db.js';
import { isConnectionError, OutcomeUnknownError } from './errors.js';

/**
 * True when DATABASE_URL points at a transaction-mode pooler (PgBouncer, `LIGHTPATH_DB_POOLER=transaction`):
 * consecutive transactions may then run on different server connections, so nothing may rely on session
 * state. The only session state Lightpath would otherwise keep is named prepared statements (PgBouncer
 * 1.18, Debian 12's, cannot carry them across server connections), so they are turned off; advisory
 * locks are all transaction-scoped and nothing LISTENs.
 */
export function behindTransactionPooler(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.LIGHTPATH_DB_POOLER ?? '').toLowerCase() === 'transaction';
}

/** Connects to a real PostgreSQL server through a connection pool. */
export async function openPostgres(opts: { url: string; searchPath?: string; max?: number; connectionTimeoutMs?: number; preparedStatements?: boolean }): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 20,
    // Fail fast while the server is down (the API answers 503 store-unavailable) instead of queueing forever.
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    keepAlive: true,
    ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath}` } : {}),
  });
  // Idle clients can error when the server restarts; without a listener that would crash the process.
  pool.on('error', () => {});
  const client = await pool.connect();
  client.release();
  return new PostgresDb(pool, `PostgreSQL at ${redactUrl(opts.url)}`, opts.preparedStatements ?? !behindTransactionPooler());
}

const statementNames = new Map<string, string>();

/** What node-postgres is asked to run: named (prepared once per connection) when the caller asks for it. */
function config(sql: string, params: readonly unknown[] | undefined, opts: QueryOptions | undefined, prepared: boolean): pg.QueryConfig {
  const values = params as unknown[] | undefined;
  if (!opts?.prepare || !prepared) return { text: sql, values };
  let name = statementNames.get(sql);
  if (!name) {
    // Named by content, so a name can never stand for two texts.
    name = `lp_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return { name, text: sql, values };
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly pool: pg.Pool,
    readonly description: string,
    /** False behind a transaction-mode pooler: every statement is sent unnamed. */
    private readonly prepared: boolean,
  ) {}

  async query<Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<Row>> {
    const r = await this.pool.query(config(sql, params, opts, this.prepared));
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A client whose connection broke goes back to the pool destroyed, never to be handed out again.
    let broken: Error | undefined;
    // A connection that dies while checked out emits 'error' on the client; the pending query rejects
    // too, which is where it is handled. Without a listener the event would crash the process.
    const onError = (err: Error): void => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const prepared = this.prepared;
      const q: Queryable = {
        async query<Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions) {
          const r = await client.query(config(sql, params, opts, prepared));
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
        },
      };
      const result = await fn(q);
      try {
        await client.query('COMMIT');
      } catch (err) {
        // The server may have committed before the connection broke: only a read can tell.
        if (isConnectionError(err)) {
          broken = err as Error;
          throw new OutcomeUnknownError(err);
        }
        throw err;
      }
      return result;
    } catch (err) {
      if (isConnectionError(err)) broken ??= err as Error;
      // Before COMMIT, a broken connection means the server rolled the transaction back.
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
