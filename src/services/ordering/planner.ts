/**
 * Turns a circuit spec into a concrete design and the exact unit ranges it must hold, given the current
 * occupancy. Pure (no I/O): the order service loads occupancy inside its transaction, plans, and lets the
 * database's exclusion constraint have the last word.
 */
import type { CircuitSpec } from '../../domain/products.js';
import { TRUNK_RATE_GBPS, isPacketProduct } from '../../domain/products.js';
import {
  SpectrumGrid,
  assignSpectrum,
  commitAssignment,
  diversePair,
  kShortestPaths,
  makePath,
  srlgDisjoint,
  type Path,
  type PathConstraints,
} from '../../engine/index.js';
import type { CircuitDesign, DesignPath, StrandUse, WaveDesign } from './design.js';
import type { NetworkView } from './network-view.js';
import type { TrunkRow } from '../../store/ordering.js';

/** A packet trunk as the planner sees it: the stored trunk with the Gbps units held on it. */
export type TrunkState = Omit<TrunkRow, 'createdBy'>;

/** What is held right now on the resources a plan may touch. */
export interface Occupancy {
  /** Spectrum per fiber-pair index (span-major bitsets over the view's graph). */
  layers: SpectrumGrid[];
  /** Held strand ranges per cable id (allocations; the inventory's strandsInUse come on top). */
  strands: Map<string, [number, number][]>;
  trunks: TrunkState[];
}

/** One unit range to insert into the allocations table. */
export interface PlannedAllocation {
  kind: 'spectrum' | 'strand' | 'trunk';
  resourceId: string;
  sub: number;
  lo: number;
  hi: number;
  role: 'working' | 'protect' | 'trunk';
  /** Set when the allocation belongs to a trunk lit by this plan rather than to the service. */
  trunkId?: string;
}

/** A trunk (a 400G wave used as a packet link) lit by this plan. */
export interface NewTrunk {
  id: string;
  aSiteId: string;
  zSiteId: string;
  capacityGbps: number;
  siteIds: string[];
  spanIds: string[];
  latencyUs: number;
  lengthKm: number;
  wave: WaveDesign;
  /** The trunk's own spectrum allocations. */
  allocations: PlannedAllocation[];
}

/** A feasible plan. */
export interface Plan {
  design: CircuitDesign;
  allocations: PlannedAllocation[];
  newTrunks: NewTrunk[];
}

/** Where the circuit may go: candidate single paths in preference order, or one SRLG-disjoint pair. */
export type Route = { kind: 'single'; candidates: Path[] } | { kind: 'pair'; pair: [Path, Path] };

/** How many alternative paths quotes offer and orders try. */
export const DEFAULT_K = 3;

/** Spans a product can use: healthy ones with a line system for light, or with cables for dark fiber. */
export function productSpanFilter(view: NetworkView, spec: Pick<CircuitSpec, 'product'>): (e: number) => boolean {
  if (spec.product === 'dark-fiber') return (e) => view.failed[e] === 0 && view.spans[e].cables.length > 0;
  return (e) => view.failed[e] === 0 && view.graph.slotCount[e] > 0;
}

/** Candidate routes for a spec; null when no path (or no disjoint pair) meets it. */
export function routeFor(view: NetworkView, spec: CircuitSpec, k = DEFAULT_K): Route | null {
  const g = view.graph;
  const a = g.nodeIndex(spec.aSite);
  const z = g.nodeIndex(spec.zSite);
  if (a < 0 || z < 0 || a === z) return null;
  const spanFilter = productSpanFilter(view, spec);
  if (spec.protection === 'protected-1+1') {
    const r = diversePair(g, a, z, { spanFilter }, { disjointness: 'srlg' });
    if (r.status !== 'found') return null;
    const bound = spec.maxLatencyUs ?? Infinity;
    // 1+1 switches to either path at any time, so both must meet the bound.
    if (r.paths[0].latencyUs > bound || r.paths[1].latencyUs > bound) return null;
    return { kind: 'pair', pair: r.paths };
  }
  const constraints: PathConstraints = { spanFilter, ...(spec.maxLatencyUs !== null ? { maxLatencyUs: spec.maxLatencyUs } : {}) };
  const r = kShortestPaths(g, a, z, k, constraints);
  return r.paths.length > 0 ? { kind: 'single', candidates: r.paths } : null;
}

/** The spectrum grids with structural blocking only: slots past a span's band and missing fiber pairs. */
export function baseLayers(view: NetworkView): SpectrumGrid[] {
  const layers: SpectrumGrid[] = [];
  for (let p = 0; p < view.maxFiberPairs; p++) {
    const grid = new SpectrumGrid(view.spans.length, view.maxSlots);
    view.spans.forEach((s, e) => {
      const ls = s.lineSystem;
      if (!ls || p >= ls.fiberPairs) grid.occupy(e, 0, view.maxSlots);
      else if (ls.slotCount < view.maxSlots) grid.occupy(e, ls.slotCount, view.maxSlots - ls.slotCount);
    });
    layers.push(grid);
  }
  return layers;
}

