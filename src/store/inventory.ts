/**
 * SQL for the physical network. Plain parameterised statements that run unchanged on PGlite and on a
 * PostgreSQL server; every function takes a Queryable so callers choose the transaction.
 */
import type { Cable, LineString, Network, Site, SiteKind, Span, Srlg, SrlgKind } from '../domain/network.js';
import { allowsTransit } from '../domain/network.js';
import { DEFAULT_CONNECTOR_LOSS_DB, DEFAULT_FIBER_TYPE, DEFAULT_LAUNCH_POWER_DBM } from '../domain/optical.js';
import { LightpathError } from '../domain/errors.js';
import type { Queryable } from './db.js';

/** Keyset page request: items with id greater than `after`, at most `limit`. */
export interface PageQuery {
  limit: number;
  after?: string | undefined;
}

export interface SiteFilter extends PageQuery {
  kind?: string | undefined;
  metro?: string | undefined;
}

export interface SpanFilter extends PageQuery {
  siteId?: string | undefined;
  srlgId?: string | undefined;
}

interface SiteRow {
  id: string;
  name: string;
  kind: string;
  lat: number;
  lon: number;
  metro: string | null;
  cloud_provider: string | null;
  cloud_region: string | null;
  transit: boolean;
}

interface SpanRow {
  id: string;
  a_site_id: string;
  z_site_id: string;
  length_km: number;
  measured_latency_us: number | null;
  geometry: LineString | string;
  fiber_pairs: number | null;
  slot_count: number | null;
  slot_width_ghz: number | null;
  start_frequency_ghz: number | null;
  fiber_type: string;
  connector_loss_db: number;
  launch_power_dbm: number;
  amplifier_sites_km: number[] | string | null;
  srlg_ids: string[] | string;
  cables: Cable[] | string;
}

// pg and PGlite both parse json columns; this guards against a driver configured to return text.
function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

function toSite(r: SiteRow): Site {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as SiteKind,
    lat: r.lat,
    lon: r.lon,
    metro: r.metro,
    cloudProvider: r.cloud_provider,
    cloudRegion: r.cloud_region,
    transit: r.transit,
  };
}

function toSpan(r: SpanRow): Span {
  return {
    id: r.id,
    aSiteId: r.a_site_id,
    zSiteId: r.z_site_id,
    lengthKm: r.length_km,
    measuredLatencyUs: r.measured_latency_us,
    geometry: json(r.geometry),
    srlgIds: json(r.srlg_ids),
    cables: json(r.cables),
    lineSystem:
      r.slot_count === null
        ? null
        : {
            fiberPairs: r.fiber_pairs as number,
            slotCount: r.slot_count,
            slotWidthGhz: r.slot_width_ghz as number,
            startFrequencyGhz: r.start_frequency_ghz as number,
            launchPowerDbm: r.launch_power_dbm,
            amplifierSitesKm: r.amplifier_sites_km === null ? null : json(r.amplifier_sites_km),
          },
    fiberType: r.fiber_type,
    connectorLossDb: r.connector_loss_db,
  };
}

const SPAN_SELECT = `
SELECT s.id, s.a_site_id, s.z_site_id, s.length_km, s.measured_latency_us, s.geometry,
       s.fiber_pairs, s.slot_count, s.slot_width_ghz, s.start_frequency_ghz,
       s.fiber_type, s.connector_loss_db, s.launch_power_dbm, s.amplifier_sites_km,
       COALESCE((SELECT json_agg(ss.srlg_id ORDER BY ss.position) FROM span_srlgs ss WHERE ss.span_id = s.id), '[]'::json) AS srlg_ids,
       COALESCE((SELECT json_agg(json_build_object('id', c.id, 'strandCount', c.strand_count, 'strandsInUse', c.strands_in_use)
                                 ORDER BY c.position) FROM cables c WHERE c.span_id = s.id), '[]'::json) AS cables
FROM spans s`;

// ---- sites -------------------------------------------------------------------------------------

