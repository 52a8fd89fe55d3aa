/**
 * Changing bookings after they are placed: commit or let a hold expire, cancel, change a service's
 * window or bandwidth, disconnect. Every change is one transaction, all or nothing, audited, with its
 * event, and follows the lifecycle tables (domain/calendar.ts).
 *
 * A booking that has not started (held or scheduled) has configured nothing on the network: changing
 * it re-plans it for the new window and circuit, releasing its own capacity and taking the new one in
 * the same transaction. A started one keeps its path: its end moves (the exclusion constraint refuses
 * an extension onto a later reservation, and the answer says until when it would fit), and a new
 * bandwidth goes through a modify order, make-before-break. Re-plans judge waves by GSNR against the
 * channels lit during the booking's window, read in the transaction (as orders do).
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, notFound, validationFailed, type FieldError } from '../../domain/errors.js';
import { bandwidthIssues, type CircuitSpec } from '../../domain/products.js';
import { bookedServiceState, MIN_WINDOW_MS, nextOrderState, parseIsoMs, parseWindow, type BookingWindow, type OrderState } from '../../domain/calendar.js';
import { PgCode, sqlState, type Queryable } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import { lockInventoryShared } from '../../store/inventory.js';
import { ACTIVATE_ORDER, END_SERVICE, EXPIRE_HOLD } from '../../store/job-kinds.js';
import * as jobs from '../../store/jobs.js';
import * as st from '../../store/ordering.js';
import { audit, auditRow } from '../audit.js';
import { fitsUntil } from './availability.js';
import { windowIso } from './booking.js';
import { MAX_ALLOCATION_ATTEMPTS, occupancyFrom, readPlanningSnapshot, RetryAllocation, withAllocationRetry } from './common.js';
import { explain, freshLitState, litWindow, newTrunkId, noCapacity, pairHints, planLockKeys, planOptions, policyOf, pricingOf, routeLockKeys, withLoss, type OrderingContext } from './context.js';
import type { LightpathInput } from '../../engine/qot/index.js';
import type { CircuitDesign } from './design.js';
import { toOrder, toService, type Order, type OrderPayload, type Service } from './model.js';
import { planCircuit, routeFor, routeSpanIds, type Plan } from './planner.js';
import { priceBookFrom } from './pricebook.js';
import { holdOf, writePlacedOrders } from './write-combiner.js';
import { SYSTEM_PRINCIPAL, tenantScope, type Principal } from './principal.js';

/** Lightpath ids an order's design lit (its rows were released in the transaction, so the fresh state no longer has them; this is belt and braces). */
function ownLightpaths(row: st.OrderRow): string[] {
  const d = (row.design as OrderPayload | null)?.design;
  return (d?.paths ?? []).flatMap((x) => (x.wave?.segments ?? []).flatMap((sg) => (sg.lightpathId ? [sg.lightpathId] : [])));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Trunk ids a design rides on. */
export function trunksOf(design: CircuitDesign | null | undefined): string[] {
  return (design?.paths ?? []).flatMap((p) => (p.trunk ? [p.trunk.trunkId] : []));
}

/**
 * Undoes what an unfinished order held: its own allocations, trunks it lit that now carry nothing, and
 * for an add order the service itself (terminated) with its lifecycle jobs. Events are the caller's job.
 */
export async function releaseOrder(tx: Queryable, row: st.OrderRow): Promise<void> {
  await st.releaseAllocations(tx, { orderId: row.id });
  const payload = row.design as OrderPayload | null;
  await st.retireTrunksIfIdle(tx, trunksOf(payload?.design));
  if (row.action === 'add') {
    await st.updateService(tx, row.serviceId, { state: 'terminated' });
    await jobs.deleteJobs(tx, END_SERVICE, [row.serviceId]);
  }
  await jobs.deleteJobs(tx, ACTIVATE_ORDER, [row.id]);
  await jobs.deleteJobs(tx, EXPIRE_HOLD, [row.id]);
}

/** When an order's activation may begin: its window's start less the lead time, or now. */
function activateAt(ctx: OrderingContext, startIso: string | null): string {
  const now = ctx.now();
  return new Date(Math.max(now, (startIso ? Date.parse(startIso) : now) - ctx.activationLeadMs)).toISOString();
}

/** Refuses a move the order lifecycle does not allow. */
function transition(row: st.OrderRow, event: Parameters<typeof nextOrderState>[1]): OrderState {
  const next = nextOrderState(row.state as OrderState, event);
  if (!next) throw new LightpathError('conflict', `order ${row.id} is ${row.state}; it cannot be ${event === 'cancel' ? 'cancelled' : event === 'commit' ? 'committed' : event}`);
  return next;
}

/**
 * Commits a held order (and, for a recurring booking, every held occurrence of its series): the capacity
 * stays, the order moves on to activation at its window's start. Committing twice answers the same.
 */
export async function commitOrder(ctx: OrderingContext, p: Principal, id: string): Promise<Order> {
  const expired = await ctx.db.transaction(async (tx) => {
    const row = await st.getOrder(tx, id, tenantScope(p), true);
    if (!row) throw notFound('order', id);
    if (row.state !== 'held') {
      if (row.state === 'cancelled' && row.failureReason === 'hold-expired') throw new LightpathError('conflict', `the hold on order ${id} expired at ${row.holdExpiresAt}; place the order again`);
      if (row.state === 'acknowledged' || row.state === 'inProgress' || row.state === 'completed') return { order: toOrder(row), expired: false };
      transition(row, 'commit');
    }
    const rows = row.seriesId ? await st.heldOrdersOfSeries(tx, row.seriesId) : [row];
    const now = Date.parse(await dbNow(tx));
    if (rows.some((r) => r.holdExpiresAt !== null && Date.parse(r.holdExpiresAt) <= now)) {
      for (const r of rows) await expire(tx, r);
      return { order: toOrder((await st.getOrder(tx, id, undefined)) as st.OrderRow), expired: true };
    }
    for (const r of rows) {
      transition(r, 'commit');
      await st.setOrderState(tx, r.id, ['held'], 'acknowledged');
      const at = activateAt(ctx, r.startsAt);
      await st.updateService(tx, r.serviceId, { state: bookedServiceState(Date.parse(at) <= ctx.now()) });
      await jobs.deleteJobs(tx, EXPIRE_HOLD, [r.id]);
      await jobs.enqueueJobs(tx, [{ kind: ACTIVATE_ORDER, subject: r.id, runAt: at }, ...(r.endsAt ? [{ kind: END_SERVICE, subject: r.serviceId, runAt: r.endsAt }] : [])]);
      const order = toOrder((await st.getOrder(tx, r.id, undefined)) as st.OrderRow);
      await audit(tx, p, { action: 'order.commit', subject: { kind: 'order', id: r.id }, tenantId: r.tenantId, before: { state: 'held' }, after: { state: order.state } });
      await appendEvent(tx, { type: 'order.acknowledged', tenantId: r.tenantId, subject: { kind: 'order', id: r.id }, data: order });
    }
    return { order: toOrder((await st.getOrder(tx, id, undefined)) as st.OrderRow), expired: false };
  });
  if (expired.expired) throw new LightpathError('conflict', `the hold on order ${id} expired at ${expired.order.holdExpiresAt}; place the order again`);
  return expired.order;
}

async function dbNow(q: Queryable): Promise<string> {
  const r = await q.query<{ t: unknown }>('SELECT now() AS t');
  return new Date(r.rows[0].t as string).toISOString();
}

/** A held order whose hold ran out: cancelled (reason hold-expired), its capacity free at once. */
async function expire(tx: Queryable, row: st.OrderRow): Promise<void> {
  if (row.state !== 'held') return;
  await st.setOrderState(tx, row.id, ['held'], 'cancelled', 'hold-expired');
  await releaseOrder(tx, row);
  const order = toOrder((await st.getOrder(tx, row.id, undefined)) as st.OrderRow);
  await audit(tx, SYSTEM_PRINCIPAL, { action: 'order.expire', subject: { kind: 'order', id: row.id }, tenantId: row.tenantId, before: { state: 'held' }, after: { state: order.state, failureReason: 'hold-expired' } });
  await appendEvent(tx, { type: 'order.cancelled', tenantId: row.tenantId, subject: { kind: 'order', id: row.id }, data: order });
}

/** The hold-expiry job: expires the order if it is still held and its hold has run out. */
export async function expireHold(tx: Queryable, orderId: string): Promise<boolean> {
  const row = await st.getOrder(tx, orderId, undefined, true);
  if (!row || row.state !== 'held') return false;
  if (row.holdExpiresAt !== null && Date.parse(row.holdExpiresAt) > Date.parse(await dbNow(tx))) return false;
  await expire(tx, row);
  return true;
}

/** Cancels an order that activation has not started (held or acknowledged), releasing what it held. */
export async function cancelOrder(ctx: OrderingContext, p: Principal, id: string, reason = 'cancelled by the customer'): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const row = await st.getOrder(tx, id, tenantScope(p), true);
    if (!row) throw notFound('order', id);
    // Cancelling twice (a retry after a lost answer) gives the same answer.
    if (row.state === 'cancelled') return toOrder(row);
    transition(row, 'cancel');
    await st.setOrderState(tx, id, [row.state], 'cancelled', reason);
    await releaseOrder(tx, row);
    const order = toOrder((await st.getOrder(tx, id, undefined)) as st.OrderRow);
    await audit(tx, p, { action: 'order.cancel', subject: { kind: 'order', id }, tenantId: row.tenantId, before: { state: row.state }, after: { state: order.state } });
    await appendEvent(tx, { type: 'order.cancelled', tenantId: row.tenantId, subject: { kind: 'order', id }, data: order });
    return order;
  });
}

