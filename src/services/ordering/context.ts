/**
 * What the ordering use cases share in one process: the database, the cached network view, this
 * process's in-flight holds and site-pair gate, the lit channels (the QoT check's input), the batched
 * reader and writer, and the tunables; plus the small helpers every use case needs (sites check,
 * pricing, loss budgets, planning options, ids).
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, validationFailed, type FieldError } from '../../domain/errors.js';
import { lossBudget } from '../../domain/loss.js';
import { qotPolicyFrom, type QotPolicy } from '../../domain/optical.js';
import { circuitAvailability, priceCircuit, protectedAvailability, type LegRisks, type PriceBook } from '../../domain/pricing.js';
import { allowsTransit } from '../../domain/network.js';
import { isPacketProduct, parseCircuitSpec, type CircuitSpec } from '../../domain/products.js';
import { makePath, type Path } from '../../engine/index.js';
import { LineSystemState, type LineState } from '../../engine/qot/index.js';
import type { Db, Queryable } from '../../store/db.js';
import * as st from '../../store/ordering.js';
import { Batcher } from './batcher.js';
import type { CircuitDesign, DesignPath } from './design.js';
import { InFlightHolds, KeyedGate } from './inflight.js';
import { buildLitState, LitChannels, type LitWindow } from './lit-channels.js';
import type { Pricing } from './model.js';
import { NetworkViewCache, type NetworkView } from './network-view.js';
import { DEFAULT_K, routeSpanIds, type Plan, type PlanOptions, type QotContext, type Route } from './planner.js';
import { writePlacedOrders, type OrderWrite } from './write-combiner.js';

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
  /**
   * How long before a booking's start its activation begins (default LIGHTPATH_ACTIVATION_LEAD_SECONDS
   * or 0: the network is configured at the start of the window, and the service bills from then).
   */
  activationLeadMs?: number;
  /**
   * Where first fit starts in a trunk's units, as a fraction of its capacity (PlanOptions.trunkStart;
   * default 0, the bottom). `serve` gives each replica a random one.
   */
  trunkStart?: number;
  /** Clock for windows and holds (tests); default Date.now. */
  now?: () => number;
  /**
   * Add/drop ports free per ROADM site, as the southbound driver counts them (SouthboundDriver.addDropFree);
   * waves are planned only where they are free. Absent (the emulator driver): ports are not limited.
   */
  addDropFree?: (q: Queryable, view: NetworkView) => Promise<Map<string, number>>;
}

/** The shared state of the ordering use cases in one process. */
export interface OrderingContext {
  readonly db: Db;
  readonly views: NetworkViewCache;
  /** Ranges this process's orders have planned whose writes some read may not show yet. */
  readonly inflight: InFlightHolds;
  /** The channels lit on every span from now on, kept current per view (see lit-channels.ts). */
  readonly lit: LitChannels;
  /** Packet orders between one site pair queue here (see place.ts). */
  readonly pairGate: KeyedGate;
  /** Combines concurrent order writes of this process into one statement each (see write-combiner.ts). */
  readonly writer: Batcher<OrderWrite, boolean>;
  /** Combines the planning reads of concurrent orders (outside transactions) into one statement each. */
  readonly reader: Batcher<st.SnapshotRequest, st.PlanningSnapshot>;
  /** Where this process starts first fit in a trunk's units (PlanOptions.trunkStart). */
  readonly trunkStart: number;
  readonly quoteTtlMs: number;
  readonly k: number;
  readonly optimisticOrders: boolean;
  readonly activationLeadMs: number;
  readonly now: () => number;
  readonly addDropFree: ((q: Queryable, view: NetworkView) => Promise<Map<string, number>>) | null;
}

function leadFromEnv(): number {
  const v = Number(process.env.LIGHTPATH_ACTIVATION_LEAD_SECONDS ?? 0);
  return Number.isFinite(v) && v >= 0 ? v * 1000 : 0;
}

/** Builds the context of one OrderingService. */
export function createOrderingContext(db: Db, opts: OrderingOptions = {}): OrderingContext {
  return {
    db,
    views: new NetworkViewCache(),
    inflight: new InFlightHolds(),
    lit: new LitChannels(),
    pairGate: new KeyedGate(),
    writer: new Batcher((items) => writePlacedOrders(db, items), { maxBatch: 64, maxInFlight: 1 }),
    // A lone read takes the leaner single-request statement.
    reader: new Batcher(async (reqs) => (reqs.length === 1 ? [await st.planningSnapshot(db, reqs[0])] : st.planningSnapshots(db, reqs)), { maxBatch: 64, maxInFlight: 2 }),
    trunkStart: opts.trunkStart ?? 0,
    quoteTtlMs: opts.quoteTtlMs ?? 60 * 60 * 1000,
    k: opts.k ?? DEFAULT_K,
    optimisticOrders: opts.optimisticOrders ?? true,
    activationLeadMs: opts.activationLeadMs ?? leadFromEnv(),
    now: opts.now ?? Date.now,
    addDropFree: opts.addDropFree ?? null,
  };
}

