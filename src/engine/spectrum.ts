/**
 * Flex-grid spectrum occupancy as bitsets, span-major: span s owns words
 * [s*wordsPerSpan, (s+1)*wordsPerSpan), slot i of the span is bit (i & 31) of word (i >>> 5); bit set = occupied.
 */

/**
 * How a start slot is chosen among the free ranges common to all spans of a path:
 * - first-fit: the lowest feasible start slot;
 * - last-fit: the highest feasible start slot;
 * - best-fit: consider the maximal free blocks of the path's combined spectrum (a slot is free on the path
 *   when it is free on every span) that can hold the request with a start below maxStartExclusive; pick
 *   the block whose leftover (block size - width) is smallest, ties to the lowest block, and start at the
 *   block's first slot, so that the leftover stays in one piece.
 */
export type FitPolicy = 'first-fit' | 'last-fit' | 'best-fit';

/** Occupancy of slotCount slots on each of spanCount spans. */
export class SpectrumGrid {
  readonly spanCount: number;
  readonly slotCount: number;
  readonly wordsPerSpan: number;
  readonly bits: Uint32Array;

  constructor(spanCount: number, slotCount: number) {
    if (!Number.isInteger(spanCount) || spanCount < 0) throw new RangeError(`spanCount must be an integer >= 0, got ${spanCount}`);
    if (!Number.isInteger(slotCount) || slotCount < 1) throw new RangeError(`slotCount must be an integer >= 1, got ${slotCount}`);
    this.spanCount = spanCount;
    this.slotCount = slotCount;
    this.wordsPerSpan = (slotCount + 31) >>> 5;
    this.bits = new Uint32Array(spanCount * this.wordsPerSpan);
  }

  private check(span: number, start: number, width: number): void {
    if (!(span >= 0 && span < this.spanCount && Number.isInteger(span))) throw new RangeError(`span ${span} out of range`);
    if (!(Number.isInteger(start) && Number.isInteger(width) && start >= 0 && width >= 1 && start + width <= this.slotCount)) {
      throw new RangeError(`slot range [${start}, ${start + width}) outside 0..${this.slotCount}`);
    }
  }

  /** Number of occupied slots of span in [start, start+width). */
  private countOccupied(span: number, start: number, width: number): number {
    const base = span * this.wordsPerSpan;
    let count = 0;
    let i = start;
    const end = start + width;
    while (i < end) {
      const w = i >>> 5;
      const lo = i & 31;
      const hi = Math.min(32, lo + (end - i));
      const mask = hi - lo === 32 ? 0xffffffff : (((1 << (hi - lo)) - 1) << lo) >>> 0;
      count += popcount32(this.bits[base + w] & mask);
      i += hi - lo;
    }
    return count;
  }

  private setRange(span: number, start: number, width: number, on: boolean): void {
    const base = span * this.wordsPerSpan;
    let i = start;
    const end = start + width;
    while (i < end) {
      const w = i >>> 5;
      const lo = i & 31;
      const hi = Math.min(32, lo + (end - i));
      const mask = hi - lo === 32 ? 0xffffffff : (((1 << (hi - lo)) - 1) << lo) >>> 0;
      if (on) this.bits[base + w] |= mask;
      else this.bits[base + w] &= ~mask;
      i += hi - lo;
    }
  }

  /** True when every slot of [start, start+width) on span is free. */
  isFree(span: number, start: number, width: number): boolean {
    this.check(span, start, width);
    return this.countOccupied(span, start, width) === 0;
  }

  /** Mark [start, start+width) occupied on span; throws if any of those slots is already occupied. */
  occupy(span: number, start: number, width: number): void {
    this.check(span, start, width);
    if (this.countOccupied(span, start, width) !== 0) throw new Error(`span ${span}: slots [${start}, ${start + width}) not all free`);
    this.setRange(span, start, width, true);
  }

