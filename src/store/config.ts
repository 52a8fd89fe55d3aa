/**
 * Where the store lives, resolved from flags and the environment. Kept apart from open.ts (which loads
 * the database drivers) so a process that only needs to know the place, such as the CLI talking to a
 * running server, starts without loading them.
 */
import path from 'node:path';

/** Where the store lives: a real server when databaseUrl is set, else embedded in dataDir. */
export interface StoreConfig {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** What this process is, for the lock record ("lightpath serve"). */
  command: string;
}

export const DEFAULT_DATA_DIR = '.lightpath';

/** Resolves flags over environment variables over defaults. */
export function resolveStoreConfig(flags: { databaseUrl?: string; dataDir?: string }, command: string, env = process.env): StoreConfig {
  const databaseUrl = flags.databaseUrl ?? (env.DATABASE_URL || undefined);
  const dataDir = path.resolve(flags.dataDir ?? (env.LIGHTPATH_DATA_DIR || DEFAULT_DATA_DIR));
  return { databaseUrl, dataDir, command };
}
