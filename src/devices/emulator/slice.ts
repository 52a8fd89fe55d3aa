/**
 * What a commit has to validate against the YANG models, given the running datastore it replaces
 * (which was validated when it was accepted): the part of the new datastore whose validity the change
 * can affect. A ROADM carrying hundreds of waves has a datastore of about a megabyte, and yanglint's
 * check grows with it; a commit that adds or removes a few waves' interfaces and cross-connects then
 * checks a few kilobytes on top of the device's fixed equipment instead of the whole datastore.
 *
 * The slice is the whole datastore except the unchanged entries of the two lists the control plane
 * writes (`interface` and `roadm-connections`) that nothing in the slice refers to. It holds:
 * - everything outside those two lists (info, shelves, circuit packs, ports, degrees, SRGs, ...) as it is;
 * - every entry of the two lists that is new or different;
 * - every unchanged entry that mentions, in any leaf, the name of an entry that was removed or
 *   changed (a leafref to a removed interface must fail as it would in the whole datastore);
 * - every entry whose name is mentioned by anything already in the slice, transitively (the targets
 *   of the slice's leafrefs, e.g. supporting-interface-list, src-if, dst-if).
 * Why this is the same verdict as the whole datastore for the OpenROADM 18.0 models loaded here:
 * the constraints on these list entries are local to the entry (types, mandatory, min-elements,
 * `when` on the entry's own type, rate or mode, `must 'current() > 0'`), references by name (leafrefs
 * to interfaces, circuit packs and ports), the list keys (one entry per key: the datastore is merged
 * by key), and `when` conditions on the device's info (always in the slice). An unchanged entry left
 * out has the same local constraints as when it was last accepted, and its leafref targets still
 * exist (a removed or renamed target puts it in the slice). The one exception is a `when` in the
 * optical-channel and OTSi modules that looks at every interface's `provision-mode` ('media-id'):
 * when any entry, before or after, has a provision-mode other than 'explicit', the whole datastore
 * is checked (null). So is any change outside the two lists, and any datastore not shaped as one
 * org-openroadm-device.
 *
 * A change that only removes entries, none of which anything kept (entries or equipment) refers to
 * (a wave's interfaces and cross-connects removed together, as make-before-break does), has nothing
 * to check: the slice would be the equipment and the kept entries it refers to, unchanged since `base`
 * was accepted, and by the locality above they are valid as they were. That slice is empty ([]): the
 * caller skips yanglint.
 */
import type { XElement } from '../../southbound/netconf/xml.js';
import { NS } from '../../southbound/openroadm/model.js';

const LISTS: Record<string, string> = { interface: 'name', 'roadm-connections': 'connection-name' };

/** Same content: the same element (an edit shares what it does not change, datastore.ts), or equal trees. */
function same(a: XElement, b: XElement): boolean {
  if (a === b) return true;
  if (a.ns !== b.ns || a.name !== b.name || a.text !== b.text || a.valueNs !== b.valueNs || a.attrs.length !== b.attrs.length || a.children.length !== b.children.length) return false;
  for (let i = 0; i < a.attrs.length; i++) {
    const [x, y] = [a.attrs[i], b.attrs[i]];
    if (x.name !== y.name || x.ns !== y.ns || x.value !== y.value) return false;
  }
  for (let i = 0; i < a.children.length; i++) if (!same(a.children[i], b.children[i])) return false;
  return true;
}

function keyOf(e: XElement): string | null {
  const k = LISTS[e.name];
  if (e.ns !== NS.device || k === undefined) return null;
  return `${e.name}\u0000${e.children.find((c) => c.name === k)?.text ?? ''}`;
}

/** Every leaf text in a subtree. */
function leafTexts(e: XElement, out: Set<string>): Set<string> {
  if (e.children.length === 0) {
    if (e.text !== null) out.add(e.text);
  } else for (const c of e.children) leafTexts(c, out);
  return out;
}

const entryLeaves = new WeakMap<XElement, Set<string>>();
function entryTexts(e: XElement): Set<string> {
  let t = entryLeaves.get(e);
  if (t === undefined) {
    t = leafTexts(e, new Set());
    entryLeaves.set(e, t);
  }
  return t;
}

