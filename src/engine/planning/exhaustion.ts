/**
 * Forecast exhaustion without the plan: route every forecast demand of every period on its shortest
 * route by km over the existing spans (a 1+1 demand on its shortest SRLG-disjoint pair), in waves of
 * the highest rate whose narrowest mode reaches that route, and find for each span the first period
 * whose slots exceed what its existing line system lights. Spans never exceeded get null.
 */
import { graphFromNetwork, type Graph, type Path } from '../graph.js';
import { shortestPath } from '../paths.js';
import { diversePair } from '../diverse.js';
import type { ModulationMode } from '../modulation.js';
import { DEFAULT_LINE_SYSTEM } from '../../domain/network.js';
import { defaultPlanningModes, type NetworkPlanInput } from './network-input.js';
import { planCommodities } from './network-model.js';

export interface SpanExhaustion {
  spanId: string;
  /** Existing slots (lit fiber pairs × slots, less slots in use). */
  slotsAvailable: number;
  /** Slots the forecast needs per period under shortest-path routing. */
  slotsNeeded: number[];
  /** First period (1-based) whose need exceeds what is available; null if none. */
  exhaustedInPeriod: number | null;
  label: string | null;
}

/** Highest-rate mode that reaches km, narrowest first among equal rates; null if none reaches. */
export function bestModeFor(modes: readonly ModulationMode[], km: number): ModulationMode | null {
  let best: ModulationMode | null = null;
  for (const m of modes) {
    if (m.reachKm < km) continue;
    if (best === null || m.lineRateGbps > best.lineRateGbps || (m.lineRateGbps === best.lineRateGbps && m.slots < best.slots)) best = m;
  }
  return best;
}

function routesOf(g: Graph, a: string, z: string, protectedDemand: boolean): Path[] {
  if (!protectedDemand) {
    const r = shortestPath(g, a, z, { metric: 'length' });
    return r.status === 'found' ? [r.path] : [];
  }
  const d = diversePair(g, a, z, { metric: 'length' }, { disjointness: 'srlg' });
  return d.status === 'found' ? d.paths : [];
}

export function spanExhaustion(input: NetworkPlanInput): SpanExhaustion[] {
  const net = input.network;
  const g = graphFromNetwork(net);
  const modes = input.modes ?? defaultPlanningModes();
  const T = input.periods;
  const need = net.spans.map(() => new Array<number>(T).fill(0));
  for (const c of planCommodities(input)) {
    const routes = routesOf(g, c.aSiteId, c.zSiteId, c.protection === '1+1');
    for (const p of routes) {
      const m = bestModeFor(modes, p.lengthKm);
      if (m === null) continue;
      for (let t = 0; t < T; t++) {
        const waves = Math.ceil(c.gbps[t] / m.lineRateGbps);
        for (const e of p.spans) need[e][t] += waves * m.slots;
      }
    }
  }
  return net.spans.map((s, e) => {
    const slots = s.lineSystem?.slotCount ?? DEFAULT_LINE_SYSTEM.slotCount;
    const available = (s.lineSystem?.fiberPairs ?? 0) * slots - (input.usedSlotsBySpan?.[s.id] ?? 0);
    const t = need[e].findIndex((n) => n > available);
    return {
      spanId: s.id,
      slotsAvailable: available,
      slotsNeeded: need[e],
      exhaustedInPeriod: t < 0 ? null : t + 1,
      label: t < 0 ? null : input.periodLabels?.[t] ?? String(t + 1),
    };
  });
}
