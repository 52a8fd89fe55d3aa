/**
 * bench:cli — how long a `lightpath` command takes, as a person runs it (a new process each time), in
 * the two ways a command reaches Lightpath: through a running server (the CLI as an HTTP client, as
 * after `npm start`) and, as the peer, with no server (the command opens the embedded store itself,
 * migrations and all). Prints the median and worst of N runs per command, and the load average: the
 * machine is shared and noisy, so compare the columns of one run, not runs of different days.
 *
 *   npm run bench:cli [-- --runs 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const bin = path.resolve('bin/lightpath.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-bench-cli-'));
const env = { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: '', LIGHTPATH_SERVER: '', LIGHTPATH_KEY: '' };
const COMMANDS = [
  ['sites', '--kind', 'datacenter'],
  ['path', 'chi-pop', 'nyc-pop', '--k', '3', '--diverse', 'srlg'],
  ['reach', 'chi-pop', '--within', '5ms'],
  ['quote', 'wave', 'ash-dc1', 'chi-pop', '--bandwidth', '400'],
  ['services', 'list'],
];

function time(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '--data-dir', dir, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lightpath ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${(s[Math.floor(s.length / 2)] / 1000).toFixed(2)} s (worst ${(s[s.length - 1] / 1000).toFixed(2)} s)`;
}

async function main(): Promise<void> {
  // First, no server: the store is created and the built-in network loaded once (not timed).
  time(['srlgs']);
  const local = new Map(COMMANDS.map((c) => [c.join(' '), [] as number[]]));
  for (let i = 0; i < runs; i++) for (const c of COMMANDS) local.get(c.join(' '))?.push(time(c));

  const server = spawn(process.execPath, [bin, '--data-dir', dir, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    server.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (/Lightpath listening on/.test(buf)) resolve();
    });
    server.stderr.resume();
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${buf}`)));
  });
  const remote = new Map(COMMANDS.map((c) => [c.join(' '), [] as number[]]));
  try {
    for (let i = 0; i < runs; i++) for (const c of COMMANDS) remote.get(c.join(' '))?.push(time(c));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`lightpath commands, ${runs} runs each, a new process per run (load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores, shared)`);
  console.log(`${'command'.padEnd(48)} ${'beside a running server'.padEnd(26)} no server (opens the store)`);
  for (const c of COMMANDS) {
    const k = c.join(' ');
    console.log(`${k.padEnd(48)} ${stats(remote.get(k) ?? []).padEnd(26)} ${stats(local.get(k) ?? [])}`);
  }
}

await main();
