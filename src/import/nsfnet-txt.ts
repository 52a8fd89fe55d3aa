/**
 * Parser for the plain-text topology format of DeepRMSA / Optical RL-Gym (e.g. nsfnet_chen.txt):
 * '#' comment lines, then the node count, the link count, and one `a z km` line per link with
 * 1-based node numbers. Pure: text in, Network out.
 */
import { straightGeometry, type Network, type Site, type Span } from '../domain/network.js';

/** Parses the DeepRMSA text format into a Network; site ids are the node numbers ("1".."n"). */
export function parseNsfnetTxt(text: string, name = 'nsfnet'): Network {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length < 2) throw new Error('nsfnet txt: expected node and link counts');
  const nodeCount = parseCount(lines[0], 'node count');
  const linkCount = parseCount(lines[1], 'link count');
  const sites: Site[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    sites.push({ id: String(i), name: String(i), kind: 'pop', lat: 0, lon: 0, metro: null, cloudProvider: null, cloudRegion: null });
  }
  const spans: Span[] = [];
  const seen = new Set<string>();
  for (let li = 2; li < lines.length; li++) {
    const parts = lines[li].split(/\s+/);
    if (parts.length < 3) throw new Error(`nsfnet txt: line "${lines[li]}" is not "a z km"`);
    const a = parseCount(parts[0], 'node');
    const z = parseCount(parts[1], 'node');
    const lengthKm = Number(parts[2]);
    if (a < 1 || a > nodeCount || z < 1 || z > nodeCount) throw new Error(`nsfnet txt: link ${a}-${z} names a node outside 1..${nodeCount}`);
    if (a === z) throw new Error(`nsfnet txt: self-loop at node ${a}`);
    if (!(lengthKm > 0) || !Number.isFinite(lengthKm)) throw new Error(`nsfnet txt: link ${a}-${z} has bad length "${parts[2]}"`);
    const key = a < z ? `${a}-${z}` : `${z}-${a}`;
    if (seen.has(key)) throw new Error(`nsfnet txt: duplicate link ${key}`);
    seen.add(key);
    spans.push({
      id: `${a}-${z}`, aSiteId: String(a), zSiteId: String(z), lengthKm, measuredLatencyUs: null,
      geometry: straightGeometry(sites[a - 1], sites[z - 1]), srlgIds: [], cables: [], lineSystem: null,
    });
  }
  if (spans.length !== linkCount) throw new Error(`nsfnet txt: header says ${linkCount} links, found ${spans.length}`);
  return { name, sites, spans, srlgs: [] };
}

function parseCount(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`nsfnet txt: bad ${what} "${s}"`);
  return n;
}
