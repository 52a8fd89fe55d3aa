/**
 * Net2Plan .n2p (XML) → Network. Both layouts in circulation are read: version 5+ (nodes with id,
 * links inside <layer> with lengthInKm) and the older <physicalTopology> (nodes numbered by order,
 * links with linkLengthInKm). xCoord/yCoord are longitude/latitude.
 * Links are directed: a→b and b→a with the same length (within 1 m) are folded into one undirected
 * span, the second listed in report.merged. Reverse links of different length stay separate spans,
 * with a warning. Demands are listed in report.skipped as 'other'. Links of layers other than the
 * first are skipped: they are logical, not fibre. Planar layouts (coordinates outside lon/lat
 * range) are placed schematically, scaled so no span is shorter than the straight line it draws.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { greatCircleKm } from '../domain/network.js';
import type { Site, Span } from '../domain/network.js';
import { IdAllocator, ImportContext, importedSite, importedSpan, nameFromFile, slugify } from './build.js';
import { LineIndex } from './lines.js';
import { looksGeographic, placePlanar } from './planar.js';
import type { ImportResult } from './types.js';

/** Attributes of one XML element, as strings (fast-xml-parser with parseAttributeValue off). */
type Attrs = Record<string | symbol, unknown>;

const LIST_TAGS = new Set(['node', 'link', 'demand', 'demandEntry', 'layer']);
const SAME_LENGTH_KM = 0.001;

interface RawNode {
  key: string;
  name: string;
  x: number;
  y: number;
  line: number;
}

interface RawLink {
  id: string;
  from: string;
  to: string;
  lengthKm: number | null;
  line: number;
  layer: number;
}

function asList(v: unknown): Attrs[] {
  return Array.isArray(v) ? (v as Attrs[]) : [];
}

function str(a: Attrs, key: string): string | undefined {
  const v = a[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Parses Net2Plan XML text; throws ImportError with file:line: field: problem. */
export function parseN2pNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'n2p');
  if (text.trim().length === 0) ctx.error(1, 'xml', 'empty file');
  ctx.throwIfIssues();
  const valid = XMLValidator.validate(text);
  if (valid !== true) ctx.error(valid.err.line, 'xml', valid.err.msg);
  ctx.throwIfIssues();

  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    captureMetaData: true,
    isArray: (tag) => LIST_TAGS.has(tag),
  });
  // fast-xml-parser returns untyped JSON; every field read below is checked.
  const doc = parser.parse(text) as Record<string, unknown>;
  // Declared as the boxed Symbol type; at run time it is a symbol primitive.
  const meta = XMLParser.getMetaDataSymbol() as unknown as symbol;
  const lines = new LineIndex(text);
  const lineOf = (el: Attrs): number => {
    const m = el[meta] as { startIndex?: number } | undefined;
    return m?.startIndex === undefined ? 1 : lines.lineAt(m.startIndex);
  };
  const net = doc.network as Attrs | undefined;
  if (net === undefined || typeof net !== 'object') {
    ctx.error(1, 'network', 'no <network> element');
    ctx.throwIfIssues();
  }
  const network = net as Attrs;
  const legacy = typeof network.physicalTopology === 'object' && network.physicalTopology !== null;
  const topo = legacy ? (network.physicalTopology as Attrs) : network;
  const layers = legacy ? [topo] : asList(network.layer);

  const nodes: RawNode[] = asList(topo.node).map((n, i) => {
    const line = lineOf(n);
    const num = (key: string): number => {
      const s = str(n, key);
      const v = Number(s);
      if (s === undefined || s.trim() === '' || !Number.isFinite(v)) ctx.error(line, `node.${key}`, `must be a number, got ${JSON.stringify(s ?? null)}`);
      return v;
    };
    return { key: legacy ? String(i) : (str(n, 'id') ?? String(i)), name: str(n, 'name') ?? '', x: num('xCoord'), y: num('yCoord'), line };
  });
  const links: RawLink[] = [];
  layers.forEach((layer, li) => {
    asList(layer.link).forEach((l) => {
      const line = lineOf(l);
      const lenStr = str(l, 'lengthInKm') ?? str(l, 'linkLengthInKm');
      const lengthKm = lenStr === undefined ? null : Number(lenStr);
      if (lengthKm !== null && (lenStr?.trim() === '' || !Number.isFinite(lengthKm))) {
        ctx.error(line, 'link.lengthInKm', `must be a number, got ${JSON.stringify(lenStr)}`);
      }
      const from = str(l, 'originNodeId');
      const to = str(l, 'destinationNodeId');
      if (from === undefined) ctx.error(line, 'link.originNodeId', 'missing');
      if (to === undefined) ctx.error(line, 'link.destinationNodeId', 'missing');
      links.push({ id: str(l, 'id') ?? String(links.length), from: from ?? '', to: to ?? '', lengthKm, line, layer: li });
    });
  });
  const demands = legacy ? asList((network.demandSet as Attrs | undefined)?.demandEntry) : layers.flatMap((l) => asList(l.demand));
  ctx.throwIfIssues();
  return build(ctx, { name: str(network, 'name') ?? '', fileName, nodes, links, demands: demands.map((d, i) => ({ id: str(d, 'id') ?? `d${i}`, line: lineOf(d) })) });
}

