/**
 * GeoJSON FeatureCollection → Network. Point features are sites, LineString features are spans
 * (properties.featureType, when present, decides instead). Ids come from the feature id, else
 * properties.id, else a slug of properties.name (sites) or "e<index>" (spans). A span's sites come
 * from properties.aSiteId/zSiteId, else from matching its first and last positions to a site
 * (exact, or nearest within 0.1 km). Missing attributes get the defaults in fields.ts; a missing
 * lengthKm is the great-circle length of the line (floored at MIN_DERIVED_SPAN_KM).
 * Other geometries are skipped and reported. Reads back toGeoJson output losslessly.
 * A file of which no site (or, with LineString features, no span) can be imported is refused.
 */
import { greatCircleKm, lineStringKm } from '../domain/network.js';
import type { LineString, Site, Span } from '../domain/network.js';
import { IdAllocator, ImportContext, MIN_DERIVED_SPAN_KM, nameFromFile, slugify } from './build.js';
import { readLineString, readSiteAttrs, readSpanAttrs, readSrlg } from './fields.js';
import { describeValue, FieldReader, isObject, joinPath, parseJsonDoc, splitPath } from './json-doc.js';
import type { JsonObject, Seg } from './json-doc.js';
import type { ImportResult } from './types.js';

/** How far a line's end may be from a site and still be taken to end there. */
export const ENDPOINT_MATCH_KM = 0.1;

interface PendingSpan {
  feature: number;
  at: Seg[];
  props: JsonObject;
  explicitId: string | null;
  geometry: LineString;
}

