/**
 * Net2Plan .n2p (XML) → Network. Both layouts in circulation are read: version 5+ (nodes with id,
 * links inside <layer> with lengthInKm) and the older <physicalTopology> (nodes numbered by order,
 * links with linkLengthInKm). xCoord/yCoord are longitude/latitude.
 * Links are directed: a→b and b→a with the same length (within 1 m) are folded into one undirected
 * span, the second listed in report.merged. Reverse links of different length stay separate spans,
 * with a warning. Demands and shared risk groups are listed in report.skipped as 'other'. Links of
 * layers other than the first are skipped: they are logical, not fibre. Planar layouts (coordinates
 * outside lon/lat range) are placed schematically, scaled so no span is shorter than the straight
 * line it draws.
 *
 * Hostile or broken files are refused before the XML parser sees them (xml-scan.ts): any DOCTYPE or
 * entity declaration, unknown entities, references to characters XML forbids (&#0;), elements nested
 * deeper than MAX_NESTING_DEPTH (64). Where elements may stand follows Net2Plan's own readers
 * (girtel/Net2Plan, Net2Plan-Core ReaderNetPlanN2PVersion_1..6): version 1 reads <node> and <link>
 * only inside <physicalTopology>; versions 2 to 6 read <node> only as a child of <network> and
 * <link> only inside <layer>, and throw on a <link> directly under <network>. No version allows
 * links at the top level, so a <link> or <node> anywhere else (other than as a member of an <srg>)
 * is refused with its line rather than silently ignored, and so is a file mixing both layouts.
 * Link ids repeated within a layer and node ids repeated are refused, as is a file of which no
 * node (or, with links, no link) can be imported.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { greatCircleKm } from '../domain/network.js';
import type { Site, Span } from '../domain/network.js';
import { IdAllocator, ImportContext, importedSite, importedSpan, IssueList, nameFromFile, slugify } from './build.js';
import { checkImportText, MAX_NESTING_DEPTH } from './limits.js';
import type { IssueSink } from './limits.js';
import { LineIndex } from './lines.js';
import { looksGeographic, placePlanar } from './planar.js';
import type { ImportResult } from './types.js';
import { decodeXmlText, scanXml } from './xml-scan.js';

/** Attributes of one XML element, as strings (fast-xml-parser with parseAttributeValue off). */
type Attrs = Record<string | symbol, unknown>;

const LIST_TAGS = new Set(['node', 'link', 'demand', 'demandEntry', 'layer', 'srg']);
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
  /** False when the file gave no id and the link's index stands in (version 1 files). */
  idGiven: boolean;
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

/** Elements that Net2Plan reads only as children of <network>, and at most once (demandSet, physicalTopology). */
const NETWORK_CHILDREN = new Set(['layer', 'physicalTopology', 'demandSet']);
const ONCE = new Set(['physicalTopology', 'demandSet']);

/**
 * Checks where node, link, layer, physicalTopology and demandSet elements stand (see the module
 * comment); each misplaced one is an issue at its line.
 */
function placementChecker(ctx: IssueSink): (name: string, parents: readonly string[], line: number) => void {
  const firstLine = new Map<string, number>();
  return (name, parents, line) => {
    const parent = parents[parents.length - 1];
    const underNetwork = parents.length === 1 && parent === 'network';
    // <srg> lists its member nodes and links as <node id>/<link layerId linkId> references (version 2).
    if (parents.includes('srg')) return;
    if (NETWORK_CHILDREN.has(name) && !underNetwork) ctx.error(line, name, `<${name}> must be a child of <network>: Net2Plan reads it nowhere else`);
    if (name === 'link' && parent !== 'layer' && parent !== 'physicalTopology') {
      ctx.error(line, 'link', `<link> outside a <layer> (or version 1's <physicalTopology>): Net2Plan reads links nowhere else, so it is refused rather than dropped`);
    }
    if (name === 'node' && !underNetwork && parent !== 'physicalTopology') {
      ctx.error(line, 'node', '<node> must be a child of <network> (or of version 1\'s <physicalTopology>): Net2Plan reads nodes nowhere else');
    }
    if (!underNetwork || !['layer', 'node', 'physicalTopology', 'demandSet'].includes(name)) return;
    if (ONCE.has(name) && firstLine.has(name)) ctx.error(line, name, `<${name}> given twice (first at line ${firstLine.get(name)}): only one would be read`);
    const layout = name === 'physicalTopology' ? 'version 1' : name === 'layer' || name === 'node' ? 'version 2+' : null;
    const other = layout === 'version 1' ? (firstLine.get('layer') ?? firstLine.get('node')) : layout === 'version 2+' ? firstLine.get('physicalTopology') : undefined;
    if (other !== undefined) {
      ctx.error(line, name, `mixes the version 1 layout (<physicalTopology>) with the version 2+ layout (<layer>, <node> under <network>, line ${other}): only one would be read`);
    }
    if (!firstLine.has(name)) firstLine.set(name, line);
  };
}

