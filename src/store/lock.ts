/**
 * The exclusive lock on an embedded data directory. PGlite does not lock its files and two processes
 * writing one directory would corrupt it, so every process that opens it goes through here.
 *
 * Who holds the directory is decided by the kernel, never by a PID read from a file:
 *
 * 1. An OS file lock on `<dataDir>/lightpath.lock`, held on an open descriptor for the life of the
 *    holder: an open-file-description lock on Linux (`F_OFD_SETLK`), `flock` on macOS, `LockFileEx` on
 *    Windows (through fs-native-extensions, which ships prebuilt binaries). It is taken atomically, the
 *    kernel drops it the moment the holder dies (`kill -9` included), and it binds every process that
 *    sees the same file on this kernel, whatever its PID, PID namespace or network namespace (two
 *    containers sharing a volume). On a network file system it is as good as that file system's locking.
 * 2. A listening Unix socket that the holder answers on: on Linux in the abstract namespace
 *    (`\0lightpath-<sha256(realpath(dataDir))>`: no file, gone when the holder dies), a socket file on
 *    macOS, a named pipe on Windows. Binding it is a second, independent exclusion within one network
 *    namespace (it still guards when the file lock is missing: a platform without the prebuilt binary such
 *    as musl, a file system without locks, the lock file deleted by hand), and connecting to it is how any
 *    process learns who holds the directory from the live holder itself: one JSON line, then the
 *    connection is closed ({@link dataDirHolder}).
 *
 * The lock file's content ({@link LockHolder}: pid, hostname, command, startedAt, url...) is written after
 * both are held and is information only: it is never trusted to let a process in, so a record naming a
 * dead PID, a reused PID or the starter's own PID (a container restarted as PID 1) locks nobody out.
 *
 * Limits, and what is done about them. The abstract socket is per network namespace and the file lock is
 * per kernel (and per file system: it may not reach across hosts sharing a network volume). A holder that
 * neither guard can see from here (another host; or another network namespace when either side has no file
 * lock) is detected through its record: the holder refreshes the file's mtime every `heartbeatMs` (10 s),
 * and a record from such a holder refreshed within the last 6 beats is refused with a message saying so.
 * That check trusts the two hosts' clocks to agree within a minute and the holder's event loop not to stall
 * for a minute; a holder that died leaves a record that stops blocking 60 s after its last refresh (so
 * without the file lock, a container restarted into a new network namespace right after a crash is
 * refused for up to that minute; with it, it starts at once).
 * Records from versions before this lock (no `heartbeatMs`) are ignored: stop such processes before
 * upgrading. The socket name is not secret: a local process that squats it makes starters refuse (safe).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Who holds an embedded data directory, as the holder tells it (socket) or last wrote it (file). */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  startedAt: string;
  /** Where the holder can be reached (e.g. the server's HTTP address), once it has said so. */
  url?: string;
  /** The holder's kernel boot id (Linux): tells another host or a reboot from this kernel. */
  bootId?: string;
  /** The holder's network namespace (Linux, `/proc/self/ns/net`): the scope of its abstract socket. */
  netns?: string;
  /** Whether the holder holds the OS file lock (false: only its socket guards the directory). */
  fileLock?: boolean;
  /** The holder refreshes the lock file's mtime this often (ms). */
  heartbeatMs?: number;
}

/** Raised when another live process holds the data directory. */
export class StoreLockedError extends Error {
  readonly code = 'store-locked';
  constructor(readonly dataDir: string, readonly holder: LockHolder | null, readonly reason?: string) {
    super(
      holder
        ? `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.hostname} (${holder.command}, since ${holder.startedAt})${reason ? ` ${reason}` : ''}; stop it or use another --data-dir`
        : `data directory ${dataDir} is locked by another process${reason ? ` ${reason}` : ''}; stop it or use another --data-dir`,
    );
  }
}

/** The handle of a held data directory. */
export interface DataDirLock {
  /** Gives the directory up (idempotent). Also runs on process exit; a killed process needs no cleanup. */
  release(): void;
  /** Tells every process that asks ({@link dataDirHolder}) where this holder can be reached. */
  setUrl(url: string): void;
  /** What this process tells others. */
  readonly holder: Readonly<LockHolder>;
}

export interface DataDirLockOptions {
  /**
   * Set to false to go without the OS file lock, as on a platform without the prebuilt binary: the socket
   * and the record's heartbeat are then the only guards (tests use this to prove that mode).
   */
  fileLock?: boolean;
  /** How often the holder refreshes its record's mtime; 10 s unless a test wants a shorter one. */
  heartbeatMs?: number;
}

