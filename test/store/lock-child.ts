/**
 * A separate process that takes a data-directory lock for test/store/lock.test.ts (not a test itself).
 *
 *   node lock-child.js DATA_DIR COMMAND [--no-file-lock] [--heartbeat-ms N] [--wait-go] [--open-store]
 *
 * Prints one JSON line per event on stdout: `ready` (with --wait-go, then waits for `go` on stdin, so that
 * many children can start at one moment), then `acquired` {pid} or `refused` {code, message, holder} (exit 3).
 * While holding it reads stdin lines: `url U` (setUrl, answers `url-set`), `release` (answers `released`,
 * exits 0). End of stdin releases and exits too; SIGKILL is what the tests use to crash it.
 * With --churn N it instead takes and gives up the lock N times (retrying when refused), and while holding
 * it creates `inside` in the directory with O_EXCL as an independent witness of exclusion; it prints
 * `churned` {acquired, violations} and exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { acquireDataDirLock, heldDataDirLock, StoreLockedError, type DataDirLock } from '../../src/store/lock.js';
import { openStore } from '../../src/store/open.js';

const [dataDir, command, ...flags] = process.argv.slice(2);
const flag = (name: string) => flags.includes(name);
const heartbeatAt = flags.indexOf('--heartbeat-ms');
const heartbeatMs = heartbeatAt >= 0 ? Number(flags[heartbeatAt + 1]) : undefined;

function say(event: string, data: object = {}): void {
  process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
}

const lines = readline.createInterface({ input: process.stdin });
const queue: string[] = [];
let waiter: ((line: string | null) => void) | null = null;
let ended = false;
lines.on('line', (l) => (waiter ? (waiter(l), (waiter = null)) : queue.push(l)));
lines.on('close', () => {
  ended = true;
  waiter?.(null);
});
const nextLine = (): Promise<string | null> =>
  queue.length ? Promise.resolve(queue.shift() ?? null) : ended ? Promise.resolve(null) : new Promise((r) => (waiter = r));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function churn(times: number): Promise<void> {
  const inside = path.join(dataDir, 'inside');
  let acquired = 0;
  let violations = 0;
  while (acquired < times) {
    let lock: DataDirLock;
    try {
      lock = await acquireDataDirLock(dataDir, command, { fileLock: !flag('--no-file-lock') });
    } catch (err) {
      if (!(err instanceof StoreLockedError)) throw err;
      await sleep(Math.random() * 5);
      continue;
    }
    acquired++;
    try {
      fs.closeSync(fs.openSync(inside, 'wx'));
      await sleep(Math.random() * 3);
      fs.rmSync(inside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      violations++;
    }
    lock.release();
    await sleep(Math.random() * 3);
  }
  say('churned', { acquired, violations });
  process.exit(0);
}

async function main(): Promise<void> {
  if (flag('--wait-go')) {
    say('ready');
    if ((await nextLine()) !== 'go') process.exit(2);
  }
  const churnAt = flags.indexOf('--churn');
  if (churnAt >= 0) return churn(Number(flags[churnAt + 1]));
  let lock: DataDirLock;
  let close: () => Promise<void>;
  try {
    if (flag('--open-store')) {
      const db = await openStore({ dataDir, command });
      const handle = heldDataDirLock(dataDir);
      if (!handle) throw new Error('openStore holds no lock');
      lock = handle;
      close = () => db.close();
    } else {
      lock = await acquireDataDirLock(dataDir, command, { fileLock: !flag('--no-file-lock'), heartbeatMs });
      close = async () => lock.release();
    }
  } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    say('refused', { code: err.code, message: err.message, holder: err.holder });
    process.exit(3);
  }
  say('acquired', { pid: process.pid });
  for (;;) {
    const line = await nextLine();
    if (line?.startsWith('url ')) {
      lock.setUrl(line.slice(4));
      say('url-set');
      continue;
    }
    await close();
    say('released');
    process.exit(0);
  }
}

main().catch((err: Error) => {
  say('error', { message: err.stack ?? String(err) });
  process.exit(1);
});
