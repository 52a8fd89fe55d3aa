/**
 * SQL restoration needs: the reverse index from failed spans to the services and trunks holding them
 * (answered from the allocations table's (kind, resource_id) index, which every allocation change keeps
 * current), the full held occupancy, and the bookkeeping of what restoration moved.
 */
import type { Queryable } from './db.js';
import { appendEvents } from './events.js';

const ACTIVE = 'during && tstzrange(now(), NULL)';

/** A service as restoration sees it (row-locked by the caller's transaction). */
export interface RestorableServiceRow {
  id: string;
  tenantId: string;
  product: string;
  state: string;
  spec: unknown;
  design: unknown;
  priority: number;
  createdAt: string;
  /** Design before restoration first moved it (null when it sits where it was ordered). */
  originalDesign: unknown;
}

/** A live trunk's path. */
export interface TrunkPathRow {
  id: string;
  aSiteId: string;
  zSiteId: string;
  siteIds: string[];
  spanIds: string[];
  createdAt: string;
}

/** One held unit range, as loaded for the whole network. */
export interface HeldRange {
  resourceId: string;
  sub: number;
  lo: number;
  hi: number;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * Services and trunks holding any of the spans (spectrum), cables (strands), or riding a trunk whose
 * spectrum is on those spans. Index lookups only: no scan of the services.
 */
export async function holdersOf(q: Queryable, spanIds: readonly string[], cableIds: readonly string[]): Promise<{ serviceIds: string[]; trunkIds: string[] }> {
  if (spanIds.length === 0 && cableIds.length === 0) return { serviceIds: [], trunkIds: [] };
  const trunks = await q.query<{ id: string }>(
    `SELECT DISTINCT trunk_id AS id FROM allocations WHERE kind = 'spectrum' AND resource_id = ANY($1::text[]) AND trunk_id IS NOT NULL AND ${ACTIVE} ORDER BY 1`,
    [[...spanIds]],
  );
  const trunkIds = trunks.rows.map((r) => r.id);
  const r = await q.query<{ id: string }>(
    `SELECT service_id AS id FROM allocations WHERE kind = 'spectrum' AND resource_id = ANY($1::text[]) AND service_id IS NOT NULL AND ${ACTIVE}
     UNION SELECT service_id FROM allocations WHERE kind = 'strand' AND resource_id = ANY($2::text[]) AND service_id IS NOT NULL AND ${ACTIVE}
     UNION SELECT service_id FROM allocations WHERE kind = 'trunk' AND resource_id = ANY($3::text[]) AND service_id IS NOT NULL AND ${ACTIVE}
     ORDER BY 1`,
    [[...spanIds], [...cableIds], trunkIds],
  );
  return { serviceIds: r.rows.map((x) => x.id), trunkIds };
}

/** Ids of services that are down, or that restoration moved off their ordered design. */
export async function servicesToRevisit(q: Queryable): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM services WHERE state = 'down'
     UNION SELECT r.service_id FROM service_resilience r JOIN services s ON s.id = r.service_id
      WHERE r.original_design IS NOT NULL AND s.state IN ('active', 'down') ORDER BY 1`,
  );
  return r.rows.map((x) => x.id);
}

/** Loads the live (active or down) services among ids in id order; lock = FOR UPDATE (default). */
export async function lockServices(q: Queryable, ids: readonly string[], lock = true): Promise<RestorableServiceRow[]> {
  if (ids.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(
    `SELECT s.id, s.tenant_id, s.product, s.state, s.spec, s.design, s.priority, s.created_at, r.original_design
       FROM services s LEFT JOIN service_resilience r ON r.service_id = s.id
      WHERE s.id = ANY($1::text[]) AND s.state IN ('active', 'down') ORDER BY s.id${lock ? ' FOR UPDATE OF s' : ''}`,
    [[...ids]],
  );
  return r.rows.map((x) => ({
    id: x.id as string,
    tenantId: x.tenant_id as string,
    product: x.product as string,
    state: x.state as string,
    spec: json(x.spec),
    design: json(x.design),
    priority: Number(x.priority),
    createdAt: new Date(x.created_at as string).toISOString(),
    originalDesign: x.original_design === null || x.original_design === undefined ? null : json(x.original_design),
  }));
}

/** Live trunks by id; lock = FOR UPDATE (default). */
export async function trunkPaths(q: Queryable, ids: readonly string[], lock = true): Promise<TrunkPathRow[]> {
  if (ids.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(
    `SELECT id, a_site_id, z_site_id, path_spans, created_at FROM trunks WHERE id = ANY($1::text[]) AND retired_at IS NULL ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
    [[...ids]],
  );
  return r.rows.map((x) => {
    const p = json<{ siteIds: string[]; spanIds: string[] }>(x.path_spans);
    return { id: x.id as string, aSiteId: x.a_site_id as string, zSiteId: x.z_site_id as string, siteIds: p.siteIds, spanIds: p.spanIds, createdAt: new Date(x.created_at as string).toISOString() };
  });
}

