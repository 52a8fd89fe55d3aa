/**
 * Turns a circuit spec into a concrete design and the exact unit ranges it must hold, given the current
 * occupancy and the channels lit in the window. Pure (no I/O): the order service loads occupancy, plans,
 * and lets the database's exclusion constraint have the last word.
 *
 * Waves are planned from physics (engine/wave.ts): mode, regenerators and spectrum by computed GSNR
 * against the mode's threshold plus the operator's margin, without pushing a lit neighbour below its
 * own threshold. Routes respect the sites' transit policy, differ in their intercity spans, and 1+1
 * looks through the disjoint pairs in order until one fits.
 */
import { DEFAULT_PAIR_DISJOINTNESS, type CircuitSpec } from '../../domain/products.js';
import { TRUNK_RATE_GBPS, isPacketProduct } from '../../domain/products.js';
import {
  SpectrumGrid,
  diversePairs,
  kShortestPaths,
  makePath,
  occupyWave,
  pairDisjoint,
  planWave,
  REGEN_ADD_DROP_PORTS,
  AddDropPorts,
  unlightWave,
  type PairDisjointness,
  type Path,
  type PathConstraints,
  type WavePlan,
} from '../../engine/index.js';
import type { LightpathInput, LineState } from '../../engine/qot/index.js';
import type { TransceiverModeSpec } from '../../domain/transceiver-modes.js';
import type { CircuitDesign, DesignPath, StrandUse, WaveDesign, WaveSegment } from './design.js';
import type { NetworkView } from './network-view.js';
import { blockedSites, intercityKey, physicsOf } from './physics.js';
import type { ChannelRow, TrunkRow } from '../../store/ordering.js';

/** A packet trunk as the planner sees it: the stored trunk with the Gbps units held on it. */
export type TrunkState = Omit<TrunkRow, 'createdBy'>;

/** What is held right now on the resources a plan may touch. */
export interface Occupancy {
  /** Spectrum per fiber-pair index (span-major bitsets over the view's graph). */
  layers: SpectrumGrid[];
  /** Held strand ranges per cable id (allocations; the inventory's strandsInUse come on top). */
  strands: Map<string, [number, number][]>;
  trunks: TrunkState[];
  /**
   * Add/drop ports free per ROADM site, where the southbound driver knows them (a site not in it, or
   * no map, is not limited): a wave takes one at each POP end and two at each regenerator.
   */
  addDrop?: Map<string, number>;
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
  /** Spectrum: the channel it carries (lightpath id, mode, centre frequency). */
  channel?: ChannelRow['channel'];
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
  /** The waves it lit in the QoT state (a quote unlights them; an order holds them until written). */
  lightpaths: LightpathInput[];
  /** Add/drop ports it takes per site (counted in Occupancy.addDrop; empty when that is not known). */
  addDrop: { siteId: string; count: number }[];
}

/**
 * Where the circuit may go: candidate single paths in preference order, or disjoint pairs in
 * preference order (1+1 takes the first that fits).
 */
export type Route = { kind: 'single'; candidates: Path[] } | { kind: 'pair'; pairs: [Path, Path][]; disjointness: PairDisjointness };

/** What optical planning needs besides occupancy: the lit channels and the operator's QoT policy. */
export interface QotContext {
  /** Channels lit in the window; planning lights its waves in it (tentatively: see Plan.lightpaths). */
  state: LineState;
  /** GSNR a new wave keeps above its mode's threshold, dB. */
  marginDb: number;
  /** Prefix of the lightpath ids of this request's waves (unique per order; a quote's are discarded). */
  idPrefix: string;
}

/** How many alternative paths quotes offer and orders try. */
export const DEFAULT_K = 3;

/** Spans a product can use: healthy ones with a line system for light, or with cables for dark fiber. */
export function productSpanFilter(view: NetworkView, spec: Pick<CircuitSpec, 'product'>): (e: number) => boolean {
  if (spec.product === 'dark-fiber') return (e) => view.failed[e] === 0 && view.spans[e].cables.length > 0;
  return (e) => view.failed[e] === 0 && view.graph.slotCount[e] > 0;
}

