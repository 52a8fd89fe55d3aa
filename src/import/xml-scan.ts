/**
 * A linear scan of XML text that runs before the XML parser and refuses what the parser must never
 * see, each with its line:
 * - any DOCTYPE (and with it every entity declaration, internal or external): entities are how
 *   XML files fetch other files (XXE) or expand exponentially (billion laughs); Net2Plan never
 *   writes a DOCTYPE, so none is accepted and nothing is ever fetched or expanded;
 * - elements nested deeper than MAX_NESTING_DEPTH (64; Net2Plan files nest 3);
 * - references other than the five predefined entities (&amp; &lt; &gt; &quot; &apos;) and
 *   character references to a legal XML character (XML 1.0, section 2.2 "Char": #x9, #xA, #xD,
 *   #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF), and a bare '&' (section 4.1, "Well-formedness
 *   constraint: Legal Character"); &#0; would otherwise reach a name as U+0000;
 * - element and attribute names __proto__, constructor and prototype, which fast-xml-parser
 *   refuses with an exception (they could pollute object prototypes);
 * - processing instructions other than the XML declaration at the start (section 2.8), whose
 *   content fast-xml-parser and its validator read differently; Net2Plan writes none.
 * Comments and CDATA sections are skipped. Anything else malformed is left
 * to XMLValidator, which reports it with its line. decodeXmlText then decodes references the
 * scan has accepted, so the parser runs with its own entity processing off.
 */
import { MAX_NESTING_DEPTH, nestingMessage } from './limits.js';
import type { IssueSink } from './limits.js';

/** Called for each start tag, with the names of the open elements around it (outermost first). */
export type XmlElementVisitor = (name: string, parents: readonly string[], line: number) => void;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** XML 1.0 section 2.2, production [2] Char. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** XML 1.0 section 2.8, production [23] XMLDecl: version, optional encoding and standalone, nothing else. */
const XML_DECL = /<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/y;

const REFERENCE = /&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z_][A-Za-z0-9._-]*));/y;

/** Code point a character reference stands for, or the predefined entity's text; null when not accepted. */
function resolveReference(dec: string | undefined, hex: string | undefined, name: string | undefined): string | null {
  if (name !== undefined) return PREDEFINED[name] ?? null;
  const code = dec !== undefined ? parseInt(dec, 10) : parseInt(hex as string, 16);
  return isXmlChar(code) ? String.fromCodePoint(code) : null;
}

/** Decodes the references in attribute values or text the scan accepted; anything else is left as is. */
export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z_][A-Za-z0-9._-]*));/g, (whole, dec?: string, hex?: string, name?: string) => resolveReference(dec, hex, name) ?? whole);
}

/** Scans XML text; records problems on the sink (stops at the first structural one). */
export function scanXml(sink: IssueSink, text: string, onElement?: XmlElementVisitor): void {
  const n = text.length;
  let line = 1;
  let i = 0;
  const open: string[] = [];
  /** Advances i to just past the terminator, counting lines; false if the text ends first. */
  const skipPast = (terminator: string): boolean => {
    const end = text.indexOf(terminator, i);
    const stop = end < 0 ? n : end + terminator.length;
    for (let k = text.indexOf('\n', i); k >= 0 && k < stop; k = text.indexOf('\n', k + 1)) line++;
    i = stop;
    return end >= 0;
  };
  /** Checks the reference at text[at] === '&'; returns its length (1 for a bare '&'). */
  const reference = (at: number): number => {
    REFERENCE.lastIndex = at;
    const m = REFERENCE.exec(text);
    if (m === null) {
      sink.error(line, 'xml', "'&' that starts no reference: write &amp;");
      return 1;
    }
    if (resolveReference(m[1], m[2], m[3]) === null) {
      const message =
        m[3] !== undefined
          ? `unknown entity ${m[0]}: only &amp; &lt; &gt; &quot; &apos; are accepted (DOCTYPE / entity declarations are not accepted)`
          : `character reference ${m[0]} is not a legal XML character (XML 1.0, 2.2)`;
      sink.error(line, 'xml', message);
    }
    return m[0].length;
  };
  const checkName = (name: string, what: string): void => {
    if (RESERVED_NAMES.has(name)) sink.error(line, 'xml', `${what} name "${name}" is not accepted`);
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 38 /* & */) {
      i += reference(i);
    } else if (c !== 60 /* < */) {
      i++;
    } else if (text.startsWith('<!--', i)) {
      i += 4;
      if (!skipPast('-->')) return;
    } else if (text.startsWith('<![CDATA[', i)) {
      i += 9;
      if (!skipPast(']]>')) return;
    } else if (text.startsWith('<?', i)) {
      XML_DECL.lastIndex = i;
      if (text.slice(0, i).trim() !== '' || !XML_DECL.test(text)) {
        sink.error(line, 'xml', 'processing instructions are not accepted (only an XML declaration <?xml version="1.0" ...?> at the start)');
        return;
      }
      i = XML_DECL.lastIndex;
    } else if (text.startsWith('<!', i)) {
      sink.error(line, 'xml', 'DOCTYPE / entity declarations are not accepted (nothing in a Net2Plan file needs one)');
      return;
    } else if (text.charCodeAt(i + 1) === 47 /* / */) {
      open.pop();
      i += 2;
      if (!skipPast('>')) return;
    } else {
      // A start tag: its name, then attributes up to '>' or '/>'; quoted values may hold '>' and newlines.
      const tagLine = line;
      let j = i + 1;
      while (j < n && !/[\s/>]/.test(text[j])) j++;
      const name = text.slice(i + 1, j);
      checkName(name, 'element');
      i = j;
      let selfClosing = false;
      let closed = false;
      while (i < n && !closed) {
        const d = text.charCodeAt(i);
        if (d === 10) {
          line++;
          i++;
        } else if (d === 34 || d === 39 /* " ' */) {
          const quote = text[i];
          i++;
          while (i < n && text[i] !== quote) {
            const e = text.charCodeAt(i);
            if (e === 10) line++;
            if (e === 38) i += reference(i);
            else i++;
          }
          i++;
        } else if (d === 62 /* > */) {
          closed = true;
          i++;
        } else if (d === 47 && text.charCodeAt(i + 1) === 62 /* /> */) {
          selfClosing = true;
          closed = true;
          i += 2;
        } else if (d === 60 /* < */) {
          sink.error(line, 'xml', `'<' inside the tag <${name}> (is its '>' missing?)`);
          return;
        } else if (/[A-Za-z_:]/.test(text[i])) {
          let k = i;
          while (k < n && !/[\s=/>"']/.test(text[k])) k++;
          checkName(text.slice(i, k), 'attribute');
          i = k;
        } else i++;
      }
      if (!closed) return;
      onElement?.(name, open, tagLine);
      if (!selfClosing) {
        open.push(name);
        if (open.length > MAX_NESTING_DEPTH) {
          sink.error(tagLine, 'xml', nestingMessage('elements'));
          return;
        }
      }
    }
  }
}