/** Independent copy of an occupancy, so a tentative plan can mark what it takes. */
export function cloneOccupancy(o: Occupancy): Occupancy {
  return {
    layers: o.layers.map((l) => l.clone()),
    strands: new Map([...o.strands].map(([k, v]) => [k, v.map((r) => [r[0], r[1]] as [number, number])])),
    trunks: o.trunks.map((t) => ({ ...t, used: t.used.map((r) => [r[0], r[1]] as [number, number]) })),
  };
}

function sitesOf(view: NetworkView, p: Path): string[] {
  return p.nodes.map((v) => view.graph.nodeIds[v]);
}

function spanIdsOf(view: NetworkView, p: Path): string[] {
  return p.spans.map((e) => view.graph.spanIds[e]);
}

/** Lowest start of a free run of `width` units in [from, cap) given held ranges; -1 if none. */
export function lowestGap(used: readonly [number, number][], width: number, from: number, cap: number): number {
  const sorted = [...used].sort((x, y) => x[0] - y[0]);
  let start = from;
  for (const [lo, hi] of sorted) {
    if (hi <= start) continue;
    if (lo - start >= width) break;
    start = Math.max(start, hi);
  }
  return start + width <= cap ? start : -1;
}

/**
 * How a plan picks among equally good free ranges. 0 (default) = first fit on the first fiber pair;
 * other values rotate the fiber pairs and alternate first/last fit, for callers that plan optimistically
 * in parallel and want to avoid picking the same range (the order service locks instead).
 */
export interface PlanOptions {
  spread?: number;
}

/** lowestGap, or with fromTop the highest start of a free run (the mirror image of lowestGap). */
export function pickGap(used: readonly [number, number][], width: number, from: number, cap: number, fromTop: boolean): number {
  if (!fromTop) return lowestGap(used, width, from, cap);
  const mirrored = used.map(([lo, hi]) => [cap - hi, cap - lo] as [number, number]);
  const s = lowestGap(mirrored, width, 0, cap - from);
  return s < 0 ? -1 : cap - s - width;
}

function planWave(view: NetworkView, occ: Occupancy, path: Path, lineRateGbps: number, opts: PlanOptions = {}): { wave: WaveDesign; allocs: Omit<PlannedAllocation, 'role'>[] } | null {
  const g = view.graph;
  const spread = Math.abs(Math.trunc(opts.spread ?? 0));
  const policy = spread % 2 === 1 ? 'last-fit' : 'first-fit';
  for (let i = 0; i < occ.layers.length; i++) {
    const fp = (i + (spread >> 1)) % occ.layers.length;
    const grid = occ.layers[fp];
    const a = assignSpectrum(g, grid, [path], { lineRateGbps, policy });
    if (!a) continue;
    commitAssignment(grid, a);
    const allocs: Omit<PlannedAllocation, 'role'>[] = [];
    const segments = a.segments.map((s) => {
      const ls = view.spans[s.spans[0]].lineSystem;
      const slotGhz = ls?.slotWidthGhz ?? 12.5;
      for (const e of s.spans) allocs.push({ kind: 'spectrum', resourceId: g.spanIds[e], sub: fp, lo: s.startSlot, hi: s.startSlot + a.slots });
      return {
        spanIds: s.spans.map((e) => g.spanIds[e]),
        fiberPair: fp,
        startSlot: s.startSlot,
        slots: a.slots,
        centerFrequencyGhz: (ls?.startFrequencyGhz ?? 191_300) + (s.startSlot + a.slots / 2) * slotGhz,
      };
    });
    const slotGhz = view.spans[path.spans[0]].lineSystem?.slotWidthGhz ?? 12.5;
    return {
      wave: {
        lineRateGbps,
        format: a.mode.format,
        slots: a.slots,
        widthGhz: a.slots * slotGhz,
        regeneratorSiteIds: a.regenNodes.map((v) => g.nodeIds[v]),
        segments,
      },
      allocs,
    };
  }
  return null;
}