/** What a change to a service asks for. */
interface Change {
  bandwidthGbps?: number;
  start?: string;
  end?: string | null;
}

function parseChange(input: unknown, product: string): Change {
  if (!isObject(input)) throw validationFailed('invalid change', [{ path: '', message: 'must be an object' }]);
  const errors: FieldError[] = [];
  for (const k of Object.keys(input)) if (!['bandwidthGbps', 'start', 'end'].includes(k)) errors.push({ path: `/${k}`, message: 'unknown field (bandwidthGbps, start and end can change)' });
  if (Object.keys(input).length === 0) errors.push({ path: '', message: 'give bandwidthGbps, start or end' });
  if (input.bandwidthGbps !== undefined) {
    if (product === 'dark-fiber') errors.push({ path: '/bandwidthGbps', message: 'dark fiber has no bandwidth to change' });
    else errors.push(...bandwidthIssues(product as CircuitSpec['product'], input.bandwidthGbps));
  }
  if (input.start !== undefined && parseIsoMs(input.start) === null) errors.push({ path: '/start', message: 'must be an ISO-8601 time with a zone' });
  if (input.end !== undefined && input.end !== null && parseIsoMs(input.end) === null) errors.push({ path: '/end', message: 'must be an ISO-8601 time with a zone, or null for open-ended' });
  if (errors.length > 0) throw validationFailed('invalid change', errors);
  return input as Change;
}

