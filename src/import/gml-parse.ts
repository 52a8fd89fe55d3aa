/**
 * GML (Graph Modelling Language, Himsolt 1997) tokenizer and parser: key/value lists nested with
 * [ ], integers, reals, quoted strings and "#" comment lines, each pair tagged with its line.
 * Per the GML spec a string cannot contain '"'; writers encode it and other characters as
 * HTML/ISO-8859 entities (&quot; &amp; &#38; &#x26;), which are decoded here.
 * Both the tokenizer and the parser are iterative (an explicit stack of open lists), and lists
 * may nest at most MAX_NESTING_DEPTH (64) levels: Topology Zoo files nest 2 (graph [ node [ ] ]).
 */
import { MAX_NESTING_DEPTH, nestingMessage } from './limits.js';

export type GmlValue = number | string | GmlPair[];

/** One key/value pair and the line its key is on. */
export interface GmlPair {
  key: string;
  value: GmlValue;
  line: number;
}

/** A syntax error: its line, the key being read (or "gml"), and the problem. */
export interface GmlSyntaxIssue {
  line: number;
  field: string;
  message: string;
}

export class GmlSyntaxError extends Error {
  constructor(readonly issue: GmlSyntaxIssue) {
    super(`${issue.line}: ${issue.field}: ${issue.message}`);
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'", nbsp: '\u00a0' };

/**
 * Decodes HTML entities (named, decimal and hex); unknown ones are kept verbatim, and so are
 * references to U+0000, to a surrogate (not a character on its own) or beyond U+10FFFF.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const character = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return character ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

type Token =
  | { t: 'open'; line: number }
  | { t: 'close'; line: number }
  | { t: 'key'; v: string; line: number }
  | { t: 'num'; v: number; line: number }
  | { t: 'str'; v: string; line: number };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xfeff;
}

/** Splits GML text into tokens, tracking lines; throws GmlSyntaxError on an unterminated string or stray word. */
export function tokenizeGml(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let atLineStart = true;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      atLineStart = true;
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 35 /* # */ && atLineStart) {
      // A comment runs to the end of the line.
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    atLineStart = false;
    if (c === 91 /* [ */) {
      out.push({ t: 'open', line });
      i++;
    } else if (c === 93 /* ] */) {
      out.push({ t: 'close', line });
      i++;
    } else if (c === 34 /* " */) {
      const start = line;
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new GmlSyntaxError({ line: start, field: 'gml', message: 'unterminated string' });
      const raw = text.slice(i + 1, end);
      for (let k = 0; k < raw.length; k++) if (raw.charCodeAt(k) === 10) line++;
      out.push({ t: 'str', v: decodeEntities(raw), line: start });
      i = end + 1;
    } else {
      let j = i;
      while (j < n && !isSpace(text.charCodeAt(j)) && text[j] !== '[' && text[j] !== ']' && text[j] !== '"') j++;
      const word = text.slice(i, j);
      if (KEY.test(word)) out.push({ t: 'key', v: word, line });
      else if (NUMBER.test(word)) out.push({ t: 'num', v: Number(word), line });
      else throw new GmlSyntaxError({ line, field: 'gml', message: `unexpected "${word}"` });
      i = j;
    }
  }
  return out;
}

/** Parses GML text into its top-level key/value list; throws GmlSyntaxError with the line at fault. */
export function parseGml(text: string): GmlPair[] {
  const tokens = tokenizeGml(text);
  const root: GmlPair[] = [];
  // Stack of open lists with the pair that opened each, for "unclosed [" errors.
  const stack: { list: GmlPair[]; opener: GmlPair | null }[] = [{ list: root, opener: null }];
  let k = 0;
  while (k < tokens.length) {
    const tok = tokens[k++];
    const top = stack[stack.length - 1];
    if (tok.t === 'close') {
      if (top.opener === null) throw new GmlSyntaxError({ line: tok.line, field: 'gml', message: "unexpected ']' with no open '['" });
      stack.pop();
      continue;
    }
    if (tok.t !== 'key') {
      throw new GmlSyntaxError({ line: tok.line, field: 'gml', message: `expected a key, got ${tok.t === 'open' ? "'['" : JSON.stringify(tok.v)}` });
    }
    const val = tokens[k++];
    if (val === undefined) throw new GmlSyntaxError({ line: tok.line, field: tok.v, message: 'key without a value at end of file' });
    if (val.t === 'open') {
      if (stack.length > MAX_NESTING_DEPTH) throw new GmlSyntaxError({ line: val.line, field: tok.v, message: nestingMessage('[ ] lists') });
      const pair: GmlPair = { key: tok.v, value: [], line: tok.line };
      top.list.push(pair);
      stack.push({ list: pair.value as GmlPair[], opener: pair });
    } else if (val.t === 'num' || val.t === 'str') {
      top.list.push({ key: tok.v, value: val.v, line: tok.line });
    } else {
      throw new GmlSyntaxError({ line: val.line, field: tok.v, message: `expected a value, got ${val.t === 'close' ? "']'" : `key ${val.v}`}` });
    }
  }
  if (stack.length > 1) {
    const opener = stack[stack.length - 1].opener as GmlPair;
    throw new GmlSyntaxError({ line: opener.line, field: opener.key, message: "unclosed '[' (file ends before its ']')" });
  }
  return root;
}
