/**
 * SQL for hourly usage records: idempotent upserts from the roll-up and tenant-scoped reads. Also the
 * default source of service activity, read from the service lifecycle events in the outbox.
 */
import type { Queryable } from './db.js';

export interface UsageRecord {
  serviceId: string;
  tenantId: string;
  product: string;
  /** Start of the UTC hour, ISO-8601. */
  hour: string;
  bandwidthGbps: number | null;
  activeSeconds: number;
}

export interface UsageRow {
  serviceId: string;
  tenantId: string;
  product: string;
  hourMs: number;
  bandwidthGbps: number | null;
  activeSeconds: number;
}

export interface UsageFilter {
  /** undefined = every tenant (operators). */
  tenantId?: string | undefined;
  serviceId?: string | undefined;
  /** Hours starting at or after. */
  from?: Date | undefined;
  /** Hours starting before. */
  to?: Date | undefined;
  /** Keyset: rows after this (hour, serviceId). */
  after?: { hourMs: number; serviceId: string } | undefined;
  limit: number;
}

/**
 * Writes rows, replacing any record of the same service and hour: re-running a roll-up over the same
 * activity leaves the same rows.
 */
export async function upsertUsage(q: Queryable, rows: readonly UsageRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO usage_records (service_id, hour, tenant_id, product, bandwidth_gbps, active_seconds)
     SELECT s, to_timestamp(h / 1000.0), t, p, b, a
     FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::float8[], $6::int[]) AS u(s, h, t, p, b, a)
     ON CONFLICT (service_id, hour) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, product = EXCLUDED.product,
       bandwidth_gbps = EXCLUDED.bandwidth_gbps, active_seconds = EXCLUDED.active_seconds, recorded_at = now()
     WHERE (usage_records.tenant_id, usage_records.product, usage_records.bandwidth_gbps, usage_records.active_seconds)
       IS DISTINCT FROM (EXCLUDED.tenant_id, EXCLUDED.product, EXCLUDED.bandwidth_gbps, EXCLUDED.active_seconds)`,
    [
      rows.map((x) => x.serviceId),
      rows.map((x) => x.hourMs),
      rows.map((x) => x.tenantId),
      rows.map((x) => x.product),
      rows.map((x) => x.bandwidthGbps),
      rows.map((x) => x.activeSeconds),
    ],
  );
  return r.rowCount;
}

interface Row {
  service_id: string;
  tenant_id: string;
  product: string;
  hour: Date | string;
  bandwidth_gbps: number | null;
  active_seconds: number;
}

/** Usage records ordered by hour then service id. */
export async function listUsage(q: Queryable, f: UsageFilter): Promise<UsageRecord[]> {
  const r = await q.query<Row>(
    `SELECT service_id, tenant_id, product, hour, bandwidth_gbps, active_seconds FROM usage_records
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR service_id = $2)
       AND ($3::timestamptz IS NULL OR hour >= $3) AND ($4::timestamptz IS NULL OR hour < $4)
       AND ($5::timestamptz IS NULL OR (hour, service_id) > ($5::timestamptz, $6::text))
     ORDER BY hour, service_id LIMIT $7`,
    [
      f.tenantId ?? null,
      f.serviceId ?? null,
      f.from ?? null,
      f.to ?? null,
      f.after ? new Date(f.after.hourMs) : null,
      f.after?.serviceId ?? null,
      f.limit,
    ],
  );
  return r.rows.map((x) => ({
    serviceId: x.service_id,
    tenantId: x.tenant_id,
    product: x.product,
    hour: new Date(x.hour).toISOString(),
    bandwidthGbps: x.bandwidth_gbps,
    activeSeconds: x.active_seconds,
  }));
}

/** A service lifecycle event as the roll-up needs it. */
export interface LifecycleEvent {
  serviceId: string;
  type: string;
  tenantId: string | null;
  occurredAtMs: number;
  data: unknown;
}

/**
 * Service lifecycle events of the given types, in id order: the published ones, then the committed ones
 * still in the outbox in the order they will be published (store/events.ts), so usage never waits for a
 * reader to publish.
 */
export async function serviceLifecycleEvents(q: Queryable, types: readonly string[]): Promise<LifecycleEvent[]> {
  const r = await q.query<{ subject_id: string; type: string; tenant_id: string | null; occurred_at: Date | string; data: unknown }>(
    `SELECT subject_id, type, tenant_id, occurred_at, data FROM (
       SELECT 0 AS k, id AS o, subject_id, type, tenant_id, occurred_at, data FROM events WHERE subject_kind = 'service' AND type = ANY($1::text[])
       UNION ALL
       SELECT 1, seq, subject_id, type, tenant_id, occurred_at, data FROM event_outbox WHERE subject_kind = 'service' AND type = ANY($1::text[])) x
     ORDER BY k, o`,
    [[...types]],
  );
  return r.rows.map((x) => ({
    serviceId: x.subject_id,
    type: x.type,
    tenantId: x.tenant_id,
    occurredAtMs: new Date(x.occurred_at).getTime(),
    data: typeof x.data === 'string' ? JSON.parse(x.data) : x.data,
  }));
}

/** Product and bandwidth of services from the ordering tables (fallback when events omit them). */
export async function serviceFacts(q: Queryable, ids: readonly string[]): Promise<Map<string, { product: string; bandwidthGbps: number | null }>> {
  const out = new Map<string, { product: string; bandwidthGbps: number | null }>();
  if (ids.length === 0) return out;
  const r = await q.query<{ id: string; product: string; bw: number | string | null }>(
    `SELECT id, product, (spec ->> 'bandwidthGbps')::float8 AS bw FROM services WHERE id = ANY($1::text[])`,
    [[...ids]],
  );
  for (const x of r.rows) out.set(x.id, { product: x.product, bandwidthGbps: x.bw === null ? null : Number(x.bw) });
  return out;
}
