/**
 * Activating many orders at once: the `order.activate` handler's runBatch (services/jobs.ts leases up
 * to its batch size of due jobs in one query). Each order goes through the same steps as alone
 * (activation.ts) — acknowledged → inProgress with its event, the driver's idempotent call with the
 * order id, the outcome recorded with the job's deletion fenced by its lease — but the bookkeeping of
 * the batch is shared: the starts in one transaction, and the plain outcome (an add order configured,
 * its service waiting for it) of every order in one more, a few set-based statements for all of them.
 * An order in any other case (the driver refused it, a modify or delete order, its service changed
 * meanwhile) records its outcome alone, as it would outside a batch.
 *
 * Why: with one order per job an activation took about twenty round trips and two commits, ten times
 * an order's own write; bench:cluster showed the activation workers taking the CPU the orders needed.
 */
import type { Db, Queryable } from '../../store/db.js';
import { isConnectionError } from '../../store/errors.js';
import { appendEvents } from '../../store/events.js';
import { RESTORATION_JOB } from '../../store/job-kinds.js';
import * as jobsStore from '../../store/jobs.js';
import * as st from '../../store/ordering.js';
import { audit } from '../audit.js';
import { LeaseLostError, type JobContext, type JobRow } from '../jobs.js';
import { toOrder, toService } from './model.js';
import { SYSTEM_PRINCIPAL } from './principal.js';

/** Driver calls of one batch running at once. */
const APPLY_CONCURRENCY = 8;

/** A leased activation job and its context. */
export interface ActivationItem {
  job: JobRow;
  ctx: JobContext;
}

/** What the batch asks of activation.ts. */
export interface ActivationSteps {
  /**
   * Configures the network for an order through the driver: resolves null when done, a reason when the
   * network refused it; rejects when the network could not be reached (the job is retried).
   */
  apply(order: st.OrderRow, service: st.ServiceRow | undefined): Promise<string | null>;
  /** Records one order's outcome alone, finishing its job (the general path). */
  settle(orderId: string, ctx: JobContext, failure: string | null): Promise<void>;
}

/** Runs f over items, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Activates the orders of a batch of jobs; one outcome per job, in order (undefined: done). */
export async function activateMany(db: Db, items: readonly ActivationItem[], steps: ActivationSteps): Promise<unknown[]> {
  const out: unknown[] = items.map(() => undefined);
  const index = new Map(items.map((it, k) => [it.job.subject, k]));
  const orders = new Map((await st.getOrders(db, items.map((it) => it.job.subject))).map((o) => [o.id, o]));
  // Cancelled, settled meanwhile (an outcome recorded by a worker whose lease then lapsed) or gone: done.
  const settled = items.filter((it) => !['acknowledged', 'inProgress'].includes(orders.get(it.job.subject)?.state ?? ''));
  if (settled.length > 0) {
    await db.transaction(async (tx) => {
      const finished = new Set(await jobsStore.finishJobs(tx, settled.map((it) => ({ id: it.job.id, token: it.job.leaseToken }))));
      for (const it of settled) if (!finished.has(it.job.id)) out[index.get(it.job.subject) as number] = new LeaseLostError(it.job);
    });
  }
  const live = items.filter((it) => !settled.includes(it));
  if (live.length === 0) return out;

  // acknowledged -> inProgress, together (an order another worker started already is left as it is).
  const toStart = live.map((it) => orders.get(it.job.subject) as st.OrderRow).filter((o) => o.state === 'acknowledged');
  if (toStart.length > 0) await startMany(db, toStart.map((o) => o.id));
  const services = new Map((await st.getServices(db, [...new Set(live.map((it) => (orders.get(it.job.subject) as st.OrderRow).serviceId))])).map((s) => [s.id, s]));

  // The network, order by order through the driver, a few at a time.
  const failure = new Map<string, string | null>();
  await eachLimited(live, APPLY_CONCURRENCY, async (it) => {
    const order = orders.get(it.job.subject) as st.OrderRow;
    try {
      failure.set(order.id, await steps.apply(order, services.get(order.serviceId)));
    } catch (err) {
      out[index.get(order.id) as number] = err;
    }
  });

  // Outcomes: plain completions of add orders together, the others alone.
  const configured = live.filter((it) => failure.has(it.job.subject));
  const plain = configured.filter((it) => failure.get(it.job.subject) === null && (orders.get(it.job.subject) as st.OrderRow).action === 'add');
  let alone = configured.filter((it) => !plain.includes(it));
  if (plain.length > 0) {
    try {
      const deferred = await completeMany(db, plain, out, index);
      alone = [...alone, ...deferred];
    } catch (err) {
      // The database is gone: every job of the batch is retried (its lease lapses or it is given back).
      if (isConnectionError(err)) {
        for (const it of plain) out[index.get(it.job.subject) as number] = err;
      } else {
        // Rolled back (a deadlock, say): whatever it said of a lease no longer holds; each goes alone.
        for (const it of plain) out[index.get(it.job.subject) as number] = undefined;
        alone = [...alone, ...plain];
      }
    }
  }
  for (const it of alone) {
    try {
      await steps.settle(it.job.subject, it.ctx, failure.get(it.job.subject) ?? null);
    } catch (err) {
      out[index.get(it.job.subject) as number] = err;
    }
  }
  return out;
}

