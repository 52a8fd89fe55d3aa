/**
 * Reading site and span attributes from JSON objects (project JSON entries, GeoJSON properties),
 * with the defaults a hand-written file may leave out: kind 'pop', no metro or cloud, no measured
 * latency, no SRLGs, one default cable (defaultCables) and DEFAULT_LINE_SYSTEM. An explicit
 * `lineSystem: null` (dark fibre) is kept as null.
 */
import { DEFAULT_LINE_SYSTEM } from '../domain/network.js';
import type { Cable, LineString, LineSystem, Site, SiteKind, Span, Srlg, SrlgKind } from '../domain/network.js';
import { defaultCables } from './build.js';
import type { FieldReader, JsonObject, Seg } from './json-doc.js';

/** Site attributes other than id and position. */
export function readSiteAttrs(r: FieldReader, o: JsonObject, at: readonly Seg[], id: string): Omit<Site, 'id' | 'lat' | 'lon'> {
  return {
    name: r.string(o, 'name', at, id),
    // An unknown kind passes through as text; validateSite reports it with the allowed values.
    kind: r.string(o, 'kind', at, 'pop') as SiteKind,
    metro: r.nullableString(o, 'metro', at),
    cloudProvider: r.nullableString(o, 'cloudProvider', at),
    cloudRegion: r.nullableString(o, 'cloudRegion', at),
    ...optionalBoolean(r, o, 'transit', at),
  };
}

/** `{ key: value }` for a boolean field that is present, `{}` when absent (the domain default applies). */
function optionalBoolean(r: FieldReader, o: JsonObject, key: string, at: readonly Seg[]): Record<string, boolean> {
  const v = o[key];
  if (v === undefined) return {};
  if (typeof v === 'boolean') return { [key]: v };
  r.fail([...at, key], 'must be true or false');
  return {};
}

/** A GeoJSON LineString object, or null (with an issue) when it is not one. */
export function readLineString(r: FieldReader, v: unknown, at: readonly Seg[]): LineString | null {
  const o = r.object(v, at);
  if (o === null) return null;
  if (o.type !== 'LineString') {
    r.fail([...at, 'type'], 'must be "LineString"');
    return null;
  }
  const coords = r.array(o, 'coordinates', at);
  return { type: 'LineString', coordinates: coords.map((p, i) => r.position(p, [...at, 'coordinates', i])) };
}

function readCable(r: FieldReader, v: unknown, at: readonly Seg[]): Cable {
  const o = r.object(v, at) ?? {};
  return { id: r.string(o, 'id', at), strandCount: r.number(o, 'strandCount', at), strandsInUse: r.number(o, 'strandsInUse', at, 0) };
}

function readLineSystem(r: FieldReader, o: JsonObject, at: readonly Seg[]): LineSystem | null {
  const v = o.lineSystem;
  if (v === undefined) return { ...DEFAULT_LINE_SYSTEM };
  if (v === null) return null;
  const ls = r.object(v, [...at, 'lineSystem']);
  if (ls === null) return null;
  const p = [...at, 'lineSystem'];
  return {
    fiberPairs: r.number(ls, 'fiberPairs', p, DEFAULT_LINE_SYSTEM.fiberPairs),
    slotCount: r.number(ls, 'slotCount', p, DEFAULT_LINE_SYSTEM.slotCount),
    slotWidthGhz: r.number(ls, 'slotWidthGhz', p, DEFAULT_LINE_SYSTEM.slotWidthGhz),
    startFrequencyGhz: r.number(ls, 'startFrequencyGhz', p, DEFAULT_LINE_SYSTEM.startFrequencyGhz),
    ...(ls.launchPowerDbm !== undefined ? { launchPowerDbm: r.number(ls, 'launchPowerDbm', p) } : {}),
    ...(ls.amplifierSitesKm !== undefined ? { amplifierSitesKm: ls.amplifierSitesKm === null ? null : r.array(ls, 'amplifierSitesKm', p).map((x, i) => {
      if (typeof x === 'number') return x;
      r.fail([...p, 'amplifierSitesKm', i], 'must be a number of km');
      return NaN;
    }) } : {}),
  };
}

/** Span attributes other than id, endpoints, geometry and length. */
export function readSpanAttrs(
  r: FieldReader,
  o: JsonObject,
  at: readonly Seg[],
  id: string,
): Pick<Span, 'measuredLatencyUs' | 'srlgIds' | 'cables' | 'lineSystem' | 'fiberType' | 'connectorLossDb'> {
  const cables = o.cables === undefined ? defaultCables(id) : r.array(o, 'cables', at).map((c, i) => readCable(r, c, [...at, 'cables', i]));
  return {
    measuredLatencyUs: r.nullableNumber(o, 'measuredLatencyUs', at),
    srlgIds: r.strings(o, 'srlgIds', at),
    cables,
    lineSystem: readLineSystem(r, o, at),
    ...(o.fiberType !== undefined ? { fiberType: r.string(o, 'fiberType', at) } : {}),
    ...(o.connectorLossDb !== undefined ? { connectorLossDb: r.number(o, 'connectorLossDb', at) } : {}),
  };
}

/** An SRLG entry; name defaults to the id and kind to 'other'. */
export function readSrlg(r: FieldReader, v: unknown, at: readonly Seg[]): Srlg {
  const o = r.object(v, at) ?? {};
  const id = r.string(o, 'id', at);
  // An unknown kind passes through as text; validateSrlg reports it.
  return { id, name: r.string(o, 'name', at, id), kind: r.string(o, 'kind', at, 'other') as SrlgKind };
}