const LOCK_FILE = 'lightpath.lock';
const SOCKET_FILE = 'lightpath.sock';
/** The file lock covers one byte far past the record, so that Windows' mandatory locks never stop a reader. */
const LOCK_OFFSET = 2 ** 30;
const HEARTBEAT_MS = 10_000;
/** A record not refreshed for this many beats is stale: its writer is gone (or stalled for that long). */
const STALE_BEATS = 6;
/** How long a starter keeps trying while a holder is starting or releasing before it gives up. */
const CONTEND_MS = 500;
const RETRY_MS = 20;
/** How long the holder's socket may take to answer (its event loop may be busy opening the store). */
const ANSWER_TIMEOUT_MS = 2_000;
const MAX_ANSWER_BYTES = 64 * 1024;

interface FileLocks {
  tryLock(fd: number, offset: number, length: number, opts?: { shared?: boolean }): boolean;
  unlock(fd: number, offset: number, length: number): void;
}

let fileLocks: FileLocks | null | undefined;

/** The native file-lock binding, or null where it does not load (no prebuilt binary for this platform). */
function loadFileLocks(): FileLocks | null {
  if (fileLocks === undefined) {
    try {
      fileLocks = createRequire(import.meta.url)('fs-native-extensions') as FileLocks;
    } catch {
      fileLocks = null;
    }
  }
  return fileLocks;
}

/** Tries the file lock; false when another open file holds it. */
function tryFileLock(locks: FileLocks, fd: number, shared: boolean): boolean {
  try {
    return locks.tryLock(fd, LOCK_OFFSET, 1, { shared });
  } catch (err) {
    // fcntl(2): a conflicting lock may also be reported as EACCES.
    if ((err as NodeJS.ErrnoException).code === 'EACCES') return false;
    throw err;
  }
}

/** The errors of a file system that offers no locks: the socket then guards alone. */
function noLockSupport(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOLCK' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EINVAL';
}

interface Identity {
  hostname: string;
  bootId?: string;
  netns?: string;
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
}

function identity(): Identity {
  if (process.platform !== 'linux') return { hostname: os.hostname() };
  return {
    hostname: os.hostname(),
    bootId: readOrUndefined(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    netns: readOrUndefined(() => fs.readlinkSync('/proc/self/ns/net')),
  };
}

/** Where the holder of a directory listens. */
function socketAddress(realDir: string): { path: string; isFile: boolean } {
  const hash = crypto.createHash('sha256').update(realDir).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0lightpath-${hash}`, isFile: false };
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\lightpath-${hash}`, isFile: false };
  // sun_path holds 104 bytes on macOS and the BSDs: a long data-dir path gets its socket in the temp dir.
  const inDir = path.join(realDir, SOCKET_FILE);
  return { path: Buffer.byteLength(inDir) < 104 ? inDir : path.join(os.tmpdir(), `lightpath-${hash}.sock`), isFile: true };
}

/** A record as the holder wrote or said it; null when it is not one. */
export function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder> | null;
    if (!h || typeof h !== 'object') return null;
    if (typeof h.pid !== 'number' || typeof h.hostname !== 'string' || typeof h.command !== 'string' || typeof h.startedAt !== 'string') return null;
    return h as LockHolder;
  } catch {
    return null;
  }
}

/** The record in the lock file and how long ago it was last refreshed (ms), or null. */
function readRecord(file: string): { holder: LockHolder; ageMs: number } | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const holder = parseHolder(text);
    return holder ? { holder, ageMs: Date.now() - fs.statSync(file).mtimeMs } : null;
  } catch {
    return null;
  }
}

/**
 * Why a record must be honoured although neither OS guard of this process can see its writer, or null
 * when it need not be: its writer is in reach of a guard that let us in (so it is gone), it is stale, or
 * it promises no heartbeat (a record from before this lock, or not a record at all).
 */