/** Every range of one kind held now or later, network-wide. */
export async function allHeld(q: Queryable, kind: 'spectrum' | 'strand'): Promise<HeldRange[]> {
  const r = await q.query<{ resource_id: string; sub: number; lo: number; hi: number }>(
    `SELECT resource_id, sub, lower(units) AS lo, upper(units) AS hi FROM allocations WHERE kind = $1 AND ${ACTIVE}`,
    [kind],
  );
  return r.rows.map((x) => ({ resourceId: x.resource_id, sub: Number(x.sub), lo: Number(x.lo), hi: Number(x.hi) }));
}

/** Sets state/design of many services in one statement. */
export async function updateServices(q: Queryable, rows: readonly { id: string; state: string; design: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `UPDATE services s SET state = u.state, design = u.design::jsonb, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, state, design) WHERE s.id = u.id`,
    [rows.map((r) => r.id), rows.map((r) => r.state), rows.map((r) => JSON.stringify(r.design))],
  );
}

/** Records the ordered design once (the first time restoration moves a service) and when it moved. */
export async function rememberOriginal(q: Queryable, rows: readonly { serviceId: string; design: unknown; kind: 'switched' | 'rerouted' }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO service_resilience (service_id, original_design, switched_at, rerouted_at)
     SELECT u.id, u.design::jsonb, CASE WHEN u.k = 'switched' THEN now() END, CASE WHEN u.k = 'rerouted' THEN now() END
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, design, k)
     ON CONFLICT (service_id) DO UPDATE SET
       original_design = COALESCE(service_resilience.original_design, EXCLUDED.original_design),
       switched_at = COALESCE(EXCLUDED.switched_at, service_resilience.switched_at),
       rerouted_at = COALESCE(EXCLUDED.rerouted_at, service_resilience.rerouted_at)`,
    [rows.map((r) => r.serviceId), rows.map((r) => JSON.stringify(r.design)), rows.map((r) => r.kind)],
  );
}

/** Forgets the original design of services that are back on it. */
export async function forgetOriginal(q: Queryable, serviceIds: readonly string[]): Promise<void> {
  if (serviceIds.length === 0) return;
  await q.query('UPDATE service_resilience SET original_design = NULL WHERE service_id = ANY($1::text[])', [[...serviceIds]]);
}

/** Swaps the working/protect roles of a 1+1 service's allocations. */
export async function swapRoles(q: Queryable, serviceIds: readonly string[]): Promise<void> {
  if (serviceIds.length === 0) return;
  await q.query(
    `UPDATE allocations SET role = CASE role WHEN 'working' THEN 'protect' ELSE 'working' END
      WHERE service_id = ANY($1::text[]) AND role IN ('working', 'protect') AND ${ACTIVE}`,
    [[...serviceIds]],
  );
}

/** Ends (at now) every live allocation of the services except those made by keepOrderId. */
export async function releaseServicesExcept(q: Queryable, serviceIds: readonly string[], keepOrderId: string): Promise<void> {
  if (serviceIds.length === 0) return;
  await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), now()), '[)')
      WHERE service_id = ANY($1::text[]) AND order_id <> $2 AND ${ACTIVE}`,
    [[...serviceIds], keepOrderId],
  );
}

/** Ends (at now) every live spectrum allocation of the trunks except those made by keepOrderId. */
export async function releaseTrunksExcept(q: Queryable, trunkIds: readonly string[], keepOrderId: string): Promise<void> {
  if (trunkIds.length === 0) return;
  await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), now()), '[)')
      WHERE trunk_id = ANY($1::text[]) AND order_id <> $2 AND ${ACTIVE}`,
    [[...trunkIds], keepOrderId],
  );
}

/** Moves a trunk onto a new path. */
export async function moveTrunk(q: Queryable, t: { id: string; siteIds: string[]; spanIds: string[]; latencyUs: number; lengthKm: number }): Promise<void> {
  await q.query('UPDATE trunks SET path_spans = $2::jsonb, latency_us = $3, length_km = $4 WHERE id = $1', [
    t.id,
    JSON.stringify({ siteIds: t.siteIds, spanIds: t.spanIds }),
    t.latencyUs,
    t.lengthKm,
  ]);
}

/** Appends many events in one statement, in array order (the outbox: see store/events.ts). */
export async function appendEventsBulk(q: Queryable, events: readonly { type: string; tenantId: string | null; subject: { kind: string; id: string }; data: unknown }[]): Promise<void> {
  await appendEvents(q, events);
}
