/**
 * The planning request a client posts (`POST /v1/plans`), checked against the store's network and
 * turned into the engine's NetworkPlanInput. The same inputs `lightpath plan` takes offline: a forecast
 * (rows) or a growth scenario, the horizon and its labels, fiber supply per period in fiber-km,
 * proposed routes, discounting, cable size, candidate paths, solver options.
 */
import { validationFailed, type FieldError } from '../../domain/errors.js';
import type { Network } from '../../domain/network.js';
import type { ForecastDemand, ProtectionClass } from '../../domain/planning.js';
import { DEFAULT_PLANNING_COSTS, type NetworkPlanInput, type PlanningCosts } from '../../engine/planning/network-input.js';
import { growthForecast, marketSites, proposeRoutes } from '../../engine/planning/scenarios.js';

export interface PlanRequest {
  forecast?: { aSiteId: string; zSiteId: string; period: number; gbps: number; protection?: ProtectionClass }[];
  growth?: { baseGbps: number; defaultGrowth: number; growthByMetro?: Record<string, number>; metros?: string[]; protection?: ProtectionClass };
  periods?: number;
  periodLabels?: string[];
  /** Fiber-km that can be bought per period; the last value repeats. */
  fiberSupplyKm?: number[];
  /** Offer new routes between PoPs up to this great-circle distance (km). */
  proposeRoutesKm?: number;
  discountRate?: number;
  newCableStrands?: number;
  pathsPerDemand?: number;
  pairsPerDemand?: number;
  costs?: Partial<Omit<PlanningCosts, 'transponderByRateGbps'>> & { transponderByRateGbps?: Record<string, number> };
  timeLimitSeconds?: number;
  mipRelGap?: number;
  solver?: 'highs' | 'cbc';
  warmStart?: boolean;
}

/** Solver settings of a request, with defaults. */
export interface SolverSettings {
  timeLimitSeconds: number;
  mipRelGap: number;
  solver: 'highs' | 'cbc';
  warmStart: boolean;
}

export const DEFAULT_PLAN_TIME_LIMIT_SECONDS = 60;

export function solverSettings(r: PlanRequest): SolverSettings {
  return { timeLimitSeconds: r.timeLimitSeconds ?? DEFAULT_PLAN_TIME_LIMIT_SECONDS, mipRelGap: r.mipRelGap ?? 0, solver: r.solver ?? 'highs', warmStart: r.warmStart ?? true };
}

/**
 * Checks what the schema cannot (sites and metros of the network, one of forecast/growth, labels per
 * period) and builds the engine input. Throws validation-failed naming every problem.
 */
export function planInput(network: Network, r: PlanRequest, usedSlotsBySpan: Record<string, number> = {}): NetworkPlanInput {
  const errors: FieldError[] = [];
  const sites = new Set(network.sites.map((s) => s.id));
  if ((r.forecast === undefined) === (r.growth === undefined)) errors.push({ path: '/forecast', message: 'give exactly one of forecast (rows) or growth (a scenario)' });
  let forecast: ForecastDemand[] = [];
  if (r.forecast) {
    r.forecast.forEach((f, i) => {
      for (const k of ['aSiteId', 'zSiteId'] as const) if (!sites.has(f[k])) errors.push({ path: `/forecast/${i}/${k}`, message: `unknown site ${JSON.stringify(f[k])}` });
      if (f.aSiteId === f.zSiteId) errors.push({ path: `/forecast/${i}/zSiteId`, message: 'must differ from aSiteId' });
    });
    forecast = r.forecast.map((f) => ({ aSiteId: f.aSiteId, zSiteId: f.zSiteId, period: f.period, gbps: f.gbps, protection: f.protection ?? 'none' }));
  }
  const periods = Math.max(r.periods ?? (r.forecast ? 1 : 3), ...forecast.map((f) => f.period));
  if (r.growth) {
    const markets = marketSites(network);
    for (const m of r.growth.metros ?? []) if (!markets.has(m)) errors.push({ path: '/growth/metros', message: `no data-center or cloud on-ramp site in metro ${JSON.stringify(m)}` });
    if (markets.size < 2 && errors.length === 0) errors.push({ path: '/growth', message: 'the network has fewer than two data-center markets (metros with a data center or cloud on-ramp)' });
  }
  if (r.periodLabels && r.periodLabels.length !== periods) errors.push({ path: '/periodLabels', message: `gives ${r.periodLabels.length} labels for ${periods} periods` });
  if (errors.length > 0) throw validationFailed('invalid plan request', errors);
  if (r.growth) {
    forecast = growthForecast(network, { baseGbps: r.growth.baseGbps, defaultGrowth: r.growth.defaultGrowth, periods, ...(r.growth.growthByMetro ? { growthByMetro: r.growth.growthByMetro } : {}), ...(r.growth.metros ? { metros: r.growth.metros } : {}), ...(r.growth.protection ? { protection: r.growth.protection } : {}) });
  }
  const supply = r.fiberSupplyKm;
  const costs: PlanningCosts | undefined = r.costs
    ? {
        ...DEFAULT_PLANNING_COSTS,
        ...r.costs,
        transponderByRateGbps: r.costs.transponderByRateGbps
          ? { ...DEFAULT_PLANNING_COSTS.transponderByRateGbps, ...Object.fromEntries(Object.entries(r.costs.transponderByRateGbps).map(([k, v]) => [Number(k), v])) }
          : DEFAULT_PLANNING_COSTS.transponderByRateGbps,
      }
    : undefined;
  return {
    network,
    forecast,
    periods,
    ...(r.periodLabels ? { periodLabels: r.periodLabels } : {}),
    ...(supply && supply.length > 0 ? { fiberSupplyKm: Array.from({ length: periods }, (_, t) => supply[Math.min(t, supply.length - 1)]) } : {}),
    ...(costs ? { costs } : {}),
    candidateRoutes: r.proposeRoutesKm ? proposeRoutes(network, { maxKm: r.proposeRoutesKm, limit: 50 }) : [],
    ...(r.newCableStrands !== undefined ? { newCableStrands: r.newCableStrands } : {}),
    ...(r.pathsPerDemand !== undefined ? { pathsPerDemand: r.pathsPerDemand } : {}),
    ...(r.pairsPerDemand !== undefined ? { pairsPerDemand: r.pairsPerDemand } : {}),
    discountRate: r.discountRate ?? 0,
    usedSlotsBySpan,
  };
}
