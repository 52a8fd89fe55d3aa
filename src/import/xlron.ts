/**
 * Parser for XLRON's topology files: networkx node-link JSON of an undirected graph whose links
 * carry `distance` in km and whose nodes may carry `latitude`/`longitude`. Pure: text in, Network out.
 * The JSON is read with json-doc.ts (the nesting, size and NUL limits of limits.ts, lines for every
 * problem), so a broken file throws an ImportError ("name:line: field: problem"), never a TypeError.
 */
import { straightGeometry, type Network, type Site, type Span } from '../domain/network.js';
import { IssueList } from './build.js';
import { describeValue, FieldReader, parseJsonDoc } from './json-doc.js';
import type { JsonObject, Seg } from './json-doc.js';

/** A networkx node id or link end: JSON strings and numbers only (String() of an object could throw). */
function nodeRef(r: FieldReader, o: JsonObject, key: string, at: Seg[]): string | null {
  const v = o[key];
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  r.fail([...at, key], v === undefined ? 'missing' : `must be a string or number, got ${describeValue(v)}`);
  return null;
}

/**
 * Parses networkx node-link JSON (XLRON `*_undirected.json`) into a Network; site ids are
 * String(node.id). `name` names the network and, in errors, the file. Throws ImportError.
 */
export function parseXlronJson(text: string, name = 'xlron'): Network {
  const issues = new IssueList(name);
  const doc = parseJsonDoc(issues, text);
  const r = new FieldReader(issues, doc);
  const root = r.object(doc.value(), []);
  issues.throwIfIssues();
  const o = root as JsonObject;
  if (o.directed === true) r.fail(['directed'], 'directed graphs are not supported');
  const nodes = r.array(o, 'nodes', []);
  // networkx >= 3.4 can write "edges" instead of "links".
  const linksKey = o.links === undefined && o.edges !== undefined ? 'edges' : 'links';
  const links = r.array(o, linksKey, []);
  issues.throwIfIssues();

  const sites: Site[] = [];
  const byId = new Map<string, { site: Site; index: number }>();
  nodes.forEach((v, i) => {
    const at: Seg[] = ['nodes', i];
    const n = r.object(v, at);
    if (n === null) return;
    const id = nodeRef(r, n, 'id', at);
    if (id === null) return;
    const first = byId.get(id);
    if (first !== undefined) return r.fail([...at, 'id'], `duplicate node ${id} (first at line ${doc.lineOf(['nodes', first.index])})`);
    const lat = typeof n.latitude === 'number' ? n.latitude : 0;
    const lon = typeof n.longitude === 'number' ? n.longitude : 0;
    const site: Site = {
      id, name: typeof n.name === 'string' ? n.name : id, kind: 'pop', lat, lon,
      metro: null, cloudProvider: null, cloudRegion: null,
    };
    sites.push(site);
    byId.set(id, { site, index: i });
  });
  if (nodes.length === 0) r.fail(['nodes'], 'no nodes; nothing to read');

  const spans: Span[] = [];
  const seen = new Map<string, Span>();
  links.forEach((v, i) => {
    const at: Seg[] = [linksKey, i];
    const l = r.object(v, at);
    if (l === null) return;
    const source = nodeRef(r, l, 'source', at);
    const target = nodeRef(r, l, 'target', at);
    if (source === null || target === null) return;
    const a = byId.get(source)?.site;
    const z = byId.get(target)?.site;
    if (!a || !z) return r.fail(at, `link ${source}-${target} names an unknown node`);
    if (a === z) return r.fail(at, `self-loop at node ${a.id}`);
    const raw = l.distance ?? l.length ?? l.weight;
    const lengthKm = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : NaN;
    if (!(lengthKm > 0) || !Number.isFinite(lengthKm)) return r.fail(at, `link ${a.id}-${z.id} has no positive distance`);
    const key = a.id < z.id ? `${a.id}|${z.id}` : `${z.id}|${a.id}`;
    const earlier = seen.get(key);
    if (earlier) {
      // networkx's Graph folds a repeated edge into the first one, later attributes winning
      // (geant2 lists 3-8 twice); do the same so the topology matches what XLRON simulates.
      earlier.lengthKm = lengthKm;
      return;
    }
    const span: Span = {
      id: `${a.id}-${z.id}`, aSiteId: a.id, zSiteId: z.id, lengthKm, measuredLatencyUs: null,
      geometry: straightGeometry(a, z), srlgIds: [], cables: [], lineSystem: null,
    };
    seen.set(key, span);
    spans.push(span);
  });
  issues.throwIfIssues();
  return { name, sites, spans, srlgs: [] };
}
