/**
 * SQL for quotes, orders, services, trunks and allocations. Parameterised statements that run unchanged
 * on PGlite and a PostgreSQL server; every function takes a Queryable so the caller picks the transaction.
 * Ids and JSON documents are produced by the services; this module only stores and reads them.
 */
import type { Queryable } from './db.js';
import { AUDIT_COLUMNS, auditParams, type AuditRow } from './audit.js';
import { ACTIVATE_ORDER, END_SERVICE, EXPIRE_HOLD } from './job-kinds.js';

/** A stored quote. */
export interface QuoteRow {
  id: string;
  tenantId: string;
  request: unknown;
  options: unknown[];
  createdAt: string;
  expiresAt: string;
}

/** A stored service (the inventory of what a tenant bought). */
export interface ServiceRow {
  id: string;
  tenantId: string;
  product: string;
  state: string;
  spec: unknown;
  design: unknown;
  price: unknown;
  createdAt: string;
  updatedAt: string;
  /** The booking window [startsAt, endsAt); endsAt null = open-ended. */
  startsAt: string;
  endsAt: string | null;
  seriesId: string | null;
}

/** A stored order. */
export interface OrderRow {
  id: string;
  tenantId: string;
  action: string;
  state: string;
  serviceId: string;
  quoteId: string | null;
  optionId: string | null;
  spec: unknown;
  design: unknown;
  idempotencyKey: string | null;
  requestHash: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The window the order books; null only for orders from before the calendar. */
  startsAt: string | null;
  endsAt: string | null;
  /** A held order's expiry. */
  holdExpiresAt: string | null;
  seriesId: string | null;
}

/** A held unit range (active = its interval reaches now or later). */
export interface AllocationRow {
  kind: 'spectrum' | 'strand' | 'trunk';
  resourceId: string;
  sub: number;
  lo: number;
  hi: number;
  serviceId: string | null;
  trunkId: string | null;
  orderId: string;
  role: string;
}

/** A stored trunk with the Gbps units currently held on it. */
export interface TrunkRow {
  id: string;
  aSiteId: string;
  zSiteId: string;
  capacityGbps: number;
  siteIds: string[];
  spanIds: string[];
  latencyUs: number;
  lengthKm: number;
  createdBy: string;
  used: [number, number][];
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function iso(v: unknown): string {
  return new Date(v as string | Date).toISOString();
}

function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

// ---- quotes ------------------------------------------------------------------------------------

/**
 * Stores a quote without waiting for the WAL flush (synchronous_commit off for this statement's own
 * transaction, so run it outside one). A quote reserves nothing, so the trade is cheap: a server crash
 * can lose the last fraction of a second of quotes (ordering one then gets not-found, like an expired
 * one), never corrupt anything; in exchange a quote does not queue behind every other commit's fsync,
 * which on a busy machine was most of its latency. Orders stay synchronous.
 */
export async function insertQuote(q: Queryable, r: Omit<QuoteRow, 'createdAt'>): Promise<QuoteRow> {
  const res = await q.query<Record<string, unknown>>(
    `WITH lp_async AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO quotes (id, tenant_id, request, options, expires_at) SELECT $1, $2, $3::json, $4::json, $5 FROM lp_async
     RETURNING created_at`,
    [r.id, r.tenantId, JSON.stringify(r.request), JSON.stringify(r.options), r.expiresAt],
    { prepare: true },
  );
  return { ...r, createdAt: iso(res.rows[0].created_at) };
}

function toQuote(r: Record<string, unknown>): QuoteRow {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    request: json(r.request),
    options: json(r.options),
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
  };
}

/** A quote by id, limited to a tenant unless tenantId is undefined (operator). */
export async function getQuote(q: Queryable, id: string, tenantId: string | undefined): Promise<QuoteRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM quotes WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)', [id, tenantId ?? null]);
  return r.rows[0] ? toQuote(r.rows[0]) : null;
}

/** Keyset page of quotes, newest last. */
export async function listQuotes(q: Queryable, f: { tenantId: string | undefined; after: string | undefined; limit: number }): Promise<QuoteRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM quotes WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
    [f.tenantId ?? null, f.after ?? null, f.limit],
  );
  return r.rows.map(toQuote);
}

// ---- services ----------------------------------------------------------------------------------

function toService(r: Record<string, unknown>): ServiceRow {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    product: r.product as string,
    state: r.state as string,
    spec: json(r.spec),
    design: json(r.design),
    price: json(r.price),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startsAt: iso(r.starts_at ?? r.created_at),
    endsAt: isoOrNull(r.ends_at),
    seriesId: (r.series_id as string | null | undefined) ?? null,
  };
}

/** Stores a new service. */
export async function insertService(q: Queryable, s: Pick<ServiceRow, 'id' | 'tenantId' | 'product' | 'state' | 'spec' | 'design' | 'price'>): Promise<void> {
  await q.query(
    `INSERT INTO services (id, tenant_id, product, state, spec, design, price) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb)`,
    [s.id, s.tenantId, s.product, s.state, JSON.stringify(s.spec), JSON.stringify(s.design), JSON.stringify(s.price)],
  );
}

/** A service by id (tenant-limited unless tenantId is undefined); forUpdate locks the row. */
export async function getService(q: Queryable, id: string, tenantId: string | undefined, forUpdate = false): Promise<ServiceRow | null> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM services WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)${forUpdate ? ' FOR UPDATE' : ''}`,
    [id, tenantId ?? null],
  );
  return r.rows[0] ? toService(r.rows[0]) : null;
}

/** Services by id (any order; missing ones left out), locked with forUpdate. */
export async function getServices(q: Queryable, ids: readonly string[], forUpdate = false): Promise<ServiceRow[]> {
  if (ids.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM services WHERE id = ANY($1::text[]) ORDER BY id${forUpdate ? ' FOR UPDATE' : ''}`, [[...ids]]);
  return r.rows.map(toService);
}

/** Marks services active (activation done); returns the rows as updated. */
export async function activateServices(q: Queryable, ids: readonly string[]): Promise<ServiceRow[]> {
  if (ids.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(`UPDATE services SET state = 'active', updated_at = now() WHERE id = ANY($1::text[]) RETURNING *`, [[...ids]]);
  return r.rows.map(toService);
}

/** Booked services whose activation starts now: scheduled -> reserved (the others are left as they are). */
export async function reserveScheduled(q: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(`UPDATE services SET state = 'reserved', updated_at = now() WHERE id = ANY($1::text[]) AND state = 'scheduled'`, [[...ids]]);
}

/** Keyset page of services with optional state/product filters. */
export async function listServices(
  q: Queryable,
  f: { tenantId: string | undefined; after: string | undefined; limit: number; state?: string | undefined; product?: string | undefined },
): Promise<ServiceRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM services WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2)
       AND ($4::text IS NULL OR state = $4) AND ($5::text IS NULL OR product = $5)
     ORDER BY id LIMIT $3`,
    [f.tenantId ?? null, f.after ?? null, f.limit, f.state ?? null, f.product ?? null],
  );
  return r.rows.map(toService);
}

/** Updates a service's state, and its spec/design/price when given. */
export async function updateService(q: Queryable, id: string, patch: { state?: string; spec?: unknown; design?: unknown; price?: unknown }): Promise<void> {
  await q.query(
    `UPDATE services SET state = COALESCE($2, state), spec = COALESCE($3::jsonb, spec), design = COALESCE($4::jsonb, design),
       price = COALESCE($5::jsonb, price), updated_at = now() WHERE id = $1`,
    [
      id,
      patch.state ?? null,
      patch.spec === undefined ? null : JSON.stringify(patch.spec),
      patch.design === undefined ? null : JSON.stringify(patch.design),
      patch.price === undefined ? null : JSON.stringify(patch.price),
    ],
  );
}

// ---- orders ------------------------------------------------------------------------------------

function toOrder(r: Record<string, unknown>): OrderRow {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    action: r.action as string,
    state: r.state as string,
    serviceId: r.service_id as string,
    quoteId: (r.quote_id as string | null) ?? null,
    optionId: (r.option_id as string | null) ?? null,
    spec: json(r.spec),
    design: r.design === null ? null : json(r.design),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    requestHash: (r.request_hash as string | null) ?? null,
    failureReason: (r.failure_reason as string | null) ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    completedAt: isoOrNull(r.completed_at),
    startsAt: isoOrNull(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    holdExpiresAt: isoOrNull(r.hold_expires_at),
    seriesId: (r.series_id as string | null | undefined) ?? null,
  };
}

/** Stores a new order with its activation job (one statement: both or neither). */
export async function insertOrder(
  q: Queryable,
  o: Pick<OrderRow, 'id' | 'tenantId' | 'action' | 'state' | 'serviceId' | 'quoteId' | 'optionId' | 'spec' | 'design' | 'idempotencyKey' | 'requestHash'> & { requestId?: string | null },
): Promise<OrderRow> {
  const r = await q.query<Record<string, unknown>>(
    `WITH o AS (INSERT INTO orders (id, tenant_id, action, state, service_id, quote_id, option_id, spec, design, idempotency_key, request_hash, request_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12) RETURNING *),
          j AS (INSERT INTO jobs (kind, subject) SELECT '${ACTIVATE_ORDER}', id FROM o RETURNING 1)
     SELECT o.* FROM o, (SELECT count(*) FROM j) jc`,
    [o.id, o.tenantId, o.action, o.state, o.serviceId, o.quoteId, o.optionId, JSON.stringify(o.spec), o.design === null ? null : JSON.stringify(o.design), o.idempotencyKey, o.requestHash, o.requestId ?? null],
  );
  return toOrder(r.rows[0]);
}

/** An order by id (tenant-limited unless tenantId is undefined). */
export async function getOrder(q: Queryable, id: string, tenantId: string | undefined, forUpdate = false): Promise<OrderRow | null> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM orders WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)${forUpdate ? ' FOR UPDATE' : ''}`,
    [id, tenantId ?? null],
  );
  return r.rows[0] ? toOrder(r.rows[0]) : null;
}