export function unverifiableHolder(record: LockHolder, ageMs: number, me: Identity & { fileLock: boolean }): string | null {
  const beat = record.heartbeatMs;
  if (typeof beat !== 'number' || !(beat > 0)) return null;
  if (ageMs > STALE_BEATS * beat) return null;
  const kernel = (x: Identity) => x.bootId ?? `host:${x.hostname}`;
  const sameKernel = kernel(record) === kernel(me);
  // Both sides under the file lock on one kernel: the lock we got proves the writer gone.
  if (sameKernel && me.fileLock && record.fileLock === true) return null;
  // One socket namespace: the socket we bound proves the writer gone.
  if (sameKernel && (record.netns ?? '') === (me.netns ?? '')) return null;
  const where = sameKernel ? 'in another network namespace of this host' : 'on another host (or before a reboot of this one)';
  return (
    `${where}, where this process cannot verify it; its record was refreshed ${Math.max(0, Math.round(ageMs / 1000))} s ago` +
    ` and stops counting ${Math.round((STALE_BEATS * beat) / 1000)} s after its last refresh if that process is gone`
  );
}

type Answer = { kind: 'answer'; holder: LockHolder } | { kind: 'silent' } | { kind: 'none' };

/** Connects to the holder's socket: its answer, 'silent' (bound but no answer in time), or 'none'. */
function askSocket(address: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Answer> {
  return new Promise((resolve) => {
    let text = '';
    let connected = false;
    let done = false;
    const finish = (a: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(a);
    };
    const conn = net.connect({ path: address });
    const timer = setTimeout(() => finish(connected ? { kind: 'silent' } : { kind: 'none' }), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => (connected = true));
    conn.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0 || text.length > MAX_ANSWER_BYTES) {
        const holder = parseHolder(nl >= 0 ? text.slice(0, nl) : text);
        finish(holder ? { kind: 'answer', holder } : { kind: 'silent' });
      }
    });
    conn.on('end', () => {
      const holder = parseHolder(text);
      finish(holder ? { kind: 'answer', holder } : connected ? { kind: 'silent' } : { kind: 'none' });
    });
    // ECONNREFUSED / ENOENT: nobody listens (on Linux the name is gone with its holder).
    conn.on('error', () => finish(connected ? { kind: 'silent' } : { kind: 'none' }));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Same file at the path as on the descriptor (the path may have been unlinked and recreated). */
function sameFile(fd: number, file: string): boolean {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.statSync(file);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

/** Listens on the address; resolves the server, or 'in-use'. */
function listen(address: string, onConnection: (c: net.Socket) => void): Promise<net.Server | 'in-use'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve('in-use') : reject(err)));
    server.listen({ path: address }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** The locks this process holds, by real path, so the serve command can reach its handle. */
const held = new Map<string, DataDirLock>();

/** The handle this process holds on a data directory, if any (e.g. for the server to `setUrl`). */
export function heldDataDirLock(dataDir: string): DataDirLock | undefined {
  try {
    return held.get(fs.realpathSync(dataDir));
  } catch {
    return undefined;
  }
}

/**
 * Takes the exclusive lock on an embedded data directory (creating the directory), or throws
 * {@link StoreLockedError} naming the holder. See the module comment for how and with what limits.
 */
export async function acquireDataDirLock(dataDir: string, command: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  fs.mkdirSync(dataDir, { recursive: true });
  const realDir = fs.realpathSync(dataDir);
  const file = path.join(realDir, LOCK_FILE);
  const address = socketAddress(realDir);
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const locks = options.fileLock === false ? null : loadFileLocks();

  // 1. The file lock, on the file that is at the path once we hold it: a releasing holder unlinks it,
  //    and a lock on an unlinked file would guard nothing.
  let fd = -1;
  let fileLock = false;
  const deadline = Date.now() + CONTEND_MS;
  for (;;) {
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    if (!locks) break;
    let got: boolean;
    try {
      got = tryFileLock(locks, fd, false);
    } catch (err) {
      if (!noLockSupport(err)) {
        closeQuietly(fd);
        throw err;
      }
      break;
    }
    if (got && sameFile(fd, file)) {
      fileLock = true;
      break;
    }
    closeQuietly(fd);
    if (got) continue;
    // Held. The live holder names itself on its socket (it may still be binding it, or a reader may be
    // probing the lock for an instant); a holder out of the socket's reach is named by its record.
    const answer = await askSocket(address.path);
    if (answer.kind === 'answer') throw new StoreLockedError(dataDir, answer.holder);
    if (answer.kind === 'silent' || Date.now() > deadline) {
      const rec = readRecord(file)?.holder ?? null;
      throw new StoreLockedError(dataDir, rec, answer.kind === 'none' && rec ? 'out of reach of this process (another network namespace or host)' : undefined);
    }
    await sleep(RETRY_MS);
  }

  let server: net.Server | null = null;
  try {
    // 2. The socket. With the file lock held, a socket file left behind is stale by definition.
    const me: LockHolder = {
      pid: process.pid,
      ...identity(),
      command,
      startedAt: new Date().toISOString(),
      fileLock,
      heartbeatMs,
    };
    const onConnection = (c: net.Socket) => {
      // A caller that never reads or closes must not keep this process alive or hold a descriptor.
      c.unref();
      c.setTimeout(ANSWER_TIMEOUT_MS, () => c.destroy());
      c.on('error', () => undefined);
      c.end(JSON.stringify(me) + '\n');
    };
    for (;;) {
      if (address.isFile && fileLock) fs.rmSync(address.path, { force: true });
      const bound = await listen(address.path, onConnection);
      if (bound !== 'in-use') {
        server = bound;
        break;
      }
      const answer = await askSocket(address.path);
      if (answer.kind === 'answer') throw new StoreLockedError(dataDir, answer.holder);
      if (answer.kind === 'none' && address.isFile && !fileLock) {
        // No file lock to serialise starters: a socket file nobody answers on is taken over, and the
        // record check below still refuses a holder that is alive elsewhere.
        fs.rmSync(address.path, { force: true });
        continue;
      }
      if (answer.kind === 'silent' || Date.now() > deadline) throw new StoreLockedError(dataDir, null, 'in this network namespace (it holds the socket but does not answer)');
      await sleep(RETRY_MS);
    }

    // 3. A holder that neither guard can see from here speaks only through its heartbeat.
    const prev = readRecord(file);
    const reason = prev && unverifiableHolder(prev.holder, prev.ageMs, { ...me, fileLock });
    if (prev && reason) throw new StoreLockedError(dataDir, prev.holder, reason);

    // 4. The record, written in place (the file is the lock: it must not be replaced).
    const write = () => {
      const buf = Buffer.from(JSON.stringify(me) + '\n');
      fs.writeSync(fd, buf, 0, buf.length, 0);
      fs.ftruncateSync(fd, buf.length);
    };
    write();
    // Synchronous: a queued asynchronous call could run after release, on a reused descriptor number.
    const beat = setInterval(() => {
      const now = new Date();
      try {
        fs.futimesSync(fd, now, now);
      } catch {
        // a full or read-only disk: the record only ages, which matters to nobody in reach of our guards
      }
    }, heartbeatMs);
    beat.unref();

    let released = false;
    const lockedServer = server;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(realDir);
      process.off('exit', release);
      clearInterval(beat);
      // The socket first (its name is freed synchronously), then the record, then the lock.
      lockedServer.close();
      if (fileLock ? sameFile(fd, file) : readRecord(file)?.holder.pid === me.pid) fs.rmSync(file, { force: true });
      closeQuietly(fd);
    };
    process.on('exit', release);
    const handle: DataDirLock = {
      release,
      setUrl(url: string) {
        if (released) return;
        me.url = url;
        write();
      },
      holder: me,
    };
    held.set(realDir, handle);
    return handle;
  } catch (err) {
    server?.close();
    closeQuietly(fd);
    throw err;
  }
}

