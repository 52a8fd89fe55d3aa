/** What a MILP solver reports, solver-neutral, so plans can carry it and benchmarks can compare solvers. */

export type SolveStatus = 'optimal' | 'time-limit' | 'node-limit' | 'interrupted' | 'infeasible' | 'unbounded' | 'error';

/** One progress report during a solve (minimisation: primal is an upper bound, dual a lower bound). */
export interface SolveProgress {
  seconds: number;
  primal: number | null;
  dual: number | null;
  gap: number | null;
  nodes: number;
}

export interface SolveResult {
  solver: string;
  status: SolveStatus;
  /** Objective of the best solution found (offset included); null without one. */
  objective: number | null;
  /** Proven lower bound on the optimum (offset included); null when the solver proved none. */
  bound: number | null;
  /** (objective - bound) / |objective|; 0 when proven optimal; null without both. */
  gap: number | null;
  /** Column values of the best solution; null without one. */
  x: Float64Array | null;
  seconds: number;
  nodes: number | null;
  message?: string;
}

/** Limits and hooks every solver adapter accepts. */
export interface SolveOptions {
  /** Wall-clock limit in seconds (default: none). */
  timeLimitSec?: number;
  /** Stop when the relative gap is at most this (default 0: prove optimality). */
  mipRelGap?: number;
  /** Branch-and-bound node limit. */
  maxNodes?: number;
  /** A feasible solution to start from (MIP start). */
  warmStart?: ArrayLike<number>;
  /** Called now and then with the incumbent, bound and gap. */
  onProgress?: (p: SolveProgress) => void;
  /** Solver log on stderr. */
  verbose?: boolean;
}

/** Relative gap as the solvers define it: (primal - dual) / max(|primal|, tiny). */
export function relativeGap(primal: number | null, dual: number | null): number | null {
  if (primal === null || dual === null || !Number.isFinite(primal) || !Number.isFinite(dual)) return null;
  const g = (primal - dual) / Math.max(Math.abs(primal), 1e-9);
  return g < 0 ? 0 : g;
}