/** One page of sites ordered by id. */
export async function listSites(q: Queryable, f: SiteFilter): Promise<Site[]> {
  const r = await q.query<SiteRow>(
    `SELECT * FROM sites
     WHERE ($1::text IS NULL OR id > $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR metro = $3)
     ORDER BY id LIMIT $4`,
    [f.after ?? null, f.kind ?? null, f.metro ?? null, f.limit],
  );
  return r.rows.map(toSite);
}

/** The site with this id, or null. */
export async function getSite(q: Queryable, id: string, forUpdate = false): Promise<Site | null> {
  const r = await q.query<SiteRow>(`SELECT * FROM sites WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toSite(r.rows[0]) : null;
}

/** Inserts sites in one statement. */
export async function insertSites(q: Queryable, sites: readonly Site[]): Promise<void> {
  if (sites.length === 0) return;
  await q.query(
    `INSERT INTO sites (id, name, kind, lat, lon, metro, cloud_provider, cloud_region, transit)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::boolean[])`,
    [
      sites.map((s) => s.id),
      sites.map((s) => s.name),
      sites.map((s) => s.kind),
      sites.map((s) => s.lat),
      sites.map((s) => s.lon),
      sites.map((s) => s.metro),
      sites.map((s) => s.cloudProvider),
      sites.map((s) => s.cloudRegion),
      sites.map((s) => allowsTransit(s)),
    ],
  );
}

/** Replaces a site's fields; false when it does not exist. */
export async function updateSite(q: Queryable, s: Site): Promise<boolean> {
  const r = await q.query(
    `UPDATE sites SET name = $2, kind = $3, lat = $4, lon = $5, metro = $6, cloud_provider = $7, cloud_region = $8, transit = $9,
       updated_at = now() WHERE id = $1`,
    [s.id, s.name, s.kind, s.lat, s.lon, s.metro, s.cloudProvider, s.cloudRegion, allowsTransit(s)],
  );
  return r.rowCount > 0;
}

/** Deletes a site; false when it does not exist. */
export async function deleteSite(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM sites WHERE id = $1', [id])).rowCount > 0;
}

/** Ids of spans that end at the site (what keeps it from being deleted). */
export async function spansAtSite(q: Queryable, siteId: string, limit = 10): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    'SELECT id FROM spans WHERE a_site_id = $1 OR z_site_id = $1 ORDER BY id LIMIT $2',
    [siteId, limit],
  );
  return r.rows.map((x) => x.id);
}

// ---- SRLGs -------------------------------------------------------------------------------------

/** One page of SRLGs ordered by id. */
export async function listSrlgs(q: Queryable, f: PageQuery & { kind?: string | undefined }): Promise<Srlg[]> {
  const r = await q.query<Srlg>(
    `SELECT id, name, kind FROM srlgs WHERE ($1::text IS NULL OR id > $1) AND ($2::text IS NULL OR kind = $2)
     ORDER BY id LIMIT $3`,
    [f.after ?? null, f.kind ?? null, f.limit],
  );
  return r.rows.map((x) => ({ id: x.id, name: x.name, kind: x.kind as SrlgKind }));
}

/** The SRLG with this id, or null. */
export async function getSrlg(q: Queryable, id: string): Promise<Srlg | null> {
  const r = await q.query<Srlg>('SELECT id, name, kind FROM srlgs WHERE id = $1', [id]);
  return r.rows[0] ? { id: r.rows[0].id, name: r.rows[0].name, kind: r.rows[0].kind as SrlgKind } : null;
}

/** Inserts SRLGs in one statement. */
export async function insertSrlgs(q: Queryable, srlgs: readonly Srlg[]): Promise<void> {
  if (srlgs.length === 0) return;
  await q.query('INSERT INTO srlgs (id, name, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [
    srlgs.map((s) => s.id),
    srlgs.map((s) => s.name),
    srlgs.map((s) => s.kind),
  ]);
}

/** Replaces an SRLG's fields; false when it does not exist. */
export async function updateSrlg(q: Queryable, s: Srlg): Promise<boolean> {
  const r = await q.query('UPDATE srlgs SET name = $2, kind = $3, updated_at = now() WHERE id = $1', [s.id, s.name, s.kind]);
  return r.rowCount > 0;
}

/** Deletes an SRLG; false when it does not exist. */
export async function deleteSrlg(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM srlgs WHERE id = $1', [id])).rowCount > 0;
}

/** Ids of spans in the SRLG (what keeps it from being deleted). */
export async function spansInSrlg(q: Queryable, srlgId: string, limit = 10): Promise<string[]> {
  const r = await q.query<{ span_id: string }>(
    'SELECT span_id FROM span_srlgs WHERE srlg_id = $1 ORDER BY span_id LIMIT $2',
    [srlgId, limit],
  );
  return r.rows.map((x) => x.span_id);
}

// ---- spans -------------------------------------------------------------------------------------

/** One page of spans ordered by id, optionally those at a site or in an SRLG. */
export async function listSpans(q: Queryable, f: SpanFilter): Promise<Span[]> {
  const r = await q.query<SpanRow>(
    `${SPAN_SELECT}
     WHERE ($1::text IS NULL OR s.id > $1)
       AND ($2::text IS NULL OR s.a_site_id = $2 OR s.z_site_id = $2)
       AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM span_srlgs x WHERE x.span_id = s.id AND x.srlg_id = $3))
     ORDER BY s.id LIMIT $4`,
    [f.after ?? null, f.siteId ?? null, f.srlgId ?? null, f.limit],
  );
  return r.rows.map(toSpan);
}

/** The span with this id, or null. */
export async function getSpan(q: Queryable, id: string): Promise<Span | null> {
  const r = await q.query<SpanRow>(`${SPAN_SELECT} WHERE s.id = $1`, [id]);
  return r.rows[0] ? toSpan(r.rows[0]) : null;
}

async function insertSpanParts(q: Queryable, spans: readonly Span[]): Promise<void> {
  const links = spans.flatMap((s) => s.srlgIds.map((srlgId, i) => [s.id, srlgId, i] as const));
  if (links.length > 0) {
    await q.query('INSERT INTO span_srlgs (span_id, srlg_id, position) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])', [
      links.map((l) => l[0]),
      links.map((l) => l[1]),
      links.map((l) => l[2]),
    ]);
  }
  const cables = spans.flatMap((s) => s.cables.map((c, i) => ({ spanId: s.id, position: i, ...c })));
  if (cables.length > 0) {
    await q.query(
      `INSERT INTO cables (id, span_id, position, strand_count, strands_in_use)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[])`,
      [
        cables.map((c) => c.id),
        cables.map((c) => c.spanId),
        cables.map((c) => c.position),
        cables.map((c) => c.strandCount),
        cables.map((c) => c.strandsInUse),
      ],
    );
  }
}

/** The optics columns of spans (fiber type, connector loss, launch power, amplifier sites), defaults filled in. */
function opticsParams(spans: readonly Span[]): [string[], number[], number[], (string | null)[]] {
  return [
    spans.map((s) => s.fiberType ?? DEFAULT_FIBER_TYPE),
    spans.map((s) => s.connectorLossDb ?? DEFAULT_CONNECTOR_LOSS_DB),
    spans.map((s) => s.lineSystem?.launchPowerDbm ?? DEFAULT_LAUNCH_POWER_DBM),
    spans.map((s) => (s.lineSystem?.amplifierSitesKm ? JSON.stringify(s.lineSystem.amplifierSitesKm) : null)),
  ];
}

/** Inserts spans with their SRLG membership and cables. */
export async function insertSpans(q: Queryable, spans: readonly Span[]): Promise<void> {
  if (spans.length === 0) return;
  await q.query(
    `INSERT INTO spans (id, a_site_id, z_site_id, length_km, measured_latency_us, geometry,
                        fiber_pairs, slot_count, slot_width_ghz, start_frequency_ghz,
                        fiber_type, connector_loss_db, launch_power_dbm, amplifier_sites_km)
     SELECT id, a, z, len, lat, geom::jsonb, fp, sc, sw, sf, ft, cl, lp, am::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[],
                 $7::int[], $8::int[], $9::float8[], $10::float8[],
                 $11::text[], $12::float8[], $13::float8[], $14::text[]) AS t(id, a, z, len, lat, geom, fp, sc, sw, sf, ft, cl, lp, am)`,
    [
      spans.map((s) => s.id),
      spans.map((s) => s.aSiteId),
      spans.map((s) => s.zSiteId),
      spans.map((s) => s.lengthKm),
      spans.map((s) => s.measuredLatencyUs),
      spans.map((s) => JSON.stringify(s.geometry)),
      spans.map((s) => s.lineSystem?.fiberPairs ?? null),
      spans.map((s) => s.lineSystem?.slotCount ?? null),
      spans.map((s) => s.lineSystem?.slotWidthGhz ?? null),
      spans.map((s) => s.lineSystem?.startFrequencyGhz ?? null),
      ...opticsParams(spans),
    ],
  );
  await insertSpanParts(q, spans);
}

/** Replaces a span's fields, SRLGs and cables; false when it does not exist. */
export async function updateSpan(q: Queryable, s: Span): Promise<boolean> {
  const r = await q.query(
    `UPDATE spans SET a_site_id = $2, z_site_id = $3, length_km = $4, measured_latency_us = $5, geometry = $6::jsonb,
       fiber_pairs = $7, slot_count = $8, slot_width_ghz = $9, start_frequency_ghz = $10,
       fiber_type = $11, connector_loss_db = $12, launch_power_dbm = $13, amplifier_sites_km = $14::jsonb, updated_at = now()
     WHERE id = $1`,
    [
      s.id,
      s.aSiteId,
      s.zSiteId,
      s.lengthKm,
      s.measuredLatencyUs,
      JSON.stringify(s.geometry),
      s.lineSystem?.fiberPairs ?? null,
      s.lineSystem?.slotCount ?? null,
      s.lineSystem?.slotWidthGhz ?? null,
      s.lineSystem?.startFrequencyGhz ?? null,
      ...opticsParams([s]).map((col) => col[0]),
    ],
  );
  if (r.rowCount === 0) return false;
  await q.query('DELETE FROM span_srlgs WHERE span_id = $1', [s.id]);
  await insertSpanParts(q, [{ ...s, cables: [] }]);
  // Cables are updated in place, not deleted and inserted again: the inventory guard (migration 006)
  // judges each cable's change against what live services hold on it.
  await q.query('DELETE FROM cables WHERE span_id = $1 AND NOT (id = ANY($2::text[]))', [s.id, s.cables.map((c) => c.id)]);
  if (s.cables.length > 0) {
    const up = await q.query(
      `INSERT INTO cables (id, span_id, position, strand_count, strands_in_use)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[])
       ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, strand_count = EXCLUDED.strand_count, strands_in_use = EXCLUDED.strands_in_use
         WHERE cables.span_id = EXCLUDED.span_id`,
      [s.cables.map((c) => c.id), s.cables.map(() => s.id), s.cables.map((_, i) => i), s.cables.map((c) => c.strandCount), s.cables.map((c) => c.strandsInUse)],
    );
    // A cable id another span owns is not taken over.
    if (up.rowCount < s.cables.length) throw new LightpathError('conflict', `a cable of span ${JSON.stringify(s.id)} has an id another span's cable already has`);
  }
  return true;
}