/** The orders of a series (recurring booking), in window order. */
export async function ordersOfSeries(q: Queryable, seriesId: string): Promise<OrderRow[]> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM orders WHERE series_id = $1 ORDER BY starts_at, id', [seriesId]);
  return r.rows.map(toOrder);
}

/** The order a tenant created with an idempotency key, if any. */
export async function orderByIdempotencyKey(q: Queryable, tenantId: string, key: string): Promise<OrderRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM orders WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);
  return r.rows[0] ? toOrder(r.rows[0]) : null;
}

/** Keyset page of orders with optional state/service filters. */
export async function listOrders(
  q: Queryable,
  f: { tenantId: string | undefined; after: string | undefined; limit: number; state?: string | undefined; serviceId?: string | undefined },
): Promise<OrderRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM orders WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2)
       AND ($4::text IS NULL OR state = $4) AND ($5::text IS NULL OR service_id = $5)
     ORDER BY id LIMIT $3`,
    [f.tenantId ?? null, f.after ?? null, f.limit, f.state ?? null, f.serviceId ?? null],
  );
  return r.rows.map(toOrder);
}

/** Moves an order to a new state, only from one of the expected states; false if it was elsewhere. */
export async function setOrderState(q: Queryable, id: string, from: readonly string[], to: string, failureReason: string | null = null): Promise<boolean> {
  const done = to === 'completed' || to === 'failed' || to === 'cancelled';
  const r = await q.query(
    `UPDATE orders SET state = $2, failure_reason = COALESCE($3, failure_reason), updated_at = now(),
       completed_at = CASE WHEN $4::boolean THEN now() ELSE completed_at END
     WHERE id = $1 AND state = ANY($5::text[])`,
    [id, to, failureReason, done, [...from]],
  );
  return r.rowCount > 0;
}

/** Orders by id (missing ones left out), in id order, locked with forUpdate. */
export async function getOrders(q: Queryable, ids: readonly string[], forUpdate = false): Promise<OrderRow[]> {
  if (ids.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM orders WHERE id = ANY($1::text[]) ORDER BY id${forUpdate ? ' FOR UPDATE' : ''}`, [[...ids]]);
  return r.rows.map(toOrder);
}

/**
 * setOrderState for many orders in one statement: those in a `from` state move to `to`; returns them
 * as updated (the others are left out).
 */
export async function setOrderStates(q: Queryable, ids: readonly string[], from: readonly string[], to: string): Promise<OrderRow[]> {
  if (ids.length === 0) return [];
  const done = to === 'completed' || to === 'failed' || to === 'cancelled';
  const r = await q.query<Record<string, unknown>>(
    `UPDATE orders SET state = $2, updated_at = now(), completed_at = CASE WHEN $3::boolean THEN now() ELSE completed_at END
      WHERE id = ANY($1::text[]) AND state = ANY($4::text[]) RETURNING *`,
    [[...ids], to, done, [...from]],
  );
  return r.rows.map(toOrder);
}

/** True when the service has an order that has not finished (acknowledged or inProgress). */
export async function hasOpenOrder(q: Queryable, serviceId: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM orders WHERE service_id = $1 AND state IN ('acknowledged', 'inProgress') LIMIT 1`, [serviceId]);
  return r.rows.length > 0;
}

// ---- trunks ------------------------------------------------------------------------------------

/** Stores a newly lit trunk. */
export async function insertTrunk(
  q: Queryable,
  t: { id: string; aSiteId: string; zSiteId: string; capacityGbps: number; siteIds: string[]; spanIds: string[]; latencyUs: number; lengthKm: number; createdBy: string; litFrom?: string | null },
): Promise<void> {
  await q.query(
    `INSERT INTO trunks (id, a_site_id, z_site_id, capacity_gbps, path_spans, latency_us, length_km, created_by, lit_from)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, COALESCE($9::timestamptz, now()))`,
    [t.id, t.aSiteId, t.zSiteId, t.capacityGbps, JSON.stringify({ siteIds: t.siteIds, spanIds: t.spanIds }), t.latencyUs, t.lengthKm, t.createdBy, t.litFrom ?? null],
  );
}

function toTrunk(row: Record<string, unknown>): TrunkRow {
  const p = json<{ siteIds: string[]; spanIds: string[] }>(row.path_spans);
  return {
    id: row.id as string,
    aSiteId: row.a_site_id as string,
    zSiteId: row.z_site_id as string,
    capacityGbps: Number(row.capacity_gbps),
    siteIds: p.siteIds,
    spanIds: p.spanIds,
    latencyUs: Number(row.latency_us),
    lengthKm: Number(row.length_km),
    createdBy: row.created_by as string,
    used: json<[number, number][]>(row.used),
  };
}

/** Live trunks joining two sites (either direction), with the units currently held on each. */
export async function trunksBetween(q: Queryable, a: string, z: string): Promise<TrunkRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT t.*, COALESCE((SELECT json_agg(json_build_array(lower(al.units), upper(al.units)))
                            FROM allocations al
                           WHERE al.kind = 'trunk' AND al.resource_id = t.id AND al.during && tstzrange(now(), NULL)), '[]'::json) AS used
       FROM trunks t
      WHERE t.retired_at IS NULL AND ((t.a_site_id = $1 AND t.z_site_id = $2) OR (t.a_site_id = $2 AND t.z_site_id = $1))
      ORDER BY t.id`,
    [a, z],
  );
  return r.rows.map(toTrunk);
}

/**
 * Retires each given trunk that carries nothing any more and releases its spectrum; returns the retired
 * ids. The row lock comes before the emptiness check so a concurrent order grooming onto the trunk
 * (which takes a share lock on it) is either seen or sees the trunk retired.
 */
export async function retireTrunksIfIdle(q: Queryable, trunkIds: readonly string[]): Promise<string[]> {
  const retired: string[] = [];
  for (const id of [...new Set(trunkIds)].sort()) {
    const live = await q.query('SELECT 1 FROM trunks WHERE id = $1 AND retired_at IS NULL FOR UPDATE', [id]);
    if (live.rows.length === 0) continue;
    // Compared with the real time, after the row lock: a circuit released by a transaction that
    // committed while this one waited for the lock is seen as released (its end is that
    // transaction's start, which is later than this transaction's now()).
    const busy = await q.query(
      `SELECT 1 FROM allocations WHERE kind = 'trunk' AND resource_id = $1 AND (upper_inf(during) OR upper(during) > clock_timestamp()) LIMIT 1`,
      [id],
    );
    if (busy.rows.length > 0) continue;
    await q.query('UPDATE trunks SET retired_at = now() WHERE id = $1', [id]);
    await q.query(
      `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), now()), '[)')
        WHERE trunk_id = $1 AND during && tstzrange(now(), NULL)`,
      [id],
    );
    retired.push(id);
  }
  return retired;
}

