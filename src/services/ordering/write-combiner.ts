/**
 * Writes placed orders, combining those that become ready while a write is in flight into one
 * statement (Batcher). Orders that plan outside a transaction cannot collide within a process
 * (InFlightHolds), so combining them changes nothing they could observe: each still has its own gate
 * (inventory version, live trunks) and gets its own answer. A batch that fails as a whole (another
 * process won a range, a repeated idempotency key) is written again one order per statement.
 */
import type { Queryable } from '../../store/db.js';
import { appendEventsAfter, type NewEvent } from '../../store/events.js';
import { placedOrdersWrites, type PlacedOrder } from '../../store/ordering.js';
import { Batcher } from './batcher.js';

/** Writes placed orders with their events in one statement; false for an order whose gate was shut. */
export async function writePlacedOrders(q: Queryable, items: readonly { order: PlacedOrder; event: NewEvent }[]): Promise<boolean[]> {
  const r = await appendEventsAfter(q, placedOrdersWrites(items.map((x) => x.order)), items.map((x) => x.event));
  const written = new Set(r.indexes);
  return items.map((_, i) => written.has(i));
}

/**
 * One per OrderingService: one write statement in flight at a time (two would only queue on the
 * events ordering lock and make smaller batches; bench/orders.ts measured it).
 */
export class OrderWriteCombiner {
  private readonly batcher: Batcher<{ order: PlacedOrder; event: NewEvent }, boolean>;

  constructor(db: Queryable, maxBatch = 64) {
    this.batcher = new Batcher((items) => writePlacedOrders(db, items), { maxBatch, maxInFlight: 1 });
  }

  /** Writes, counted: batches, orders in them and time spent writing. */
  get stats(): { batches: number; orders: number; writeMs: number } {
    const s = this.batcher.stats;
    return { batches: s.batches, orders: s.items, writeMs: s.ms };
  }

  /** Writes one order (outside any transaction); true when written, false when its gate was shut. */
  write(order: PlacedOrder, event: NewEvent): Promise<boolean> {
    return this.batcher.submit({ order, event });
  }
}
