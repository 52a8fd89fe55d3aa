/**
 * The US intercity fiber backbone that ships with Lightpath and is loaded into an empty store.
 * Built from the tables beside this file (POPs, data centers, towns, routes, SRLGs, cables); pure
 * and deterministic, so every call returns an equal, independent copy.
 *
 * Sources: POP, campus and town coordinates are public city/town coordinates; routes follow the
 * Interstate highways and railroad rights-of-way named in us-backbone-routes.ts; distances are
 * great-circle (haversine, greatCircleKm in the domain).
 */
import { greatCircleKm, lineStringKm, normalizeSite, normalizeSpan, straightGeometry } from '../domain/network.js';
import type { LineString, Network, Site, Span } from '../domain/network.js';
import { intercityCables, intercityLineSystem, metroCables, metroLineSystem } from './us-backbone-cables.js';
import { DATACENTERS } from './us-backbone-datacenters.js';
import type { DataCenterRow } from './us-backbone-datacenters.js';
import { POPS } from './us-backbone-pops.js';
import type { PopRow } from './us-backbone-pops.js';
import { ROUTES } from './us-backbone-routes.js';
import type { RouteRow } from './us-backbone-routes.js';
import { SRLGS } from './us-backbone-srlgs.js';
import { TOWNS } from './us-backbone-towns.js';

export const BUILTIN_NETWORK_NAME = 'Lightpath US Backbone';

/**
 * Intercity route length = length of the waypoint polyline × 1.08. The polyline already follows the
 * highway or railroad through its towns, but waypoints are 50–250 km apart and the road bends
 * between them; add slack loops at splice points and the entries into buildings, and the fiber is
 * typically 5–10 % longer than the polyline. 1.08 sits in that range (the domain's default 1.25 is
 * for a bare great-circle line with no route knowledge).
 */
export const INTERCITY_POLYLINE_FACTOR = 1.08;

/**
 * Metro span length = great-circle distance × 1.3: metro fiber follows the street grid and
 * utility rights-of-way, with no waypoints to describe them, so the factor is larger than intercity.
 */
export const METRO_ROUTE_FACTOR = 1.3;

/** Site id of a metro POP from its code. */
export function popSiteId(code: string): string {
  return `${code}-pop`;
}

function roundKm(km: number): number {
  return Math.round(km * 10) / 10;
}

function popSite(p: PopRow): Site {
  return { id: popSiteId(p.code), name: `${p.metro} POP`, kind: 'pop', lat: p.lat, lon: p.lon, metro: p.metro, cloudProvider: null, cloudRegion: null };
}

function dataCenterSite(d: DataCenterRow): Site {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    lat: d.lat,
    lon: d.lon,
    metro: d.metro,
    cloudProvider: d.cloud?.provider ?? null,
    cloudRegion: d.cloud?.region ?? null,
  };
}

function townLonLat(town: string): [number, number] {
  const at = TOWNS[town];
  // A misspelt town is a bug in the shipped tables; fail loudly rather than draw a wrong route.
  if (at === undefined) throw new Error(`builtin network: unknown town "${town}"`);
  return [at[1], at[0]];
}

function intercitySpan(route: RouteRow, sites: ReadonlyMap<string, Site>): Span {
  const a = requireSite(sites, popSiteId(route.a));
  const z = requireSite(sites, popSiteId(route.z));
  const id = route.suffix === '' ? `${route.a}-${route.z}` : `${route.a}-${route.z}-${route.suffix}`;
  const geometry: LineString = {
    type: 'LineString',
    coordinates: [[a.lon, a.lat], ...route.via.map(townLonLat), [z.lon, z.lat]],
  };
  return {
    id,
    aSiteId: a.id,
    zSiteId: z.id,
    lengthKm: roundKm(lineStringKm(geometry) * INTERCITY_POLYLINE_FACTOR),
    measuredLatencyUs: null,
    geometry,
    srlgIds: [...route.srlgs],
    cables: intercityCables(id, route.tier),
    lineSystem: intercityLineSystem(route.tier),
  };
}

function metroSpan(id: string, a: Site, z: Site, toCampus: boolean, srlgIds: readonly string[]): Span {
  return {
    id,
    aSiteId: a.id,
    zSiteId: z.id,
    lengthKm: roundKm(greatCircleKm(a.lat, a.lon, z.lat, z.lon) * METRO_ROUTE_FACTOR),
    measuredLatencyUs: null,
    geometry: straightGeometry(a, z),
    srlgIds: [...srlgIds],
    cables: metroCables(id, toCampus),
    lineSystem: metroLineSystem(),
  };
}

function requireSite(sites: ReadonlyMap<string, Site>, id: string): Site {
  const site = sites.get(id);
  if (site === undefined) throw new Error(`builtin network: unknown site "${id}"`);
  return site;
}

/** Metro spans of one data center: its uplink to the metro POP, and its ring link to a peer if any. */
function dataCenterSpans(d: DataCenterRow, sites: ReadonlyMap<string, Site>): Span[] {
  const self = requireSite(sites, d.id);
  const pop = requireSite(sites, popSiteId(d.pop));
  const spans = [metroSpan(`${d.id}-${d.pop}`, pop, self, d.kind === 'datacenter', d.srlgs)];
  if (d.peer !== null) {
    const peer = requireSite(sites, d.peer);
    spans.push(metroSpan(`${d.id}-${d.peer}`, self, peer, true, []));
  }
  return spans;
}

/** The built-in US backbone: metro POPs, data centers and cloud on-ramps, spans, SRLGs; a fresh copy per call. */
export function builtinNetwork(): Network {
  // Optics and transit policy stated as the store keeps them: G.652.D, default connectors and launch
  // power, amplifier huts unknown (the QoT model places them every ≤ 80 km along each route).
  const sites = [...POPS.map(popSite), ...DATACENTERS.map(dataCenterSite)].map(normalizeSite);
  const byId = new Map(sites.map((s) => [s.id, s]));
  const spans = [...ROUTES.map((r) => intercitySpan(r, byId)), ...DATACENTERS.flatMap((d) => dataCenterSpans(d, byId))].map(normalizeSpan);
  return { name: BUILTIN_NETWORK_NAME, sites, spans, srlgs: SRLGS.map((s) => ({ ...s })) };
}
