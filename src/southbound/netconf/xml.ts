/**
 * A small namespace-aware element tree for NETCONF payloads and datastores: elements carry their
 * namespace URI (never a prefix), leaves carry text, and a leaf whose text is a qualified name
 * (`prefix:identity`, the YANG identityref encoding, RFC 7950 §9.10.3) remembers the namespace its
 * prefix was bound to, so values compare by (namespace, local name) and re-serialize with a
 * declaration. Parsing goes through saxes (a streaming, namespace-aware, well-formedness-checking
 * parser) straight into this tree: NETCONF peers pick their own prefixes (`nc:operation`, `<nc:rpc>`,
 * `xmlns:openROADM-if=...`), and only a namespace-aware parser tells them apart; fast-xml-parser,
 * already in the repo, keeps prefixes as text and resolves nothing. (@xmldom/xmldom, used before,
 * built a W3C DOM first and compiled a regular expression per end tag: 1.3 s of the 3.4 s that a
 * CPU profile of bench:southbound's cut spent in parseXml.)
 */
import { SaxesParser } from 'saxes';

/** An attribute; ns is null for unqualified attributes. */
export interface XAttr {
  ns: string | null;
  name: string;
  value: string;
}

/** An element: a container (children) or a leaf (text, no children). */
export interface XElement {
  ns: string;
  name: string;
  attrs: XAttr[];
  children: XElement[];
  /** Text of a leaf (trimmed); null for an element with element children or no text. */
  text: string | null;
  /** When text is `prefix:local` with prefix bound in the source: that prefix's namespace. */
  valueNs?: string;
}

/** Namespace of the xml: prefix (XML Namespaces §3). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** Namespace of namespace declarations: an attribute in it with name p serializes as xmlns:p. */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Thrown when a document is not well-formed XML. */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const QNAME = /^([A-Za-z_][A-Za-z0-9_.-]*):([A-Za-z_][A-Za-z0-9_.-]*)$/;

/** Parses a document into its root element; throws XmlParseError when it is not well-formed. */
export function parseXml(text: string): XElement {
  const parser = new SaxesParser({ xmlns: true });
  const open: { el: XElement; text: string }[] = [];
  let root: XElement | null = null;
  parser.on('error', (err) => {
    throw new XmlParseError(err.message);
  });
  parser.on('opentag', (tag) => {
    const attrs: XAttr[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
      attrs.push({ ns: a.uri || null, name: a.local, value: a.value });
    }
    const el: XElement = { ns: tag.uri, name: tag.local, attrs, children: [], text: null };
    const parent = open.at(-1);
    if (parent) parent.el.children.push(el);
    else root = el;
    open.push({ el, text: '' });
  });
  const addText = (t: string) => {
    const top = open.at(-1);
    if (top && top.el.children.length === 0) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const { el, text: raw } = open.pop()!;
    if (el.children.length > 0) return;
    const t = raw.trim();
    el.text = t.length > 0 ? t : null;
    const m = el.text ? QNAME.exec(el.text) : null;
    if (m) {
      // At its close tag the parser's scope is still the element's own: the prefix resolves as declared there.
      const ns = parser.resolve(m[1]);
      if (ns) el.valueNs = ns;
    }
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof XmlParseError) throw err;
    throw new XmlParseError(err instanceof Error ? err.message : String(err));
  }
  if (!root) throw new XmlParseError('no root element');
  return root;
}

/** Builds an element; children given as elements, text given as a string. */
export function el(ns: string, name: string, content?: string | number | XElement[] | null, attrs: XAttr[] = []): XElement {
  if (Array.isArray(content)) return { ns, name, attrs, children: content, text: null };
  return { ns, name, attrs, children: [], text: content === undefined || content === null ? null : String(content) };
}

/** A leaf holding an identity (`prefix:name`) from namespace valueNs. */
export function identityLeaf(ns: string, name: string, valueNs: string, prefix: string, identity: string): XElement {
  return { ns, name, attrs: [], children: [], text: `${prefix}:${identity}`, valueNs };
}

/** First child with this local name (and namespace, when given). */
export function child(e: XElement, name: string, ns?: string): XElement | undefined {
  return e.children.find((c) => c.name === name && (ns === undefined || c.ns === ns));
}

