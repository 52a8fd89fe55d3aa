/**
 * What this process's orders have planned but a database read may not show yet.
 *
 * Orders plan on a snapshot read without locks and then write in one statement, where the exclusion
 * constraint refuses a plan made on stale state. Within one process that race is avoidable: every
 * plan registers the ranges it takes here before its write is sent, and every later plan in this
 * process treats them as taken until no read that could have missed them is still outstanding. So
 * concurrent orders of one process never pick the same slots, need no database locks to keep out of
 * each other's way, and do not retry; the constraint stays the guarantee between processes.
 *
 * A hold is visible to a read when it is still in flight, or when its write committed after the read
 * was sent (the read's snapshot may predate the commit). Counting a committed range twice (in the
 * snapshot and here) is harmless: it is taken either way.
 */
import type { HeldRange } from '../../store/ordering.js';

/**
 * A range one plan takes: spectrum slots, strands, or trunk capacity units (resourceId = trunk id);
 * or add/drop ports at a ROADM (resourceId = site id, hi − lo ports), which the store does not hold
 * as ranges (the driver claims them at activation) but a concurrent plan must not count on either.
 */
export interface PlannedHold extends HeldRange {
  kind: 'spectrum' | 'strand' | 'trunk' | 'port';
}

interface Entry {
  ranges: readonly PlannedHold[];
  /** Completion counter value when its write committed; null while in flight. */
  doneAt: number | null;
  settled: Promise<void>;
  resolve: () => void;
}

/** A read in progress: holds completed after it started may be missing from its snapshot. */
export interface ReadTicket {
  readonly startedAt: number;
}

/** Holds a plan must respect on top of its snapshot, and the entries they came from (to wait on). */
export interface Overlay {
  held: HeldRange[];
  trunkUnits: Map<string, [number, number][]>;
  /** Add/drop ports taken per site. */
  ports: Map<string, number>;
  entries: readonly object[];
}

/** In-flight holds of one process (one per OrderingService). */
export class InFlightHolds {
  private completions = 0;
  private readonly entries = new Set<Entry>();
  /** startedAt → number of reads outstanding with it. */
  private readonly reads = new Map<number, number>();

  /** Call just before sending a planning read. */
  beginRead(): ReadTicket {
    const t = { startedAt: this.completions };
    this.reads.set(t.startedAt, (this.reads.get(t.startedAt) ?? 0) + 1);
    return t;
  }

  /** Call once the plan made on the read has been registered (or abandoned). */
  endRead(t: ReadTicket): void {
    const n = (this.reads.get(t.startedAt) ?? 1) - 1;
    if (n > 0) this.reads.set(t.startedAt, n);
    else this.reads.delete(t.startedAt);
    this.collect();
  }

  /** Holds of the given kind (and all trunk units and ports) a plan made on this read must treat as taken. */
  overlay(t: ReadTicket, kind: 'spectrum' | 'strand'): Overlay {
    const out: Overlay = { held: [], trunkUnits: new Map(), ports: new Map(), entries: [] };
    const entries: Entry[] = [];
    for (const e of this.entries) {
      if (e.doneAt !== null && e.doneAt <= t.startedAt) continue;
      entries.push(e);
      for (const r of e.ranges) {
        if (r.kind === kind) out.held.push({ resourceId: r.resourceId, sub: r.sub, lo: r.lo, hi: r.hi });
        else if (r.kind === 'trunk') {
          const list = out.trunkUnits.get(r.resourceId) ?? [];
          list.push([r.lo, r.hi]);
          out.trunkUnits.set(r.resourceId, list);
        } else if (r.kind === 'port') out.ports.set(r.resourceId, (out.ports.get(r.resourceId) ?? 0) + r.hi - r.lo);
      }
    }
    out.entries = entries;
    return out;
  }

  /** Registers a plan's holds; call synchronously after planning, before its write is sent. */
  add(ranges: readonly PlannedHold[]): object {
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    const e: Entry = { ranges, doneAt: null, settled, resolve };
    this.entries.add(e);
    return e;
  }

  /** The plan's write committed (true) or certainly did not (false). */
  settle(token: object, committed: boolean): void {
    const e = token as Entry;
    if (!this.entries.has(e) || e.doneAt !== null) return;
    if (committed) e.doneAt = ++this.completions;
    else this.entries.delete(e);
    e.resolve();
    this.collect();
  }

  /** Resolves once every given entry is settled. */
  async whenSettled(entries: readonly object[]): Promise<void> {
    await Promise.all(entries.map((e) => (e as Entry).settled));
  }

  /** Holds currently kept (in flight or not yet seen by every outstanding read); for tests. */
  get size(): number {
    return this.entries.size;
  }

  // Drops committed holds every outstanding read is known to see.
  private collect(): void {
    let oldest = Infinity;
    for (const s of this.reads.keys()) oldest = Math.min(oldest, s);
    for (const e of this.entries) if (e.doneAt !== null && e.doneAt <= oldest) this.entries.delete(e);
  }
}

/** Serializes async work per key inside this process (e.g. packet orders between one site pair). */
export class KeyedGate {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the key's earlier holders, then returns the function that lets the next one in. */
  async acquire(key: string): Promise<() => void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