/** Share-locks live trunks before capacity is taken on them; returns the ids still live. */
export async function lockLiveTrunks(q: Queryable, trunkIds: readonly string[]): Promise<string[]> {
  if (trunkIds.length === 0) return [];
  const r = await q.query<{ id: string }>('SELECT id FROM trunks WHERE id = ANY($1::text[]) AND retired_at IS NULL ORDER BY id FOR SHARE', [[...trunkIds]]);
  return r.rows.map((x) => x.id);
}

// ---- allocations -------------------------------------------------------------------------------

/** Held ranges of one kind on the given resources (active now or later). */
export async function activeAllocations(q: Queryable, kind: AllocationRow['kind'], resourceIds: readonly string[]): Promise<AllocationRow[]> {
  if (resourceIds.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(
    `SELECT kind, resource_id, sub, lower(units) AS lo, upper(units) AS hi, service_id, trunk_id, order_id, role
       FROM allocations WHERE kind = $1 AND resource_id = ANY($2::text[]) AND during && tstzrange(now(), NULL)`,
    [kind, [...resourceIds]],
  );
  return r.rows.map(toAllocation);
}

function toAllocation(r: Record<string, unknown>): AllocationRow {
  return {
    kind: r.kind as AllocationRow['kind'],
    resourceId: r.resource_id as string,
    sub: Number(r.sub),
    lo: Number(r.lo),
    hi: Number(r.hi),
    serviceId: (r.service_id as string | null) ?? null,
    trunkId: (r.trunk_id as string | null) ?? null,
    orderId: r.order_id as string,
    role: r.role as string,
  };
}

/**
 * Inserts allocations held from now on, in one statement. A concurrent holder of any overlapping range
 * makes the whole statement fail with 23P01 (exclusion violation); nothing is half-inserted. Rows go in
 * in one global order (resource, then range) so two orders that wait on each other's uncommitted rows
 * queue up instead of deadlocking.
 */
export async function insertAllocations(
  q: Queryable,
  orderId: string,
  rows: readonly { kind: string; resourceId: string; sub: number; lo: number; hi: number; role: string; serviceId: string | null; trunkId: string | null; channel?: ChannelRow['channel'] }[],
  window: { start: string | null; end: string | null } = { start: null, end: null },
): Promise<void> {
  if (rows.length === 0) return;
  // The window they hold (start null = now); a trunk's own spectrum is held open-ended from then on.
  await q.query(
    `INSERT INTO allocations (kind, resource_id, sub, units, service_id, trunk_id, order_id, role, during, channel)
     SELECT k, r, s, int4range(lo, hi), sv, tr, $1, ro, tstzrange(COALESCE($10::timestamptz, now()), CASE WHEN tr IS NULL THEN $11::timestamptz END, '[)'), ch::jsonb
       FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $12::text[]) AS u(k, r, s, lo, hi, sv, tr, ro, ch)
      ORDER BY k, r, s, lo`,
    [
      orderId,
      rows.map((x) => x.kind),
      rows.map((x) => x.resourceId),
      rows.map((x) => x.sub),
      rows.map((x) => x.lo),
      rows.map((x) => x.hi),
      rows.map((x) => x.serviceId),
      rows.map((x) => x.trunkId),
      rows.map((x) => x.role),
      window.start,
      window.end,
      rows.map((x) => (x.channel ? JSON.stringify(x.channel) : null)),
    ],
  );
}

/**
 * Ends a service's allocations at now: the held interval [start, inf) becomes [start, now), kept as
 * history. Selects by the order that made them, or by service (optionally sparing one order's). Trunk
 * spectrum is left alone (see retireTrunksIfIdle).
 */
export async function releaseAllocations(q: Queryable, by: { orderId: string } | { serviceId: string; exceptOrderId?: string }): Promise<number> {
  const where =
    'orderId' in by
      ? { sql: 'order_id = $1 AND trunk_id IS NULL', params: [by.orderId] }
      : { sql: 'service_id = $1 AND ($2::text IS NULL OR order_id <> $2)', params: [by.serviceId, by.exceptOrderId ?? null] };
  const r = await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), now()), '[)')
      WHERE ${where.sql} AND during && tstzrange(now(), NULL)`,
    where.params,
  );
  return r.rowCount;
}

/** Active allocations held by a service (for checks and display). */
export async function serviceAllocations(q: Queryable, serviceId: string): Promise<AllocationRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT kind, resource_id, sub, lower(units) AS lo, upper(units) AS hi, service_id, trunk_id, order_id, role
       FROM allocations WHERE service_id = $1 AND during && tstzrange(now(), NULL) ORDER BY id`,
    [serviceId],
  );
  return r.rows.map(toAllocation);
}

/** Inventory version and stored price book in one round trip (the per-quote reads). */
export async function quoteContext(q: Queryable): Promise<{ inventoryVersion: number; priceBook: unknown | null }> {
  const r = await q.query<{ v: unknown; book: unknown }>(
    `SELECT (SELECT value FROM meta WHERE key = 'inventoryVersion') AS v, (SELECT book FROM price_book WHERE id = 1) AS book`,
  );
  const row = r.rows[0];
  return { inventoryVersion: Number(json<number | null>(row?.v ?? null) ?? 0), priceBook: row?.book === null || row?.book === undefined ? null : json(row.book) };
}

/**
 * Takes transaction-scoped advisory locks on resources (kind:id:sub strings) in the given order. The
 * caller sorts them, so lock takers queue instead of deadlocking; hash collisions only add waiting.
 */
export async function lockResources(q: Queryable, resources: readonly string[]): Promise<void> {
  if (resources.length === 0) return;
  await q.query('SELECT count(pg_advisory_xact_lock(7310, hashtext(r))) FROM unnest($1::text[]) AS r', [[...resources]]);
}

// ---- combined statements for the hot paths (quote, place order) ---------------------------------
//
// Each round trip costs more than the SQL inside it (two processes, two context switches, a parse and
// a plan on a 2-core machine), so the quote and the order read and write what they need in as few
// statements as the locking allows: a quote is one read and one insert, an inline order is one lock,
// one read and one write, plus BEGIN and COMMIT.

/** A held unit range on a resource (the part of an allocation planning needs). */
export interface HeldRange {
  resourceId: string;
  sub: number;
  lo: number;
  hi: number;
}

/** Everything a quote or an order reads before planning. */
export interface PlanningSnapshot {
  inventoryVersion: number;
  priceBook: unknown | null;
  /** The operator's QoT policy as stored (null: the defaults). */
  qotPolicy: unknown | null;
  /** The database's now() (ISO): an order's rows take it as their created_at. */
  now: string;
  held: HeldRange[];
  /** Live trunks between the pair asked for (empty when none was asked for). */
  trunks: TrunkRow[];
  /** The order already made under the idempotency key asked about, if any. */
  existingOrder: OrderRow | null;
  /** What changed in the lit channels since the version asked about (when asked). */
  occupancy: OccupancyDelta | null;
}

/** A spectrum allocation as the QoT state needs it. */
export interface ChannelRow {
  allocId: number;
  spanId: string;
  sub: number;
  lo: number;
  hi: number;
  /** Held now or later (false: released or ended). */
  live: boolean;
  /** Lightpath id, transceiver mode id and centre frequency (GHz), as the planner wrote them; null for older rows. */
  channel: { l: string; m: string; f: number } | null;
  orderId: string;
  role: string;
  /** End of the held interval (ms since epoch), null = open-ended. */
  untilMs: number | null;
  /** Start of the held interval (ms since epoch): a booking in the future lights its channel then. */
  fromMs: number;
  serviceId: string | null;
  trunkId: string | null;
}

/** Lit-channel changes after a version (see migration 010's occupancy log). */
export interface OccupancyDelta {
  /** The occupancy version the rows bring a reader to. */
  version: number;
  /** Lowest version still logged (null: empty log): a reader further behind must load everything. */
  minLogged: number | null;
  rows: ChannelRow[];
  /** Allocations logged after the version that are no longer in the table (deleted; see migration 015). */
  gone: number[];
}

const CHANNEL_ROW = `json_build_array(a.id, a.resource_id, a.sub, lower(a.units), upper(a.units), upper_inf(a.during) OR upper(a.during) > now(),
       a.channel, a.order_id, a.role, CASE WHEN upper_inf(a.during) THEN NULL ELSE extract(epoch FROM upper(a.during)) * 1000 END,
       a.service_id, a.trunk_id, extract(epoch FROM lower(a.during)) * 1000)`;
const OCCUPANCY_VERSION = `(SELECT (value #>> '{}')::bigint FROM meta WHERE key = 'occupancyVersion')`;

