import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds an embedded data directory. */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  startedAt: string;
}

/** Raised when another live process holds the data directory. */
export class StoreLockedError extends Error {
  readonly code = 'store-locked';
  constructor(readonly dataDir: string, readonly holder: LockHolder | null) {
    super(
      holder
        ? `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.hostname} (${holder.command}, since ${holder.startedAt}); stop it or use another --data-dir`
        : `data directory ${dataDir} is locked by another process; stop it or use another --data-dir`,
    );
  }
}

const LOCK_FILE = 'lightpath.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

/**
 * Takes the exclusive lock on an embedded data directory. PGlite itself does not lock its files, and two
 * processes writing one directory would corrupt it, so every process that opens it goes through here.
 * A lock left by a dead process on this host is taken over.
 */
export function acquireDataDirLock(dataDir: string, command: string): { release(): void } {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, hostname: os.hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        const holder = readHolder(file);
        if (holder && holder.pid === me.pid && holder.hostname === me.hostname) fs.rmSync(file, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holder.hostname === me.hostname && !alive(holder.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!holder) {
        // A holder that has not finished writing its record yet; give it a moment.
        const age = Date.now() - fs.statSync(file).mtimeMs;
        if (age > 5000) {
          fs.rmSync(file, { force: true });
          continue;
        }
      }
      throw new StoreLockedError(dataDir, holder);
    }
  }
  throw new StoreLockedError(dataDir, readHolder(file));
}
