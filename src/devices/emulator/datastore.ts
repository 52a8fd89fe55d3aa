/**
 * Datastore operations on element trees, as RFC 6241 defines them: edit-config with the operation
 * attribute (§7.2: merge, replace, create, delete, remove, and default-operation none), subtree
 * filtering (§6), and merging state into configuration for <get>. A datastore is the list of its
 * top-level elements; list entries are identified by their keys and leaf-list entries by value,
 * from the schema (src/southbound/openroadm/model.ts).
 */
import { NC_NS, type RpcErrorInfo } from '../../southbound/netconf/protocol.js';
import { attr, cloneElement, escapeXml, leafValue, type XElement } from '../../southbound/netconf/xml.js';
import { KEYLESS_LISTS, LEAF_LISTS, LIST_KEYS, prefixOf } from '../../southbound/openroadm/model.js';

export type EditOperation = 'merge' | 'replace' | 'create' | 'delete' | 'remove';
export type DefaultOperation = 'merge' | 'replace' | 'none';
export type ErrorOption = 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';

/** What the datastore needs to know of the schema. */
export interface DatastoreSchema {
  listKeys(path: string): readonly string[] | undefined;
  isLeafList(path: string): boolean;
  isKeylessList(path: string): boolean;
}

/** The OpenROADM device schema of model.ts. */
export const OPENROADM_SCHEMA: DatastoreSchema = {
  listKeys: (p) => LIST_KEYS[p],
  isLeafList: (p) => LEAF_LISTS.has(p),
  isKeylessList: (p) => KEYLESS_LISTS.has(p),
};

const OPERATIONS = new Set(['merge', 'replace', 'create', 'delete', 'remove']);

/** Result of an edit: the new datastore and any errors (for rollback-on-error the caller keeps the old one). */
export interface EditResult {
  data: XElement[];
  errors: RpcErrorInfo[];
}

class EditContext {
  readonly errors: RpcErrorInfo[] = [];
  /** Elements copied by this edit (their children arrays are its own to change). */
  private readonly owned = new WeakSet<XElement>();
  readonly namespaces: Record<string, string> = {};
  private n = 0;
  constructor(
    readonly schema: DatastoreSchema,
    readonly stopOnFirst: boolean,
  ) {}

  /**
   * The element at siblings[at], made this edit's own before it is changed or descended into: a
   * shallow copy with its own children array (the children themselves stay shared until they are
   * changed in turn). The datastore the edit started from is never modified, and what the edit does
   * not touch is shared with it, so an edit of a large datastore copies the path it changes, not the
   * datastore. `siblings` must itself be the edit's own.
   */
  mutable(siblings: XElement[], at: number): XElement {
    const e = siblings[at];
    if (this.owned.has(e)) return e;
    const c: XElement = { ...e, children: [...e.children] };
    this.owned.add(c);
    this.replaceAt(siblings, at, c);
    return c;
  }

  /**
   * Per sibling list this edit changes, its list entries and leaf-list values by match key (built on
   * the first look-up in a long list): finding the entry an edit node addresses is then a look-up, not
   * a comparison with every sibling (a ROADM carrying hundreds of waves has thousands of interfaces and
   * cross-connects, and a restoration's commit addresses hundreds of them). Kept in step with every
   * change below; null for a list with duplicate keys (then every look-up compares, as findMatch does).
   */
  private readonly indexes = new WeakMap<XElement[], Map<string, XElement> | null>();
  /** The match key of each indexed element. */
  private readonly keys = new WeakMap<XElement, string>();

  private indexOf(siblings: XElement[], parentPath: string): Map<string, XElement> | null {
    let m = this.indexes.get(siblings);
    if (m !== undefined) return m;
    m = new Map();
    for (const s of siblings) {
      const k = this.matchKeyOf(s, parentPath);
      if (k === null) continue;
      if (m.has(k)) {
        m = null;
        break;
      }
      m.set(k, s);
      this.keys.set(s, k);
    }
    this.indexes.set(siblings, m);
    return m;
  }

  /** The match key of a sibling under parentPath (null when it is neither a list entry with keys nor a leaf-list value). */
  private matchKeyOf(e: XElement, parentPath: string): string | null {
    const path = join(parentPath, e.name);
    const keys = this.schema.listKeys(path);
    const leafList = this.schema.isLeafList(path);
    return keys || leafList ? matchKey(e, keys, leafList) : null;
  }

