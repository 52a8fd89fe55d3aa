/**
 * SNDlib native format → Network. NODES give "id ( lon lat )", LINKS give "id ( source target ) ...".
 * Link length is the great-circle distance between the nodes (a lower bound, no route factor);
 * the file's capacities and module costs are not fibre facts and are ignored. Links repeating a
 * node pair (e.g. giul39's fwd/bwd links) are folded into the first span and listed in
 * report.merged. DEMANDS are listed in report.skipped as 'other'; META and ADMISSIBLE_PATHS are
 * ignored. Planar layouts (coordinates outside lon/lat range) are placed schematically at
 * 1 unit = 1 km, with a warning, as the lengths derived from them are nominal.
 * Refused rather than silently renamed or dropped: a node or link id given twice, a section given
 * twice (only one would be read), parentheses nested deeper than MAX_NESTING_DEPTH (64; the format
 * nests 3: section, entry, module list), and a file of which no node (or, with links, no link)
 * can be imported. Sections other than the format's five are reported as warnings.
 */
import type { Site, Span } from '../domain/network.js';
import { IdAllocator, ImportContext, importedSite, importedSpan, nameFromFile, pairKey, slugify } from './build.js';
import { checkImportText, MAX_NESTING_DEPTH, nestingMessage } from './limits.js';
import { looksGeographic, placePlanar } from './planar.js';
import type { ImportResult } from './types.js';

export interface Tok {
  v: string;
  line: number;
}

/** Tokens: "(" ")" and words, each with its line; comments are dropped. */
export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    // "?SNDlib native format" heads the file; "#" comments may follow data on a line.
    const hash = raw.trimStart().startsWith('?') ? 0 : raw.indexOf('#');
    const body = hash >= 0 ? raw.slice(0, hash) : raw;
    for (const m of body.matchAll(/[()]|[^\s()]+/g)) out.push({ v: m[0], line: i + 1 });
  });
  return out;
}

/** A section entry: tokens from a line start at depth 0 until the line ends with all parentheses closed. */
export interface Entry {
  toks: Tok[];
  line: number;
}

/** The sections of SNDlib's native network format (sndlib.zib.de, "native format"). */
const KNOWN_SECTIONS = ['META', 'NODES', 'LINKS', 'DEMANDS', 'ADMISSIBLE_PATHS'];

export interface Section {
  name: string;
  line: number;
  entries: Entry[];
}

export function readSections(ctx: ImportContext, toks: Tok[]): Section[] {
  const sections: Section[] = [];
  let k = 0;
  while (k < toks.length) {
    const head = toks[k];
    if (toks[k + 1]?.v !== '(') {
      ctx.error(head.line, 'sndlib', `expected "SECTION (", got "${head.v}"`);
      return sections;
    }
    const section: Section = { name: head.v, line: head.line, entries: [] };
    sections.push(section);
    k += 2;
    let closed = false;
    while (k < toks.length) {
      const t = toks[k];
      if (t.v === ')') {
        k++;
        closed = true;
        break;
      }
      const entry: Entry = { toks: [], line: t.line };
      let depth = 0;
      while (k < toks.length) {
        const u = toks[k];
        if (depth === 0 && entry.toks.length > 0 && u.line !== entry.toks[entry.toks.length - 1].line) break;
        if (depth === 0 && u.v === ')') break;
        if (u.v === '(' && ++depth >= MAX_NESTING_DEPTH) {
          // The section's own '(' is the first level.
          ctx.error(u.line, section.name, nestingMessage('( ) lists'));
          return sections;
        }
        if (u.v === ')') depth--;
        entry.toks.push(u);
        k++;
      }
      if (depth !== 0) {
        ctx.error(entry.line, section.name, "unclosed '(' in entry");
        return sections;
      }
      section.entries.push(entry);
    }
    if (!closed) {
      ctx.error(section.line, section.name, "unclosed '(' (file ends before the section's ')')");
      return sections;
    }
  }
  return sections;
}

/** Parses "id ( a b ) ..." returning id, a, b, or null if the shape is wrong. */
function idPair(e: Entry): [string, string, string] | null {
  const t = e.toks.map((x) => x.v);
  if (t.length < 5 || t[1] !== '(' || t[4] !== ')' || t[0] === '(' || t[2] === ')' || t[3] === ')') return null;
  return [t[0], t[2], t[3]];
}