/** Deletes a span with its cables and SRLG membership; false when it does not exist. */
export async function deleteSpan(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM spans WHERE id = $1', [id])).rowCount > 0;
}

// ---- whole network -----------------------------------------------------------------------------

/** Number of sites, spans and SRLGs. */
export async function counts(q: Queryable): Promise<{ sites: number; spans: number; srlgs: number }> {
  const r = await q.query<{ sites: number; spans: number; srlgs: number }>(
    `SELECT (SELECT count(*) FROM sites)::int AS sites, (SELECT count(*) FROM spans)::int AS spans,
            (SELECT count(*) FROM srlgs)::int AS srlgs`,
  );
  return r.rows[0];
}

/** The whole network, every list ordered by id. */
export async function loadNetwork(q: Queryable): Promise<Network> {
  const [sites, spans, srlgs, name] = [
    await q.query<SiteRow>('SELECT * FROM sites ORDER BY id'),
    await q.query<SpanRow>(`${SPAN_SELECT} ORDER BY s.id`),
    await q.query<Srlg>('SELECT id, name, kind FROM srlgs ORDER BY id'),
    await getMeta<string>(q, 'networkName'),
  ];
  return {
    name: name ?? 'Lightpath network',
    sites: sites.rows.map(toSite),
    spans: spans.rows.map(toSpan),
    srlgs: srlgs.rows.map((x) => ({ id: x.id, name: x.name, kind: x.kind as SrlgKind })),
  };
}