function build(
  ctx: ImportContext,
  input: { name: string; fileName: string; nodes: RawNode[]; links: RawLink[]; demands: { id: string; line: number }[] },
): ImportResult {
  const { nodes, links } = input;
  const rawByKey = new Map<string, RawNode>();
  for (const n of nodes) {
    if (rawByKey.has(n.key)) ctx.error(n.line, 'node.id', `duplicate node id ${n.key}`);
    rawByKey.set(n.key, n);
  }
  for (const l of links) {
    if (!rawByKey.has(l.from)) ctx.error(l.line, 'link.originNodeId', `unknown node ${l.from}`);
    if (!rawByKey.has(l.to)) ctx.error(l.line, 'link.destinationNodeId', `unknown node ${l.to}`);
  }
  ctx.throwIfIssues();

  const places = placeNodes(ctx, nodes, links.filter((l) => l.layer === 0), rawByKey);
  const slugCount = new Map<string, number>();
  for (const n of nodes) slugCount.set(slugify(n.name).toLowerCase(), (slugCount.get(slugify(n.name).toLowerCase()) ?? 0) + 1);
  const ids = new IdAllocator();
  const siteByKey = new Map<string, Site>();
  const sites = nodes.map((n, i) => {
    const slug = slugify(n.name);
    const fallback = `n${slugify(n.key) || i}`;
    const id = ids.take(slug.length > 0 && slugCount.get(slug.toLowerCase()) === 1 ? slug : fallback, fallback);
    const site = importedSite(id, n.name.trim() || id, places[i].lat, places[i].lon);
    siteByKey.set(n.key, site);
    return site;
  });

  const spans: Span[] = [];
  const spanLines: number[] = [];
  // Spans still waiting for their reverse link, by directed "from→to" of the span.
  const awaitingReverse = new Map<string, { span: Span; linkId: string }[]>();
  let unequalReverse = 0;
  let tooShort = 0;
  const spanIds = new IdAllocator();
  for (const l of links) {
    if (l.layer > 0) {
      ctx.skipped.push({ line: l.line, kind: 'link', id: l.id, reason: `in layer ${l.layer + 1}, not the first (physical) layer` });
      continue;
    }
    const a = siteByKey.get(l.from) as Site;
    const z = siteByKey.get(l.to) as Site;
    if (a === z) {
      ctx.skipped.push({ line: l.line, kind: 'link', id: l.id, reason: `self-loop on node ${l.from}` });
      continue;
    }
    const waiting = awaitingReverse.get(`${l.to}\u0000${l.from}`) ?? [];
    const match = waiting.findIndex((w) => l.lengthKm === null || Math.abs(w.span.lengthKm - l.lengthKm) <= SAME_LENGTH_KM);
    if (match >= 0) {
      const [w] = waiting.splice(match, 1);
      ctx.merged.push({ line: l.line, kind: 'link', id: l.id, reason: `reverse direction of link ${w.linkId}; folded into span ${w.span.id}` });
      continue;
    }
    if (waiting.length > 0) unequalReverse++;
    const span = importedSpan(spanIds.take(`l${slugify(l.id)}`, `l${spans.length}`), a, z, l.lengthKm);
    if (l.lengthKm !== null && l.lengthKm > 0 && l.lengthKm + SAME_LENGTH_KM < greatCircleKm(a.lat, a.lon, z.lat, z.lon)) tooShort++;
    spans.push(span);
    spanLines.push(l.line);
    const key = `${l.from}\u0000${l.to}`;
    awaitingReverse.set(key, [...(awaitingReverse.get(key) ?? []), { span, linkId: l.id }]);
  }
  for (const d of input.demands) {
    ctx.skipped.push({ line: d.line, kind: 'other', id: d.id, reason: 'demand (traffic is not part of the fibre inventory)' });
  }
  if (unequalReverse > 0) ctx.warnings.push(`${unequalReverse} reverse link(s) differ in length from their forward link: kept as separate spans`);
  if (tooShort > 0) {
    ctx.warnings.push(`${tooShort} span(s) are stated shorter than the great-circle distance between their sites: the lengths or the coordinates are approximate`);
  }
  return ctx.finish(
    { name: input.name.trim() || nameFromFile(input.fileName), sites, spans, srlgs: [] },
    { sites: nodes.map((n) => n.line), spans: spanLines, srlgs: [] },
    { nodesInFile: nodes.length, edgesInFile: links.length },
  );
}

/** Geographic coordinates as given; a planar layout scaled so no stated link length is undercut. */
function placeNodes(ctx: ImportContext, nodes: RawNode[], links: RawLink[], byKey: Map<string, RawNode>): { lat: number; lon: number }[] {
  const pts = nodes.map((n) => ({ x: n.x, y: n.y }));
  if (looksGeographic(pts)) return nodes.map((n) => ({ lon: n.x, lat: n.y }));
  let kmPerUnit = Infinity;
  for (const l of links) {
    const a = byKey.get(l.from) as RawNode;
    const z = byKey.get(l.to) as RawNode;
    const d = Math.hypot(a.x - z.x, a.y - z.y);
    if (l.lengthKm !== null && l.lengthKm > 0 && d > 0) kmPerUnit = Math.min(kmPerUnit, l.lengthKm / d);
  }
  if (!Number.isFinite(kmPerUnit)) kmPerUnit = 1;
  ctx.warnings.push(`coordinates are planar, not longitude/latitude: sites placed schematically (${kmPerUnit.toPrecision(3)} km per unit)`);
  return placePlanar(pts, kmPerUnit);
}
