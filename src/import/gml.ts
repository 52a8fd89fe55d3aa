/**
 * Internet Topology Zoo style GML → Network. Nodes with Latitude/Longitude become PoP sites; edges
 * become spans whose length is the great-circle distance (a lower bound: no route factor).
 * Real-file quirks are imported or reported, never silently dropped:
 * - nodes without coordinates and "hyperedge" pseudo-nodes are skipped, and so are their edges;
 * - self-loops are skipped;
 * - repeated edges between the same two sites (without `multigraph 1`) are folded into the first
 *   span and listed in report.merged; with `multigraph 1` they stay separate spans.
 * Site ids are the slug of the node label when that is unique in the file (e.g. "New-York"), else
 * "n<id>"; the label is kept as the name. Span ids are "e<index>" by order of the edge in the file.
 * Refused rather than silently dropped or guessed: a second graph, a node or edge outside the graph
 * or not a [ ] list, a key this reader uses given twice in one list (which Latitude is meant?),
 * and a file of which no node (or, with edges, no edge) can be imported.
 */
import type { Site, Span } from '../domain/network.js';
import { IdAllocator, ImportContext, importedSite, importedSpan, nameFromFile, pairKey, slugify } from './build.js';
import { GmlSyntaxError, parseGml } from './gml-parse.js';
import type { GmlPair, GmlValue } from './gml-parse.js';
import { checkImportText } from './limits.js';
import type { ImportResult } from './types.js';

function get(list: GmlPair[], key: string): GmlPair | undefined {
  return list.find((p) => p.key === key);
}

/** Keys this reader uses, per list: each may appear once in one list. */
const READ_KEYS: Record<'graph' | 'node' | 'edge', readonly string[]> = {
  graph: ['label', 'Network', 'multigraph'],
  node: ['id', 'label', 'Latitude', 'Longitude', 'hyperedge'],
  edge: ['source', 'target'],
};

/** Records every used key given twice in one list ("node.Latitude: given twice (first at line 4)"). */
function checkRepeatedKeys(ctx: ImportContext, list: GmlPair[], where: keyof typeof READ_KEYS): void {
  const first = new Map<string, number>();
  for (const p of list) {
    if (!READ_KEYS[where].includes(p.key)) continue;
    const seen = first.get(p.key);
    if (seen === undefined) first.set(p.key, p.line);
    else ctx.error(p.line, `${where}.${p.key}`, `given twice in one ${where} (first at line ${seen}): which one is meant?`);
  }
}

function isList(v: GmlValue): v is GmlPair[] {
  return Array.isArray(v);
}

/** Topology Zoo writes "None" for nodes it could not name. */
function usableLabel(p: GmlPair | undefined): string | null {
  if (p === undefined || typeof p.value !== 'string') return null;
  const s = p.value.trim();
  return s.length === 0 || s === 'None' ? null : s;
}

interface GmlNode {
  gmlId: string;
  line: number;
  label: string | null;
  site: Site | null;
  /** Why the node was skipped, when it was. */
  skipReason: string | null;
}