function explicitId(f: JsonObject, props: JsonObject): string | null {
  const v = f.id ?? props.id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function nearestSite(sites: readonly Site[], [lon, lat]: [number, number]): Site | null {
  let best: Site | null = null;
  let bestKm = ENDPOINT_MATCH_KM;
  for (const s of sites) {
    if (s.lon === lon && s.lat === lat) return s;
    const km = greatCircleKm(lat, lon, s.lat, s.lon);
    if (km <= bestKm) {
      best = s;
      bestKm = km;
    }
  }
  return best;
}

/** Parses a GeoJSON FeatureCollection; throws ImportError with file:line: field: problem. */
export function parseGeoJsonNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'geojson');
  const doc = parseJsonDoc(ctx, text);
  const r = new FieldReader(ctx, doc);
  const root = r.object(doc.value(), []);
  ctx.throwIfIssues();
  const o = root as JsonObject;
  if (o.type !== 'FeatureCollection') r.fail(['type'], 'must be "FeatureCollection"');
  const features = r.array(o, 'features', []);
  ctx.throwIfIssues();

  const name = typeof o.name === 'string' && o.name.trim() !== '' ? o.name : nameFromFile(fileName);
  const srlgs = r.array(o, 'srlgs', [], []).map((v, i) => readSrlg(r, v, ['srlgs', i]));
  const sites: Site[] = [];
  const siteFeature: number[] = [];
  const pending: PendingSpan[] = [];
  const siteIds = new IdAllocator();
  let siteCount = 0;
  let spanCount = 0;
  features.forEach((fv, i) => {
    const at: Seg[] = ['features', i];
    const f = r.object(fv, at);
    if (f === null) return;
    const props = f.properties === undefined || f.properties === null ? {} : r.object(f.properties, [...at, 'properties']) ?? {};
    const g = isObject(f.geometry) ? f.geometry : null;
    const type = props.featureType ?? (g?.type === 'Point' ? 'site' : g?.type === 'LineString' ? 'span' : null);
    const id = explicitId(f, props);
    if (type === 'site') {
      if (g?.type !== 'Point') return r.fail([...at, 'geometry'], 'a site must be a Point');
      const [lon, lat] = r.position(g.coordinates, [...at, 'geometry', 'coordinates']);
      const fallback = `s${i}`;
      const preferred = id ?? (typeof props.name === 'string' ? slugify(props.name) : '');
      const siteId = id ?? siteIds.take(preferred, fallback);
      if (id !== null) siteIds.take(id, fallback);
      siteCount++;
      sites.push({ id: siteId, ...readSiteAttrs(r, props, [...at, 'properties'], siteId), lat, lon });
      siteFeature.push(i);
    } else if (type === 'span') {
      spanCount++;
      const geometry = readLineString(r, g, [...at, 'geometry']);
      if (geometry !== null) pending.push({ feature: i, at, props, explicitId: id, geometry });
    } else {
      ctx.skipped.push({ line: doc.lineOf(at), kind: 'other', id: id ?? `feature ${i}`, reason: `neither a site (Point) nor a span (LineString): geometry ${describeValue(g?.type ?? null)}, featureType ${describeValue(props.featureType ?? null)}` });
    }
  });
  ctx.throwIfIssues();

  const spans: Span[] = [];
  const spanFeature: number[] = [];
  for (const p of pending) {
    const pat: Seg[] = [...p.at, 'properties'];
    const id = p.explicitId ?? `e${p.feature}`;
    const coords = p.geometry.coordinates;
    const ends: string[] = [];
    for (const [key, pos] of [['aSiteId', coords[0]], ['zSiteId', coords[coords.length - 1]]] as const) {
      if (p.props[key] !== undefined) ends.push(r.string(p.props, key, pat));
      else {
        const site = pos === undefined ? null : nearestSite(sites, pos);
        if (site === null) {
          ctx.skipped.push({ line: doc.lineOf(p.at), kind: 'span', id, reason: `no ${key} and its ${key === 'aSiteId' ? 'first' : 'last'} point matches no site within ${ENDPOINT_MATCH_KM} km` });
          break;
        }
        ends.push(site.id);
      }
    }
    if (ends.length < 2) continue;
    const lengthKm = r.number(p.props, 'lengthKm', pat, Math.max(MIN_DERIVED_SPAN_KM, lineStringKm(p.geometry)));
    spans.push({ id, aSiteId: ends[0], zSiteId: ends[1], lengthKm, geometry: p.geometry, ...readSpanAttrs(r, p.props, pat, id) });
    spanFeature.push(p.feature);
  }
  ctx.throwIfIssues();
  ctx.requireContent({
    sites: sites.length,
    spans: spans.length,
    nodesInFile: siteCount,
    edgesInFile: spanCount,
    nodeNoun: ['site (Point feature)', features.length === 0 ? 'sites (Point features)' : `sites (Point features) among its ${features.length} features`],
    edgeNoun: ['span (LineString feature)', 'spans (LineString features)'],
    nodeLine: doc.lineOf(siteFeature.length > 0 ? ['features', siteFeature[0]] : ['features']),
    nodeField: 'features',
    edgeLine: doc.lineOf(pending.length > 0 ? ['features', pending[0].feature] : ['features']),
    edgeField: 'features',
  });
  const toFeature = (path: string): Seg[] => featurePath(path, siteFeature, spanFeature);
  return ctx.finish(
    { name, sites, spans, srlgs },
    (path) => doc.lineOf(toFeature(path)),
    // Features that are neither sites nor spans are in report.skipped as 'other', outside both counts.
    { nodesInFile: siteCount, edgesInFile: spanCount },
    (path) => (toFeature(path).length > 0 ? joinPath(toFeature(path)) : path),
  );
}

/** Turns a validation path ("sites[2].lat", "spans[0].geometry...") into the JSON path of the feature field. */
function featurePath(path: string, siteFeature: number[], spanFeature: number[]): Seg[] {
  const segs = splitPath(path);
  const [list, index, field, ...rest] = segs;
  if (list === 'srlgs' || typeof index !== 'number') return segs;
  const feature = (list === 'sites' ? siteFeature : spanFeature)[index];
  if (feature === undefined) return [];
  const at: Seg[] = ['features', feature];
  if (field === undefined) return at;
  if (field === 'lat') return [...at, 'geometry', 'coordinates', 1];
  if (field === 'lon') return [...at, 'geometry', 'coordinates', 0];
  if (field === 'geometry') return [...at, 'geometry', ...rest];
  return [...at, 'properties', field, ...rest];
}
