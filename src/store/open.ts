import path from 'node:path';
import type { Db } from './db.js';
import { acquireDataDirLock } from './lock.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { DEFAULT_DATA_DIR, type StoreConfig } from './config.js';

export { DEFAULT_DATA_DIR, resolveStoreConfig, type StoreConfig } from './config.js';

/**
 * Opens the store and brings its schema up to date. An embedded data directory is locked for the life
 * of the handle (heldDataDirLock(dataDir) in lock.ts reaches the lock, e.g. to setUrl); a real server is
 * shared by any number of processes.
 */
export async function openStore(config: StoreConfig): Promise<Db> {
  if (config.databaseUrl) {
    const db = await openPostgres({ url: config.databaseUrl });
    await migrate(db);
    return db;
  }
  const dataDir = path.resolve(config.dataDir ?? DEFAULT_DATA_DIR);
  const lock = await acquireDataDirLock(dataDir, config.command);
  try {
    const db = await openPglite({ dataDir: path.join(dataDir, 'pgdata'), description: `embedded PostgreSQL in ${dataDir}` });
    await migrate(db);
    const close = db.close.bind(db);
    return Object.assign(db, {
      async close() {
        try {
          await close();
        } finally {
          lock.release();
        }
      },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
}
