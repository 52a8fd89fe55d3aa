/**
 * Multi-period, multi-layer build-out model of a Network as a MILP.
 *
 * Layers: waves (transponder pairs at a line rate and mode, lit end to end on a route, transparent:
 * the mode's reach must cover the route) ride on line systems (one per lit fiber pair, `slotCount`
 * flex-grid slots each) which need free fiber pairs in cables, which are laid on existing spans or
 * on candidate new routes (a right-of-way opened once).
 *
 * Routing is path-based: each demand (site pair and protection class) may use its k shortest routes
 * by km (unprotected) or its best SRLG-disjoint route pairs (1+1: a working and a protection wave
 * per unit of capacity, both lit). Path-based because a wave's reach is a property of its whole
 * route, which arc flows cannot express; the candidate set makes the model exact over those routes
 * and a heuristic restriction of all routes (raise pathsPerDemand to widen it). Waves carry a
 * demand's traffic only (no grooming across demands); a demand's capacity may be split over routes
 * and rates in whole waves.
 *
 * Variables are cumulative per period (what is lit or laid by the end of period t): integer waves
 * per (demand, route, rate), integer line systems and cables per link, binary route openings;
 * monotone over periods (build once and keep). Constraints per period: lit capacity >= forecast,
 * slots used on a link <= slots of its lit fiber pairs (a slot-count bound: spectrum continuity and
 * contiguity are left to the RSA at order time), lit fiber pairs <= free pairs of existing and new
 * cables, cables only on opened routes, fiber-km bought <= supply. Objective: capex, discounted per
 * period: an item bought in period t costs c / (1 + rate)^(t-1).
 */
import type { Network } from '../../domain/network.js';
import { LightpathError } from '../../domain/errors.js';
import { buildGraph, type Graph, type Path } from '../graph.js';
import { kShortestPaths } from '../paths.js';
import { diversePair, srlgDisjoint } from '../diverse.js';
import { placeRegenerators, type ModulationMode } from '../modulation.js';
import { ModelBuilder, type MilpModel } from './model.js';
import {
  DEFAULT_NEW_CABLE_STRANDS,
  DEFAULT_PLANNING_COSTS,
  defaultPlanningModes,
  type CandidateRoute,
  type NetworkPlanInput,
  type PlanningCosts,
} from './network-input.js';
import { DEFAULT_LINE_SYSTEM } from '../../domain/network.js';

/** A link of the model: an existing span or a candidate route. */
export interface PlanLink {
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  isNew: boolean;
  slotCount: number;
  /** Fiber pairs lit by the existing line system. */
  litPairs0: number;
  /** Fiber pairs free in the existing cables. */
  freePairs0: number;
  usedSlots0: number;
  strands0: number;
}

/** A demand of the model: one site pair and protection class with its Gbps per period. */
export interface PlanCommodity {
  key: string;
  aSiteId: string;
  zSiteId: string;
  protection: 'none' | '1+1';
  gbps: number[];
}

/** A wave option: a route (or working + protection routes) at a rate, with the mode used on each. */
export interface WaveOption {
  commodity: number;
  rateGbps: number;
  /** Link indices of the working route and of the protection route (empty when unprotected). */
  links: number[];
  protectLinks: number[];
  mode: ModulationMode;
  protectMode: ModulationMode | null;
  lengthKm: number;
  protectLengthKm: number;
  /** Regenerator sites (node positions along the route, 1..hops-1) where the route exceeds the mode's reach. */
  regenAt: number[];
  protectRegenAt: number[];
  /** Transponders per wave: 2 per transparent segment, on each route. */
  transponders: number;
  /** Column per period. */
  col: Int32Array;
}

export interface NetworkModel {
  input: NetworkPlanInput;
  periods: number;
  costs: PlanningCosts;
  modes: ModulationMode[];
  strandsPerCable: number;
  links: PlanLink[];
  commodities: PlanCommodity[];
  options: WaveOption[];
  /** Per link: columns per period (-1 when absent). */
  lineSystemCol: Int32Array[];
  cableCol: Int32Array[];
  routeCol: Int32Array[];
  /** Discount factor of each period (1 for the first). */
  discount: number[];
  model: MilpModel;
  graph: Graph;
}

/** Most cables the model may lay on one link over the horizon (keeps integer columns bounded). */
const MAX_CABLES_PER_LINK = 20;

function pairKeyOf(a: string, z: string): [string, string] {
  return a < z ? [a, z] : [z, a];
}

