/**
 * JSON text with positions: parsed with jsonc-parser's parseTree (strict JSON: no comments, no
 * trailing commas) so any value's JSON path maps back to the line it is on, and typed field
 * readers that report wrong or missing fields as issues at that line.
 *
 * Before parsing, a linear scan of the tokens (scanJson) refuses nesting deeper than
 * MAX_NESTING_DEPTH (64) levels: jsonc-parser's parser and getNodeValue recurse once per level and
 * overflowed the stack at a few thousand. The scan also refuses strings holding \u0000 or a lone
 * surrogate escape, which would put U+0000 or a non-character into a name or id. A key repeated
 * in one object is refused: getNodeValue (like JSON.parse) silently keeps the last one.
 */
import { createScanner, findNodeAtLocation, getNodePath, getNodeValue, parseTree, printParseErrorCode, SyntaxKind } from 'jsonc-parser';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import { checkImportText, hasUnstorableChar, MAX_NESTING_DEPTH, nestingMessage } from './limits.js';
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

/**
 * Linear pass over the JSON tokens, before any recursive parsing: nesting deeper than
 * MAX_NESTING_DEPTH (stops at the first such line), and strings (values and keys) that decode to
 * U+0000 or hold a lone surrogate (\u0000, \ud800). It uses jsonc-parser's own scanner, the one
 * parseTree reads, so the depth it counts is the depth the parser will recurse to. Anything else
 * malformed is left to the parser, which reports it with its line.
 */
export function scanJson(sink: IssueSink, text: string, lines: LineIndex): void {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBracketToken || kind === SyntaxKind.OpenBraceToken) {
      if (++depth > MAX_NESTING_DEPTH) {
        sink.error(lines.lineAt(scanner.getTokenOffset()), 'json', nestingMessage('arrays and objects'));
        return;
      }
    } else if (kind === SyntaxKind.CloseBracketToken || kind === SyntaxKind.CloseBraceToken) {
      if (depth > 0) depth--;
    } else if (kind === SyntaxKind.StringLiteral && hasUnstorableChar(scanner.getTokenValue())) {
      const what = scanner.getTokenValue().includes('\u0000') ? 'U+0000 (NUL, written \\u0000)' : 'a lone surrogate (not a Unicode character)';
      sink.error(lines.lineAt(scanner.getTokenOffset()), 'json', `string holds ${what}: no name or id may hold it`);
    }
  }
}

/** Records every key repeated within one object (walks the tree with an explicit stack). */
function checkDuplicateKeys(sink: IssueSink, root: JsonNode, lines: LineIndex): void {
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as JsonNode;
    if (node.type === 'array') {
      for (const child of node.children ?? []) stack.push(child);
    } else if (node.type === 'object') {
      const first = new Map<string, number>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (keyNode === undefined || typeof keyNode.value !== 'string') continue;
        const key = keyNode.value;
        const seen = first.get(key);
        if (seen === undefined) first.set(key, lines.lineAt(prop.offset));
        else {
          // The path is only built for the (rare) repeated key.
          const path = valueNode !== undefined ? getNodePath(valueNode) : [...getNodePath(node), key];
          sink.error(lines.lineAt(prop.offset), joinPath(path), `duplicate key "${key}" (first at line ${seen}): which one is meant?`);
        }
        if (valueNode !== undefined) stack.push(valueNode);
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
  const lines = new LineIndex(text);
  scanJson(ctx, text, lines);
  ctx.throwIfIssues();
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
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
