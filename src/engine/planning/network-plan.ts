/**
 * The build-out plan document: what to build in each period (waves with their routes, line systems,
 * cables, new routes as GeoJSON LineStrings), its capex, the state afterwards (lit waves,
 * utilisation per link) and the business KPIs, plus the forecast exhaustion of every span without
 * the plan. JSON-serialisable; ids are the network's span and site ids (new routes: candidate ids),
 * so a later `plan apply` can turn a period's builds into an inventory change set.
 */
import type { LineString, Network } from '../../domain/network.js';
import { straightGeometry } from '../../domain/network.js';
import type { SolveResult } from './solution.js';
import type { NetworkModel } from './network-model.js';
import { spanExhaustion, type SpanExhaustion } from './exhaustion.js';

/** Kilometres per statute mile (exact by definition: 1 mile = 1.609344 km, international yard and pound agreement, 1959). */
export const KM_PER_MILE = 1.609344;

export interface PlannedWave {
  aSiteId: string;
  zSiteId: string;
  protection: 'none' | '1+1';
  rateGbps: number;
  format: string;
  slots: number;
  /** Span (or new route) ids of the working route, from aSiteId to zSiteId. */
  spanIds: string[];
  lengthKm: number;
  /** Sites where the wave is regenerated (back-to-back transponders), in route order. */
  regenSiteIds: string[];
  protectFormat: string | null;
  protectSlots: number | null;
  protectSpanIds: string[];
  protectLengthKm: number | null;
  protectRegenSiteIds: string[];
  /** Transponders per wave (both ends of every transparent segment, on both routes). */
  transpondersPerWave: number;
  /** Waves (of this route and rate) added in the period, or lit in total for `lit`. */
  count: number;
}

export interface PlannedLineSystems {
  spanId: string;
  /** Line systems (lit fiber pairs) added. */
  added: number;
}

export interface PlannedCables {
  spanId: string;
  added: number;
  strandsPerCable: number;
  fiberKm: number;
  onNewRoute: boolean;
}

export interface PlannedRoute {
  routeId: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  geometry: LineString;
}

export interface Capex {
  transponders: number;
  lineSystems: number;
  cables: number;
  routes: number;
  total: number;
  /** Total discounted to the first period. */
  discounted: number;
}

export interface LinkUtilisation {
  spanId: string;
  slotsUsed: number;
  slotsLit: number;
  /** slotsUsed / slotsLit; null when nothing is lit. */
  utilisation: number | null;
  fiberPairsLit: number;
  cablesAdded: number;
}

export interface PeriodKpis {
  /** Route length of spans and opened routes carrying a line system, km and miles. */
  routeKm: number;
  routeMiles: number;
  /** Route miles × strands, over the same routes. */
  fiberMiles: number;
  /** Sum of lit wave rates (protection waves not counted twice). */
  litCapacityGbps: number;
  demandGbps: number;
  fiberKmBought: number;
  fiberKmSupply: number | null;
  wavesLit: number;
}

export interface PeriodPlan {
  period: number;
  label: string;
  build: { waves: PlannedWave[]; lineSystems: PlannedLineSystems[]; cables: PlannedCables[]; newRoutes: PlannedRoute[] };
  capex: Capex;
  /** State after the period's builds. */
  lit: PlannedWave[];
  utilisation: LinkUtilisation[];
  kpis: PeriodKpis;
}

export interface NetworkPlan {
  network: string;
  periods: PeriodPlan[];
  solver: Omit<SolveResult, 'x'>;
  capex: Capex;
  exhaustion: SpanExhaustion[];
  /** Parameters that shape the plan (for the record). */
  assumptions: { newCableStrands: number; discountRate: number; pathsPerDemand: number; pairsPerDemand: number };
}

function emptyCapex(): Capex {
  return { transponders: 0, lineSystems: 0, cables: 0, routes: 0, total: 0, discounted: 0 };
}

