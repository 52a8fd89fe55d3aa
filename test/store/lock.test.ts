/**
 * The data-directory lock with real processes: who gets the directory is decided by the kernel (file lock,
 * socket), so the oracle is the operating system's own behaviour under the scenarios that broke the PID
 * file: two starters, a holder killed with SIGKILL, a record naming a live unrelated PID, a stampede, a
 * holder in another network namespace.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  acquireDataDirLock,
  dataDirHolder,
  heldDataDirLock,
  parseHolder,
  StoreLockedError,
  unverifiableHolder,
  type LockHolder,
} from '../../src/store/lock.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-child.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-lock-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(tmp, `d${++dirs}`);
const lockFile = (dir: string) => path.join(dir, 'lightpath.lock');

interface Event {
  event: 'ready' | 'acquired' | 'refused' | 'url-set' | 'released' | 'churned' | 'error';
  acquired?: number;
  violations?: number;
  pid?: number;
  code?: string;
  message?: string;
  holder?: LockHolder | null;
}

interface Child {
  proc: ChildProcess;
  pid: number;
  next(): Promise<Event>;
  send(line: string): void;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts lock-child.js (through `unshare --net` when netns is set: a network namespace of its own). */
function start(dir: string, command: string, flags: string[] = [], opts: { netns?: boolean } = {}): Child {
  const argv = [childScript, dir, command, ...flags];
  const proc = opts.netns ? spawn('unshare', ['--net', process.execPath, ...argv]) : spawn(process.execPath, argv);
  children.add(proc);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => (children.delete(proc), resolve(code))));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const events: Event[] = [];
  const waiting: ((e: Event) => void)[] = [];
  readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
    const e = JSON.parse(l) as Event;
    const w = waiting.shift();
    if (w) w(e);
    else events.push(e);
  });
  return {
    proc,
    pid: proc.pid!,
    exited,
    send: (line) => proc.stdin!.write(line + '\n'),
    next: () =>
      events.length
        ? Promise.resolve(events.shift()!)
        : new Promise<Event>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`child ${proc.pid} said nothing; stderr: ${stderr}`)), 90_000);
            exited.then((code) => setTimeout(() => reject(new Error(`child exited ${code}; stderr: ${stderr}`)), 200));
            waiting.push((e) => {
              clearTimeout(timer);
              resolve(e);
            });
          }),
  };
}

async function holder(dir: string, command: string, flags: string[] = [], opts: { netns?: boolean } = {}): Promise<Child> {
  const c = start(dir, command, flags, opts);
  const e = await c.next();
  assert.equal(e.event, 'acquired', JSON.stringify(e));
  assert.equal(e.pid, c.pid);
  return c;
}

async function refusedBy(dir: string, flags: string[] = []): Promise<Event> {
  const c = start(dir, 'lightpath second', flags);
  const e = await c.next();
  assert.equal(e.event, 'refused', JSON.stringify(e));
  assert.equal(e.code, 'store-locked');
  assert.equal(await c.exited, 3);
  return e;
}

