/**
 * Shapes of the Lightpath REST API as the portal reads them. The network GeoJSON reuses the server's
 * own export types so the two cannot drift apart silently.
 */
import type { FeatureCollection, LineStringGeometry, PointGeometry, SiteProperties, SpanProperties } from '../../../src/export/geojson.js';

export type { SiteProperties };

/**
 * Span properties plus the live state GET /v1/network reports (absent from older servers). The
 * server sends null utilisation and slot counts for dark spans; the portal's model drops them.
 */
export interface LiveSpanProperties extends SpanProperties {
  /** Spectrum utilisation 0..1: held slots ÷ (fiber pairs × slots), packet trunk waves included. */
  utilisation?: number | null;
  /** Spectrum slots held now, over all fiber pairs. */
  usedSlots?: number | null;
  /** Fiber pairs × slots. */
  totalSlots?: number | null;
  /** True while an unrepaired failure holds the span down. */
  failed?: boolean;
  /** The span's amplifier sites as the QoT model places them (absent from older servers). */
  amplifiers?: SpanAmplifier[];
}

/** An amplifier on a span: given by the inventory, or placed by rule when the inventory gives none. */
export interface SpanAmplifier {
  role: 'booster' | 'in-line' | 'preamp';
  positionKm: number;
  lat: number | null;
  lon: number | null;
  placedByDefault: boolean;
  type: string;
}

export interface SiteFeature {
  type: 'Feature';
  id: string;
  geometry: PointGeometry;
  /** roadm/transit: as GET /v1/network states them (absent from older servers). */
  properties: SiteProperties & { roadm?: boolean; transit?: boolean };
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

/** One site of GET /v1/reach. */
export interface ReachedSite {
  siteId: string;
  kind: string;
  latencyUs: number;
  lengthKm: number;
  hops: number;
  siteIds: string[];
  spanIds: string[];
}

/** GET /v1/reach: every site within a one-way latency of `from`, nearest first. */
export interface ReachResponse {
  from: string;
  maxLatencyUs: number;
  kinds: string[] | null;
  sites: ReachedSite[];
  spanIds: string[];
  failedSpansAvoided: string[];
}