function channelRows(v: unknown): ChannelRow[] {
  if (v === null || v === undefined) return [];
  return json<unknown[][]>(v).map((r) => ({
    allocId: Number(r[0]),
    spanId: r[1] as string,
    sub: Number(r[2]),
    lo: Number(r[3]),
    hi: Number(r[4]),
    live: r[5] === true,
    channel: (r[6] as ChannelRow['channel']) ?? null,
    orderId: r[7] as string,
    role: r[8] as string,
    untilMs: r[9] === null || r[9] === undefined ? null : Number(r[9]),
    serviceId: (r[10] as string | null) ?? null,
    trunkId: (r[11] as string | null) ?? null,
    fromMs: r[12] === null || r[12] === undefined ? 0 : Number(r[12]),
  }));
}

function deltaFrom(row: Record<string, unknown>): OccupancyDelta | null {
  if (row.ov === undefined) return null;
  const gone = row.gone === null || row.gone === undefined ? [] : json<unknown[]>(row.gone).map(Number);
  return { version: Number(row.ov ?? 0), minLogged: row.ovmin === null || row.ovmin === undefined ? null : Number(row.ovmin), rows: channelRows(row.delta), gone };
}

/** Every live spectrum allocation with its channel, the occupancy version they make up, and the database's now (one snapshot). */
export async function litChannelRows(q: Queryable): Promise<{ version: number; now: string; rows: ChannelRow[] }> {
  const r = await q.query<{ v: unknown; now: unknown; rows: unknown }>(
    `SELECT ${OCCUPANCY_VERSION} AS v, now() AS now,
            (SELECT json_agg(${CHANNEL_ROW} ORDER BY a.id) FROM allocations a
              WHERE a.kind = 'spectrum' AND (upper_inf(a.during) OR upper(a.during) > now())) AS rows`,
  );
  const row = r.rows[0];
  return { version: Number(row?.v ?? 0), now: iso(row?.now), rows: channelRows(row?.rows) };
}

/** The lit-channel changes after a version (for a reader outside the planning snapshot). */
export async function occupancyDelta(q: Queryable, since: number): Promise<OccupancyDelta> {
  const r = await q.query<Record<string, unknown>>(`SELECT ${OCCUPANCY_DELTA('$1')}`, [since]);
  return deltaFrom(r.rows[0]) as OccupancyDelta;
}

/** Forgets occupancy-log entries at or below a version (readers behind it reload everything). */
export async function pruneOccupancyLog(q: Queryable, atOrBelow: number): Promise<void> {
  await q.query('DELETE FROM occupancy_log WHERE version <= $1', [atOrBelow]);
}

/**
 * Columns ov, ovmin, delta, gone: the occupancy version, the lowest logged, the rows changed after `since`
 * (a parameter reference) and the ids deleted since. `= ANY (ARRAY(…))` makes the few changed ids primary-key probes; with `IN`
 * the planner, guessing hundreds of log rows, hashed a sequential scan of every allocation per read.
 */
function OCCUPANCY_DELTA(since: string): string {
  return `${OCCUPANCY_VERSION} AS ov, (SELECT min(version) FROM occupancy_log) AS ovmin,
          (SELECT json_agg(${CHANNEL_ROW} ORDER BY a.id) FROM allocations a
            WHERE a.id = ANY (ARRAY(SELECT alloc_id FROM occupancy_log WHERE version > ${since}::bigint))) AS delta,
          (SELECT json_agg(DISTINCT l.alloc_id) FROM occupancy_log l
            WHERE l.version > ${since}::bigint AND NOT EXISTS (SELECT FROM allocations a WHERE a.id = l.alloc_id)) AS gone`;
}


// The held ranges come back as one text of numbers, four per range (index of the resource in the
// request, sub, lo, hi): splitting it is several times cheaper for the driver than parsing arrays or
// JSON, and parsing results was a large share of an order's CPU in this process. "Held during the
// window [ws, we)" is spelt with scalar comparisons on the range's bounds rather than during && [ws, we):
// the same rows, but the planner then reads them through the (kind, resource_id) index even before the
// table has statistics, instead of scanning every allocation in the exclusion index. A unit held at any
// instant of the window is taken for the whole window: a circuit needs the same units throughout.

/**
 * SQL: the allocation alias `a` is held on one of the resources `ids` (text[]) of `kind`, under any
 * of their `subs` sub-resources, at some instant of [ws, we) (we NULL = open-ended). Spelt for the
 * exclusion constraint's GiST index (resource_key, units, during): the keys of every (resource, sub)
 * and an overlap test on `during` find the rows by resource and time together, where the (kind,
 * resource_id) index walked every reservation the resource has over the whole calendar (bench:calendar:
 * a quote's planning read two to three times slower on a filled calendar). A hash key shared by another
 * resource only finds a row the exact name test then drops.
 */
function keyedDuring(a: string, kind: string, ids: string, subs: string, ws: string, we: string): string {
  // The exact test compares the `resource` text (kind:id:sub), which no index covers: a test on `kind`
  // would tempt the planner, before the table has statistics, into the (kind, resource_id) index.
  const names = `ARRAY(SELECT ${kind} || ':' || r.id || ':' || s.sub::text FROM unnest(${ids}::text[]) r(id), generate_series(0, ${subs}::int - 1) s(sub))`;
  return `${a}.resource_key = ANY (ARRAY(SELECT hashtextextended(n, 0) FROM unnest(${names}) n))
      AND ${a}.resource = ANY (${names})
      AND ${a}.during && (CASE WHEN ${we} IS NULL OR ${we} > ${ws} THEN tstzrange(${ws}, ${we}, '[)') ELSE 'empty'::tstzrange END)`;
}

/** SQL: the allocation alias `a`'s interval meets [ws, we) (we NULL = open-ended). */
function during(a: string, ws: string, we: string): string {
  return `(upper_inf(${a}.during) OR upper(${a}.during) > ${ws}) AND (${we} IS NULL OR lower(${a}.during) < ${we})`;
}

const SNAPSHOT_SELECT = `SELECT (SELECT value FROM meta WHERE key = 'inventoryVersion') AS v, (SELECT book FROM price_book WHERE id = 1) AS book,
       (SELECT value FROM meta WHERE key = 'qotPolicy') AS qot, now() AS now`;
/** `heldEnd`: the end of the window the ranges are read for (see heldWindowEnd). */
// Grouped by resource so its position in $2 is looked up once per resource, not once per range: on
// PGlite the per-range lookup cost more than the index scan itself (a packet quote reads ~5,000 ranges
// open-ended; bench:calendar quote p99). Text: `pos:sub,lo,hi,sub,lo,hi…;pos:…` (see heldByResource).
const snapshotHeld = (heldEnd: string): string => `(SELECT string_agg((array_position($2::text[], g.resource_id) - 1)::text || ':' || g.r, ';') AS held
       FROM (SELECT a.resource_id, string_agg(concat_ws(',', a.sub, lower(a.units), upper(a.units)), ',') AS r
               FROM allocations a WHERE ${keyedDuring('a', '$1', '$2', '$5', 'COALESCE($3::timestamptz, now())', heldEnd)}
              GROUP BY a.resource_id) g) h`;
const SNAPSHOT_HELD = snapshotHeld('$4::timestamptz');
// A packet circuit's only use of spectrum is a trunk it lights, and a trunk holds its spectrum
// open-ended from its start: its spectrum is read for [start, ∞), not for the circuit's window.
const SNAPSHOT_HELD_OPEN = snapshotHeld('NULL::timestamptz');

/**
 * Inventory version, price book, now(), the ranges of one kind held on the given resources during the
 * request's window, (when `trunkPair` is given) the trunks between that pair lit for the whole window
 * with the units used on them during it, and (when asked) the order a tenant made under an idempotency
 * key, in one round trip. Reads only: an order's write statement re-checks what matters
 * (placedOrderWrites).
 */