async function kill9(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

async function releaseAndExit(c: Child): Promise<void> {
  c.send('release');
  assert.equal((await c.next()).event, 'released');
  assert.equal(await c.exited, 0);
}

const canUnshare = process.platform === 'linux' && spawnSync('unshare', ['--net', 'true']).status === 0;

describe('data-directory lock (separate processes)', () => {
  test('a second process is refused with store-locked naming the first (pid, command); free again once it releases', async () => {
    const dir = freshDir();
    const a = await holder(dir, 'lightpath serve');
    const e = await refusedBy(dir);
    assert.equal(e.holder?.pid, a.pid);
    assert.equal(e.holder?.command, 'lightpath serve');
    assert.equal(e.holder?.hostname, os.hostname());
    assert.match(e.message!, new RegExp(`process ${a.pid} on ${os.hostname()} \\(lightpath serve, since `));
    await releaseAndExit(a);
    assert.equal(fs.existsSync(lockFile(dir)), false, 'a clean release leaves no record');
    await releaseAndExit(await holder(dir, 'lightpath third'));
  });

  test('kill -9 of the holder: a new process takes the directory at once, though the record is still there and fresh', async () => {
    const dir = freshDir();
    const a = await holder(dir, 'lightpath serve');
    await kill9(a);
    const left = parseHolder(fs.readFileSync(lockFile(dir), 'utf8'));
    assert.equal(left?.pid, a.pid, 'the killed holder left its record behind');
    // Within its heartbeat window: the record alone would still say "alive".
    const ageMs = Date.now() - fs.statSync(lockFile(dir)).mtimeMs;
    assert.ok(ageMs < 6 * left!.heartbeatMs!, `record is ${ageMs} ms old`);
    const b = await holder(dir, 'lightpath next');
    assert.equal(parseHolder(fs.readFileSync(lockFile(dir), 'utf8'))?.pid, b.pid, 'the new holder wrote its record');
    await kill9(b);
  });

  test('a record naming a live but unrelated PID (the test itself, its parent, PID 1) locks nobody out', async () => {
    for (const pid of [process.pid, process.ppid, 1]) {
      for (const record of [
        // As the PID file before this lock wrote it.
        { pid, hostname: os.hostname(), command: 'lightpath serve', startedAt: new Date().toISOString() },
        // As this lock writes it, just refreshed, from this kernel and this network namespace.
        (await (async () => {
          const probe = await acquireDataDirLock(path.join(tmp, `probe-${pid}`), 'probe');
          const h = { ...probe.holder, pid, command: 'lightpath serve' };
          probe.release();
          return h;
        })()),
      ]) {
        const dir = freshDir();
        fs.mkdirSync(dir);
        fs.writeFileSync(lockFile(dir), JSON.stringify(record));
        await releaseAndExit(await holder(dir, 'lightpath serve'));
        // And in this very process, whose own PID the record names when pid === process.pid.
        fs.writeFileSync(lockFile(dir), JSON.stringify(record));
        const mine = await acquireDataDirLock(dir, 'lightpath test');
        assert.equal(mine.holder.pid, process.pid);
        mine.release();
      }
    }
  });

  test('8 processes started at one moment on one directory: exactly one gets it, the others name it (3 rounds, file lock and socket-only)', async () => {
    for (const mode of [[], ['--no-file-lock']]) {
      for (let round = 0; round < 3; round++) {
        const dir = freshDir();
        const group = Array.from({ length: 8 }, (_, i) => start(dir, `lightpath racer-${i}`, ['--wait-go', ...mode]));
        for (const c of group) assert.equal((await c.next()).event, 'ready');
        for (const c of group) c.send('go');
        const results = await Promise.all(group.map((c) => c.next()));
        const winners = group.filter((_, i) => results[i].event === 'acquired');
        assert.equal(winners.length, 1, `mode ${mode.join(' ') || 'file lock'} round ${round}: ${JSON.stringify(results)}`);
        for (const r of results.filter((x) => x.event !== 'acquired')) {
          assert.equal(r.event, 'refused', JSON.stringify(r));
          assert.equal(r.holder?.pid, winners[0].pid, `a loser names the winner: ${JSON.stringify(r)}`);
        }
        await Promise.all(group.filter((c) => c !== winners[0]).map((c) => c.exited));
        await kill9(winners[0]);
      }
    }
  });

  test('4 processes taking and releasing one directory 25 times each: never two inside at once (O_EXCL witness)', async () => {
    for (const mode of [[], ['--no-file-lock']]) {
      const dir = freshDir();
      fs.mkdirSync(dir);
      const group = Array.from({ length: 4 }, (_, i) => start(dir, `lightpath churn-${i}`, ['--wait-go', '--churn', '25', ...mode]));
      for (const c of group) assert.equal((await c.next()).event, 'ready');
      for (const c of group) c.send('go');
      for (const r of await Promise.all(group.map((c) => c.next()))) {
        assert.equal(r.event, 'churned', JSON.stringify(r));
        assert.equal(r.acquired, 25);
        assert.equal(r.violations, 0, `mode ${mode.join(' ') || 'file lock'}`);
      }
      assert.equal(fs.existsSync(lockFile(dir)), false, 'the last release removed the record');
    }
  });

  test('dataDirHolder: null when free, the live holder (with its url) while held, null again after release or kill -9', async () => {
    const dir = freshDir();
    assert.equal(await dataDirHolder(dir), null, 'no directory');
    fs.mkdirSync(dir);
    assert.equal(await dataDirHolder(dir), null, 'empty directory');
    const a = await holder(dir, 'lightpath serve');
    const h = await dataDirHolder(dir);
    assert.equal(h?.pid, a.pid);
    assert.equal(h?.command, 'lightpath serve');
    assert.equal(h?.url, undefined);
    a.send('url http://127.0.0.1:40123');
    assert.equal((await a.next()).event, 'url-set');
    assert.equal((await dataDirHolder(dir))?.url, 'http://127.0.0.1:40123');
    assert.equal(parseHolder(fs.readFileSync(lockFile(dir), 'utf8'))?.url, 'http://127.0.0.1:40123', 'the record says it too');
    await releaseAndExit(a);
    assert.equal(await dataDirHolder(dir), null);
    const b = await holder(dir, 'lightpath serve');
    assert.equal((await dataDirHolder(dir))?.pid, b.pid);
    await kill9(b);
    assert.ok(fs.existsSync(lockFile(dir)), 'the killed holder left its record');
    assert.equal(await dataDirHolder(dir), null, 'a record is not an answer');
  });

  test('the record deleted by hand while held: the socket still refuses a second process', async () => {
    const dir = freshDir();
    const a = await holder(dir, 'lightpath serve');
    fs.rmSync(lockFile(dir));
    const e = await refusedBy(dir);
    assert.equal(e.holder?.pid, a.pid);
    await kill9(a);
  });

  test('openStore holds the lock for the life of the store handle', async () => {
    const dir = freshDir();
    const a = await holder(dir, 'lightpath serve', ['--open-store']);
    const c = start(dir, 'lightpath sites', ['--open-store']);
    const e = await c.next();
    assert.equal(e.event, 'refused', JSON.stringify(e));
    assert.equal(e.holder?.pid, a.pid);
    await releaseAndExit(a);
    await releaseAndExit(await holder(dir, 'lightpath sites', ['--open-store']));
  });

  test('a holder in another network namespace (its socket out of reach) is still refused and reported', { skip: !canUnshare && 'needs `unshare --net` (Linux, root)' }, async () => {
    const dir = freshDir();
    // With the file lock: the kernel refuses, whatever the namespace.
    const a = await holder(dir, 'lightpath serve', [], { netns: true });
    const e = await refusedBy(dir);
    assert.equal(e.holder?.pid, a.pid);
    assert.match(e.message!, /out of reach/);
    assert.equal((await dataDirHolder(dir))?.pid, a.pid, 'dataDirHolder falls back to the file lock');
    // A container restarted in a new namespace after a crash takes its directory at once.
    await kill9(a);
    await releaseAndExit(await holder(dir, 'lightpath serve'));

    // Without the file lock only the record's heartbeat can tell: a fresh one is refused, a stale one not.
    const beat = ['--no-file-lock', '--heartbeat-ms', '500'];
    const b = await holder(dir, 'lightpath serve', beat, { netns: true });
    const r = await refusedBy(dir, beat);
    assert.equal(r.holder?.pid, b.pid);
    assert.match(r.message!, /another network namespace of this host/);
    assert.equal((await refusedBy(dir)).holder?.pid, b.pid, 'a starter with the file lock honours a holder without it');
    assert.equal((await dataDirHolder(dir))?.pid, b.pid);
    await kill9(b);
    // Stale after 6 beats (3 s) since the last refresh.
    const waitMs = 6 * 500 - (Date.now() - fs.statSync(lockFile(dir)).mtimeMs) + 300;
    await new Promise((res) => setTimeout(res, Math.max(0, waitMs)));
    assert.equal(await dataDirHolder(dir), null);
    await releaseAndExit(await holder(dir, 'lightpath serve', beat));
  });
});

describe('data-directory lock (this process)', () => {
  test('a second acquire in the same process is refused naming this process; the handle is reachable until released', async () => {
    const dir = freshDir();
    const lock = await acquireDataDirLock(dir, 'lightpath serve');
    assert.equal(heldDataDirLock(dir), lock);
    await assert.rejects(acquireDataDirLock(dir, 'lightpath again'), (err: unknown) => {
      assert.ok(err instanceof StoreLockedError);
      assert.equal(err.holder?.pid, process.pid);
      return true;
    });
    lock.setUrl('http://127.0.0.1:1');
    assert.equal((await dataDirHolder(dir))?.url, 'http://127.0.0.1:1');
    lock.release();
    lock.release();
    lock.setUrl('http://ignored');
    assert.equal(heldDataDirLock(dir), undefined);
    assert.equal(await dataDirHolder(dir), null);
    (await acquireDataDirLock(dir, 'lightpath again')).release();
  });

  test('the message names the holder as the CLI prints it', () => {
    const h: LockHolder = { pid: 42, hostname: 'h1', command: 'lightpath serve', startedAt: '2025-01-01T00:00:00.000Z' };
    assert.equal(
      new StoreLockedError('/d', h).message,
      'data directory /d is in use by process 42 on h1 (lightpath serve, since 2025-01-01T00:00:00.000Z); stop it or use another --data-dir',
    );
    assert.equal(new StoreLockedError('/d', null).message, 'data directory /d is locked by another process; stop it or use another --data-dir');
  });

  test('records the guards cannot verify: honoured only while their heartbeat is fresh', () => {
    const base = { pid: 7, command: 'lightpath serve', startedAt: '2025-01-01T00:00:00.000Z', heartbeatMs: 10_000 };
    const me = { hostname: 'a', bootId: 'boot-a', netns: 'net:[1]', fileLock: true };
    const otherHost = { ...base, hostname: 'b', bootId: 'boot-b', netns: 'net:[1]', fileLock: true };
    assert.match(unverifiableHolder(otherHost, 5_000, me) ?? '', /another host/);
    assert.match(unverifiableHolder(otherHost, -5_000, me) ?? '', /another host/, 'a clock ahead of ours still counts as fresh');
    assert.equal(unverifiableHolder(otherHost, 61_000, me), null, 'stale after 6 beats');
    assert.equal(unverifiableHolder({ ...otherHost, heartbeatMs: undefined }, 0, me), null, 'no heartbeat promised: a record only');
    const otherNs = { ...base, hostname: 'a', bootId: 'boot-a', netns: 'net:[2]', fileLock: true };
    assert.equal(unverifiableHolder(otherNs, 0, me), null, 'one kernel, both under the file lock');
    assert.match(unverifiableHolder(otherNs, 0, { ...me, fileLock: false }) ?? '', /another network namespace/);
    assert.match(unverifiableHolder({ ...otherNs, fileLock: false }, 0, me) ?? '', /another network namespace/);
    assert.equal(unverifiableHolder({ ...otherNs, netns: 'net:[1]', fileLock: false }, 0, { ...me, fileLock: false }), null, 'one socket namespace');
    // A reboot changes the boot id, not the host name: the new kernel's guards cover the old kernel's dead holder only by staleness.
    assert.match(unverifiableHolder({ ...otherNs, bootId: 'boot-old' }, 0, me) ?? '', /another host/);
  });
});