/** Disjoint pairs a 1+1 request looks through at most (spectrum, GSNR or latency may rule the first ones out). */
export const MAX_PAIRS = 6;

/**
 * Candidate routes for a spec; null when no path (or no disjoint pair) meets it. Paths never pass
 * through a site whose transit policy forbids it (customer data centers and cloud on-ramps by
 * default), dark fiber never through an amplifier hut; single paths differ in their intercity spans;
 * 1+1 gets disjoint pairs (node-and-SRLG-disjoint unless the spec asks otherwise), best first, both
 * legs within the latency bound (traffic may ride either).
 */
export function routeFor(view: NetworkView, spec: CircuitSpec, k = DEFAULT_K): Route | null {
  const g = view.graph;
  const a = g.nodeIndex(spec.aSite);
  const z = g.nodeIndex(spec.zSite);
  if (a < 0 || z < 0 || a === z) return null;
  const spanFilter = productSpanFilter(view, spec);
  const avoidSites = blockedSites(view, a, z, spec.product === 'dark-fiber');
  if (spec.protection === 'protected-1+1') {
    const maxPairs = Math.max(k, MAX_PAIRS);
    const search = (disjointness: PairDisjointness) => diversePairs(g, a, z, { spanFilter, avoidSites }, { disjointness, maxPairs, ...(spec.maxLatencyUs !== null ? { maxLatencyUs: spec.maxLatencyUs } : {}) }).pairs.map((x) => x.paths);
    if (spec.disjointness !== undefined) {
      const pairs = search(spec.disjointness);
      return pairs.length > 0 ? { kind: 'pair', pairs, disjointness: spec.disjointness } : null;
    }
    // The default: node-and-SRLG-disjoint pairs first; SRLG-disjoint pairs (sharing a site) after them.
    const pairs = search(DEFAULT_PAIR_DISJOINTNESS);
    if (pairs.length >= maxPairs) return { kind: 'pair', pairs, disjointness: DEFAULT_PAIR_DISJOINTNESS };
    const key = (p: [Path, Path]) => p.map((x) => x.spans.join(',')).sort().join('|');
    const seen = new Set(pairs.map(key));
    const more = search('srlg').filter((p) => !seen.has(key(p)));
    const all = [...pairs, ...more].slice(0, maxPairs);
    return all.length > 0 ? { kind: 'pair', pairs: all, disjointness: more.length > 0 && all.length > pairs.length ? 'srlg' : DEFAULT_PAIR_DISJOINTNESS } : null;
  }
  const constraints: PathConstraints = { spanFilter, avoidSites, ...(spec.maxLatencyUs !== null ? { maxLatencyUs: spec.maxLatencyUs } : {}) };
  const r = kShortestPaths(g, a, z, k, constraints, { distinct: intercityKey(view) });
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
    ...(o.addDrop ? { addDrop: new Map(o.addDrop) } : {}),
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
  /**
   * Where in a trunk's units first fit starts, as a fraction of its capacity (wrapping to the bottom
   * when nothing fits above). Each process uses its own, so replicas grooming the same site pair at
   * once take different units instead of the same ones, where the second insert would wait inside the
   * exclusion constraint for the first's commit and then fail (bench/cluster.ts measured that stall).
   */
  trunkStart?: number;
  /** Lit channels and margin: required for waves and trunks. */
  qot: QotContext;
  /** Why candidates were refused (filled in when given). */
  reasons?: string[];
  /**
   * Waves planned in one shape only: this mode, regenerators only at these sites (each a subset the
   * planner may use). Availability re-plans a plan it carried this way first (see availability.ts).
   */
  shape?: WaveShape;
  /**
   * The caller turns the plan's waves off again at once (a quote's options, availability's trials):
   * the last segment of an unprotected wave is judged but not lit (planWave's lightLast). A plan
   * made this way must not be counted on as lit.
   */
  tentative?: boolean;
}

