/**
 * Real faults for tests and bench:chaos: `lightpath serve` as a child process that can be killed with
 * SIGKILL and started again on the same store, an order storm over HTTP whose clients retry with the
 * same Idempotency-Key until they get an answer, a TCP proxy in front of PostgreSQL that cuts
 * connections at chosen protocol moments (right after a command completes, before the client hears
 * it), and the checks every run ends with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db } from '../../src/store/db.js';
import { repoRoot } from './shared.js';

/** A running `lightpath serve`. */
export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** The operator key printed on first start (null on later starts). */
  firstKey: string | null;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** Everything the process wrote on stderr (never holds keys after the first start). */
  stderr(): string;
}

/** Starts `lightpath serve` on a free port against a data directory or a server URL. */
export async function startServer(store: { dataDir: string } | { databaseUrl: string }, env: Record<string, string> = {}): Promise<ServerProcess> {
  const args = [path.join(repoRoot, 'bin', 'lightpath.js'), 'serve', '--port', '0'];
  if ('dataDir' in store) args.push('--data-dir', store.dataDir);
  else args.push('--database-url', store.databaseUrl);
  const proc = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '', LIGHTPATH_RATE_LIMIT_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${err}\n${out.slice(-2000)}`)), 60_000);
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
  });
  const key = /\b(lp_[A-Za-z0-9_-]{43})\b/.exec(err);
  return {
    url,
    proc,
    firstKey: key ? key[1] : null,
    stderr: () => err,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON request; network failures come back as status 0. */
export async function call(base: string, key: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> | null; headers: Headers | null }> {
  try {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, headers: res.headers };
  } catch {
    return { status: 0, json: null, headers: null };
  }
}

/** What an order storm saw. */
export interface StormResult {
  /** Orders placed (logical requests). */
  placed: number;
  /** Acknowledged: key -> order id (a 2xx answer). */
  acknowledged: Map<string, string>;
  /** The body sent under each key. */
  bodies: Map<string, unknown>;
  /** Refused with a final answer (409 capacity-exhausted and the like). */
  refused: number;
  /** 5xx answers seen (503 while the store or server was away is expected; 500 never). */
  status5xx: Map<number, number>;
  /** Requests that got no answer (the server was down) and were retried. */
  retries: number;
}

const SITES = ['ash-dc1', 'chi-pop', 'nyc-pop', 'dal-pop', 'atl-pop', 'den-pop', 'sea-pop', 'lax-pop', 'sfo-pop', 'mia-pop', 'mkc-pop', 'stl-pop'];

/**
 * `clients` loops each placing `perClient` orders with a fresh Idempotency-Key, retrying the same
 * request (same key, same body) on no answer or a 5xx until it gets a 2xx or a 4xx; `base()` is read
 * on each attempt, so the server can move (restart on another port).
 */
export async function orderStorm(base: () => string, key: string, opts: { clients: number; perClient: number; seed: number; stop?: () => boolean }): Promise<StormResult> {
  const result: StormResult = { placed: 0, acknowledged: new Map(), bodies: new Map(), refused: 0, status5xx: new Map(), retries: 0 };
  let seed = opts.seed;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const client = async (c: number) => {
    for (let i = 0; i < opts.perClient && !opts.stop?.(); i++) {
      const a = SITES[Math.floor(random() * SITES.length)];
      let z = SITES[Math.floor(random() * SITES.length)];
      if (z === a) z = SITES[(SITES.indexOf(a) + 1) % SITES.length];
      const body = { product: random() < 0.8 ? 'wave' : 'ethernet', aSite: a, zSite: z, bandwidthGbps: 100, protection: random() < 0.2 ? 'restorable' : 'unprotected' };
      if (body.product === 'ethernet') body.bandwidthGbps = 10;
      const idem = `storm-${opts.seed}-${c}-${i}-${crypto.randomBytes(4).toString('hex')}`;
      result.placed++;
      result.bodies.set(idem, body);
      // Bounded by time, not attempts: a restart of the embedded store on a loaded machine can take a minute.
      const since = Date.now();
      for (let attempt = 0; ; attempt++) {
        const r = await call(base(), key, 'POST', '/v1/orders', body, { 'idempotency-key': idem });
        if (r.status === 200 || r.status === 201) {
          result.acknowledged.set(idem, String(r.json?.id));
          break;
        }
        if (r.status >= 400 && r.status < 500) {
          result.refused++;
          break;
        }
        if (r.status >= 500) result.status5xx.set(r.status, (result.status5xx.get(r.status) ?? 0) + 1);
        result.retries++;
        if (Date.now() - since > 300_000) throw new Error(`order ${idem} never got an answer in 5 minutes (${attempt} attempts)`);
        await new Promise((res) => setTimeout(res, 50 + Math.random() * 100));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c)));
  return result;
}

/** Polls until no order is acknowledged or in progress; returns how long that took (ms). */
export async function waitSettled(db: Db, limitMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const open = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE state IN ('acknowledged', 'inProgress')`);
    if (Number(open.rows[0].n) === 0) return Date.now() - t0;
    if (Date.now() - t0 > limitMs) throw new Error(`${open.rows[0].n} orders still unsettled after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Counts of what a run left: the figures bench:chaos prints and the tests assert on. */
export interface StoreFacts {
  orders: Record<string, number>;
  stuck: number;
  doubleAllocations: number;
  orphanAllocations: number;
  duplicateKeys: number;
}

/** Reads the facts every chaos run must end with (stuck, double allocations, orphans, duplicates). */
export async function storeFacts(db: Db): Promise<StoreFacts> {
  const states = await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM orders GROUP BY state`);
  const orders = Object.fromEntries(states.rows.map((r) => [r.state, Number(r.n)]));
  const doubles = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM allocations a JOIN allocations b
       ON a.id < b.id AND a.resource_key = b.resource_key AND a.units && b.units AND a.during && b.during`,
  );
  // A live allocation must belong to a live service (or a live trunk) whose order did not fail.
  const orphans = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM allocations al
       LEFT JOIN services s ON s.id = al.service_id
       LEFT JOIN trunks t ON t.id = al.trunk_id
       LEFT JOIN orders o ON o.id = al.order_id
      WHERE (upper_inf(al.during) OR upper(al.during) > now())
        AND ((al.service_id IS NOT NULL AND (s.id IS NULL OR s.state = 'terminated'))
          OR (al.trunk_id IS NOT NULL AND (t.id IS NULL OR t.retired_at IS NOT NULL))
          OR (o.state IN ('failed', 'cancelled')))`,
  );
  const dup = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT tenant_id, idempotency_key FROM orders WHERE idempotency_key IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d`);
  return {
    orders,
    stuck: (orders.acknowledged ?? 0) + (orders.inProgress ?? 0),
    doubleAllocations: Number(doubles.rows[0].n),
    orphanAllocations: Number(orphans.rows[0].n),
    duplicateKeys: Number(dup.rows[0].n),
  };
}

/**
 * A TCP proxy in front of PostgreSQL that can cut connections at protocol moments: reading the
 * server's messages (type byte + length), it drops both sides instead of forwarding a CommandComplete
 * or a ReadyForQuery with probability `dropRate` while armed — so the client never hears whether its
 * statement, or its COMMIT, went through.
 */
export class CuttingProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  dropRate = 0;
  /** Connections cut so far, by the message held back. */
  readonly cuts = { afterCommandComplete: 0, beforeReadyForQuery: 0 };
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly random: () => number = Math.random,
  ) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  private pipe(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', () => {
      this.sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.on('data', (d) => upstream.write(d));
    // Server to client: whole messages only, so a cut lands exactly between two of them.
    let buf = Buffer.alloc(0);
    let startupDone = false;
    upstream.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 5) return;
        const type = String.fromCharCode(buf[0]);
        const len = buf.readUInt32BE(1);
        if (buf.length < 1 + len) return;
        const msg = buf.subarray(0, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === 'Z' && !startupDone) startupDone = true;
        else if (startupDone && this.dropRate > 0 && (type === 'C' || type === 'Z') && this.random() < this.dropRate) {
          if (type === 'C') this.cuts.afterCommandComplete++;
          else this.cuts.beforeReadyForQuery++;
          drop();
          return;
        }
        client.write(msg);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What a kill -9 run measured (bench:chaos prints it; the crash test asserts on it). */
export interface CrashStats {
  kills: number;
  storm: StormResult;
  /** ms from the last restart until no order was acknowledged or in progress. */
  settleMs: number;
  /** ms from the storm's last answer until then. */
  settleAfterStormMs: number;
  /** Acknowledged orders missing from the store, or not settled. */
  lost: string[];
  /** Retries with a used Idempotency-Key that did not return the same order. */
  replayMismatches: number;
  facts: StoreFacts;
  jobsLeft: number;
}

/**
 * Runs an order storm against `lightpath serve` on `store`, killing the server with SIGKILL `kills`
 * times at pseudo-random moments and starting it again; then waits for every order to settle, replays
 * a sample of requests with their Idempotency-Key, stops the server and reads the store with `open`.
 */
export async function runCrashStorm(
  store: { dataDir: string } | { databaseUrl: string },
  open: () => Promise<Db>,
  opts: { kills: number; seed: number; clients: number; perClient: number; env: Record<string, string>; settleLimitMs: number },
): Promise<CrashStats> {
  let srv: ServerProcess = await startServer(store, opts.env);
  const key = srv.firstKey;
  if (!key) throw new Error('first start printed no operator key');
  let base = srv.url;
  const storm = orderStorm(() => base, key, { clients: opts.clients, perClient: opts.perClient, seed: opts.seed });
  let restartedAt = Date.now();
  try {
    for (let k = 0; k < opts.kills; k++) {
      await new Promise((r) => setTimeout(r, 300 + ((opts.seed * (k + 7)) % 600)));
      await srv.kill();
      srv = await startServer(store, opts.env);
      base = srv.url;
      restartedAt = Date.now();
    }
    const result = await storm;
    const stormEnd = Date.now();
    let settleMs = 0;
    for (;;) {
      const prog = await call(base, key, 'GET', '/v1/orders?limit=1000&state=inProgress');
      const ack = await call(base, key, 'GET', '/v1/orders?limit=1000&state=acknowledged');
      const n = ((prog.json?.items as unknown[]) ?? []).length + ((ack.json?.items as unknown[]) ?? []).length;
      settleMs = Date.now() - restartedAt;
      if (prog.status === 200 && ack.status === 200 && n === 0) break;
      if (settleMs > opts.settleLimitMs) throw new Error(`${n} orders still unsettled ${settleMs} ms after the last restart`);
      await new Promise((r) => setTimeout(r, 200));
    }
    let replayMismatches = 0;
    for (const [idem, id] of [...result.acknowledged].slice(0, 15)) {
      const again = await call(base, key, 'POST', '/v1/orders', result.bodies.get(idem), { 'idempotency-key': idem });
      if (again.status !== 200 || again.json?.id !== id) replayMismatches++;
    }
    await srv.stop();
    const db = await open();
    try {
      const lost: string[] = [];
      for (const [idem, id] of result.acknowledged) {
        const row = await db.query<{ state: string; idempotency_key: string }>('SELECT state, idempotency_key FROM orders WHERE id = $1', [id]);
        const r = row.rows[0];
        if (!r || r.idempotency_key !== idem || (r.state !== 'completed' && r.state !== 'failed')) lost.push(id);
      }
      const facts = await storeFacts(db);
      const jobsLeft = (await db.query('SELECT 1 FROM jobs WHERE dead_at IS NULL')).rows.length;
      return { kills: opts.kills, storm: result, settleMs, settleAfterStormMs: Math.max(0, restartedAt + settleMs - stormEnd), lost, replayMismatches, facts, jobsLeft };
    } finally {
      await db.close();
    }
  } finally {
    await srv.kill();
  }
}
