/**
 * Inputs of the multi-period build-out plan of a Network: costs, transponder modes, candidate new
 * routes, fiber supply. Costs are business inputs in the operator's currency; the defaults are
 * illustrative relative units (a 100G transponder = 1), to be replaced by the operator's price book.
 */
import { DEFAULT_MODULATIONS, type ModulationMode } from '../modulation.js';
import { DEFAULT_ROUTE_FACTOR, type LineString, type Network } from '../../domain/network.js';
import type { ForecastDemand } from '../../domain/planning.js';

/** Capital costs of each investment. */
export interface PlanningCosts {
  /** Cost of one transponder by line rate (Gbps); a wave needs one at each end. */
  transponderByRateGbps: Record<number, number>;
  /** Adding a line system on a free fiber pair: terminal cost plus a cost per km (amplifiers). */
  lineSystemFixed: number;
  lineSystemPerKm: number;
  /** Laying a cable: per route-km (trench, duct, splicing) and per strand-km (the fiber). */
  cablePerRouteKm: number;
  cablePerStrandKm: number;
  /** Opening a new right-of-way (a candidate route): once per route, per km. */
  newRoutePerKm: number;
}

/** Illustrative relative costs (100G transponder = 1); see README.md. */
export const DEFAULT_PLANNING_COSTS: PlanningCosts = Object.freeze({
  transponderByRateGbps: Object.freeze({ 100: 1, 400: 2.5, 800: 4 }) as Record<number, number>,
  lineSystemFixed: 20,
  lineSystemPerKm: 0.1,
  cablePerRouteKm: 0.5,
  cablePerStrandKm: 0.002,
  newRoutePerKm: 2,
}) as PlanningCosts;

/** A right-of-way where no span exists yet, on which cables may be laid. */
export interface CandidateRoute {
  id: string;
  aSiteId: string;
  zSiteId: string;
  lengthKm: number;
  geometry: LineString;
  srlgIds: string[];
}

export interface NetworkPlanInput {
  network: Network;
  forecast: ForecastDemand[];
  /** Number of periods (the horizon); forecast periods run 1..periods. */
  periods: number;
  /** Labels of the periods for reports (default "1", "2", …). */
  periodLabels?: string[];
  /** New fiber that can be bought per period, in fiber-km (strands × km); default unlimited. */
  fiberSupplyKm?: number[];
  costs?: PlanningCosts;
  /** Transponder modes (rate, slots, reach); default: the engine's modulation table at 100/400/800G. */
  modes?: ModulationMode[];
  /** New routes that may be opened (see proposeRoutes). */
  candidateRoutes?: CandidateRoute[];
  /** Strands in a newly laid cable (default 144). */
  newCableStrands?: number;
  /** Candidate paths per unprotected demand (default 3) and diverse pairs per protected demand (default 3). */
  pathsPerDemand?: number;
  pairsPerDemand?: number;
  /** Discount rate per period for the objective (default 0: undiscounted capex). */
  discountRate?: number;
  /** Slots already in use per span id (existing services); default none. */
  usedSlotsBySpan?: Record<string, number>;
}

export const DEFAULT_NEW_CABLE_STRANDS = 144;

/** Default modes: the engine's modulation table restricted to 100/400/800G. */
export function defaultPlanningModes(): ModulationMode[] {
  return DEFAULT_MODULATIONS.filter((m) => m.lineRateGbps === 100 || m.lineRateGbps === 400 || m.lineRateGbps === 800);
}

/** Route factor used for proposed routes: the project's default ratio of fiber route to great circle. */
export const PROPOSED_ROUTE_FACTOR = DEFAULT_ROUTE_FACTOR;
