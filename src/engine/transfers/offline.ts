/**
 * The offline optimum: every request known in advance, one MILP that picks which to admit (all or
 * nothing, admit binary per request) to maximise the admitted volume, each admitted one scheduled inside
 * its own window [earliest, deadline). Rates are continuous here (no rounding to quanta), so the value is an
 * upper bound on what any schedule of whole quanta achieves; the benchmark uses it as the ceiling for the
 * online policies. With `relax`, the admit binaries (and wave counts) are relaxed: a weaker bound, an LP.
 */
import { buildLp, COL_ADMIT, type LpItem } from './formulation.js';
import type { LpSolver, LpStatus } from './lp.js';
import { Calendar } from './state.js';
import type { TransferNetwork, TransferRequest } from './types.js';

export interface OfflineOptions {
  relax?: boolean;
  useWaves?: boolean;
  mipNodeLimit?: number;
  timeLimitSeconds?: number;
  /** Stop when the incumbent is within this fraction of the bound (default 0: prove the optimum). */
  mipRelativeGap?: number;
  /**
   * Admit decisions fixed in advance (request index -> 0 or 1); the others stay free. With the LP
   * relaxation's near-integral decisions fixed, the MILP left over the fractional ones is small: its
   * solution is a feasible offline schedule (a lower bound on the optimum), not a bound on it.
   */
  fixAdmit?: ReadonlyMap<number, 0 | 1>;
}

export interface OfflineResult {
  status: LpStatus;
  /** Requests the best schedule found admits (empty when the solver found none). */
  admittedIds: string[];
  admittedVolumeGbit: number;
  /** Per request (input order): the value of its admit variable in the solution (NaN without one). */
  admitValues: Float64Array;
  /** Proven upper bound on the admitted volume (equal to it when status is 'optimal' and the gap is 0). */
  boundVolumeGbit: number;
  columns: number;
  rows: number;
}

export function offlineOptimum(network: TransferNetwork, requests: readonly TransferRequest[], solver: LpSolver, options: OfflineOptions = {}): OfflineResult {
  const cal = new Calendar(network);
  const items: LpItem[] = requests.map((r, i) => {
    const req = cal.normalize(r);
    return { key: i, req, from: req.earliest, to: req.deadline, needQ: req.needQ, budget: Infinity, mode: 'optional' };
  });
  const built = buildLp({
    cal,
    now: 0,
    items,
    fixedUsageQ: null,
    waveMode: (options.useWaves ?? true) && cal.W > 0 ? 'optimize' : 'fixed',
    integerWaves: !options.relax,
    objective: 'max-admitted',
    earliness: 0,
    relaxAdmission: options.relax ?? false,
  });
  if (options.fixAdmit) {
    for (let c = 0; c < built.colKind.length; c++) {
      if (built.colKind[c] !== COL_ADMIT) continue;
      const v = options.fixAdmit.get(built.colOwner[c]);
      if (v !== undefined) built.problem.colLower[c] = built.problem.colUpper[c] = v;
    }
  }
  const res = solver.solve(built.problem, {
    ...(options.mipNodeLimit !== undefined ? { mipNodeLimit: options.mipNodeLimit } : {}),
    ...(options.timeLimitSeconds !== undefined ? { timeLimitSeconds: options.timeLimitSeconds } : {}),
    ...(options.mipRelativeGap !== undefined ? { mipRelativeGap: options.mipRelativeGap } : {}),
  });
  const admittedIds: string[] = [];
  let admittedVolumeGbit = 0;
  const admitValues = new Float64Array(requests.length).fill(NaN);
  if (res.hasSolution) for (let c = 0; c < built.colKind.length; c++) if (built.colKind[c] === COL_ADMIT) admitValues[built.colOwner[c]] = res.colValue[c];
  if (res.hasSolution && !options.relax) {
    for (let c = 0; c < built.colKind.length; c++) {
      if (built.colKind[c] !== COL_ADMIT || res.colValue[c] < 0.5) continue;
      const it = items[built.colOwner[c]];
      admittedIds.push(it.req.id);
      admittedVolumeGbit += it.req.volumeGbit;
    }
  }
  // The objective counts each admitted request's volume rounded up to whole quantum-slots (Gbps-slots).
  const boundVolumeGbit = Number.isFinite(res.bound) ? -res.bound * cal.slotSeconds : Infinity;
  return { status: res.status, admittedIds, admittedVolumeGbit, admitValues, boundVolumeGbit, columns: built.problem.numCols, rows: built.problem.numRows };
}
