/**
 * Minimal Topology Zoo GML reader for the engine's tests only (the product's importer lives in src/import).
 * Nodes need Latitude and Longitude; nodes without them and their edges are skipped, as are self-loops.
 * Span length is the great-circle distance between the end sites.
 */
import fs from 'node:fs';
import type { GraphSite, GraphSpan } from '../../../src/engine/graph.js';
import { FIBER_LATENCY_US_PER_KM, greatCircleKm } from '../../../src/domain/network.js';

type GmlValue = string | GmlList;
type GmlList = [string, GmlValue][];

function parseList(tokens: string[], pos: { i: number }): GmlList {
  const out: GmlList = [];
  while (pos.i < tokens.length) {
    const key = tokens[pos.i++];
    if (key === ']') return out;
    const v = tokens[pos.i++];
    out.push([key, v === '[' ? parseList(tokens, pos) : v.startsWith('"') ? v.slice(1, -1) : v]);
  }
  return out;
}

/** Sites and spans of a GML file as graph inputs. */
export function readGml(file: string): { sites: GraphSite[]; spans: GraphSpan[] } {
  const text = fs.readFileSync(file, 'utf8');
  const tokens = text.match(/"[^"]*"|\[|\]|[^\s[\]"]+/g) ?? [];
  const top = parseList(tokens, { i: 0 });
  const graph = top.find(([k]) => k === 'graph')?.[1];
  if (!Array.isArray(graph)) throw new Error(`${file}: no graph`);
  const coords = new Map<string, { lat: number; lon: number }>();
  const sites: GraphSite[] = [];
  const spans: GraphSpan[] = [];
  for (const [k, v] of graph) {
    if (k !== 'node' || !Array.isArray(v)) continue;
    const get = (name: string): string | undefined => {
      const f = v.find(([kk]) => kk === name)?.[1];
      return typeof f === 'string' ? f : undefined;
    };
    const id = get('id');
    const lat = Number(get('Latitude'));
    const lon = Number(get('Longitude'));
    if (id === undefined || get('Latitude') === undefined || get('Longitude') === undefined || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    coords.set(id, { lat, lon });
    sites.push({ id, lat, lon });
  }
  for (const [k, v] of graph) {
    if (k !== 'edge' || !Array.isArray(v)) continue;
    const a = v.find(([kk]) => kk === 'source')?.[1];
    const z = v.find(([kk]) => kk === 'target')?.[1];
    if (typeof a !== 'string' || typeof z !== 'string' || a === z) continue;
    const ca = coords.get(a);
    const cz = coords.get(z);
    if (!ca || !cz) continue;
    const lengthKm = greatCircleKm(ca.lat, ca.lon, cz.lat, cz.lon);
    spans.push({ id: `e${spans.length}`, aSiteId: a, zSiteId: z, lengthKm, latencyUs: lengthKm * FIBER_LATENCY_US_PER_KM, srlgIds: [] });
  }
  return { sites, spans };
}