/**
 * The add/drop ports free per ROADM site for a booking (null: not known, or not a wave: the driver
 * configures no trunk waves on the devices, so packet products take no ports).
 */
export async function addDropFor(ctx: OrderingContext, q: Queryable, view: NetworkView, spec: CircuitSpec): Promise<Map<string, number> | null> {
  return ctx.addDropFree && spec.product === 'wave' ? ctx.addDropFree(q, view) : null;
}

/** The circuit part of a request, or validation-failed with every problem. */
export function parseSpec(input: unknown): CircuitSpec {
  const r = parseCircuitSpec(input);
  if ('errors' in r) throw validationFailed('invalid circuit request', r.errors);
  return r.spec;
}

/** Throws validation-failed unless both sites exist and suit the product. */
export function checkSites(view: NetworkView, spec: CircuitSpec): void {
  const errors: FieldError[] = [];
  const a = view.sites.get(spec.aSite);
  const z = view.sites.get(spec.zSite);
  if (!a) errors.push({ path: '/aSite', message: `unknown site ${JSON.stringify(spec.aSite)}` });
  if (!z) errors.push({ path: '/zSite', message: `unknown site ${JSON.stringify(spec.zSite)}` });
  if (z && spec.product === 'cloud-connect' && z.kind !== 'cloud-onramp') errors.push({ path: '/zSite', message: 'cloud-connect ends at a cloud on-ramp site' });
  if (a && spec.product === 'cloud-connect' && a.kind === 'cloud-onramp') errors.push({ path: '/aSite', message: 'cloud-connect starts at a customer site, not an on-ramp' });
  if (errors.length > 0) throw validationFailed('invalid circuit request', errors);
}

/** True when both end sites are in the view (else checkSites explains, once the view is known fresh). */
export function sitesKnown(view: NetworkView, spec: CircuitSpec): boolean {
  return view.sites.has(spec.aSite) && view.sites.has(spec.zSite);
}

/** A design path's spans and transit sites as the availability model sees them (null when the inventory lost one). */
function legRisks(view: NetworkView, p: DesignPath): LegRisks | null {
  const spans = p.spanIds.map((id) => view.spans[view.graph.spanIndex(id)]);
  if (spans.some((s) => s === undefined)) return null;
  return { spans: spans.map((s) => ({ id: s.id, lengthKm: s.lengthKm, srlgIds: s.srlgIds })), transitSiteIds: p.siteIds.slice(1, -1) };
}