  /**
   * Index of the entry in siblings that the edit node addresses, or -1 (findMatch, through the index in
   * long lists: the key comparisons are saved; the entry's position is still found by a scan).
   */
  find(siblings: XElement[], edit: XElement, parentPath: string, keys: readonly string[] | undefined, leafList: boolean): number {
    if ((!keys && !leafList) || siblings.length < INDEXED_LENGTH) return findMatch(siblings, edit, keys, leafList);
    const m = this.indexOf(siblings, parentPath);
    if (m === null) return findMatch(siblings, edit, keys, leafList);
    const hit = m.get(matchKey(edit, keys, leafList));
    if (hit === undefined) return -1;
    const at = siblings.indexOf(hit);
    return at >= 0 ? at : findMatch(siblings, edit, keys, leafList);
  }

  /** siblings[at] = e, an element with the same match key (a copy of it, or its replacement), keeping the index. */
  replaceAt(siblings: XElement[], at: number, e: XElement): void {
    const old = siblings[at];
    siblings[at] = e;
    const m = this.indexes.get(siblings);
    const k = m ? this.keys.get(old) : undefined;
    if (m && k !== undefined) {
      m.set(k, e);
      this.keys.set(e, k);
    }
  }

  /** Removes siblings[at], keeping the index. */
  removeAt(siblings: XElement[], at: number): void {
    const [gone] = siblings.splice(at, 1);
    const m = this.indexes.get(siblings);
    // Its key was recorded when it was indexed or added (no schema look-up again).
    const k = m ? this.keys.get(gone) : undefined;
    if (m && k !== undefined && m.get(k) === gone) m.delete(k);
  }

  /** Appends e to siblings, keeping the index. */
  append(siblings: XElement[], e: XElement, parentPath: string): void {
    siblings.push(e);
    const m = this.indexes.get(siblings);
    if (m) {
      const k = this.matchKeyOf(e, parentPath);
      if (k !== null && m.has(k)) this.indexes.set(siblings, null); // a duplicate: look-ups compare from now on
      else if (k !== null) {
        m.set(k, e);
        this.keys.set(e, k);
      }
    }
  }

  prefix(ns: string): string {
    for (const [p, u] of Object.entries(this.namespaces)) if (u === ns) return p;
    const p = prefixOf(ns) ?? `ns${this.n++}`;
    this.namespaces[p] = ns;
    return p;
  }

  fail(tag: RpcErrorInfo['tag'], path: string, message: string, info?: RpcErrorInfo['info']): void {
    const e: RpcErrorInfo = { type: 'application', tag, severity: 'error', path, pathNamespaces: { ...this.namespaces }, message };
    if (info) e.info = info;
    this.errors.push(e);
  }

  get stopped(): boolean {
    return this.stopOnFirst && this.errors.length > 0;
  }
}

/** Schema path of a child: parent path plus local name. */
function join(path: string, name: string): string {
  return path ? `${path}/${name}` : name;
}

function sameName(a: XElement, b: XElement): boolean {
  return a.name === b.name && a.ns === b.ns;
}

function operationOf(e: XElement): string | undefined {
  return attr(e, 'operation', NC_NS);
}

/** Copy without NETCONF operation attributes. */
function stripped(e: XElement): XElement {
  const c: XElement = { ns: e.ns, name: e.name, attrs: e.attrs.filter((a) => a.ns !== NC_NS), children: e.children.map(stripped), text: e.text };
  if (e.valueNs !== undefined) c.valueNs = e.valueNs;
  return c;
}

/** Index of the entry in siblings that the edit node addresses, or -1. */
function findMatch(siblings: XElement[], edit: XElement, keys: readonly string[] | undefined, leafList: boolean): number {
  return siblings.findIndex((s) => {
    if (!sameName(s, edit)) return false;
    if (leafList) return leafValue(s) === leafValue(edit);
    if (keys) return keys.every((k) => leafValue(s.children.find((c) => c.name === k) ?? s) === leafValue(edit.children.find((c) => c.name === k) ?? edit));
    return true;
  });
}

