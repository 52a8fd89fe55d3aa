/**
 * Every shell example in README.md, as written, in order, against a fresh server started the way
 * `npm start` starts it (embedded store in ./.lightpath of the working directory): a failing example
 * (non-zero exit, an HTTP error from curl) fails the test. The working directory is a temporary
 * folder beside a link to the shared reference data, so `../shared/...` paths work as in a clone.
 *
 * What is not run, and why (kept to a minimum; each is listed in `SKIPPED`): `npm …` lines (installing,
 * starting the server — the test does that itself — the test suite and benchmarks).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, sharedDir } from '../support/shared.js';

const bin = path.join(repoRoot, 'bin', 'lightpath.js');

/** One example line of a README shell block. */
export interface Example {
  line: number;
  command: string;
}

/** The command without a trailing comment (a `#` after whitespace, outside quotes). */
export function stripComment(s: string): string {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

/** Every command line of every ```sh block, in order. */
export function shellExamples(markdown: string): Example[] {
  const out: Example[] = [];
  let inSh = false;
  markdown.split('\n').forEach((raw, i) => {
    const fence = /^```(\w*)\s*$/.exec(raw.trim());
    if (fence) {
      inSh = !inSh && (fence[1] === 'sh' || fence[1] === 'bash' || fence[1] === 'shell');
      return;
    }
    if (!inSh) return;
    const command = stripComment(raw).trim();
    if (command !== '') out.push({ line: i + 1, command });
  });
  return out;
}

/** Lines the test does not run itself: it plays `npm start`; npm test and benchmarks are CI's. */
const SKIPPED = /^npm (ci|start|test|run bench)/;

/** Commands that run until interrupted: they must come up and stay up (or finish cleanly). */
const LONG_RUNNING = /\blightpath\b.*\b(events\b.*--follow|devices serve|serve)\b/;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-readme-'));
const cwd = path.join(root, 'clone');
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: '', LIGHTPATH_SERVER: '', LIGHTPATH_KEY: '' };
let server: ChildProcess | undefined;
let url = '';

function asRun(command: string): string {
  return command
    .replaceAll('npx lightpath', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`)
    .replaceAll('http://127.0.0.1:8080', url)
    .replace(/^curl /, 'curl -sS --fail-with-body ');
}

function runLine(command: string, timeoutMs: number): Promise<{ code: number | null; out: string; alive: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let alive = true;
    const timer = setTimeout(() => {
      // The whole process group: bash and the command it started.
      if (child.pid) process.kill(-child.pid, 'SIGINT');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      alive = signal !== null;
      resolve({ code, out, alive });
    });
  });
}

describe('README examples', () => {
  before(async () => {
    fs.mkdirSync(cwd);
    fs.symlinkSync(sharedDir, path.join(root, 'shared'));
    server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 240_000);
      server?.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /Lightpath listening on (http:\/\/[^"\s]+)/.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server?.stderr?.resume();
      server?.on('exit', (code) => reject(new Error(`server exited ${code}: ${buf}`)));
    });
    env.KEY = fs.readFileSync(path.join(cwd, '.lightpath', 'operator-key'), 'utf8').trim();
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server?.once('exit', r));
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the extractor finds commands and leaves comments out', () => {
    const ex = shellExamples("text\n```sh\nnpm ci && npm start   # build\ncurl -d '{\"a\":\"#1\"}' x # y\n```\n```json\n{}\n```\n");
    assert.deepEqual(ex.map((e) => e.command), ['npm ci && npm start', 'curl -d \'{"a":"#1"}\' x']);
  });

  test('every shell example in README.md works as written, in order', async () => {
    const examples = shellExamples(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
    assert.ok(examples.some((e) => e.command.startsWith('curl ')) && examples.some((e) => e.command.startsWith('npx lightpath ')), 'the README has examples');
    const failures: string[] = [];
    let ran = 0;
    for (const ex of examples) {
      if (SKIPPED.test(ex.command)) continue;
      const longRunning = LONG_RUNNING.test(ex.command);
      const r = await runLine(asRun(ex.command), longRunning ? 8_000 : 300_000);
      ran++;
      const ok = longRunning ? r.alive || r.code === 0 : r.code === 0;
      if (!ok) failures.push(`README.md:${ex.line}: ${ex.command}\n  exit ${r.code}${r.alive ? ' (timed out)' : ''}: ${r.out.slice(-2000)}`);
    }
    assert.ok(ran >= 10, `only ${ran} examples ran`);
    assert.deepEqual(failures, []);
  });
});
