/**
 * Service ordering use cases: quotes (reserve nothing), orders (allocate in one transaction, guarded by
 * the database's exclusion constraint), and the services they create (list, modify, disconnect).
 * Activation happens later, in the ActivationWorker; this module only records what to activate.
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, notFound, validationFailed, type FieldError } from '../../domain/errors.js';
import { lossBudget } from '../../domain/loss.js';
import { latencyLowerBoundUs } from '../../domain/network.js';
import { qotPolicyFrom, type QotPolicy } from '../../domain/optical.js';
import { circuitAvailability, priceCircuit, protectedAvailability, type LegRisks, type Money } from '../../domain/pricing.js';
import { bandwidthIssues, isPacketProduct, parseCircuitSpec, type CircuitSpec } from '../../domain/products.js';
import { makePath, type Path } from '../../engine/index.js';
import type { Db, Queryable } from '../../store/db.js';
import { appendEvent, type NewEvent } from '../../store/events.js';
import { lockInventoryShared } from '../../store/inventory.js';
import * as jobs from '../../store/jobs.js';
import { audit, auditRow } from '../audit.js';
import { ACTIVATE_ORDER } from '../job-kinds.js';
import * as st from '../../store/ordering.js';
import { loadOccupancy, MAX_ALLOCATION_ATTEMPTS, occupancyFrom, pageArgs, planningRequest, readPlanningSnapshot, requestHash, RetryAllocation, toPage, withAllocationRetry, type Page } from './common.js';
import type { CircuitDesign, DesignPath } from './design.js';
import { InFlightHolds, KeyedGate, type Overlay, type ReadTicket } from './inflight.js';
import { NetworkViewCache, type NetworkView } from './network-view.js';
import { Batcher } from './batcher.js';
import { writePlacedOrders, type OrderWrite } from './write-combiner.js';
import { cloneOccupancy, DEFAULT_K, planCircuit, qotSummary, routeFor, routeSpanIds, type PathQotSummary, type Plan, type PlanOptions, type QotContext, type Route } from './planner.js';
import { loadPriceBook, priceBookFrom } from './pricebook.js';
import { LitChannels, buildLitState } from './lit-channels.js';
import { loadQotPolicy } from './qot-policy.js';
import { LineSystemState, type LightpathInput } from '../../engine/qot/index.js';
import { tenantScope, type Principal } from './principal.js';

/** Price and availability of a circuit. */
export interface Pricing {
  monthly: Money;
  hourly: Money;
  availability: number;
}

/** One way to deliver a quoted circuit. */
export interface QuoteOption extends Pricing {
  id: string;
  paths: DesignPath[];
  /** 1+1: what the two legs share (empty lists when fully disjoint). */
  sharing?: CircuitDesign['sharing'];
  /** Waves: per path, the mode and its GSNR against the threshold. */
  qot?: PathQotSummary[];
  lengthKm: number;
  latencyUs: number;
  /** Straight-line fiber latency between the two sites: no route can beat it. */
  latencyLowerBoundUs: number;
}

/** A quote (CONVENTIONS: times ISO-8601 UTC). */
export interface Quote {
  id: string;
  tenantId: string;
  request: CircuitSpec;
  options: QuoteOption[];
  createdAt: string;
  expiresAt: string;
}

