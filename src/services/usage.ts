/**
 * Usage records: one row per service per started UTC hour while it was active. A roll-up job closes
 * finished hours from service activity; reading is tenant-scoped (a customer sees its own services).
 *
 * Activity comes from a ServiceActivitySource. The default one reads the service lifecycle events in
 * the outbox (`service.activated` opens an interval, `service.modified` closes it and opens one at the
 * new bandwidth, `service.disconnected` (or `.terminated`) closes it), taking bandwidthGbps / product from the event data
 * and falling back to the services table, so usage follows exactly what was committed.
 */
import { validationFailed } from '../domain/errors.js';
import type { Db, Queryable } from '../store/db.js';
import * as store from '../store/usage.js';
import type { Viewer } from './events.js';
import { HOUR_MS, floorHour, hourlyUsage, openHourUsage, type ServiceActivity } from './usage-hours.js';

export type { ServiceActivity } from './usage-hours.js';

/** An hourly record as read: a closed hour (`partial: false`), or the hour in progress counted so far. */
export interface UsageRecord extends store.UsageRecord {
  partial: boolean;
}

/** Where service activity intervals come from. */
export interface ServiceActivitySource {
  activity(q: Queryable): Promise<ServiceActivity[]>;
}

/** Event types that open, change and close a service's activity. */
export const LIFECYCLE = {
  start: ['service.activated'],
  change: ['service.modified'],
  end: ['service.disconnected', 'service.terminated', 'service.deleted', 'service.ended'],
} as const;

export interface UsagePage {
  items: UsageRecord[];
  nextCursor: string | null;
}

function field(data: unknown, key: string): unknown {
  return data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
}

function bandwidthOf(v: unknown): number | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return v > 0 ? v : null;
}

/**
 * Turns lifecycle events (in commit order) into activity intervals. Pure, so the rules are tested
 * without a database; `facts` supplies product/bandwidth when an event does not carry them.
 */
export function activityFromLifecycle(
  events: readonly store.LifecycleEvent[],
  facts: ReadonlyMap<string, { product: string; bandwidthGbps: number | null }>,
): ServiceActivity[] {
  const open = new Map<string, ServiceActivity>();
  const out: ServiceActivity[] = [];
  const starts: readonly string[] = LIFECYCLE.start;
  const changes: readonly string[] = LIFECYCLE.change;
  const ends: readonly string[] = LIFECYCLE.end;
  for (const e of events) {
    const cur = open.get(e.serviceId);
    if (cur && (changes.includes(e.type) || ends.includes(e.type) || starts.includes(e.type))) {
      cur.toMs = Math.max(cur.fromMs, e.occurredAtMs);
      out.push(cur);
      open.delete(e.serviceId);
    }
    const reopen = starts.includes(e.type) || (changes.includes(e.type) && cur !== undefined);
    if (!reopen) continue;
    const fact = facts.get(e.serviceId);
    const bw = bandwidthOf(field(e.data, 'bandwidthGbps'));
    const product = field(e.data, 'product');
    const tenantId = e.tenantId ?? cur?.tenantId;
    if (tenantId === undefined || tenantId === null) continue;
    open.set(e.serviceId, {
      serviceId: e.serviceId,
      tenantId,
      product: typeof product === 'string' ? product : (cur?.product ?? fact?.product ?? 'unknown'),
      bandwidthGbps: bw !== undefined ? bw : (cur?.bandwidthGbps ?? fact?.bandwidthGbps ?? null),
      fromMs: e.occurredAtMs,
      toMs: null,
    });
  }
  out.push(...open.values());
  return out;
}

/** The default source: lifecycle events in the outbox plus the services table. */
export const lifecycleActivitySource: ServiceActivitySource = {
  async activity(q) {
    const events = await store.serviceLifecycleEvents(q, [...LIFECYCLE.start, ...LIFECYCLE.change, ...LIFECYCLE.end]);
    const facts = await store.serviceFacts(q, [...new Set(events.map((e) => e.serviceId))]);
    return activityFromLifecycle(events, facts);
  },
};

/**
 * Writes the hourly records of the given activity (all of each service's intervals in those hours)
 * for hours ended by closeBefore. Idempotent: the same activity gives the same rows. Returns rows changed.
 */
export async function recordUsage(q: Queryable, activity: ServiceActivity | readonly ServiceActivity[], closeBefore: Date): Promise<number> {
  const list = Array.isArray(activity) ? (activity as readonly ServiceActivity[]) : [activity as ServiceActivity];
  return store.upsertUsage(q, hourlyUsage(list, closeBefore.getTime()));
}

