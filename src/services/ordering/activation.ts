/**
 * Asynchronous activation as leased jobs (services/jobs.ts): every order that needs the network
 * configured has an `order.activate` job, written in the same statement or transaction as the order.
 * A worker leases it, moves the order to inProgress, calls the southbound driver with the order id as
 * the device transaction id (so repeating a call after a crash converges instead of configuring twice),
 * and records the outcome in one transaction with the job's deletion, fenced by the lease. A worker
 * that dies leaves the job leased until the lease expires; then any worker takes it up again and
 * repeats the idempotent call. So after any crash every order reaches completed or failed: a failed
 * activation releases what the order held; a completed one makes the service active (or, for a modify,
 * releases the old design: make-before-break; for a delete, releases everything). Due activations are
 * leased up to 64 at a time and run as one batch (activate-many.ts: starts and plain completions share
 * their transactions). Services disconnected wholesale (a network replace) get a `service.teardown`
 * job that removes their configuration.
 */
import type { Db, Queryable } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import * as st from '../../store/ordering.js';
import { JobWorker, type JobContext, type JobHandler, type JobRow, type JobWorkerOptions } from '../jobs.js';
import type { CircuitDesign } from './design.js';
import type { NetworkView } from './network-view.js';
import { releaseOrder, trunksOf, expireHold } from './changes.js';
import { toOrder, toService, type OrderPayload } from './model.js';
import { ACTIVATE_ORDER, END_SERVICE, EXPIRE_HOLD, RECONFIGURE_SERVICE, RESTORATION_JOB, TEARDOWN_SERVICE } from '../../store/job-kinds.js';
import * as jobsStore from '../../store/jobs.js';
import { closeOutages } from '../../store/failures.js';
import { audit, type AuditEntry } from '../audit.js';
import { SYSTEM_PRINCIPAL } from './principal.js';
import { activateMany } from './activate-many.js';

export { ACTIVATE_ORDER, RECONFIGURE_SERVICE, TEARDOWN_SERVICE } from '../../store/job-kinds.js';

/** What the network has to do for one order. */
export interface ActivationRequest {
  orderId: string;
  action: 'add' | 'modify' | 'delete';
  serviceId: string;
  product: string;
  /** The design to install (add/modify) or remove (delete). */
  design: CircuitDesign;
}

/**
 * The southbound interface: configures the network; resolves when done, rejects on failure. `apply`
 * must be idempotent per `orderId` (the device transaction id): it may be called again for the same
 * order after a crash, and must then converge on the same configuration. Rejecting with
 * DriverUnavailableError means "could not reach the network, try again"; any other error fails the order.
 */
export interface SouthboundDriver {
  apply(req: ActivationRequest): Promise<void>;
  /**
   * Optional: brings one service's device configuration in line with the store (`service.reconfigure`
   * jobs: after restoration moved it, or after an activation gave up), calling `finish` in the
   * transaction that confirms the store still says what was configured. Drivers without device state
   * (the emulator) leave it out.
   */
  reconcile?(serviceId: string, finish: (tx: Queryable) => Promise<void>): Promise<void>;
  /**
   * Optional: reconcile for many services at once (a restoration's moves, done together so each device
   * is written once for all of them); one outcome per service, in order: undefined, or reconcile's error.
   */
  reconcileMany?(items: readonly { serviceId: string; finish: (tx: Queryable) => Promise<void> }[]): Promise<unknown[]>;
  /**
   * Optional: add/drop ports free per ROADM site (those not claimed and not needed by a booking not
   * configured yet). Given, orders, quotes and restoration plan waves only where ports are free;
   * drivers that do not know the devices' ports (the emulator) leave it out: ports are not limited.
   */
  addDropFree?(q: Queryable, view: NetworkView): Promise<Map<string, number>>;
}

/** The driver's port count as the planners take it (bound to the driver), or nothing when it has none. */
export function addDropOf(driver: SouthboundDriver | null | undefined): { addDropFree: (q: Queryable, view: NetworkView) => Promise<Map<string, number>> } | Record<string, never> {
  return driver?.addDropFree ? { addDropFree: driver.addDropFree.bind(driver) } : {};
}

