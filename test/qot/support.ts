/** Reading GNPy's reference files from ../shared/data/gnpy for the QoT tests. */
import fs from 'node:fs';
import { sharedData } from '../support/shared.js';

export function gnpyFile(...parts: string[]): string {
  return sharedData('gnpy', ...parts);
}

export function gnpyText(...parts: string[]): string {
  return fs.readFileSync(gnpyFile(...parts), 'utf8');
}

export function gnpyJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(gnpyText(...parts)) as T;
}

/** A CSV with a header row of column names and numeric rows. */
export function readCsvColumns(text: string): Record<string, number[]> {
  const lines = text.trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const cols: Record<string, number[]> = Object.fromEntries(head.map((h) => [h, [] as number[]]));
  for (const line of lines.slice(1)) line.split(',').forEach((v, k) => cols[head[k]].push(Number(v)));
  return cols;
}

/** Largest relative error |a/b − 1| over two arrays of the same length. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] / b[i] - 1));
  return m;
}