function encodeCursor(r: UsageRecord): string {
  return Buffer.from(JSON.stringify({ h: Date.parse(r.hour), s: r.serviceId }), 'utf8').toString('base64url');
}

function decodeCursor(c: string): { hourMs: number; serviceId: string } {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { h?: unknown; s?: unknown };
    if (typeof v.h === 'number' && Number.isSafeInteger(v.h) && typeof v.s === 'string') return { hourMs: v.h, serviceId: v.s };
  } catch {
    // fall through to the error below
  }
  throw validationFailed('invalid cursor', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
}

function parseTime(raw: string | undefined, path: string): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  // ISO-8601 with a zone only: a zoneless time would silently mean the server's zone
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw validationFailed('invalid time', [{ path, message: 'must be an ISO-8601 UTC time such as 2026-11-21T08:00:00Z' }]);
  }
  return new Date(raw);
}

/** Usage use cases: read records, close hours. */
export class UsageService {
  constructor(
    readonly db: Db,
    private readonly source: ServiceActivitySource = lifecycleActivitySource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Usage records visible to the viewer, by hour then service, optionally for one service and a time range. */
  async list(
    viewer: Viewer,
    req: { serviceId?: string | undefined; from?: string | undefined; to?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<UsagePage> {
    const limit = req.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw validationFailed('invalid limit', [{ path: '/limit', message: 'must be an integer in [1, 1000]' }]);
    }
    const from = parseTime(req.from, '/from');
    const to = parseTime(req.to, '/to');
    if (from && to && to.getTime() < from.getTime()) throw validationFailed('invalid range', [{ path: '/to', message: 'must not be before from' }]);
    const nowMs = this.now();
    const openHour = floorHour(nowMs);
    const after = req.cursor ? decodeCursor(req.cursor) : undefined;
    const tenantId = viewer.role === 'operator' ? undefined : viewer.tenantId;
    // Closed hours come from the roll-up; the hour in progress is counted now and marked partial.
    const closedTo = to && to.getTime() < openHour ? to : new Date(openHour);
    const rows: UsageRecord[] = (
      await store.listUsage(this.db, { tenantId, serviceId: req.serviceId, from, to: closedTo, after, limit: limit + 1 })
    ).map((r) => ({ ...r, partial: false }));
    const wantsOpenHour = (!from || from.getTime() <= openHour) && (!to || to.getTime() > openHour) && (!after || after.hourMs <= openHour);
    if (rows.length <= limit && wantsOpenHour) {
      const open = openHourUsage(await this.source.activity(this.db), nowMs)
        .filter((u) => (tenantId === undefined || u.tenantId === tenantId) && (req.serviceId === undefined || u.serviceId === req.serviceId))
        .filter((u) => !after || u.hourMs > after.hourMs || (u.hourMs === after.hourMs && u.serviceId > after.serviceId))
        .sort((a, b) => (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0));
      for (const u of open) {
        if (rows.length > limit) break;
        rows.push({ serviceId: u.serviceId, tenantId: u.tenantId, product: u.product, hour: new Date(u.hourMs).toISOString(), bandwidthGbps: u.bandwidthGbps, activeSeconds: u.activeSeconds, partial: true });
      }
    }
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
  }

  /**
   * Closes every hour that has ended (before the current hour): recomputes those hours from the activity
   * source and upserts them. Safe to run any number of times and from several processes.
   */
  async closeHours(closeBefore: Date = new Date(floorHour(this.now()))): Promise<{ rowsChanged: number; closedThrough: string }> {
    const rowsChanged = await this.db.transaction(async (tx) => recordUsage(tx, await this.source.activity(tx), closeBefore));
    return { rowsChanged, closedThrough: new Date(floorHour(closeBefore.getTime())).toISOString() };
  }

  /**
   * Runs closeHours now and shortly after every hour boundary until the returned stop function is
   * called; stop resolves once a roll-up in progress has finished.
   */
  startHourly(onError: (err: unknown) => void = () => {}): () => Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let inFlight: Promise<void> = Promise.resolve();
    const run = (): void => {
      inFlight = this.closeHours()
        .then(() => undefined, onError)
        .finally(schedule);
    };
    const schedule = (): void => {
      if (stopped) return;
      const wait = floorHour(this.now()) + HOUR_MS + 5_000 - this.now();
      timer = setTimeout(run, wait);
      timer.unref?.();
    };
    run();
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    };
  }
}