  /** Mark [start, start+width) free on span; throws if any of those slots is not occupied. */
  release(span: number, start: number, width: number): void {
    this.check(span, start, width);
    if (this.countOccupied(span, start, width) !== width) throw new Error(`span ${span}: slots [${start}, ${start + width}) not all occupied`);
    this.setRange(span, start, width, false);
  }

  /** Number of free slots on span. */
  freeSlots(span: number): number {
    if (!(span >= 0 && span < this.spanCount)) throw new RangeError(`span ${span} out of range`);
    const base = span * this.wordsPerSpan;
    let used = 0;
    for (let w = 0; w < this.wordsPerSpan; w++) used += popcount32(this.bits[base + w]);
    return this.slotCount - used;
  }

  /** Independent copy. */
  clone(): SpectrumGrid {
    const c = new SpectrumGrid(this.spanCount, this.slotCount);
    c.bits.set(this.bits);
    return c;
  }
}

/** Number of set bits in a 32-bit word. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// Scratch buffer for the path's combined occupancy; grown on demand, so findSlotRange allocates nothing
// in steady state. Module-level is safe: JavaScript runs one call at a time on a thread.
let scratch = new Uint32Array(16);

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** First index i in [from, limit) whose bit in buf equals `want` (1 = occupied); limit if none. */
function nextWithBit(buf: Uint32Array, from: number, limit: number, want: number): number {
  let i = from;
  while (i < limit) {
    const w = i >>> 5;
    let word = want ? buf[w] : ~buf[w];
    word &= ~0 << (i & 31);
    if (word !== 0) {
      const found = (w << 5) + lowestBit(word);
      return found < limit ? found : limit;
    }
    i = (w + 1) << 5;
  }
  return limit;
}

/**
 * Start slot of a free contiguous range of `width` slots on every span in spans[0..spanCount) (continuity +
 * contiguity), chosen by policy; -1 if none. Starts >= maxStartExclusive are not tried (default slotCount-width+1).
 * Allocates nothing per call.
 */
export function findSlotRange(
  grid: SpectrumGrid,
  spans: ArrayLike<number>,
  spanCount: number,
  width: number,
  policy: FitPolicy,
  maxStartExclusive?: number,
): number {
  const slots = grid.slotCount;
  if (!(width >= 1) || width > slots) return -1;
  let maxStart = slots - width + 1;
  if (maxStartExclusive !== undefined && maxStartExclusive < maxStart) maxStart = maxStartExclusive;
  if (maxStart <= 0) return -1;
  const wps = grid.wordsPerSpan;
  if (scratch.length < wps) scratch = new Uint32Array(wps);
  const buf = scratch;
  const bits = grid.bits;
  for (let w = 0; w < wps; w++) buf[w] = 0;
  for (let k = 0; k < spanCount; k++) {
    const base = spans[k] * wps;
    for (let w = 0; w < wps; w++) buf[w] |= bits[base + w];
  }
  // Slots past slotCount in the last word count as occupied, so free runs end at the band edge.
  const tail = slots & 31;
  if (tail !== 0) buf[wps - 1] |= (~0 << tail) >>> 0;

  if (policy === 'last-fit') {
    // Walk free runs upward and remember the highest start that fits; runs are few, so this stays cheap.
    let best = -1;
    let s = nextWithBit(buf, 0, slots, 0);
    while (s < maxStart) {
      const e = nextWithBit(buf, s, slots, 1);
      if (e - s >= width) best = Math.min(e - width, maxStart - 1);
      s = nextWithBit(buf, e, slots, 0);
    }
    return best;
  }
  let bestStart = -1;
  let bestLeft = Infinity;
  let s = nextWithBit(buf, 0, slots, 0);
  while (s < maxStart) {
    const e = nextWithBit(buf, s, slots, 1);
    const size = e - s;
    if (size >= width) {
      if (policy === 'first-fit') return s;
      if (size - width < bestLeft) {
        bestLeft = size - width;
        bestStart = s;
        if (bestLeft === 0) return s;
      }
    }
    s = nextWithBit(buf, e, slots, 0);
  }
  return bestStart;
}