/** Sibling lists at least this long are searched through an index (EditContext.find). */
const INDEXED_LENGTH = 16;

/** What findMatch compares, as one string: name, namespace and the key values (or the leaf-list value). */
function matchKey(e: XElement, keys: readonly string[] | undefined, leafList: boolean): string {
  let k = `${e.ns}\u0000${e.name}`;
  if (leafList) return `${k}\u0000${leafValue(e)}`;
  for (const key of keys ?? []) k += `\u0000${leafValue(e.children.find((c) => c.name === key) ?? e)}`;
  return k;
}

/** XPath step for an element, with key predicates for list entries. */
function step(ctx: EditContext, e: XElement, keys: readonly string[] | undefined, leafList: boolean): string {
  const p = ctx.prefix(e.ns);
  let s = `/${p}:${e.name}`;
  if (keys) for (const k of keys) s += `[${p}:${k}='${escapeXml(e.children.find((c) => c.name === k)?.text ?? '')}']`;
  if (leafList) s += `[.='${escapeXml(e.text ?? '')}']`;
  return s;
}

/** Keys first, in key order, then the other children in document order (RFC 7950 §7.8.5). */
function keysFirst(children: XElement[], keys: readonly string[] | undefined): XElement[] {
  if (!keys) return children;
  const first = keys.map((k) => children.find((c) => c.name === k)).filter((c): c is XElement => c !== undefined);
  return first.concat(children.filter((c) => !first.includes(c)));
}

/**
 * Builds a node that does not exist yet from an edit under a creating operation: children that ask
 * for delete are errors (nothing to delete), remove is a no-op.
 */
function build(ctx: EditContext, edit: XElement, path: string, xpath: string): XElement | null {
  const out: XElement = { ns: edit.ns, name: edit.name, attrs: [], children: [], text: edit.text };
  if (edit.valueNs !== undefined) out.valueNs = edit.valueNs;
  const keys = ctx.schema.listKeys(path);
  for (const c of edit.children) {
    const cp = join(path, c.name);
    const op = operationOf(c);
    const isKey = keys?.includes(c.name) ?? false;
    if (op === 'delete' && !isKey) {
      ctx.fail('data-missing', xpath + step(ctx, c, ctx.schema.listKeys(cp), ctx.schema.isLeafList(cp)), `cannot delete ${c.name}: it does not exist`);
      if (ctx.stopped) return null;
      continue;
    }
    if (op === 'remove' && !isKey) continue;
    const built = build(ctx, c, cp, xpath + step(ctx, c, ctx.schema.listKeys(cp), ctx.schema.isLeafList(cp)));
    if (ctx.stopped) return null;
    if (built) out.children.push(built);
  }
  out.children = keysFirst(out.children, keys);
  return out;
}

