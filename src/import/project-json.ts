/**
 * Lightpath project JSON (format "lightpath.network", version 1; see export/json.ts) → Network.
 * Lossless for files written by toProjectJson. Hand-written files may leave out optional fields
 * (see fields.ts for the defaults); a span without geometry gets a straight line between its
 * sites, and without lengthKm the great-circle length of its geometry (floored at
 * MIN_DERIVED_SPAN_KM). Every issue names the line of the field at fault. A file with no site is
 * refused: imported with replace it would wipe the network for nothing.
 */
import { greatCircleKm, lineStringKm, straightGeometry } from '../domain/network.js';
import type { Site, Span } from '../domain/network.js';
import { ImportContext, MIN_DERIVED_SPAN_KM, nameFromFile } from './build.js';
import { readLineString, readSiteAttrs, readSpanAttrs, readSrlg } from './fields.js';
import { FieldReader, joinPath, parseJsonDoc, splitPath } from './json-doc.js';
import type { JsonObject, Seg } from './json-doc.js';
import type { ImportResult } from './types.js';

const FORMAT = 'lightpath.network';
const KNOWN: Record<string, readonly string[]> = {
  root: ['format', 'version', 'name', 'srlgs', 'sites', 'spans'],
  sites: ['id', 'name', 'kind', 'lat', 'lon', 'metro', 'cloudProvider', 'cloudRegion', 'transit'],
  spans: ['id', 'aSiteId', 'zSiteId', 'lengthKm', 'measuredLatencyUs', 'geometry', 'srlgIds', 'cables', 'lineSystem', 'fiberType', 'connectorLossDb'],
  srlgs: ['id', 'name', 'kind'],
};

/** Unknown keys are most likely typos ("lenghtKm") that would otherwise silently fall back to a default. */
function warnUnknownKeys(ctx: ImportContext, lineOf: (at: Seg[]) => number, o: unknown, known: readonly string[], at: Seg[]): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) ctx.warnings.push(`${ctx.file}:${lineOf([...at, key])}: ${joinPath([...at, key])}: unknown field ignored`);
  }
}

/** Parses project JSON text; throws ImportError with file:line: field: problem. */
export function parseProjectJson(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'json');
  const doc = parseJsonDoc(ctx, text);
  const r = new FieldReader(ctx, doc);
  const root = r.object(doc.value(), []);
  ctx.throwIfIssues();
  const o = root as JsonObject;
  if (o.format !== FORMAT) r.fail(['format'], `must be "${FORMAT}"`);
  if (o.version !== 1) r.fail(['version'], 'unsupported version (this reader knows version 1)');
  ctx.throwIfIssues();

  const name = r.string(o, 'name', [], nameFromFile(fileName));
  const srlgs = r.array(o, 'srlgs', [], []).map((v, i) => readSrlg(r, v, ['srlgs', i]));
  const sites: Site[] = r.array(o, 'sites', []).map((v, i) => {
    const at: Seg[] = ['sites', i];
    const s = r.object(v, at) ?? {};
    const id = r.string(s, 'id', at);
    return { id, ...readSiteAttrs(r, s, at, id), lat: r.number(s, 'lat', at), lon: r.number(s, 'lon', at) };
  });
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const spans: Span[] = r.array(o, 'spans', []).map((v, i) => {
    const at: Seg[] = ['spans', i];
    const s = r.object(v, at) ?? {};
    const id = r.string(s, 'id', at);
    const aSiteId = r.string(s, 'aSiteId', at);
    const zSiteId = r.string(s, 'zSiteId', at);
    const a = siteById.get(aSiteId);
    const z = siteById.get(zSiteId);
    let geometry = s.geometry === undefined ? null : readLineString(r, s.geometry, [...at, 'geometry']);
    if (geometry === null && s.geometry === undefined && a !== undefined && z !== undefined) geometry = straightGeometry(a, z);
    // With an unknown site (reported by validation) there is nothing to draw; a placeholder line
    // keeps the span shaped without adding a second, derived complaint. Such an import always fails.
    const placeholder = s.geometry === undefined ? [[0, 0], [0, 0]] as [number, number][] : [];
    const shape = geometry ?? { type: 'LineString' as const, coordinates: placeholder };
    const derivedKm = a !== undefined && z !== undefined && s.geometry === undefined ? greatCircleKm(a.lat, a.lon, z.lat, z.lon) : lineStringKm(shape);
    const lengthKm = r.number(s, 'lengthKm', at, Math.max(MIN_DERIVED_SPAN_KM, derivedKm));
    return { id, aSiteId, zSiteId, lengthKm, geometry: shape, ...readSpanAttrs(r, s, at, id) };
  });
  ctx.throwIfIssues();
  // Spans may be empty (sites only); no site at all would replace a network with nothing.
  ctx.requireContent({
    sites: sites.length,
    spans: spans.length,
    nodesInFile: sites.length,
    edgesInFile: spans.length,
    nodeNoun: ['site', 'sites'],
    edgeNoun: ['span', 'spans'],
    nodeLine: doc.lineOf(['sites']),
    nodeField: 'sites',
    edgeLine: doc.lineOf(['spans']),
    edgeField: 'spans',
  });
  const lineOf = (at: Seg[]): number => doc.lineOf(at);
  warnUnknownKeys(ctx, lineOf, o, KNOWN.root, []);
  for (const list of ['sites', 'spans', 'srlgs'] as const) {
    const items = o[list];
    if (Array.isArray(items)) items.forEach((item, i) => warnUnknownKeys(ctx, lineOf, item, KNOWN[list], [list, i]));
  }
  return ctx.finish({ name, sites, spans, srlgs }, (path) => doc.lineOf(splitPath(path)), {
    nodesInFile: sites.length,
    edgesInFile: spans.length,
  });
}
