/** Helpers the ordering use cases share: occupancy loading, retries, paging and request hashing. */
import crypto from 'node:crypto';
import { LightpathError } from '../../domain/errors.js';
import type { CircuitSpec } from '../../domain/products.js';
import { isPacketProduct } from '../../domain/products.js';
import type { SpectrumGrid } from '../../engine/index.js';
import { constraintName, PgCode, sqlState, type Db, type Queryable } from '../../store/db.js';
import { isConnectionError } from '../../store/errors.js';
import * as st from '../../store/ordering.js';
import type { NetworkView } from './network-view.js';
import { baseLayers, routeSpanIds, type Occupancy, type Route } from './planner.js';

export { pageArgs, toPage, type Page } from '../paging.js';

const baseLayerCache = new WeakMap<NetworkView, SpectrumGrid[]>();

function markOccupied(grid: SpectrumGrid, span: number, lo: number, hi: number): void {
  const end = Math.min(hi, grid.slotCount);
  if (lo >= end) return;
  if (grid.isFree(span, lo, end - lo)) grid.occupy(span, lo, end - lo);
  // Overlap with structural blocking only happens after an inventory shrink; mark slot by slot then.
  else for (let s = lo; s < end; s++) if (grid.isFree(span, s, 1)) grid.occupy(span, s, 1);
}

/** Resources (span or cable ids) whose held ranges a plan for this route needs, and their kind. */
function occupancyResources(view: NetworkView, spec: CircuitSpec, route: Route | null): { kind: 'spectrum' | 'strand'; ids: string[]; subs: number } {
  const spanIds = route ? routeSpanIds(view, route) : [];
  if (spec.product === 'dark-fiber') return { kind: 'strand', ids: spanIds.flatMap((id) => view.spans[view.graph.spanIndex(id)].cables.map((c) => c.id)), subs: 1 };
  return { kind: 'spectrum', ids: spanIds, subs: view.maxFiberPairs };
}

/**
 * Reads, in one round trip, the inventory version, price book and everything held on the resources a
 * route may touch (trunks too for packet products); with an idempotency key it also returns the order
 * made under it. The caller compares the version with its view's.
 */
export async function readPlanningSnapshot(
  q: Queryable,
  view: NetworkView,
  spec: CircuitSpec,
  route: Route | null,
  idempotency: { tenantId: string; key: string } | null = null,
  window: st.SnapshotRequest['window'] = null,
  occupancySince: number | null = null,
): Promise<st.PlanningSnapshot> {
  return st.planningSnapshot(q, planningRequest(view, spec, route, idempotency, window, occupancySince));
}

/**
 * What a planning read for this route asks for: the resources it may touch, trunks, idempotency, the
 * window, and (spectrum products) the lit-channel changes after the version this process holds.
 */
export function planningRequest(
  view: NetworkView,
  spec: CircuitSpec,
  route: Route | null,
  idempotency: { tenantId: string; key: string } | null = null,
  window: st.SnapshotRequest['window'] = null,
  occupancySince: number | null = null,
): st.SnapshotRequest {
  const { kind, ids, subs } = occupancyResources(view, spec, route);
  const pair: [string, string] | null = route && isPacketProduct(spec.product) ? [spec.aSite, spec.zSite] : null;
  return { kind, resourceIds: ids, subs, trunkPair: pair, idempotency, window, ...(kind === 'spectrum' && occupancySince !== null ? { occupancySince } : {}) };
}

/** Builds the planner's occupancy from a snapshot (pure). */
export function occupancyFrom(view: NetworkView, spec: CircuitSpec, snap: Pick<st.PlanningSnapshot, 'held' | 'trunks'>): Occupancy {
  let base = baseLayerCache.get(view);
  if (!base) {
    base = baseLayers(view);
    baseLayerCache.set(view, base);
  }
  const occ: Occupancy = { layers: base.map((l) => l.clone()), strands: new Map(), trunks: [] };
  if (spec.product === 'dark-fiber') {
    for (const a of snap.held) {
      const list = occ.strands.get(a.resourceId) ?? [];
      list.push([a.lo, a.hi]);
      occ.strands.set(a.resourceId, list);
    }
    return occ;
  }
  for (const a of snap.held) {
    const e = view.graph.spanIndex(a.resourceId);
    if (e >= 0 && a.sub < occ.layers.length) markOccupied(occ.layers[a.sub], e, a.lo, a.hi);
  }
  if (isPacketProduct(spec.product)) {
    occ.trunks = snap.trunks.map((t) => ({
      id: t.id,
      aSiteId: t.aSiteId,
      zSiteId: t.zSiteId,
      capacityGbps: t.capacityGbps,
      siteIds: t.siteIds,
      spanIds: t.spanIds,
      latencyUs: t.latencyUs,
      lengthKm: t.lengthKm,
      used: t.used,
    }));
  }
  return occ;
}

