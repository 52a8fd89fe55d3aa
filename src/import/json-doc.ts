/**
 * JSON text with positions: parsed with jsonc-parser's parseTree (strict JSON: no comments, no
 * trailing commas) so any value's JSON path maps back to the line it is on, and typed field
 * readers that report wrong or missing fields as issues at that line.
 *
 * Before parsing, a linear scan (scanJson) refuses nesting deeper than MAX_NESTING_DEPTH (64)
 * levels: jsonc-parser's parser and getNodeValue recurse once per level and overflowed the stack at
 * a few thousand. The scan also refuses \u0000 escapes and lone surrogate escapes, which would
 * put U+0000 or a non-character into a name or id. A key repeated in one object is refused:
 * JSON.parse and getNodeValue silently keep the last one.
 */
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import { checkImportText, MAX_NESTING_DEPTH, nestingMessage } from './limits.js';
import type { IssueSink } from './limits.js';
import { LineIndex } from './lines.js';

export type Seg = string | number;
export type JsonObject = Record<string, unknown>;

/** "spans[2].geometry.coordinates[0][1]" → ['spans', 2, 'geometry', 'coordinates', 0, 1]. */
export function splitPath(path: string): Seg[] {
  const out: Seg[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out;
}

/** ['spans', 2, 'lengthKm'] → "spans[2].lengthKm". */
export function joinPath(segs: readonly Seg[]): string {
  let s = '';
  for (const seg of segs) s += typeof seg === 'number' ? `[${seg}]` : s.length === 0 ? seg : `.${seg}`;
  return s;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parsed JSON document that knows where each value sits. */
export class JsonDoc {
  private readonly lines: LineIndex;

  constructor(
    readonly root: JsonNode,
    text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  /** The plain value of the whole document. */
  value(): unknown {
    return getNodeValue(this.root);
  }

  /** Line of the deepest existing value along the path (a missing field reports its parent's line). */
  lineOf(path: readonly Seg[]): number {
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(this.root, path.slice(0, n) as Seg[]);
      if (node !== undefined) {
        // For an object property the value node's parent is the property node, which starts at its key.
        const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
        return this.lines.lineAt(at);
      }
    }
    return 1;
  }
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Linear scan of JSON text, before any recursive parsing: nesting deeper than MAX_NESTING_DEPTH
 * (stops at the first such line), and \u escapes that decode to U+0000 or to a lone surrogate.
 * Anything else malformed is left to the parser, which reports it with its line.
 */
export function scanJson(sink: IssueSink, text: string): void {
  let line = 1;
  let depth = 0;
  let inString = false;
  const n = text.length;
  const hexAt = (i: number): number => {
    for (let k = i; k < i + 4; k++) if (k >= n || !isHex(text.charCodeAt(k))) return -1;
    return parseInt(text.slice(i, i + 4), 16);
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (inString) {
      if (c === 34 /* " */) inString = false;
      else if (c === 92 /* \ */) {
        if (text.charCodeAt(i + 1) === 117 /* u */) {
          const code = hexAt(i + 2);
          if (code === 0) sink.error(line, 'json', 'string holds \\u0000 (NUL): no name or id may hold it');
          else if (code >= 0xd800 && code <= 0xdbff) {
            // A high surrogate is only a character with a low surrogate escape right after it.
            const low = text.charCodeAt(i + 6) === 92 && text.charCodeAt(i + 7) === 117 ? hexAt(i + 8) : -1;
            if (low < 0xdc00 || low > 0xdfff) sink.error(line, 'json', `string holds \\u${text.slice(i + 2, i + 6)}, a lone surrogate: not a Unicode character`);
            else i += 6;
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            sink.error(line, 'json', `string holds \\u${text.slice(i + 2, i + 6)}, a lone surrogate: not a Unicode character`);
          }
          if (code >= 0) i += 5;
        } else i++;
      }
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_NESTING_DEPTH) {
        sink.error(line, 'json', nestingMessage('arrays and objects'));
        return;
      }
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--;
  }
}

/** Records every key repeated within one object (walks the tree with an explicit stack). */
function checkDuplicateKeys(sink: IssueSink, root: JsonNode, lines: LineIndex): void {
  const stack: { node: JsonNode; path: Seg[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: JsonNode; path: Seg[] };
    if (node.type === 'array') {
      node.children?.forEach((child, i) => stack.push({ node: child, path: [...path, i] }));
    } else if (node.type === 'object') {
      const first = new Map<string, number>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (keyNode === undefined || typeof keyNode.value !== 'string') continue;
        const key = keyNode.value;
        const line = lines.lineAt(prop.offset);
        const seen = first.get(key);
        if (seen !== undefined) sink.error(line, joinPath([...path, key]), `duplicate key "${key}" (first at line ${seen}): which one is meant?`);
        else first.set(key, line);
        if (valueNode !== undefined) stack.push({ node: valueNode, path: [...path, key] });
      }
    }
  }
}

/**
 * Parses strict JSON; the text checks (limits.ts), the nesting and escape scan, syntax errors and
 * repeated keys are recorded on the sink with their line and the import fails.
 */
export function parseJsonDoc(ctx: IssueSink, text: string): JsonDoc {
  checkImportText(ctx, text);
  if (text.trim().length === 0) ctx.error(1, 'json', 'empty file');
  ctx.throwIfIssues();
  scanJson(ctx, text);
  ctx.throwIfIssues();
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const lines = new LineIndex(text);
  for (const e of errors.slice(0, 10)) ctx.error(lines.lineAt(e.offset), 'json', `syntax error: ${printParseErrorCode(e.error)}`);
  if (root === undefined) ctx.error(1, 'json', 'no JSON value');
  ctx.throwIfIssues();
  checkDuplicateKeys(ctx, root as JsonNode, lines);
  ctx.throwIfIssues();
  return new JsonDoc(root as JsonNode, text);
}

/** Typed reads of JSON fields; a wrong or missing field becomes an issue at its line and a placeholder value. */
export class FieldReader {
  constructor(
    readonly ctx: IssueSink,
    readonly doc: JsonDoc,
  ) {}

  /** Records an issue at the path's line. */
  fail(path: readonly Seg[], message: string): void {
    this.ctx.error(this.doc.lineOf(path), joinPath(path), message);
  }

  /** A string field; missing → def, or an issue when no default is given. */
  string(obj: JsonObject, key: string, at: readonly Seg[], def?: string): string {
    const v = obj[key];
    if (typeof v === 'string') return v;
    if (v === undefined && def !== undefined) return def;
    this.fail([...at, key], v === undefined ? 'missing' : `must be a string, got ${typeName(v)}`);
    return '';
  }

  /** A string-or-null field; missing → null. */
  nullableString(obj: JsonObject, key: string, at: readonly Seg[]): string | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    this.fail([...at, key], `must be a string or null, got ${typeName(v)}`);
    return null;
  }

  /** A number field; missing → def, or an issue when no default is given. */
  number(obj: JsonObject, key: string, at: readonly Seg[], def?: number): number {
    const v = obj[key];
    if (typeof v === 'number') return v;
    if (v === undefined && def !== undefined) return def;
    this.fail([...at, key], v === undefined ? 'missing' : `must be a number, got ${typeName(v)}`);
    return NaN;
  }

  /** A number-or-null field; missing → null. */
  nullableNumber(obj: JsonObject, key: string, at: readonly Seg[]): number | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number') return v;
    this.fail([...at, key], `must be a number or null, got ${typeName(v)}`);
    return null;
  }

  /** An array field; missing → def, or an issue when no default is given. */
  array(obj: JsonObject, key: string, at: readonly Seg[], def?: unknown[]): unknown[] {
    const v = obj[key];
    if (Array.isArray(v)) return v;
    if (v === undefined && def !== undefined) return def;
    this.fail([...at, key], v === undefined ? 'missing' : `must be an array, got ${typeName(v)}`);
    return [];
  }

  /** An object at a path (array element or field); an issue otherwise. */
  object(v: unknown, at: readonly Seg[]): JsonObject | null {
    if (isObject(v)) return v;
    this.fail(at, `must be an object, got ${typeName(v)}`);
    return null;
  }

  /** An array of strings (e.g. srlgIds). */
  strings(obj: JsonObject, key: string, at: readonly Seg[]): string[] {
    return this.array(obj, key, at, []).map((v, i) => {
      if (typeof v === 'string') return v;
      // Not String(v): a parsed object has no prototype, and String() of it throws.
      this.fail([...at, key, i], `must be a string, got ${typeName(v)}`);
      return '';
    });
  }

  /** A [lon, lat] position (a third element, altitude, is allowed and dropped). */
  position(v: unknown, at: readonly Seg[]): [number, number] {
    if (Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
    this.fail(at, 'must be a [longitude, latitude] position');
    return [NaN, NaN];
  }
}

/**
 * A JSON value in a message: a string as is, anything else as JSON, cut to 40 characters. Never
 * String(v): objects from getNodeValue have no prototype, so String() of one throws.
 */
export function describeValue(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? typeof v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** JSON type name for messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
