/**
 * Writes placed orders, many in one statement. OrderingService runs it through a Batcher, one write in
 * flight at a time (two would only queue on the events ordering lock and make smaller batches;
 * bench/orders.ts measured it). Orders that plan outside a transaction cannot collide within a process
 * (InFlightHolds), so combining them changes nothing they could observe: each still has its own gate
 * (inventory version, live trunks) and gets its own answer; a batch that fails as a whole (another
 * process won a range, a repeated idempotency key) is written again one order per statement.
 */
import type { Queryable } from '../../store/db.js';
import { appendEventsAfter, type NewEvent } from '../../store/events.js';
import { placedOrdersWrites, type PlacedOrder } from '../../store/ordering.js';

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