/** Applies one edit node to the sibling list of its parent (in place). */
function applyNode(ctx: EditContext, siblings: XElement[], edit: XElement, parentPath: string, parentXpath: string, inherited: string): void {
  const path = join(parentPath, edit.name);
  const keys = ctx.schema.listKeys(path);
  const leafList = ctx.schema.isLeafList(path);
  const xpath = parentXpath + step(ctx, edit, keys, leafList);
  const own = operationOf(edit);
  if (own !== undefined && !OPERATIONS.has(own)) {
    ctx.fail('bad-attribute', xpath, `unknown operation "${own}"`, [{ name: 'bad-attribute', value: 'operation' }, { name: 'bad-element', value: edit.name }]);
    return;
  }
  const op = own ?? inherited;
  if (keys) {
    for (const k of keys) {
      if (!edit.children.some((c) => c.name === k && c.text !== null)) {
        ctx.fail('missing-element', xpath, `list entry ${edit.name} lacks its key ${k}`, [{ name: 'bad-element', value: k }]);
        return;
      }
    }
  }
  const at = ctx.find(siblings, edit, parentPath, keys, leafList);
  const exists = at >= 0;
  switch (op) {
    case 'create':
      if (exists) {
        ctx.fail('data-exists', xpath, `${edit.name} already exists`);
        return;
      }
      break;
    case 'delete':
      if (!exists) {
        ctx.fail('data-missing', xpath, `cannot delete ${edit.name}: it does not exist`);
        return;
      }
      ctx.removeAt(siblings, at);
      return;
    case 'remove':
      if (exists) ctx.removeAt(siblings, at);
      return;
    case 'none':
      if (!exists) {
        // RFC 6241 §7.2: with default-operation none, data without a matching level is an error,
        // unless it only asks to remove (nothing to do) or carries an operation of its own below.
        if (edit.children.length === 0 || edit.text !== null) {
          ctx.fail('data-missing', xpath, `${edit.name} does not exist (default-operation none)`);
          return;
        }
        const explicit = edit.children.filter((c) => !keys?.includes(c.name)).map((c) => ({ c, op: operationOf(c) }));
        const deletes = explicit.find((x) => x.op === 'delete');
        if (deletes) {
          ctx.fail('data-missing', xpath + step(ctx, deletes.c, undefined, false), `cannot delete ${deletes.c.name}: ${edit.name} does not exist`);
          return;
        }
        if (explicit.every((x) => x.op === 'remove')) return;
        if (!explicit.some((x) => x.op === 'merge' || x.op === 'replace' || x.op === 'create')) {
          ctx.fail('data-missing', xpath, `${edit.name} does not exist (default-operation none)`);
          return;
        }
        break;
      }
      {
        const own = ctx.mutable(siblings, at);
        for (const c of edit.children) {
          if (keys?.includes(c.name)) continue;
          applyNode(ctx, own.children, c, path, xpath, 'none');
          if (ctx.stopped) return;
        }
      }
      return;
  }
  if (op === 'replace' || !exists) {
    const node = build(ctx, edit, path, xpath);
    if (!node) return;
    if (exists) ctx.replaceAt(siblings, at, node);
    else ctx.append(siblings, node, parentPath);
    return;
  }
  // merge (or create/none descending) into an existing node
  const target = ctx.mutable(siblings, at);
  if (edit.children.length === 0) {
    if (target.children.length > 0 && edit.text === null) return; // merging an empty container changes nothing
    target.text = edit.text;
    target.children = [];
    if (edit.valueNs !== undefined) target.valueNs = edit.valueNs;
    else delete target.valueNs;
    return;
  }
  if (target.children.length === 0) target.text = null;
  for (const c of edit.children) {
    if (keys?.includes(c.name)) continue;
    applyNode(ctx, target.children, c, path, xpath, op === 'create' ? 'merge' : op);
    if (ctx.stopped) return;
  }
}

/**
 * Applies an edit-config's <config> content to a datastore (RFC 6241 §7.2). The input is not
 * modified; the result shares with it the elements the edit leaves alone (datastores are never
 * changed in place: readers get copies, from getConfig, subtreeFilter and mergeTrees). With stop-on-error the edits before the first error stay (the RFC's semantics); with
 * continue-on-error every valid edit stays; with rollback-on-error the caller discards the result
 * when errors is not empty.
 */
export function editConfig(data: readonly XElement[], config: readonly XElement[], opts: { defaultOperation?: DefaultOperation; errorOption?: ErrorOption; schema?: DatastoreSchema } = {}): EditResult {
  const ctx = new EditContext(opts.schema ?? OPENROADM_SCHEMA, (opts.errorOption ?? 'stop-on-error') !== 'continue-on-error');
  // Copy-on-write (EditContext.mutable): the result shares every element the edit does not change.
  const out = [...data];
  for (const c of config) {
    applyNode(ctx, out, c, '', '', opts.defaultOperation ?? 'merge');
    if (ctx.stopped) break;
  }
  return { data: out, errors: ctx.errors };
}

function isContentMatch(f: XElement): boolean {
  return f.children.length === 0 && f.text !== null;
}

function filterMatches(d: XElement, f: XElement): boolean {
  // RFC 6241 §6.2.1: a filter node without a namespace matches the name in any namespace.
  return d.name === f.name && (f.ns === '' || f.ns === d.ns);
}

/**
 * The children of a filter node that select whole entries by one content-match leaf each, grouped by
 * name when every child of that name does so with one namespace and one leaf namespace: a read-back
 * of a batch's circuits is hundreds of `<interface><circuit-id>…</circuit-id></interface>`, and an
 * entry is then selected by a lookup of its leaves instead of a test against each of them. Built once
 * per filter node (filters are not changed once parsed).
 */
