/**
 * Parser for XLRON's topology files: networkx node-link JSON of an undirected graph whose links
 * carry `distance` in km and whose nodes may carry `latitude`/`longitude`. Pure: text in, Network out.
 */
import { straightGeometry, type Network, type Site, type Span } from '../domain/network.js';

interface NodeLinkNode { id: unknown; name?: unknown; latitude?: unknown; longitude?: unknown }
interface NodeLinkLink { source: unknown; target: unknown; distance?: unknown; length?: unknown; weight?: unknown }

/** Parses networkx node-link JSON (XLRON `*_undirected.json`) into a Network; site ids are String(node.id). */
export function parseXlronJson(text: string, name = 'xlron'): Network {
  const doc = JSON.parse(text) as { directed?: unknown; nodes?: unknown; links?: unknown; edges?: unknown };
  if (doc.directed === true) throw new Error('xlron: directed graphs are not supported');
  if (!Array.isArray(doc.nodes)) throw new Error('xlron: "nodes" must be an array');
  // networkx >= 3.4 can write "edges" instead of "links".
  const links = doc.links ?? doc.edges;
  if (!Array.isArray(links)) throw new Error('xlron: "links" must be an array');

  const sites: Site[] = [];
  const byId = new Map<string, Site>();
  for (const raw of doc.nodes as NodeLinkNode[]) {
    if (raw === null || typeof raw !== 'object' || raw.id === undefined) throw new Error('xlron: node without id');
    const id = String(raw.id);
    if (byId.has(id)) throw new Error(`xlron: duplicate node ${id}`);
    const lat = typeof raw.latitude === 'number' ? raw.latitude : 0;
    const lon = typeof raw.longitude === 'number' ? raw.longitude : 0;
    const site: Site = {
      id, name: typeof raw.name === 'string' ? raw.name : id, kind: 'pop', lat, lon,
      metro: null, cloudProvider: null, cloudRegion: null,
    };
    sites.push(site);
    byId.set(id, site);
  }

  const spans: Span[] = [];
  const seen = new Map<string, Span>();
  for (const raw of links as NodeLinkLink[]) {
    const a = byId.get(String(raw.source));
    const z = byId.get(String(raw.target));
    if (!a || !z) throw new Error(`xlron: link ${String(raw.source)}-${String(raw.target)} names an unknown node`);
    if (a === z) throw new Error(`xlron: self-loop at node ${a.id}`);
    const lengthKm = Number(raw.distance ?? raw.length ?? raw.weight);
    if (!(lengthKm > 0) || !Number.isFinite(lengthKm)) throw new Error(`xlron: link ${a.id}-${z.id} has no positive distance`);
    const key = a.id < z.id ? `${a.id}|${z.id}` : `${z.id}|${a.id}`;
    const earlier = seen.get(key);
    if (earlier) {
      // networkx's Graph folds a repeated edge into the first one, later attributes winning
      // (geant2 lists 3-8 twice); do the same so the topology matches what XLRON simulates.
      earlier.lengthKm = lengthKm;
      continue;
    }
    const span: Span = {
      id: `${a.id}-${z.id}`, aSiteId: a.id, zSiteId: z.id, lengthKm, measuredLatencyUs: null,
      geometry: straightGeometry(a, z), srlgIds: [], cables: [], lineSystem: null,
    };
    seen.set(key, span);
    spans.push(span);
  }
  return { name, sites, spans, srlgs: [] };
}