export async function planningSnapshot(q: Queryable, f: SnapshotRequest): Promise<PlanningSnapshot> {
  // No resources asked for (a quote that keeps the spectrum held in memory): no held subquery at all,
  // which PGlite would otherwise parse and plan for nothing on every read (nor its parameters).
  const bare = f.resourceIds.length === 0 && !f.trunkPair;
  const params: unknown[] = bare ? [] : [f.kind, [...f.resourceIds], f.window?.start ?? null, f.window?.end ?? null, f.subs];
  let select = SNAPSHOT_SELECT;
  if (f.occupancySince !== undefined && f.occupancySince !== null) {
    params.push(f.occupancySince);
    select += `, ${OCCUPANCY_DELTA(`$${params.length}`)}`;
  }
  if (f.idempotency) {
    params.push(f.idempotency.tenantId, f.idempotency.key);
    select += `, (SELECT row_to_json(o) FROM orders o WHERE o.tenant_id = $${params.length - 1} AND o.idempotency_key = $${params.length}) AS existing`;
  }
  let sql = bare ? `${select}, NULL AS held` : `${select}, h.* FROM ${f.trunkPair ? SNAPSHOT_HELD_OPEN : SNAPSHOT_HELD}`;
  if (f.trunkPair) {
    params.push(f.trunkPair[0], f.trunkPair[1]);
    const a = `$${params.length - 1}`;
    const z = `$${params.length}`;
    sql = `WITH tr AS (SELECT t.* FROM trunks t
                        WHERE t.retired_at IS NULL AND ((t.a_site_id = ${a} AND t.z_site_id = ${z}) OR (t.a_site_id = ${z} AND t.z_site_id = ${a}))
                          AND t.lit_from <= COALESCE($3::timestamptz, now())
                        ORDER BY t.id)
           ${select}, h.*, (SELECT json_agg(${trunkJson('COALESCE($3::timestamptz, now())', '$4::timestamptz')} ORDER BY t.id) FROM tr t) AS trunks
           FROM ${SNAPSHOT_HELD_OPEN}`;
  }
  // A handful of texts (bare or not, with or without delta, idempotency, trunks): prepared once each.
  const row = (await q.query<Record<string, unknown>>(sql, params, { prepare: true })).rows[0];
  return snapshotFrom(row, heldByResource(row.held, f.resourceIds));
}

/** What one planning read asks for (see planningSnapshot). */
export interface SnapshotRequest {
  kind: 'spectrum' | 'strand';
  resourceIds: readonly string[];
  /** Sub-resources per resource (fiber pairs of a span; 1 for strands and trunks): ranges on subs 0..subs-1 are read. */
  subs: number;
  trunkPair: readonly [string, string] | null;
  idempotency?: { tenantId: string; key: string } | null;
  /** Also read the lit-channel changes after this occupancy version (spectrum products). */
  occupancySince?: number | null;
  /** The window to plan for (ISO; start null = now, end null = open-ended); default [now, ∞). */
  window?: { start: string | null; end: string | null } | null;
}

function trunkJson(ws: string, we: string): string {
  return `json_build_object('id', t.id, 'a_site_id', t.a_site_id, 'z_site_id', t.z_site_id,
       'capacity_gbps', t.capacity_gbps, 'path_spans', t.path_spans, 'latency_us', t.latency_us,
       'length_km', t.length_km, 'created_by', t.created_by,
       'used', COALESCE((SELECT json_agg(json_build_array(lower(al.units), upper(al.units)))
                           FROM allocations al
                          WHERE al.kind = 'trunk' AND al.resource_id = t.id AND ${during('al', ws, we)}), '[]'::json))`;
}

/**
 * planningSnapshot for many requests in one round trip (all read in one snapshot): what concurrent
 * orders of one process read together (services/ordering/batcher.ts). One result per request, in order.
 */
export async function planningSnapshots(q: Queryable, reqs: readonly SnapshotRequest[]): Promise<PlanningSnapshot[]> {
  const res = reqs.flatMap((r, i) => r.resourceIds.map((id, pos) => ({ i, kind: r.kind, id, pos })));
  const pairs = reqs.flatMap((r, i) => (r.trunkPair ? [{ i, a: r.trunkPair[0], z: r.trunkPair[1] }] : []));
  const idem = reqs.flatMap((r, i) => (r.idempotency ? [{ i, tenantId: r.idempotency.tenantId, key: r.idempotency.key }] : []));
  // The lit-channel changes are read once for the batch, from the oldest version any request asked about.
  const sinces = reqs.flatMap((r) => (r.occupancySince !== undefined && r.occupancySince !== null ? [r.occupancySince] : []));
  const since = sinces.length > 0 ? Math.min(...sinces) : -1;
  // LATERAL keeps each lookup an index probe whatever the planner thinks of unnest's row counts.
  const r = await q.query<Record<string, unknown>>(
    `WITH w AS (SELECT u.n - 1 AS i, COALESCE(u.ws, now()) AS ws, u.we, u.he FROM unnest($12::timestamptz[], $13::timestamptz[], $14::timestamptz[]) WITH ORDINALITY AS u(ws, we, he, n))
     SELECT (SELECT value FROM meta WHERE key = 'inventoryVersion') AS v, (SELECT book FROM price_book WHERE id = 1) AS book,
            (SELECT value FROM meta WHERE key = 'qotPolicy') AS qot, now() AS now,
            g.i, h.held, tr.trunks, ex.existing, o.ov, o.ovmin, o.delta, o.gone
       FROM generate_series(0, $1::int - 1) AS g(i)
       LEFT JOIN (SELECT ${OCCUPANCY_DELTA('$15')} WHERE $15::bigint >= 0) o ON g.i = 0
       LEFT JOIN (SELECT u.i, string_agg(concat_ws(',', u.pos, a.sub, lower(a.units), upper(a.units)), ',') AS held
                    FROM unnest($2::int[], $3::text[], $4::text[], $5::int[]) AS u(i, k, id, pos)
                    JOIN w ON w.i = u.i
                    CROSS JOIN LATERAL (SELECT a.sub, a.units FROM allocations a
                                         WHERE a.kind = u.k AND a.resource_id = u.id AND ${during('a', 'w.ws', 'w.he')}) a
                   GROUP BY u.i) h ON h.i = g.i
       LEFT JOIN (SELECT u.i, json_agg(x.j ORDER BY x.id) AS trunks
                    FROM unnest($6::int[], $7::text[], $8::text[]) AS u(i, a, z)
                    JOIN w ON w.i = u.i
                    CROSS JOIN LATERAL (SELECT t.id, ${trunkJson('w.ws', 'w.we')} AS j FROM trunks t
                                         WHERE t.retired_at IS NULL AND t.lit_from <= w.ws
                                           AND ((t.a_site_id = u.a AND t.z_site_id = u.z) OR (t.a_site_id = u.z AND t.z_site_id = u.a))) x
                   GROUP BY u.i) tr ON tr.i = g.i
       LEFT JOIN (SELECT u.i, row_to_json(o) AS existing
                    FROM unnest($9::int[], $10::text[], $11::text[]) AS u(i, tn, k)
                    JOIN orders o ON o.tenant_id = u.tn AND o.idempotency_key = u.k) ex ON ex.i = g.i
      ORDER BY g.i`,
    [
      reqs.length,
      res.map((x) => x.i),
      res.map((x) => x.kind),
      res.map((x) => x.id),
      res.map((x) => x.pos),
      pairs.map((x) => x.i),
      pairs.map((x) => x.a),
      pairs.map((x) => x.z),
      idem.map((x) => x.i),
      idem.map((x) => x.tenantId),
      idem.map((x) => x.key),
      reqs.map((x) => x.window?.start ?? null),
      reqs.map((x) => x.window?.end ?? null),
      // Held ranges of a packet circuit's spectrum: open-ended (see SNAPSHOT_HELD_OPEN).
      reqs.map((x) => (x.trunkPair ? null : (x.window?.end ?? null))),
      since,
    ],
    { prepare: true },
  );
  const snaps = r.rows.map((row, i) => snapshotFrom(row, heldTuples(row.held, reqs[i].resourceIds)));
  const delta = snaps[0]?.occupancy ?? null;
  return snaps.map((sn, i) => (reqs[i].occupancySince !== undefined && reqs[i].occupancySince !== null ? { ...sn, occupancy: delta } : { ...sn, occupancy: null }));
}

/** Held ranges from text `pos,sub,lo,hi,pos,sub,lo,hi…` (pos: index into resourceIds). */
function heldTuples(text: unknown, resourceIds: readonly string[]): HeldRange[] {
  const held: HeldRange[] = [];
  const nums = typeof text === 'string' && text !== '' ? text.split(',') : [];
  for (let i = 0; i + 3 < nums.length; i += 4) held.push({ resourceId: resourceIds[Number(nums[i])], sub: Number(nums[i + 1]), lo: Number(nums[i + 2]), hi: Number(nums[i + 3]) });
  return held;
}

/** Held ranges from text `pos:sub,lo,hi,sub,lo,hi…;pos:…` (one group per resource; pos: index into resourceIds). */
function heldByResource(text: unknown, resourceIds: readonly string[]): HeldRange[] {
  const held: HeldRange[] = [];
  if (typeof text !== 'string' || text === '') return held;
  for (const group of text.split(';')) {
    const colon = group.indexOf(':');
    const resourceId = resourceIds[Number(group.slice(0, colon))];
    const nums = group.slice(colon + 1).split(',');
    for (let i = 0; i + 2 < nums.length; i += 3) held.push({ resourceId, sub: Number(nums[i]), lo: Number(nums[i + 1]), hi: Number(nums[i + 2]) });
  }
  return held;
}

