/**
 * Parser for the plain-text topology format of DeepRMSA / Optical RL-Gym (e.g. nsfnet_chen.txt):
 * '#' comment lines, then the node count, the link count, and one `a z km` line per link with
 * 1-based node numbers. Pure: text in, Network out. Problems throw an ImportError naming the line
 * ("name:line: field: problem"); the node count may not exceed MAX_DECLARED_NODES, since the
 * nodes are not listed and a forged header would otherwise allocate that many sites.
 */
import { straightGeometry, type Network, type Site, type Span } from '../domain/network.js';
import { IssueList } from './build.js';
import { checkImportText, MAX_DECLARED_NODES } from './limits.js';

/** Parses the DeepRMSA text format into a Network; site ids are the node numbers ("1".."n"). `name` also names the file in errors. */
export function parseNsfnetTxt(text: string, name = 'nsfnet'): Network {
  const issues = new IssueList(name);
  checkImportText(issues, text);
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.trim(), line: i + 1 }))
    .filter((l) => l.text.length > 0 && !l.text.startsWith('#'));
  if (lines.length < 2) {
    issues.error(lines[0]?.line ?? 1, 'header', 'expected node and link counts');
    issues.throwIfIssues();
  }
  const count = (s: string, line: number, field: string, max: number): number => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n > max) {
      issues.error(line, field, `bad ${field} "${s}" (an integer from 0 to ${max})`);
      return -1;
    }
    return n;
  };
  const nodeCount = count(lines[0].text, lines[0].line, 'node count', MAX_DECLARED_NODES);
  const linkCount = count(lines[1].text, lines[1].line, 'link count', Number.MAX_SAFE_INTEGER);
  issues.throwIfIssues();
  if (nodeCount === 0) issues.error(lines[0].line, 'node count', 'no nodes; nothing to read');
  const sites: Site[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    sites.push({ id: String(i), name: String(i), kind: 'pop', lat: 0, lon: 0, metro: null, cloudProvider: null, cloudRegion: null });
  }
  const spans: Span[] = [];
  const firstLine = new Map<string, number>();
  for (const { text: row, line } of lines.slice(2)) {
    const parts = row.split(/\s+/);
    if (parts.length < 3) {
      issues.error(line, 'link', `"${row.slice(0, 40)}" is not "a z km"`);
      continue;
    }
    const a = count(parts[0], line, 'node', nodeCount);
    const z = count(parts[1], line, 'node', nodeCount);
    const lengthKm = Number(parts[2]);
    if (a < 1 || z < 1) {
      issues.error(line, 'link', `link ${parts[0]}-${parts[1]} names a node outside 1..${nodeCount}`);
      continue;
    }
    if (a === z) {
      issues.error(line, 'link', `self-loop at node ${a}`);
      continue;
    }
    if (!(lengthKm > 0) || !Number.isFinite(lengthKm)) {
      issues.error(line, 'link.km', `link ${a}-${z} has bad length "${parts[2]}"`);
      continue;
    }
    const key = a < z ? `${a}-${z}` : `${z}-${a}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      issues.error(line, 'link', `duplicate link ${key} (first at line ${first})`);
      continue;
    }
    firstLine.set(key, line);
    spans.push({
      id: `${a}-${z}`, aSiteId: String(a), zSiteId: String(z), lengthKm, measuredLatencyUs: null,
      geometry: straightGeometry(sites[a - 1], sites[z - 1]), srlgIds: [], cables: [], lineSystem: null,
    });
  }
  issues.throwIfIssues();
  if (spans.length !== linkCount) issues.error(lines[1].line, 'link count', `header says ${linkCount} links, found ${spans.length}`);
  issues.throwIfIssues();
  return { name, sites, spans, srlgs: [] };
}
