/**
 * What every CLI command shares: global options, printing tables or JSON, and turning failures into
 * one line and an exit code (CONVENTIONS: CLI). How a command reaches the API is in client.ts. This
 * module stays light (no store, no server): commands against a running server start fast.
 */
import { CommanderError, type Command } from 'commander';
import Table from 'cli-table3';
import { LightpathError } from '../domain/errors.js';
import { ImportError } from '../import/errors.js';
import { StoreLockedError } from '../store/lock.js';
import { globals } from './client.js';

export { globals, type GlobalOptions } from './client.js';

/** Exit codes: 1 user error, 2 usage, 3 store locked or unavailable. */
export const EXIT = { user: 1, usage: 2, store: 3, internal: 70 } as const;

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
    const first = err.detail.split('\n')[0];
    // Field errors the detail already spells out (the API's one-line detail) are not listed again.
    const listed = (err.errors ?? []).filter((e) => e.file !== undefined || !first.includes(e.message));
    const lines = listed.map((e) => (e.file ? `  ${e.file}:${e.line ?? '?'}: ${e.path}: ${e.message}` : `  ${e.path}: ${e.message}`));
    process.stderr.write(`lightpath: ${err.code}: ${first}\n${lines.length ? lines.join('\n') + '\n' : ''}`);
    return err.code === 'store-locked' || err.code === 'store-unavailable' ? EXIT.store : EXIT.user;
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
