/**
 * Every shell example in README.md, as written, in order, as one bash session (variables carry on,
 * commands may span lines), against a fresh server started the way `npm start` starts it (embedded
 * store in ./.lightpath of the working directory, $KEY its operator key): a failing example (non-zero
 * exit, an HTTP error from curl) fails the test and names its README line. The working directory is a temporary
 * folder beside a link to the shared reference data, so `../shared/...` paths work as in a clone.
 *
 * What is not run, and why (kept to a minimum; each is listed in `SKIPPED`): `npm …` lines (installing,
 * starting the server — the test does that itself — the test suite and benchmarks). Commands that run
 * until interrupted (`events --follow`, `serve`) must stay up 8 s and are then stopped with Ctrl-C.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, sharedDir } from '../support/shared.js';

const bin = path.join(repoRoot, 'bin', 'lightpath.js');

/**
 * README.md as one bash script, line for line: every line inside a ```sh block is kept, every other
 * line is blank, so bash's $LINENO is the README's line number and a failure names it. Commands may
 * span lines (quotes, backslashes) as a shell reads them; variables carry on as in one terminal.
 */
export function readmeScript(markdown: string, rewrite: (line: string) => string): { script: string; commands: number } {
  let inSh = false;
  let commands = 0;
  const lines = markdown.split('\n').map((raw) => {
    const fence = /^```(\w*)\s*$/.exec(raw.trim());
    if (fence) {
      inSh = !inSh && (fence[1] === 'sh' || fence[1] === 'bash' || fence[1] === 'shell');
      return '';
    }
    if (!inSh) return '';
    if (/^(npx lightpath|curl) /.test(raw)) commands++;
    return rewrite(raw);
  });
  return { script: lines.join('\n'), commands };
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

/** A README line as the test runs it: the repo's CLI, the test server's URL, curl failing on HTTP errors. */
function rewrite(line: string): string {
  if (SKIPPED.test(line.trim())) return ': skipped, the test plays this part';
  let out = line
    .replaceAll('npx lightpath', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`)
    .replaceAll('http://127.0.0.1:8080', url)
    .replace(/^curl /, 'curl -sS --fail-with-body ');
  // Run until interrupted: up for 8 s and then stopped with Ctrl-C (timeout says 124) is a pass.
  if (LONG_RUNNING.test(line) && !line.trimEnd().endsWith('\\')) out = `timeout -s INT 8 ${out.replace(/\s+#.*$/, '')} || [ $? -eq 124 ]`;
  return out;
}

function runScript(script: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -eo pipefail\ntrap 'echo "README.md:$LINENO failed: $BASH_COMMAND" >&2' ERR\n${script}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
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

  test('the script keeps README line numbers and only the shell blocks', () => {
    const { script, commands } = readmeScript('text\n```sh\nnpx lightpath sites   # build\n```\n```json\n{}\n```\n', (l) => l);
    assert.deepEqual(script.split('\n'), ['', '', 'npx lightpath sites   # build', '', '', '', '', '']);
    assert.equal(commands, 1);
  });

  test('every shell example in README.md works as written, in order', async () => {
    const { script, commands } = readmeScript(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'), rewrite);
    assert.ok(commands >= 20, `only ${commands} commands in the README`);
    // bash's line numbers start after the two lines the runner puts first.
    const r = await runScript(script, 900_000);
    const fixed = r.out.replace(/README\.md:(\d+)/g, (_m, n: string) => `README.md:${Number(n) - 2}`);
    assert.equal(r.code, 0, fixed.slice(-4000));
  });
});