/** A planning snapshot from a result row and its held ranges, already parsed. */
function snapshotFrom(row: Record<string, unknown>, held: HeldRange[]): PlanningSnapshot {
  return {
    inventoryVersion: Number(json<number | null>(row.v ?? null) ?? 0),
    priceBook: row.book === null || row.book === undefined ? null : json(row.book),
    qotPolicy: row.qot === null || row.qot === undefined ? null : json(row.qot),
    now: iso(row.now),
    held,
    trunks: row.trunks === null || row.trunks === undefined ? [] : json<Record<string, unknown>[]>(row.trunks).map(toTrunk),
    existingOrder: row.existing === null || row.existing === undefined ? null : toOrder(json<Record<string, unknown>>(row.existing)),
    occupancy: row.ov === null ? null : deltaFrom(row),
  };
}

/**
 * What one write takes: its trunks and allocations over its window, behind its gate. Every write of
 * allocations for a booking (placing, modifying, re-planning a booking) goes through holdWrites, so all
 * of them take the same locks in the same order (see placedOrdersWrites).
 */
export interface HoldWrite {
  /** The order the allocations and trunks belong to (allocations.order_id, trunks.created_by). */
  orderId: string;
  trunks: { id: string; aSiteId: string; zSiteId: string; capacityGbps: number; siteIds: string[]; spanIds: string[]; latencyUs: number; lengthKm: number }[];
  allocations: readonly { kind: string; resourceId: string; sub: number; lo: number; hi: number; role: string; serviceId: string | null; trunkId: string | null; channel?: ChannelRow['channel'] }[];
  /** Advisory-lock keys (kind:id:sub strings, sorted) taken before anything is written; see lockResources. */
  locks: readonly string[];
  /** Existing trunks the order grooms onto: written only if all are still live (then share-locked). */
  liveTrunks: readonly string[];
  /** Written only while the stored inventory version is still this one (the plan's view). */
  inventoryVersion: number;
  /** The window the allocations hold: [start, end), end null = open-ended (ISO); a trunk's own spectrum is open-ended. */
  window: { start: string; end: string | null };
}

/** A new order with everything it holds, written by writePlacedOrder. */
export interface PlacedOrder extends Omit<HoldWrite, 'orderId'> {
  /** The service it creates; null for an order on an existing service (a modify: the service and its end job are there). */
  service: Pick<ServiceRow, 'id' | 'tenantId' | 'product' | 'state' | 'spec' | 'design' | 'price'> | null;
  order: Pick<OrderRow, 'id' | 'tenantId' | 'action' | 'state' | 'serviceId' | 'quoteId' | 'optionId' | 'spec' | 'design' | 'idempotencyKey' | 'requestHash'> & { requestId: string | null };
  /** The order's audit record, written with it. */
  audit: AuditRow;
  /**
   * created_at/updated_at of the service and the order (ISO): the caller builds the order's event from
   * the row it writes, so it names the time rather than reading back the statement's now().
   */
  createdAt: string;
  /** A held order's expiry (ISO); null for an order placed straight away. */
  holdExpiresAt: string | null;
  /** When activation may begin (ISO): the window's start less the lead time, or now. */
  activateAt: string;
  /** Recurring bookings: the series this occurrence belongs to. */
  seriesId: string | null;
}

/** A statement's parameter list: push returns the placeholder. */
function paramList(): { params: unknown[]; p: (v: unknown) => string } {
  const params: unknown[] = [];
  return {
    params,
    p: (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    },
  };
}

/**
 * The gate and the holds of many writes as data-modifying CTEs: first the advisory locks on the
 * resources they take, then a gate per write (lp_ok: the indexes whose inventory version is still
 * their plan's and whose groomed trunks are all still live, share-locked so none can be retired before
 * commit), then the trunks they light and their allocations (in the global order insertAllocations
 * uses), each read through the gate, so nothing is written before the locks and a write whose gate is
 * shut leaves nothing behind.
 */
function holdCtes(hs: readonly HoldWrite[], p: (v: unknown) => string): string {
  const trunks = hs.flatMap((h, i) => h.trunks.map((t) => ({ ...t, i, orderId: h.orderId })));
  const allocs = hs.flatMap((h, i) => h.allocations.map((a) => ({ ...a, i, orderId: h.orderId })));
  const live = hs.flatMap((h, i) => h.liveTrunks.map((id) => ({ id, i })));
  return `
    lp_lock AS (SELECT count(pg_advisory_xact_lock(7310, hashtext(x))) AS n FROM unnest(${p([...new Set(hs.flatMap((h) => h.locks))].sort())}::text[]) AS x),
    lp_ver AS (SELECT (value #>> '{}')::bigint AS v FROM meta WHERE key = 'inventoryVersion' FOR SHARE),
    lp_live AS (SELECT t.id FROM trunks t WHERE t.id = ANY(${p([...new Set(live.map((x) => x.id))])}::text[]) AND t.retired_at IS NULL ORDER BY t.id FOR SHARE),
    lp_need AS (SELECT u.i, u.id FROM unnest(${p(live.map((x) => x.i))}::int[], ${p(live.map((x) => x.id))}::text[]) AS u(i, id)),
    lp_ok AS (SELECT u.n - 1 AS i
                FROM unnest(${p(hs.map((h) => h.inventoryVersion))}::bigint[]) WITH ORDINALITY AS u(v, n), lp_lock l
               WHERE l.n >= 0
                 AND u.v = COALESCE((SELECT v FROM lp_ver), 0)
                 AND NOT EXISTS (SELECT 1 FROM lp_need x WHERE x.i = u.n - 1 AND x.id NOT IN (SELECT id FROM lp_live))),
    lp_trk AS (INSERT INTO trunks (id, a_site_id, z_site_id, capacity_gbps, path_spans, latency_us, length_km, created_by, lit_from)
               SELECT u.id, u.az, u.zz, u.c, u.ps::jsonb, u.lat, u.len, u.ob, u.lf
                 FROM unnest(${p(trunks.map((x) => x.id))}::text[], ${p(trunks.map((x) => x.aSiteId))}::text[], ${p(trunks.map((x) => x.zSiteId))}::text[],
                             ${p(trunks.map((x) => x.capacityGbps))}::int[], ${p(trunks.map((x) => JSON.stringify({ siteIds: x.siteIds, spanIds: x.spanIds })))}::text[],
                             ${p(trunks.map((x) => x.latencyUs))}::float8[], ${p(trunks.map((x) => x.lengthKm))}::float8[], ${p(trunks.map((x) => x.orderId))}::text[],
                             ${p(trunks.map((x) => x.i))}::int[], ${p(trunks.map((x) => hs[x.i].window.start))}::timestamptz[]) AS u(id, az, zz, c, ps, lat, len, ob, i, lf)
                WHERE u.i IN (SELECT i FROM lp_ok)
               RETURNING 1),
    lp_alloc AS (INSERT INTO allocations (kind, resource_id, sub, units, service_id, trunk_id, order_id, role, during, channel)
                 SELECT u.k, u.r, u.sb, int4range(u.lo, u.hi), u.sv, u.tk, u.ob, u.ro, tstzrange(u.ws, u.we, '[)'), u.ch::jsonb
                   FROM unnest(${p(allocs.map((x) => x.kind))}::text[], ${p(allocs.map((x) => x.resourceId))}::text[], ${p(allocs.map((x) => x.sub))}::int[],
                               ${p(allocs.map((x) => x.lo))}::int[], ${p(allocs.map((x) => x.hi))}::int[], ${p(allocs.map((x) => x.serviceId))}::text[],
                               ${p(allocs.map((x) => x.trunkId))}::text[], ${p(allocs.map((x) => x.orderId))}::text[], ${p(allocs.map((x) => x.role))}::text[],
                               ${p(allocs.map((x) => x.i))}::int[],
                               ${p(allocs.map((x) => hs[x.i].window.start))}::timestamptz[],
                               ${p(allocs.map((x) => (x.trunkId ? null : hs[x.i].window.end)))}::timestamptz[],
                               ${p(allocs.map((x) => (x.channel ? JSON.stringify(x.channel) : null)))}::text[]) AS u(k, r, sb, lo, hi, sv, tk, ob, ro, i, ws, we, ch)
                  WHERE u.i IN (SELECT i FROM lp_ok)
                  ORDER BY u.k, u.r, u.sb, u.lo
                 RETURNING 1)`;
}