/** acknowledged -> inProgress for many orders in one transaction, with their audit records and events. */
async function startMany(db: Db, ids: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const started = await st.setOrderStates(tx, ids, ['acknowledged'], 'inProgress');
    // Bookings whose window starts now: scheduled -> reserved (activation under way).
    await st.reserveScheduled(tx, started.filter((o) => o.action === 'add').map((o) => o.serviceId));
    await audit(tx, SYSTEM_PRINCIPAL, ...started.map((o) => ({ action: 'order.start', subject: { kind: 'order', id: o.id }, tenantId: o.tenantId, before: { state: 'acknowledged' }, after: { state: 'inProgress' } })));
    await appendEvents(tx, started.map((o) => ({ type: 'order.inProgress', tenantId: o.tenantId, subject: { kind: 'order', id: o.id }, data: toOrder(o) })));
  });
}

/**
 * Completes configured add orders in one transaction: each still in progress with its service waiting
 * for it (reserved or scheduled) completes, its service becomes active, and its job is finished (fenced
 * by its lease). Returns the items left for the general path (anything else about them changed).
 */
async function completeMany(db: Db, items: readonly ActivationItem[], out: unknown[], index: ReadonlyMap<string, number>): Promise<ActivationItem[]> {
  return db.transaction(async (tx: Queryable) => {
    const orders = new Map((await st.getOrders(tx, items.map((it) => it.job.subject), true)).map((o) => [o.id, o]));
    const services = new Map((await st.getServices(tx, [...new Set([...orders.values()].map((o) => o.serviceId))], true)).map((s) => [s.id, s]));
    const isPlain = (it: ActivationItem): boolean => {
      const o = orders.get(it.job.subject);
      const s = o ? services.get(o.serviceId) : undefined;
      return o !== undefined && o.state === 'inProgress' && o.design !== null && s !== undefined && (s.state === 'reserved' || s.state === 'scheduled');
    };
    const deferred = items.filter((it) => !isPlain(it));
    const candidates = items.filter(isPlain);
    const finished = new Set(await jobsStore.finishJobs(tx, candidates.map((it) => ({ id: it.job.id, token: it.job.leaseToken }))));
    for (const it of candidates) if (!finished.has(it.job.id)) out[index.get(it.job.subject) as number] = new LeaseLostError(it.job);
    const ready = candidates.filter((it) => finished.has(it.job.id)).map((it) => orders.get(it.job.subject) as st.OrderRow);
    if (ready.length === 0) return deferred;
    const before = new Map(ready.map((o) => [o.id, (services.get(o.serviceId) as st.ServiceRow).state]));
    const completed = new Map((await st.setOrderStates(tx, ready.map((o) => o.id), ['inProgress'], 'completed')).map((o) => [o.id, o]));
    const active = new Map((await st.activateServices(tx, ready.map((o) => o.serviceId))).map((s) => [s.id, s]));
    // A failure may have hit a circuit between its order and now (restoration only moves live
    // services): have restoration look at them like any other live service on a failed span.
    if ((await st.servicesOnFailedSpans(tx, [...active.keys()])).length > 0) await jobsStore.enqueueJobs(tx, [RESTORATION_JOB]);
    await audit(
      tx,
      SYSTEM_PRINCIPAL,
      ...ready.flatMap((o) => [
        { action: 'order.complete', subject: { kind: 'order', id: o.id }, tenantId: o.tenantId, before: { state: 'inProgress' }, after: { state: 'completed', action: o.action } },
        { action: 'service.activated', subject: { kind: 'service', id: o.serviceId }, tenantId: o.tenantId, before: { state: before.get(o.id) }, after: { state: 'active' } },
      ]),
    );
    await appendEvents(
      tx,
      ready.flatMap((o) => [
        { type: 'order.completed', tenantId: o.tenantId, subject: { kind: 'order', id: o.id }, data: toOrder(completed.get(o.id) as st.OrderRow) },
        { type: 'service.activated', tenantId: o.tenantId, subject: { kind: 'service', id: o.serviceId }, data: toService(active.get(o.serviceId) as st.ServiceRow) },
      ]),
    );
    return deferred;
  });
}