/**
 * Changes a service's bandwidth and/or window. Not started: re-planned for the new booking in one
 * transaction (returns the pending add order, rewritten). Started: the end moves in place, and a new
 * bandwidth is a modify order activated make-before-break (returns that order; else the add order).
 */
export async function changeService(ctx: OrderingContext, p: Principal, id: string, input: unknown): Promise<Order> {
  const probe = await st.getService(ctx.db, id, tenantScope(p));
  if (!probe) throw notFound('service', id);
  const change = parseChange(input, probe.product);
  const modifyId = `ord_${ulid()}`;
  const written = async (): Promise<Order | null> => {
    const r = await st.getOrder(ctx.db, modifyId, undefined);
    return r ? toOrder(r) : null;
  };
  // Waves planned in the transaction stay lit for this process's other orders until it settles.
  const litHeld: LightpathInput[] = [];
  const settle = (committed: boolean): void => {
    if (litHeld.length > 0) ctx.lit.settle(litHeld, committed);
    litHeld.length = 0;
  };
  return withAllocationRetry(ctx.db, async (tx) => {
    // Plan on the network as it is and will stay until commit (see migration 006).
    const version = await lockInventoryShared(tx);
    const svc = await st.getService(tx, id, tenantScope(p), true);
    if (!svc) throw notFound('service', id);
    const spec = svc.spec as CircuitSpec;
    const next: CircuitSpec = { ...spec, ...(change.bandwidthGbps !== undefined ? { bandwidthGbps: change.bandwidthGbps } : {}) };
    const nowMs = ctx.now();
    const started = !(svc.state === 'held' || svc.state === 'scheduled') || Date.parse(svc.startsAt) <= nowMs;
    const windowInput = { start: change.start ?? (started ? undefined : svc.startsAt), end: change.end === undefined ? svc.endsAt : change.end };
    const parsed = parseWindow(windowInput, nowMs);
    if ('errors' in parsed) throw validationFailed('invalid change', parsed.errors);
    const w: BookingWindow = started ? { startMs: Date.parse(svc.startsAt), endMs: parsed.window.endMs } : parsed.window;
    if (w.endMs !== null && w.endMs < nowMs + MIN_WINDOW_MS) throw validationFailed('invalid change', [{ path: '/end', message: 'must be at least a minute from now' }]);
    const view = await ctx.views.at(tx, version);
    if (!started) return rebook(ctx, p, tx, view, svc, next, w, litHeld);
    if (svc.state !== 'active' && svc.state !== 'down' && svc.state !== 'reserved') throw new LightpathError('conflict', `service ${id} is ${svc.state}; it cannot change`);
    if (change.start !== undefined && Date.parse(change.start) !== Date.parse(svc.startsAt)) throw new LightpathError('conflict', `service ${id} started at ${svc.startsAt}; its start cannot move`);
    if (await st.hasOpenOrder(tx, id)) throw new LightpathError('conflict', `service ${id} has an order in progress`);
    let result: Order | null = null;
    if (change.end !== undefined && (change.end === null ? svc.endsAt !== null : Date.parse(change.end) !== (svc.endsAt ? Date.parse(svc.endsAt) : NaN))) {
      await moveEnd(tx, svc, next, w);
      await audit(tx, p, { action: 'service.modify', subject: { kind: 'service', id }, tenantId: svc.tenantId, before: { end: svc.endsAt }, after: { end: windowIso(w).end } });
    }
    if (change.bandwidthGbps !== undefined && change.bandwidthGbps !== spec.bandwidthGbps) {
      if (svc.state !== 'active') throw new LightpathError('conflict', `service ${id} is ${svc.state}; only active services can change bandwidth`);
      result = await modifyOrder(ctx, p, tx, view, svc, next, w, modifyId, litHeld);
    }
    const last = await st.getService(tx, id, undefined);
    await appendEvent(tx, { type: 'service.modified', tenantId: svc.tenantId, subject: { kind: 'service', id }, data: toService(last as st.ServiceRow) });
    return result ?? toOrder((await st.latestOrderOf(tx, id)) as st.OrderRow);
  }, MAX_ALLOCATION_ATTEMPTS, { written, ids: { orderId: modifyId }, onAttemptEnd: settle });
}