/**
 * Is a live process holding the data directory, and who: the holder's own answer on its socket; when no
 * socket answers in this network namespace, the record of a holder the file lock or the heartbeat shows
 * alive elsewhere; null when nobody holds it (a record left by a killed holder is not an answer).
 */
export async function dataDirHolder(dataDir: string): Promise<LockHolder | null> {
  let realDir: string;
  try {
    realDir = fs.realpathSync(dataDir);
  } catch {
    return null;
  }
  const file = path.join(realDir, LOCK_FILE);
  const answer = await askSocket(socketAddress(realDir).path);
  if (answer.kind === 'answer') return answer.holder;
  const rec = readRecord(file);
  if (answer.kind === 'silent') return rec?.holder ?? null;
  const locks = loadFileLocks();
  let probed = false;
  if (locks) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    try {
      // A shared lock for an instant: a starter that meets it retries (CONTEND_MS).
      if (tryFileLock(locks, fd, true)) {
        locks.unlock(fd, LOCK_OFFSET, 1);
        probed = true;
      } else {
        return readRecord(file)?.holder ?? rec?.holder ?? null;
      }
    } catch (err) {
      if (!noLockSupport(err)) throw err;
    } finally {
      closeQuietly(fd);
    }
  }
  // Nobody under the file lock (or no lock to ask): only a heartbeat this process cannot verify is left.
  if (rec && unverifiableHolder(rec.holder, rec.ageMs, { ...identity(), fileLock: probed })) return rec.holder;
  return null;
}
