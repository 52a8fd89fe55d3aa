import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import type { Db, Queryable, QueryResult } from './db.js';

/**
 * PostgreSQL's default shared_buffers (128 MB) is sized for a server sharing a machine's page cache;
 * inside PGlite every buffer page touched stays resident in the WebAssembly memory, which never
 * shrinks. 16 MB holds an embedded deployment's working set (the built-in network with thousands of
 * reservations is a few MB) and cut an idle server's resident memory by about 120 MB (VmRSS of
 * `serve` after a restart: 413 MB → 296 MB; see README, Memory).
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

/** Opens embedded PostgreSQL: in a data directory, in memory (dataDir undefined), or from a snapshot. */
export async function openPglite(opts: { dataDir?: string; snapshot?: Blob; description?: string }): Promise<Db> {
  const pg = new PGlite({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.snapshot ? { loadDataDir: opts.snapshot } : {}),
    extensions: { btree_gist },
    postgresqlconf: PGLITE_CONF,
  });
  await pg.waitReady;
  return new PgliteDb(pg, opts.description ?? (opts.dataDir ? `embedded PostgreSQL in ${opts.dataDir}` : 'embedded PostgreSQL in memory'));
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  // PGlite runs one connection; its transaction() holds a mutex, so concurrent callers queue up
  // exactly as they would wait for a row lock on a real server.
  constructor(readonly pg: PGlite, readonly description: string) {}

  async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    const r = await this.pg.query<Row>(sql, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) => {
      const q: Queryable = {
        async query<Row>(sql: string, params?: readonly unknown[]) {
          const r = await tx.query<Row>(sql, params as unknown[] | undefined);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
      };
      return fn(q);
    });
  }

  /** Tarball of the whole data directory, to clone a prepared database cheaply (tests). */
  async snapshot(): Promise<Blob> {
    return this.pg.dumpDataDir('none');
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}

/** True when db is embedded and can be snapshotted. */
export function isPgliteDb(db: Db): db is Db & { snapshot(): Promise<Blob> } {
  return db.kind === 'pglite' && 'snapshot' in db;
}