function planStrands(view: NetworkView, occ: Occupancy, path: Path, fromTop: boolean): { strands: StrandUse[]; allocs: Omit<PlannedAllocation, 'role'>[] } | null {
  const strands: StrandUse[] = [];
  const allocs: Omit<PlannedAllocation, 'role'>[] = [];
  const taken: [string, [number, number]][] = [];
  for (const e of path.spans) {
    const span = view.spans[e];
    let found = false;
    for (const cable of span.cables) {
      const used = occ.strands.get(cable.id) ?? [];
      const s = pickGap(used, 2, cable.strandsInUse, cable.strandCount, fromTop);
      if (s < 0) continue;
      used.push([s, s + 2]);
      occ.strands.set(cable.id, used);
      taken.push([cable.id, [s, s + 2]]);
      strands.push({ spanId: span.id, cableId: cable.id, strands: [s, s + 1] });
      allocs.push({ kind: 'strand', resourceId: cable.id, sub: 0, lo: s, hi: s + 2 });
      found = true;
      break;
    }
    if (!found) {
      // Undo what this path marked so the caller's occupancy stays exact.
      for (const [id, r] of taken) {
        const list = occ.strands.get(id) ?? [];
        occ.strands.set(id, list.filter((x) => x !== r && !(x[0] === r[0] && x[1] === r[1])));
      }
      return null;
    }
  }
  return { strands, allocs };
}

function designPath(view: NetworkView, p: Path, role: 'working' | 'protect'): DesignPath {
  return { role, siteIds: sitesOf(view, p), spanIds: spanIdsOf(view, p), lengthKm: p.lengthKm, latencyUs: p.latencyUs };
}

/** Plans one optical path (wave or strands) with the given role; mutates occ on success. */
function planOptical(view: NetworkView, occ: Occupancy, spec: CircuitSpec, p: Path, role: 'working' | 'protect', opts: PlanOptions): { dp: DesignPath; allocs: PlannedAllocation[] } | null {
  const dp = designPath(view, p, role);
  if (spec.product === 'dark-fiber') {
    const r = planStrands(view, occ, p, (opts.spread ?? 0) % 2 === 1);
    if (!r) return null;
    dp.strands = r.strands;
    return { dp, allocs: r.allocs.map((x) => ({ ...x, role })) };
  }
  const w = planWave(view, occ, p, spec.bandwidthGbps, opts);
  if (!w) return null;
  dp.wave = w.wave;
  return { dp, allocs: w.allocs.map((x) => ({ ...x, role })) };
}

function trunkPath(view: NetworkView, t: TrunkState): Path | null {
  const g = view.graph;
  const spans = t.spanIds.map((id) => g.spanIndex(id));
  const nodes = t.siteIds.map((id) => g.nodeIndex(id));
  if (spans.some((e) => e < 0) || nodes.some((v) => v < 0)) return null;
  return makePath(g, nodes, spans);
}

function connects(t: TrunkState, spec: CircuitSpec): boolean {
  return (t.aSiteId === spec.aSite && t.zSiteId === spec.zSite) || (t.aSiteId === spec.zSite && t.zSiteId === spec.aSite);
}

/** Takes bandwidth on a trunk; returns the unit range or null when the trunk lacks room. */
function takeTrunk(t: TrunkState, bandwidthGbps: number, fromTop: boolean): [number, number] | null {
  const lo = pickGap(t.used, bandwidthGbps, 0, t.capacityGbps, fromTop);
  if (lo < 0) return null;
  const r: [number, number] = [lo, lo + bandwidthGbps];
  t.used.push(r);
  return r;
}

function trunkDesign(t: TrunkState | NewTrunk, role: 'working' | 'protect', units: [number, number], lit: boolean): DesignPath {
  return { role, siteIds: t.siteIds, spanIds: t.spanIds, lengthKm: t.lengthKm, latencyUs: t.latencyUs, trunk: { trunkId: t.id, units, lit } };
}

/** Lights a new trunk on path p; mutates occ (spectrum and trunk list) on success. */
function lightTrunk(view: NetworkView, occ: Occupancy, spec: CircuitSpec, p: Path, newId: () => string, opts: PlanOptions): NewTrunk | null {
  const w = planWave(view, occ, p, TRUNK_RATE_GBPS, opts);
  if (!w) return null;
  const t: NewTrunk = {
    id: newId(),
    aSiteId: spec.aSite,
    zSiteId: spec.zSite,
    capacityGbps: TRUNK_RATE_GBPS,
    siteIds: sitesOf(view, p),
    spanIds: spanIdsOf(view, p),
    latencyUs: p.latencyUs,
    lengthKm: p.lengthKm,
    wave: w.wave,
    allocations: [],
  };
  t.allocations = w.allocs.map((x) => ({ ...x, role: 'trunk' as const, trunkId: t.id }));
  occ.trunks.push({ id: t.id, aSiteId: t.aSiteId, zSiteId: t.zSiteId, capacityGbps: t.capacityGbps, siteIds: t.siteIds, spanIds: t.spanIds, latencyUs: t.latencyUs, lengthKm: t.lengthKm, used: [] });
  return t;
}

function trunkAllocs(t: NewTrunk): PlannedAllocation[] {
  return t.allocations;
}

