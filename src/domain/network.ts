/**
 * The operator's view of the physical network: sites, spans (fiber routes), the cables and
 * DWDM line systems on them, and shared-risk link groups. Pure types and rules, no I/O.
 */
import { DEFAULT_CONNECTOR_LOSS_DB, DEFAULT_FIBER_TYPE, DEFAULT_LAUNCH_POWER_DBM } from './optical.js';

export const SITE_KINDS = ['datacenter', 'pop', 'cloud-onramp', 'amplifier'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const SRLG_KINDS = ['conduit', 'trench', 'bridge', 'building', 'duct', 'right-of-way', 'other'] as const;
export type SrlgKind = (typeof SRLG_KINDS)[number];

/** A place where fiber terminates or is amplified. */
export interface Site {
  id: string;
  name: string;
  kind: SiteKind;
  lat: number;
  lon: number;
  /** Metro area the site belongs to (e.g. "Chicago"); null when unknown. */
  metro: string | null;
  /** For cloud on-ramps: provider (e.g. "aws") and region (e.g. "us-east-1"). */
  cloudProvider: string | null;
  cloudRegion: string | null;
  /**
   * Whether circuits may pass through the site (absent = the kind's default, `defaultTransit`): POPs
   * (ROADMs) and amplifier huts carry through traffic, customer data centers and cloud on-ramps are
   * endpoints only. Operators change it per site.
   */
  transit?: boolean;
}

/** GeoJSON LineString, coordinates as [lon, lat]. */
export interface LineString {
  type: 'LineString';
  coordinates: [number, number][];
}

/** A fiber cable laid along a span. */
export interface Cable {
  id: string;
  strandCount: number;
  strandsInUse: number;
}

/** The DWDM line system lighting fiber pairs on a span (flex grid, ITU-T G.694.1). */
export interface LineSystem {
  fiberPairs: number;
  /** Number of spectrum slots; the default is the C-band's 4.8 THz as 384 × 12.5 GHz. */
  slotCount: number;
  slotWidthGhz: number;
  /** Lower edge of slot 0. */
  startFrequencyGhz: number;
  /** Per-channel launch power into every fiber section, dBm (absent = DEFAULT_LAUNCH_POWER_DBM). */
  launchPowerDbm?: number;
  /**
   * In-line amplifier huts, km from the A end, strictly inside the span, ascending. Absent or null =
   * unknown: the QoT model places them every ≤ 80 km along the route and marks them as placed.
   */
  amplifierSitesKm?: number[] | null;
}

/** A fiber route between two sites. */
export interface Span {
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  /** Measured one-way latency when known; otherwise null and latency derives from length. */
  measuredLatencyUs: number | null;
  geometry: LineString;
  srlgIds: string[];
  cables: Cable[];
  lineSystem: LineSystem | null;
  /** Fiber type, a key of FIBER_TYPES in optical.ts (absent = G.652.D). */
  fiberType?: string;
  /** Loss of the connector pair at each end of an amplified section, dB (absent = 0.5). */
  connectorLossDb?: number;
}

/** A shared-risk link group: spans that one event (a dig, a bridge, a building) takes down together. */
export interface Srlg {
  id: string;
  name: string;
  kind: SrlgKind;
}

/** A whole network: the unit of import, export and the built-in data. */
export interface Network {
  name: string;
  sites: Site[];
  spans: Span[];
  srlgs: Srlg[];
}

/** The transit policy a site of this kind gets unless the operator says otherwise. */
export function defaultTransit(kind: SiteKind): boolean {
  return kind === 'pop' || kind === 'amplifier';
}

/** True when circuits may pass through the site (not only start or end there). */
export function allowsTransit(site: Pick<Site, 'kind' | 'transit'>): boolean {
  return site.transit ?? defaultTransit(site.kind);
}

/**
 * True when the site has a ROADM: a transit site other than an amplifier hut (POPs by default).
 * Only ROADM sites add, drop, switch fiber pairs and host regenerators; an amplifier hut only
 * amplifies the line passing through it.
 */
export function hasRoadm(site: Pick<Site, 'kind' | 'transit'>): boolean {
  return site.kind !== 'amplifier' && allowsTransit(site);
}

/** The site with its transit policy stated (the kind's default when absent), as the store keeps it. */
export function normalizeSite(site: Site): Site {
  return { ...site, transit: allowsTransit(site) };
}

/**
 * The span with its optics stated (defaults where absent: G.652.D, 0.5 dB connectors, 0 dBm per
 * channel, amplifier sites unknown), as the store keeps it.
 */
export function normalizeSpan(span: Span): Span {
  return {
    ...span,
    lineSystem: span.lineSystem === null ? null : { ...span.lineSystem, launchPowerDbm: span.lineSystem.launchPowerDbm ?? DEFAULT_LAUNCH_POWER_DBM, amplifierSitesKm: span.lineSystem.amplifierSitesKm ?? null },
    fiberType: span.fiberType ?? DEFAULT_FIBER_TYPE,
    connectorLossDb: span.connectorLossDb ?? DEFAULT_CONNECTOR_LOSS_DB,
  };
}

/** Speed of light in standard single-mode fiber (group index ≈ 1.468): 4.9 µs per km. */
export const FIBER_LATENCY_US_PER_KM = 4.9;

/** C-band flex grid default: 4.8 THz as 384 slots of 12.5 GHz starting at 191.3 THz. */
export const DEFAULT_LINE_SYSTEM: LineSystem = Object.freeze({
  fiberPairs: 1,
  slotCount: 384,
  slotWidthGhz: 12.5,
  startFrequencyGhz: 191_300,
});

/** Default factor between great-circle distance and real fiber route length. */
export const DEFAULT_ROUTE_FACTOR = 1.25;

/** One-way latency of a span: measured when given, else 4.9 µs/km of fiber. */
export function spanLatencyUs(span: Pick<Span, 'lengthKm' | 'measuredLatencyUs'>): number {
  return span.measuredLatencyUs ?? span.lengthKm * FIBER_LATENCY_US_PER_KM;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle (haversine) distance between two points in km. */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Physical lower bound on one-way fiber latency between two points (straight fiber, 4.9 µs/km). */
export function latencyLowerBoundUs(a: Pick<Site, 'lat' | 'lon'>, z: Pick<Site, 'lat' | 'lon'>): number {
  return greatCircleKm(a.lat, a.lon, z.lat, z.lon) * FIBER_LATENCY_US_PER_KM;
}

/** Straight-line geometry between two sites, used when a span's real route is unknown. */
export function straightGeometry(a: Pick<Site, 'lat' | 'lon'>, z: Pick<Site, 'lat' | 'lon'>): LineString {
  return { type: 'LineString', coordinates: [[a.lon, a.lat], [z.lon, z.lat]] };
}

/** Length of a polyline along the earth's surface, in km. */
export function lineStringKm(line: LineString): number {
  let km = 0;
  for (let i = 1; i < line.coordinates.length; i++) {
    const [lon1, lat1] = line.coordinates[i - 1];
    const [lon2, lat2] = line.coordinates[i];
    km += greatCircleKm(lat1, lon1, lat2, lon2);
  }
  return km;
}
