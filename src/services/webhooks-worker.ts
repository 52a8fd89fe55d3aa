/**
 * The webhook delivery worker: fans new events out to matching endpoints, then sends due deliveries
 * as signed JSON POSTs. A 2xx is delivered; anything else (status, timeout, refused connection,
 * redirect) is retried on the backoff schedule until the attempts run out. All state is in the
 * database, so a restarted worker (or several processes on one server) carries on where it stopped.
 * Delivery is at-least-once and not ordered across retries: receivers dedupe on Lightpath-Event-Id.
 */
import { eventAppended, publishEvents } from '../store/events.js';
import { roundByUnit } from '../domain/units.js';
import type { Db } from '../store/db.js';
import * as store from '../store/webhooks.js';
import {
  DEFAULT_RETRY_POLICY,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  retryDelayMs,
  SIGNATURE_HEADER,
  signatureHeader,
  type RetryPolicy,
} from './webhooks-delivery.js';

export interface WebhookWorkerOptions {
  retry?: RetryPolicy;
  /** How long a claimed delivery is reserved for one send (must exceed timeoutMs). */
  leaseMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Idle wait between rounds when nothing is due. */
  pollMs?: number;
  /** Deliveries sent per round, concurrently. */
  concurrency?: number;
  now?: () => number;
  random?: () => number;
  /** Injected for tests; global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface RoundResult {
  dispatched: number;
  attempted: number;
  delivered: number;
  retrying: number;
  failed: number;
}

/** Delivers events to webhooks in the background (start/stop) or one round at a time (runOnce). */
export class WebhookWorker {
  private readonly retry: RetryPolicy;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchFn: typeof fetch;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly onAppended = (): void => this.wake?.();
  private readonly inflight = new Set<AbortController>();

  constructor(
    readonly db: Db,
    opts: WebhookWorkerOptions = {},
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.leaseMs = opts.leaseMs ?? this.timeoutMs + 30_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.concurrency = opts.concurrency ?? 8;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** One round: fan out new events, then send every delivery that is due now. */
  async runOnce(): Promise<RoundResult> {
    const res: RoundResult = { dispatched: 0, attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    // Committed events still in the outbox get their ids first (outside the fan-out's transaction).
    await publishEvents(this.db);
    for (;;) {
      const d = await this.db.transaction((tx) => store.dispatchEvents(tx, new Date(this.now()), 1000));
      res.dispatched += d.deliveries;
      if (d.events < 1000) break;
    }
    for (;;) {
      const claimed = await store.claimDueDeliveries(this.db, new Date(this.now()), this.leaseMs, this.concurrency);
      if (claimed.length === 0) break;
      const outcomes = await Promise.all(claimed.map((c) => this.send(c)));
      for (const o of outcomes) {
        res.attempted++;
        res[o]++;
      }
      if (this.stopping) break;
    }
    return res;
  }

  /** Runs rounds until stop(); wakes early when this process appends an event. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    eventAppended.on('appended', this.onAppended);
    this.running = (async () => {
      while (!this.stopping) {
        try {
          await this.runOnce();
        } catch {
          // a failed round (store busy or closing) is retried after the idle wait
        }
        if (this.stopping) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, this.pollMs);
          function done(): void {
            clearTimeout(t);
            resolve();
          }
          this.wake = done;
        });
        this.wake = undefined;
      }
    })();
  }

  /** Stops after the current round; sends in flight are aborted and retried by the next worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    eventAppended.off('appended', this.onAppended);
    for (const c of this.inflight) c.abort();
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async send(c: store.ClaimedDelivery): Promise<'delivered' | 'retrying' | 'failed'> {
    // Payloads read like the API's: quantities rounded by unit (src/domain/units.ts).
    const body = JSON.stringify(roundByUnit(c.event));
    const nowMs = this.now();
    const ctl = new AbortController();
    this.inflight.add(ctl);
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const r = await this.fetchFn(c.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lightpath-Webhooks/1',
          [SIGNATURE_HEADER]: signatureHeader(c.secret, body, Math.floor(nowMs / 1000)),
          [EVENT_ID_HEADER]: String(c.eventId),
          [EVENT_TYPE_HEADER]: c.event.type,
        },
        body,
        // a redirect could point anywhere; receivers must answer at the registered URL
        redirect: 'manual',
        signal: ctl.signal,
      });
      statusCode = r.status;
      // drain so the connection can be reused; the content is not used
      await r.arrayBuffer().catch(() => undefined);
      if (r.status < 200 || r.status > 299) error = `HTTP ${r.status}`;
    } catch (err) {
      error = ctl.signal.aborted ? 'timed out or aborted' : describe(err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ctl);
    }
    const at = new Date(this.now());
    if (error === null) {
      await store.recordAttempt(this.db, c, { status: 'delivered', statusCode, error: null, at, nextAttemptAt: null });
      return 'delivered';
    }
    const delay = retryDelayMs(c.attempt, this.retry, this.random);
    if (delay === null) {
      await store.recordAttempt(this.db, c, { status: 'failed', statusCode, error, at, nextAttemptAt: null });
      return 'failed';
    }
    await store.recordAttempt(this.db, c, { status: 'pending', statusCode, error, at, nextAttemptAt: new Date(at.getTime() + delay) });
    return 'retrying';
  }
}

function describe(err: unknown): string {
  // fetch wraps the socket error in `cause`; its code (ECONNREFUSED...) is what an operator needs
  const cause = err && typeof err === 'object' && 'cause' in err ? (err as { cause: unknown }).cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  const msg = err instanceof Error ? err.message : String(err);
  return (code ? `${code}: ${msg}` : msg).slice(0, 500);
}