/** An order (TMF641 states). */
export interface Order {
  id: string;
  tenantId: string;
  action: 'add' | 'modify' | 'delete';
  state: 'acknowledged' | 'inProgress' | 'completed' | 'failed' | 'cancelled';
  serviceId: string;
  quoteId: string | null;
  optionId: string | null;
  spec: CircuitSpec;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** A service in the tenant's inventory. */
export interface Service extends CircuitSpec {
  id: string;
  tenantId: string;
  state: 'reserved' | 'active' | 'down' | 'terminated';
  design: CircuitDesign;
  price: { monthly: Money; hourly: Money };
  availability: number;
  createdAt: string;
  updatedAt: string;
}

/** What an add/modify order will install when activation completes (stored on the order). */
export interface OrderPayload {
  design: CircuitDesign;
  pricing: Pricing;
}

/** Tunables. */
export interface OrderingOptions {
  /** How long a quote can be ordered from (default 1 h). */
  quoteTtlMs?: number;
  /** Alternatives quoted for unprotected/restorable circuits (default 3). */
  k?: number;
  /**
   * true (default): an order reads and plans without a transaction, on the database's state plus the
   * ranges this process's in-flight orders took (InFlightHolds), and writes in one statement whose
   * exclusion constraint refuses a plan another process made stale (then it starts over; after a few
   * losses it falls back to the locked way). false: every order locks every resource its candidate
   * paths could use, then reads, plans and writes in one transaction. bench/orders.ts measures both.
   */
  optimisticOrders?: boolean;
}

/** Converts a stored order to its API shape. */
export function toOrder(r: st.OrderRow): Order {
  return {
    id: r.id,
    tenantId: r.tenantId,
    action: r.action as Order['action'],
    state: r.state as Order['state'],
    serviceId: r.serviceId,
    quoteId: r.quoteId,
    optionId: r.optionId,
    spec: r.spec as CircuitSpec,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    completedAt: r.completedAt,
  };
}

/** Converts a stored service to its API shape. */
export function toService(r: st.ServiceRow): Service {
  const pricing = r.price as Pricing;
  return {
    id: r.id,
    tenantId: r.tenantId,
    ...(r.spec as CircuitSpec),
    state: r.state as Service['state'],
    design: r.design as CircuitDesign,
    price: { monthly: pricing.monthly, hourly: pricing.hourly },
    availability: pricing.availability,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toQuote(r: st.QuoteRow): Quote {
  return { id: r.id, tenantId: r.tenantId, request: r.request as CircuitSpec, options: r.options as QuoteOption[], createdAt: r.createdAt, expiresAt: r.expiresAt };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws validation-failed unless both sites exist and suit the product. */
function checkSites(view: NetworkView, spec: CircuitSpec): void {
  const errors: FieldError[] = [];
  const a = view.sites.get(spec.aSite);
  const z = view.sites.get(spec.zSite);
  if (!a) errors.push({ path: '/aSite', message: `unknown site ${JSON.stringify(spec.aSite)}` });
  if (!z) errors.push({ path: '/zSite', message: `unknown site ${JSON.stringify(spec.zSite)}` });
  if (z && spec.product === 'cloud-connect' && z.kind !== 'cloud-onramp') errors.push({ path: '/zSite', message: 'cloud-connect ends at a cloud on-ramp site' });
  if (a && spec.product === 'cloud-connect' && a.kind === 'cloud-onramp') errors.push({ path: '/aSite', message: 'cloud-connect starts at a customer site, not an on-ramp' });
  if (errors.length > 0) throw validationFailed('invalid circuit request', errors);
}

/** A design path's spans and transit sites as the availability model sees them (null when the inventory lost one). */
function legRisks(view: NetworkView, p: DesignPath): LegRisks | null {
  const spans = p.spanIds.map((id) => view.spans[view.graph.spanIndex(id)]);
  if (spans.some((s) => s === undefined)) return null;
  return { spans: spans.map((s) => ({ id: s.id, lengthKm: s.lengthKm, srlgIds: s.srlgIds })), transitSiteIds: p.siteIds.slice(1, -1) };
}

/** Price and availability; a 1+1 circuit's availability counts what its legs actually share. */
function pricingOf(book: Awaited<ReturnType<typeof loadPriceBook>>, spec: CircuitSpec, design: CircuitDesign, view: NetworkView): Pricing {
  const working = design.paths.find((p) => p.role === 'working') ?? design.paths[0];
  const protect = design.paths.find((p) => p.role === 'protect') ?? null;
  const price = priceCircuit(book, spec.product, spec.protection, spec.bandwidthGbps, working.lengthKm, protect ? protect.lengthKm : null);
  const w = protect ? legRisks(view, working) : null;
  const pr = protect ? legRisks(view, protect) : null;
  if (spec.protection === 'protected-1+1' && w && pr) return { ...price, availability: protectedAvailability(w, pr).availability };
  return { ...price, availability: circuitAvailability(spec.protection, working.lengthKm, protect ? protect.lengthKm : null) };
}

/**
 * Adds to a design what it states besides its paths: the loss budget of every dark-fiber path (each
 * span's fiber type, judged against the policy's unamplified maximum) and, for 1+1, what the legs share.
 */
function withLoss(view: NetworkView, spec: CircuitSpec, design: CircuitDesign, policy: QotPolicy): CircuitDesign {
  let out = design;
  if (spec.product === 'dark-fiber') {
    out = {
      ...out,
      paths: out.paths.map((p) => ({
        ...p,
        lossBudget: lossBudget(p.spanIds.map((id) => { const s = view.spans[view.graph.spanIndex(id)]; return { lengthKm: s.lengthKm, ...(s.fiberType !== undefined ? { fiberType: s.fiberType } : {}) }; }), policy.maxUnamplifiedLossDb),
      })),
    };
  }
  const working = out.paths.find((p) => p.role === 'working');
  const protect = out.paths.find((p) => p.role === 'protect');
  if (spec.protection === 'protected-1+1' && working && protect) {
    const w = legRisks(view, working);
    const pr = legRisks(view, protect);
    if (w && pr) {
      const sh = protectedAvailability(w, pr);
      // What the pair achieves (at least what the request promised): the strongest disjointness it keeps.
      const disjointness = sh.spanIds.length > 0 ? 'link' : sh.srlgIds.length === 0 ? (sh.siteIds.length === 0 ? 'node-srlg' : 'srlg') : sh.siteIds.length === 0 ? 'node' : 'link';
      out = { ...out, sharing: { disjointness, spanIds: sh.spanIds, srlgIds: sh.srlgIds, siteIds: sh.siteIds } };
    }
  }
  return out;
}

function pathFromDesign(view: NetworkView, p: DesignPath): Path | null {
  const g = view.graph;
  const nodes = p.siteIds.map((id) => g.nodeIndex(id));
  const spans = p.spanIds.map((id) => g.spanIndex(id));
  if (nodes.some((v) => v < 0) || spans.some((e) => e < 0)) return null;
  return makePath(g, nodes, spans);
}

function newTrunkId(): string {
  return `trk_${ulid()}`;
}

/** A state with no spans, for plans that light no wave (dark fiber). */
const NO_STATE = new LineSystemState([]);

/** Times a statement may find the inventory moved past the cached view before the caller gives up. */
const MAX_VIEW_ATTEMPTS = 3;

/** Times an order waits for this process's in-flight orders to settle before it takes "no capacity" as final. */
const MAX_INFLIGHT_WAITS = 64;

/** Why candidates were refused, for an error's detail (the first few distinct reasons). */
function explain(reasons: readonly string[]): string {
  const distinct = [...new Set(reasons)];
  return distinct.length === 0 ? '' : `: ${distinct.slice(0, 3).join('; ')}${distinct.length > 3 ? ` (and ${distinct.length - 3} more)` : ''}`;
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

/** The unordered site pair of a circuit. */
function pairKey(spec: Pick<CircuitSpec, 'aSite' | 'zSite'>): string {
  return [spec.aSite, spec.zSite].sort().join('|');
}

/** True when both end sites are in the view (else checkSites explains, once the view is known fresh). */
function sitesKnown(view: NetworkView, spec: CircuitSpec): boolean {
  return view.sites.has(spec.aSite) && view.sites.has(spec.zSite);
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
function quoteTarget(view: NetworkView, quote: st.QuoteRow | null, body: { quoteId: string; optionId: string }): OrderTarget {
  const fail = (error: LightpathError): OrderTarget => ({
    spec: (quote?.request ?? {}) as CircuitSpec,
    route: null,
    tenantId: quote?.tenantId ?? '',
    quoteId: null,
    optionId: null,
    quotedPricing: null,
    error,
  });
  if (!quote) return fail(notFound('quote', body.quoteId));
  if (Date.parse(quote.expiresAt) <= Date.now()) return fail(new LightpathError('conflict', `quote ${quote.id} expired at ${quote.expiresAt}; ask for a new one`));
  const option = (quote.options as QuoteOption[]).find((o) => o.id === body.optionId);
  if (!option) return fail(validationFailed('unknown option', [{ path: '/optionId', message: `quote ${quote.id} has no option ${body.optionId}` }]));
  const paths = option.paths.map((x) => pathFromDesign(view, x));
  if (paths.some((x) => x === null)) return fail(new LightpathError('conflict', 'the network changed since this quote; ask for a new one'));
  const ps = paths as Path[];
  const spec = quote.request as CircuitSpec;
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

/** Quotes, orders and services. */
export class OrderingService {
  readonly views = new NetworkViewCache();
  /** The channels lit on every span (window [now, ∞)), kept current per view: the QoT check's input. */
  readonly lit = new LitChannels();
  /** Ranges this process's orders have planned whose writes some read may not show yet. */
  readonly inflight = new InFlightHolds();
  private readonly pairGate = new KeyedGate();
  /** Combines concurrent order writes of this process into one statement each (see write-combiner.ts). */
  readonly writer: Batcher<OrderWrite, boolean>;
  /** Combines the planning reads of concurrent orders (outside transactions) into one statement each. */
  readonly reader: Batcher<st.SnapshotRequest, st.PlanningSnapshot>;
  private readonly quoteTtlMs: number;
  private readonly k: number;
  private readonly optimisticOrders: boolean;

  constructor(
    readonly db: Db,
    opts: OrderingOptions = {},
  ) {
    this.quoteTtlMs = opts.quoteTtlMs ?? 60 * 60 * 1000;
    this.k = opts.k ?? DEFAULT_K;
    this.optimisticOrders = opts.optimisticOrders ?? true;
    this.writer = new Batcher((items) => writePlacedOrders(db, items), { maxBatch: 64, maxInFlight: 1 });
    // A lone read takes the leaner single-request statement.
    this.reader = new Batcher(async (reqs) => (reqs.length === 1 ? [await st.planningSnapshot(db, reqs[0])] : st.planningSnapshots(db, reqs)), { maxBatch: 64, maxInFlight: 2 });
  }

  private parseSpec(input: unknown): CircuitSpec {
    const r = parseCircuitSpec(input);
    if ('errors' in r) throw validationFailed('invalid circuit request', r.errors);
    return r.spec;
  }

  // ---- quotes ----------------------------------------------------------------------------------

  /** Prices up to k ways to deliver a circuit, given what is free now. Reserves nothing. */
  async quote(p: Principal, input: unknown): Promise<Quote> {
    const spec = this.parseSpec(input);
    // Plan on the cached view and read version, price book, QoT policy, occupancy and what changed in
    // the lit channels in one statement; only when the inventory moved meanwhile is the view rebuilt
    // and the read repeated.
    let view = await this.views.cached(this.db);
    let route: Route | null;
    let snap: st.PlanningSnapshot;
    const optical = spec.product !== 'dark-fiber';
    // A quote reserves nothing, so when the inventory keeps changing under it the last route and
    // snapshot (read for the same view) are still a fair answer.
    for (let attempt = 1; ; attempt++) {
      route = sitesKnown(view, spec) ? routeFor(view, spec, this.k) : null;
      if (optical && route) await this.lit.ready(this.db, view);
      snap = await readPlanningSnapshot(this.db, view, spec, route, null, optical && route ? this.lit.since(view) : null);
      if (snap.inventoryVersion === view.version || attempt >= MAX_VIEW_ATTEMPTS) break;
      view = await this.views.at(this.db, snap.inventoryVersion);
    }
    checkSites(view, spec);
    const options: QuoteOption[] = [];
    if (route) {
      const book = priceBookFrom(snap.priceBook);
      const policy = qotPolicyFrom(snap.qotPolicy);
      const occ = occupancyFrom(view, spec, snap);
      const state = optical ? await this.litState(this.db, view, snap) : null;
      const a = view.sites.get(spec.aSite);
      const z = view.sites.get(spec.zSite);
      const lowerBound = a && z ? latencyLowerBoundUs(a, z) : 0;
      // Each unprotected candidate is priced on its own path; each protected one on its disjoint pair.
      const routes: Route[] = route.kind === 'pair' ? route.pairs.map((pair) => ({ kind: 'pair', pairs: [pair], disjointness: route.disjointness })) : route.candidates.map((c) => ({ kind: 'single', candidates: [c] }));
      const seen = new Set<string>();
      for (const r of routes) {
        if (options.length >= this.k) break;
        const plan = planCircuit(view, cloneOccupancy(occ), spec, r, newTrunkId, this.planOptions(state, policy, `quote:${options.length}`));
        // A quote lights nothing: the waves it tried go dark again.
        if (plan && state) for (const lp of plan.lightpaths) state.remove(lp.id);
        if (!plan) continue;
        const design = withLoss(view, spec, plan.design, policy);
        const key = design.paths.map((x) => x.spanIds.join(',')).join('|');
        if (seen.has(key)) continue; // packet circuits may groom several candidates onto one trunk
        seen.add(key);
        const working = design.paths[0];
        options.push({
          id: `opt-${options.length + 1}`,
          paths: design.paths,
          ...(design.sharing ? { sharing: design.sharing } : {}),
          ...(optical && qotSummary(design).length > 0 ? { qot: qotSummary(design) } : {}),
          lengthKm: working.lengthKm,
          latencyUs: working.latencyUs,
          latencyLowerBoundUs: lowerBound,
          ...pricingOf(book, spec, design, view),
        });
      }
    }
    const row = await st.insertQuote(this.db, {
      id: `quo_${ulid()}`,
      tenantId: p.tenantId,
      request: spec,
      options,
      expiresAt: new Date(Date.now() + this.quoteTtlMs).toISOString(),
    });
    return toQuote(row);
  }

  /** Planning options for a request: the lit channels (when optical), the margin, the lightpath id prefix. */
  private planOptions(state: LineSystemState | null, policy: QotPolicy, idPrefix: string, extra: Partial<PlanOptions> = {}): PlanOptions {
    // Dark fiber never plans a wave; an empty state keeps the type honest without loading anything.
    const qot: QotContext = { state: state ?? NO_STATE, marginDb: policy.marginDb, idPrefix };
    return { qot, ...extra };
  }

  /**
   * The lit channels of this view, brought up to the snapshot's occupancy version (the delta it read),
   * or loaded again when the occupancy log no longer reaches back to the version held.
   */
  private async litState(q: Queryable, view: NetworkView, snap: st.PlanningSnapshot): Promise<LineSystemState> {
    await this.lit.ready(q, view);
    if (!this.lit.apply(view, snap.occupancy, Date.parse(snap.now))) await this.lit.reload(q, view);
    const below = this.lit.pruneBelow();
    // Off the request's path: the log only needs to reach back as far as readers are.
    if (below !== null) void st.pruneOccupancyLog(this.db, below).catch(() => {});
    return this.lit.stateOf(view);
  }

  /** A quote (404 for another tenant's). */
  async getQuote(p: Principal, id: string): Promise<Quote> {
    const r = await st.getQuote(this.db, id, tenantScope(p));
    if (!r) throw notFound('quote', id);
    return toQuote(r);
  }

  /** The caller's quotes (every tenant's for operators). */
  async listQuotes(p: Principal, req: { limit?: number; cursor?: string }): Promise<Page<Quote>> {
    const { limit, after } = pageArgs(req);
    return toPage((await st.listQuotes(this.db, { tenantId: tenantScope(p), after, limit: limit + 1 })).map(toQuote), limit);
  }

  // ---- orders ----------------------------------------------------------------------------------

  /**
   * Places an order from a quote option ({quoteId, optionId}) or an inline circuit spec, allocating
   * everything it needs in one transaction. With an idempotency key, a retry returns the first order
   * (created: false) and a different body under the same key is idempotency-conflict.
   */
  async placeOrder(p: Principal, input: unknown, idempotencyKey?: string): Promise<{ order: Order; created: boolean }> {
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
      throw validationFailed('invalid Idempotency-Key', [{ path: '/headers/idempotency-key', message: 'must be 1..200 characters' }]);
    }
    const fromQuote = isObject(input) && ('quoteId' in input || 'optionId' in input);
    let inlineSpec: CircuitSpec | null = null;
    if (fromQuote) {
      const errors: FieldError[] = [];
      for (const k of Object.keys(input)) if (k !== 'quoteId' && k !== 'optionId') errors.push({ path: `/${k}`, message: 'unknown field (order from a quote takes quoteId and optionId only)' });
      if (typeof input.quoteId !== 'string' || !/^quo_[0-9A-Z]{26}$/.test(input.quoteId)) errors.push({ path: '/quoteId', message: 'must be a quote id' });
      if (typeof input.optionId !== 'string' || !/^opt-\d{1,3}$/.test(input.optionId)) errors.push({ path: '/optionId', message: 'must be an option id like opt-1' });
      if (errors.length > 0) throw validationFailed('invalid order', errors);
    } else {
      inlineSpec = this.parseSpec(input);
    }
    const hash = requestHash(input);
    // The ids are this request's, whatever happens: a write whose outcome is unknown (the connection
    // broke around its COMMIT) is resolved by looking its order up, so retrying can never make two.
    const ids = { orderId: `ord_${ulid()}`, serviceId: `svc_${ulid()}` };
    const written = async (): Promise<{ order: Order; created: boolean } | null> => {
      const r = await st.getOrder(this.db, ids.orderId, undefined);
      return r ? { order: toOrder(r), created: true } : null;
    };

    const key = idempotencyKey ?? null;
    // From a quote: the quote says where the circuit goes (quotes never change, so one read serves
    // every attempt). Its problems are reported only after the idempotency lookup, so a retry of an
    // order whose quote has since expired still gets the order.
    const quote = inlineSpec ? null : await st.getQuote(this.db, (input as { quoteId: string }).quoteId, tenantScope(p));
    const asked = inlineSpec ?? (quote?.request as CircuitSpec | undefined);
    // Packet orders between one site pair queue here, so two of them do not each light a trunk where
    // one would do (between processes the site-pair lock of a locked attempt does that).
    const release = asked && isPacketProduct(asked.product) ? await this.pairGate.acquire(pairKey(asked)) : null;
    let hold: object | null = null;
    let litHeld: LightpathInput[] = [];
    const settleHold = (committed: boolean): void => {
      if (hold) this.inflight.settle(hold, committed);
      hold = null;
      if (litHeld.length > 0) this.lit.settle(litHeld, committed);
      litHeld = [];
    };
    try {
      return await withAllocationRetry(this.db, async (tx, attempt, inTransaction) => {
        let view = await this.views.cached(tx);
        let target: OrderTarget | null = null;
        let snap: st.PlanningSnapshot | null = null;
        let ticket: ReadTicket | null = null;
        let plan: Plan | null = null;
        const reasons: string[] = [];
        try {
          for (let viewAttempt = 1, waits = 0; viewAttempt <= MAX_VIEW_ATTEMPTS && !snap; viewAttempt++) {
            target = inlineSpec ? this.inlineTarget(view, inlineSpec, p) : quoteTarget(view, quote, input as { quoteId: string; optionId: string });
            // Without a transaction: one read without locks; this process's in-flight plans come on
            // top of it (InFlightHolds) and the write statement's exclusion constraint refuses a plan
            // another process made stale (then we start over). In a transaction (configured so, or an
            // order that kept losing races): every resource the route could use is locked before the
            // read, so the plan cannot go stale and the order cannot lose again. (After an inventory
            // change the new route's locks come on top of the old ones, out of global order; a
            // deadlock that may cause is retried.)
            if (inTransaction && target.route) await st.lockResources(tx, this.lockKeys(view, target.spec, target.route));
            if (ticket) this.inflight.endRead(ticket);
            const optical = target.spec.product !== 'dark-fiber' && target.route !== null;
            if (optical) await this.lit.ready(tx, view);
            ticket = this.inflight.beginRead();
            const request = planningRequest(view, target.spec, target.route, key === null ? null : { tenantId: p.tenantId, key }, optical ? this.lit.since(view) : null);
            const read = inTransaction ? await st.planningSnapshot(tx, request) : await this.reader.submit(request);
            if (read.existingOrder) {
              if (read.existingOrder.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'this Idempotency-Key was used with a different request body');
              return { order: toOrder(read.existingOrder), created: false };
            }
            if (read.inventoryVersion !== view.version) {
              view = await this.views.at(tx, read.inventoryVersion);
              continue;
            }
            // Only now is the view known fresh enough to trust a "no such site" or "network changed".
            if (target.error) throw target.error;
            if (!target.route) break;
            // A plan that fits only without this process's in-flight holds waits for them to settle
            // (they may fail and free the capacity) and reads again; that wait does not use up attempts.
            // A retry lost a race for a range: spreading it over other fiber pairs and the other end of
            // the band makes it unlikely to meet the same competitor again.
            // The lit channels as of this read, with this process's in-flight waves (held in the state).
            // Awaited before the overlay is taken: from the overlay to inflight.add nothing may yield.
            const state = optical ? await this.litState(tx, view, read) : null;
            const overlay = this.inflight.overlay(ticket, target.spec.product === 'dark-fiber' ? 'strand' : 'spectrum');
            const occ = occupancyFrom(view, target.spec, overlay.entries.length > 0 ? withOverlay(read, overlay) : read);
            const policy = qotPolicyFrom(read.qotPolicy);
            reasons.length = 0;
            plan = planCircuit(view, occ, target.spec, target.route, newTrunkId, this.planOptions(state, policy, ids.orderId, { spread: attempt > 1 ? Math.floor(Math.random() * 1024) : 0, reasons }));
            const fitsAlone = (): boolean => {
              const probe = planCircuit(view, occupancyFrom(view, target!.spec, read), target!.spec, target!.route as Route, newTrunkId, this.planOptions(state, policy, `${ids.orderId}:probe`));
              if (probe && state) for (const lp of probe.lightpaths) state.remove(lp.id);
              return probe !== null;
            };
            if (!plan && overlay.entries.length > 0 && waits < MAX_INFLIGHT_WAITS && fitsAlone()) {
              waits++;
              viewAttempt--;
              this.inflight.endRead(ticket);
              ticket = null;
              await this.inflight.whenSettled(overlay.entries);
              continue;
            }
            snap = read;
          }
          if (!target || (!snap && target.route)) throw new RetryAllocation('the inventory kept changing while the order was planned');
          const { spec, route } = target;
          if (!route || !snap || !ticket) throw new LightpathError('capacity-exhausted', `no ${spec.protection === 'protected-1+1' ? `${spec.disjointness ?? 'SRLG'}-disjoint pair of paths` : 'path'} from ${spec.aSite} to ${spec.zSite} meets the request`);
          if (!plan) throw new LightpathError('capacity-exhausted', `no capacity left for a ${spec.product} ${spec.bandwidthGbps ? spec.bandwidthGbps + 'G ' : ''}circuit from ${spec.aSite} to ${spec.zSite}${explain(reasons)}`);
          // Registered before the first await, so no later plan of this process can miss it.
          hold = this.inflight.add(plan.allocations);
          litHeld = plan.lightpaths;
          this.lit.hold(litHeld);
          this.inflight.endRead(ticket);
          ticket = null;
          return await this.writeOrder(tx, inTransaction, p, ids, target, spec, view, snap, plan, key, hash);
        } finally {
          if (ticket) this.inflight.endRead(ticket);
        }
      }, MAX_ALLOCATION_ATTEMPTS, { singleStatementWrites: this.optimisticOrders, onAttemptEnd: settleHold, written, ids: { orderId: ids.orderId } });
    } finally {
      release?.();
    }
  }

  /** Writes a planned order, its allocations and its event (see placedOrdersWrites). */
  private async writeOrder(
    tx: Queryable,
    inTransaction: boolean,
    p: Principal,
    ids: { orderId: string; serviceId: string },
    target: OrderTarget,
    spec: CircuitSpec,
    view: NetworkView,
    snap: st.PlanningSnapshot,
    plan: Plan,
    key: string | null,
    hash: string,
  ): Promise<{ order: Order; created: boolean }> {
    const design = withLoss(view, spec, plan.design, qotPolicyFrom(snap.qotPolicy));
    const pricing = target.quotedPricing ?? pricingOf(priceBookFrom(snap.priceBook), spec, design, view);
    const { serviceId, orderId } = ids;
    const lit = new Set(plan.newTrunks.map((t) => t.id));
    const placed: st.PlacedOrder = {
      service: { id: serviceId, tenantId: target.tenantId, product: spec.product, state: 'reserved', spec, design, price: pricing },
      trunks: plan.newTrunks.map((t) => ({ id: t.id, aSiteId: t.aSiteId, zSiteId: t.zSiteId, capacityGbps: t.capacityGbps, siteIds: t.siteIds, spanIds: t.spanIds, latencyUs: t.latencyUs, lengthKm: t.lengthKm })),
      allocations: plan.allocations.map((a) => ({ kind: a.kind, resourceId: a.resourceId, sub: a.sub, lo: a.lo, hi: a.hi, role: a.role, serviceId: a.trunkId ? null : serviceId, trunkId: a.trunkId ?? null, ...(a.channel ? { channel: a.channel } : {}) })),
      order: {
        id: orderId,
        tenantId: target.tenantId,
        action: 'add',
        state: 'acknowledged',
        serviceId,
        quoteId: target.quoteId,
        optionId: target.optionId,
        spec,
        design: { design, pricing } satisfies OrderPayload,
        idempotencyKey: key,
        requestHash: hash,
        requestId: p.requestId ?? null,
      },
      audit: auditRow(p, {
        action: 'order.place',
        subject: { kind: 'order', id: orderId },
        tenantId: target.tenantId,
        after: { serviceId, product: spec.product, aSite: spec.aSite, zSite: spec.zSite, bandwidthGbps: spec.bandwidthGbps, protection: spec.protection, quoteId: target.quoteId, optionId: target.optionId, idempotencyKey: key },
      }),
      // Outside a transaction this process's own orders cannot collide (InFlightHolds), so the write
      // takes no resource locks and orders on shared spans commit side by side.
      locks: inTransaction ? this.planLockKeys(spec, plan) : [],
      liveTrunks: [...new Set(plan.allocations.filter((a) => a.kind === 'trunk' && !lit.has(a.resourceId)).map((a) => a.resourceId))],
      inventoryVersion: view.version,
      // The database's clock (read with the occupancy), not this process's.
      createdAt: snap.now,
    };
    const order = toOrder(st.placedOrderRow(placed));
    // The writes and the event in one statement, which checks that the inventory version and every
    // trunk it grooms onto are unchanged (see placedOrdersWrites); outside a transaction it may share
    // the statement with other orders of this process (this.writer).
    const event: NewEvent = { type: 'order.acknowledged', tenantId: target.tenantId, subject: { kind: 'order', id: orderId }, data: order };
    const written = inTransaction ? (await writePlacedOrders(tx, [{ order: placed, event }]))[0] : await this.writer.submit({ order: placed, event });
    if (!written) throw new RetryAllocation('the inventory changed or a trunk was retired since the plan was made');
    return { order, created: true };
  }

  /** What an inline order asks for, on this view. */
  private inlineTarget(view: NetworkView, spec: CircuitSpec, p: Principal): OrderTarget {
    const base = { spec, tenantId: p.tenantId, quoteId: null, optionId: null, quotedPricing: null };
    try {
      checkSites(view, spec);
    } catch (err) {
      return { ...base, route: null, error: err as LightpathError };
    }
    return { ...base, route: routeFor(view, spec, this.k), error: null };
  }

  /**
   * Advisory-lock keys of exactly the resources a plan takes, plus the site pair for packet circuits
   * (which keeps two orders from lighting a trunk each where one would do). None on PGlite: one
   * connection, so nothing runs concurrently.
   */
  private planLockKeys(spec: CircuitSpec, plan: Plan): string[] {
    if (this.db.kind !== 'postgres') return [];
    const keys = plan.allocations.map((a) => `${a.kind}:${a.resourceId}:${a.sub}`);
    if (isPacketProduct(spec.product)) keys.push(`pair:${pairKey(spec)}`);
    return [...new Set(keys)].sort();
  }

  /** Advisory-lock keys of every resource the route could use (none on PGlite: one connection). */
  private lockKeys(view: NetworkView, spec: CircuitSpec, route: Route): string[] {
    if (this.db.kind !== 'postgres') return [];
    const keys: string[] = [];
    for (const id of routeSpanIds(view, route)) {
      const span = view.spans[view.graph.spanIndex(id)];
      if (spec.product === 'dark-fiber') for (const c of span.cables) keys.push(`strand:${c.id}:0`);
      else for (let fp = 0; fp < (span.lineSystem?.fiberPairs ?? 0); fp++) keys.push(`spectrum:${id}:${fp}`);
    }
    if (isPacketProduct(spec.product)) keys.push(`pair:${pairKey(spec)}`);
    return [...new Set(keys)].sort();
  }

  /**
   * On a server, locks every resource the route could use before reading occupancy, so the plan is
   * made on state no concurrent order can change: overlapping orders queue, disjoint ones run in
   * parallel, and nobody plans on stale state and retries. Packet circuits also lock their site pair,
   * which guards the capacity of the trunks between the two sites. The locks are taken in one global
   * order, so they cannot deadlock; they also keep two inserters of conflicting rows from waiting on
   * each other inside the exclusion constraint (which PostgreSQL can only resolve as a deadlock). The
   * exclusion constraint stays the guarantee: a writer that skipped the locks still cannot double-book.
   */
  private async lockCandidates(tx: Queryable, view: NetworkView, spec: CircuitSpec, route: Route): Promise<void> {
    await st.lockResources(tx, this.lockKeys(view, spec, route));
  }

  /** Inserts a plan's trunks and allocations for an order (the exclusion constraint arbitrates). */
  private async hold(tx: Queryable, orderId: string, serviceId: string, plan: Plan): Promise<void> {
    for (const t of plan.newTrunks) await st.insertTrunk(tx, { ...t, createdBy: orderId });
    const lit = new Set(plan.newTrunks.map((t) => t.id));
    const existing = [...new Set(plan.allocations.filter((a) => a.kind === 'trunk' && !lit.has(a.resourceId)).map((a) => a.resourceId))];
    if ((await st.lockLiveTrunks(tx, existing)).length !== existing.length) throw new RetryAllocation('a trunk was retired meanwhile');
    await st.insertAllocations(
      tx,
      orderId,
      plan.allocations.map((a) => ({ ...a, serviceId: a.trunkId ? null : serviceId, trunkId: a.trunkId ?? null })),
    );
  }

  /** An order (404 for another tenant's). */
  async getOrder(p: Principal, id: string): Promise<Order> {
    const r = await st.getOrder(this.db, id, tenantScope(p));
    if (!r) throw notFound('order', id);
    return toOrder(r);
  }

  /** The caller's orders, optionally by state or service. */
  async listOrders(p: Principal, req: { limit?: number; cursor?: string; state?: string; serviceId?: string }): Promise<Page<Order>> {
    const { limit, after } = pageArgs(req);
    const rows = await st.listOrders(this.db, { tenantId: tenantScope(p), after, limit: limit + 1, state: req.state, serviceId: req.serviceId });
    return toPage(rows.map(toOrder), limit);
  }

  /** Cancels an order that activation has not picked up yet, releasing what it held. */
  async cancelOrder(p: Principal, id: string): Promise<Order> {
    return this.db.transaction(async (tx) => {
      const row = await st.getOrder(tx, id, tenantScope(p), true);
      if (!row) throw notFound('order', id);
      // Cancelling twice (a retry after a lost answer) gives the same answer.
      if (row.state === 'cancelled') return toOrder(row);
      if (row.state !== 'acknowledged') throw new LightpathError('conflict', `order ${id} is ${row.state}; only acknowledged orders can be cancelled`);
      await st.setOrderState(tx, id, ['acknowledged'], 'cancelled', 'cancelled by the customer');
      await releaseOrder(tx, row);
      await jobs.deleteJobs(tx, ACTIVATE_ORDER, [id]);
      const order = toOrder((await st.getOrder(tx, id, undefined)) as st.OrderRow);
      await audit(tx, p, { action: 'order.cancel', subject: { kind: 'order', id }, tenantId: row.tenantId, before: { state: row.state }, after: { state: order.state } });
      await appendEvent(tx, { type: 'order.cancelled', tenantId: row.tenantId, subject: { kind: 'order', id }, data: order });
      return order;
    });
  }

  // ---- services --------------------------------------------------------------------------------

  /** A service (404 for another tenant's). */
  async getService(p: Principal, id: string): Promise<Service> {
    const r = await st.getService(this.db, id, tenantScope(p));
    if (!r) throw notFound('service', id);
    return toService(r);
  }

  /** The caller's services, optionally by state or product. */
  async listServices(p: Principal, req: { limit?: number; cursor?: string; state?: string; product?: string }): Promise<Page<Service>> {
    const { limit, after } = pageArgs(req);
    const rows = await st.listServices(this.db, { tenantId: tenantScope(p), after, limit: limit + 1, state: req.state, product: req.product });
    return toPage(rows.map(toService), limit);
  }

  /**
   * Changes an active service's bandwidth. Make-before-break: the new design is allocated alongside the
   * current one (another slot range, path or trunk when the current one cannot hold both), activated,
   * and only then is the old one released.
   */
  async modifyService(p: Principal, id: string, input: unknown): Promise<Order> {
    if (!isObject(input)) throw validationFailed('invalid change', [{ path: '', message: 'must be an object' }]);
    const errors: FieldError[] = [];
    for (const k of Object.keys(input)) if (k !== 'bandwidthGbps') errors.push({ path: `/${k}`, message: 'unknown field (only bandwidthGbps can change)' });
    if (errors.length > 0) throw validationFailed('invalid change', errors);
    const orderId = `ord_${ulid()}`;
    const written = async (): Promise<Order | null> => {
      const r = await st.getOrder(this.db, orderId, undefined);
      return r ? toOrder(r) : null;
    };
    let litHeld: LightpathInput[] = [];
    const settle = (committed: boolean): void => {
      if (litHeld.length > 0) this.lit.settle(litHeld, committed);
      litHeld = [];
    };
    return withAllocationRetry(this.db, async (tx) => {
      // Plan on the network as it is and will stay until commit (see migration 006).
      const version = await lockInventoryShared(tx);
      const svc = await st.getService(tx, id, tenantScope(p), true);
      if (!svc) throw notFound('service', id);
      const spec = svc.spec as CircuitSpec;
      const bw = bandwidthIssues(spec.product, input.bandwidthGbps);
      if (spec.product === 'dark-fiber') bw.push({ path: '/bandwidthGbps', message: 'dark fiber has no bandwidth to change' });
      if (bw.length > 0) throw validationFailed('invalid change', bw);
      if (svc.state !== 'active') throw new LightpathError('conflict', `service ${id} is ${svc.state}; only active services can be modified`);
      if (await st.hasOpenOrder(tx, id)) throw new LightpathError('conflict', `service ${id} has an order in progress`);
      const next: CircuitSpec = { ...spec, bandwidthGbps: input.bandwidthGbps as number };
      const view = await this.views.at(tx, version);
      const route = routeFor(view, next, this.k);
      if (!route) throw new LightpathError('capacity-exhausted', `no path from ${spec.aSite} to ${spec.zSite} meets the request any more`);
      await this.lockCandidates(tx, view, next, route);
      const occ = await loadOccupancy(tx, view, next, route);
      const policy = await loadQotPolicy(tx);
      // The current wave stays lit while the new one is planned beside it (make-before-break).
      const state = next.product === 'dark-fiber' ? null : await this.freshLitState(tx, view);
      const reasons: string[] = [];
      const plan = planCircuit(view, occ, next, route, newTrunkId, this.planOptions(state, policy, orderId, { reasons }));
      if (!plan) throw new LightpathError('capacity-exhausted', `no capacity for ${next.bandwidthGbps} Gbps alongside the current circuit${explain(reasons)}`);
      litHeld = plan.lightpaths;
      this.lit.hold(litHeld);
      const design = withLoss(view, next, plan.design, policy);
      const pricing = pricingOf(await loadPriceBook(tx), next, design, view);
      await this.hold(tx, orderId, id, plan);
      const row = await st.insertOrder(tx, {
        id: orderId,
        tenantId: svc.tenantId,
        action: 'modify',
        state: 'acknowledged',
        serviceId: id,
        quoteId: null,
        optionId: null,
        spec: next,
        design: { design, pricing } satisfies OrderPayload,
        idempotencyKey: null,
        requestHash: null,
        requestId: p.requestId ?? null,
      });
      const order = toOrder(row);
      await audit(tx, p, { action: 'service.modify', subject: { kind: 'service', id }, tenantId: svc.tenantId, before: { bandwidthGbps: spec.bandwidthGbps }, after: { bandwidthGbps: next.bandwidthGbps, orderId } });
      await appendEvent(tx, { type: 'order.acknowledged', tenantId: svc.tenantId, subject: { kind: 'order', id: orderId }, data: order });
      return order;
    }, MAX_ALLOCATION_ATTEMPTS, { written, ids: { orderId }, onAttemptEnd: settle });
  }

  /**
   * The channels lit in [now, ∞) read inside the caller's transaction (exact for it), with this
   * process's in-flight waves: what a modify plans against.
   */
  private async freshLitState(tx: Queryable, view: NetworkView): Promise<LineSystemState> {
    const r = await st.litChannelRows(tx);
    const state = buildLitState(view, r.rows, { fromMs: Date.parse(r.now), toMs: null });
    for (const lp of this.lit.inFlight()) if (!state.has(lp.id) && lp.spanIds.every((sid) => state.hasSpan(sid))) state.add(lp);
    return state;
  }

  /** Orders the disconnection of an active service; activation releases everything it holds. */
  async disconnectService(p: Principal, id: string): Promise<Order> {
    return this.db.transaction(async (tx) => {
      const svc = await st.getService(tx, id, tenantScope(p), true);
      if (!svc) throw notFound('service', id);
      // A service that is down (failed path) can still be given up.
      if (svc.state !== 'active' && svc.state !== 'down') throw new LightpathError('conflict', `service ${id} is ${svc.state}; only active or down services can be disconnected`);
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
      return order;
    });
  }
}

/** Trunk ids a design rides on. */
export function trunksOf(design: CircuitDesign | null | undefined): string[] {
  return (design?.paths ?? []).flatMap((p) => (p.trunk ? [p.trunk.trunkId] : []));
}

/**
 * Undoes what an unfinished order held: its own allocations, trunks it lit that now carry nothing, and
 * for an add order the service itself (terminated). Events are the caller's job.
 */
export async function releaseOrder(tx: Queryable, row: st.OrderRow): Promise<void> {
  await st.releaseAllocations(tx, { orderId: row.id });
  const payload = row.design as OrderPayload | null;
  await st.retireTrunksIfIdle(tx, trunksOf(payload?.design));
  if (row.action === 'add') await st.updateService(tx, row.serviceId, { state: 'terminated' });
}