/** Price and availability of a design; a 1+1 circuit's availability counts what its legs actually share. */
export function pricingOf(book: PriceBook, spec: CircuitSpec, design: CircuitDesign, view: NetworkView): Pricing {
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
export function withLoss(view: NetworkView, spec: CircuitSpec, design: CircuitDesign, policy: QotPolicy): CircuitDesign {
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

/** The operator's QoT policy as a snapshot read it. */
export function policyOf(snap: Pick<st.PlanningSnapshot, 'qotPolicy'>): QotPolicy {
  return qotPolicyFrom(snap.qotPolicy);
}

/** A state with no spans, for plans that light no wave (dark fiber). */
const NO_STATE = new LineSystemState([]);

/** Planning options for a request: the lit channels (when optical), the margin, the lightpath id prefix. */
export function planOptions(state: LineState | null, policy: QotPolicy, idPrefix: string, extra: Partial<PlanOptions> = {}): PlanOptions {
  // Dark fiber never plans a wave; an empty state keeps the type honest without loading anything.
  const qot: QotContext = { state: state ?? NO_STATE, marginDb: policy.marginDb, idPrefix };
  return { qot, ...extra };
}

/**
 * The window whose lit channels a plan is checked against: the booking's window from now on; a packet
 * circuit's waves are trunks, which hold their spectrum open-ended from their start.
 */
export function litWindow(spec: CircuitSpec, w: { startMs: number; endMs: number | null }, nowMs: number): LitWindow {
  return { fromMs: Math.max(w.startMs, nowMs), toMs: isPacketProduct(spec.product) ? null : w.endMs };
}

/**
 * The lit channels of this view during a window, brought up to the snapshot's occupancy version (the
 * delta it read), or loaded again when the occupancy log no longer reaches back to the version held.
 */
export async function litState(ctx: OrderingContext, q: Queryable, view: NetworkView, snap: st.PlanningSnapshot, window: LitWindow): Promise<LineState> {
  await ctx.lit.ready(q, view);
  if (!ctx.lit.apply(view, snap.occupancy, Date.parse(snap.now))) await ctx.lit.reload(q, view);
  const below = ctx.lit.pruneBelow();
  // Off the request's path: the log only needs to reach back as far as readers are.
  if (below !== null) void st.pruneOccupancyLog(ctx.db, below).catch(() => {});
  return ctx.lit.stateFor(view, window);
}

/**
 * The channels lit during a window read inside the caller's transaction (exact for it), with this
 * process's in-flight waves: what a modify, a re-booking or a restoration plans against.
 */
export async function freshLitState(ctx: OrderingContext, tx: Queryable, view: NetworkView, window: (nowMs: number) => LitWindow, near: ReadonlySet<string> | null = null): Promise<LineSystemState> {
  const r = await st.litChannelRows(tx);
  return buildLitState(view, r.rows, window(Date.parse(r.now)), near, ctx.lit.inFlight());
}

/** Why candidates were refused, for an error's detail (the first few distinct reasons). */
export function explain(reasons: readonly string[]): string {
  const distinct = [...new Set(reasons)];
  return distinct.length === 0 ? '' : `: ${distinct.slice(0, 3).join('; ')}${distinct.length > 3 ? ` (and ${distinct.length - 3} more)` : ''}`;
}

/** The engine path of a stored design path, or null when the network no longer has it. */
export function pathFromDesign(view: NetworkView, p: DesignPath): Path | null {
  const g = view.graph;
  const nodes = p.siteIds.map((id) => g.nodeIndex(id));
  const spans = p.spanIds.map((id) => g.spanIndex(id));
  if (nodes.some((v) => v < 0) || spans.some((e) => e < 0)) return null;
  return makePath(g, nodes, spans);
}

export function newTrunkId(): string {
  return `trk_${ulid()}`;
}

/** The unordered site pair of a circuit. */
export function pairKey(spec: Pick<CircuitSpec, 'aSite' | 'zSite'>): string {
  return [spec.aSite, spec.zSite].sort().join('|');
}

/**
 * Advisory-lock keys of exactly the resources a plan takes, plus the site pair for packet circuits
 * (which keeps two orders from lighting a trunk each where one would do). None on PGlite: one
 * connection, so nothing runs concurrently.
 */
export function planLockKeys(db: Db, spec: CircuitSpec, plan: Plan): string[] {
  if (db.kind !== 'postgres') return [];
  const keys = plan.allocations.map((a) => `${a.kind}:${a.resourceId}:${a.sub}`);
  if (isPacketProduct(spec.product)) keys.push(`pair:${pairKey(spec)}`);
  return [...new Set(keys)].sort();
}

/**
 * Advisory-lock keys of every resource the route could use (none on PGlite: one connection). Locked
 * before reading occupancy, the plan is made on state no concurrent order can change: overlapping
 * orders queue, disjoint ones run in parallel. The locks are taken in one global order, so they cannot
 * deadlock; the exclusion constraint stays the guarantee.
 */
export function routeLockKeys(db: Db, view: NetworkView, spec: CircuitSpec, route: Route): string[] {
  if (db.kind !== 'postgres') return [];
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
 * Why no disjoint pair can exist, when the reason is an end's own reach: an end with fewer than two
 * live spans a path can continue from (to the other end, or to a site that allows transit).
 */
export function pairHints(view: NetworkView, spec: CircuitSpec): string[] {
  if (spec.protection !== 'protected-1+1') return [];
  const out: string[] = [];
  for (const end of [spec.aSite, spec.zSite]) {
    const other = end === spec.aSite ? spec.zSite : spec.aSite;
    const exits = view.spans.filter((s, e) => {
      if (view.failed[e] === 1 || (s.aSiteId !== end && s.zSiteId !== end)) return false;
      const next = view.sites.get(s.aSiteId === end ? s.zSiteId : s.aSiteId);
      return next !== undefined && (next.id === other || allowsTransit(next));
    }).length;
    if (exits < 2) out.push(`${end} has ${exits === 0 ? 'no span' : 'one span'} a path can leave it by (its other neighbours are endpoint-only sites, which carry no transit), so no disjoint pair leaves it`);
  }
  return out;
}

/** The message of a capacity-exhausted answer. */
export function noCapacity(spec: CircuitSpec, what: 'path' | 'capacity', extra?: Record<string, unknown>, reasons: readonly string[] = []): LightpathError {
  const detail =
    what === 'path'
      ? `no ${spec.protection === 'protected-1+1' ? `${spec.disjointness ?? 'SRLG'}-disjoint pair of paths` : 'path'} from ${spec.aSite} to ${spec.zSite} meets the request${explain(reasons)}`
      : `no capacity left for a ${spec.product} ${spec.bandwidthGbps ? spec.bandwidthGbps + 'G ' : ''}circuit from ${spec.aSite} to ${spec.zSite}${explain(reasons)}`;
  return new LightpathError('capacity-exhausted', extra?.availableUntil ? `${detail} for the whole window; it would fit until ${String(extra.availableUntil)}` : detail, undefined, extra);
}
