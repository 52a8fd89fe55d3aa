/**
 * What every CLI command shares: global options, opening the store (with the data-directory lock),
 * printing tables or JSON, and turning failures into one line and an exit code (CONVENTIONS: CLI).
 */
import { Command, CommanderError } from 'commander';
import Table from 'cli-table3';
import { LightpathError } from '../domain/errors.js';
import { ImportError } from '../import/errors.js';
import { StoreLockedError } from '../store/lock.js';
import { openStore, resolveStoreConfig } from '../store/open.js';
import { createServices, stopServices, type Services } from '../services/index.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

/** Exit codes: 1 user error, 2 usage, 3 store locked or unavailable. */
export const EXIT = { user: 1, usage: 2, store: 3, internal: 70 } as const;

/** The global options as seen from any subcommand. */
export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * Opens the store for one command, runs fn with the services, and always closes. Like the server's
 * first start, a never-initialised store gets the built-in network first, unless `initialize` is false
 * (import must load only the imported network).
 */
export async function withServices<T>(cmd: Command, fn: (services: Services) => Promise<T>, opts: { initialize?: boolean } = {}): Promise<T> {
  const g = globals(cmd);
  const db = await openStore(resolveStoreConfig(g, `lightpath ${cmd.name()}`));
  const services = createServices(db);
  try {
    if (opts.initialize !== false) await services.inventory.initialize();
    return await fn(services);
  } finally {
    await stopServices(services);
    await db.close();
  }
}

/** Prints JSON exactly as the API would, or a table for people. */
export function output(cmd: Command, json: unknown, table: () => string): void {
  if (globals(cmd).json) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  else process.stdout.write(table() + '\n');
}

/** A plain table with a header row. */
export function renderTable(head: string[], rows: (string | number | null)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === null ? '' : String(c))));
  return t.toString();
}

/** Prints a failure as `lightpath: <code>: <detail>` and returns the exit code. */
export function reportFailure(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT.usage;
  if (err instanceof StoreLockedError) {
    process.stderr.write(`lightpath: store-locked: ${err.message}\n`);
    return EXIT.store;
  }
  if (err instanceof ImportError) {
    process.stderr.write(`lightpath: validation-failed: the file cannot be imported\n${err.message.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    return EXIT.user;
  }
  if (err instanceof LightpathError) {
    const lines = (err.errors ?? []).map((e) => (e.file ? `  ${e.file}:${e.line ?? '?'}: ${e.path}: ${e.message}` : `  ${e.path}: ${e.message}`));
    const first = err.detail.split('\n')[0];
    process.stderr.write(`lightpath: ${err.code}: ${first}\n${lines.length ? lines.join('\n') + '\n' : ''}`);
    return err.code === 'store-locked' ? EXIT.store : EXIT.user;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
    process.stderr.write(`lightpath: validation-failed: ${e.message}\n`);
    return EXIT.user;
  }
  if (e && (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL')) {
    process.stderr.write(`lightpath: conflict: cannot listen: ${e.message}\n`);
    return EXIT.user;
  }
  if (e && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000')) {
    process.stderr.write(`lightpath: store-locked: database unavailable: ${e.message}\n`);
    return EXIT.store;
  }
  process.stderr.write(`lightpath: internal: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}