function otherProvisionMode(e: XElement): boolean {
  if (e.name === 'provision-mode' && e.children.length === 0) return e.text !== 'explicit';
  return e.children.some(otherProvisionMode);
}
const provisionModes = new WeakMap<XElement, boolean>();
/** True when a subtree has a provision-mode other than explicit (kept per entry: entries are shared from commit to commit). */
function hasOtherProvisionMode(e: XElement): boolean {
  let v = provisionModes.get(e);
  if (v === undefined) {
    v = otherProvisionMode(e);
    provisionModes.set(e, v);
  }
  return v;
}

/**
 * The part of `next` to validate given that `base` was valid (see the module comment), [] when
 * nothing needs checking, or null when the whole of `next` must be validated.
 */
export function validationSlice(base: readonly XElement[], next: readonly XElement[]): XElement[] | null {
  if (base.length !== 1 || next.length !== 1) return null;
  const [b, n] = [base[0], next[0]];
  if (b.ns !== NS.device || n.ns !== NS.device || b.name !== 'org-openroadm-device' || n.name !== 'org-openroadm-device') return null;
  const baseEntries = new Map<string, XElement>();
  const baseOther: XElement[] = [];
  for (const c of b.children) {
    const k = keyOf(c);
    if (k === null) baseOther.push(c);
    else baseEntries.set(k, c);
  }
  const nextOther: XElement[] = [];
  const entries: { key: string; e: XElement; changed: boolean }[] = [];
  for (const c of n.children) {
    const k = keyOf(c);
    if (k === null) {
      nextOther.push(c);
      continue;
    }
    const was = baseEntries.get(k);
    entries.push({ key: k, e: c, changed: was === undefined || !same(was, c) });
  }
  // Anything outside the two lists changed (or moved): the whole datastore.
  if (nextOther.length !== baseOther.length || nextOther.some((c, i) => !same(c, baseOther[i]))) return null;
  if (b.children.some((c) => keyOf(c) !== null && hasOtherProvisionMode(c)) || entries.some((x) => x.changed && hasOtherProvisionMode(x.e))) return null;

  const nameOf = (key: string) => key.slice(key.indexOf('\u0000') + 1);
  const nextKeys = new Set(entries.map((x) => x.key));
  // Names whose referrers must be checked again: entries removed, and entries changed.
  const touched = new Set<string>();
  for (const k of baseEntries.keys()) if (!nextKeys.has(k)) touched.add(nameOf(k));
  for (const x of entries) if (x.changed) touched.add(nameOf(x.key));
  const byName = new Map<string, number[]>();
  entries.forEach((x, i) => byName.set(nameOf(x.key), [...(byName.get(nameOf(x.key)) ?? []), i]));

  const take = new Uint8Array(entries.length);
  const queue: number[] = [];
  const add = (i: number) => {
    if (!take[i]) {
      take[i] = 1;
      queue.push(i);
    }
  };
  entries.forEach((x, i) => {
    if (x.changed) add(i);
    else if (touched.size > 0) {
      for (const t of entryTexts(x.e)) {
        if (touched.has(t) && t !== nameOf(x.key)) {
          add(i);
          break;
        }
      }
    }
  });
  const follow = (texts: Set<string>) => {
    for (const t of texts) for (const i of byName.get(t) ?? []) add(i);
  };
  // Nothing new or changed, and nothing kept (entries or equipment) refers to what was removed:
  // nothing to check (see above).
  const mentionsTouched = (c: XElement) => {
    const texts = entryTexts(c);
    for (const t of touched) if (texts.has(t)) return true;
    return false;
  };
  if (queue.length === 0 && !nextOther.some(mentionsTouched)) return [];
  for (const c of nextOther) follow(entryTexts(c));
  while (queue.length > 0) follow(entryTexts(entries[queue.pop()!].e));

  const index = new Map(entries.map((x, i) => [x.e, i]));
  const children = n.children.filter((c) => {
    const i = index.get(c);
    return i === undefined || take[i] === 1;
  });
  return [{ ...n, children }];
}
