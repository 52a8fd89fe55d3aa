import { PGlite, parse, protocol, type Results } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.js';

/**
 * PostgreSQL's default shared_buffers (128 MB) is sized for a server sharing a machine's page cache;
 * inside PGlite every buffer page touched stays resident in the WebAssembly memory, which never
 * shrinks. 16 MB holds an embedded deployment's working set (the built-in network with thousands of
 * reservations is a few MB) and cut an idle server's resident memory by about 120 MB (VmRSS of
 * `serve` after a restart: 413 MB → 296 MB; see README, Memory).
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

/**
 * PGlite runs no autovacuum, so nothing vacuums or analyzes a table as it changes: the planner keeps the
 * estimates of an empty database (reltuples −1, test/store/pglite-maintenance.test.ts) and prepared
 * statements the plans made from them, and dead row versions pile up behind every update (an order
 * moves its row and the occupancy counter several times), which every later read steps over: on the
 * filled calendar, in the process that filled it, quotes and orders ran about twice as slow as with the
 * maintenance below (bench:calendar, BENCH_MAINTENANCE_PEER=1). So the embedded database does what
 * autovacuum would, with its default thresholds (PostgreSQL documentation, "The Autovacuum Daemon"): every
 * MAINTENANCE_CHECK_MS, it vacuums each table with more dead rows than 50 plus a fifth of the table
 * (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor) or more rows inserted since its last
 * vacuum than 1,000 plus a fifth (the insert threshold and scale factor), and analyzes each table
 * changed by more than 50 rows plus a tenth since its last analyze (autovacuum_analyze_threshold,
 * autovacuum_analyze_scale_factor). An analyze invalidates the plans that read the table.
 * LIGHTPATH_PGLITE_MAINTENANCE_SECONDS sets the period (0: never).
 *
 * Autovacuum runs beside the queries; here each step holds the one connection and requests wait for
 * it. So it goes one table and one step at a time (requests get in between), and ANALYZE samples
 * fewer rows (below): bench:calendar prints what analyzing the filled tables costs.
 */
const MAINTENANCE_CHECK_MS = envSeconds('LIGHTPATH_PGLITE_MAINTENANCE_SECONDS', 30) * 1000;
/**
 * ANALYZE samples 300 × the statistics target rows of a table (PostgreSQL documentation, ANALYZE,
 * "Notes"). At the default target, 100, the filled calendar's allocations took half a second; 10
 * (PostgreSQL's default before 8.4) samples 3,000 rows, which holds the few distinct values and ranges
 * these queries filter on. bench:calendar prints both.
 */
export const ANALYZE_STATISTICS_TARGET = 10;
const STALE_TABLES = `SELECT * FROM (SELECT format('%I.%I', schemaname, relname) AS name,
    n_dead_tup > 50 + 0.2 * greatest(n_live_tup, 0) OR n_ins_since_vacuum > 1000 + 0.2 * greatest(n_live_tup, 0) AS vacuum,
    n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0) AS analyze
  FROM pg_stat_user_tables) t WHERE t.vacuum OR t.analyze ORDER BY t.name`;

/** The tables one maintenance pass vacuumed and analyzed (schema-qualified names). */
export interface Maintained {
  vacuumed: string[];
  analyzed: string[];
}