/** All children with this local name (and namespace, when given). */
export function children(e: XElement, name: string, ns?: string): XElement[] {
  return e.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns));
}

/** Text of the first child with this name, or undefined. */
export function childText(e: XElement, name: string, ns?: string): string | undefined {
  return child(e, name, ns)?.text ?? undefined;
}

/** Value of an attribute (by local name and namespace; ns null = unqualified). */
export function attr(e: XElement, name: string, ns: string | null = null): string | undefined {
  return e.attrs.find((a) => a.name === name && a.ns === ns)?.value;
}

/** Deep copy. */
export function cloneElement(e: XElement): XElement {
  const c: XElement = { ns: e.ns, name: e.name, attrs: e.attrs.map((a) => ({ ...a })), children: e.children.map(cloneElement), text: e.text };
  if (e.valueNs !== undefined) c.valueNs = e.valueNs;
  return c;
}

/** Value identity of a leaf: its text, with an identity's prefix replaced by its namespace. */
export function leafValue(e: XElement): string {
  if (e.valueNs !== undefined && e.text !== null) return `{${e.valueNs}}${e.text.slice(e.text.indexOf(':') + 1)}`;
  return e.text ?? '';
}

const NEEDS_ESCAPE = /[&<>"]/;

/** Escapes text for element content and attribute values. */
export function escapeXml(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

interface SerializeOptions {
  /** Prefixes to use for namespaced attributes and identity values, by namespace. */
  prefixes?: Record<string, string>;
  /** Indentation per level; none by default (compact). */
  indent?: string;
}

/** Serializes an element: default namespace declared where it changes, prefixes for attributes. */
export function serializeXml(root: XElement, opts: SerializeOptions = {}): string {
  const out: string[] = [];
  const nl = opts.indent !== undefined ? '\n' : '';
  const write = (e: XElement, parentNs: string | null, depth: number): void => {
    const pad = opts.indent ? opts.indent.repeat(depth) : '';
    let head = `${pad}<${e.name}`;
    if (e.ns !== parentNs) head += ` xmlns="${escapeXml(e.ns)}"`;
    let text = e.text;
    // Prefix declarations only for elements with attributes or an identity value (most have neither:
    // no map and no closure for them, the serializer runs on every message and every validation).
    if (e.attrs.length > 0 || (e.valueNs !== undefined && e.children.length === 0 && text !== null)) {
      let n = 0;
      const declared = new Map<string, string>();
      const prefixFor = (ns: string, wanted?: string): string => {
        const known = declared.get(ns);
        if (known) return known;
        const p = wanted ?? opts.prefixes?.[ns] ?? `p${n++}`;
        declared.set(ns, p);
        head += ` xmlns:${p}="${escapeXml(ns)}"`;
        return p;
      };
      for (const a of e.attrs) {
        if (a.ns === XMLNS_NS) head += ` xmlns:${a.name}="${escapeXml(a.value)}"`;
        else if (a.ns === XML_NS) head += ` xml:${a.name}="${escapeXml(a.value)}"`;
        else if (a.ns) {
          // prefixFor appends the declaration to head: take the prefix first.
          const p = prefixFor(a.ns);
          head += ` ${p}:${a.name}="${escapeXml(a.value)}"`;
        } else head += ` ${a.name}="${escapeXml(a.value)}"`;
      }
      if (e.children.length === 0 && text !== null && e.valueNs !== undefined) {
        const colon = text.indexOf(':');
        const p = prefixFor(e.valueNs, text.slice(0, colon));
        text = `${p}:${text.slice(colon + 1)}`;
      }
    }
    if (e.children.length > 0) {
      out.push(`${head}>${nl}`);
      for (const c of e.children) write(c, e.ns, depth + 1);
      out.push(`${pad}</${e.name}>${nl}`);
      return;
    }
    if (text === null) {
      out.push(`${head}/>${nl}`);
      return;
    }
    out.push(`${head}>${escapeXml(text)}</${e.name}>${nl}`);
  };
  write(root, null, 0);
  return out.join('');
}