/** The network could not be reached (retried with backoff), as opposed to refusing the configuration. */
export class DriverUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverUnavailableError';
  }
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
  private forcedUnavailable = 0;
  /** Configurations applied, once per transaction id (orderId), in order. */
  readonly applied: ActivationRequest[] = [];
  private readonly done = new Set<string>();
  /** How often apply was called (repeats after crashes included). */
  calls = 0;
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

  /** Makes the next n activations find the network unreachable (they are retried). */
  unavailableNext(n = 1): void {
    this.forcedUnavailable += n;
  }

  /** Emulated configuration; a transaction id already applied is a no-op (idempotent). */
  async apply(req: ActivationRequest): Promise<void> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.done.has(req.orderId)) return;
    if (this.forcedUnavailable > 0) {
      this.forcedUnavailable--;
      throw new DriverUnavailableError('emulated network unreachable (forced)');
    }
    if (this.forcedFailures > 0) {
      this.forcedFailures--;
      throw new Error('emulated activation failure (forced)');
    }
    if (this.random() < this.failureRate) throw new Error('emulated activation failure');
    this.done.add(req.orderId);
    this.applied.push(req);
  }
}

/** Reads emulator settings from the environment (LIGHTPATH_EMULATOR_DELAY_MS, LIGHTPATH_EMULATOR_FAILURE_RATE). */
export function emulatorOptionsFromEnv(env: Record<string, string | undefined> = process.env): EmulatorOptions {
  const delay = Number(env.LIGHTPATH_EMULATOR_DELAY_MS ?? 0);
  const rate = Number(env.LIGHTPATH_EMULATOR_FAILURE_RATE ?? 0);
  return { delayMs: Number.isFinite(delay) && delay >= 0 ? delay : 0, failureRate: Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0 };
}

/** Worker settings (see JobWorkerOptions). */
export type WorkerOptions = JobWorkerOptions;

/** Activation as job handlers: orders and wholesale teardowns. */
export function activationHandlers(db: Db, driver: SouthboundDriver): JobHandler[] {
  // The driver's call for one order: null when configured, the reason when the network refused it;
  // unreachable rejects (the job is retried later).
  const apply = async (order: st.OrderRow, svc: st.ServiceRow | undefined): Promise<string | null> => {
    const payload = order.design as OrderPayload | null;
    const design = order.action === 'delete' ? ((svc?.design as CircuitDesign | undefined) ?? { paths: [] }) : (payload as OrderPayload).design;
    try {
      await driver.apply({ orderId: order.id, action: order.action as ActivationRequest['action'], serviceId: order.serviceId, product: svc?.product ?? '', design });
      return null;
    } catch (err) {
      if (err instanceof DriverUnavailableError) throw err;
      return err instanceof Error ? err.message : String(err);
    }
  };
  const steps = { apply, settle: (orderId: string, ctx: JobContext, failure: string | null) => settle(db, orderId, ctx, failure) };
  const activate: JobHandler = {
    kind: ACTIVATE_ORDER,
    maxAttempts: 8,
    async run(job, ctx) {
      const [err] = await activateMany(db, [{ job, ctx }], steps);
      if (err !== undefined) throw err;
    },
    // Due activations are leased and run together (activate-many.ts): their bookkeeping is shared.
    runBatch: (items) => activateMany(db, items, steps),
    batchSize: 64,
    async giveUp(job, error, ctx) {
      await settle(db, job.subject, ctx, `the network could not be reached (${error})`);
      // Attempts that reached some devices may have left configuration there: have it removed.
      const order = await st.getOrder(db, job.subject, undefined);
      if (order && driver.reconcile) await jobsStore.enqueueJobs(db, [{ kind: RECONFIGURE_SERVICE, subject: order.serviceId }]);
    },
  };
  const teardown: JobHandler = {
    kind: TEARDOWN_SERVICE,
    maxAttempts: 20,
    async run(job, ctx) {
      const svc = await st.getService(db, job.subject, undefined);
      if (svc) await driver.apply({ orderId: `teardown:${svc.id}`, action: 'delete', serviceId: svc.id, product: svc.product, design: svc.design as CircuitDesign });
      await db.transaction((tx) => ctx.finish(tx));
    },
  };
  const reconfigure: JobHandler = {
    kind: RECONFIGURE_SERVICE,
    maxAttempts: 50,
    async run(job, ctx) {
      if (driver.reconcile) await driver.reconcile(job.subject, (tx) => ctx.finish(tx));
      else await db.transaction((tx) => ctx.finish(tx));
    },
    ...(driver.reconcileMany && {
      runBatch: (items) => driver.reconcileMany!(items.map(({ job, ctx }) => ({ serviceId: job.subject, finish: (tx: Queryable) => ctx.finish(tx) }))),
      // A restoration's moves in one batch: each device is written once per step for all of them.
      batchSize: 2048,
    }),
  };
  const expiry: JobHandler = {
    kind: EXPIRE_HOLD,
    maxAttempts: 1_000,
    async run(job, ctx) {
      await db.transaction(async (tx) => {
        await ctx.finish(tx);
        await expireHold(tx, job.subject);
      });
    },
  };
  const end: JobHandler = {
    kind: END_SERVICE,
    maxAttempts: 1_000,
    async run(job, ctx) {
      const svc = await st.getService(db, job.subject, undefined);
      if (svc && (svc.state === 'active' || svc.state === 'down')) {
        // Deconfigure first (idempotent per transaction id); unreachable devices: retried.
        await driver.apply({ orderId: `end:${svc.id}`, action: 'delete', serviceId: svc.id, product: svc.product, design: svc.design as CircuitDesign });
      }
      await db.transaction(async (tx) => {
        await ctx.finish(tx);
        await endService(tx, job.subject);
      });
    },
  };
  return [activate, teardown, reconfigure, expiry, end];
}

