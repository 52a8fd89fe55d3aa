/**
 * Placing orders: from a quote option ({quoteId, optionId}) or an inline circuit spec, for one window
 * (start defaults to now, end to open-ended) or a series of occurrences, held or straight away.
 *
 * One window (the hot path): the order reads occupancy during its window without a transaction and
 * plans on it plus the ranges this process's in-flight orders took (inflight.ts); its write is one
 * statement, possibly shared with other orders of this process (write-combiner.ts), gated on the
 * inventory version (FOR SHARE) and arbitrated by the exclusion constraint; after a few losses it falls
 * back to the locked way in a transaction. A series (recurring booking) is planned and written in one
 * transaction, occurrence by occurrence: all of it or nothing, or (`partial`) the feasible occurrences.
 *
 * Every booking's allocations hold exactly its window; its service is `held` (until committed or
 * expired), `scheduled` (window in the future) or `reserved` (activation due now); the write carries its
 * lifecycle jobs (activation at the start less the lead time, the end, or the hold's expiry).
 *
 * Waves are planned by GSNR against the channels lit during the booking's window (lit-channels.ts),
 * with this process's planned-but-unwritten waves lit too until their write settles.
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, notFound, validationFailed, type FieldError } from '../../domain/errors.js';
import { bookedServiceState, MIN_WINDOW_MS, type BookingWindow } from '../../domain/calendar.js';
import { isPacketProduct, type CircuitSpec } from '../../domain/products.js';
import type { Path } from '../../engine/index.js';
import type { Queryable } from '../../store/db.js';
import type { NewEvent } from '../../store/events.js';
import * as st from '../../store/ordering.js';
import { auditRow } from '../audit.js';
import { fitsUntil } from './availability.js';
import { parseBooking, parseHold, windowIso, type Booking } from './booking.js';
import { MAX_ALLOCATION_ATTEMPTS, occupancyFrom, planningRequest, requestHash, NeedsLockedAttempt, RetryAllocation, withAllocationRetry, WrittenMeanwhile } from './common.js';
import { addDropFor, checkSites, freshLitState, litState, litWindow, newTrunkId, noCapacity, pairHints, pairKey, parseSpec, pathFromDesign, planLockKeys, planOptions, policyOf, pricingOf, routeLockKeys, withLoss, type OrderingContext } from './context.js';
import type { LightpathInput, LineState } from '../../engine/qot/index.js';
import type { Overlay, ReadTicket } from './inflight.js';
import { toOrder, type Order, type OrderPayload, type Pricing, type QuoteOption, type WindowView } from './model.js';
import type { NetworkView } from './network-view.js';
import { planCircuit, routeFor, routeSpanIds, type Plan, type Route } from './planner.js';
import { priceBookFrom } from './pricebook.js';
import { tenantScope, type Principal } from './principal.js';
import { holdOf, writePlacedOrders } from './write-combiner.js';

/** Times a statement may find the inventory moved past the cached view before the caller gives up. */
const MAX_VIEW_ATTEMPTS = 3;

/** Times an order waits for this process's in-flight orders to settle before it takes "no capacity" as final. */
const MAX_INFLIGHT_WAITS = 64;