/** Parses GML text into a network; throws ImportError with file:line: field: problem for malformed input. */
export function parseGmlNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'gml');
  checkImportText(ctx, text);
  let top: GmlPair[];
  try {
    top = parseGml(text);
  } catch (e) {
    if (!(e instanceof GmlSyntaxError)) throw e;
    ctx.error(e.issue.line, e.issue.field, e.issue.message);
    ctx.throwIfIssues();
    throw e;
  }
  const graphs = top.filter((p) => p.key === 'graph' && isList(p.value));
  if (graphs.length === 0) {
    ctx.error(1, 'graph', text.trim().length === 0 ? 'empty file' : 'no "graph [ ... ]" list');
    ctx.throwIfIssues();
  }
  const graphPair = graphs[0];
  for (const extra of graphs.slice(1)) ctx.error(extra.line, 'graph', `a second graph (first at line ${graphPair.line}): one network per file`);
  for (const p of top) {
    if (p.key === 'node' || p.key === 'edge') ctx.error(p.line, p.key, `outside graph [ ... ]: not part of the network`);
  }
  const graph = graphPair.value as GmlPair[];
  checkRepeatedKeys(ctx, graph, 'graph');
  for (const p of graph) {
    if ((p.key === 'node' || p.key === 'edge') && !isList(p.value)) ctx.error(p.line, p.key, `must be a list [ ... ], got ${JSON.stringify(p.value)}`);
  }
  ctx.throwIfIssues();
  const multigraph = get(graph, 'multigraph')?.value === 1;
  const name = usableLabel(get(graph, 'label')) ?? usableLabel(get(graph, 'Network')) ?? nameFromFile(fileName);

  const nodePairs = graph.filter((p) => p.key === 'node' && isList(p.value));
  const edgePairs = graph.filter((p) => p.key === 'edge' && isList(p.value));
  for (const p of nodePairs) checkRepeatedKeys(ctx, p.value as GmlPair[], 'node');
  for (const p of edgePairs) checkRepeatedKeys(ctx, p.value as GmlPair[], 'edge');
  ctx.throwIfIssues();

  const nodes = readNodes(ctx, nodePairs);
  const sites: Site[] = [];
  const siteLines: number[] = [];
  for (const n of nodes.values()) {
    if (n.site !== null) {
      sites.push(n.site);
      siteLines.push(n.line);
    } else {
      ctx.skipped.push({ line: n.line, kind: 'node', id: n.gmlId, reason: n.skipReason ?? 'skipped' });
    }
  }

  const spans: Span[] = [];
  const spanLines: number[] = [];
  const spanByPair = new Map<string, string>();
  edgePairs.forEach((pair, index) => {
    const edge = pair.value as GmlPair[];
    const id = `e${index}`;
    const ends: GmlNode[] = [];
    for (const key of ['source', 'target']) {
      const p = get(edge, key);
      if (p === undefined) ctx.error(pair.line, `edge.${key}`, 'missing');
      else if (isList(p.value)) ctx.error(p.line, `edge.${key}`, 'must be a node id, not a list');
      else {
        const node = nodes.get(String(p.value));
        if (node === undefined) ctx.error(p.line, `edge.${key}`, `unknown node ${String(p.value)}`);
        else ends.push(node);
      }
    }
    if (ends.length < 2) return;
    const [a, z] = ends;
    const skip = (reason: string): void => {
      ctx.skipped.push({ line: pair.line, kind: 'edge', id, reason });
    };
    if (a.site === null) return skip(`source node ${a.gmlId} skipped (${a.skipReason})`);
    if (z.site === null) return skip(`target node ${z.gmlId} skipped (${z.skipReason})`);
    if (a === z) return skip(`self-loop on node ${a.gmlId}`);
    const key = pairKey(a.site.id, z.site.id);
    const first = spanByPair.get(key);
    if (first !== undefined && !multigraph) {
      ctx.merged.push({ line: pair.line, kind: 'edge', id, reason: `repeats ${first} between ${a.site.id} and ${z.site.id}; folded into it` });
      return;
    }
    spanByPair.set(key, id);
    spans.push(importedSpan(id, a.site, z.site, null));
    spanLines.push(pair.line);
  });
  ctx.throwIfIssues();
  requireContent(ctx, nodes, { sites: sites.length, spans: spans.length, nodePairs, edgePairs, graphLine: graphPair.line });
  if (ctx.merged.length > 0) ctx.warnings.push(`${ctx.merged.length} repeated edge(s) folded into existing spans (file is not a multigraph)`);
  return ctx.finish({ name, sites, spans, srlgs: [] }, { sites: siteLines, spans: spanLines, srlgs: [] }, {
    nodesInFile: nodePairs.length,
    edgesInFile: edgePairs.length,
  });
}

