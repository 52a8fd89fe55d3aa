/**
 * The project's own network file: every field of every site, span and SRLG, so that
 * export → import gives back an identical Network. Serialize with JSON.stringify(x, null, 2).
 */
import type { Network, Site, Span, Srlg } from '../domain/network.js';

export const PROJECT_JSON_FORMAT = 'lightpath.network';
export const PROJECT_JSON_VERSION = 1;

/** Lightpath project network JSON, version 1. */
export interface ProjectNetworkJson {
  format: typeof PROJECT_JSON_FORMAT;
  version: typeof PROJECT_JSON_VERSION;
  name: string;
  srlgs: Srlg[];
  sites: Site[];
  spans: Span[];
}

function site(s: Site): Site {
  return { id: s.id, name: s.name, kind: s.kind, lat: s.lat, lon: s.lon, metro: s.metro, cloudProvider: s.cloudProvider, cloudRegion: s.cloudRegion, ...(s.transit !== undefined ? { transit: s.transit } : {}) };
}

function span(s: Span): Span {
  return {
    id: s.id,
    aSiteId: s.aSiteId,
    zSiteId: s.zSiteId,
    lengthKm: s.lengthKm,
    measuredLatencyUs: s.measuredLatencyUs,
    geometry: { type: 'LineString', coordinates: s.geometry.coordinates.map(([lon, lat]) => [lon, lat]) },
    srlgIds: [...s.srlgIds],
    cables: s.cables.map((c) => ({ id: c.id, strandCount: c.strandCount, strandsInUse: c.strandsInUse })),
    lineSystem: s.lineSystem === null ? null : { ...s.lineSystem, ...(s.lineSystem.amplifierSitesKm ? { amplifierSitesKm: [...s.lineSystem.amplifierSitesKm] } : {}) },
    ...(s.fiberType !== undefined ? { fiberType: s.fiberType } : {}),
    ...(s.connectorLossDb !== undefined ? { connectorLossDb: s.connectorLossDb } : {}),
  };
}

/** The network as project JSON (a fresh copy with a fixed field order, ready for JSON.stringify). */
export function toProjectJson(net: Network): ProjectNetworkJson {
  return {
    format: PROJECT_JSON_FORMAT,
    version: PROJECT_JSON_VERSION,
    name: net.name,
    srlgs: net.srlgs.map((s) => ({ id: s.id, name: s.name, kind: s.kind })),
    sites: net.sites.map(site),
    spans: net.spans.map(span),
  };
}
