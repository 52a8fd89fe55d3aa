/**
 * SQL for bulk transfers: the transfer rows, the trunk capacity the calendar has free per slot, and the
 * transfer's time-bounded trunk allocations (written, trimmed at a slot boundary, read back for checks).
 * Parameterised statements that run unchanged on PGlite and a PostgreSQL server.
 */
import type { Queryable } from './db.js';

/** One candidate path of a stored transfer (trunks in path order). */
export interface StoredTransferPath {
  id: string;
  trunkIds: string[];
  siteIds: string[];
  latencyUs: number;
  lengthKm: number;
  pricePerGbitMinor: number;
}

/** One slot of a stored schedule: `slot` counts whole slots since the Unix epoch. */
export interface StoredEntry {
  slot: number;
  path: number;
  rateGbps: number;
}

/** A wave lit for a transfer (see migration 013): its route, channel, capacity and the runs it is lit in. */
export interface StoredTransferWave {
  /** The wave's id (its first segment's lightpath id). */
  id: string;
  /** Lightpath id of each transparent segment (the QoT state's keys; its spectrum allocations carry them). */
  lightpathIds: string[];
  /** The engine link it adds while it carries traffic (`wave:<id>`), a path of its transfer. */
  linkId: string;
  spanIds: string[];
  siteIds: string[];
  lengthKm: number;
  latencyUs: number;
  capacityGbps: number;
  modeId: string | null;
  centerFrequencyGhz: number;
  /** GSNR at the receiver when planned (worst segment), dB; null without a line-system model. */
  gsnrDb: number | null;
  regeneratorSiteIds: string[];
  /** Slots lit before it carries traffic (lighting, power balancing, commissioning). */
  setupSlots: number;
  /** Slot runs [fromSlot, toSlot) it is lit in (whole slots since the Unix epoch). */
  runs: { fromSlot: number; toSlot: number }[];
}

export interface TransferRow {
  id: string;
  tenantId: string;
  aSiteId: string;
  zSiteId: string;
  volumeGbit: number;
  earliestStart: string;
  deadline: string;
  maxRateGbps: number | null;
  state: 'scheduled' | 'late' | 'cancelled';
  slotSeconds: number;
  paths: StoredTransferPath[];
  schedule: StoredEntry[];
  waves: StoredTransferWave[];
  priceMinor: number;
  currency: string;
  completionAt: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
}

/** A live trunk as the transfer planner sees it. */
export interface TransferTrunk {
  id: string;
  aSiteId: string;
  zSiteId: string;
  capacityGbps: number;
  siteIds: string[];
  spanIds: string[];
  latencyUs: number;
  lengthKm: number;
  /** The trunk carries traffic from this instant on (the calendar's `lit_from`). */
  litFromMs: number;
}

/** A unit range held on a trunk over a time range (ms since the epoch; `toMs` null = open-ended). */
export interface TrunkHold {
  trunkId: string;
  lo: number;
  hi: number;
  fromMs: number;
  toMs: number | null;
  transferId: string | null;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function iso(v: unknown): string {
  return new Date(v as string | Date).toISOString();
}

function ms(v: unknown): number {
  return new Date(v as string | Date).getTime();
}

function toTransfer(r: Record<string, unknown>): TransferRow {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    aSiteId: r.a_site_id as string,
    zSiteId: r.z_site_id as string,
    volumeGbit: Number(r.volume_gbit),
    earliestStart: iso(r.earliest_start),
    deadline: iso(r.deadline),
    maxRateGbps: r.max_rate_gbps === null || r.max_rate_gbps === undefined ? null : Number(r.max_rate_gbps),
    state: r.state as TransferRow['state'],
    slotSeconds: Number(r.slot_seconds),
    paths: json<StoredTransferPath[]>(r.paths),
    schedule: json<StoredEntry[]>(r.schedule),
    waves: json<StoredTransferWave[] | null>(r.waves) ?? [],
    priceMinor: Number(r.price_minor),
    currency: r.currency as string,
    completionAt: iso(r.completion_at),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    requestHash: (r.request_hash as string | null) ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    cancelledAt: r.cancelled_at === null || r.cancelled_at === undefined ? null : iso(r.cancelled_at),
  };
}

