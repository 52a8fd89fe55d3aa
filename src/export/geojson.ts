/**
 * The network as a GeoJSON FeatureCollection (RFC 7946) that opens in QGIS or geojson.io: sites as
 * Point features, spans as LineString features, each with feature `id` = the site/span id and every
 * attribute in properties (properties.featureType says which). The network name and SRLGs ride as
 * foreign members of the collection, so import/geojson.ts can rebuild the identical network.
 */
import { spanLatencyUs } from '../domain/network.js';
import type { Cable, LineSystem, Network, SiteKind, Srlg } from '../domain/network.js';

export interface PointGeometry {
  type: 'Point';
  coordinates: [number, number];
}

export interface LineStringGeometry {
  type: 'LineString';
  coordinates: [number, number][];
}

export interface SiteProperties {
  featureType: 'site';
  id: string;
  name: string;
  kind: SiteKind;
  metro: string | null;
  cloudProvider: string | null;
  cloudRegion: string | null;
}

export interface SpanProperties {
  featureType: 'span';
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  measuredLatencyUs: number | null;
  /** Effective one-way latency (measured, else derived from length); informational, not read back. */
  latencyUs: number;
  srlgIds: string[];
  cables: Cable[];
  lineSystem: LineSystem | null;
}

export type NetworkFeature =
  | { type: 'Feature'; id: string; geometry: PointGeometry; properties: SiteProperties }
  | { type: 'Feature'; id: string; geometry: LineStringGeometry; properties: SpanProperties };

export interface FeatureCollection {
  type: 'FeatureCollection';
  /** Foreign member: the network name. */
  name: string;
  /** Foreign member: the network's SRLGs, which have no geometry of their own. */
  srlgs: Srlg[];
  features: NetworkFeature[];
}

/** The network as a FeatureCollection of site Points and span LineStrings. */
export function toGeoJson(net: Network): FeatureCollection {
  const features: NetworkFeature[] = [];
  for (const s of net.sites) {
    features.push({
      type: 'Feature',
      id: s.id,
      geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      properties: { featureType: 'site', id: s.id, name: s.name, kind: s.kind, metro: s.metro, cloudProvider: s.cloudProvider, cloudRegion: s.cloudRegion },
    });
  }
  for (const s of net.spans) {
    features.push({
      type: 'Feature',
      id: s.id,
      geometry: { type: 'LineString', coordinates: s.geometry.coordinates.map(([lon, lat]) => [lon, lat]) },
      properties: {
        featureType: 'span',
        id: s.id,
        aSiteId: s.aSiteId,
        zSiteId: s.zSiteId,
        lengthKm: s.lengthKm,
        measuredLatencyUs: s.measuredLatencyUs,
        latencyUs: spanLatencyUs(s),
        srlgIds: [...s.srlgIds],
        cables: s.cables.map((c) => ({ ...c })),
        lineSystem: s.lineSystem === null ? null : { ...s.lineSystem },
      },
    });
  }
  return { type: 'FeatureCollection', name: net.name, srlgs: net.srlgs.map((s) => ({ ...s })), features };
}