/** Decodes a solution vector of the build-out model into the plan document. */
export function decodeNetworkPlan(nm: NetworkModel, result: SolveResult): NetworkPlan {
  const x = result.x;
  if (x === null) throw new RangeError(`no solution to decode (solver status ${result.status})`);
  const v = (j: number): number => (j < 0 ? 0 : Math.max(0, Math.round(x[j])));
  const input = nm.input;
  const net: Network = input.network;
  const siteById = new Map(net.sites.map((s) => [s.id, s] as const));
  const candidateById = new Map((input.candidateRoutes ?? []).map((r) => [r.id, r] as const));
  const c = nm.costs;
  /** Site ids at the given node positions of a route that starts at `from`. */
  const siteSeq = (links: readonly number[], from: string, at: readonly number[]): string[] => {
    const nodes = [from];
    for (const e of links) nodes.push(nm.links[e].aSiteId === nodes[nodes.length - 1] ? nm.links[e].zSiteId : nm.links[e].aSiteId);
    return at.map((k) => nodes[k]);
  };
  const periods: PeriodPlan[] = [];
  const total = emptyCapex();
  for (let t = 0; t < nm.periods; t++) {
    const capex = emptyCapex();
    const waves: PlannedWave[] = [];
    const lit: PlannedWave[] = [];
    for (const o of nm.options) {
      const now = v(o.col[t]);
      const before = t > 0 ? v(o.col[t - 1]) : 0;
      if (now === 0) continue;
      const com = nm.commodities[o.commodity];
      const wave: PlannedWave = {
        aSiteId: com.aSiteId,
        zSiteId: com.zSiteId,
        protection: com.protection,
        rateGbps: o.rateGbps,
        format: o.mode.format,
        slots: o.mode.slots,
        spanIds: o.links.map((e) => nm.links[e].id),
        lengthKm: o.lengthKm,
        regenSiteIds: siteSeq(o.links, com.aSiteId, o.regenAt),
        protectFormat: o.protectMode?.format ?? null,
        protectSlots: o.protectMode?.slots ?? null,
        protectSpanIds: o.protectLinks.map((e) => nm.links[e].id),
        protectLengthKm: o.protectMode ? o.protectLengthKm : null,
        protectRegenSiteIds: siteSeq(o.protectLinks, com.aSiteId, o.protectRegenAt),
        transpondersPerWave: o.transponders,
        count: now,
      };
      lit.push(wave);
      if (now > before) {
        waves.push({ ...wave, count: now - before });
        capex.transponders += (now - before) * o.transponders * c.transponderByRateGbps[o.rateGbps];
      }
    }
    const lineSystems: PlannedLineSystems[] = [];
    const cables: PlannedCables[] = [];
    const newRoutes: PlannedRoute[] = [];
    const utilisation: LinkUtilisation[] = [];
    const slotsUsed = new Float64Array(nm.links.length);
    for (const w of lit) {
      for (const id of w.spanIds) slotsUsed[nm.graph.spanIndex(id)] += w.slots * w.count;
      for (const id of w.protectSpanIds) slotsUsed[nm.graph.spanIndex(id)] += (w.protectSlots as number) * w.count;
    }
    let routeKm = 0;
    let fiberKmWeighted = 0;
    let fiberKmBought = 0;
    nm.links.forEach((l, e) => {
      const ls = v(nm.lineSystemCol[e][t]);
      const lsBefore = t > 0 ? v(nm.lineSystemCol[e][t - 1]) : 0;
      const cb = v(nm.cableCol[e][t]);
      const cbBefore = t > 0 ? v(nm.cableCol[e][t - 1]) : 0;
      const rt = v(nm.routeCol[e][t]);
      const rtBefore = t > 0 ? v(nm.routeCol[e][t - 1]) : 0;
      if (ls > lsBefore) {
        lineSystems.push({ spanId: l.id, added: ls - lsBefore });
        capex.lineSystems += (ls - lsBefore) * (c.lineSystemFixed + c.lineSystemPerKm * l.lengthKm);
      }
      if (cb > cbBefore) {
        const fiberKm = (cb - cbBefore) * nm.strandsPerCable * l.lengthKm;
        cables.push({ spanId: l.id, added: cb - cbBefore, strandsPerCable: nm.strandsPerCable, fiberKm, onNewRoute: l.isNew });
        capex.cables += (cb - cbBefore) * l.lengthKm * (c.cablePerRouteKm + nm.strandsPerCable * c.cablePerStrandKm);
        fiberKmBought += fiberKm;
      }
      if (rt > rtBefore) {
        const cand = candidateById.get(l.id);
        const a = siteById.get(l.aSiteId);
        const z = siteById.get(l.zSiteId);
        const geometry = cand?.geometry ?? (a && z ? straightGeometry(a, z) : { type: 'LineString' as const, coordinates: [] });
        newRoutes.push({ routeId: l.id, aSiteId: l.aSiteId, zSiteId: l.zSiteId, lengthKm: l.lengthKm, geometry });
        capex.routes += c.newRoutePerKm * l.lengthKm;
      }
      const pairs = l.litPairs0 + ls;
      const slotsLit = pairs * l.slotCount;
      const used = slotsUsed[e] + l.usedSlots0;
      if (pairs > 0 || cb > 0) {
        utilisation.push({ spanId: l.id, slotsUsed: used, slotsLit, utilisation: slotsLit > 0 ? used / slotsLit : null, fiberPairsLit: pairs, cablesAdded: cb });
      }
      if (pairs > 0) {
        routeKm += l.lengthKm;
        fiberKmWeighted += l.lengthKm * (l.strands0 + cb * nm.strandsPerCable);
      }
    });
    capex.total = capex.transponders + capex.lineSystems + capex.cables + capex.routes;
    capex.discounted = capex.total * nm.discount[t];
    for (const k of ['transponders', 'lineSystems', 'cables', 'routes', 'total', 'discounted'] as const) total[k] += capex[k];
    periods.push({
      period: t + 1,
      label: input.periodLabels?.[t] ?? String(t + 1),
      build: { waves, lineSystems, cables, newRoutes },
      capex,
      lit,
      utilisation,
      kpis: {
        routeKm,
        routeMiles: routeKm / KM_PER_MILE,
        fiberMiles: fiberKmWeighted / KM_PER_MILE,
        litCapacityGbps: lit.reduce((s, w) => s + w.rateGbps * w.count, 0),
        demandGbps: nm.commodities.reduce((s, com) => s + com.gbps[t], 0),
        fiberKmBought,
        fiberKmSupply: input.fiberSupplyKm?.[t] ?? null,
        wavesLit: lit.reduce((s, w) => s + w.count * (w.protectSpanIds.length > 0 ? 2 : 1), 0),
      },
    });
  }
  const { x: _x, ...solver } = result;
  return {
    network: net.name,
    periods,
    solver,
    capex: total,
    exhaustion: spanExhaustion(input),
    assumptions: {
      newCableStrands: nm.strandsPerCable,
      discountRate: input.discountRate ?? 0,
      pathsPerDemand: input.pathsPerDemand ?? 3,
      pairsPerDemand: input.pairsPerDemand ?? 3,
    },
  };
}
