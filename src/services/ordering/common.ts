/** Helpers the ordering use cases share: occupancy loading, retries, paging and request hashing. */
import crypto from 'node:crypto';
import { LightpathError } from '../../domain/errors.js';
import type { CircuitSpec } from '../../domain/products.js';
import { isPacketProduct } from '../../domain/products.js';
import type { SpectrumGrid } from '../../engine/index.js';
import { PgCode, sqlState, type Db, type Queryable } from '../../store/db.js';
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
function occupancyResources(view: NetworkView, spec: CircuitSpec, route: Route | null): { kind: 'spectrum' | 'strand'; ids: string[] } {
  const spanIds = route ? routeSpanIds(view, route) : [];
  if (spec.product === 'dark-fiber') return { kind: 'strand', ids: spanIds.flatMap((id) => view.spans[view.graph.spanIndex(id)].cables.map((c) => c.id)) };
  return { kind: 'spectrum', ids: spanIds };
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
): Promise<st.PlanningSnapshot> {
  return st.planningSnapshot(q, planningRequest(view, spec, route, idempotency));
}

/** What a planning read for this route asks for: the resources it may touch, trunks, idempotency. */
export function planningRequest(view: NetworkView, spec: CircuitSpec, route: Route | null, idempotency: { tenantId: string; key: string } | null = null): st.SnapshotRequest {
  const { kind, ids } = occupancyResources(view, spec, route);
  const pair: [string, string] | null = route && isPacketProduct(spec.product) ? [spec.aSite, spec.zSite] : null;
  return { kind, resourceIds: ids, trunkPair: pair, idempotency };
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
export async function loadOccupancy(q: Queryable, view: NetworkView, spec: CircuitSpec, route: Route): Promise<Occupancy> {
  return occupancyFrom(view, spec, await readPlanningSnapshot(q, view, spec, route));
}

/** Thrown inside an allocation transaction to start over from fresh state. */
export class RetryAllocation extends Error {}

// Arbitrary constant: serializes late allocation retries on a server so a loser of races always makes progress.
const ALLOCATION_LOCK_KEY = 7_310_550_010;

/** Most attempts before an order that keeps losing races gets capacity-exhausted. */
export const MAX_ALLOCATION_ATTEMPTS = 10;

/** Process-wide counters of allocation retries by cause (printed by the benchmark). */
export const allocationStats = { transactions: 0, retries: 0, byCause: {} as Record<string, number>, gaveUp: 0 };

/** Attempts from this one on take the global allocation lock. */
const LOCKED_FROM_ATTEMPT = 4;

/**
 * Runs an allocating transaction, optimistic first: if a concurrent writer wins a range (exclusion
 * violation), a deadlock, or a retry request, it starts over from fresh state after a short random
 * pause. Early retries stay optimistic (a global lock there would make every conflict a convoy);
 * later ones take a global advisory lock so they cannot keep colliding with each other, and each
 * conflict means some other order won, so the system always makes progress. Gives up with
 * capacity-exhausted. With singleStatementWrites (fn reads, then writes everything in one statement
 * that takes its own locks) the optimistic attempts run outside a transaction. onAttemptEnd hears
 * after each attempt whether what it wrote is committed.
 */
export async function withAllocationRetry<T>(
  db: Db,
  fn: (tx: Queryable, attempt: number, inTransaction: boolean) => Promise<T>,
  maxAttempts = MAX_ALLOCATION_ATTEMPTS,
  opts: { singleStatementWrites?: boolean; onAttemptEnd?: (committed: boolean) => void } = {},
): Promise<T> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    allocationStats.transactions++;
    try {
      let result: T;
      // fn makes all its writes in one statement: early attempts need no transaction, so nothing the
      // statement locks is held across a round trip to this process (see appendEventAfter).
      if (opts.singleStatementWrites && attempt < LOCKED_FROM_ATTEMPT) result = await fn(db, attempt, false);
      else {
        result = await db.transaction(async (tx) => {
          if (attempt >= LOCKED_FROM_ATTEMPT && db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ALLOCATION_LOCK_KEY]);
          return fn(tx, attempt, true);
        });
      }
      opts.onAttemptEnd?.(true);
      return result;
    } catch (err) {
      opts.onAttemptEnd?.(false);
      const state = sqlState(err);
      const retry =
        err instanceof RetryAllocation ||
        state === PgCode.exclusionViolation ||
        state === PgCode.deadlockDetected ||
        state === PgCode.serializationFailure ||
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
  throw new LightpathError('capacity-exhausted', `capacity kept being taken by concurrent orders (${maxAttempts} attempts); try again`);
}

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