/** What placing an order answers: the order (the first of a series) and whether it was created now. */
export interface Placed {
  order: Order;
  created: boolean;
  /** A series' orders, in window order (the first is `order`). */
  series?: Order[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The snapshot with this process's in-flight holds added to what the database showed. */
function withOverlay(snap: st.PlanningSnapshot, o: Overlay): st.PlanningSnapshot {
  if (o.entries.length === 0) return snap;
  return {
    ...snap,
    held: o.held.length > 0 ? [...snap.held, ...o.held] : snap.held,
    trunks: o.trunkUnits.size > 0 ? snap.trunks.map((t) => { const extra = o.trunkUnits.get(t.id); return extra ? { ...t, used: [...t.used, ...extra] } : t; }) : snap.trunks,
  };
}

/** Ports free less those taken (this process's in-flight plans). */
function lessPorts(free: ReadonlyMap<string, number>, taken: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map(free);
  for (const [site, n] of taken) if (out.has(site)) out.set(site, (out.get(site) as number) - n);
  return out;
}

/** What an order asks for on one view: spec, route and owner, or the error to report after the idempotency lookup. */
interface OrderTarget {
  spec: CircuitSpec;
  route: Route | null;
  tenantId: string;
  quoteId: string | null;
  optionId: string | null;
  quotedPricing: Pricing | null;
  error: LightpathError | null;
}

/** What an order from a quote option asks for, on this view. */
function quoteTarget(view: NetworkView, quote: st.QuoteRow | null, body: { quoteId: string; optionId: string }, nowMs: number): OrderTarget {
  const fail = (error: LightpathError): OrderTarget => ({ spec: (quote?.request ?? {}) as CircuitSpec, route: null, tenantId: quote?.tenantId ?? '', quoteId: null, optionId: null, quotedPricing: null, error });
  if (!quote) return fail(notFound('quote', body.quoteId));
  if (Date.parse(quote.expiresAt) <= nowMs) return fail(new LightpathError('conflict', `quote ${quote.id} expired at ${quote.expiresAt}; ask for a new one`));
  const option = (quote.options as QuoteOption[]).find((o) => o.id === body.optionId);
  if (!option) return fail(validationFailed('unknown option', [{ path: '/optionId', message: `quote ${quote.id} has no option ${body.optionId}` }]));
  const paths = option.paths.map((x) => pathFromDesign(view, x));
  if (paths.some((x) => x === null)) return fail(new LightpathError('conflict', 'the network changed since this quote; ask for a new one'));
  const ps = paths as Path[];
  const { windows: _windows, ...rest } = quote.request as CircuitSpec & { windows?: unknown };
  const spec = rest as CircuitSpec;
  return {
    spec,
    route: ps.length === 2 ? { kind: 'pair', pairs: [[ps[0], ps[1]]], disjointness: spec.disjointness ?? 'srlg' } : { kind: 'single', candidates: ps },
    tenantId: quote.tenantId,
    quoteId: quote.id,
    optionId: option.id,
    quotedPricing: { monthly: option.monthly, hourly: option.hourly, availability: option.availability },
    error: null,
  };
}

/** What an inline order asks for, on this view. */
function inlineTarget(ctx: OrderingContext, view: NetworkView, spec: CircuitSpec, p: Principal): OrderTarget {
  const base = { spec, tenantId: p.tenantId, quoteId: null, optionId: null, quotedPricing: null };
  try {
    checkSites(view, spec);
  } catch (err) {
    return { ...base, route: null, error: err as LightpathError };
  }
  return { ...base, route: routeFor(view, spec, ctx.k), error: null };
}

/** The booking a quote carries (its windows; a window that started by now starts now), with the order's hold. */
function bookingOfQuote(quote: st.QuoteRow | null, nowMs: number, body: Record<string, unknown>): Booking {
  const errors: FieldError[] = [];
  const holdSeconds = parseHold(body, true, errors);
  if (body.partial !== undefined && typeof body.partial !== 'boolean') errors.push({ path: '/partial', message: 'must be true or false' });
  const quoted = (quote?.request as { windows?: WindowView[] } | undefined)?.windows ?? [{ start: new Date(nowMs).toISOString(), end: null }];
  const windows = quoted.map((x) => ({ startMs: Math.max(Date.parse(x.start), nowMs), endMs: x.end === null ? null : Date.parse(x.end) }));
  if (windows.some((x) => x.endMs !== null && x.endMs - x.startMs < MIN_WINDOW_MS)) errors.push({ path: '/quoteId', message: 'the quoted window has passed; ask for a new quote' });
  if (errors.length > 0) throw validationFailed('invalid order', errors);
  return { windows, holdSeconds, recurring: windows.length > 1, partial: body.partial === true };
}

/** The parsed request: the circuit (inline) or the quote, and the booking. */
interface Request {
  inlineSpec: CircuitSpec | null;
  quote: st.QuoteRow | null;
  quoteRef: { quoteId: string; optionId: string } | null;
  booking: Booking;
}

async function parseRequest(ctx: OrderingContext, p: Principal, input: unknown): Promise<Request> {
  const nowMs = ctx.now();
  const fromQuote = isObject(input) && ('quoteId' in input || 'optionId' in input);
  if (!fromQuote) {
    const { circuit, booking } = parseBooking(input, nowMs, { allowHold: true });
    return { inlineSpec: parseSpec(circuit), quote: null, quoteRef: null, booking };
  }
  const body = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(body)) {
    if (!['quoteId', 'optionId', 'hold', 'holdSeconds', 'partial'].includes(k)) errors.push({ path: `/${k}`, message: 'unknown field (an order from a quote takes quoteId, optionId, hold, holdSeconds and partial; the circuit and its window are the quote\'s)' });
  }
  if (typeof body.quoteId !== 'string' || !/^quo_[0-9A-Z]{26}$/.test(body.quoteId)) errors.push({ path: '/quoteId', message: 'must be a quote id' });
  if (typeof body.optionId !== 'string' || !/^opt-\d{1,3}$/.test(body.optionId)) errors.push({ path: '/optionId', message: 'must be an option id like opt-1' });
  if (errors.length > 0) throw validationFailed('invalid order', errors);
  // Quotes never change, so one read serves every attempt. Its problems are reported only after the
  // idempotency lookup, so a retry of an order whose quote has since expired still gets the order.
  const quote = await st.getQuote(ctx.db, body.quoteId as string, tenantScope(p));
  return { inlineSpec: null, quote, quoteRef: { quoteId: body.quoteId as string, optionId: body.optionId as string }, booking: bookingOfQuote(quote, nowMs, body) };
}

/** The service's first state and when its activation may begin. */
function lifecycleOf(ctx: OrderingContext, w: BookingWindow, holdSeconds: number | null): { serviceState: string; orderState: 'held' | 'acknowledged'; activateAt: string; holdExpiresAt: string | null } {
  const nowMs = ctx.now();
  const activateAtMs = Math.max(nowMs, w.startMs - ctx.activationLeadMs);
  if (holdSeconds !== null) return { serviceState: 'held', orderState: 'held', activateAt: new Date(activateAtMs).toISOString(), holdExpiresAt: new Date(nowMs + holdSeconds * 1000).toISOString() };
  return { serviceState: bookedServiceState(activateAtMs <= nowMs), orderState: 'acknowledged', activateAt: new Date(activateAtMs).toISOString(), holdExpiresAt: null };
}

/** Builds the write of one planned booking (service, trunks, allocations, order, jobs, audit, event). */
function placedWrite(
  ctx: OrderingContext,
  p: Principal,
  ids: { orderId: string; serviceId: string },
  target: OrderTarget,
  view: NetworkView,
  snap: st.PlanningSnapshot,
  plan: Plan,
  w: BookingWindow,
  b: { holdSeconds: number | null; seriesId: string | null; key: string | null; hash: string; locks: string[] },
): { placed: st.PlacedOrder; event: NewEvent; order: Order } {
  const spec = target.spec;
  const design = withLoss(view, spec, plan.design, policyOf(snap));
  const pricing = target.quotedPricing ?? pricingOf(priceBookFrom(snap.priceBook), spec, design, view);
  const { serviceId, orderId } = ids;
  const life = lifecycleOf(ctx, w, b.holdSeconds);
  const window = windowIso(w);
  const placed: st.PlacedOrder = {
    ...holdOf(plan, { serviceId, locks: b.locks, inventoryVersion: view.version, window }),
    service: { id: serviceId, tenantId: target.tenantId, product: spec.product, state: life.serviceState, spec, design, price: pricing },
    order: {
      id: orderId,
      tenantId: target.tenantId,
      action: 'add',
      state: life.orderState,
      serviceId,
      quoteId: target.quoteId,
      optionId: target.optionId,
      spec,
      design: { design, pricing } satisfies OrderPayload,
      idempotencyKey: b.key,
      requestHash: b.hash,
      requestId: p.requestId ?? null,
    },
    audit: auditRow(p, {
      action: b.holdSeconds !== null ? 'order.hold' : 'order.place',
      subject: { kind: 'order', id: orderId },
      tenantId: target.tenantId,
      after: { serviceId, product: spec.product, aSite: spec.aSite, zSite: spec.zSite, bandwidthGbps: spec.bandwidthGbps, protection: spec.protection, ...window, quoteId: target.quoteId, optionId: target.optionId, idempotencyKey: b.key, seriesId: b.seriesId },
    }),
    // The database's clock (read with the occupancy), not this process's.
    createdAt: snap.now,
    holdExpiresAt: life.holdExpiresAt,
    activateAt: life.activateAt,
    seriesId: b.seriesId,
  };
  const order = toOrder(st.placedOrderRow(placed));
  const event: NewEvent = { type: b.holdSeconds !== null ? 'order.held' : 'order.acknowledged', tenantId: target.tenantId, subject: { kind: 'order', id: orderId }, data: order };
  return { placed, event, order };
}

/**
 * Places an order. With an idempotency key, a retry returns the first order (created: false) and a
 * different body under the same key is idempotency-conflict.
 */
export async function placeOrder(ctx: OrderingContext, p: Principal, input: unknown, idempotencyKey?: string): Promise<Placed> {
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
    throw validationFailed('invalid Idempotency-Key', [{ path: '/headers/idempotency-key', message: 'must be 1..200 characters' }]);
  }
  const req = await parseRequest(ctx, p, input);
  const hash = requestHash(input);
  const key = idempotencyKey ?? null;
  if (req.booking.recurring) return placeSeries(ctx, p, req, key, hash);
  return placeOne(ctx, p, req, key, hash);
}