function planPacket(view: NetworkView, occ: Occupancy, spec: CircuitSpec, route: Route, newTrunkId: () => string, opts: PlanOptions): Plan | null {
  const bound = spec.maxLatencyUs ?? Infinity;
  const bw = spec.bandwidthGbps;
  // Existing trunks are preferred (grooming): the point is to fill lit waves before lighting new ones.
  const usable = occ.trunks
    .filter((t) => connects(t, spec) && t.latencyUs <= bound + 1e-9 && lowestGap(t.used, bw, 0, t.capacityGbps) >= 0)
    .sort((x, y) => x.latencyUs - y.latencyUs || (x.id < y.id ? -1 : 1));
  const cap = (t: TrunkState, role: 'working' | 'protect'): PlannedAllocation => {
    const r = takeTrunk(t, bw, (opts.spread ?? 0) % 2 === 1) as [number, number];
    return { kind: 'trunk', resourceId: t.id, sub: 0, lo: r[0], hi: r[1], role };
  };
  if (route.kind === 'single') {
    const best = usable[0];
    if (best) {
      const a = cap(best, 'working');
      return { design: { paths: [trunkDesign(best, 'working', [a.lo, a.hi], false)] }, allocations: [a], newTrunks: [] };
    }
    for (const p of route.candidates) {
      const t = lightTrunk(view, occ, spec, p, newTrunkId, opts);
      if (!t) continue;
      const ts = occ.trunks[occ.trunks.length - 1];
      const a = cap(ts, 'working');
      return { design: { paths: [trunkDesign(t, 'working', [a.lo, a.hi], true)] }, allocations: [...trunkAllocs(t), a], newTrunks: [t] };
    }
    return null;
  }
  for (let i = 0; i < usable.length; i++) {
    const pi = trunkPath(view, usable[i]);
    if (!pi) continue;
    for (let j = i + 1; j < usable.length; j++) {
      const pj = trunkPath(view, usable[j]);
      if (!pj || !srlgDisjoint(view.graph, pi, pj)) continue;
      const a = cap(usable[i], 'working');
      const b = cap(usable[j], 'protect');
      return {
        design: { paths: [trunkDesign(usable[i], 'working', [a.lo, a.hi], false), trunkDesign(usable[j], 'protect', [b.lo, b.hi], false)] },
        allocations: [a, b],
        newTrunks: [],
      };
    }
  }
  const t1 = lightTrunk(view, occ, spec, route.pair[0], newTrunkId, opts);
  if (!t1) return null;
  const s1 = occ.trunks[occ.trunks.length - 1];
  const t2 = lightTrunk(view, occ, spec, route.pair[1], newTrunkId, opts);
  if (!t2) return null;
  const s2 = occ.trunks[occ.trunks.length - 1];
  const a = cap(s1, 'working');
  const b = cap(s2, 'protect');
  return {
    design: { paths: [trunkDesign(t1, 'working', [a.lo, a.hi], true), trunkDesign(t2, 'protect', [b.lo, b.hi], true)] },
    allocations: [...trunkAllocs(t1), ...trunkAllocs(t2), a, b],
    newTrunks: [t1, t2],
  };
}

/**
 * The first feasible plan for spec on route, or null when capacity is exhausted. Mutates occ to mark
 * what the plan takes (clone first for a tentative plan).
 */
export function planCircuit(view: NetworkView, occ: Occupancy, spec: CircuitSpec, route: Route, newTrunkId: () => string, opts: PlanOptions = {}): Plan | null {
  if (isPacketProduct(spec.product)) return planPacket(view, occ, spec, route, newTrunkId, opts);
  if (route.kind === 'single') {
    for (const p of route.candidates) {
      const r = planOptical(view, occ, spec, p, 'working', opts);
      if (r) return { design: { paths: [r.dp] }, allocations: r.allocs, newTrunks: [] };
    }
    return null;
  }
  const trial = cloneOccupancy(occ);
  const w = planOptical(view, trial, spec, route.pair[0], 'working', opts);
  if (!w) return null;
  const p = planOptical(view, trial, spec, route.pair[1], 'protect', opts);
  if (!p) return null;
  occ.layers.forEach((l, i) => l.bits.set(trial.layers[i].bits));
  occ.strands = trial.strands;
  occ.trunks = trial.trunks;
  return { design: { paths: [w.dp, p.dp] }, allocations: [...w.allocs, ...p.allocs], newTrunks: [] };
}

/** Spans whose occupancy a route's plan may read (the candidates' spans). */
export function routeSpanIds(view: NetworkView, route: Route): string[] {
  const paths = route.kind === 'single' ? route.candidates : route.pair;
  const ids = new Set<string>();
  for (const p of paths) for (const e of p.spans) ids.add(view.graph.spanIds[e]);
  return [...ids];
}