/** Inserts a whole network into an empty inventory. */
export async function insertNetwork(q: Queryable, net: Network): Promise<void> {
  await insertSrlgs(q, net.srlgs);
  await insertSites(q, net.sites);
  await insertSpans(q, net.spans);
  await setMeta(q, 'networkName', net.name);
}

/** Removes every span, site and SRLG. */
export async function clearNetwork(q: Queryable): Promise<void> {
  await q.query('DELETE FROM span_srlgs');
  await q.query('DELETE FROM cables');
  await q.query('DELETE FROM spans');
  await q.query('DELETE FROM sites');
  await q.query('DELETE FROM srlgs');
}

// ---- meta --------------------------------------------------------------------------------------

/** A value from the key/value meta table, or null. */
export async function getMeta<T>(q: Queryable, key: string): Promise<T | null> {
  const r = await q.query<{ value: T }>('SELECT value FROM meta WHERE key = $1', [key]);
  return r.rows[0] ? r.rows[0].value : null;
}

/** Sets a meta value. */
export async function setMeta(q: Queryable, key: string, value: unknown): Promise<void> {
  await q.query(
    'INSERT INTO meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    [key, JSON.stringify(value)],
  );
}

/**
 * Monotonic version of the physical network, bumped by every inventory write in the same transaction,
 * so readers can cache what they derive from it (the engine's graph) and know when to rebuild.
 */