/** Parses Net2Plan XML text; throws ImportError with file:line: field: problem. */
export function parseN2pNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'n2p');
  checkImportText(ctx, text);
  if (text.trim().length === 0) ctx.error(1, 'xml', 'empty file');
  ctx.throwIfIssues();
  // Placement is judged once the XML is known to be well-formed: in a broken file (an unclosed
  // <layer>) misplaced elements are a symptom, and XMLValidator names the cause.
  const placement = new IssueList(fileName);
  scanXml(ctx, text, placementChecker(placement));
  ctx.throwIfIssues();
  const valid = XMLValidator.validate(text);
  if (valid !== true) ctx.error(Math.max(1, valid.err.line), 'xml', valid.err.msg);
  ctx.throwIfIssues();
  for (const i of placement.issues) ctx.error(i.line, i.field, i.message);
  ctx.throwIfIssues();

  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    captureMetaData: true,
    isArray: (tag) => LIST_TAGS.has(tag),
    // No entity processing by the parser: scanXml has refused DOCTYPEs and every reference but the
    // five predefined entities and legal character references, which decodeXmlText decodes.
    processEntities: false,
    htmlEntities: false,
    attributeValueProcessor: (_name, value) => decodeXmlText(value),
    // scanXml already refused deeper files; this is the parser's own guard, kept above that limit.
    maxNestedTags: MAX_NESTING_DEPTH + 1,
  });
  // fast-xml-parser returns untyped JSON; every field read below is checked. It reports malformed
  // XML by throwing a plain Error without a position; XMLValidator and scanXml catch what it
  // rejects in every case the fuzz tests found, and this turns any other case into an ImportError.
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    ctx.error(1, 'xml', `not well-formed: ${e instanceof Error ? e.message : String(e)}`);
    ctx.throwIfIssues();
    throw e;
  }
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
      links.push({ id: str(l, 'id') ?? String(links.length), idGiven: str(l, 'id') !== undefined, from: from ?? '', to: to ?? '', lengthKm, line, layer: li });
    });
  });
  const srgs = [...asList(network.srg), ...asList((network.srgInfo as Attrs | undefined)?.srg)];
  const demands = legacy ? asList((network.demandSet as Attrs | undefined)?.demandEntry) : layers.flatMap((l) => asList(l.demand));
  ctx.throwIfIssues();
  const firstLink = legacy ? lineOf(topo) : (layers.length > 0 ? lineOf(layers[0]) : 1);
  return build(ctx, {
    name: str(network, 'name') ?? '',
    fileName,
    nodes,
    links,
    demands: demands.map((d, i) => ({ id: str(d, 'id') ?? `d${i}`, line: lineOf(d) })),
    srgs: srgs.map((g, i) => ({ id: str(g, 'id') ?? `srg${i}`, line: lineOf(g) })),
    lines: { network: lineOf(network), links: firstLink },
  });
}

function build(
  ctx: ImportContext,
  input: {
    name: string;
    fileName: string;
    nodes: RawNode[];
    links: RawLink[];
    demands: { id: string; line: number }[];
    srgs: { id: string; line: number }[];
    lines: { network: number; links: number };
  },
): ImportResult {
  const { nodes, links } = input;
  const rawByKey = new Map<string, RawNode>();
  for (const n of nodes) {
    const first = rawByKey.get(n.key);
    if (first !== undefined) ctx.error(n.line, 'node.id', `duplicate node id ${n.key} (first at line ${first.line})`);
    else rawByKey.set(n.key, n);
  }
  // Ids are unique per layer in every Net2Plan version; a repeat would silently get a renamed span id.
  const linkByLayerId = new Map<string, RawLink>();
  for (const l of links.filter((x) => x.idGiven)) {
    const key = `${l.layer}\u0000${l.id}`;
    const first = linkByLayerId.get(key);
    if (first !== undefined) ctx.error(l.line, 'link.id', `duplicate link id ${l.id} (first at line ${first.line})`);
    else linkByLayerId.set(key, l);
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
    const list = awaitingReverse.get(key);
    if (list === undefined) awaitingReverse.set(key, [{ span, linkId: l.id }]);
    else list.push({ span, linkId: l.id });
  }
  for (const d of input.demands) {
    ctx.skipped.push({ line: d.line, kind: 'other', id: d.id, reason: 'demand (traffic is not part of the fibre inventory)' });
  }
  for (const g of input.srgs) {
    ctx.skipped.push({ line: g.line, kind: 'other', id: g.id, reason: 'shared risk group (not read from Net2Plan files; add SRLGs after the import)' });
  }
  ctx.requireContent({
    sites: sites.length,
    spans: spans.length,
    nodesInFile: nodes.length,
    edgesInFile: links.length,
    nodeNoun: ['node', 'nodes'],
    edgeNoun: ['link', 'links'],
    nodeLine: nodes[0]?.line ?? input.lines.network,
    nodeField: 'node',
    edgeLine: links[0]?.line ?? input.lines.links,
    edgeField: 'link',
  });
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