/**
 * A booking's window is over: an active (or down) service is released and marked ended; one whose
 * window passed before it was activated is cancelled (its order fails with the reason). A job that finds
 * the end moved later (the booking was extended) is rescheduled instead.
 */
async function endService(tx: Queryable, serviceId: string): Promise<void> {
  const svc = await st.getService(tx, serviceId, undefined, true);
  if (!svc) return;
  const now = Date.parse(String((await tx.query<{ t: unknown }>('SELECT now() AS t')).rows[0].t));
  if (svc.endsAt === null || Date.parse(svc.endsAt) > now + 1000) {
    if (svc.endsAt !== null) await jobsStore.enqueueJobs(tx, [{ kind: END_SERVICE, subject: serviceId, runAt: svc.endsAt }]);
    return;
  }
  if (svc.state === 'active' || svc.state === 'down') {
    await st.releaseAllocations(tx, { serviceId });
    await st.retireTrunksIfIdle(tx, trunksOf(svc.design as CircuitDesign));
    await st.updateService(tx, serviceId, { state: 'ended' });
    await closeOutages(tx, [serviceId]);
    const service = toService((await st.getService(tx, serviceId, undefined)) as st.ServiceRow);
    await byTheSystem(tx, { action: 'service.end', subject: { kind: 'service', id: serviceId }, tenantId: svc.tenantId, before: { state: svc.state }, after: { state: 'ended', endsAt: svc.endsAt } });
    await appendEvent(tx, { type: 'service.ended', tenantId: svc.tenantId, subject: { kind: 'service', id: serviceId }, data: service });
    return;
  }
  if (svc.state === 'held' || svc.state === 'scheduled' || svc.state === 'reserved') {
    const add = await tx.query<Record<string, unknown>>(`SELECT id FROM orders WHERE service_id = $1 AND action = 'add' AND state IN ('held', 'acknowledged', 'inProgress') FOR UPDATE`, [serviceId]);
    for (const r of add.rows) {
      const row = (await st.getOrder(tx, r.id as string, undefined)) as st.OrderRow;
      // An activation under way may have configured part of it: remove that from the devices.
      if (row.state === 'inProgress') await jobsStore.enqueueJobs(tx, [{ kind: TEARDOWN_SERVICE, subject: serviceId }]);
      await st.setOrderState(tx, row.id, [row.state], row.state === 'held' ? 'cancelled' : 'failed', 'the booking\'s window ended before it was activated');
      await releaseOrder(tx, row);
      const order = toOrder((await st.getOrder(tx, row.id, undefined)) as st.OrderRow);
      await byTheSystem(tx, { action: row.state === 'held' ? 'order.cancel' : 'order.fail', subject: { kind: 'order', id: row.id }, tenantId: row.tenantId, before: { state: row.state }, after: { state: order.state, failureReason: order.failureReason } });
      await appendEvent(tx, { type: row.state === 'held' ? 'order.cancelled' : 'order.failed', tenantId: row.tenantId, subject: { kind: 'order', id: row.id }, data: order });
    }
    await st.updateService(tx, serviceId, { state: 'terminated' });
    await byTheSystem(tx, { action: 'service.end', subject: { kind: 'service', id: serviceId }, tenantId: svc.tenantId, before: { state: svc.state }, after: { state: 'terminated', endsAt: svc.endsAt } });
  }
}