interface Selectors {
  ns: string;
  leafNs: string;
  /** `${leaf name}\0${value}` */
  keys: Set<string>;
}
const selectorsOf = new WeakMap<XElement, Map<string, Selectors | null>>();

function selectors(f: XElement): Map<string, Selectors | null> {
  let out = selectorsOf.get(f);
  if (out) return out;
  out = new Map();
  for (const x of f.children) {
    const cm = x.children.length === 1 && isContentMatch(x.children[0]) ? x.children[0] : null;
    const have = out.get(x.name);
    if (!cm || have === null || (have && (have.ns !== x.ns || have.leafNs !== cm.ns))) {
      out.set(x.name, null);
      continue;
    }
    const s = have ?? { ns: x.ns, leafNs: cm.ns, keys: new Set<string>() };
    s.keys.add(`${cm.name}\0${leafValue(cm)}`);
    out.set(x.name, s);
  }
  selectorsOf.set(f, out);
  return out;
}

function filterElement(d: XElement, f: XElement): XElement | null {
  if (f.children.length === 0) return f.text === null ? cloneElement(d) : leafValue(d) === leafValue(f) ? cloneElement(d) : null;
  const cms = f.children.filter(isContentMatch);
  for (const cm of cms) if (!d.children.some((c) => filterMatches(c, cm) && leafValue(c) === leafValue(cm))) return null;
  if (cms.length === f.children.length) return cloneElement(d);
  const out: XElement = { ns: d.ns, name: d.name, attrs: [], children: [], text: null };
  const bySelector = selectors(f);
  for (const c of d.children) {
    const sel = bySelector.get(c.name);
    if (sel) {
      // Same outcome as trying each selector below: the whole entry when one of its leaves matches.
      if ((sel.ns === '' || sel.ns === c.ns) && c.children.some((l) => (sel.leafNs === '' || sel.leafNs === l.ns) && sel.keys.has(`${l.name}\0${leafValue(l)}`))) out.children.push(cloneElement(c));
      continue;
    }
    const fs = f.children.filter((x) => filterMatches(c, x));
    if (fs.length === 0) continue;
    if (fs.some((x) => isContentMatch(x) || x.children.length === 0)) {
      out.children.push(cloneElement(c));
      continue;
    }
    for (const x of fs) {
      const r = filterElement(c, x);
      if (r) {
        out.children.push(r);
        break;
      }
    }
  }
  const hasSelection = f.children.some((x) => !isContentMatch(x));
  if (hasSelection && out.children.every((c) => cms.some((cm) => filterMatches(c, cm)))) return null;
  return out;
}

/** Subtree filtering (RFC 6241 §6): the parts of a datastore the filter selects. */
export function subtreeFilter(data: readonly XElement[], filter: readonly XElement[]): XElement[] {
  const out: XElement[] = [];
  for (const d of data) {
    for (const f of filter) {
      if (!filterMatches(d, f)) continue;
      const r = filterElement(d, f);
      if (r) {
        out.push(r);
        break;
      }
    }
  }
  return out;
}

function mergeInto(ctx: DatastoreSchema, target: XElement[], source: readonly XElement[], path: string): void {
  for (const s of source) {
    const p = join(path, s.name);
    if (ctx.isKeylessList(p)) {
      target.push(cloneElement(s));
      continue;
    }
    const keys = ctx.listKeys(p);
    const at = findMatch(target, s, keys, ctx.isLeafList(p));
    if (at < 0) target.push(cloneElement(s));
    else if (s.children.length === 0) target[at] = cloneElement(s);
    else mergeInto(ctx, target[at].children, s.children, p);
  }
}

/** Configuration with state merged in (list entries matched by key): what <get> reports. */
export function mergeTrees(config: readonly XElement[], state: readonly XElement[], schema: DatastoreSchema = OPENROADM_SCHEMA): XElement[] {
  const out = config.map(cloneElement);
  mergeInto(schema, out, state, '');
  return out;
}

/** The <config> content with operation attributes removed (for logging and tests). */
export function withoutOperations(config: readonly XElement[]): XElement[] {
  return config.map(stripped);
}