/** A started service's end moves; an extension onto a later reservation is refused, saying until when it fits. */
async function moveEnd(tx: Queryable, svc: st.ServiceRow, spec: CircuitSpec, w: BookingWindow): Promise<void> {
  const end = windowIso(w).end;
  try {
    await tx.query('SAVEPOINT lp_move_end');
    await st.moveServiceEnd(tx, svc.id, end);
    await tx.query('RELEASE SAVEPOINT lp_move_end');
  } catch (err) {
    if (sqlState(err) !== PgCode.exclusionViolation) throw err;
    await tx.query('ROLLBACK TO SAVEPOINT lp_move_end');
    // Until when its own ranges stay free: the first later reservation on any of them.
    const later = await tx.query<{ t: unknown }>(
      `SELECT min(lower(o.during)) AS t FROM allocations o JOIN allocations m ON m.service_id = $1 AND o.resource_key = m.resource_key AND o.units && m.units
        WHERE o.service_id IS DISTINCT FROM $1 AND NOT isempty(o.during) AND lower(o.during) >= $2::timestamptz AND (upper_inf(m.during) OR upper(m.during) > now())`,
      [svc.id, svc.endsAt ?? new Date().toISOString()],
    );
    const until = later.rows[0]?.t ? new Date(later.rows[0].t as string).toISOString() : undefined;
    throw noCapacity(spec, 'capacity', until ? { availableUntil: until } : undefined);
  }
  await st.setServiceWindow(tx, svc.id, svc.startsAt, end);
  await jobs.deleteJobs(tx, END_SERVICE, [svc.id]);
  if (end) await jobs.enqueueJobs(tx, [{ kind: END_SERVICE, subject: svc.id, runAt: end }]);
}

