/**
 * Translation between stored services/trunks and the engine's restoration model: designs become demands
 * (paths as indices), restoration choices become designs and allocation rows. Pure: no I/O.
 */
import type { CircuitSpec } from '../../domain/products.js';
import { TRUNK_RATE_GBPS, isPacketProduct } from '../../domain/products.js';
import type { HeldPath, Path, RestoreDemand, RestoreProtection, StrandChoice, StrandCable, SpectrumGrid, WaveChoice } from '../../engine/index.js';
import type { CircuitDesign, DesignPath, StrandUse, WaveDesign } from '../ordering/design.js';
import type { NetworkView } from '../ordering/network-view.js';
import type { HeldRange, RestorableServiceRow, TrunkPathRow } from '../../store/resilience.js';
import { baseLayers, waveAllocations, waveDesignOf } from '../ordering/planner.js';
import type { RsaAssignment } from '../../engine/index.js';

/** An allocation row restoration inserts. */
export interface NewAllocation {
  kind: 'spectrum' | 'strand';
  resourceId: string;
  sub: number;
  lo: number;
  hi: number;
  role: 'working' | 'protect' | 'trunk';
  serviceId: string | null;
  trunkId: string | null;
  /** Spectrum: the channel it carries (lightpath id, mode, centre frequency). */
  channel?: { l: string; m: string; f: number } | null;
}

/** Held spectrum per fiber pair and strands per span, network-wide. */
export interface NetworkOccupancy {
  layers: SpectrumGrid[];
  strands: StrandCable[][];
  /** cable id -> [span index, cable index in that span's pool]. */
  cables: Map<string, [number, number]>;
}

/** The occupancy grids/pools from every held range (structural blocking included). */
export function occupancyFrom(view: NetworkView, spectrum: readonly HeldRange[], strands: readonly HeldRange[]): NetworkOccupancy {
  const layers = baseLayers(view);
  for (const a of spectrum) {
    const e = view.graph.spanIndex(a.resourceId);
    if (e < 0 || a.sub >= layers.length) continue;
    const grid = layers[a.sub];
    const hi = Math.min(a.hi, grid.slotCount);
    // Slot by slot only where structure already blocks (an inventory shrink); the normal case is one call.
    if (a.lo < hi && grid.isFree(e, a.lo, hi - a.lo)) grid.occupy(e, a.lo, hi - a.lo);
    else for (let s = a.lo; s < hi; s++) if (grid.isFree(e, s, 1)) grid.occupy(e, s, 1);
  }
  const cables = new Map<string, [number, number]>();
  const pools: StrandCable[][] = view.spans.map((span, e) =>
    span.cables.map((c, i) => {
      cables.set(c.id, [e, i]);
      return { strandCount: c.strandCount, firstUsable: c.strandsInUse, used: [] };
    }),
  );
  for (const a of strands) {
    const at = cables.get(a.resourceId);
    if (at) pools[at[0]][at[1]].used.push([a.lo, a.hi]);
  }
  return { layers, strands: pools, cables };
}

function protectionOf(spec: CircuitSpec): RestoreProtection {
  return spec.protection;
}

/** A design path as node/span indices; null when the inventory lost one of its sites or spans. */
export function heldPath(view: NetworkView, p: Pick<DesignPath, 'siteIds' | 'spanIds'>): HeldPath | null {
  const nodes = p.siteIds.map((id) => view.graph.nodeIndex(id));
  const spans = p.spanIds.map((id) => view.graph.spanIndex(id));
  if (nodes.some((v) => v < 0) || spans.some((e) => e < 0)) return null;
  return { nodes, spans };
}

/** Design paths with the traffic-carrying (working) one first. */
export function activeFirst(design: CircuitDesign): DesignPath[] {
  return [...design.paths].sort((a, b) => (a.role === b.role ? 0 : a.role === 'working' ? -1 : 1));
}

/** The demand an optical (wave / dark-fiber) service puts to the engine; null for packet products. */
export function serviceDemand(view: NetworkView, row: RestorableServiceRow): RestoreDemand | null {
  const spec = row.spec as CircuitSpec;
  if (isPacketProduct(spec.product)) return null;
  const paths = activeFirst(row.design as CircuitDesign).map((p) => heldPath(view, p));
  if (paths.some((p) => p === null)) return null;
  const src = view.graph.nodeIndex(spec.aSite);
  const dst = view.graph.nodeIndex(spec.zSite);
  if (src < 0 || dst < 0) return null;
  return {
    id: row.id,
    kind: spec.product === 'dark-fiber' ? 'strands' : 'wave',
    src,
    dst,
    lineRateGbps: spec.product === 'dark-fiber' ? 0 : spec.bandwidthGbps,
    protection: protectionOf(spec),
    priority: row.priority,
    createdAtMs: Date.parse(row.createdAt),
    maxLatencyUs: spec.maxLatencyUs,
    paths: paths as HeldPath[],
  };
}