/** Audit records of what the background work changed: the actor is the system. */
function byTheSystem(tx: Queryable, ...entries: AuditEntry[]): Promise<void> {
  return audit(tx, SYSTEM_PRINCIPAL, ...entries);
}

/** Records an activation's outcome and finishes its job, in one transaction fenced by the lease. */
async function settle(db: Db, orderId: string, ctx: JobContext, failure: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await ctx.finish(tx);
    const order = await st.getOrder(tx, orderId, undefined, true);
    // Only an order still in progress gets an outcome (a cancel or another worker may have settled it).
    if (!order || (order.state !== 'inProgress' && order.state !== 'acknowledged')) return;
    if (order.state === 'acknowledged') await st.setOrderState(tx, order.id, ['acknowledged'], 'inProgress');
    if (failure === null) await complete(tx, order);
    else await fail(tx, order, failure);
  });
}

/**
 * The activation worker: leased jobs for orders and teardowns, plus any other handlers the process
 * runs (e.g. restoration) so one loop serves all background work.
 */
export class ActivationWorker extends JobWorker {
  constructor(db: Db, driver: SouthboundDriver, opts: WorkerOptions = {}, extra: readonly JobHandler[] = []) {
    super(db, [...activationHandlers(db, driver), ...extra], opts);
  }
}

async function complete(tx: Queryable, order: st.OrderRow): Promise<void> {
  const svc = (await st.getService(tx, order.serviceId, undefined, true)) as st.ServiceRow;
  const payload = order.design as OrderPayload | null;
  const events: { type: string; kind: string; id: string; data: unknown }[] = [];
  if (order.action === 'add' && payload) {
    if (svc.state !== 'reserved' && svc.state !== 'scheduled') {
      // Ended or cancelled while activating: the configuration goes again at its end job / teardown.
      await st.setOrderState(tx, order.id, ['inProgress'], 'failed', `the service became ${svc.state} during activation`);
      await byTheSystem(tx, { action: 'order.fail', subject: { kind: 'order', id: order.id }, tenantId: order.tenantId, before: { state: 'inProgress' }, after: { state: 'failed', failureReason: `the service became ${svc.state} during activation` } });
      return;
    }
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
  // A failure may have hit the circuit between its order and now (restoration only moves live
  // services): have restoration look at it like any other live service on a failed span.
  if (order.action !== 'delete' && (await st.touchesFailedSpans(tx, svc.id))) await jobsStore.enqueueJobs(tx, [RESTORATION_JOB]);
  const done = toOrder((await st.getOrder(tx, order.id, undefined)) as st.OrderRow);
  const service = toService((await st.getService(tx, svc.id, undefined)) as st.ServiceRow);
  await byTheSystem(
    tx,
    { action: 'order.complete', subject: { kind: 'order', id: order.id }, tenantId: order.tenantId, before: { state: 'inProgress' }, after: { state: 'completed', action: order.action } },
    ...events.map((e) => ({ action: e.type, subject: { kind: 'service', id: svc.id }, tenantId: order.tenantId, before: { state: svc.state }, after: { state: service.state } })),
  );
  // Events last: appendEvent serializes event writers until commit.
  await appendEvent(tx, { type: 'order.completed', tenantId: order.tenantId, subject: { kind: 'order', id: order.id }, data: done });
  for (const e of events) await appendEvent(tx, { type: e.type, tenantId: order.tenantId, subject: { kind: e.kind, id: e.id }, data: service });
}

async function fail(tx: Queryable, order: st.OrderRow, reason: string): Promise<void> {
  await st.getService(tx, order.serviceId, undefined, true);
  if (order.action !== 'delete') await releaseOrder(tx, order);
  await st.setOrderState(tx, order.id, ['inProgress'], 'failed', `activation failed: ${reason}`);
  const failed = toOrder((await st.getOrder(tx, order.id, undefined)) as st.OrderRow);
  await byTheSystem(tx, { action: 'order.fail', subject: { kind: 'order', id: order.id }, tenantId: order.tenantId, before: { state: 'inProgress' }, after: { state: 'failed', failureReason: failed.failureReason } });
  await appendEvent(tx, { type: 'order.failed', tenantId: order.tenantId, subject: { kind: 'order', id: order.id }, data: failed });
}

export type { JobRow };