/** A booking not yet started, planned again for its new window and circuit (its own capacity freed first). */
async function rebook(ctx: OrderingContext, p: Principal, tx: Queryable, view: Parameters<typeof fitsUntil>[2], svc: st.ServiceRow, spec: CircuitSpec, w: BookingWindow, litHeld: LightpathInput[] | null): Promise<Order> {
  const add = await st.pendingAddOrder(tx, svc.id);
  if (!add) throw new LightpathError('conflict', `service ${svc.id} has no pending booking to change`);
  const route = routeFor(view, spec, ctx.k);
  if (!route) throw noCapacity(spec, 'path', undefined, pairHints(view, spec));
  await st.lockResources(tx, routeLockKeys(ctx.db, view, spec, route));
  // Free this booking's own capacity (the reads below, in this transaction, see it free).
  await st.releaseAllocations(tx, { orderId: add.id });
  const window = windowIso(w);
  const snap = await readPlanningSnapshot(tx, view, spec, route, null, window);
  const occ = occupancyFrom(view, spec, snap);
  const policy = policyOf(snap);
  // The channels lit during the new window, this booking's own ones already released above.
  const state = spec.product === 'dark-fiber' ? null : await freshLitState(ctx, tx, view, (nowMs) => litWindow(spec, w, nowMs), new Set(routeSpanIds(view, route)));
  if (state) for (const id of ownLightpaths(add)) if (state.has(id)) state.remove(id);
  const reasons: string[] = [];
  const plan: Plan | null = planCircuit(view, occ, spec, route, newTrunkId, planOptions(state, policy, `${add.id}:${ulid()}`, { reasons }));
  if (!plan) {
    // Until when it would fit from its start (read in this transaction: its own capacity is free here).
    const until = await fitsUntil(ctx, tx, view, spec, route, { startMs: w.startMs, endMs: null });
    throw noCapacity(spec, 'capacity', until && (w.endMs === null || Date.parse(until) < w.endMs) ? { availableUntil: until } : undefined, reasons);
  }
  if (litHeld) {
    litHeld.push(...plan.lightpaths);
    ctx.lit.hold(plan.lightpaths);
  }
  if (!(await st.writeHold(tx, { orderId: add.id, ...holdOf(plan, { serviceId: svc.id, locks: planLockKeys(ctx.db, spec, plan), inventoryVersion: view.version, window }) }))) {
    throw new RetryAllocation('the inventory changed or a trunk was retired since the plan was made');
  }
  const old = add.design as OrderPayload;
  await st.retireTrunksIfIdle(tx, trunksOf(old?.design));
  const design = withLoss(view, spec, plan.design, policy);
  const pricing = pricingOf(priceBookFrom(snap.priceBook), spec, design, view);
  await st.updateService(tx, svc.id, { spec, design, price: pricing });
  await st.setServiceWindow(tx, svc.id, window.start, window.end);
  await st.rebookOrder(tx, add.id, { spec, design: { design, pricing } satisfies OrderPayload, start: window.start, end: window.end });
  await jobs.deleteJobs(tx, ACTIVATE_ORDER, [add.id]);
  await jobs.deleteJobs(tx, END_SERVICE, [svc.id]);
  // A booking's end job runs even for a hold (a hold cannot outlive its window).
  if (window.end) await jobs.enqueueJobs(tx, [{ kind: END_SERVICE, subject: svc.id, runAt: window.end }]);
  if (add.state === 'acknowledged') await jobs.enqueueJobs(tx, [{ kind: ACTIVATE_ORDER, subject: add.id, runAt: activateAt(ctx, window.start) }]);
  if (add.state === 'acknowledged') await st.updateService(tx, svc.id, { state: bookedServiceState(Date.parse(activateAt(ctx, window.start)) <= ctx.now()) });
  await audit(tx, p, { action: 'service.modify', subject: { kind: 'service', id: svc.id }, tenantId: svc.tenantId, before: { start: svc.startsAt, end: svc.endsAt, bandwidthGbps: (svc.spec as CircuitSpec).bandwidthGbps }, after: { ...window, bandwidthGbps: spec.bandwidthGbps } });
  const service = toService((await st.getService(tx, svc.id, undefined)) as st.ServiceRow);
  await appendEvent(tx, { type: 'service.modified', tenantId: svc.tenantId, subject: { kind: 'service', id: svc.id }, data: service });
  return toOrder((await st.getOrder(tx, add.id, undefined)) as st.OrderRow);
}