export async function insertTransfer(q: Queryable, t: Omit<TransferRow, 'createdAt' | 'updatedAt' | 'cancelledAt'>): Promise<TransferRow> {
  const r = await q.query<Record<string, unknown>>(
    `INSERT INTO transfers (id, tenant_id, a_site_id, z_site_id, volume_gbit, earliest_start, deadline, max_rate_gbps, state, slot_seconds,
                            paths, schedule, price_minor, currency, completion_at, idempotency_key, request_hash, waves)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16, $17, $18::jsonb) RETURNING *`,
    [
      t.id, t.tenantId, t.aSiteId, t.zSiteId, t.volumeGbit, t.earliestStart, t.deadline, t.maxRateGbps, t.state, t.slotSeconds,
      JSON.stringify(t.paths), JSON.stringify(t.schedule), t.priceMinor, t.currency, t.completionAt, t.idempotencyKey, t.requestHash,
      JSON.stringify(t.waves),
    ],
  );
  return toTransfer(r.rows[0]);
}

/** A transfer by id (tenant-limited unless tenantId is undefined). */
export async function getTransfer(q: Queryable, id: string, tenantId: string | undefined, forUpdate = false): Promise<TransferRow | null> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM transfers WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)${forUpdate ? ' FOR UPDATE' : ''}`,
    [id, tenantId ?? null],
  );
  return r.rows[0] ? toTransfer(r.rows[0]) : null;
}

export async function transferByIdempotencyKey(q: Queryable, tenantId: string, key: string): Promise<TransferRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM transfers WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);
  return r.rows[0] ? toTransfer(r.rows[0]) : null;
}

/** Keyset page of transfers (newest ids last), optionally one state. */
export async function listTransfers(q: Queryable, f: { tenantId: string | undefined; after: string | undefined; limit: number; state?: string | undefined }): Promise<TransferRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM transfers WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2) AND ($3::text IS NULL OR state = $3)
     ORDER BY id LIMIT $4`,
    [f.tenantId ?? null, f.after ?? null, f.state ?? null, f.limit],
  );
  return r.rows.map(toTransfer);
}

/** Transfers that still hold or may hold capacity at or after `fromIso` (not cancelled, not finished). */
export async function openTransfers(q: Queryable, fromIso: string): Promise<TransferRow[]> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM transfers WHERE state <> 'cancelled' AND completion_at > $1 ORDER BY created_at, id`, [fromIso]);
  return r.rows.map(toTransfer);
}

export async function updateTransfer(q: Queryable, id: string, patch: { state: TransferRow['state']; schedule: StoredEntry[]; completionAt: string; cancelled?: boolean; waves?: StoredTransferWave[] }): Promise<void> {
  await q.query(
    `UPDATE transfers SET state = $2, schedule = $3::jsonb, completion_at = $4, updated_at = now(),
            cancelled_at = CASE WHEN $5 THEN now() ELSE cancelled_at END,
            waves = coalesce($6::jsonb, waves)
      WHERE id = $1`,
    [id, patch.state, JSON.stringify(patch.schedule), patch.completionAt, patch.cancelled === true, patch.waves === undefined ? null : JSON.stringify(patch.waves)],
  );
}

// ---- capacity -----------------------------------------------------------------------------------

/** Every live trunk, share-locked so none is retired before the caller's transaction ends. */
export async function lockTransferTrunks(q: Queryable): Promise<TransferTrunk[]> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM trunks WHERE retired_at IS NULL ORDER BY id FOR SHARE');
  return r.rows.map((t) => {
    const ps = json<{ siteIds?: string[]; spanIds?: string[] }>(t.path_spans);
    return {
      id: t.id as string,
      aSiteId: t.a_site_id as string,
      zSiteId: t.z_site_id as string,
      capacityGbps: Number(t.capacity_gbps),
      siteIds: ps.siteIds ?? [t.a_site_id as string, t.z_site_id as string],
      spanIds: ps.spanIds ?? [],
      latencyUs: Number(t.latency_us),
      lengthKm: Number(t.length_km),
      litFromMs: new Date((t.lit_from ?? t.created_at) as string | Date).getTime(),
    };
  });
}

/** Unit ranges held on the given trunks at any time in [fromIso, toIso), by anyone (services and transfers). */
export async function trunkHolds(q: Queryable, trunkIds: readonly string[], fromIso: string, toIso: string): Promise<TrunkHold[]> {
  if (trunkIds.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(
    `SELECT resource_id, lower(units) AS lo, upper(units) AS hi, lower(during) AS f, upper(during) AS t, transfer_id
       FROM allocations
      WHERE kind = 'trunk' AND resource_id = ANY($1::text[]) AND during && tstzrange($2::timestamptz, $3::timestamptz, '[)')
      ORDER BY id`,
    [[...trunkIds], fromIso, toIso],
  );
  return r.rows.map((x) => ({
    trunkId: x.resource_id as string,
    lo: Number(x.lo),
    hi: Number(x.hi),
    fromMs: ms(x.f),
    toMs: x.t === null || x.t === undefined ? null : ms(x.t),
    transferId: (x.transfer_id as string | null) ?? null,
  }));
}

/**
 * Gives back the trunk capacity the given transfers hold from `fromIso` on: allocations that start there
 * or later are deleted (never used), one that runs across it ends there (its past stays as history).
 * With `waves`, the spectrum of their lit waves too (see releaseTransferWaves).
 */
export async function releaseTransferHolds(q: Queryable, transferIds: readonly string[], fromIso: string, opts: { waves?: boolean } = {}): Promise<void> {
  if (transferIds.length === 0) return;
  await q.query(`DELETE FROM allocations WHERE kind = 'trunk' AND transfer_id = ANY($1::text[]) AND lower(during) >= $2::timestamptz`, [[...transferIds], fromIso]);
  await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), $2::timestamptz, '[)')
      WHERE kind = 'trunk' AND transfer_id = ANY($1::text[]) AND during @> $2::timestamptz`,
    [[...transferIds], fromIso],
  );
  if (opts.waves) await releaseTransferWaves(q, transferIds, fromIso);
}

