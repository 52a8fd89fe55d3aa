/**
 * The network's MapLibre sources and layers: spans coloured by utilisation (dashed red when failed),
 * computed paths on top in their own colours, sites as shaped icons. Labels are HTML (popups,
 * markers) because an offline map has no glyphs for symbol text.
 */
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { FeatureCollection, LineString, Point } from 'geojson';
import type { NetworkCollection, SiteFeature, SpanFeature } from '../api/types.js';
import { addSiteIcons, iconName } from './icons.js';
import { AMPLIFIER_COLOUR, FAILED_COLOUR, REACH_COLOUR, SPAN_COLOUR, UTILISATION_STOPS } from './palette.js';

import type { PathOverlay } from './overlay.js';
export type { PathOverlay };

export const LAYER = {
  spans: 'spans',
  spansFailed: 'spans-failed',
  spansFailedHalo: 'spans-failed-halo',
  spanHit: 'span-hit',
  pathCasing: 'path-casing',
  pathLine: 'path-line',
  pathDashed: 'path-dashed',
  sites: 'sites',
  amplifiers: 'amplifiers',
  selectedSpan: 'selected-span',
  shadedSites: 'shaded-sites',
} as const;


const utilisationColour: ExpressionSpecification = [
  'case',
  ['==', ['typeof', ['get', 'utilisation']], 'number'],
  ['interpolate', ['linear'], ['to-number', ['get', 'utilisation']], ...UTILISATION_STOPS.flat()],
  SPAN_COLOUR,
];

/**
 * The in-line amplifier sites of every span as points (boosters and preamplifiers sit in the end
 * sites' ROADMs and are not drawn apart from them).
 */
export function amplifierFeatures(net: NetworkCollection): FeatureCollection<Point> {
  const features: FeatureCollection<Point>['features'] = [];
  for (const f of net.features) {
    if (f.properties.featureType !== 'span') continue;
    for (const a of f.properties.amplifiers ?? []) {
      if (a.role !== 'in-line' || a.lat === null || a.lon === null) continue;
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [a.lon, a.lat] }, properties: { spanId: f.properties.id, positionKm: a.positionKm, placedByDefault: a.placedByDefault } });
    }
  }
  return { type: 'FeatureCollection', features };
}

