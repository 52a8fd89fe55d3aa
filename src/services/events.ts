/**
 * Reading the event outbox: paged lists and live follows for streams (SSE). Tenancy is applied here:
 * a customer sees only its own tenant's events, an operator sees all (system events included).
 *
 * A follower waits on a change counter that moves when an event may have arrived: immediately when
 * this process appends one (eventAppended), and by polling the latest id (which publishes committed
 * outbox events first, see store/events.ts) because another process may write.
 * The counter is read before each query, so a change between query and wait is never missed.
 */
import { EventEmitter } from 'node:events';
import { validationFailed } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import { eventAppended, latestEventId, listEvents, type LightpathEvent } from '../store/events.js';

/** Who is asking: the part of the API principal that decides visibility. */
export interface Viewer {
  tenantId: string;
  role: 'operator' | 'customer';
}

export interface EventPage {
  items: LightpathEvent[];
  nextCursor: string | null;
}

export interface EventQuery {
  /** Resume after this id (Last-Event-ID / ?after=); 0 = from the beginning. */
  after?: number | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  types?: readonly string[] | undefined;
}

export interface EventsServiceOptions {
  /** How often to look for events written by other processes while anyone follows. */
  pollMs?: number;
  /** Rows fetched per query while a follower catches up. */
  batch?: number;
}

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;
// Dotted segments; camelCase where a segment names a state (order.inProgress).
const TYPE_RE = /^[a-z][A-Za-z0-9_-]*(\.[a-z][A-Za-z0-9_-]*)+$/;

/** Event types renamed (migration 009: types name the state they report), old name → new. */
const RENAMED_TYPES: Readonly<Record<string, string>> = { 'order.in-progress': 'order.inProgress' };

/** Tenant filter for a viewer: undefined (all) for operators. */
export function tenantScope(v: Viewer): string | undefined {
  return v.role === 'operator' ? undefined : v.tenantId;
}

/** Parses `order.completed,service.activated` (or an array of such) into a checked list. */
export function parseTypes(raw: string | readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = (typeof raw === 'string' ? [raw] : raw).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((t) => !TYPE_RE.test(t) || t.length > 128);
  if (bad.length > 0) throw validationFailed('invalid event types', bad.map((t) => ({ path: '/types', message: `not an event type: ${JSON.stringify(t)}` })));
  // A filter or subscription on a retired name would match nothing, silently.
  const retired = list.filter((t) => Object.hasOwn(RENAMED_TYPES, t));
  if (retired.length > 0) throw validationFailed('retired event types', retired.map((t) => ({ path: '/types', message: `${JSON.stringify(t)} was renamed ${JSON.stringify(RENAMED_TYPES[t])}` })));
  if (list.length > 50) throw validationFailed('too many event types', [{ path: '/types', message: 'at most 50' }]);
  return list.length > 0 ? [...new Set(list)] : undefined;
}

/** Parses a Last-Event-ID / after value: a non-negative integer id. */
export function parseEventId(raw: string | number | undefined, path: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw validationFailed('invalid event id', [{ path, message: 'must be a non-negative integer event id' }]);
  return n;
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ after: id }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'number' && Number.isSafeInteger(v.after) && v.after >= 0) return v.after;
  } catch {
    // fall through to the error below
  }
  throw validationFailed('invalid cursor', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
}

/** Event lists and live follows over the outbox. */
export class EventsService {
  private readonly changes = new EventEmitter();
  private version = 0;
  private knownLatest = -1;
  private followers = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly onAppended = (): void => this.bump(true);
  /** An in-process append not yet seen committed (its writer may still be running). */
  private pending = false;
  private recheckMs = 0;

  constructor(
    readonly db: Db,
    opts: EventsServiceOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.batch = opts.batch ?? 500;
    this.changes.setMaxListeners(0);
    eventAppended.on('appended', this.onAppended);
  }

  /** A page of visible events after a cursor or id, oldest first. */
  async list(viewer: Viewer, q: EventQuery = {}): Promise<EventPage> {
    const limit = q.limit ?? DEFAULT_EVENT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_LIMIT) {
      throw validationFailed('invalid limit', [{ path: '/limit', message: `must be an integer in [1, ${MAX_EVENT_LIMIT}]` }]);
    }
    const after = q.cursor ? decodeCursor(q.cursor) : (q.after ?? 0);
    const rows = await listEvents(this.db, { after, limit: limit + 1, tenantId: tenantScope(viewer), types: q.types });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
  }

  /**
   * Every visible event after `after`, in id order, first the backlog and then live ones, until the
   * signal aborts or the service closes.
   */
  async *follow(viewer: Viewer, q: { after?: number | undefined; types?: readonly string[] | undefined }, signal: AbortSignal): AsyncGenerator<LightpathEvent> {
    let cursor = q.after ?? 0;
    this.followers++;
    this.schedulePoll();
    try {
      while (!signal.aborted && !this.closed) {
        const seen = this.version;
        const rows = await listEvents(this.db, { after: cursor, limit: this.batch, tenantId: tenantScope(viewer), types: q.types });
        for (const e of rows) {
          if (signal.aborted || this.closed) return;
          cursor = e.id;
          yield e;
        }
        if (rows.length === this.batch) continue;
        await this.changedSince(seen, signal);
      }
    } finally {
      this.followers--;
    }
  }

  /** Wakes followers now (e.g. after a commit that appended events). */
  notify(): void {
    this.bump(false);
  }

  /** Ends every follow and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    eventAppended.off('appended', this.onAppended);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.bump();
  }

  private bump(appended = false): void {
    this.version++;
    this.changes.emit('change');
    // An in-process append signals before its commit: look again soon, backing off (2, 4, 8 ... ms)
    // until something new is visible or the regular poll interval is reached.
    if (appended) this.pending = true;
    if (!this.closed && this.followers > 0) {
      this.recheckMs = 2;
      this.schedulePoll(this.recheckMs);
    }
  }

  private changedSince(seen: number, signal: AbortSignal): Promise<void> {
    if (this.version !== seen || signal.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.changes.off('change', onChange);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const onChange = (): void => {
        if (this.version !== seen) done();
      };
      this.changes.on('change', onChange);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private schedulePoll(delayMs = this.pollMs): void {
    if (this.closed) return;
    if (this.timer) {
      if (delayMs >= this.pollMs) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.poll(), delayMs);
    // a poll timer alone must not keep a process (a CLI command, a test) alive
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.closed || this.followers === 0) return;
    try {
      const latest = await latestEventId(this.db);
      if (latest !== this.knownLatest) {
        this.knownLatest = latest;
        this.pending = false;
        this.version++;
        this.changes.emit('change');
      }
    } catch {
      // The store may be closing or briefly unavailable; the next poll tries again.
    }
    if (this.pending && this.recheckMs > 0 && this.recheckMs < this.pollMs) {
      // still waiting for an appended event to commit (or it rolled back: then this runs out)
      this.recheckMs *= 2;
      this.schedulePoll(this.recheckMs);
    } else {
      // Seen, or rolled back (nothing appeared by the poll interval): back to the regular poll.
      this.pending = false;
      this.recheckMs = 0;
      this.schedulePoll();
    }
  }
}
