/**
 * Asynchronous activation: a worker claims acknowledged orders (SKIP LOCKED, so several processes can
 * share the queue), calls the southbound driver, and records the outcome. A failed activation releases
 * what the order held; a completed one makes the service active (or, for a modify, releases the old
 * design: make-before-break; for a delete, releases everything).
 */
import type { Db, Queryable } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import * as st from '../../store/ordering.js';
import type { CircuitDesign } from './design.js';
import { releaseOrder, toOrder, toService, trunksOf, type OrderPayload } from './orders.js';

/** What the network has to do for one order. */
export interface ActivationRequest {
  orderId: string;
  action: 'add' | 'modify' | 'delete';
  serviceId: string;
  product: string;
  /** The design to install (add/modify) or remove (delete). */
  design: CircuitDesign;
}

/** The southbound interface: configures the network; resolves when done, rejects on failure. */
export interface SouthboundDriver {
  apply(req: ActivationRequest): Promise<void>;
}

/** Emulator settings: how long activation takes and how often it fails. */
export interface EmulatorOptions {
  delayMs?: number;
  /** Probability in [0, 1] that an activation fails. */
  failureRate?: number;
  /** Random source in [0, 1) (tests pass a seeded one). */
  random?: () => number;
}

/** A driver that pretends to configure the network, with a delay and a failure rate. */
export class EmulatorDriver implements SouthboundDriver {
  private forcedFailures = 0;
  readonly applied: ActivationRequest[] = [];
  readonly delayMs: number;
  readonly failureRate: number;
  private readonly random: () => number;

  constructor(opts: EmulatorOptions = {}) {
    this.delayMs = opts.delayMs ?? 0;
    this.failureRate = opts.failureRate ?? 0;
    if (!(this.delayMs >= 0 && this.failureRate >= 0 && this.failureRate <= 1)) throw new RangeError('delayMs must be >= 0 and failureRate in [0, 1]');
    this.random = opts.random ?? Math.random;
  }

  /** Makes the next n activations fail whatever the failure rate. */
  failNext(n = 1): void {
    this.forcedFailures += n;
  }

  /** Emulated configuration. */
  async apply(req: ActivationRequest): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.forcedFailures > 0) {
      this.forcedFailures--;
      throw new Error('emulated activation failure (forced)');
    }
    if (this.random() < this.failureRate) throw new Error('emulated activation failure');
    this.applied.push(req);
  }
}

/** Reads emulator settings from the environment (LIGHTPATH_EMULATOR_DELAY_MS, LIGHTPATH_EMULATOR_FAILURE_RATE). */
export function emulatorOptionsFromEnv(env: Record<string, string | undefined> = process.env): EmulatorOptions {
  const delay = Number(env.LIGHTPATH_EMULATOR_DELAY_MS ?? 0);
  const rate = Number(env.LIGHTPATH_EMULATOR_FAILURE_RATE ?? 0);
  return { delayMs: Number.isFinite(delay) && delay >= 0 ? delay : 0, failureRate: Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0 };
}

/** Worker settings. */
export interface WorkerOptions {
  /** Idle poll interval (default 200 ms). */
  pollMs?: number;
  /** Orders activated at once (default 4). */
  concurrency?: number;
  /** Called when recording an outcome fails unexpectedly (default: ignore; the order stays claimed). */
  onError?: (err: unknown) => void;
}

