/** Independent helpers for import tests: a second distance formula and error-message checks. */
import assert from 'node:assert/strict';
import { ImportError } from '../../src/import/errors.js';

/** Great-circle km by the spherical law of cosines (a different formula from the haversine under test). */
export function cosineLawKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const c = Math.sin(lat1 * r) * Math.sin(lat2 * r) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.cos((lon2 - lon1) * r);
  return 6371.0088 * Math.acos(Math.max(-1, Math.min(1, c)));
}

/** Runs fn, expects an ImportError, and returns its message lines ("file:line: field: problem"). */
export function importErrorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ImportError, `expected ImportError, got ${String(e)}`);
    assert.ok(e.issues.length > 0);
    return e.message.split('\n');
  }
  assert.fail('expected an ImportError');
}

/** Asserts that one of the error lines starts with the expected "file:line: field:" and contains the words. */
export function assertIssue(lines: string[], prefix: string, words: string): void {
  assert.ok(
    lines.some((l) => l.startsWith(prefix) && l.includes(words)),
    `expected "${prefix} ...${words}..." among:\n${lines.join('\n')}`,
  );
}
