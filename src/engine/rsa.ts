/**
 * Routing and spectrum assignment over candidate paths: pick the modulation (and regenerators) by length,
 * then a contiguous slot range free on every span of each transparent segment.
 */
import type { Graph, Path } from './graph.js';
import type { ModulationMode } from './modulation.js';
import { DEFAULT_MODULATIONS, modesFor, placeRegenerators } from './modulation.js';
import type { FitPolicy, SpectrumGrid } from './spectrum.js';
import { findSlotRange } from './spectrum.js';

/**
 * How the candidate path is chosen: shortest-first = the first candidate (in the order given, normally
 * k-shortest order) that can be assigned; least-loaded = among assignable candidates, the one whose
 * busiest span has the most free slots (ties: earlier candidate).
 */
export type PathSelection = 'shortest-first' | 'least-loaded';

/** What to assign. */
export interface RsaRequest {
  lineRateGbps: number;
  policy?: FitPolicy;
  selection?: PathSelection;
  table?: readonly ModulationMode[];
}

/** A transparent segment (between regenerators) and its slot range. */
export interface RsaSegment {
  spans: number[];
  startSlot: number;
}

/** A feasible assignment; apply it with commitAssignment. */
export interface RsaAssignment {
  pathIndex: number;
  path: Path;
  mode: ModulationMode;
  /** Width in slots of every segment. */
  slots: number;
  /** Node indices where regenerators sit (empty when the path is transparent). */
  regenNodes: number[];
  segments: RsaSegment[];
}

/** A modulation mode and where its regenerators go on one path. */
type PathPlan = { mode: ModulationMode; regenAt: number[] };

/** The modes of one (table, rate), and their plans for a path no longer than every mode's reach. */
interface RateModes {
  modes: readonly ModulationMode[];
  minReachKm: number;
  transparent: readonly PathPlan[];
}

// modesFor filters and sorts the table on every call, which showed up as a tenth of restoration time:
// modes are kept per (table, rate), with the last one used at hand. Tables are treated as immutable (the
// default one is frozen).
const modeCache = new WeakMap<readonly ModulationMode[], Map<number, RateModes>>();
let lastTable: readonly ModulationMode[] | null = null;
let lastRate = NaN;
let lastModes: RateModes | null = null;

const NO_REGEN: readonly number[] = Object.freeze([]);

function cachedModes(lineRateGbps: number, table: readonly ModulationMode[]): RateModes {
  if (table === lastTable && lineRateGbps === lastRate && lastModes) return lastModes;
  let byRate = modeCache.get(table);
  if (!byRate) {
    byRate = new Map();
    modeCache.set(table, byRate);
  }
  let rm = byRate.get(lineRateGbps);
  if (!rm) {
    const modes = modesFor(lineRateGbps, table);
    rm = { modes, minReachKm: Math.min(...modes.map((m) => m.reachKm)), transparent: modes.map((mode) => ({ mode, regenAt: NO_REGEN as number[] })) };
    byRate.set(lineRateGbps, rm);
  }
  lastTable = table;
  lastRate = lineRateGbps;
  lastModes = rm;
  return rm;
}

/**
 * Plans of a path from the cached modes (shared arrays: read only). Paths within a mode's reach skip the
 * regenerator placement, and when no mode needs one the modes' own order (fewest slots first) is already
 * the plans' order. (A cache per Path object was tried: its WeakMap lookups cost more than this.)
 */
function computePlans(g: Graph, spans: readonly number[], lineRateGbps: number, table: readonly ModulationMode[]): readonly PathPlan[] {
  const rm = cachedModes(lineRateGbps, table);
  let totalKm = 0;
  for (const e of spans) totalKm += g.lengthKm[e];
  // Lengths are >= 0 (buildGraph checks), so no span or prefix is longer than the path: nothing to place.
  if (totalKm <= rm.minReachKm) return rm.transparent;
  let km: number[] | null = null;
  let regens = false;
  const plans: PathPlan[] = [];
  for (const mode of rm.modes) {
    if (totalKm <= mode.reachKm) {
      plans.push({ mode, regenAt: NO_REGEN as number[] });
      continue;
    }
    km ??= spans.map((e) => g.lengthKm[e]);
    const regenAt = placeRegenerators(km, mode.reachKm);
    if (regenAt) {
      plans.push({ mode, regenAt });
      regens ||= regenAt.length > 0;
    }
  }
  return regens ? plans.sort((a, b) => a.regenAt.length - b.regenAt.length || a.mode.slots - b.mode.slots) : plans;
}

/** Transponder plans for a path, by (regenerators, slots) ascending; empty when a span exceeds every reach. */
export function plansForPath(g: Graph, path: Path, lineRateGbps: number, table: readonly ModulationMode[] = DEFAULT_MODULATIONS): { mode: ModulationMode; regenAt: number[] }[] {
  return computePlans(g, path.spans, lineRateGbps, table).map((p) => ({ mode: p.mode, regenAt: p.regenAt.slice() }));
}

/** Best assignment on one path (first plan that fits the spectrum), or null. */
function assignOnPath(g: Graph, grid: SpectrumGrid, path: Path, pathIndex: number, req: RsaRequest): RsaAssignment | null {
  const policy = req.policy ?? 'first-fit';
  for (const plan of computePlans(g, path.spans, req.lineRateGbps, req.table ?? DEFAULT_MODULATIONS)) {
    const cuts = [0, ...plan.regenAt, path.spans.length];
    const segments: RsaSegment[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const spans = path.spans.slice(cuts[i], cuts[i + 1]);
      const startSlot = findSlotRange(grid, spans, spans.length, plan.mode.slots, policy);
      if (startSlot < 0) break;
      segments.push({ spans, startSlot });
    }
    if (segments.length === cuts.length - 1) {
      return { pathIndex, path, mode: plan.mode, slots: plan.mode.slots, regenNodes: plan.regenAt.map((i) => path.nodes[i]), segments };
    }
  }
  return null;
}

function bottleneckFree(grid: SpectrumGrid, path: Path): number {
  let min = Infinity;
  for (const e of path.spans) min = Math.min(min, grid.freeSlots(e));
  return min;
}

/** Choose a candidate path, modulation, regenerators and slots for a request; null when none fits. */
export function assignSpectrum(g: Graph, grid: SpectrumGrid, candidates: readonly Path[], req: RsaRequest): RsaAssignment | null {
  const selection = req.selection ?? 'shortest-first';
  let best: RsaAssignment | null = null;
  let bestFree = -1;
  for (let i = 0; i < candidates.length; i++) {
    const a = assignOnPath(g, grid, candidates[i], i, req);
    if (!a) continue;
    if (selection === 'shortest-first') return a;
    const free = bottleneckFree(grid, candidates[i]);
    if (free > bestFree) {
      best = a;
      bestFree = free;
    }
  }
  return best;
}

/** Occupy the slots of an assignment (throws, leaving the grid unchanged, if any slot is taken). */
export function commitAssignment(grid: SpectrumGrid, a: RsaAssignment): void {
  for (const s of a.segments) for (const e of s.spans) if (!grid.isFree(e, s.startSlot, a.slots)) throw new Error(`span ${e}: slots taken`);
  for (const s of a.segments) for (const e of s.spans) grid.occupy(e, s.startSlot, a.slots);
}

/** Free the slots of a committed assignment. */
export function releaseAssignment(grid: SpectrumGrid, a: RsaAssignment): void {
  for (const s of a.segments) for (const e of s.spans) grid.release(e, s.startSlot, a.slots);
}