/** Links of the model: the network's spans and the candidate routes. */
export function planLinks(net: Network, candidates: readonly CandidateRoute[], usedSlots: Record<string, number> = {}): PlanLink[] {
  const links: PlanLink[] = net.spans.map((s) => ({
    id: s.id,
    aSiteId: s.aSiteId,
    zSiteId: s.zSiteId,
    lengthKm: s.lengthKm,
    isNew: false,
    slotCount: s.lineSystem?.slotCount ?? DEFAULT_LINE_SYSTEM.slotCount,
    litPairs0: s.lineSystem?.fiberPairs ?? 0,
    freePairs0: s.cables.reduce((acc, c) => acc + Math.floor(Math.max(0, c.strandCount - c.strandsInUse) / 2), 0),
    usedSlots0: usedSlots[s.id] ?? 0,
    strands0: s.cables.reduce((acc, c) => acc + c.strandCount, 0),
  }));
  for (const r of candidates) {
    links.push({ id: r.id, aSiteId: r.aSiteId, zSiteId: r.zSiteId, lengthKm: r.lengthKm, isNew: true, slotCount: DEFAULT_LINE_SYSTEM.slotCount, litPairs0: 0, freePairs0: 0, usedSlots0: 0, strands0: 0 });
  }
  return links;
}

/** Graph over spans and candidate routes (SRLGs included) for route search. */
export function planGraph(net: Network, candidates: readonly CandidateRoute[], links: readonly PlanLink[]): Graph {
  const srlgs = new Map<string, readonly string[]>(net.spans.map((s) => [s.id, s.srlgIds] as const));
  for (const r of candidates) srlgs.set(r.id, r.srlgIds);
  return buildGraph(
    net.sites.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon })),
    links.map((l) => ({ id: l.id, aSiteId: l.aSiteId, zSiteId: l.zSiteId, lengthKm: l.lengthKm, latencyUs: l.lengthKm * 4.9, srlgIds: srlgs.get(l.id) ?? [] })),
  );
}

