/**
 * Read-only scans of SpectrumGrid bitsets (bit set = occupied) that the allocation policies and the
 * per-span statistics need beyond findSlotRange: a path's combined occupancy, common free slots and
 * the largest free block. All work on caller-owned scratch buffers and allocate nothing.
 */
import { popcount32, type SpectrumGrid } from '../spectrum.js';

/**
 * ORs the occupancy of spans[0..hops) into out (length >= wordsPerSpan) and marks the slots past
 * slotCount as occupied, so that free runs found in `out` never cross the band edge.
 */
export function pathOccupancy(grid: SpectrumGrid, spans: ArrayLike<number>, hops: number, out: Uint32Array): void {
  const wps = grid.wordsPerSpan;
  const bits = grid.bits;
  for (let w = 0; w < wps; w++) out[w] = 0;
  for (let k = 0; k < hops; k++) {
    const base = spans[k] * wps;
    for (let w = 0; w < wps; w++) out[w] |= bits[base + w];
  }
  const tail = grid.slotCount & 31;
  if (tail !== 0) out[wps - 1] |= (~0 << tail) >>> 0;
}

/** Number of clear bits in buf[0..words) (buf already has the band tail marked occupied). */
export function countFree(buf: Uint32Array, words: number): number {
  let used = 0;
  for (let w = 0; w < words; w++) used += popcount32(buf[w]);
  return words * 32 - used;
}

/** First index in [from, limit) whose bit equals want (1 = occupied, 0 = free); limit if none. */
export function nextBit(buf: Uint32Array, from: number, limit: number, want: number): number {
  let i = from;
  while (i < limit) {
    const w = i >>> 5;
    let word = want ? buf[w] : ~buf[w];
    word &= ~0 << (i & 31);
    if (word !== 0) {
      const found = (w << 5) + (31 - Math.clz32(word & -word));
      return found < limit ? found : limit;
    }
    i = (w + 1) << 5;
  }
  return limit;
}

/** True when slot i of span is occupied; slots outside 0..slotCount-1 count as occupied (band edges). */
export function slotBusy(grid: SpectrumGrid, span: number, i: number): boolean {
  if (i < 0 || i >= grid.slotCount) return true;
  return ((grid.bits[span * grid.wordsPerSpan + (i >>> 5)] >>> (i & 31)) & 1) === 1;
}

/** Size of the largest run of free slots on one span. */
export function largestFreeBlock(grid: SpectrumGrid, span: number, scratch: Uint32Array): number {
  const wps = grid.wordsPerSpan;
  const base = span * wps;
  for (let w = 0; w < wps; w++) scratch[w] = grid.bits[base + w];
  const tail = grid.slotCount & 31;
  if (tail !== 0) scratch[wps - 1] |= (~0 << tail) >>> 0;
  const slots = grid.slotCount;
  let best = 0;
  let s = nextBit(scratch, 0, slots, 0);
  while (s < slots) {
    const e = nextBit(scratch, s, slots, 1);
    if (e - s > best) best = e - s;
    s = nextBit(scratch, e, slots, 0);
  }
  return best;
}