/** One window: the optimistic hot path (see the module comment). */
async function placeOne(ctx: OrderingContext, p: Principal, req: Request, key: string | null, hash: string): Promise<Placed> {
  const { db } = ctx;
  const requested = req.booking.windows[0];
  // The ids are this request's, whatever happens: a write whose outcome is unknown (the connection
  // broke around its COMMIT) is resolved by looking its order up, so retrying can never make two.
  const ids = { orderId: `ord_${ulid()}`, serviceId: `svc_${ulid()}` };
  const written = async (): Promise<Placed | null> => {
    const r = await st.getOrder(db, ids.orderId, undefined);
    return r ? { order: toOrder(r), created: true } : null;
  };
  const asked = req.inlineSpec ?? (req.quote?.request as CircuitSpec | undefined);
  // Packet orders between one site pair queue here, so two of them do not each light a trunk where
  // one would do (between processes the site-pair lock of a locked attempt does that).
  const release = asked && isPacketProduct(asked.product) ? await ctx.pairGate.acquire(pairKey(asked)) : null;
  let hold: object | null = null;
  let litHeld: LightpathInput[] = [];
  const settleHold = (committed: boolean): void => {
    if (hold) ctx.inflight.settle(hold, committed);
    hold = null;
    if (litHeld.length > 0) ctx.lit.settle(litHeld, committed);
    litHeld = [];
  };
  try {
    return await withAllocationRetry(db, async (tx, attempt, inTransaction) => {
      // A locked attempt of an order that starts now starts when it holds its locks (restamped below). A
      // trunk lit meanwhile by another replica's order is lit from that order's start, taken after its own
      // locks, so before this one's; planned from an earlier instant (its arrival, or before waiting for
      // the pair lock), this order could not groom onto it and would light another.
      let w: BookingWindow = requested;
      let view = await ctx.views.cached(tx);
      let target: OrderTarget | null = null;
      let snap: st.PlanningSnapshot | null = null;
      let ticket: ReadTicket | null = null;
      let plan: Plan | null = null;
      /** Where the plan's waves are lit (tentatively) until held or turned off. */
      let planState: LineState | null = null;
      const reasons: string[] = [];
      try {
        for (let viewAttempt = 1, waits = 0; viewAttempt <= MAX_VIEW_ATTEMPTS && !snap; viewAttempt++) {
          target = req.inlineSpec ? inlineTarget(ctx, view, req.inlineSpec, p) : quoteTarget(view, req.quote, req.quoteRef as { quoteId: string; optionId: string }, ctx.now());
          // Without a transaction: one read without locks; this process's in-flight plans come on top
          // of it and the write statement's exclusion constraint refuses a plan another process made
          // stale. In a transaction (configured so, or an order that kept losing races): every resource
          // the route could use is locked before the read, so the plan cannot go stale.
          if (inTransaction && target.route) await st.lockResources(tx, routeLockKeys(db, view, target.spec, target.route));
          if (inTransaction) {
            const nowMs = Date.now();
            if (requested.startMs < nowMs && (requested.endMs === null || requested.endMs - nowMs >= MIN_WINDOW_MS)) w = { ...requested, startMs: nowMs };
          }
          if (ticket) ctx.inflight.endRead(ticket);
          const optical = target.spec.product !== 'dark-fiber' && target.route !== null;
          if (optical) await ctx.lit.ready(tx, view);
          ticket = ctx.inflight.beginRead();
          const request = planningRequest(view, target.spec, target.route, key === null ? null : { tenantId: p.tenantId, key }, windowIso(w), optical ? ctx.lit.since(view) : null);
          const read = inTransaction ? await st.planningSnapshot(tx, request) : await ctx.reader.submit(request);
          if (read.existingOrder) {
            if (read.existingOrder.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'this Idempotency-Key was used with a different request body');
            return { order: toOrder(read.existingOrder), created: false };
          }
          if (read.inventoryVersion !== view.version) {
            view = await ctx.views.at(tx, read.inventoryVersion);
            continue;
          }
          // Only now is the view known fresh enough to trust a "no such site" or "network changed".
          if (target.error) throw target.error;
          if (!target.route) break;
          // A plan that fits only without this process's in-flight holds waits for them to settle and
          // reads again; that wait does not use up attempts. A retry lost a race for a range: spreading
          // it over other fiber pairs and the other end of the band makes it unlikely to meet the same
          // competitor again.
          // The lit channels during the window as of this read, with this process's in-flight waves.
          // Awaited before the overlay is taken: from the overlay to inflight.add nothing may yield.
          const state = optical ? await litState(ctx, tx, view, read, litWindow(target.spec, w, Date.parse(read.now))) : null;
          // This order's own wave already lit: an earlier attempt's write committed after its outcome was
          // read as "not written" (the connection broke mid-statement). Resolve it; planning it again would
          // light the same lightpath twice.
          if (state && (state.has(`${ids.orderId}:working/0`) || state.has(`${ids.orderId}:protect/0`))) throw new WrittenMeanwhile(`order ${ids.orderId} was written by an earlier attempt`);
          // The add/drop ports the driver counts (claimed, or needed by bookings not configured yet).
          const free = await addDropFor(ctx, tx, view, target.spec);
          const overlay = ctx.inflight.overlay(ticket, target.spec.product === 'dark-fiber' ? 'strand' : 'spectrum');
          const occ = occupancyFrom(view, target.spec, overlay.entries.length > 0 ? withOverlay(read, overlay) : read);
          if (free) occ.addDrop = lessPorts(free, overlay.ports);
          const policy = policyOf(read);
          reasons.length = 0;
          plan = planCircuit(view, occ, target.spec, target.route, newTrunkId, planOptions(state, policy, ids.orderId, { spread: attempt > 1 ? Math.floor(Math.random() * 1024) : 0, trunkStart: ctx.trunkStart, reasons }));
          planState = state;
          const t = target;
          const fitsAlone = (): boolean => {
            const alone = occupancyFrom(view, t.spec, read);
            if (free) alone.addDrop = new Map(free);
            const probe = planCircuit(view, alone, t.spec, t.route as Route, newTrunkId, planOptions(state, policy, `${ids.orderId}:probe`));
            if (probe && state) for (const lp of probe.lightpaths) state.remove(lp.id);
            return probe !== null;
          };
          if (!plan && overlay.entries.length > 0 && waits < MAX_INFLIGHT_WAITS && fitsAlone()) {
            waits++;
            viewAttempt--;
            ctx.inflight.endRead(ticket);
            ticket = null;
            await ctx.inflight.whenSettled(overlay.entries);
            continue;
          }
          snap = read;
        }
        if (!target || (!snap && target.route)) throw new RetryAllocation('the inventory kept changing while the order was planned');
        const { spec, route } = target;
        if (!route || !snap || !ticket) throw noCapacity(spec, 'path', undefined, route ? [] : pairHints(view, spec));
        if (!plan) {
          // An open-ended booking that collides with a later reservation: say until when it would fit.
          const until = w.endMs === null ? await fitsUntil(ctx, tx, view, spec, route, w) : null;
          throw noCapacity(spec, 'capacity', until ? { availableUntil: until } : undefined, reasons);
        }
        // Lighting a new trunk for a packet order: this process's pair queue keeps its own orders from
        // each lighting one, but another replica's order may be lighting one for the same pair right now.
        // Only the pair's advisory lock orders them, and only a plan read after taking it sees the other's
        // trunk: so the order is planned again in a transaction that locks the pair (and its route) first
        // (routeLockKeys), then grooms onto a trunk lit meanwhile. Rare (a pair's first circuit, or a full
        // trunk), so the hot path stays lock-free.
        if (!inTransaction && db.kind === 'postgres' && plan.newTrunks.length > 0 && isPacketProduct(spec.product)) {
          // Its waves go dark again: the locked attempt plans its own. (They stayed lit, tentative, in
          // the process's lit channels, and every later quote and order counted them.)
          if (planState) for (const lp of plan.lightpaths) planState.remove(lp.id);
          throw new NeedsLockedAttempt('a new trunk is planned under its site pair lock');
        }
        // Registered before the first await, so no later plan of this process can miss it.
        hold = ctx.inflight.add(plan.addDrop.length > 0 ? [...plan.allocations, ...plan.addDrop.map((x) => ({ kind: 'port' as const, resourceId: x.siteId, sub: 0, lo: 0, hi: x.count }))] : plan.allocations);
        litHeld = plan.lightpaths;
        ctx.lit.hold(litHeld);
        ctx.inflight.endRead(ticket);
        ticket = null;
        const { placed, event, order } = placedWrite(ctx, p, ids, target, view, snap, plan, w, {
          holdSeconds: req.booking.holdSeconds,
          seriesId: null,
          key,
          hash,
          // Outside a transaction this process's own orders cannot collide (InFlightHolds), so the
          // write takes no resource locks and orders on shared spans commit side by side.
          locks: inTransaction ? planLockKeys(db, spec, plan) : [],
        });
        // The writes and the event in one statement, which checks that the inventory version and every
        // trunk it grooms onto are unchanged (see placedOrdersWrites); outside a transaction it may share
        // the statement with other orders of this process.
        const ok = inTransaction ? (await writePlacedOrders(tx, [{ order: placed, event }]))[0] : await ctx.writer.submit({ order: placed, event });
        if (!ok) throw new RetryAllocation('the inventory changed or a trunk was retired since the plan was made');
        return { order, created: true };
      } finally {
        if (ticket) ctx.inflight.endRead(ticket);
      }
    }, MAX_ALLOCATION_ATTEMPTS, { singleStatementWrites: ctx.optimisticOrders, onAttemptEnd: settleHold, written, ids: { orderId: ids.orderId } });
  } finally {
    release?.();
  }
}

