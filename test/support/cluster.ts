/**
 * Real infrastructure for the cluster tests and bench:cluster, all on loopback ports and started by the
 * caller: a fresh database on the PostgreSQL server, HAProxy in HTTP mode in front of `lightpath serve`
 * replicas (its configuration generated from deploy/haproxy.cfg, only addresses changed), HAProxy in TCP
 * mode in front of PostgreSQL (killed to cut every connection, started again to bring the database back),
 * and PgBouncer in transaction mode (from deploy/pgbouncer.ini).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openPostgres } from '../../src/store/postgres.js';
import { repoRoot } from './shared.js';

export const HAPROXY = '/usr/sbin/haproxy';
export const PGBOUNCER = '/usr/sbin/pgbouncer';

/** A fresh database on the server (named lightpath_cluster_…), and how to drop it. */
export async function freshDatabase(url: string, prefix = 'lightpath_cluster'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = await openPostgres({ url, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres({ url: u.toString(), max: 1 });
  await db.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await db.close();
  return {
    url: u.toString(),
    name,
    async drop() {
      const a = await openPostgres({ url, max: 1 });
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

/** A TCP port free on loopback now. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves once something accepts connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running helper process (HAProxy, PgBouncer). */
export interface Daemon {
  port: number;
  proc: ChildProcess;
  /** SIGKILL: every connection through it is cut at once. */
  kill(): Promise<void>;
  /** Everything it wrote (diagnostics). */
  output(): string;
}

function daemon(cmd: string, args: readonly string[], port: number, opts: { uid?: number; gid?: number } = {}): Promise<Daemon> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const d: Daemon = {
    port,
    proc,
    output: () => out,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  return Promise.race([
    waitForPort(port).then(() => d),
    exited.then(() => {
      throw new Error(`${cmd} exited before listening:\n${out}`);
    }),
  ]);
}

/** deploy/haproxy.cfg with the frontend on `port` and the given replicas as its servers; no syslog. */
export function haproxyConfig(port: number, replicaPorts: readonly number[]): string {
  const cfg = fs.readFileSync(path.join(repoRoot, 'deploy', 'haproxy.cfg'), 'utf8');
  const servers = replicaPorts.map((p, i) => `    server r${i + 1} 127.0.0.1:${p} check`).join('\n');
  return cfg
    .replace(/^\s*log .*$/gm, '')
    .replace(/^\s*option (httplog|dontlognull)$/gm, '')
    .replace(/^\s*bind :8080$/m, `    bind 127.0.0.1:${port}`)
    .replace(/(^\s*server r\d .*\n?)+/m, `${servers}\n`);
}

/** HAProxy balancing the replicas (deploy/haproxy.cfg); its URL. */
export async function startBalancer(replicaPorts: readonly number[], dir: string): Promise<Daemon & { url: string }> {
  const port = await freePort();
  const file = path.join(dir, `haproxy-${port}.cfg`);
  fs.writeFileSync(file, haproxyConfig(port, replicaPorts));
  const d = await daemon(HAPROXY, ['-db', '-f', file], port);
  return Object.assign(d, { url: `http://127.0.0.1:${port}` });
}

/** HAProxy in TCP mode in front of PostgreSQL at `target`, listening on `port` (free one when omitted). */
export async function startTcpProxy(target: { host: string; port: number }, dir: string, port?: number): Promise<Daemon> {
  const p = port ?? (await freePort());
  const file = path.join(dir, `pg-proxy-${p}.cfg`);
  fs.writeFileSync(
    file,
    [
      'defaults',
      '    mode tcp',
      '    timeout connect 2s',
      '    timeout client 1h',
      '    timeout server 1h',
      'listen postgres',
      `    bind 127.0.0.1:${p}`,
      `    server pg ${target.host}:${target.port}`,
      '',
    ].join('\n'),
  );
  return daemon(HAPROXY, ['-db', '-f', file], p);
}

/**
 * PgBouncer in transaction mode (deploy/pgbouncer.ini, addresses and authentication changed) in front of
 * `databaseUrl`'s database. PgBouncer refuses to run as root: it then runs as the `postgres` user.
 */
export async function startPgbouncer(databaseUrl: string, dir: string, opts: { poolSize?: number } = {}): Promise<Daemon & { url: string }> {
  const u = new URL(databaseUrl);
  const db = u.pathname.slice(1);
  const port = await freePort();
  const ini = fs
    .readFileSync(path.join(repoRoot, 'deploy', 'pgbouncer.ini'), 'utf8')
    .replace(/^lightpath = .*$/m, `${db} = host=${u.hostname} port=${u.port || 5432} dbname=${db} user=${decodeURIComponent(u.username)} password=${decodeURIComponent(u.password)}`)
    .replace(/^listen_port = .*$/m, `listen_port = ${port}`)
    // Fewer server connections than clients makes PgBouncer hand one client's transactions to different ones.
    .replace(/^default_pool_size = .*$/m, `default_pool_size = ${opts.poolSize ?? 40}`)
    .replace(/^unix_socket_dir = .*$/m, 'unix_socket_dir =')
    // The test's clients need no password at PgBouncer; PgBouncer logs in to PostgreSQL with the one above.
    .replace(/^auth_type = .*$/m, 'auth_type = any')
    .replace(/^auth_file = .*$/m, '')
    .replace(/^admin_users = .*$/m, '')
    .replace(/^stats_users = .*$/m, '');
  const file = path.join(dir, `pgbouncer-${port}.ini`);
  fs.writeFileSync(file, ini);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o644);
  let ids: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    ids = { uid: id('-u'), gid: id('-g') };
  }
  const d = await daemon(PGBOUNCER, [file], port, ids);
  const via = new URL(databaseUrl);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  return Object.assign(d, { url: via.toString() });
}

/** A temporary directory for generated configurations. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