/** Loads what is held on the resources a route may touch, inside the caller's transaction. */
export async function loadOccupancy(q: Queryable, view: NetworkView, spec: CircuitSpec, route: Route, window: st.SnapshotRequest['window'] = null): Promise<Occupancy> {
  return occupancyFrom(view, spec, await readPlanningSnapshot(q, view, spec, route, null, window));
}

/** The resources (kind and ids) a route may touch, for reads outside the planning snapshot. */
export function routeResources(view: NetworkView, spec: CircuitSpec, route: Route | null): { kind: 'spectrum' | 'strand'; ids: string[]; subs: number } {
  return occupancyResources(view, spec, route);
}

/** Thrown inside an allocation transaction to start over from fresh state. */
export class RetryAllocation extends Error {}

/**
 * Thrown by an optimistic (out-of-transaction) attempt whose plan needs locks to be right: the next
 * attempt runs in a transaction that takes them before reading (it does not count as a lost race).
 */
export class NeedsLockedAttempt extends RetryAllocation {}

/**
 * An earlier attempt of this request whose outcome was unknown, and looked not written when read, shows
 * up committed after all (its statement finished on the server after the connection broke and after the
 * read): resolved like an unknown outcome, with `written`, never planned a second time.
 */
export class WrittenMeanwhile extends Error {}

// Arbitrary constant: serializes late allocation retries on a server so a loser of races always makes progress.
const ALLOCATION_LOCK_KEY = 7_310_550_010;

/** Most attempts before an order that keeps losing races gets capacity-exhausted. */
export const MAX_ALLOCATION_ATTEMPTS = 10;

/** Process-wide counters of allocation retries by cause (printed by the benchmark). */
export const allocationStats = { transactions: 0, retries: 0, byCause: {} as Record<string, number>, gaveUp: 0 };

/** Attempts from this one on take the global allocation lock. */
const LOCKED_FROM_ATTEMPT = 4;

/** How long an unknown write outcome is chased (reads retried while the database is unreachable). */
const RESOLVE_FOR_MS = 20_000;

/**
 * Finds out whether a write whose outcome is unknown (the connection broke around its COMMIT) went in,
 * by reading what it would have left. Retries the read while the database does not answer; gives up
 * with store-unavailable (naming what to look up) when it never does.
 */