/** A wave plan's shape: its transceiver mode and the sites it may regenerate at. */
export interface WaveShape {
  mode: TransceiverModeSpec;
  regenSites: ReadonlySet<number>;
}

/** lowestGap, or with fromTop the highest start of a free run (the mirror image of lowestGap). */
export function pickGap(used: readonly [number, number][], width: number, from: number, cap: number, fromTop: boolean): number {
  if (!fromTop) return lowestGap(used, width, from, cap);
  const mirrored = used.map(([lo, hi]) => [cap - hi, cap - lo] as [number, number]);
  const s = lowestGap(mirrored, width, 0, cap - from);
  return s < 0 ? -1 : cap - s - width;
}

/** Rounds a dB figure once, at the edge where designs are stored and shown. */
function db3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The stored wave design of a physics plan. */
export function waveDesignOf(view: NetworkView, plan: WavePlan, lineRateGbps: number, marginDb: number): WaveDesign {
  const g = view.graph;
  const segments: WaveSegment[] = plan.segments.map((s) => {
    const uniform = s.fiberPairs.every((x) => x === s.fiberPairs[0]) && s.startSlots.every((x) => x === s.startSlots[0]) && s.slotCounts.every((x) => x === s.slotCounts[0]);
    return {
      spanIds: s.spans.map((e) => g.spanIds[e]),
      fiberPair: s.fiberPairs[0],
      startSlot: s.startSlots[0],
      slots: s.slotCounts[0],
      ...(uniform ? {} : { fiberPairs: s.fiberPairs, startSlots: s.startSlots, slotCounts: s.slotCounts }),
      centerFrequencyGhz: s.centerFrequencyGhz,
      lightpathId: s.lightpathId,
      qot: {
        gsnrDb: db3(s.qot.gsnrDb),
        gsnr01nmDb: db3(s.qot.gsnr01nmDb),
        requiredOsnrDb: db3(s.qot.requiredOsnrDb),
        marginDb: db3(s.qot.marginDb),
        policyMarginDb: marginDb,
        cdPsPerNm: db3(s.qot.cdPsPerNm),
        pmdPs: db3(s.qot.pmdPs),
        perSpan: s.qot.perSpan.map((x) => ({ spanId: g.spanIds[x.spanIndex], gsnr01nmDb: db3(x.gsnr01nmDb), osnrAse01nmDb: db3(x.osnrAse01nmDb) })),
        worstNeighbour: s.qot.worstNeighbour === null ? null : { lightpathId: s.qot.worstNeighbour.lightpathId, marginDb: db3(s.qot.worstNeighbour.marginDb) },
      },
    };
  });
  const first = plan.segments[0];
  return {
    lineRateGbps,
    format: plan.mode.modulation,
    slots: first.slotCounts[0],
    widthGhz: first.widthGhz,
    regeneratorSiteIds: plan.regenNodes.map((v) => g.nodeIds[v]),
    segments,
    modeId: plan.mode.id,
    baudRateGbd: plan.mode.baudRateGbd,
  };
}

/** A wave path's optical summary as quotes show it: its mode and its weakest segment against the threshold. */
export interface PathQotSummary {
  role: string;
  modeId: string;
  gsnr01nmDb: number;
  requiredOsnrDb: number;
  marginDb: number;
  policyMarginDb: number;
  regeneratorSiteIds: string[];
}

/** The optical summary of every wave path of a design (empty for dark fiber and trunk shares). */
export function qotSummary(design: CircuitDesign): PathQotSummary[] {
  const out: PathQotSummary[] = [];
  for (const p of design.paths) {
    const w = p.wave;
    if (!w || w.modeId === undefined) continue;
    const worst = w.segments.reduce<WaveSegment | null>((a, s) => (s.qot && (!a?.qot || s.qot.marginDb < a.qot.marginDb) ? s : a), null);
    if (!worst?.qot) continue;
    const q = worst.qot;
    out.push({ role: p.role, modeId: w.modeId, gsnr01nmDb: q.gsnr01nmDb, requiredOsnrDb: q.requiredOsnrDb, marginDb: q.marginDb, policyMarginDb: q.policyMarginDb, regeneratorSiteIds: w.regeneratorSiteIds });
  }
  return out;
}