/** The in-process activation loop. */
export class ActivationWorker {
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly db: Db,
    private readonly driver: SouthboundDriver,
    opts: WorkerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 200;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.onError = opts.onError ?? (() => {});
  }

  /** Activates every order acknowledged so far (and any arriving meanwhile); returns how many it handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    const lane = async () => {
      for (;;) {
        const order = await this.claim();
        if (!order) return;
        await this.process(order);
        handled++;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, lane));
    return handled;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.runOnce();
        } catch (err) {
          this.onError(err);
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.pollMs);
        });
      }
    })();
  }

  /** Asks the loop to look now (after an order was placed). */
  poke(): void {
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  /** Stops the loop and waits for in-flight activations to be recorded. */
  async close(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    this.loop = null;
  }

  private async claim(): Promise<st.OrderRow | null> {
    return this.db.transaction(async (tx) => {
      const row = await st.claimNextOrder(tx);
      if (row) await appendEvent(tx, { type: 'order.in-progress', tenantId: row.tenantId, subject: { kind: 'order', id: row.id }, data: toOrder(row) });
      return row;
    });
  }

  private async process(order: st.OrderRow): Promise<void> {
    const svc = await st.getService(this.db, order.serviceId, undefined);
    const payload = order.design as OrderPayload | null;
    const design = order.action === 'delete' ? ((svc?.design as CircuitDesign | undefined) ?? { paths: [] }) : (payload as OrderPayload).design;
    let failure: string | null = null;
    try {
      await this.driver.apply({ orderId: order.id, action: order.action as ActivationRequest['action'], serviceId: order.serviceId, product: svc?.product ?? '', design });
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    try {
      await this.db.transaction((tx) => (failure === null ? complete(tx, order) : fail(tx, order, failure)));
    } catch (err) {
      this.onError(err);
    }
  }
}

async function complete(tx: Queryable, order: st.OrderRow): Promise<void> {
  const svc = (await st.getService(tx, order.serviceId, undefined, true)) as st.ServiceRow;
  const payload = order.design as OrderPayload | null;
  const events: { type: string; kind: string; id: string; data: unknown }[] = [];
  if (order.action === 'add' && payload) {
    await st.updateService(tx, svc.id, { state: 'active' });
    events.push({ type: 'service.activated', kind: 'service', id: svc.id, data: null });
  } else if (order.action === 'modify' && payload) {
    // Make-before-break: the new design is live, so the old one's resources go now.
    await st.releaseAllocations(tx, { serviceId: svc.id, exceptOrderId: order.id });
    const kept = new Set(trunksOf(payload.design));
    await st.retireTrunksIfIdle(tx, trunksOf(svc.design as CircuitDesign).filter((t) => !kept.has(t)));
    await st.updateService(tx, svc.id, { spec: order.spec, design: payload.design, price: payload.pricing });
    events.push({ type: 'service.modified', kind: 'service', id: svc.id, data: null });
  } else if (order.action === 'delete') {
    await st.releaseAllocations(tx, { serviceId: svc.id });
    await st.retireTrunksIfIdle(tx, trunksOf(svc.design as CircuitDesign));
    await st.updateService(tx, svc.id, { state: 'terminated' });
    events.push({ type: 'service.disconnected', kind: 'service', id: svc.id, data: null });
  }
  await st.setOrderState(tx, order.id, ['inProgress'], 'completed');
  const done = toOrder((await st.getOrder(tx, order.id, undefined)) as st.OrderRow);
  const service = toService((await st.getService(tx, svc.id, undefined)) as st.ServiceRow);
  // Events last: appendEvent serializes event writers until commit.
  await appendEvent(tx, { type: 'order.completed', tenantId: order.tenantId, subject: { kind: 'order', id: order.id }, data: done });
  for (const e of events) await appendEvent(tx, { type: e.type, tenantId: order.tenantId, subject: { kind: e.kind, id: e.id }, data: service });
}

async function fail(tx: Queryable, order: st.OrderRow, reason: string): Promise<void> {
  await st.getService(tx, order.serviceId, undefined, true);
  if (order.action !== 'delete') await releaseOrder(tx, order);
  await st.setOrderState(tx, order.id, ['inProgress'], 'failed', `activation failed: ${reason}`);
  const failed = toOrder((await st.getOrder(tx, order.id, undefined)) as st.OrderRow);
  await appendEvent(tx, { type: 'order.failed', tenantId: order.tenantId, subject: { kind: 'order', id: order.id }, data: failed });
}