/**
 * Writes the trunks and allocations of one plan behind its gate (holdCtes), in one statement; false
 * when the gate was shut (the inventory moved past the plan's version, or a groomed trunk was retired),
 * and then nothing was written. For writes whose order row already exists (a booking planned again).
 */
export async function writeHold(q: Queryable, h: HoldWrite): Promise<boolean> {
  const { params, p } = paramList();
  const r = await q.query<{ ok: boolean }>(
    `WITH ${holdCtes([h], p)}
     SELECT EXISTS (SELECT 1 FROM lp_ok) AS ok, (SELECT count(*) FROM lp_trk) + (SELECT count(*) FROM lp_alloc) AS n`,
    params,
  );
  return r.rows[0]?.ok === true;
}

/**
 * The writes of placed orders as data-modifying CTEs for appendEventsAfter, one statement for many
 * orders: their holds behind their gates (holdCtes), then the services (an order on an existing service
 * has none), the order rows, their lifecycle jobs and audit records, each read through the gate.
 *
 * Why locks when the exclusion constraint decides anyway: an inserter that meets an uncommitted
 * conflicting row waits for its transaction, and two inserters that meet each other's rows wait on each
 * other, which PostgreSQL only resolves as a deadlock after deadlock_timeout. Under the locks a
 * conflicting row is always committed, so a plan made on stale state fails at once with an exclusion
 * violation. Exclusion checks read the latest committed rows, not the statement's snapshot, so taking
 * the locks in the same statement is enough. (Orders of one process that plan outside a transaction
 * cannot collide at all, see services/ordering/inflight.ts, and take none.)
 */
export function placedOrdersWrites(os: readonly PlacedOrder[]): { ctes: string; forced: string; written: string; params: unknown[] } {
  const { params, p } = paramList();
  const each = <T>(f: (o: PlacedOrder, i: number) => T): T[] => os.map(f);
  const svcs = os.flatMap((o, i) => (o.service ? [{ ...o.service, o, i }] : []));
  // Every order's lifecycle jobs: a held one expires unless committed; the others are activated at their
  // window's start (less the lead time) and, when their window ends, a service they create is ended.
  const jobs = os.flatMap((o, i) => [
    o.holdExpiresAt ? { kind: EXPIRE_HOLD, subject: o.order.id, runAt: o.holdExpiresAt, i } : { kind: ACTIVATE_ORDER, subject: o.order.id, runAt: o.activateAt, i },
    ...(o.service && o.window.end ? [{ kind: END_SERVICE, subject: o.service.id, runAt: o.window.end, i }] : []),
  ]);
  const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
  const ctes = `${holdCtes(os.map((o) => ({ ...o, orderId: o.order.id })), p)},
    lp_svc AS (INSERT INTO services (id, tenant_id, product, state, spec, design, price, created_at, updated_at, starts_at, ends_at, series_id)
               SELECT u.id, u.tn, u.pr, u.st, u.sp::jsonb, u.de::jsonb, u.pc::jsonb, u.at, u.at, u.ws, u.we, u.se
                 FROM unnest(${p(svcs.map((s) => s.id))}::text[], ${p(svcs.map((s) => s.tenantId))}::text[], ${p(svcs.map((s) => s.product))}::text[],
                             ${p(svcs.map((s) => s.state))}::text[], ${p(svcs.map((s) => json(s.spec)))}::text[], ${p(svcs.map((s) => json(s.design)))}::text[],
                             ${p(svcs.map((s) => json(s.price)))}::text[], ${p(svcs.map((s) => s.o.createdAt))}::timestamptz[],
                             ${p(svcs.map((s) => s.o.window.start))}::timestamptz[], ${p(svcs.map((s) => s.o.window.end))}::timestamptz[], ${p(svcs.map((s) => s.o.seriesId))}::text[],
                             ${p(svcs.map((s) => s.i))}::int[]) AS u(id, tn, pr, st, sp, de, pc, at, ws, we, se, i)
                WHERE u.i IN (SELECT i FROM lp_ok)
               RETURNING 1),
    lp_ord AS (INSERT INTO orders (id, tenant_id, action, state, service_id, quote_id, option_id, spec, design, idempotency_key, request_hash, request_id,
                                   created_at, updated_at, starts_at, ends_at, hold_expires_at, series_id)
               SELECT u.id, u.tn, u.ac, u.st, u.sv, u.qu, u.op, u.sp::jsonb, u.de::jsonb, u.ik, u.rh, u.rq, u.at, u.at, u.ws, u.we, u.hx, u.se
                 FROM unnest(${p(each((o) => o.order.id))}::text[], ${p(each((o) => o.order.tenantId))}::text[], ${p(each((o) => o.order.action))}::text[],
                             ${p(each((o) => o.order.state))}::text[], ${p(each((o) => o.order.serviceId))}::text[], ${p(each((o) => o.order.quoteId))}::text[],
                             ${p(each((o) => o.order.optionId))}::text[], ${p(each((o) => json(o.order.spec)))}::text[], ${p(each((o) => json(o.order.design)))}::text[],
                             ${p(each((o) => o.order.idempotencyKey))}::text[], ${p(each((o) => o.order.requestHash))}::text[], ${p(each((o) => o.order.requestId))}::text[],
                             ${p(each((o) => o.createdAt))}::timestamptz[], ${p(each((o) => o.window.start))}::timestamptz[], ${p(each((o) => o.window.end))}::timestamptz[],
                             ${p(each((o) => o.holdExpiresAt))}::timestamptz[], ${p(each((o) => o.seriesId))}::text[])
                      WITH ORDINALITY AS u(id, tn, ac, st, sv, qu, op, sp, de, ik, rh, rq, at, ws, we, hx, se, n)
                WHERE u.n - 1 IN (SELECT i FROM lp_ok)
               RETURNING 1),
    lp_job AS (INSERT INTO jobs (kind, subject, run_at)
               SELECT u.k, u.s, u.r FROM unnest(${p(jobs.map((j) => j.kind))}::text[], ${p(jobs.map((j) => j.subject))}::text[], ${p(jobs.map((j) => j.runAt))}::timestamptz[],
                                                ${p(jobs.map((j) => j.i))}::int[]) AS u(k, s, r, i)
                WHERE u.i IN (SELECT i FROM lp_ok)
               RETURNING 1),
    lp_audit AS (INSERT INTO audit_log (${AUDIT_COLUMNS})
                 SELECT u.a1, u.a2, u.a3, u.a4, u.a5, u.a6, u.a7, u.a8, u.a9, u.a10, u.a11
                   FROM unnest(${auditParams(os.map((o) => o.audit)).map((col, k) => `${p(col)}::${k >= 9 ? 'jsonb' : 'text'}[]`).join(', ')})
                        WITH ORDINALITY AS u(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, n)
                  WHERE u.n - 1 IN (SELECT i FROM lp_ok)
                 RETURNING 1)`;
  const forced =
    '(SELECT count(*) FROM lp_svc) + (SELECT count(*) FROM lp_trk) + (SELECT count(*) FROM lp_alloc) + (SELECT count(*) FROM lp_ord) + (SELECT count(*) FROM lp_job) + (SELECT count(*) FROM lp_audit)';
  return { ctes, forced, written: 'SELECT i FROM lp_ok', params };
}

/** placedOrdersWrites for one order, gated as one (for appendEventAfter). */
export function placedOrderWrites(o: PlacedOrder): { ctes: string; forced: string; proceed: string; params: unknown[] } {
  const w = placedOrdersWrites([o]);
  return { ctes: w.ctes, forced: w.forced, proceed: 'EXISTS (SELECT 1 FROM lp_ok)', params: w.params };
}

/** The row placedOrderWrites stores for an order, as getOrder reads it back. */
export function placedOrderRow(o: Pick<PlacedOrder, 'order' | 'createdAt' | 'window' | 'holdExpiresAt' | 'seriesId'>): OrderRow {
  const { requestId: _requestId, ...order } = o.order;
  return {
    ...order,
    failureReason: null,
    createdAt: o.createdAt,
    updatedAt: o.createdAt,
    completedAt: null,
    startsAt: o.window.start,
    endsAt: o.window.end,
    holdExpiresAt: o.holdExpiresAt,
    seriesId: o.seriesId,
  };
}

// ---- wholesale teardown (network replace) ----------------------------------------------------------