/**
 * A recurring booking: every occurrence planned and written in one transaction (the in-transaction
 * reads see the occurrences written before), all or nothing, or only the feasible ones with `partial`.
 * Each occurrence is a service and an order of its own (its own window, lifecycle and restoration),
 * linked by the series id.
 */
async function placeSeries(ctx: OrderingContext, p: Principal, req: Request, key: string | null, hash: string): Promise<Placed> {
  const { db } = ctx;
  const seriesId = `ser_${ulid()}`;
  const windows = req.booking.windows;
  const ids = windows.map(() => ({ orderId: `ord_${ulid()}`, serviceId: `svc_${ulid()}` }));
  const seriesOf = async (q: Queryable, first: st.OrderRow): Promise<Placed> => {
    const rows = first.seriesId ? await st.ordersOfSeries(q, first.seriesId) : [first];
    const orders = rows.map(toOrder);
    return { order: orders[0], created: false, series: orders };
  };
  const written = async (): Promise<Placed | null> => {
    const rows = await st.ordersOfSeries(db, seriesId);
    return rows.length > 0 ? { order: toOrder(rows[0]), created: true, series: rows.map(toOrder) } : null;
  };
  return withAllocationRetry(db, async (tx) => {
    let view = await ctx.views.cached(tx);
    const orders: { order: Order; placed: st.PlacedOrder; event: NewEvent }[] = [];
    const refused: { start: string; end: string | null; reason: string }[] = [];
    for (const [i, w] of windows.entries()) {
      let target = req.inlineSpec ? inlineTarget(ctx, view, req.inlineSpec, p) : quoteTarget(view, req.quote, req.quoteRef as { quoteId: string; optionId: string }, ctx.now());
      if (target.route) await st.lockResources(tx, routeLockKeys(db, view, target.spec, target.route));
      const withKey = i === 0 && key !== null ? { tenantId: p.tenantId, key } : null;
      let snap = await st.planningSnapshot(tx, planningRequest(view, target.spec, target.route, withKey, windowIso(w)));
      if (i === 0 && snap.existingOrder) {
        if (snap.existingOrder.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'this Idempotency-Key was used with a different request body');
        return seriesOf(tx, snap.existingOrder);
      }
      if (snap.inventoryVersion !== view.version) {
        view = await ctx.views.at(tx, snap.inventoryVersion);
        target = req.inlineSpec ? inlineTarget(ctx, view, req.inlineSpec, p) : quoteTarget(view, req.quote, req.quoteRef as { quoteId: string; optionId: string }, ctx.now());
        snap = await st.planningSnapshot(tx, planningRequest(view, target.spec, target.route, null, windowIso(w)));
        if (snap.inventoryVersion !== view.version) throw new RetryAllocation('the inventory kept changing while the series was planned');
      }
      if (target.error) throw target.error;
      // In the transaction the lit channels are read exactly (the occurrences written before included).
      const tspec = target.spec;
      const state = target.route && tspec.product !== 'dark-fiber' ? await freshLitState(ctx, tx, view, (nowMs) => litWindow(tspec, w, nowMs), new Set(routeSpanIds(view, target.route))) : null;
      // The occurrences written before are in the store, so the driver counts their ports too.
      const occ = occupancyFrom(view, target.spec, snap);
      const free = target.route ? await addDropFor(ctx, tx, view, tspec) : null;
      if (free) occ.addDrop = free;
      const plan = target.route ? planCircuit(view, occ, target.spec, target.route, newTrunkId, planOptions(state, policyOf(snap), ids[i].orderId)) : null;
      if (!plan) {
        refused.push({ ...windowIso(w), reason: target.route ? 'no capacity in this window' : 'no path meets the request' });
        continue;
      }
      const built = placedWrite(ctx, p, ids[i], target, view, snap, plan, w, { holdSeconds: req.booking.holdSeconds, seriesId, key: orders.length === 0 ? key : null, hash, locks: planLockKeys(db, target.spec, plan) });
      const [ok] = await writePlacedOrders(tx, [{ order: built.placed, event: built.event }]);
      if (!ok) throw new RetryAllocation('the inventory changed or a trunk was retired since the plan was made');
      orders.push(built);
    }
    if (orders.length === 0 || (refused.length > 0 && !req.booking.partial)) {
      const spec = (req.inlineSpec ?? (req.quote?.request as CircuitSpec)) as CircuitSpec;
      throw new LightpathError(
        'capacity-exhausted',
        `${refused.length} of ${windows.length} occurrences cannot be booked for a ${spec.product} circuit from ${spec.aSite} to ${spec.zSite}${req.booking.partial ? '' : '; nothing was booked (send "partial": true to book the feasible ones)'}`,
        undefined,
        { occurrences: refused },
      );
    }
    const all = orders.map((o) => o.order);
    return { order: all[0], created: true, series: all };
  }, MAX_ALLOCATION_ATTEMPTS, { written, ids: { orderId: ids[0].orderId } });
}
