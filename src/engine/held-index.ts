/**
 * Held intervals of one resource, found by a window without looking at the others: what a quote asks
 * of a span's hundreds of spectrum rows over a calendar's months, of which a window of hours or days
 * meets only those held around it.
 *
 * Items are kept in a set (add and delete cost nothing); the first search after a change sorts them
 * by start. A search then looks only at items starting before the window ends and after the window's
 * start less the longest bounded item (no earlier one can reach into the window), plus the
 * open-ended ones. Intervals are half-open, [fromMs, toMs), toMs null = open-ended.
 */
export interface HeldInterval {
  fromMs: number;
  toMs: number | null;
}

export class HeldIndex<T extends HeldInterval> {
  private readonly items = new Set<T>();
  /** The items by start, in arrays, built by the first search after a change; null after a change. */
  private sorted: Sorted<T> | null = null;

  get size(): number {
    return this.items.size;
  }

  add(item: T): void {
    this.items.add(item);
    this.sorted = null;
  }

  delete(item: T): void {
    if (this.items.delete(item)) this.sorted = null;
  }

  /** Appends to `out` each item held at some instant of [fromMs, toMs) (toMs null: open-ended). */
  collectIn(fromMs: number, toMs: number | null, out: T[]): void {
    const s = (this.sorted ??= sortItems(this.items));
    const to = toMs ?? Infinity;
    // Bounded items starting at or before fromMs − maxLenMs end at or before fromMs. The test reads
    // the typed arrays: only the items kept are touched.
    const { starts, untils, items } = s.bounded;
    for (let i = firstAbove(starts, fromMs - s.maxLenMs), end = firstAtLeast(starts, to); i < end; i++) if (untils[i] > fromMs) out.push(items[i]);
    const open = s.open;
    for (let i = 0, end = firstAtLeast(open.starts, to); i < end; i++) out.push(open.items[i]);
  }
}

/** Items by start: their starts and ends (ms) in typed arrays beside them. */
interface Run<T> {
  items: T[];
  starts: Float64Array;
  untils: Float64Array;
}

interface Sorted<T> {
  bounded: Run<T>;
  /** The longest bounded item's length. */
  maxLenMs: number;
  open: Run<T>;
}

function sortItems<T extends HeldInterval>(all: Iterable<T>): Sorted<T> {
  const bounded: T[] = [];
  const open: T[] = [];
  let maxLenMs = 0;
  for (const it of all) {
    if (it.toMs === null) open.push(it);
    else {
      bounded.push(it);
      maxLenMs = Math.max(maxLenMs, it.toMs - it.fromMs);
    }
  }
  return { bounded: run(bounded), maxLenMs, open: run(open) };
}

function run<T extends HeldInterval>(items: T[]): Run<T> {
  items.sort((a, b) => a.fromMs - b.fromMs);
  return { items, starts: Float64Array.from(items, (it) => it.fromMs), untils: Float64Array.from(items, (it) => it.toMs ?? Infinity) };
}

/** The first index whose value is at least x (values ascending). */
function firstAtLeast(v: Float64Array, x: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is above x (values ascending). */
function firstAbove(v: Float64Array, x: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