export async function bumpInventoryVersion(q: Queryable): Promise<number> {
  const r = await q.query<{ value: number }>(
    `INSERT INTO meta (key, value) VALUES ('inventoryVersion', '1'::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = to_jsonb((meta.value #>> '{}')::bigint + 1)
     RETURNING value`,
  );
  return Number(r.rows[0].value);
}

/**
 * Takes the inventory-version row for sharing and returns the version: until the caller's transaction
 * ends, no inventory change or failure (which take the row for update) can commit. Orders, modifies
 * and restorations plan on this version and write under this lock (see migration 006).
 */
export async function lockInventoryShared(q: Queryable): Promise<number> {
  const r = await q.query<{ value: unknown }>(`SELECT value FROM meta WHERE key = 'inventoryVersion' FOR SHARE`);
  return Number(r.rows[0]?.value ?? 0);
}

/**
 * Takes the inventory-version row for update and returns the version: what a failure or repair does
 * first, so no order, modify or restoration commits a plan on the network it is changing.
 */
export async function lockInventoryExclusive(q: Queryable): Promise<number> {
  const r = await q.query<{ value: unknown }>(`SELECT value FROM meta WHERE key = 'inventoryVersion' FOR UPDATE`);
  return Number(r.rows[0]?.value ?? 0);
}

/** Current inventory version (0 before the first write). */
export async function inventoryVersion(q: Queryable): Promise<number> {
  return Number((await getMeta<number>(q, 'inventoryVersion')) ?? 0);
}