function envSeconds(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Opens embedded PostgreSQL: in a data directory, in memory (dataDir undefined), or from a snapshot. */
export async function openPglite(opts: { dataDir?: string; snapshot?: Blob; description?: string; maintainEveryMs?: number }): Promise<Db> {
  const pg = new PGlite({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.snapshot ? { loadDataDir: opts.snapshot } : {}),
    extensions: { btree_gist },
    postgresqlconf: PGLITE_CONF,
  });
  await pg.waitReady;
  return new PgliteDb(pg, opts.description ?? (opts.dataDir ? `embedded PostgreSQL in ${opts.dataDir}` : 'embedded PostgreSQL in memory'), opts.maintainEveryMs ?? MAINTENANCE_CHECK_MS);
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly prepared: PreparedStatements;
  // PGlite runs one connection; its transaction() holds a mutex, so concurrent callers queue up
  // exactly as they would wait for a row lock on a real server.
  private readonly maintenance: NodeJS.Timeout | null;
  private maintaining: Promise<Maintained> | null = null;

  constructor(
    readonly pg: PGlite,
    readonly description: string,
    maintainEveryMs: number,
  ) {
    this.prepared = new PreparedStatements(pg);
    // Off the requests' path, and never keeps the process alive.
    this.maintenance = maintainEveryMs > 0 ? setInterval(() => void this.maintain().catch(() => {}), maintainEveryMs).unref() : null;
  }

  /** Vacuums and analyzes the tables past autovacuum's thresholds (see MAINTENANCE_CHECK_MS). */
  async maintain(): Promise<Maintained> {
    // One pass at a time: a check that finds the last one still running waits for it.
    this.maintaining ??= (async () => {
      try {
        const stale = await this.pg.query<{ name: string; vacuum: boolean; analyze: boolean }>(STALE_TABLES);
        const done: Maintained = { vacuumed: [], analyzed: [] };
        for (const t of stale.rows) {
          // VACUUM cannot run in a transaction; ANALYZE can, with its sample size set for it alone.
          if (t.vacuum) {
            await this.pg.exec(`VACUUM ${t.name}`);
            done.vacuumed.push(t.name);
          }
          if (t.analyze) {
            await this.pg.transaction(async (tx) => void (await tx.exec(`SET LOCAL default_statistics_target = ${ANALYZE_STATISTICS_TARGET}; ANALYZE ${t.name}`)));
            done.analyzed.push(t.name);
          }
        }
        return done;
      } finally {
        this.maintaining = null;
      }
    })();
    return this.maintaining;
  }

  async query<Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<Row>> {
    // The same mutexes as PGlite's own query(): none while a transaction runs, one statement at a time.
    const r = opts?.prepare
      ? await this.pg._runExclusiveTransaction(() => this.pg._runExclusiveQuery(() => this.prepared.run<Row>(sql, params ?? [], true)))
      : await this.pg.query<Row>(sql, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const pg = this.pg;
    const prepared = this.prepared;
    return pg.transaction(async (tx) => {
      const q: Queryable = {
        async query<Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions) {
          const r = opts?.prepare ? await pg._runExclusiveQuery(() => prepared.run<Row>(sql, params ?? [], false)) : await tx.query<Row>(sql, params as unknown[] | undefined);
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
    if (this.maintenance) clearInterval(this.maintenance);
    await this.maintaining?.catch(() => {});
    await this.pg.close();
  }
}

/** True when db is embedded and can be snapshotted. */
export function isPgliteDb(db: Db): db is Db & { snapshot(): Promise<Blob>; maintain(): Promise<Maintained> } {
  return db.kind === 'pglite' && 'snapshot' in db;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Named prepared statements on PGlite's one connection, for statements sent with `prepare: true` (as
 * node-postgres does on a server). PGlite's query() sends every statement unnamed, as six protocol
 * messages, each its own call into the WebAssembly backend, and PostgreSQL parses and plans it every
 * time. Here a statement is parsed once (Parse and Describe give its parameter types), and each run
 * is Bind, Describe, Execute and Sync in one call, on the cached statement and plan. Values are
 * serialised and rows parsed with PGlite's own serializers and parsers, as its query() does, so the
 * results are the same. The caller holds PGlite's mutexes. `npm run bench:store` prints both.
 */
/** text, varchar and json: their binary wire format is the text's bytes (textrecv, json_recv). */
const TEXT_OIDS = new Set([25, 1043, 114]);
/** jsonb: binary wire format is a version byte (1) and the text (jsonb_recv). */
const JSONB_OID = 3802;
const JSONB_VERSION = Buffer.from([1]);
/** Strings at least this long are sent as bytes (below it the character loop costs less than a Buffer). */
const LONG_TEXT_CHARS = 512;

class PreparedStatements {
  private readonly statements = new Map<string, { name: string; paramOids: number[] }>();

  constructor(private readonly pg: PGlite) {}

  async run<Row>(sql: string, params: readonly unknown[], syncToFs: boolean): Promise<Results<Row>> {
    const ser = protocol.serialize;
    let st = this.statements.get(sql);
    if (st === undefined) {
      const name = `lp_${this.statements.size + 1}`;
      const r = await this.pg.execProtocol(concat([ser.parse({ name, text: sql }), ser.describe({ type: 'S', name }), ser.sync()]), { syncToFs: false });
      st = { name, paramOids: parse.parseDescribeStatementResults(r.messages) };
      this.statements.set(sql, st);
    }
    const oids = st.paramOids;
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serialize = this.pg.serializers[oids[i]];
      const text = serialize ? serialize(v) : String(v);
      // A long text, json or jsonb value goes as its UTF-8 bytes in binary format, whose wire form for
      // these types is the text itself (jsonb after a version byte): PGlite's serializer measures and
      // copies a string one character at a time in JavaScript (a quote's 7 KiB of options), Buffer
      // encodes it natively.
      if (typeof text === 'string' && text.length >= LONG_TEXT_CHARS) {
        if (TEXT_OIDS.has(oids[i])) return Buffer.from(text, 'utf8');
        if (oids[i] === JSONB_OID) return Buffer.concat([JSONB_VERSION, Buffer.from(text, 'utf8')]);
      }
      return text;
    });
    const r = await this.pg.execProtocol(concat([ser.bind({ statement: st.name, values }), ser.describe({ type: 'P' }), ser.execute({}), ser.sync()]), { syncToFs: false });
    if (syncToFs) await this.pg.syncToFs();
    return parse.parseResults(r.messages, this.pg.parsers)[0] as Results<Row>;
  }
}
