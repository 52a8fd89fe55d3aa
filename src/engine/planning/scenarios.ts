/**
 * Demand forecasts from growth scenarios, and candidate new routes proposed between sites.
 *
 * Growth: traffic between the data-center markets (metros with data-center or cloud on-ramp sites)
 * starts at a base Gbps per pair and grows per period at the geometric mean of the two markets'
 * rates, e.g. an AI build-out market at 60 %/year next to a steady one at 20 %/year.
 *
 * Proposed routes: for site pairs without a span, within maxKm great-circle, a route of
 * great-circle × route factor (the project's DEFAULT_ROUTE_FACTOR, 1.25, unless given) with a
 * straight geometry, each its own right-of-way SRLG.
 */
import { greatCircleKm, straightGeometry, type Network, type Site } from '../../domain/network.js';
import type { ForecastDemand, ProtectionClass } from '../../domain/planning.js';
import { PROPOSED_ROUTE_FACTOR, type CandidateRoute } from './network-input.js';

export interface GrowthScenario {
  /** Gbps between every pair of markets in period 1. */
  baseGbps: number;
  /** Growth per period by metro name (0.6 = 60 %); metros not listed grow at defaultGrowth. */
  growthByMetro?: Record<string, number>;
  defaultGrowth: number;
  periods: number;
  protection?: ProtectionClass;
  /** Only these metros (default: every metro with a data center or cloud on-ramp). */
  metros?: string[];
}

/** One site per market: the metro's first data center (else cloud on-ramp), by id. */
export function marketSites(net: Network, metros?: readonly string[]): Map<string, Site> {
  const out = new Map<string, Site>();
  const rank = (s: Site): number => (s.kind === 'datacenter' ? 0 : 1);
  const sites = net.sites.filter((s) => (s.kind === 'datacenter' || s.kind === 'cloud-onramp') && s.metro !== null);
  sites.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const s of sites) {
    const m = s.metro as string;
    if (metros !== undefined && !metros.includes(m)) continue;
    if (!out.has(m)) out.set(m, s);
  }
  return out;
}

/** Forecast rows for every market pair and period under the scenario. */
export function growthForecast(net: Network, sc: GrowthScenario): ForecastDemand[] {
  const markets = [...marketSites(net, sc.metros)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (sc.metros) for (const m of sc.metros) if (!markets.some(([name]) => name === m)) throw new RangeError(`no data-center site in metro ${m}`);
  const rows: ForecastDemand[] = [];
  const g = (metro: string): number => sc.growthByMetro?.[metro] ?? sc.defaultGrowth;
  for (let i = 0; i < markets.length; i++) {
    for (let j = i + 1; j < markets.length; j++) {
      const [ma, a] = markets[i];
      const [mb, b] = markets[j];
      const rate = Math.sqrt((1 + g(ma)) * (1 + g(mb)));
      for (let t = 1; t <= sc.periods; t++) {
        rows.push({ aSiteId: a.id, zSiteId: b.id, period: t, gbps: sc.baseGbps * rate ** (t - 1), protection: sc.protection ?? 'none' });
      }
    }
  }
  return rows;
}

/** Candidate routes between site pairs with no span, within maxKm great-circle (nearest first, at most `limit`). */
export function proposeRoutes(net: Network, opts: { maxKm: number; routeFactor?: number; limit?: number; kinds?: Site['kind'][] }): CandidateRoute[] {
  const factor = opts.routeFactor ?? PROPOSED_ROUTE_FACTOR;
  const kinds = opts.kinds ?? ['pop'];
  const sites = net.sites.filter((s) => kinds.includes(s.kind));
  const linked = new Set(net.spans.map((s) => (s.aSiteId < s.zSiteId ? `${s.aSiteId}|${s.zSiteId}` : `${s.zSiteId}|${s.aSiteId}`)));
  const out: (CandidateRoute & { gc: number })[] = [];
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const [a, z] = sites[i].id < sites[j].id ? [sites[i], sites[j]] : [sites[j], sites[i]];
      if (linked.has(`${a.id}|${z.id}`)) continue;
      const gc = greatCircleKm(a.lat, a.lon, z.lat, z.lon);
      if (gc > opts.maxKm || gc <= 0) continue;
      const id = `new-${a.id}-${z.id}`;
      out.push({ id, aSiteId: a.id, zSiteId: z.id, lengthKm: gc * factor, geometry: straightGeometry(a, z), srlgIds: [], gc });
    }
  }
  out.sort((p, q) => p.gc - q.gc || (p.id < q.id ? -1 : 1));
  return out.slice(0, opts.limit ?? out.length).map(({ gc: _gc, ...r }) => r);
}
