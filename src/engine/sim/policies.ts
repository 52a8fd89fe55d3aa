/**
 * Routing and spectrum allocation policies. Each is a closure made once per run that, given a
 * node pair and a request size, picks a path and a start slot (written into ctx.out) or reports
 * blocking. They drive the engine's own findSlotRange over the engine's SpectrumGrid; the
 * scoring policy adds its own scan on top of the same bitsets.
 */
import { findSlotRange, type FitPolicy, type SpectrumGrid } from '../spectrum.js';
import type { PathTable } from './paths.js';
import { countFree, nextBit, pathOccupancy, slotBusy } from './spectrum-scan.js';

/** Names of the allocation policies the simulator offers. */
export const POLICY_NAMES = ['sp-ff', 'ksp-ff', 'ksp-bf', 'ksp-lf', 'llp-ff', 'ff-ksp', 'fa-cost'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** One-line descriptions, for help texts and reports. */
export const POLICY_DESCRIPTIONS: Readonly<Record<PolicyName, string>> = {
  'sp-ff': 'shortest path, first-fit',
  'ksp-ff': 'first of the k paths with room (shortest available path), first-fit',
  'ksp-bf': 'first of the k paths with room, best-fit block',
  'ksp-lf': 'first of the k paths with room, last-fit',
  'llp-ff': 'least-loaded path: the path with room and the most slots free on all its spans, first-fit',
  'ff-ksp': 'lowest start slot over all k paths (ties to the shorter path)',
  'fa-cost': 'ours: every path x both edges of every free block, scored by congestion-weighted slots x hops + fragmentation cuts + low-slot packing',
};

/** Tunables of the fa-cost policy; defaults are fixed across topologies (no per-topology tuning). */
export interface FaCostOptions {
  /** Weight of one "cut": a side of the new block left touching free spectrum on one span. */
  cutWeight: number;
  /** Weight of the start slot as a fraction of the band: packs toward low slots like first-fit. */
  lowSlotWeight: number;
  /** Extra cost per slot for each span in proportion to how full it is (load-aware routing). */
  loadWeight: number;
  /** Congestion cost per span f / (1 - f) of its fill f (steep near full) instead of f. */
  convexLoad: boolean;
}

/**
 * Default fa-cost weights. Picked by hand from a few coarse runs on NSFNET (55 E), XLRON EON and
 * the built-in network, then frozen and used unchanged everywhere (bench/sim.ts says which
 * topologies were not looked at while choosing).
 */
export const DEFAULT_FA_COST: FaCostOptions = { cutWeight: 0.5, lowSlotWeight: 4, loadWeight: 1, convexLoad: true };

/** Where a placed request goes; reused for every request. */
export interface Placement {
  path: number;
  start: number;
  width: number;
}

/** Everything a policy reads: the grid, the candidate paths and how to size a request. */
export interface PolicyContext {
  grid: SpectrumGrid;
  table: PathTable;
  /** Fixed width in slots for every request (0 = derive from bit rate and modulation). */
  fixedSlots: number;
  guardSlots: number;
  /** Optical RL-Gym's first-fit never tries the last possible start slot. */
  skipLastStart: boolean;
  out: Placement;
  fa: FaCostOptions;
  /** Occupied slots per span, kept current by the simulator (saves a popcount per span per look). */
  spanUsed: Int32Array;
}

/** A policy: places the request (true, with ctx.out filled) or blocks it (false). */
export type PlaceFn = (pair: number, sizeGbps: number) => boolean;

/** Slots a request of sizeGbps needs on path p; 0 when no modulation reaches the path. */
export function widthOnPath(ctx: PolicyContext, p: number, sizeGbps: number): number {
  if (ctx.fixedSlots > 0) return ctx.fixedSlots;
  const cap = ctx.table.pathCapacityGbps[p];
  return cap > 0 ? Math.ceil(sizeGbps / cap) + ctx.guardSlots : 0;
}

/** Builds the placement function of a policy for one run. */
export function makePolicy(name: PolicyName, ctx: PolicyContext): PlaceFn {
  switch (name) {
    case 'sp-ff': return kspFit(ctx, 'first-fit', 1);
    case 'ksp-ff': return kspFit(ctx, 'first-fit', Infinity);
    case 'ksp-bf': return kspFit(ctx, 'best-fit', Infinity);
    case 'ksp-lf': return kspFit(ctx, 'last-fit', Infinity);
    case 'llp-ff': return leastLoaded(ctx);
    case 'ff-ksp': return firstFitAcrossPaths(ctx);
    case 'fa-cost': return faCost(ctx);
    default: throw new RangeError(`unknown policy ${String(name)}`);
  }
}

function maxStartFor(ctx: PolicyContext, width: number): number {
  return ctx.grid.slotCount - width + (ctx.skipLastStart ? 0 : 1);
}

/** The first of the pair's first `limit` paths with room, slot chosen by fit. */
function kspFit(ctx: PolicyContext, fit: FitPolicy, limit: number): PlaceFn {
  const { grid, table, out } = ctx;
  return (pair, size) => {
    const first = table.pairFirst[pair];
    const end = first + Math.min(table.pairCount[pair], limit);
    for (let p = first; p < end; p++) {
      const w = widthOnPath(ctx, p, size);
      if (w <= 0) continue;
      const start = findSlotRange(grid, table.pathSpans[p], table.pathHops[p], w, fit, maxStartFor(ctx, w));
      if (start >= 0) {
        out.path = p;
        out.start = start;
        out.width = w;
        return true;
      }
    }
    return false;
  };
}

/** Least-loaded path: among paths with room, the most slots free on every span; ties to the earlier path. */
function leastLoaded(ctx: PolicyContext): PlaceFn {
  const { grid, table, out } = ctx;
  const buf = new Uint32Array(grid.wordsPerSpan);
  return (pair, size) => {
    const first = table.pairFirst[pair];
    const end = first + table.pairCount[pair];
    let bestFree = 0;
    let found = false;
    for (let p = first; p < end; p++) {
      const w = widthOnPath(ctx, p, size);
      if (w <= 0) continue;
      const start = findSlotRange(grid, table.pathSpans[p], table.pathHops[p], w, 'first-fit', maxStartFor(ctx, w));
      if (start < 0) continue;
      pathOccupancy(grid, table.pathSpans[p], table.pathHops[p], buf);
      const free = countFree(buf, grid.wordsPerSpan);
      if (free > bestFree) {
        bestFree = free;
        found = true;
        out.path = p;
        out.start = start;
        out.width = w;
      }
    }
    return found;
  };
}

/** First-fit across paths: the lowest start slot any of the k paths offers, ties to the earlier path. */
function firstFitAcrossPaths(ctx: PolicyContext): PlaceFn {
  const { grid, table, out } = ctx;
  return (pair, size) => {
    const first = table.pairFirst[pair];
    const end = first + table.pairCount[pair];
    let best = Infinity;
    for (let p = first; p < end; p++) {
      const w = widthOnPath(ctx, p, size);
      if (w <= 0) continue;
      const limit = Math.min(maxStartFor(ctx, w), best);
      const start = findSlotRange(grid, table.pathSpans[p], table.pathHops[p], w, 'first-fit', limit);
      if (start >= 0 && start < best) {
        best = start;
        out.path = p;
        out.start = start;
        out.width = w;
        if (start === 0) break;
      }
    }
    return best !== Infinity;
  };
}

/**
 * Ours, "fa-cost": looks at every candidate path and, on each, both edges of every free block
 * that can hold the request, and takes the placement of least
 *   slots x (hops + loadWeight x sum over spans of f / (1 - f))  +  cutWeight x cuts  +  lowSlotWeight x start / slotCount,
 * where cuts counts, over the path's spans, the sides of the new block that border free spectrum
 * (each cut splits a free run and breeds fragmentation). Spectrum used (slots x hops) dominates,
 * so short, efficiently modulated paths win wherever they have room, whatever their rank in km;
 * the congestion term (f = a span's fill, steep as it nears full) steers around bottleneck
 * spans before they run out; among equals, blocks that fit snugly
 * against existing allocations on every span win; the low-slot term keeps first-fit's packing.
 * (A cap on detour length was tried and only raised blocking at these loads.)
 */
function faCost(ctx: PolicyContext): PlaceFn {
  const { grid, table, out, fa } = ctx;
  const buf = new Uint32Array(grid.wordsPerSpan);
  const slots = grid.slotCount;
  const lowSlot = fa.lowSlotWeight / slots;
  let bestScore = Infinity;

  const consider = (p: number, start: number, w: number, base: number): void => {
    const spans = table.pathSpans[p];
    const hops = table.pathHops[p];
    let cuts = 0;
    for (let k = 0; k < hops; k++) {
      if (!slotBusy(grid, spans[k], start - 1)) cuts++;
      if (!slotBusy(grid, spans[k], start + w)) cuts++;
    }
    const score = base + fa.cutWeight * cuts + lowSlot * start;
    if (score < bestScore) {
      bestScore = score;
      out.path = p;
      out.start = start;
      out.width = w;
    }
  };

  return (pair, size) => {
    const first = table.pairFirst[pair];
    const end = first + table.pairCount[pair];
    bestScore = Infinity;
    for (let p = first; p < end; p++) {
      const w = widthOnPath(ctx, p, size);
      if (w <= 0) continue;
      const hops = table.pathHops[p];
      let base = w * hops;
      if (fa.loadWeight > 0) {
        const spans = table.pathSpans[p];
        let congestion = 0;
        for (let k = 0; k < hops; k++) {
          const fill = ctx.spanUsed[spans[k]] / slots;
          congestion += fa.convexLoad ? fill / (1 - fill + 1 / slots) : fill;
        }
        base += fa.loadWeight * w * congestion;
      }
      if (base >= bestScore) continue;
      pathOccupancy(grid, table.pathSpans[p], table.pathHops[p], buf);
      const maxStart = maxStartFor(ctx, w);
      let s = nextBit(buf, 0, slots, 0);
      while (s < maxStart) {
        const e = nextBit(buf, s, slots, 1);
        if (e - s >= w) {
          consider(p, s, w, base);
          const right = Math.min(e - w, maxStart - 1);
          if (right > s) consider(p, right, w, base);
        }
        s = nextBit(buf, e, slots, 0);
      }
    }
    return bestScore !== Infinity;
  };
}