/**
 * Refuses a file of which nothing can be imported. When no node has coordinates (Topology Zoo
 * files drawn without a map, e.g. Ai3, Geant) the message says so in the format's words.
 */
function requireContent(
  ctx: ImportContext,
  nodes: Map<string, GmlNode>,
  c: { sites: number; spans: number; nodePairs: GmlPair[]; edgePairs: GmlPair[]; graphLine: number },
): void {
  const nodeLine = c.nodePairs[0]?.line ?? c.graphLine;
  const all = [...nodes.values()];
  if (c.sites === 0 && all.length > 0 && all.every((n) => n.skipReason === NO_COORDINATES)) {
    const many = all.length === 1 ? 'the one node has no' : `none of the ${all.length} nodes has`;
    ctx.error(nodeLine, 'node', `${many} coordinates (Latitude/Longitude); nothing to import`);
    ctx.throwIfIssues();
  }
  ctx.requireContent({
    sites: c.sites,
    spans: c.spans,
    nodesInFile: c.nodePairs.length,
    edgesInFile: c.edgePairs.length,
    nodeNoun: ['node', 'nodes'],
    edgeNoun: ['edge', 'edges'],
    nodeLine,
    nodeField: 'node',
    edgeLine: c.edgePairs[0]?.line ?? c.graphLine,
    edgeField: 'edge',
  });
}

const NO_COORDINATES = 'no coordinates';

function readCoordinate(ctx: ImportContext, node: GmlPair[], key: string): number | null | undefined {
  const p = get(node, key);
  if (p === undefined) return undefined;
  if (typeof p.value !== 'number') {
    ctx.error(p.line, `node.${key}`, `must be a number, got ${isList(p.value) ? 'a list' : JSON.stringify(p.value)}`);
    return null;
  }
  return p.value;
}

/** Reads every node; ids are allocated in file order so they are stable for a given file. */
function readNodes(ctx: ImportContext, nodePairs: GmlPair[]): Map<string, GmlNode> {
  const slugCount = new Map<string, number>();
  for (const pair of nodePairs) {
    const label = usableLabel(get(pair.value as GmlPair[], 'label'));
    if (label !== null) {
      const slug = slugify(label).toLowerCase();
      slugCount.set(slug, (slugCount.get(slug) ?? 0) + 1);
    }
  }
  const ids = new IdAllocator();
  const nodes = new Map<string, GmlNode>();
  for (const pair of nodePairs) {
    const body = pair.value as GmlPair[];
    const idPair = get(body, 'id');
    if (idPair === undefined || isList(idPair.value)) {
      ctx.error(pair.line, 'node.id', idPair === undefined ? 'missing' : 'must be a number or string');
      continue;
    }
    const gmlId = String(idPair.value);
    if (nodes.has(gmlId)) {
      ctx.error(idPair.line, 'node.id', `duplicate node id ${gmlId}`);
      continue;
    }
    const label = usableLabel(get(body, 'label'));
    const node: GmlNode = { gmlId, line: pair.line, label, site: null, skipReason: null };
    nodes.set(gmlId, node);
    const lat = readCoordinate(ctx, body, 'Latitude');
    const lon = readCoordinate(ctx, body, 'Longitude');
    if (get(body, 'hyperedge')?.value === 1) {
      node.skipReason = 'hyperedge pseudo-node: stands for a shared link, not a site';
    } else if (lat === undefined || lon === undefined) {
      node.skipReason = NO_COORDINATES;
    } else if (lat !== null && lon !== null) {
      const fallback = `n${slugify(gmlId) || String(nodes.size - 1)}`;
      const slug = label === null ? '' : slugify(label);
      const preferred = slug.length > 0 && slugCount.get(slug.toLowerCase()) === 1 ? slug : fallback;
      node.site = importedSite(ids.take(preferred, fallback), label ?? fallback, lat, lon);
    }
  }
  return nodes;
}
