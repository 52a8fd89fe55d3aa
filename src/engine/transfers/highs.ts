/**
 * HiGHS (the `highs` npm package: HiGHS compiled to WebAssembly) behind the engine's LpSolver interface.
 *
 * The caller loads the runtime (`await loadHighs()` reads the .wasm file, which is I/O and so stays out of
 * the engine) and hands it over. Every solve works on a fresh native model that is disposed before the
 * call returns, so one failed or huge solve cannot leave state behind. A WebAssembly trap (out of memory,
 * abort) is returned as status 'error' and marks the solver `broken`: the runtime's memory can no longer
 * be trusted, so the owner should load a new runtime (`highsLpSolver(await loadHighs())`) before the next
 * solve; until then every solve answers 'error' at once and the scheduler falls back to its greedy path.
 */
import type { Highs } from 'highs';
import type { LpBasis, LpProblem, LpResult, LpSession, LpSolveOptions, LpSolver, LpStatus } from './lp.js';

/** The subset of a HiGHS persistent model this adapter uses (typed structurally to keep the coupling small). */
type HighsModel = ReturnType<Highs['createModel']>;

/** HiGHS model-status codes (highs.constants.modelStatus) mapped to ours. */
function statusOf(code: number): LpStatus {
  switch (code) {
    case 7: // optimal
    case 6: // empty model: trivially optimal
      return 'optimal';
    case 8: // infeasible
      return 'infeasible';
    case 10: // unbounded
    case 9: // unbounded or infeasible (only from presolve, which we leave off for LPs)
      return 'unbounded';
    case 11: // objective bound
    case 12: // objective target
    case 13: // time limit
    case 14: // iteration limit
    case 16: // solution limit
    case 17: // interrupted
      return 'limit';
    default:
      return 'error';
  }
}

/** LpSolver over a loaded HiGHS runtime. */
export class HighsLpSolver implements LpSolver {
  readonly name: string;
  /** Set after a WebAssembly trap; load a fresh runtime before solving again. */
  broken = false;
  private brokenDetail = '';

  constructor(private readonly highs: Highs) {
    this.name = `HiGHS ${highs.version.string}`;
  }

  /** @internal */
  get constants(): Highs['constants'] {
    return this.highs.constants;
  }

  solve(problem: LpProblem, options: LpSolveOptions = {}): LpResult {
    if (this.broken) return errorResult(problem, `solver runtime unusable after an earlier failure: ${this.brokenDetail}`);
    let model: HighsModel | null = null;
    try {
      model = this.highs.createModel(toModelData(this.highs, problem));
      configure(model, problem, options);
      if (options.basis && !problem.integer) model.setBasis({ colStatus: options.basis.colStatus, rowStatus: options.basis.rowStatus });
      return runModel(model, problem, options);
    } catch (e) {
      return this.fail(problem, e);
    } finally {
      if (model) safeDispose(model);
    }
  }

  open(problem: LpProblem, options: { basis?: LpBasis } = {}): LpSession {
    if (this.broken) return new BrokenSession(problem, this.brokenDetail);
    const model = this.highs.createModel(toModelData(this.highs, problem));
    if (options.basis && !problem.integer) model.setBasis({ colStatus: options.basis.colStatus, rowStatus: options.basis.rowStatus });
    return new HighsSession(this, model, problem);
  }

  /** @internal A thrown error: a WebAssembly trap breaks the runtime; anything else is a plain solve error. */
  fail(problem: LpProblem, e: unknown): LpResult {
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (isTrap(e)) {
      this.broken = true;
      this.brokenDetail = detail;
    }
    return errorResult(problem, detail);
  }
}

/** Adapter for a loaded runtime: `highsLpSolver(await loadHighs())`. */
export function highsLpSolver(highs: Highs): HighsLpSolver {
  return new HighsLpSolver(highs);
}

class HighsSession implements LpSession {
  private disposed = false;

  constructor(
    private readonly owner: HighsLpSolver,
    private readonly model: HighsModel,
    private readonly problem: LpProblem,
  ) {}

  solve(options: LpSolveOptions = {}): LpResult {
    if (this.owner.broken) return errorResult(this.problem, 'solver runtime unusable after an earlier failure');
    try {
      configure(this.model, this.problem, options);
      // time_limit counts cumulative run time in a persistent model; each solve gets the full budget.
      this.model.zeroAllClocks();
      return runModel(this.model, this.problem, options);
    } catch (e) {
      return this.owner.fail(this.problem, e);
    }
  }

  setColBounds(cols: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): void {
    for (let i = 0; i < cols.length; i++) this.model.changeColBounds(cols[i], lower[i], upper[i]);
  }