/** Add (or replace the data of) the network sources and layers. */
export function showNetwork(map: MapLibreMap, net: NetworkCollection): void {
  const sites: FeatureCollection = { type: 'FeatureCollection', features: [] };
  const spans: FeatureCollection = { type: 'FeatureCollection', features: [] };
  for (const f of net.features) {
    // Copy ids into properties: MapLibre only keeps numeric feature ids, and popups need the string.
    if (f.properties.featureType === 'site') sites.features.push({ ...f, properties: { ...f.properties } });
    else spans.features.push({ ...f, properties: { ...f.properties, srlgIds: undefined, cables: undefined, lineSystem: undefined, failed: f.properties.failed === true } });
  }
  const amplifiers = amplifierFeatures(net);
  const existing = map.getSource('sites') as GeoJSONSource | undefined;
  if (existing !== undefined) {
    existing.setData(sites);
    (map.getSource('spans') as GeoJSONSource).setData(spans);
    (map.getSource('amplifiers') as GeoJSONSource).setData(amplifiers);
    return;
  }
  addSiteIcons(map);
  map.addSource('spans', { type: 'geojson', data: spans });
  map.addSource('paths', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addSource('sites', { type: 'geojson', data: sites });
  map.addSource('amplifiers', { type: 'geojson', data: amplifiers });
  map.addSource('selected-span', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addSource('shaded-sites', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({
    id: LAYER.spans,
    type: 'line',
    source: 'spans',
    filter: ['!=', ['get', 'failed'], true],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': utilisationColour, 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 2, 8, 4] },
  });
  // The selection outline goes under the failure marks, so a selected cut span still reads red.
  map.addLayer({
    id: LAYER.selectedSpan,
    type: 'line',
    source: 'selected-span',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#111827', 'line-width': 7, 'line-opacity': 0.35 },
  });
  // A failed span may be a few pixels long at national zoom: a wide translucent halo and round caps
  // keep it visible as a red mark wherever the map is.
  map.addLayer({
    id: LAYER.spansFailedHalo,
    type: 'line',
    source: 'spans',
    filter: ['==', ['get', 'failed'], true],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': FAILED_COLOUR, 'line-opacity': 0.35, 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 14, 8, 16] },
  });
  map.addLayer({
    id: LAYER.spansFailed,
    type: 'line',
    source: 'spans',
    filter: ['==', ['get', 'failed'], true],
    paint: { 'line-color': FAILED_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 2.5, 8, 4.5], 'line-dasharray': [2, 1.5] },
  });
  map.addLayer({
    id: LAYER.pathCasing,
    type: 'line',
    source: 'paths',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#ffffff', 'line-width': ['case', ['get', 'emphasised'], 9, 6] },
  });
  map.addLayer({
    id: LAYER.pathLine,
    type: 'line',
    source: 'paths',
    filter: ['!=', ['get', 'dashed'], true],
    layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': ['case', ['get', 'emphasised'], 1, 0] },
    paint: {
      'line-color': ['get', 'colour'],
      'line-width': ['case', ['get', 'emphasised'], 5, 3],
      'line-opacity': ['case', ['get', 'emphasised'], 1, 0.8],
    },
  });
  // Proposed lines (a plan's new routes): dashed, in their own colour.
  map.addLayer({
    id: LAYER.pathDashed,
    type: 'line',
    source: 'paths',
    filter: ['==', ['get', 'dashed'], true],
    paint: { 'line-color': ['get', 'colour'], 'line-width': 4, 'line-dasharray': [2, 1.5] },
  });
  // Invisible wide line so thin spans are easy to hover and click.
  map.addLayer({ id: LAYER.spanHit, type: 'line', source: 'spans', paint: { 'line-color': '#000000', 'line-opacity': 0, 'line-width': 12 } });
  // Sites within a latency budget: a soft disc under each site's own symbol.
  map.addLayer({
    id: LAYER.shadedSites,
    type: 'circle',
    source: 'shaded-sites',
    paint: { 'circle-color': REACH_COLOUR, 'circle-opacity': 0.35, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 9, 8, 14] },
  });
  // Amplifier huts along the spans: small, under the sites, hollow where the model placed them by rule.
  map.addLayer({
    id: LAYER.amplifiers,
    type: 'circle',
    source: 'amplifiers',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 2.5, 8, 5],
      'circle-color': ['case', ['get', 'placedByDefault'], '#ffffff', AMPLIFIER_COLOUR],
      'circle-stroke-color': AMPLIFIER_COLOUR,
      'circle-stroke-width': 1.5,
    },
  });
  map.addLayer({
    id: LAYER.sites,
    type: 'symbol',
    source: 'sites',
    layout: {
      'icon-image': ['match', ['get', 'kind'], 'pop', iconName('pop'), 'datacenter', iconName('datacenter'), 'cloud-onramp', iconName('cloud-onramp'), iconName('amplifier')],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
      'icon-size': ['interpolate', ['linear'], ['zoom'], 3, 0.8, 8, 1.2],
      // Campuses sit next to their metro POP: draw them above it so both stay visible.
      'symbol-sort-key': ['match', ['get', 'kind'], 'pop', 1, 'datacenter', 2, 'cloud-onramp', 3, 0],
    },
  });
}

/** Line features for the given paths, one per span, using each span's real geometry. */
export function pathFeatures(spansById: ReadonlyMap<string, SpanFeature>, paths: readonly PathOverlay[]): FeatureCollection<LineString> {
  const features: FeatureCollection<LineString>['features'] = [];
  // Emphasised path last so it draws above the others where they share spans.
  const ordered = [...paths].sort((a, b) => Number(a.emphasised) - Number(b.emphasised));
  for (const p of ordered) {
    for (const id of p.spanIds) {
      const span = spansById.get(id);
      if (span === undefined) continue;
      features.push({ type: 'Feature', geometry: span.geometry, properties: { path: p.key, colour: p.colour, emphasised: p.emphasised, dashed: p.dashed === true } });
    }
    for (const line of p.lines ?? []) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: line.coordinates.map(([x, y]) => [x, y]) }, properties: { path: p.key, colour: p.colour, emphasised: p.emphasised, dashed: p.dashed === true } });
  }
  return { type: 'FeatureCollection', features };
}

/** Replace the drawn paths. */
export function showPaths(map: MapLibreMap, spansById: ReadonlyMap<string, SpanFeature>, paths: readonly PathOverlay[]): void {
  const src = map.getSource('paths') as GeoJSONSource | undefined;
  src?.setData(pathFeatures(spansById, paths));
}

/** Outline the selected span (or none). */
export function showSelectedSpan(map: MapLibreMap, span: SpanFeature | null): void {
  const src = map.getSource('selected-span') as GeoJSONSource | undefined;
  src?.setData({ type: 'FeatureCollection', features: span === null ? [] : [{ type: 'Feature', geometry: span.geometry, properties: {} }] });
}

/** Shade these sites (a latency catchment), or none. */
export function showShadedSites(map: MapLibreMap, sites: readonly SiteFeature[]): void {
  const src = map.getSource('shaded-sites') as GeoJSONSource | undefined;
  src?.setData({ type: 'FeatureCollection', features: sites.map((x) => ({ type: 'Feature', geometry: x.geometry, properties: { id: x.id } })) });
}
