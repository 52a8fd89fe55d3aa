/**
 * One contract suite, every driver: tests ask for `testDrivers()` and run the same assertions on
 * embedded PGlite and, when DATABASE_URL is set (CI), on the PostgreSQL server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { isPgliteDb, openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';

export interface TestDriver {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database of its own; close() throws it away. */
  open(): Promise<Db>;
}

const migrationsHash = crypto.createHash('sha256').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 16);
let snapshot: Promise<Blob> | undefined;

// PGlite's first start costs seconds; a migrated snapshot, shared across test processes through a
// file keyed by the migrations, makes each further database a sub-second clone.
async function migratedSnapshot(): Promise<Blob> {
  const file = path.join(os.tmpdir(), `lightpath-test-snapshot-${migrationsHash}.tar`);
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const db = await openPglite({});
  await migrate(db);
  if (!isPgliteDb(db)) throw new Error('expected PGlite');
  const blob = await db.snapshot();
  await db.close();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
  fs.renameSync(tmp, file);
  return blob;
}

export const pgliteDriver: TestDriver = {
  name: 'pglite',
  async open() {
    snapshot ??= migratedSnapshot();
    const db = await openPglite({ snapshot: await snapshot });
    await migrate(db);
    return db;
  },
};

export const postgresDriver = (url: string): TestDriver => ({
  name: 'postgres',
  async open() {
    // Each test database is a schema of its own on the shared server, dropped on close.
    const schema = `lp_test_${crypto.randomBytes(6).toString('hex')}`;
    const admin = await openPostgres({ url, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.close();
    const db = await openPostgres({ url, searchPath: `${schema},public`, max: 10 });
    await migrate(db);
    const close = db.close.bind(db);
    return Object.assign(db, {
      async close() {
        await db.query(`DROP SCHEMA ${schema} CASCADE`);
        await close();
      },
    });
  },
});

/** PGlite always; the PostgreSQL server too when DATABASE_URL is set. */
export function testDrivers(): TestDriver[] {
  const url = process.env.DATABASE_URL;
  return url ? [pgliteDriver, postgresDriver(url)] : [pgliteDriver];
}
