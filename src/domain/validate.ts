/**
 * Domain rules for sites, spans, SRLGs and whole networks. Every check returns issues rather than
 * throwing, so importers can report all problems in a file at once and map each to a line.
 */
import { SITE_KINDS, SRLG_KINDS } from './network.js';
import { DEFAULT_CONNECTOR_LOSS_DB, FIBER_TYPES, LAUNCH_POWER_RANGE_DBM, MAX_CONNECTOR_LOSS_DB, MAX_SECTION_LOSS_DB } from './optical.js';
import type { Cable, LineSystem, LineString, Network, Site, Span, Srlg } from './network.js';

/** One broken rule; path is relative to the checked object ("lengthKm") or to the network ("spans[3].lengthKm"). */
export interface ValidationIssue {
  path: string;
  message: string;
}

export const MAX_ID_LENGTH = 128;
/** Longer than any terrestrial route: half the equator is 20,000 km, so 40,000 km leaves room for detours. */
export const MAX_SPAN_KM = 40_000;
/** Largest cable in production (industry range is 12 to 1,728 strands). */
export const MAX_STRAND_COUNT = 1728;
export const MAX_SLOT_COUNT = 4096;

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

/** Issues with an identifier: non-empty, at most 128 characters of [A-Za-z0-9._:-]. */
export function validateId(id: unknown, path = 'id'): ValidationIssue[] {
  if (typeof id !== 'string') return [{ path, message: 'must be a string' }];
  if (id.length === 0) return [{ path, message: 'must not be empty' }];
  if (id.length > MAX_ID_LENGTH) return [{ path, message: `must be at most ${MAX_ID_LENGTH} characters` }];
  if (!ID_PATTERN.test(id)) return [{ path, message: `"${id}" may only contain A-Z a-z 0-9 . _ : -` }];
  return [];
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function checkName(name: unknown, out: ValidationIssue[]): void {
  if (typeof name !== 'string') out.push({ path: 'name', message: 'must be a string' });
  else if (name.trim().length === 0) out.push({ path: 'name', message: 'must not be empty' });
}

function checkNullableString(v: unknown, path: string, out: ValidationIssue[]): void {
  if (v !== null && typeof v !== 'string') out.push({ path, message: 'must be a string or null' });
}

/** Issues with a latitude/longitude pair. */
function checkLatLon(lat: unknown, lon: unknown, latPath: string, lonPath: string, out: ValidationIssue[]): void {
  if (!isFiniteNumber(lat) || lat < -90 || lat > 90) out.push({ path: latPath, message: 'must be a number in [-90, 90]' });
  if (!isFiniteNumber(lon) || lon < -180 || lon > 180) out.push({ path: lonPath, message: 'must be a number in [-180, 180]' });
}

/** Rules for one site: id, name, kind, coordinates, and cloud fields only on cloud on-ramps. */
export function validateSite(site: Site): ValidationIssue[] {
  const out = validateId(site.id);
  checkName(site.name, out);
  if (!(SITE_KINDS as readonly unknown[]).includes(site.kind)) {
    out.push({ path: 'kind', message: `must be one of ${SITE_KINDS.join(', ')}` });
  }
  checkLatLon(site.lat, site.lon, 'lat', 'lon', out);
  checkNullableString(site.metro, 'metro', out);
  checkNullableString(site.cloudProvider, 'cloudProvider', out);
  checkNullableString(site.cloudRegion, 'cloudRegion', out);
  if (site.transit !== undefined && typeof site.transit !== 'boolean') out.push({ path: 'transit', message: 'must be true or false' });
  if (site.kind !== 'cloud-onramp') {
    // A provider/region on a plain PoP is a data-entry mistake that would mislead cloud ordering.
    if (site.cloudProvider !== null) out.push({ path: 'cloudProvider', message: 'only allowed on cloud-onramp sites' });
    if (site.cloudRegion !== null) out.push({ path: 'cloudRegion', message: 'only allowed on cloud-onramp sites' });
  }
  return out;
}

/** Rules for one SRLG: id, name, kind. */
export function validateSrlg(srlg: Srlg): ValidationIssue[] {
  const out = validateId(srlg.id);
  checkName(srlg.name, out);
  if (!(SRLG_KINDS as readonly unknown[]).includes(srlg.kind)) {
    out.push({ path: 'kind', message: `must be one of ${SRLG_KINDS.join(', ')}` });
  }
  return out;
}

function checkGeometry(g: LineString, out: ValidationIssue[]): void {
  if (g === null || typeof g !== 'object' || g.type !== 'LineString') {
    out.push({ path: 'geometry', message: 'must be a GeoJSON LineString' });
    return;
  }
  if (!Array.isArray(g.coordinates) || g.coordinates.length < 2) {
    out.push({ path: 'geometry.coordinates', message: 'must hold at least 2 positions' });
    return;
  }
  g.coordinates.forEach((p, i) => {
    const path = `geometry.coordinates[${i}]`;
    if (!Array.isArray(p) || p.length !== 2) out.push({ path, message: 'must be a [lon, lat] pair' });
    else checkLatLon(p[1], p[0], `${path}[1]`, `${path}[0]`, out);
  });
}

function checkCable(c: Cable, path: string, out: ValidationIssue[]): void {
  out.push(...validateId(c.id, `${path}.id`));
  const n = c.strandCount;
  if (!Number.isInteger(n) || n < 1 || n > MAX_STRAND_COUNT) {
    out.push({ path: `${path}.strandCount`, message: `must be an integer in [1, ${MAX_STRAND_COUNT}]` });
  }
  const used = c.strandsInUse;
  if (!Number.isInteger(used) || used < 0 || (Number.isInteger(n) && used > n)) {
    out.push({ path: `${path}.strandsInUse`, message: 'must be an integer in [0, strandCount]' });
  }
}

function checkLineSystem(ls: LineSystem, span: Span, out: ValidationIssue[]): void {
  if (typeof ls !== 'object') {
    out.push({ path: 'lineSystem', message: 'must be an object or null' });
    return;
  }
  const p = ls.launchPowerDbm;
  if (p !== undefined && (!isFiniteNumber(p) || p < LAUNCH_POWER_RANGE_DBM[0] || p > LAUNCH_POWER_RANGE_DBM[1])) {
    out.push({ path: 'lineSystem.launchPowerDbm', message: `must be a number in [${LAUNCH_POWER_RANGE_DBM[0]}, ${LAUNCH_POWER_RANGE_DBM[1]}] dBm` });
  }
  const amps = ls.amplifierSitesKm;
  if (amps !== undefined && amps !== null) {
    if (!Array.isArray(amps) || amps.some((x) => !isFiniteNumber(x))) out.push({ path: 'lineSystem.amplifierSitesKm', message: 'must be null or an array of km from the A end' });
    else if (isFiniteNumber(span.lengthKm)) {
      amps.forEach((km, i) => {
        if (!(km > 0 && km < span.lengthKm)) out.push({ path: `lineSystem.amplifierSitesKm[${i}]`, message: `must lie strictly inside the span (0, ${span.lengthKm}) km` });
        else if (i > 0 && !(km > amps[i - 1])) out.push({ path: `lineSystem.amplifierSitesKm[${i}]`, message: 'must be ascending, without repeats' });
      });
      // Each amplifier restores what the section before it lost; a section longer than the biggest gain cannot close.
      const fiber = FIBER_TYPES[span.fiberType ?? 'G.652.D'];
      const con = span.connectorLossDb ?? DEFAULT_CONNECTOR_LOSS_DB;
      if (fiber !== undefined && isFiniteNumber(con)) {
        const bounds = [0, ...amps, span.lengthKm];
        for (let i = 1; i < bounds.length; i++) {
          const lossDb = (bounds[i] - bounds[i - 1]) * fiber.attenuationDbPerKm + 2 * con;
          if (lossDb > MAX_SECTION_LOSS_DB) {
            out.push({ path: 'lineSystem.amplifierSitesKm', message: `the section ${bounds[i - 1]}–${bounds[i]} km loses ${lossDb.toFixed(1)} dB, more than any amplifier's ${MAX_SECTION_LOSS_DB} dB gain` });
            break;
          }
        }
      }
    }
  }
  if (!Number.isInteger(ls.fiberPairs) || ls.fiberPairs < 1) out.push({ path: 'lineSystem.fiberPairs', message: 'must be an integer >= 1' });
  if (!Number.isInteger(ls.slotCount) || ls.slotCount < 1 || ls.slotCount > MAX_SLOT_COUNT) {
    out.push({ path: 'lineSystem.slotCount', message: `must be an integer in [1, ${MAX_SLOT_COUNT}]` });
  }
  if (!isFiniteNumber(ls.slotWidthGhz) || ls.slotWidthGhz <= 0) out.push({ path: 'lineSystem.slotWidthGhz', message: 'must be > 0' });
  if (!isFiniteNumber(ls.startFrequencyGhz) || ls.startFrequencyGhz <= 0) {
    out.push({ path: 'lineSystem.startFrequencyGhz', message: 'must be > 0' });
  }
}

/** Rules for one span, given the ids of the sites and SRLGs it may refer to. */
export function validateSpan(span: Span, siteIds: ReadonlySet<string>, srlgIds: ReadonlySet<string>): ValidationIssue[] {
  const out = validateId(span.id);
  if (!siteIds.has(span.aSiteId)) out.push({ path: 'aSiteId', message: `unknown site ${String(span.aSiteId)}` });
  if (!siteIds.has(span.zSiteId)) out.push({ path: 'zSiteId', message: `unknown site ${String(span.zSiteId)}` });
  if (span.aSiteId === span.zSiteId) out.push({ path: 'zSiteId', message: 'must differ from aSiteId (no self-loops)' });
  if (!isFiniteNumber(span.lengthKm) || span.lengthKm <= 0) out.push({ path: 'lengthKm', message: 'must be > 0' });
  else if (span.lengthKm > MAX_SPAN_KM) out.push({ path: 'lengthKm', message: `must be at most ${MAX_SPAN_KM}` });
  const lat = span.measuredLatencyUs;
  if (lat !== null && (!isFiniteNumber(lat) || lat <= 0)) out.push({ path: 'measuredLatencyUs', message: 'must be null or > 0' });
  checkGeometry(span.geometry, out);
  if (!Array.isArray(span.srlgIds)) out.push({ path: 'srlgIds', message: 'must be an array' });
  else {
    const seen = new Set<string>();
    span.srlgIds.forEach((id, i) => {
      if (!srlgIds.has(id)) out.push({ path: `srlgIds[${i}]`, message: `unknown SRLG ${String(id)}` });
      if (seen.has(id)) out.push({ path: `srlgIds[${i}]`, message: `duplicate SRLG ${String(id)}` });
      seen.add(id);
    });
  }
  if (!Array.isArray(span.cables)) out.push({ path: 'cables', message: 'must be an array' });
  else {
    const seen = new Set<string>();
    span.cables.forEach((c, i) => {
      checkCable(c, `cables[${i}]`, out);
      if (seen.has(c.id)) out.push({ path: `cables[${i}].id`, message: `duplicate cable id ${c.id}` });
      seen.add(c.id);
    });
  }
  if (span.fiberType !== undefined && (typeof span.fiberType !== 'string' || FIBER_TYPES[span.fiberType] === undefined)) {
    out.push({ path: 'fiberType', message: `must be one of ${Object.keys(FIBER_TYPES).join(', ')}` });
  }
  const con = span.connectorLossDb;
  if (con !== undefined && (!isFiniteNumber(con) || con < 0 || con > MAX_CONNECTOR_LOSS_DB)) out.push({ path: 'connectorLossDb', message: `must be a number in [0, ${MAX_CONNECTOR_LOSS_DB}] dB` });
  if (span.lineSystem !== null) checkLineSystem(span.lineSystem, span, out);
  return out;
}

function prefixed(prefix: string, issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((i) => ({ path: `${prefix}.${i.path}`, message: i.message }));
}

/** Collects ids seen twice; the first occurrence is fine, later ones are reported. */
function duplicates(items: readonly { id: string }[], list: string, out: ValidationIssue[]): Set<string> {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.id)) out.push({ path: `${list}[${i}].id`, message: `duplicate id ${it.id}` });
    seen.add(it.id);
  });
  return seen;
}

