/**
 * Guards at the edge for input that schemas cannot express or that would hurt before validation runs:
 * nesting depth (checked on the raw text, before any recursive parser sees it) and NUL characters
 * (PostgreSQL text cannot hold U+0000; such a value is refused here, naming the field, instead of
 * failing deep inside the store).
 */
import { LightpathError, validationFailed } from '../domain/errors.js';

/** Deepest JSON nesting a request body may have (the project's own documents need under 10). */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of a JSON text (arrays and objects), counted without parsing: strings are skipped
 * with their escapes. Stops counting once the limit is passed.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Parses a JSON request body, refusing bodies nested deeper than MAX_JSON_DEPTH. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new LightpathError('validation-failed', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LightpathError('validation-failed', `body is not valid JSON: ${(err as Error).message}`);
  }
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** JSON-pointer paths of every string (value or key) holding U+0000, at most `max` of them. */
export function nulPaths(value: unknown, path = '', out: string[] = [], max = 10): string[] {
  if (out.length >= max) return out;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path || '/');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, pointer(path, i), out, max));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) out.push(pointer(path, k));
      nulPaths(v, pointer(path, k), out, max);
    }
  }
  return out;
}

/** Throws validation-failed naming every field of a request part that holds a NUL character. */
export function refuseNul(part: 'body' | 'querystring' | 'params', value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    // A raw text body (an import file): name the line.
    const at = value.indexOf('\u0000');
    if (at >= 0) {
      const line = value.slice(0, at).split('\n').length;
      throw validationFailed('the body holds a NUL character', [{ path: '/', message: `line ${line}: NUL characters (U+0000) are not allowed`, line }]);
    }
    return;
  }
  const paths = nulPaths(value);
  if (paths.length > 0) {
    const where = part === 'body' ? '' : `${part}: `;
    throw validationFailed(`the ${part} holds a NUL character`, paths.map((p) => ({ path: p, message: `${where}NUL characters (U+0000) are not allowed` })));
  }
}
