/**
 * bench:memory — resident memory (VmRSS, Linux) of an idle `lightpath serve` on the embedded store,
 * just after its first start (which loads the built-in network) and after a restart on the same data
 * directory; and, as the peer, what opening PGlite alone costs with PostgreSQL's default
 * shared_buffers (128 MB) next to Lightpath's (src/store/pglite.ts), each in a fresh process that
 * opens the store, writes a 20,000-row table and waits. Prints figures; asserts nothing. The machine
 * is shared: compare the rows of one run.
 *
 *   npm run bench:memory
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SETTLE_MS = 15_000;
const bin = path.resolve('bin/lightpath.js');
const env = { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: '', LIGHTPATH_SERVER: '', LIGHTPATH_KEY: '' };

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitListening(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/healthz`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('serve did not answer within 120 s');
}

/** Starts serve on dataDir, waits until it answers and SETTLE_MS more, returns its RSS. */
async function idleServe(dataDir: string): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], { env, stdio: 'ignore' });
  try {
    await waitListening(`http://127.0.0.1:${port}`, child);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return rssMb(child.pid as number);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** RSS of a fresh process that opens PGlite (ours or with PostgreSQL's default settings) and writes a table. */
function pgliteAlone(which: 'lightpath' | 'postgres-default'): number {
  const script = `
    const open = ${which === 'lightpath'}
      ? (await import(${JSON.stringify(path.resolve('dist/src/store/pglite.js'))})).openPglite({})
      : (async () => {
          const { PGlite } = await import('@electric-sql/pglite');
          const { btree_gist } = await import('@electric-sql/pglite/contrib/btree_gist');
          const pg = new PGlite({ extensions: { btree_gist } });
          await pg.waitReady;
          return pg;
        })();
    const db = await open;
    await db.query('CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g');
    const sb = await db.query('SHOW shared_buffers');
    await new Promise((r) => setTimeout(r, 2000));
    const kb = Number(/VmRSS:\\s+(\\d+) kB/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]);
    console.log(JSON.stringify({ rssMb: kb / 1024, sharedBuffers: sb.rows[0].shared_buffers }));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
  if (r.status !== 0) throw new Error(`${which}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { rssMb: number; sharedBuffers: string };
  console.log(`PGlite alone, shared_buffers ${out.sharedBuffers.padEnd(6)} (${which.padEnd(16)}): ${out.rssMb.toFixed(0).padStart(4)} MB resident`);
  return out.rssMb;
}

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2-core shared machine: compare rows of one run)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-bench-memory-'));
  try {
    console.log(`serve, idle ${SETTLE_MS / 1000} s after its first start (built-in network loaded): ${(await idleServe(dir)).toFixed(0).padStart(4)} MB resident`);
    console.log(`serve, idle ${SETTLE_MS / 1000} s after a restart on the same data directory:  ${(await idleServe(dir)).toFixed(0).padStart(4)} MB resident`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ours = pgliteAlone('lightpath');
  const dflt = pgliteAlone('postgres-default');
  console.log(`shared_buffers 16MB saves ${(dflt - ours).toFixed(0)} MB resident against PostgreSQL's default in PGlite`);
}

await main();