/**
 * The demand a trunk puts to the engine: a 400G wave, restorable when any circuit riding it is
 * restorable, at the highest priority among them (its age decides ties).
 */
export function trunkDemand(view: NetworkView, t: TrunkPathRow, riders: readonly RestorableServiceRow[]): RestoreDemand | null {
  const p = heldPath(view, t);
  const src = view.graph.nodeIndex(t.aSiteId);
  const dst = view.graph.nodeIndex(t.zSiteId);
  if (!p || src < 0 || dst < 0) return null;
  const restorable = riders.some((r) => (r.spec as CircuitSpec).protection === 'restorable');
  return {
    id: t.id,
    kind: 'wave',
    src,
    dst,
    lineRateGbps: TRUNK_RATE_GBPS,
    protection: restorable ? 'restorable' : 'unprotected',
    priority: riders.reduce((m, r) => Math.max(m, r.priority), Number.MIN_SAFE_INTEGER),
    createdAtMs: Date.parse(t.createdAt),
    maxLatencyUs: null,
    paths: [p],
  };
}

/** Wave design and spectrum rows for a wave placed by the engine (by physics, or by the reach table). */
export function waveOf(view: NetworkView, choice: WaveChoice, lineRateGbps: number, owner: { serviceId: string | null; trunkId: string | null; role: NewAllocation['role'] }, marginDb = 0): { wave: WaveDesign; rows: NewAllocation[] } {
  if (choice.physics) {
    return {
      wave: waveDesignOf(view, choice.physics, lineRateGbps, marginDb),
      rows: waveAllocations(view, choice.physics).map((r) => ({ kind: 'spectrum' as const, resourceId: r.resourceId, sub: r.sub, lo: r.lo, hi: r.hi, ...owner, channel: r.channel ?? null })),
    };
  }
  const g = view.graph;
  const a = choice.assignment as RsaAssignment;
  const rows: NewAllocation[] = [];
  const segments = a.segments.map((s) => {
    const ls = view.spans[s.spans[0]].lineSystem;
    const slotGhz = ls?.slotWidthGhz ?? 12.5;
    for (const e of s.spans) rows.push({ kind: 'spectrum', resourceId: g.spanIds[e], sub: choice.layer, lo: s.startSlot, hi: s.startSlot + a.slots, ...owner });
    return {
      spanIds: s.spans.map((e) => g.spanIds[e]),
      fiberPair: choice.layer,
      startSlot: s.startSlot,
      slots: a.slots,
      centerFrequencyGhz: (ls?.startFrequencyGhz ?? 191_300) + (s.startSlot + a.slots / 2) * slotGhz,
    };
  });
  const slotGhz = view.spans[a.path.spans[0]]?.lineSystem?.slotWidthGhz ?? 12.5;
  return {
    wave: { lineRateGbps, format: a.mode.format, slots: a.slots, widthGhz: a.slots * slotGhz, regeneratorSiteIds: a.regenNodes.map((v) => g.nodeIds[v]), segments },
    rows,
  };
}

/** Strand uses and rows for strands picked by the engine. */
export function strandsOf(view: NetworkView, picks: readonly StrandChoice[], serviceId: string, role: 'working' | 'protect'): { strands: StrandUse[]; rows: NewAllocation[] } {
  const strands: StrandUse[] = [];
  const rows: NewAllocation[] = [];
  for (const p of picks) {
    const span = view.spans[p.span];
    const cable = span.cables[p.cable];
    strands.push({ spanId: span.id, cableId: cable.id, strands: [p.lo, p.lo + 1] });
    rows.push({ kind: 'strand', resourceId: cable.id, sub: 0, lo: p.lo, hi: p.lo + 2, role, serviceId, trunkId: null });
  }
  return { strands, rows };
}

/** The geometry part of a design path for an engine path. */
export function pathGeometry(view: NetworkView, p: Path): Pick<DesignPath, 'siteIds' | 'spanIds' | 'lengthKm' | 'latencyUs'> {
  return { siteIds: p.nodes.map((v) => view.graph.nodeIds[v]), spanIds: p.spans.map((e) => view.graph.spanIds[e]), lengthKm: p.lengthKm, latencyUs: p.latencyUs };
}

/** The same design with working and protect roles swapped (a 1+1 switch). */
export function swapped(design: CircuitDesign): CircuitDesign {
  return { paths: design.paths.map((p) => ({ ...p, role: p.role === 'working' ? 'protect' : 'working' })) };
}
