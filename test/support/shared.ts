import path from 'node:path';
import fs from 'node:fs';

/** The repository root: tests run from it (npm test), so the working directory is the root. */
export const repoRoot = process.cwd();

/** Read-only reference data beside the repo (../shared), or LIGHTPATH_SHARED_DIR. */
export const sharedDir = process.env.LIGHTPATH_SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');

/** Absolute path of a file under shared/data. */
export function sharedData(...parts: string[]): string {
  return path.join(sharedDir, 'data', ...parts);
}

/** Files in a shared/data folder whose names end with the suffix, sorted. */
export function sharedFiles(folder: string, suffix: string): string[] {
  return fs.readdirSync(sharedData(folder)).filter((f) => f.endsWith(suffix)).sort().map((f) => sharedData(folder, f));
}
