/**
 * Min-heap of departure events keyed by time, in typed arrays so that pushing and popping never
 * allocates. Capacity is fixed up front: the number of live services is bounded by spans x slots.
 */
export class DepartureHeap {
  private readonly times: Float64Array;
  private readonly ids: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  /** Number of pending departures. */
  get size(): number {
    return this.n;
  }

  /** Time of the earliest departure, or +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0] : Infinity;
  }

  /** Schedules service `id` to depart at `time`. */
  push(time: number, id: number): void {
    if (this.n >= this.times.length) throw new RangeError('departure heap is full');
    const times = this.times;
    const ids = this.ids;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    times[i] = time;
    ids[i] = id;
  }

  /** Removes the earliest departure and returns its service id (-1 when empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const times = this.times;
    const ids = this.ids;
    const top = ids[0];
    const last = --this.n;
    const t = times[last];
    const id = ids[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && times[child + 1] < times[child]) child++;
      if (times[child] >= t) break;
      times[i] = times[child];
      ids[i] = ids[child];
      i = child;
    }
    times[i] = t;
    ids[i] = id;
    return top;
  }

  /** Drops every pending event. */
  clear(): void {
    this.n = 0;
  }
}