/** The spectrum rows a physics plan holds, each naming its channel. */
export function waveAllocations(view: NetworkView, plan: WavePlan): Omit<PlannedAllocation, 'role'>[] {
  const g = view.graph;
  const out: Omit<PlannedAllocation, 'role'>[] = [];
  for (const s of plan.segments) {
    const channel = { l: s.lightpathId, m: plan.mode.id, f: s.centerFrequencyGhz };
    s.spans.forEach((e, i) => out.push({ kind: 'spectrum', resourceId: g.spanIds[e], sub: s.fiberPairs[i], lo: s.startSlots[i], hi: s.startSlots[i] + s.slotCounts[i], channel }));
  }
  return out;
}

function planWaveOn(view: NetworkView, occ: Occupancy, path: Path, lineRateGbps: number, id: string, opts: PlanOptions, regenAt?: (node: number) => boolean, lightLast = true): { wave: WaveDesign; allocs: Omit<PlannedAllocation, 'role'>[]; plan: WavePlan } | null {
  const qot = opts.qot;
  const spread = Math.abs(Math.trunc(opts.spread ?? 0));
  const shape = opts.shape;
  const at = shape ? (v: number) => shape.regenSites.has(v) && (regenAt?.(v) ?? true) : regenAt;
  const r = planWave(physicsOf(view).net, occ.layers, qot.state, path, { id, bandwidthGbps: lineRateGbps, marginDb: qot.marginDb, fromTop: spread % 2 === 1, pairOffset: spread >> 1, ...(at ? { regenAt: at } : {}), ...(shape ? { modes: [shape.mode] } : {}), lightLast });
  if (!r.ok) {
    opts.reasons?.push(r.reason);
    return null;
  }
  occupyWave(occ.layers, r.plan);
  return { wave: waveDesignOf(view, r.plan, lineRateGbps, qot.marginDb), allocs: waveAllocations(view, r.plan), plan: r.plan };
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

/** Plans one optical path (wave or strands) with the given role; mutates occ (and lights the wave) on success. */
function planOptical(view: NetworkView, occ: Occupancy, spec: CircuitSpec, p: Path, role: 'working' | 'protect', opts: PlanOptions, lightLast = true): { dp: DesignPath; allocs: PlannedAllocation[]; lit: WavePlan | null; took: { siteId: string; count: number }[] } | null {
  const dp = designPath(view, p, role);
  if (spec.product === 'dark-fiber') {
    const r = planStrands(view, occ, p, (opts.spread ?? 0) % 2 === 1);
    if (!r) {
      opts.reasons?.push(`no free strand pair on every span of ${dp.siteIds.join(' → ')}`);
      return null;
    }
    dp.strands = r.strands;
    return { dp, allocs: r.allocs.map((x) => ({ ...x, role })), lit: null, took: [] };
  }
  // A wave needs an add/drop port at each POP end and two at each regenerator (the NETCONF driver's
  // portNeeds): where the ports are known, a path whose end has none is refused here, naming the site,
  // and regenerators go only where two are free, as restoration places them (engine physicsPlacer).
  const ports = occ.addDrop && new AddDropPorts(view.graph, occ.addDrop);
  const ends = [p.nodes[0], p.nodes[p.nodes.length - 1]];
  const full = ports ? ends.find((v) => ports.lacks(v, 1)) : undefined;
  if (full !== undefined) {
    opts.reasons?.push(`no free add/drop port at ${view.graph.nodeIds[full]} (every one is held)`);
    return null;
  }
  const w = planWaveOn(view, occ, p, spec.bandwidthGbps, `${opts.qot.idPrefix}:${role}`, opts, ports?.regenAt, lightLast);
  if (!w) return null;
  dp.wave = w.wave;
  const took: { siteId: string; count: number }[] = [];
  if (ports) {
    for (const [v, n] of [...ends.map((e) => [e, 1] as const), ...w.plan.regenNodes.map((r) => [r, REGEN_ADD_DROP_PORTS] as const)]) {
      const t = ports.take(v, n);
      if (t) took.push(t);
    }
  }
  return { dp, allocs: w.allocs.map((x) => ({ ...x, role })), lit: w.plan, took };
}

function lightpathsOf(plans: readonly (WavePlan | null)[]): LightpathInput[] {
  return plans.flatMap((p) => (p ? p.segments.map((s) => s.lightpath) : []));
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
function takeTrunk(t: TrunkState, bandwidthGbps: number, fromTop: boolean, start = 0): [number, number] | null {
  // The start is aligned to the circuit's size, so circuits of one size still pack without gaps.
  const from = Math.floor((Math.min(Math.max(start, 0), 1) * t.capacityGbps) / bandwidthGbps) * bandwidthGbps;
  const above = fromTop || from === 0 ? -1 : lowestGap(t.used, bandwidthGbps, from, t.capacityGbps);
  const lo = above >= 0 ? above : pickGap(t.used, bandwidthGbps, 0, t.capacityGbps, fromTop);
  if (lo < 0) return null;
  const r: [number, number] = [lo, lo + bandwidthGbps];
  t.used.push(r);
  return r;
}

function trunkDesign(t: TrunkState | NewTrunk, role: 'working' | 'protect', units: [number, number], lit: boolean): DesignPath {
  return { role, siteIds: t.siteIds, spanIds: t.spanIds, lengthKm: t.lengthKm, latencyUs: t.latencyUs, trunk: { trunkId: t.id, units, lit } };
}

/** Lights a new trunk on path p; mutates occ (spectrum and trunk list) and lights its wave on success. */
function lightTrunk(view: NetworkView, occ: Occupancy, spec: CircuitSpec, p: Path, newId: () => string, opts: PlanOptions): (NewTrunk & { lit: WavePlan }) | null {
  const id = newId();
  const w = planWaveOn(view, occ, p, TRUNK_RATE_GBPS, `${opts.qot.idPrefix}:${id}`, opts);
  if (!w) return null;
  const t: NewTrunk & { lit: WavePlan } = {
    lit: w.plan,
    id,
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
    const r = takeTrunk(t, bw, (opts.spread ?? 0) % 2 === 1, opts.trunkStart) as [number, number];
    return { kind: 'trunk', resourceId: t.id, sub: 0, lo: r[0], hi: r[1], role };
  };
  if (route.kind === 'single') {
    const best = usable[0];
    if (best) {
      const a = cap(best, 'working');
      return { design: { paths: [trunkDesign(best, 'working', [a.lo, a.hi], false)] }, allocations: [a], newTrunks: [], lightpaths: [], addDrop: [] };
    }
    for (const p of route.candidates) {
      const t = lightTrunk(view, occ, spec, p, newTrunkId, opts);
      if (!t) continue;
      const ts = occ.trunks[occ.trunks.length - 1];
      const a = cap(ts, 'working');
      return { design: { paths: [trunkDesign(t, 'working', [a.lo, a.hi], true)] }, allocations: [...trunkAllocs(t), a], newTrunks: [t], lightpaths: lightpathsOf([t.lit]), addDrop: [] };
    }
    return null;
  }
  for (let i = 0; i < usable.length; i++) {
    const pi = trunkPath(view, usable[i]);
    if (!pi) continue;
    for (let j = i + 1; j < usable.length; j++) {
      const pj = trunkPath(view, usable[j]);
      if (!pj || !pairDisjoint(view.graph, pi, pj, route.disjointness)) continue;
      const a = cap(usable[i], 'working');
      const b = cap(usable[j], 'protect');
      return {
        design: { paths: [trunkDesign(usable[i], 'working', [a.lo, a.hi], false), trunkDesign(usable[j], 'protect', [b.lo, b.hi], false)] },
        allocations: [a, b],
        newTrunks: [],
        lightpaths: [],
        addDrop: [],
      };
    }
  }
  for (const pair of route.pairs) {
    const trial = cloneOccupancy(occ);
    const t1 = lightTrunk(view, trial, spec, pair[0], newTrunkId, opts);
    if (!t1) continue;
    const t2 = lightTrunk(view, trial, spec, pair[1], newTrunkId, opts);
    if (!t2) {
      unlightWave(opts.qot.state, t1.lit);
      continue;
    }
    adopt(occ, trial);
    const s1 = occ.trunks[occ.trunks.length - 2];
    const s2 = occ.trunks[occ.trunks.length - 1];
    const a = cap(s1, 'working');
    const b = cap(s2, 'protect');
    return {
      design: { paths: [trunkDesign(t1, 'working', [a.lo, a.hi], true), trunkDesign(t2, 'protect', [b.lo, b.hi], true)] },
      allocations: [...trunkAllocs(t1), ...trunkAllocs(t2), a, b],
      newTrunks: [t1, t2],
      lightpaths: lightpathsOf([t1.lit, t2.lit]),
      addDrop: [],
    };
  }
  return null;
}

/** Makes occ what a successful trial on its clone made it. */
function adopt(occ: Occupancy, trial: Occupancy): void {
  occ.layers.forEach((l, i) => l.bits.set(trial.layers[i].bits));
  occ.strands = trial.strands;
  occ.trunks = trial.trunks;
  if (trial.addDrop) occ.addDrop = trial.addDrop;
}

/**
 * The first feasible plan for spec on route, or null when capacity (spectrum, strands, GSNR) is
 * exhausted; opts.reasons says why each candidate was refused. Mutates occ to mark what the plan takes
 * and lights its waves in opts.qot.state (clone the occupancy and unlight plan.lightpaths for a
 * tentative plan; with opts.tentative a lone wave's last segment is not lit at all). 1+1 takes the
 * first pair, in order, whose two legs both fit.
 */
export function planCircuit(view: NetworkView, occ: Occupancy, spec: CircuitSpec, route: Route, newTrunkId: () => string, opts: PlanOptions): Plan | null {
  if (isPacketProduct(spec.product)) return planPacket(view, occ, spec, route, newTrunkId, opts);
  if (route.kind === 'single') {
    for (const p of route.candidates) {
      // A lone wave: nothing planned after it needs it lit (a 1+1's protect leg is judged beside its working one).
      const r = planOptical(view, occ, spec, p, 'working', opts, !opts.tentative);
      if (r) return { design: { paths: [r.dp] }, allocations: r.allocs, newTrunks: [], lightpaths: lightpathsOf([r.lit]), addDrop: r.took };
    }
    return null;
  }
  for (const pair of route.pairs) {
    const trial = cloneOccupancy(occ);
    const w = planOptical(view, trial, spec, pair[0], 'working', opts);
    if (!w) continue;
    const p = planOptical(view, trial, spec, pair[1], 'protect', opts);
    if (!p) {
      if (w.lit) unlightWave(opts.qot.state, w.lit);
      continue;
    }
    adopt(occ, trial);
    return { design: { paths: [w.dp, p.dp] }, allocations: [...w.allocs, ...p.allocs], newTrunks: [], lightpaths: lightpathsOf([w.lit, p.lit]), addDrop: [...w.took, ...p.took] };
  }
  return null;
}

/** Spans whose occupancy a route's plan may read (the candidates' spans). */
export function routeSpanIds(view: NetworkView, route: Route): string[] {
  const paths = route.kind === 'single' ? route.candidates : route.pairs.flat();
  const ids = new Set<string>();
  for (const p of paths) for (const e of p.spans) ids.add(view.graph.spanIds[e]);
  return [...ids];
}