  setRowBounds(rows: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): void {
    for (let i = 0; i < rows.length; i++) this.model.changeRowBounds(rows[i], lower[i], upper[i]);
  }

  setCosts(cols: ArrayLike<number>, costs: ArrayLike<number>): void {
    for (let i = 0; i < cols.length; i++) this.model.changeColCost(cols[i], costs[i]);
  }

  setSense(sense: LpProblem['sense']): void {
    this.problem.sense = sense;
    const senses = this.owner.constants.objectiveSense;
    this.model.changeObjectiveSense(sense === 'maximize' ? senses.maximize : senses.minimize);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    safeDispose(this.model);
  }
}

class BrokenSession implements LpSession {
  constructor(
    private readonly problem: LpProblem,
    private readonly detail: string,
  ) {}
  solve(): LpResult {
    return errorResult(this.problem, `solver runtime unusable after an earlier failure: ${this.detail}`);
  }
  setColBounds(): void {}
  setRowBounds(): void {}
  setCosts(): void {}
  setSense(): void {}
  dispose(): void {}
}

function toModelData(highs: Highs, p: LpProblem): Parameters<Highs['createModel']>[0] & object {
  const inf = highs.infinity;
  const clamp = (a: Float64Array): Float64Array => a.map((v) => (v === Infinity ? inf : v === -Infinity ? -inf : v));
  return {
    numCols: p.numCols,
    numRows: p.numRows,
    sense: p.sense === 'maximize' ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    colCost: p.colCost,
    colLower: clamp(p.colLower),
    colUpper: clamp(p.colUpper),
    rowLower: clamp(p.rowLower),
    rowUpper: clamp(p.rowUpper),
    matrix: { format: 'csc', numRows: p.numRows, numCols: p.numCols, starts: p.starts, indices: p.indices, values: p.values },
    ...(p.integer ? { integrality: Int32Array.from(p.integer) } : {}),
  };
}

function configure(model: HighsModel, p: LpProblem, o: LpSolveOptions): void {
  const opts: Record<string, number | string | boolean> = {
    output_flag: false,
    // Presolve pays off for a MILP; for our LPs it costs more than it saves and would discard a warm basis.
    presolve: p.integer ? 'choose' : 'off',
    // Fixed seed: the same model gives the same answer (the scheduler promises determinism).
    random_seed: 0,
    simplex_iteration_limit: o.iterationLimit ?? 2147483647,
    // The JS binding accepts finite numbers only; 1e30 s is "no limit".
    time_limit: o.timeLimitSeconds ?? 1e30,
  };
  if (p.integer) {
    opts.mip_max_nodes = o.mipNodeLimit ?? 2147483647;
    if (o.mipRelativeGap !== undefined) opts.mip_rel_gap = o.mipRelativeGap;
  }
  model.options.set(opts);
}

function runModel(model: HighsModel, p: LpProblem, o: LpSolveOptions): LpResult {
  model.run();
  const status = statusOf(model.getModelStatus());
  const iterations = Number(model.info.get('simplex_iteration_count'));
  // A primal-feasible point exists when HiGHS says so (solution status 2 = feasible).
  const hasSolution = Number(model.info.get('primal_solution_status')) === 2 && (status === 'optimal' || (status === 'limit' && p.integer !== undefined));
  const colValue = hasSolution ? Float64Array.from(model.getSolution().colValue) : new Float64Array(p.numCols);
  const objective = hasSolution ? model.getObjectiveValue() : NaN;
  let bound = objective;
  if (p.integer) {
    const b = Number(model.info.get('mip_dual_bound'));
    bound = Number.isFinite(b) ? b : status === 'optimal' ? objective : NaN;
  }
  const result: LpResult = { status, objective, bound, colValue, iterations, hasSolution, detail: `HiGHS model status ${model.getModelStatus()}` };
  if (o.wantBasis && !p.integer && status === 'optimal') {
    const b = model.getBasis();
    result.basis = { colStatus: Int32Array.from(b.colStatus), rowStatus: Int32Array.from(b.rowStatus) };
  }
  return result;
}

function errorResult(p: LpProblem, detail: string): LpResult {
  return { status: 'error', objective: NaN, bound: NaN, colValue: new Float64Array(p.numCols), iterations: 0, hasSolution: false, detail };
}

function isTrap(e: unknown): boolean {
  return e instanceof Error && (e.name === 'RuntimeError' || /memory|abort|unreachable/i.test(e.message)) && !/validat/i.test(e.name);
}

function safeDispose(model: HighsModel): void {
  try {
    model.dispose();
  } catch {
    // A model whose runtime trapped cannot be freed; the runtime is marked broken and will be replaced.
  }
}
