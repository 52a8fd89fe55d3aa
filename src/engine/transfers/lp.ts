/**
 * The linear-programming interface the transfer scheduler talks to. Solver-agnostic so the engine stays
 * pure and testable: `highs.ts` adapts HiGHS (WASM) to it; a test may plug in anything else.
 *
 * Models are given column-wise (CSC), the shape the time-expanded formulation produces naturally: one
 * column per (transfer, path, slot) rate with its capacity, volume, rate and price rows.
 */

/** A linear (or mixed-integer) program: min/max c'x subject to rowLower <= Ax <= rowUpper, colLower <= x <= colUpper. */
export interface LpProblem {
  sense: 'minimize' | 'maximize';
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** CSC: column j's entries are indices/values[starts[j] .. starts[j+1]); no duplicate row in a column. */
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
  /** 1 = integer column; absent = all continuous (an LP). */
  integer?: Uint8Array;
}

/** Simplex basis statuses (HiGHS numbering: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic). */
export interface LpBasis {
  colStatus: Int32Array;
  rowStatus: Int32Array;
}

/** Limits and hints for one solve. Iteration and node limits are deterministic; a time limit is not. */
export interface LpSolveOptions {
  /** Simplex iterations before giving up with status 'limit' (deterministic budget). */
  iterationLimit?: number;
  /** Wall-clock seconds before giving up with status 'limit' (a safety net; makes results timing-dependent). */
  timeLimitSeconds?: number;
  /** Branch-and-bound nodes before giving up (MILP only; deterministic). */
  mipNodeLimit?: number;
  /** Relative MILP gap at which the incumbent counts as optimal (default the solver's). */
  mipRelativeGap?: number;
  /** Starting basis (may be partial or inconsistent: the solver repairs it). LP only. */
  basis?: LpBasis;
  /** Return the final basis (LP only). */
  wantBasis?: boolean;
}

/**
 * Outcome: 'optimal' (proven, within the solver's tolerances), 'infeasible' (proven), 'unbounded',
 * 'limit' (an iteration/time/node limit stopped it; colValue may hold a feasible incumbent for a MILP),
 * 'error' (the solver failed; detail says how).
 */
export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'limit' | 'error';

export interface LpResult {
  status: LpStatus;
  /** Objective value (for a MILP stopped at a limit: the incumbent's, NaN when none). */
  objective: number;
  /** MILP: the proven bound on the optimum (dual bound); LP: equal to objective when optimal. */
  bound: number;
  colValue: Float64Array;
  basis?: LpBasis;
  iterations: number;
  /** True when colValue holds a primal-feasible point (optimal, or a MILP incumbent at a limit). */
  hasSolution: boolean;
  detail: string;
}

/** A model kept loaded between solves so that bound and cost changes re-solve warm (from the last basis). */
export interface LpSession {
  solve(options?: LpSolveOptions): LpResult;
  setColBounds(cols: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): void;
  setRowBounds(rows: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): void;
  setCosts(cols: ArrayLike<number>, costs: ArrayLike<number>): void;
  setSense(sense: LpProblem['sense']): void;
  dispose(): void;
}

/** What the scheduler needs from a solver. */
export interface LpSolver {
  /** Solver name for reports (e.g. "HiGHS 1.15.1"). */
  readonly name: string;
  solve(problem: LpProblem, options?: LpSolveOptions): LpResult;
  /** Load a model for a series of warm re-solves; the caller must dispose it. */
  open(problem: LpProblem, options?: { basis?: LpBasis }): LpSession;
}

/** Growable CSC builder: add columns one at a time, rows get indices as they are created. */
export class CscBuilder {
  numCols = 0;
  numRows = 0;
  private cost: Float64Array = new Float64Array(1024);
  private lower: Float64Array = new Float64Array(1024);
  private upper: Float64Array = new Float64Array(1024);
  private integer: Uint8Array | null = null;
  private rLower: Float64Array = new Float64Array(1024);
  private rUpper: Float64Array = new Float64Array(1024);
  private starts: Int32Array = new Int32Array(1025);
  private idx: Int32Array = new Int32Array(4096);
  private val: Float64Array = new Float64Array(4096);
  private nnz = 0;

  /** New row with bounds; returns its index. */
  addRow(lower: number, upper: number): number {
    if (this.numRows === this.rLower.length) {
      this.rLower = grow(this.rLower);
      this.rUpper = grow(this.rUpper);
    }
    this.rLower[this.numRows] = lower;
    this.rUpper[this.numRows] = upper;
    return this.numRows++;
  }

  setRowBounds(row: number, lower: number, upper: number): void {
    this.rLower[row] = lower;
    this.rUpper[row] = upper;
  }

  rowLower(row: number): number {
    return this.rLower[row];
  }

  rowUpper(row: number): number {
    return this.rUpper[row];
  }

  /** Start a column; add its entries with entry() before the next column starts. Returns its index. */
  addCol(cost: number, lower: number, upper: number, isInteger = false): number {
    if (this.numCols === this.cost.length) {
      this.cost = grow(this.cost);
      this.lower = grow(this.lower);
      this.upper = grow(this.upper);
      if (this.integer) this.integer = growU8(this.integer);
      const s = new Int32Array(this.cost.length + 1);
      s.set(this.starts);
      this.starts = s;
    }
    if (isInteger && !this.integer) this.integer = new Uint8Array(this.cost.length);
    if (this.integer) this.integer[this.numCols] = isInteger ? 1 : 0;
    this.cost[this.numCols] = cost;
    this.lower[this.numCols] = lower;
    this.upper[this.numCols] = upper;
    this.numCols++;
    this.starts[this.numCols] = this.nnz;
    return this.numCols - 1;
  }

  /** Coefficient of the current (last added) column in a row; a repeated row adds to the existing entry. */
  entry(row: number, value: number): void {
    const from = this.starts[this.numCols - 1];
    for (let k = from; k < this.nnz; k++) {
      if (this.idx[k] === row) {
        this.val[k] += value;
        return;
      }
    }
    if (this.nnz === this.idx.length) {
      const i = new Int32Array(this.idx.length * 2);
      i.set(this.idx);
      this.idx = i;
      this.val = grow(this.val);
    }
    this.idx[this.nnz] = row;
    this.val[this.nnz] = value;
    this.nnz++;
    this.starts[this.numCols] = this.nnz;
  }

  setColBounds(col: number, lower: number, upper: number): void {
    this.lower[col] = lower;
    this.upper[col] = upper;
  }

  setCost(col: number, cost: number): void {
    this.cost[col] = cost;
  }

  build(sense: LpProblem['sense']): LpProblem {
    const p: LpProblem = {
      sense,
      numCols: this.numCols,
      numRows: this.numRows,
      colCost: this.cost.slice(0, this.numCols),
      colLower: this.lower.slice(0, this.numCols),
      colUpper: this.upper.slice(0, this.numCols),
      rowLower: this.rLower.slice(0, this.numRows),
      rowUpper: this.rUpper.slice(0, this.numRows),
      starts: this.starts.slice(0, this.numCols + 1),
      indices: this.idx.slice(0, this.nnz),
      values: this.val.slice(0, this.nnz),
    };
    if (this.integer) p.integer = this.integer.slice(0, this.numCols);
    return p;
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function growU8(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}
