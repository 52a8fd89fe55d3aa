/**
 * Writes placed orders, combining those that become ready while a write is in flight into one
 * statement: one round trip, one parse and one commit for the lot instead of one each. Orders that
 * plan outside a transaction cannot collide within a process (InFlightHolds), so combining them
 * changes nothing they could observe: each still has its own gate (inventory version, live trunks)
 * and gets its own answer. A batch that fails as a whole (another process won a range, a repeated
 * idempotency key) is written again one order per statement, so each order meets only its own fate.
 */
import type { Queryable } from '../../store/db.js';
import { appendEventsAfter, type NewEvent } from '../../store/events.js';
import { placedOrdersWrites, type PlacedOrder } from '../../store/ordering.js';

interface Pending {
  order: PlacedOrder;
  event: NewEvent;
  resolve: (written: boolean) => void;
  reject: (err: unknown) => void;
}

/** Writes placed orders with their events; see placedOrdersWrites. Resolves false when the order's gate was shut. */
export async function writePlacedOrders(q: Queryable, items: readonly { order: PlacedOrder; event: NewEvent }[]): Promise<boolean[]> {
  const r = await appendEventsAfter(q, placedOrdersWrites(items.map((x) => x.order)), items.map((x) => x.event));
  const written = new Set(r.indexes);
  return items.map((_, i) => written.has(i));
}

/**
 * One per OrderingService: batches of at most maxBatch orders, at most maxInFlight batches at a time
 * (two, so one batch's commit overlaps the next one's execution).
 */
export class OrderWriteCombiner {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Batches written, orders in them and time spent writing (the benchmark prints the means). */
  readonly stats = { batches: 0, orders: 0, writeMs: 0 };

  constructor(
    private readonly db: Queryable,
    private readonly maxBatch = 64,
    private readonly maxInFlight = 1,
  ) {}

  /** Writes one order (outside any transaction); true when written, false when its gate was shut. */
  write(order: PlacedOrder, event: NewEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ order, event, resolve, reject });
      if (this.inFlight < this.maxInFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length > 0) await this.flush(this.queue.splice(0, this.maxBatch));
    } finally {
      this.inFlight--;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    this.stats.batches++;
    this.stats.orders += batch.length;
    const t0 = performance.now();
    try {
      const written = await writePlacedOrders(this.db, batch);
      this.stats.writeMs += performance.now() - t0;
      batch.forEach((p, i) => p.resolve(written[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // The statement wrote nothing; each order now stands alone.
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await writePlacedOrders(this.db, [p]))[0]);
          } catch (e) {
            p.reject(e);
          }
        }),
      );
    }
  }
}