export async function resolveUnknown<T>(read: () => Promise<T | null>, what: { orderId?: string } = {}): Promise<T | null> {
  const deadline = Date.now() + RESOLVE_FOR_MS;
  for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
    try {
      return await read();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (Date.now() + wait > deadline) {
        throw new LightpathError('store-unavailable', 'the database stopped answering while the request was written; its outcome is not known yet', undefined, {
          retryAfterSeconds: 2,
          ...(what.orderId ? { orderId: what.orderId } : {}),
        });
      }
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** What withAllocationRetry does besides retrying. */
export interface AllocationRetryOptions<T> {
  /** fn makes all its writes in one statement: early attempts run outside a transaction. */
  singleStatementWrites?: boolean;
  /** Told after each attempt whether what it wrote is committed. */
  onAttemptEnd?: (committed: boolean) => void;
  /**
   * Reads whether this request's write already went in (by the ids it writes), for an attempt whose
   * outcome is unknown (the connection broke) or that collided with its own ids (a write that did go
   * in before). Its answer is returned as the result; null means "not written", and the attempt is
   * made again.
   */
  written?: () => Promise<T | null>;
  /** Ids to name in a store-unavailable answer. */
  ids?: { orderId?: string };
}

/**
 * Runs an allocating transaction, optimistic first: if a concurrent writer wins a range (exclusion
 * violation), a deadlock, or a retry request, it starts over from fresh state after a short random
 * pause. Early retries stay optimistic (a global lock there would make every conflict a convoy);
 * later ones take a global advisory lock so they cannot keep colliding with each other, and each
 * conflict means some other order won, so the system always makes progress. When contention outlasts
 * the attempts it answers busy (503, Retry-After): capacity-exhausted comes only from the planner, which
 * proved that nothing fits. With singleStatementWrites (fn reads, then writes everything in one
 * statement) the optimistic attempts run outside a transaction. A write whose outcome is unknown is
 * resolved with `written` before anything is written again.
 */
export async function withAllocationRetry<T>(
  db: Db,
  fn: (tx: Queryable, attempt: number, inTransaction: boolean) => Promise<T>,
  maxAttempts = MAX_ALLOCATION_ATTEMPTS,
  opts: AllocationRetryOptions<T> = {},
): Promise<T> {
  let needsLocks = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    allocationStats.transactions++;
    try {
      let result: T;
      // fn makes all its writes in one statement: early attempts need no transaction, so nothing the
      // statement locks is held across a round trip to this process (see appendEventAfter).
      if (opts.singleStatementWrites && attempt < LOCKED_FROM_ATTEMPT && !needsLocks) result = await fn(db, attempt, false);
      else {
        result = await db.transaction(async (tx) => {
          if (attempt >= LOCKED_FROM_ATTEMPT && db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ALLOCATION_LOCK_KEY]);
          return fn(tx, attempt, true);
        });
      }
      opts.onAttemptEnd?.(true);
      return result;
    } catch (err) {
      const state = sqlState(err);
      const ownIds = (state === PgCode.uniqueViolation && OWN_KEYS.has(constraintName(err) ?? '')) || err instanceof WrittenMeanwhile;
      const unknown = isConnectionError(err);
      // Not committed, except perhaps when unknown (then the in-flight holds stay until the read says).
      opts.onAttemptEnd?.(false);
      if ((unknown || ownIds) && opts.written) {
        allocationStats.byCause[unknown ? 'outcome-unknown' : 'own-ids'] = (allocationStats.byCause[unknown ? 'outcome-unknown' : 'own-ids'] ?? 0) + 1;
        const found = await resolveUnknown(opts.written, opts.ids);
        if (found !== null) return found;
        // Not written: the attempt did nothing and may be made again (it does not count).
        if (unknown) attempt--;
        continue;
      }
      if (unknown) throw err;
      if (err instanceof NeedsLockedAttempt && !needsLocks) {
        // Not a lost race: the same attempt again, in a transaction with its locks.
        allocationStats.byCause['needs-locks'] = (allocationStats.byCause['needs-locks'] ?? 0) + 1;
        needsLocks = true;
        attempt--;
        continue;
      }
      const retry =
        err instanceof RetryAllocation ||
        state === PgCode.exclusionViolation ||
        state === PgCode.deadlockDetected ||
        state === PgCode.serializationFailure ||
        state === PgCode.outsideInventory ||
        state === PgCode.uniqueViolation;
      if (!retry) throw err;
      allocationStats.retries++;
      const cause = err instanceof RetryAllocation ? 'retry-requested' : (state ?? 'unknown');
      allocationStats.byCause[cause] = (allocationStats.byCause[cause] ?? 0) + 1;
      // Jitter spreads the losers out so they do not collide again on the same free range.
      if (attempt < LOCKED_FROM_ATTEMPT) await new Promise((r) => setTimeout(r, Math.random() * 2 * attempt));
    }
  }
  allocationStats.gaveUp++;
  throw new LightpathError('busy', `capacity kept being taken by concurrent writers (${maxAttempts} attempts); nothing was written, try again`, undefined, { retryAfterSeconds: 1 });
}

/** Primary keys whose violation means "this request's own row is already there". */
const OWN_KEYS = new Set(['orders_pkey', 'services_pkey']);

/** Stable hash of a request body, for idempotency comparison (key order does not matter). */
export function requestHash(body: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return crypto.createHash('sha256').update(JSON.stringify(canon(body) ?? null)).digest('hex');
}

