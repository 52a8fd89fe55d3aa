/**
 * The offline base map: Natural Earth land and country borders (world-atlas) and US state lines
 * (us-atlas), shipped as TopoJSON files inside the build and turned into GeoJSON here. No tile
 * server, no glyphs, no sprite, so the map never reaches past the Lightpath server.
 */
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { FeatureCollection, MultiLineString, Feature, Geometry } from 'geojson';
import type { StyleSpecification } from 'maplibre-gl';
import worldUrl from 'world-atlas/countries-50m.json?url';
import usUrl from 'us-atlas/states-10m.json?url';

/** GeoJSON layers of the base map. */
export interface Basemap {
  land: FeatureCollection | Feature;
  countryBorders: MultiLineString;
  stateBorders: MultiLineString;
}

async function loadTopology(url: string): Promise<Topology> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Base map data missing (HTTP ${res.status} for ${url})`);
  return (await res.json()) as Topology;
}

/** Fetch the packaged TopoJSON (same origin) and convert it to GeoJSON. */
export async function loadBasemap(): Promise<Basemap> {
  const [world, us] = await Promise.all([loadTopology(worldUrl), loadTopology(usUrl)]);
  const countries = world.objects.countries as GeometryCollection;
  const states = us.objects.states as GeometryCollection;
  // mesh with a !== b keeps only the lines shared by two areas: borders, not coastlines.
  return {
    land: feature(world, world.objects.land) as FeatureCollection<Geometry> | Feature<Geometry>,
    countryBorders: mesh(world, countries, (a, b) => a !== b),
    stateBorders: mesh(us, states, (a, b) => a !== b),
  };
}

export const OCEAN_COLOUR = '#dfe8f1';
export const LAND_COLOUR = '#f7f7f4';

/** A MapLibre style with only the base layers; the network layers are added on top at run time. */
export function basemapStyle(base: Basemap): StyleSpecification {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: base.land },
      countries: { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: base.countryBorders } },
      states: { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: base.stateBorders } },
    },
    layers: [
      { id: 'ocean', type: 'background', paint: { 'background-color': OCEAN_COLOUR } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': LAND_COLOUR, 'fill-outline-color': '#b8c4d0' } },
      { id: 'state-borders', type: 'line', source: 'states', paint: { 'line-color': '#cfd6de', 'line-width': 0.8 } },
      { id: 'country-borders', type: 'line', source: 'countries', paint: { 'line-color': '#a9b4c0', 'line-width': 1.1 } },
    ],
  };
}