/** Parses SNDlib native-format text; throws ImportError with file:line: field: problem. */
export function parseSndlibNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'sndlib');
  checkImportText(ctx, text);
  if (text.trim().length === 0) ctx.error(1, 'sndlib', 'empty file');
  ctx.throwIfIssues();
  const sections = readSections(ctx, tokenize(text));
  ctx.throwIfIssues();
  const firstSection = new Map<string, Section>();
  for (const sec of sections) {
    const first = firstSection.get(sec.name);
    if (first !== undefined) ctx.error(sec.line, sec.name, `section given twice (first at line ${first.line}): only one would be read`);
    else firstSection.set(sec.name, sec);
    if (!KNOWN_SECTIONS.includes(sec.name)) ctx.warnings.push(`${fileName}:${sec.line}: ${sec.name}: unknown section ignored (SNDlib has ${KNOWN_SECTIONS.join(', ')})`);
  }
  ctx.throwIfIssues();
  const nodesSec = sections.find((s) => s.name === 'NODES');
  const linksSec = sections.find((s) => s.name === 'LINKS');
  if (nodesSec === undefined) ctx.error(1, 'NODES', 'missing NODES section');
  if (linksSec === undefined) ctx.error(1, 'LINKS', 'missing LINKS section');
  ctx.throwIfIssues();

  const raw: { id: string; x: number; y: number; line: number }[] = [];
  const nodeLine = new Map<string, number>();
  for (const e of (nodesSec as Section).entries) {
    const t = e.toks.map((x) => x.v);
    if (t.length !== 5 || t[1] !== '(' || t[4] !== ')') {
      ctx.error(e.line, 'NODES', 'expected "id ( longitude latitude )"');
      continue;
    }
    const x = Number(t[2]);
    const y = Number(t[3]);
    if (!Number.isFinite(x)) ctx.error(e.line, 'node.longitude', `must be a number, got "${t[2]}"`);
    if (!Number.isFinite(y)) ctx.error(e.line, 'node.latitude', `must be a number, got "${t[3]}"`);
    const first = nodeLine.get(t[0]);
    if (first !== undefined) ctx.error(e.line, 'node.id', `duplicate node id ${t[0]} (first at line ${first})`);
    else nodeLine.set(t[0], e.line);
    raw.push({ id: t[0], x, y, line: e.line });
  }
  ctx.throwIfIssues();

  const geographic = looksGeographic(raw);
  const place = geographic ? raw.map((r) => ({ lon: r.x, lat: r.y })) : placePlanar(raw, 1);
  if (!geographic) {
    ctx.warnings.push('coordinates are planar, not longitude/latitude: sites placed schematically at 1 unit = 1 km; span lengths are nominal');
  }
  const ids = new IdAllocator();
  const byId = new Map<string, Site>();
  const sites: Site[] = [];
  raw.forEach((r, i) => {
    const site = importedSite(ids.take(slugify(r.id), `n${i}`), r.id, place[i].lat, place[i].lon);
    byId.set(r.id, site);
    sites.push(site);
  });

  const spans: Span[] = [];
  const spanLines: number[] = [];
  const spanByPair = new Map<string, string>();
  const spanIds = new IdAllocator();
  const linkLine = new Map<string, number>();
  (linksSec as Section).entries.forEach((e, index) => {
    const parsed = idPair(e);
    if (parsed === null) {
      ctx.error(e.line, 'LINKS', 'expected "id ( source target ) ..."');
      return;
    }
    const [linkId, src, tgt] = parsed;
    const firstLine = linkLine.get(linkId);
    if (firstLine !== undefined) {
      ctx.error(e.line, 'link.id', `duplicate link id ${linkId} (first at line ${firstLine})`);
      return;
    }
    linkLine.set(linkId, e.line);
    const a = byId.get(src);
    const z = byId.get(tgt);
    if (a === undefined) ctx.error(e.line, 'link.source', `unknown node ${src}`);
    if (z === undefined) ctx.error(e.line, 'link.target', `unknown node ${tgt}`);
    if (a === undefined || z === undefined) return;
    if (a === z) {
      ctx.skipped.push({ line: e.line, kind: 'link', id: linkId, reason: `self-loop on node ${src}` });
      return;
    }
    const key = pairKey(a.id, z.id);
    const first = spanByPair.get(key);
    if (first !== undefined) {
      ctx.merged.push({ line: e.line, kind: 'link', id: linkId, reason: `repeats link ${first} between ${src} and ${tgt}; folded into it` });
      return;
    }
    spanByPair.set(key, linkId);
    spans.push(importedSpan(spanIds.take(slugify(linkId), `l${index}`), a, z, null));
    spanLines.push(e.line);
  });
  for (const e of sections.find((s) => s.name === 'DEMANDS')?.entries ?? []) {
    ctx.skipped.push({ line: e.line, kind: 'other', id: e.toks[0].v, reason: 'demand (traffic is not part of the fibre inventory)' });
  }
  ctx.throwIfIssues();
  const links = (linksSec as Section).entries;
  ctx.requireContent({
    sites: sites.length,
    spans: spans.length,
    nodesInFile: raw.length,
    edgesInFile: links.length,
    nodeNoun: ['node', 'nodes'],
    edgeNoun: ['link', 'links'],
    nodeLine: (nodesSec as Section).line,
    nodeField: 'NODES',
    edgeLine: links[0]?.line ?? (linksSec as Section).line,
    edgeField: 'LINKS',
  });
  const nameLine = /^#\s*network\s+(\S+)/m.exec(text);
  return ctx.finish(
    { name: nameLine?.[1] ?? nameFromFile(fileName), sites, spans, srlgs: [] },
    { sites: raw.map((r) => r.line), spans: spanLines, srlgs: [] },
    { nodesInFile: raw.length, edgesInFile: (linksSec as Section).entries.length },
  );
}