/** Ids of services that hold or will hold capacity: booked (held, scheduled), reserved, active or down. */
export async function liveServiceIds(q: Queryable): Promise<string[]> {
  const r = await q.query<{ id: string }>(`SELECT id FROM services WHERE state IN ('held', 'scheduled', 'reserved', 'active', 'down') ORDER BY id`);
  return r.rows.map((x) => x.id);
}

/** Locks and returns every live or booked service (id, tenant, state). */
export async function lockLiveServices(q: Queryable): Promise<{ id: string; tenantId: string; state: string }[]> {
  const r = await q.query<{ id: string; tenant_id: string; state: string }>(
    `SELECT id, tenant_id, state FROM services WHERE state IN ('held', 'scheduled', 'reserved', 'active', 'down') ORDER BY id FOR UPDATE`,
  );
  return r.rows.map((x) => ({ id: x.id, tenantId: x.tenant_id, state: x.state }));
}

/** Cancels every unfinished order of these services; returns the cancelled orders. */
export async function cancelOpenOrdersOf(q: Queryable, serviceIds: readonly string[], reason: string): Promise<OrderRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `UPDATE orders SET state = 'cancelled', failure_reason = $2, updated_at = now(), completed_at = now()
      WHERE service_id = ANY($1::text[]) AND state IN ('held', 'acknowledged', 'inProgress') RETURNING *`,
    [[...serviceIds], reason],
  );
  return r.rows.map(toOrder);
}

/** Ends (at now) every live allocation of these services. */
export async function releaseServicesAllocations(q: Queryable, serviceIds: readonly string[]): Promise<void> {
  await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), now()), '[)')
      WHERE service_id = ANY($1::text[]) AND during && tstzrange(now(), NULL)`,
    [[...serviceIds]],
  );
}

/** Ids of every live trunk. */
export async function liveTrunkIds(q: Queryable): Promise<string[]> {
  const r = await q.query<{ id: string }>('SELECT id FROM trunks WHERE retired_at IS NULL ORDER BY id');
  return r.rows.map((x) => x.id);
}

/** Marks services terminated. */
export async function terminateServices(q: Queryable, serviceIds: readonly string[]): Promise<void> {
  await q.query(`UPDATE services SET state = 'terminated', updated_at = now() WHERE id = ANY($1::text[])`, [[...serviceIds]]);
}

/** The services among `ids` that hold capacity on a failed span (touchesFailedSpans for many, one statement). */
export async function servicesOnFailedSpans(q: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await q.query<{ id: string }>(
    `WITH failed AS (SELECT DISTINCT unnest(failed_spans) AS id FROM failures WHERE repaired_at IS NULL),
          mine AS (SELECT service_id, kind, resource_id FROM allocations
                    WHERE service_id = ANY($1::text[]) AND (upper_inf(during) OR upper(during) > now())),
          trunk_spectrum AS (SELECT m.service_id, a.resource_id FROM allocations a JOIN mine m ON m.kind = 'trunk' AND a.trunk_id = m.resource_id
                              WHERE a.kind = 'spectrum' AND (upper_inf(a.during) OR upper(a.during) > now()))
     SELECT DISTINCT id FROM (
       SELECT service_id AS id FROM mine WHERE kind = 'spectrum' AND resource_id IN (SELECT id FROM failed)
       UNION ALL SELECT service_id FROM mine WHERE kind = 'strand' AND resource_id IN (SELECT c.id FROM cables c JOIN failed f ON f.id = c.span_id)
       UNION ALL SELECT service_id FROM trunk_spectrum WHERE resource_id IN (SELECT id FROM failed)) x
     ORDER BY id`,
    [[...ids]],
  );
  return r.rows.map((x) => x.id);
}

/** True when anything the service holds (directly or through its trunks) is on a span an open failure holds down. */
export async function touchesFailedSpans(q: Queryable, serviceId: string): Promise<boolean> {
  return (await servicesOnFailedSpans(q, [serviceId])).length > 0;
}

/** Live dark-fiber services holding strands on the given cables, with their designs. */
export async function strandHolders(q: Queryable, cableIds: readonly string[]): Promise<{ id: string; design: unknown }[]> {
  if (cableIds.length === 0) return [];
  const r = await q.query<{ id: string; design: unknown }>(
    `SELECT s.id, s.design FROM services s
      WHERE s.id IN (SELECT a.service_id FROM allocations a WHERE a.kind = 'strand' AND a.resource_id = ANY($1::text[])
                        AND a.service_id IS NOT NULL AND (upper_inf(a.during) OR upper(a.during) > now()))
      ORDER BY s.id`,
    [[...cableIds]],
  );
  return r.rows.map((x) => ({ id: x.id, design: json(x.design) }));
}

/** A held range with the time it is held for. */
/** Resources of one kind whose reservations are read: every sub 0..subs-1 of each id. */
export interface HeldResources {
  kind: 'spectrum' | 'strand' | 'trunk';
  ids: readonly string[];
  /** Fiber pairs per span for spectrum (the network's most); 1 for strands and trunks. */
  subs: number;
}

export interface TimedRange extends HeldRange {
  fromMs: number;
  /** null = open-ended. */
  toMs: number | null;
}

/** Ranges of one kind held on the given resources at any instant of [from, to) (to null = open-ended). */
export async function heldWithTimes(q: Queryable, res: HeldResources, from: string, to: string | null): Promise<TimedRange[]> {
  const { kind, ids: resourceIds, subs } = res;
  if (resourceIds.length === 0) return [];
  const r = await q.query<{ resource_id: string; sub: number; lo: number; hi: number; f: string | number; t: string | number | null }>(
    `SELECT a.resource_id, a.sub, lower(a.units) AS lo, upper(a.units) AS hi,
            (extract(epoch FROM lower(a.during)) * 1000)::float8 AS f,
            CASE WHEN upper_inf(a.during) THEN NULL ELSE (extract(epoch FROM upper(a.during)) * 1000)::float8 END AS t
       FROM allocations a
      WHERE ${keyedDuring('a', '$1', '$2', '$5', '$3::timestamptz', '$4::timestamptz')}`,
    [kind, [...resourceIds], from, to, subs],
  );
  return r.rows.map((x) => ({ resourceId: x.resource_id, sub: Number(x.sub), lo: Number(x.lo), hi: Number(x.hi), fromMs: Number(x.f), toMs: x.t === null ? null : Number(x.t) }));
}

/** Moves a service's window in the store (the caller moved its allocations). */
export async function setServiceWindow(q: Queryable, id: string, start: string, end: string | null): Promise<void> {
  await q.query('UPDATE services SET starts_at = $2, ends_at = $3, updated_at = now() WHERE id = $1', [id, start, end]);
}

/** Rewrites an order's booking (a change to a booking not yet started): spec, design, window. */
export async function rebookOrder(q: Queryable, id: string, f: { spec: unknown; design: unknown; start: string; end: string | null }): Promise<void> {
  await q.query('UPDATE orders SET spec = $2::jsonb, design = $3::jsonb, starts_at = $4, ends_at = $5, updated_at = now() WHERE id = $1', [id, JSON.stringify(f.spec), JSON.stringify(f.design), f.start, f.end]);
}

/**
 * Moves the end of every live allocation of a service (not its trunks' own spectrum) to `end`; the
 * exclusion constraint refuses an extension onto a later reservation (23P01), and then nothing moved.
 */
export async function moveServiceEnd(q: Queryable, serviceId: string, end: string | null): Promise<number> {
  const r = await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), $2::timestamptz, '[)')
      WHERE service_id = $1 AND (upper_inf(during) OR upper(during) > now())`,
    [serviceId, end],
  );
  return r.rowCount;
}

/** The add order still waiting on a service (held or acknowledged), locked. */
export async function pendingAddOrder(q: Queryable, serviceId: string): Promise<OrderRow | null> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM orders WHERE service_id = $1 AND action = 'add' AND state IN ('held', 'acknowledged') FOR UPDATE`, [serviceId]);
  return r.rows[0] ? toOrder(r.rows[0]) : null;
}

/** Orders of a series that are still held, locked. */
export async function heldOrdersOfSeries(q: Queryable, seriesId: string): Promise<OrderRow[]> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM orders WHERE series_id = $1 AND state = 'held' ORDER BY starts_at, id FOR UPDATE`, [seriesId]);
  return r.rows.map(toOrder);
}

/** The most recent order of a service. */
export async function latestOrderOf(q: Queryable, serviceId: string): Promise<OrderRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM orders WHERE service_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [serviceId]);
  return r.rows[0] ? toOrder(r.rows[0]) : null;
}
