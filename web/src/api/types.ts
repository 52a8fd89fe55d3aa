/**
 * Shapes of the Lightpath REST API as the portal reads them. The network GeoJSON reuses the server's
 * own export types so the two cannot drift apart silently.
 */
import type { FeatureCollection, LineStringGeometry, PointGeometry, SiteProperties, SpanProperties } from '../../../src/export/geojson.js';

export type { SiteProperties };

/** Span properties plus the live state later issues add (absent until then). */
export interface LiveSpanProperties extends SpanProperties {
  /** Spectrum utilisation 0..1, when the server reports it. */
  utilisation?: number;
  /** True while the span is failed (cut), when the server reports it. */
  failed?: boolean;
}

export interface SiteFeature {
  type: 'Feature';
  id: string;
  geometry: PointGeometry;
  properties: SiteProperties;
}

export interface SpanFeature {
  type: 'Feature';
  id: string;
  geometry: LineStringGeometry;
  properties: LiveSpanProperties;
}

/** GET /v1/network. */
export interface NetworkCollection extends Omit<FeatureCollection, 'features'> {
  features: (SiteFeature | SpanFeature)[];
}

/** One ranked path of GET /v1/paths. */
export interface ApiPath {
  rank: number;
  siteIds: string[];
  spanIds: string[];
  lengthKm: number;
  latencyUs: number;
  hops: number;
}

export type DiverseMode = 'link' | 'srlg';
export type PathMetric = 'latency' | 'length' | 'hops';

/** GET /v1/paths. */
export interface PathsResponse {
  from: string;
  to: string;
  metric: PathMetric;
  greatCircleKm: number;
  lowerBoundLatencyUs: number;
  paths: ApiPath[];
  diverse: null | {
    mode: DiverseMode;
    status: 'found' | 'none' | 'gave-up';
    exact: boolean;
    detail: string;
    paths: ApiPath[];
  };
}

/** GET /v1/me. */
export interface Me {
  tenantId: string | null;
  role: 'operator' | 'customer';
  /** False while the server has no authentication (no /v1/me yet). */
  authEnabled: boolean;
}

/** RFC 9457 problem details as the server sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { path?: string; message: string }[];
}