/**
 * Ends the spectrum of the given transfers' waves at `fromIso`. Updated, never deleted: the occupancy log
 * (migration 010) records updates, so every process's lit-channel state sees the wave go dark; a run
 * that had not started becomes empty.
 */
export async function releaseTransferWaves(q: Queryable, transferIds: readonly string[], fromIso: string, lightpathIds: readonly string[] | null = null): Promise<void> {
  if (transferIds.length === 0) return;
  await q.query(
    `UPDATE allocations SET during = tstzrange(lower(during), greatest(lower(during), $2::timestamptz), '[)')
      WHERE kind = 'spectrum' AND transfer_id = ANY($1::text[]) AND ($3::text[] IS NULL OR channel->>'l' = ANY($3::text[]))
        AND (upper_inf(during) OR upper(during) > $2::timestamptz)`,
    [[...transferIds], fromIso, lightpathIds === null ? null : [...lightpathIds]],
  );
}

/** Spectrum of a wave lit for a transfer, one row per span and run (one statement; the exclusion constraint arbitrates). */
export async function insertTransferWaveHolds(
  q: Queryable,
  rows: readonly { transferId: string; spanId: string; sub: number; lo: number; hi: number; fromIso: string; toIso: string; channel: { l: string; m: string; f: number } | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO allocations (kind, resource_id, sub, units, during, transfer_id, order_id, role, channel)
     SELECT 'spectrum', u.span, u.sub, int4range(u.lo, u.hi), tstzrange(u.f, u.t, '[)'), u.transfer, u.transfer, 'transfer', u.ch::jsonb
       FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::text[]) AS u(transfer, span, sub, lo, hi, f, t, ch)`,
    [
      rows.map((x) => x.transferId), rows.map((x) => x.spanId), rows.map((x) => x.sub), rows.map((x) => x.lo), rows.map((x) => x.hi),
      rows.map((x) => x.fromIso), rows.map((x) => x.toIso), rows.map((x) => (x.channel ? JSON.stringify(x.channel) : null)),
    ],
  );
}


/** New trunk allocations of transfers (one statement; the exclusion constraint arbitrates). */
export async function insertTransferHolds(q: Queryable, rows: readonly { transferId: string; trunkId: string; lo: number; hi: number; fromIso: string; toIso: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO allocations (kind, resource_id, sub, units, during, transfer_id, order_id, role)
     SELECT 'trunk', u.trunk, 0, int4range(u.lo, u.hi), tstzrange(u.f, u.t, '[)'), u.transfer, u.transfer, 'transfer'
       FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[]) AS u(transfer, trunk, lo, hi, f, t)`,
    [rows.map((x) => x.transferId), rows.map((x) => x.trunkId), rows.map((x) => x.lo), rows.map((x) => x.hi), rows.map((x) => x.fromIso), rows.map((x) => x.toIso)],
  );
}

/**
 * Live trunks whose path crosses a span of an open failure and on which some transfer holds capacity
 * after `fromIso`: the ones a cut took from transfers (restoration moves a trunk's path when it can).
 */
export async function downTrunksWithTransfers(q: Queryable, fromIso: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT t.id FROM trunks t
      WHERE t.retired_at IS NULL
        AND EXISTS (SELECT 1 FROM failures f, jsonb_array_elements_text(t.path_spans -> 'spanIds') AS s(span)
                     WHERE f.repaired_at IS NULL AND s.span = ANY(f.failed_spans))
        AND EXISTS (SELECT 1 FROM allocations a
                     WHERE a.kind = 'trunk' AND a.resource_id = t.id AND a.transfer_id IS NOT NULL AND upper(a.during) > $1::timestamptz)
      ORDER BY t.id`,
    [fromIso],
  );
  return r.rows.map((x) => x.id);
}