/** All rules for a whole network, with paths like "spans[3].lengthKm". */
export function validateNetwork(net: Network): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (typeof net.name !== 'string' || net.name.trim().length === 0) out.push({ path: 'name', message: 'must not be empty' });
  const siteIds = duplicates(net.sites, 'sites', out);
  const srlgIds = duplicates(net.srlgs, 'srlgs', out);
  duplicates(net.spans, 'spans', out);
  net.sites.forEach((s, i) => out.push(...prefixed(`sites[${i}]`, validateSite(s))));
  net.srlgs.forEach((s, i) => out.push(...prefixed(`srlgs[${i}]`, validateSrlg(s))));
  // Cable ids are unique network-wide so the store can key them alone.
  const cableSpan = new Map<string, string>();
  net.spans.forEach((s, i) => {
    out.push(...prefixed(`spans[${i}]`, validateSpan(s, siteIds, srlgIds)));
    if (!Array.isArray(s.cables)) return;
    s.cables.forEach((c, j) => {
      const other = cableSpan.get(c.id);
      if (other !== undefined && other !== s.id) {
        out.push({ path: `spans[${i}].cables[${j}].id`, message: `cable id ${c.id} already used on span ${other}` });
      }
      cableSpan.set(c.id, s.id);
    });
  });
  return out;
}
