/**
 * SQL for webhook endpoints and their deliveries. Delivery state lives in webhook_deliveries so a
 * restarted worker resumes where the last one stopped; claims are leases, so a worker that dies while
 * sending leaves the delivery due again once the lease runs out (at-least-once delivery).
 */
import type { Queryable } from './db.js';

export interface Webhook {
  id: string;
  tenantId: string;
  /** True for an operator's endpoint: it receives every tenant's events. */
  allTenants: boolean;
  url: string;
  /** null = every type. */
  types: string[] | null;
  createdAt: string;
}

/** A webhook with its signing secret: only for the worker and the create response. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export interface NewWebhook {
  id: string;
  tenantId: string;
  allTenants: boolean;
  url: string;
  types: string[] | null;
  secret: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery claimed for sending, with what is needed to send it. */
export interface ClaimedDelivery {
  webhookId: string;
  eventId: number;
  /** 1-based number of this attempt. */
  attempt: number;
  url: string;
  secret: string;
  event: {
    id: number;
    type: string;
    occurredAt: string;
    tenantId: string | null;
    subject: { kind: string; id: string };
    data: unknown;
  };
}

export interface DeliveryRecord {
  webhookId: string;
  eventId: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

interface WebhookRow {
  id: string;
  tenant_id: string;
  all_tenants: boolean;
  url: string;
  types: string[] | null;
  secret: string;
  created_at: Date | string;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

function toWebhook(r: WebhookRow): Webhook {
  return { id: r.id, tenantId: r.tenant_id, allTenants: r.all_tenants, url: r.url, types: r.types, createdAt: iso(r.created_at) };
}

/**
 * Inserts an endpoint that will receive events committed after the newest one visible now. The
 * outbox's ordering guarantee (see events.ts) makes "after max(id)" exact.
 */
export async function insertWebhook(q: Queryable, w: NewWebhook): Promise<WebhookWithSecret> {
  const r = await q.query<WebhookRow>(
    `INSERT INTO webhooks (id, tenant_id, all_tenants, url, types, secret, from_event_id)
     SELECT $1, $2, $3, $4, $5::text[], $6, lp_latest_event_id()
     RETURNING *`,
    [w.id, w.tenantId, w.allTenants, w.url, w.types, w.secret],
  );
  const row = r.rows[0];
  return { ...toWebhook(row), secret: row.secret };
}

/** One page of webhooks ordered by id; tenantId undefined = every tenant's. */
export async function listWebhooks(q: Queryable, f: { tenantId?: string | undefined; after?: string | undefined; limit: number }): Promise<Webhook[]> {
  const r = await q.query<WebhookRow>(
    `SELECT * FROM webhooks WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2)
     ORDER BY id LIMIT $3`,
    [f.tenantId ?? null, f.after ?? null, f.limit],
  );
  return r.rows.map(toWebhook);
}

/** The webhook with this id, or null. */
export async function getWebhook(q: Queryable, id: string): Promise<Webhook | null> {
  const r = await q.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [id]);
  return r.rows[0] ? toWebhook(r.rows[0]) : null;
}

/** Deletes a webhook and its deliveries; false when it does not exist. */
export async function deleteWebhook(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount > 0;
}

/** The remembered response to an Idempotency-Key, or null. */
export async function getIdempotentResponse(q: Queryable, tenantId: string, key: string): Promise<{ requestHash: string; response: unknown } | null> {
  const r = await q.query<{ request_hash: string; response: unknown }>(
    'SELECT request_hash, response FROM webhook_idempotency WHERE tenant_id = $1 AND key = $2',
    [tenantId, key],
  );
  const row = r.rows[0];
  if (!row) return null;
  return { requestHash: row.request_hash, response: typeof row.response === 'string' ? JSON.parse(row.response) : row.response };
}

/** Remembers the response to an Idempotency-Key. */
export async function putIdempotentResponse(q: Queryable, tenantId: string, key: string, requestHash: string, response: unknown): Promise<void> {
  await q.query('INSERT INTO webhook_idempotency (tenant_id, key, request_hash, response) VALUES ($1, $2, $3, $4::jsonb)', [
    tenantId,
    key,
    requestHash,
    JSON.stringify(response),
  ]);
}

/** Forgets Idempotency-Keys older than the cutoff (they are kept at least 24 h). */
export async function pruneIdempotency(q: Queryable, olderThan: Date): Promise<number> {
  return (await q.query('DELETE FROM webhook_idempotency WHERE created_at < $1', [olderThan])).rowCount;
}

/**
 * Fans events after the dispatch cursor out to matching webhooks as pending deliveries and advances
 * the cursor, at most `batch` events per call. The cursor row is locked, so concurrent workers
 * (several processes on one server) never double-insert; a worker that finds it locked does nothing
 * (`busy`) rather than queue behind the holder: every replica's worker wakes on each event it writes,
 * and queued fan-outs held a connection and a transaction each only to find the holder had done the
 * work (bench/cluster.ts). An event the holder did not see yet is fanned out by the next round of any
 * worker, within its poll interval.
 */
export async function dispatchEvents(q: Queryable, now: Date, batch: number): Promise<{ events: number; deliveries: number; busy?: boolean }> {
  // Events committed but still in the outbox are published by the caller first (publishEvents), outside
  // this transaction, so the publish lock is not held while the fan-out runs.
  const cur = await q.query<{ last_event_id: string | number }>('SELECT last_event_id FROM webhook_dispatch FOR UPDATE SKIP LOCKED');
  if (cur.rows.length === 0) return { events: 0, deliveries: 0, busy: true };
  const last = Number(cur.rows[0].last_event_id);
  const top = await q.query<{ upto: string | number | null; n: string | number }>(
    'SELECT max(id) AS upto, count(*) AS n FROM (SELECT id FROM events WHERE id > $1 ORDER BY id LIMIT $2) e',
    [last, batch],
  );
  const upto = top.rows[0]?.upto === null || top.rows[0]?.upto === undefined ? null : Number(top.rows[0].upto);
  if (upto === null) return { events: 0, deliveries: 0 };
  const ins = await q.query(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at)
     SELECT w.id, e.id, $3 FROM events e
     JOIN webhooks w ON e.id > w.from_event_id
       AND (w.all_tenants OR w.tenant_id = e.tenant_id)
       AND (w.types IS NULL OR e.type = ANY(w.types))
     WHERE e.id > $1 AND e.id <= $2
     ON CONFLICT DO NOTHING`,
    [last, upto, now],
  );
  await q.query('UPDATE webhook_dispatch SET last_event_id = $1', [upto]);
  return { events: Number(top.rows[0].n), deliveries: ins.rowCount };
}

interface ClaimRow {
  webhook_id: string;
  event_id: string | number;
  attempts: number;
  url: string;
  secret: string;
  type: string;
  occurred_at: Date | string;
  tenant_id: string | null;
  subject_kind: string;
  subject_id: string;
  data: unknown;
}

/**
 * Claims up to `limit` due deliveries: counts the attempt and pushes next_attempt_at out by the lease,
 * so no other worker takes them while this one sends. SKIP LOCKED lets workers share the queue.
 */
export async function claimDueDeliveries(q: Queryable, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const r = await q.query<ClaimRow>(
    `WITH due AS (
       SELECT webhook_id, event_id FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at, event_id LIMIT $3
       FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2
       FROM due WHERE d.webhook_id = due.webhook_id AND d.event_id = due.event_id
       RETURNING d.webhook_id, d.event_id, d.attempts
     )
     SELECT c.webhook_id, c.event_id, c.attempts, w.url, w.secret,
            e.type, e.occurred_at, e.tenant_id, e.subject_kind, e.subject_id, e.data
     FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN events e ON e.id = c.event_id
     ORDER BY c.event_id`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return r.rows.map((x) => ({
    webhookId: x.webhook_id,
    eventId: Number(x.event_id),
    attempt: x.attempts,
    url: x.url,
    secret: x.secret,
    event: {
      id: Number(x.event_id),
      type: x.type,
      occurredAt: iso(x.occurred_at),
      tenantId: x.tenant_id,
      subject: { kind: x.subject_kind, id: x.subject_id },
      data: typeof x.data === 'string' ? JSON.parse(x.data) : x.data,
    },
  }));
}

/** Records the outcome of an attempt: delivered, failed for good, or pending again at nextAttemptAt. */
export async function recordAttempt(
  q: Queryable,
  d: { webhookId: string; eventId: number },
  outcome: { status: DeliveryStatus; statusCode: number | null; error: string | null; at: Date; nextAttemptAt: Date | null },
): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET status = $3, last_status_code = $4, last_error = $5,
       delivered_at = CASE WHEN $3 = 'delivered' THEN $6::timestamptz ELSE delivered_at END,
       next_attempt_at = COALESCE($7::timestamptz, next_attempt_at)
     WHERE webhook_id = $1 AND event_id = $2`,
    [d.webhookId, d.eventId, outcome.status, outcome.statusCode, outcome.error, outcome.at, outcome.nextAttemptAt],
  );
}

interface DeliveryRow {
  webhook_id: string;
  event_id: string | number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
}

/** Deliveries of one webhook, newest event first. */
export async function listDeliveries(q: Queryable, webhookId: string, limit: number): Promise<DeliveryRecord[]> {
  const r = await q.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY event_id DESC LIMIT $2', [webhookId, limit]);
  return r.rows.map((x) => ({
    webhookId: x.webhook_id,
    eventId: Number(x.event_id),
    status: x.status,
    attempts: x.attempts,
    nextAttemptAt: iso(x.next_attempt_at),
    lastStatusCode: x.last_status_code,
    lastError: x.last_error,
    deliveredAt: x.delivered_at === null ? null : iso(x.delivered_at),
  }));
}

/** Removes finished (delivered or failed) deliveries older than the cutoff. */
export async function pruneDeliveries(q: Queryable, olderThan: Date): Promise<number> {
  return (await q.query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1", [olderThan])).rowCount;
}