/**
 * A started service's new bandwidth: a modify order holding the new design alongside the old until
 * activated, planned as a locked order attempt is (the route's resources locked, then one planning read)
 * and written as new orders are (writePlacedOrders: order, allocations, trunks, activation job, audit
 * and event in one gated statement).
 */
async function modifyOrder(ctx: OrderingContext, p: Principal, tx: Queryable, view: Parameters<typeof fitsUntil>[2], svc: st.ServiceRow, next: CircuitSpec, w: BookingWindow, orderId: string, litHeld: LightpathInput[]): Promise<Order> {
  const route = routeFor(view, next, ctx.k);
  if (!route) throw new LightpathError('capacity-exhausted', `no path from ${next.aSite} to ${next.zSite} meets the request any more`);
  await st.lockResources(tx, routeLockKeys(ctx.db, view, next, route));
  const end = windowIso(w).end;
  const snap = await readPlanningSnapshot(tx, view, next, route, null, { start: null, end });
  const occ = occupancyFrom(view, next, snap);
  const policy = policyOf(snap);
  // The current wave stays lit while the new one is planned beside it (make-before-break).
  const state = next.product === 'dark-fiber' ? null : await freshLitState(ctx, tx, view, (nowMs) => litWindow(next, { startMs: nowMs, endMs: w.endMs }, nowMs), new Set(routeSpanIds(view, route)));
  const reasons: string[] = [];
  const plan = planCircuit(view, occ, next, route, newTrunkId, planOptions(state, policy, orderId, { reasons }));
  if (!plan) throw new LightpathError('capacity-exhausted', `no capacity for ${next.bandwidthGbps} Gbps alongside the current circuit${explain(reasons)}`);
  litHeld.push(...plan.lightpaths);
  ctx.lit.hold(plan.lightpaths);
  const design = withLoss(view, next, plan.design, policy);
  const pricing = pricingOf(priceBookFrom(snap.priceBook), next, design, view);
  // From the database's now (the transaction's, which the read above used), activated at once.
  const placed: st.PlacedOrder = {
    ...holdOf(plan, { serviceId: svc.id, locks: planLockKeys(ctx.db, next, plan), inventoryVersion: view.version, window: { start: snap.now, end } }),
    service: null,
    order: { id: orderId, tenantId: svc.tenantId, action: 'modify', state: 'acknowledged', serviceId: svc.id, quoteId: null, optionId: null, spec: next, design: { design, pricing } satisfies OrderPayload, idempotencyKey: null, requestHash: null, requestId: p.requestId ?? null },
    audit: auditRow(p, { action: 'service.modify', subject: { kind: 'service', id: svc.id }, tenantId: svc.tenantId, before: { bandwidthGbps: (svc.spec as CircuitSpec).bandwidthGbps }, after: { bandwidthGbps: next.bandwidthGbps, orderId } }),
    createdAt: snap.now,
    holdExpiresAt: null,
    activateAt: snap.now,
    seriesId: null,
  };
  const order = toOrder(st.placedOrderRow(placed));
  const [ok] = await writePlacedOrders(tx, [{ order: placed, event: { type: 'order.acknowledged', tenantId: svc.tenantId, subject: { kind: 'order', id: orderId }, data: order } }]);
  if (!ok) throw new RetryAllocation('the inventory changed or a trunk was retired since the plan was made');
  return order;
}

/** What a failure did to bookings that have not started: re-planned around it, or at risk. */
export interface BookingsReport {
  replanned: { id: string; start: string; spanIds: string[] }[];
  atRisk: { id: string; start: string; reason: string }[];
}

