/**
 * The one way a booking's plan is written. holdOf turns a plan into what the store's gated write takes
 * (its trunks, allocations, locks, groomed trunks and inventory version); placed orders (new bookings
 * and modify orders) are written with their order rows, jobs, audit and event by writePlacedOrders, and
 * a booking planned again under its existing order by st.writeHold: both through the same gate, so every
 * allocation an order makes is written under the same locks in the same order.
 *
 * writePlacedOrders writes many orders in one statement. OrderingService runs it through a Batcher, one
 * write in flight at a time (two would only queue on the events ordering lock and make smaller batches;
 * bench/orders.ts measured it). Orders that plan outside a transaction cannot collide within a process
 * (InFlightHolds), so combining them changes nothing they could observe: each still has its own gate
 * (inventory version, live trunks) and gets its own answer; a batch that fails as a whole (another
 * process won a range, a repeated idempotency key) is written again one order per statement.
 */
import type { Queryable } from '../../store/db.js';
import { appendEventsAfter, type NewEvent } from '../../store/events.js';
import { placedOrdersWrites, type HoldWrite, type PlacedOrder } from '../../store/ordering.js';
import type { Plan } from './planner.js';

/** An order to write and its acknowledged event. */
export interface OrderWrite {
  order: PlacedOrder;
  event: NewEvent;
}

/** Writes placed orders with their events in one statement; false for an order whose gate was shut. */
export async function writePlacedOrders(q: Queryable, items: readonly OrderWrite[]): Promise<boolean[]> {
  const r = await appendEventsAfter(q, placedOrdersWrites(items.map((x) => x.order)), items.map((x) => x.event));
  const written = new Set(r.indexes);
  return items.map((_, i) => written.has(i));
}

/**
 * What the gated write of a plan takes: the trunks it lights, its allocations (a service's own, or a
 * trunk's for the trunks it lights), the existing trunks it grooms onto, for its window, written only
 * while the inventory is still at `inventoryVersion`, under `locks` (see planLockKeys).
 */
export function holdOf(plan: Plan, o: { serviceId: string; locks: readonly string[]; inventoryVersion: number; window: HoldWrite['window'] }): Omit<HoldWrite, 'orderId'> {
  const lit = new Set(plan.newTrunks.map((t) => t.id));
  return {
    trunks: plan.newTrunks.map((t) => ({ id: t.id, aSiteId: t.aSiteId, zSiteId: t.zSiteId, capacityGbps: t.capacityGbps, siteIds: t.siteIds, spanIds: t.spanIds, latencyUs: t.latencyUs, lengthKm: t.lengthKm })),
    allocations: plan.allocations.map((a) => ({ kind: a.kind, resourceId: a.resourceId, sub: a.sub, lo: a.lo, hi: a.hi, role: a.role, serviceId: a.trunkId ? null : o.serviceId, trunkId: a.trunkId ?? null, ...(a.channel ? { channel: a.channel } : {}) })),
    locks: o.locks,
    liveTrunks: [...new Set(plan.allocations.filter((a) => a.kind === 'trunk' && !lit.has(a.resourceId)).map((a) => a.resourceId))],
    inventoryVersion: o.inventoryVersion,
    window: o.window,
  };
}