/** Forecast rows grouped into commodities (unordered site pair + protection class), Gbps per period. */
export function planCommodities(input: NetworkPlanInput): PlanCommodity[] {
  const sites = new Set(input.network.sites.map((s) => s.id));
  const byKey = new Map<string, PlanCommodity>();
  for (const f of input.forecast) {
    if (!sites.has(f.aSiteId)) throw new LightpathError('validation-failed', `forecast names unknown site ${f.aSiteId}`);
    if (!sites.has(f.zSiteId)) throw new LightpathError('validation-failed', `forecast names unknown site ${f.zSiteId}`);
    if (f.aSiteId === f.zSiteId) throw new LightpathError('validation-failed', `forecast demand from ${f.aSiteId} to itself`);
    if (!(Number.isInteger(f.period) && f.period >= 1 && f.period <= input.periods)) {
      throw new LightpathError('validation-failed', `forecast period ${f.period} is outside the horizon 1..${input.periods}`);
    }
    const [a, z] = pairKeyOf(f.aSiteId, f.zSiteId);
    const key = `${a}|${z}|${f.protection}`;
    let c = byKey.get(key);
    if (c === undefined) {
      c = { key, aSiteId: a, zSiteId: z, protection: f.protection, gbps: new Array<number>(input.periods).fill(0) };
      byKey.set(key, c);
    }
    c.gbps[f.period - 1] += f.gbps;
  }
  return [...byKey.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/**
 * The mode of a rate for a route: the narrowest that reaches it transparently, else the one needing
 * the fewest regenerators (back-to-back transponder pairs at intermediate sites, placed greedily by
 * placeRegenerators), narrowest among equals; null if a single span is beyond every reach.
 */
function modeFor(g: Graph, modes: readonly ModulationMode[], rate: number, p: Path): { mode: ModulationMode; regenAt: number[] } | null {
  let best: { mode: ModulationMode; regenAt: number[] } | null = null;
  const km = p.spans.map((e) => g.lengthKm[e]);
  for (const m of modes) {
    if (m.lineRateGbps !== rate) continue;
    const regenAt = placeRegenerators(km, m.reachKm);
    if (regenAt === null) continue;
    if (best === null || regenAt.length < best.regenAt.length || (regenAt.length === best.regenAt.length && m.slots < best.mode.slots)) best = { mode: m, regenAt };
  }
  return best;
}

/** Candidate routes (unprotected) or SRLG-disjoint route pairs (1+1) of a commodity. */
export function candidateRoutes(g: Graph, c: PlanCommodity, k: number, pairs: number): { work: Path; protect: Path | null }[] {
  if (c.protection === 'none') {
    return kShortestPaths(g, c.aSiteId, c.zSiteId, k, { metric: 'length' }).paths.map((p) => ({ work: p, protect: null }));
  }
  const ps = kShortestPaths(g, c.aSiteId, c.zSiteId, Math.max(2 * pairs, 6), { metric: 'length' }).paths;
  const found: { work: Path; protect: Path | null; km: number }[] = [];
  for (let i = 0; i < ps.length; i++) {
    for (let j = i + 1; j < ps.length; j++) if (srlgDisjoint(g, ps[i], ps[j])) found.push({ work: ps[i], protect: ps[j], km: ps[i].lengthKm + ps[j].lengthKm });
  }
  const best = diversePair(g, c.aSiteId, c.zSiteId, { metric: 'length' }, { disjointness: 'srlg' });
  if (best.status === 'found') {
    const [p, q] = best.paths;
    const same = (x: Path, y: Path): boolean => x.spans.length === y.spans.length && x.spans.every((e, i) => e === y.spans[i]);
    if (!found.some((f) => f.protect !== null && ((same(f.work, p) && same(f.protect, q)) || (same(f.work, q) && same(f.protect, p))))) {
      found.push({ work: p, protect: q, km: p.lengthKm + q.lengthKm });
    }
  }
  found.sort((x, y) => x.km - y.km);
  return found.slice(0, pairs).map(({ work, protect }) => ({ work, protect }));
}

/** Builds the build-out MILP. Throws validation-failed when a demand has no route any mode can reach. */
export function buildNetworkModel(input: NetworkPlanInput): NetworkModel {
  const T = input.periods;
  if (!(Number.isInteger(T) && T >= 1)) throw new LightpathError('validation-failed', `periods must be an integer >= 1, got ${T}`);
  const costs = input.costs ?? DEFAULT_PLANNING_COSTS;
  const modes = input.modes ?? defaultPlanningModes();
  const rates = [...new Set(modes.map((m) => m.lineRateGbps))].sort((a, b) => a - b);
  for (const r of rates) if (!(costs.transponderByRateGbps[r] >= 0)) throw new LightpathError('validation-failed', `no transponder cost for ${r}G`);
  const strands = input.newCableStrands ?? DEFAULT_NEW_CABLE_STRANDS;
  const candidates = input.candidateRoutes ?? [];
  const links = planLinks(input.network, candidates, input.usedSlotsBySpan);
  const g = planGraph(input.network, candidates, links);
  const commodities = planCommodities(input);
  const rho = input.discountRate ?? 0;
  const discount = Array.from({ length: T }, (_, t) => 1 / (1 + rho) ** t);
  // Coefficient of a cumulative column of period t for an item of cost c: c (delta_t - delta_{t+1}).
  const weight = (t: number): number => discount[t] - (t + 1 < T ? discount[t + 1] : 0);

  const b = new ModelBuilder(`${input.network.name}-buildout-${T}p`);
  const options: WaveOption[] = [];
  const unservable: string[] = [];
  commodities.forEach((c, ci) => {
    const routes = candidateRoutes(g, c, input.pathsPerDemand ?? 3, input.pairsPerDemand ?? 3);
    let any = false;
    routes.forEach((r, ri) => {
      for (const rate of rates) {
        const work = modeFor(g, modes, rate, r.work);
        const protect = r.protect ? modeFor(g, modes, rate, r.protect) : null;
        if (work === null || (r.protect !== null && protect === null)) continue;
        any = true;
        const transponders = 2 * (1 + work.regenAt.length) + (protect ? 2 * (1 + protect.regenAt.length) : 0);
        const cost = transponders * costs.transponderByRateGbps[rate];
        const col = new Int32Array(T);
        for (let t = 0; t < T; t++) col[t] = b.addVar(`w_${ci}_${ri}_${rate}_${t}`, { type: 'integer', cost: cost * weight(t), ub: 1e6 });
        options.push({
          commodity: ci, rateGbps: rate, links: r.work.spans, protectLinks: r.protect?.spans ?? [], mode: work.mode, protectMode: protect?.mode ?? null,
          lengthKm: r.work.lengthKm, protectLengthKm: r.protect?.lengthKm ?? 0, regenAt: work.regenAt, protectRegenAt: protect?.regenAt ?? [], transponders, col,
        });
      }
    });
    if (!any && c.gbps.some((v) => v > 0)) {
      unservable.push(`${c.aSiteId}–${c.zSiteId} (${c.protection === '1+1' ? 'no SRLG-disjoint pair of routes' : 'no route'} whose spans are within every mode's reach)`);
    }
  });
  if (unservable.length > 0) {
    const more = unservable.length > 5 ? ` and ${unservable.length - 5} more` : '';
    throw new LightpathError('validation-failed', `${unservable.length} demands no candidate route can serve: ${unservable.slice(0, 5).join('; ')}${more}`);
  }

  const lineSystemCol: Int32Array[] = [];
  const cableCol: Int32Array[] = [];
  const routeCol: Int32Array[] = [];
  links.forEach((l, e) => {
    const ls = new Int32Array(T);
    const cb = new Int32Array(T);
    const rt = new Int32Array(T).fill(-1);
    const lsCost = costs.lineSystemFixed + costs.lineSystemPerKm * l.lengthKm;
    const cableCost = l.lengthKm * (costs.cablePerRouteKm + strands * costs.cablePerStrandKm);
    for (let t = 0; t < T; t++) {
      ls[t] = b.addVar(`ls_${e}_${t}`, { type: 'integer', cost: lsCost * weight(t), ub: l.freePairs0 + (strands / 2) * MAX_CABLES_PER_LINK });
      cb[t] = b.addVar(`cb_${e}_${t}`, { type: 'integer', cost: cableCost * weight(t), ub: MAX_CABLES_PER_LINK });
      if (l.isNew) rt[t] = b.addVar(`rt_${e}_${t}`, { type: 'binary', cost: costs.newRoutePerKm * l.lengthKm * weight(t) });
    }
    lineSystemCol.push(ls);
    cableCol.push(cb);
    routeCol.push(rt);
  });

  // Capacity of every demand in every period.
  for (let t = 0; t < T; t++) {
    commodities.forEach((c, ci) => {
      if (c.gbps[t] <= 0) return;
      const mine = options.filter((o) => o.commodity === ci);
      b.addRow(`dem_${ci}_${t}`, mine.map((o) => o.col[t]), mine.map((o) => o.rateGbps), '>=', c.gbps[t]);
    });
  }
  // Slots on each link.
  const onLink: { o: number; slots: number }[][] = links.map(() => []);
  options.forEach((o, oi) => {
    for (const e of o.links) onLink[e].push({ o: oi, slots: o.mode.slots });
    for (const e of o.protectLinks) onLink[e].push({ o: oi, slots: (o.protectMode as ModulationMode).slots });
  });
  for (let t = 0; t < T; t++) {
    links.forEach((l, e) => {
      if (onLink[e].length > 0) {
        const idx = onLink[e].map((x) => options[x.o].col[t]);
        const coef = onLink[e].map((x) => x.slots);
        b.addRow(`slots_${e}_${t}`, [...idx, lineSystemCol[e][t]], [...coef, -l.slotCount], '<=', l.slotCount * l.litPairs0 - l.usedSlots0);
      }
      b.addRow(`pairs_${e}_${t}`, [lineSystemCol[e][t], cableCol[e][t]], [1, -strands / 2], '<=', l.freePairs0);
      if (l.isNew) b.addRow(`row_${e}_${t}`, [cableCol[e][t], routeCol[e][t]], [1, -MAX_CABLES_PER_LINK], '<=', 0);
      if (t > 0) {
        b.addRow(`mls_${e}_${t}`, [lineSystemCol[e][t], lineSystemCol[e][t - 1]], [1, -1], '>=', 0);
        b.addRow(`mcb_${e}_${t}`, [cableCol[e][t], cableCol[e][t - 1]], [1, -1], '>=', 0);
        if (l.isNew) b.addRow(`mrt_${e}_${t}`, [routeCol[e][t], routeCol[e][t - 1]], [1, -1], '>=', 0);
      }
    });
    if (t > 0) options.forEach((o, oi) => b.addRow(`mw_${oi}_${t}`, [o.col[t], o.col[t - 1]], [1, -1], '>=', 0));
    const supply = input.fiberSupplyKm?.[t];
    if (supply !== undefined && Number.isFinite(supply)) {
      const idx: number[] = [];
      const coef: number[] = [];
      links.forEach((l, e) => {
        idx.push(cableCol[e][t]);
        coef.push(l.lengthKm * strands);
        if (t > 0) {
          idx.push(cableCol[e][t - 1]);
          coef.push(-l.lengthKm * strands);
        }
      });
      b.addRow(`supply_${t}`, idx, coef, '<=', supply);
    }
  }
  return { input, periods: T, costs, modes, strandsPerCable: strands, links, commodities, options, lineSystemCol, cableCol, routeCol, discount, model: b.build(), graph: g };
}