/**
 * Bookings not started yet (held or scheduled) whose planned path crosses a failed span are planned
 * again for their window on the network as it is now (failed spans excluded), each all-or-nothing in
 * a savepoint; one that no longer fits keeps its booking and is reported at risk (a `service.at-risk`
 * event): the span may be repaired before it starts, and if not, activation on a failed span hands
 * it to restoration like any live service. Runs inside the restoration pass's transaction.
 */
export async function replanBookings(ctx: OrderingContext, p: Principal, tx: Queryable, view: Parameters<typeof fitsUntil>[2]): Promise<BookingsReport> {
  const report: BookingsReport = { replanned: [], atRisk: [] };
  if (!view.failed.some((f) => f === 1)) return report;
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM services WHERE state IN ('held', 'scheduled') AND (ends_at IS NULL OR ends_at > now()) ORDER BY starts_at, id`,
  );
  for (const { id } of rows.rows) {
    const svc = await st.getService(tx, id, undefined, true);
    if (!svc) continue;
    const design = svc.design as CircuitDesign;
    const hit = design.paths.some((path) => path.spanIds.some((sid) => view.failed[view.graph.spanIndex(sid)] === 1));
    if (!hit) continue;
    const spec = svc.spec as CircuitSpec;
    const w: BookingWindow = { startMs: Math.max(Date.parse(svc.startsAt), ctx.now()), endMs: svc.endsAt ? Date.parse(svc.endsAt) : null };
    await tx.query('SAVEPOINT lp_replan');
    try {
      await rebook(ctx, p, tx, view, svc, spec, w, null);
      await tx.query('RELEASE SAVEPOINT lp_replan');
      const after = (await st.getService(tx, id, undefined)) as st.ServiceRow;
      report.replanned.push({ id, start: svc.startsAt, spanIds: (after.design as CircuitDesign).paths.flatMap((x) => x.spanIds) });
    } catch (err) {
      if (!(err instanceof LightpathError) || err.code !== 'capacity-exhausted') throw err;
      await tx.query('ROLLBACK TO SAVEPOINT lp_replan');
      const reason = err.detail;
      report.atRisk.push({ id, start: svc.startsAt, reason });
      await appendEvent(tx, { type: 'service.at-risk', tenantId: svc.tenantId, subject: { kind: 'service', id }, data: { ...toService(svc), atRisk: { reason } } });
    }
  }
  return report;
}

/**
 * Disconnects a service: a started one through a delete order (activation removes it from the network
 * and releases everything); one not started yet by cancelling its booking (nothing was configured).
 */
export async function disconnectService(ctx: OrderingContext, p: Principal, id: string): Promise<Order> {
  const pending = await ctx.db.transaction(async (tx) => {
    const svc = await st.getService(tx, id, tenantScope(p), true);
    if (!svc) throw notFound('service', id);
    if (svc.state === 'held' || svc.state === 'scheduled') return (await st.pendingAddOrder(tx, id))?.id ?? null;
    // A service that is down (failed path) can still be given up.
    if (svc.state !== 'active' && svc.state !== 'down') throw new LightpathError('conflict', `service ${id} is ${svc.state}; only active, down or not yet started services can be disconnected`);
    if (await st.hasOpenOrder(tx, id)) throw new LightpathError('conflict', `service ${id} has an order in progress`);
    const orderId = `ord_${ulid()}`;
    await audit(tx, p, { action: 'service.disconnect', subject: { kind: 'service', id }, tenantId: svc.tenantId, before: { state: svc.state }, after: { orderId } });
    const row = await st.insertOrder(tx, {
      requestId: p.requestId ?? null,
      id: orderId,
      tenantId: svc.tenantId,
      action: 'delete',
      state: 'acknowledged',
      serviceId: id,
      quoteId: null,
      optionId: null,
      spec: svc.spec,
      design: null,
      idempotencyKey: null,
      requestHash: null,
    });
    const order = toOrder(row);
    await appendEvent(tx, { type: 'order.acknowledged', tenantId: svc.tenantId, subject: { kind: 'order', id: orderId }, data: order });
    return { order };
  });
  if (pending === null) throw new LightpathError('conflict', `service ${id} has no pending booking to cancel`);
  if (typeof pending === 'string') return cancelOrder(ctx, p, pending, 'disconnected before its window started');
  return pending.order;
}

/** Re-exported for the facade's getters. */
export type { Service };
