/**
 * HiGHS (the `highs` npm package: HiGHS compiled to WebAssembly) as a MILP solver for the planning
 * engine's solver-neutral models. This adapter lives outside src/engine on purpose: loading the
 * WebAssembly reads highs.wasm from disk, and a time-limited solve depends on the wall clock, while
 * the engine stays pure and deterministic. The model goes in as CSR arrays (no LP text parsing);
 * the same model can be written as an LP file for CBC or GLPK (engine/planning/lp-format.ts).
 *
 * WASM memory cannot be given back and a failed allocation leaves the runtime unusable, so a solve
 * that throws is retried once on a freshly loaded runtime (per-solve isolation, as the package
 * notes suggest for large MILPs), and a runtime is replaced after a failure.
 */
import loadHighsUntyped from 'highs';
import type { Highs, HighsCallbackMap, ModelStatusCode } from 'highs';
import type { MilpModel } from '../engine/planning/model.js';
import { relativeGap, type SolveOptions, type SolveResult, type SolveStatus } from '../engine/planning/solution.js';

// Under NodeNext the package's CommonJS build is seen as a module object whose default export is the
// loader, so the default import is mis-typed as that object; cast it to the loader's declared type.
const loadHighs = loadHighsUntyped as unknown as (options?: object) => Promise<Highs>;

let runtime: Promise<Highs> | null = null;

function getRuntime(fresh: boolean): Promise<Highs> {
  if (fresh || runtime === null) runtime = loadHighs();
  return runtime;
}

const STATUS: Partial<Record<ModelStatusCode, SolveStatus>> = {
  7: 'optimal',
  8: 'infeasible',
  9: 'infeasible',
  10: 'unbounded',
  13: 'time-limit',
  14: 'node-limit',
  17: 'interrupted',
};

function nowSec(): number {
  return performance.now() / 1000;
}

function solveOn(highs: Highs, m: MilpModel, o: SolveOptions): SolveResult {
  const started = nowSec();
  const n = m.colNames.length;
  const rowLower = new Float64Array(m.rowRhs.length);
  const rowUpper = new Float64Array(m.rowRhs.length);
  for (let i = 0; i < m.rowRhs.length; i++) {
    rowLower[i] = m.rowSense[i] === '<=' ? -highs.infinity : m.rowRhs[i];
    rowUpper[i] = m.rowSense[i] === '>=' ? highs.infinity : m.rowRhs[i];
  }
  const inf = (x: number): number => (x === Infinity ? highs.infinity : x === -Infinity ? -highs.infinity : x);
  const integrality = new Int32Array(n);
  let isMip = false;
  for (let j = 0; j < n; j++) {
    if (m.colType[j] !== 'continuous') {
      integrality[j] = 1;
      isMip = true;
    }
  }
  const model = highs.createModel({
    numCols: n,
    numRows: m.rowRhs.length,
    offset: m.objectiveOffset,
    colCost: m.colCost,
    colLower: m.colLower.map(inf),
    colUpper: m.colUpper.map(inf),
    rowLower,
    rowUpper,
    matrix: { format: 'csr', numRows: m.rowRhs.length, numCols: n, starts: m.rowStart, indices: m.rowIndex, values: m.rowValue },
    integrality: isMip ? integrality : undefined,
  });
  try {
    model.options.set({
      output_flag: o.verbose === true,
      mip_rel_gap: o.mipRelGap ?? 0,
      // Costs are money: below a millionth of a unit nothing is worth proving.
      mip_abs_gap: 1e-6,
    });
    if (o.timeLimitSec !== undefined) model.options.set('time_limit', o.timeLimitSec);
    if (o.maxNodes !== undefined) model.options.set('mip_max_nodes', o.maxNodes);
    if (o.warmStart !== undefined) model.setSolution({ colValue: Float64Array.from(o.warmStart) });
    let nodes = 0;
    let lastReport = -Infinity;
    const callbacks: HighsCallbackMap = !isMip ? {} : {
      [highs.constants.callbackType.mipInterrupt](event) {
        nodes = Number(event.data.mip_node_count ?? 0n);
        const t = nowSec() - started;
        if (o.onProgress && t - lastReport >= 0.25) {
          lastReport = t;
          const primal = finite(event.data.mip_primal_bound);
          const dual = finite(event.data.mip_dual_bound);
          o.onProgress({ seconds: t, primal, dual, gap: relativeGap(primal, dual), nodes });
        }
        return undefined;
      },
    };
    const run = model.run(callbacks);
    const status = STATUS[run.modelStatus] ?? 'error';
    const hasSolution = Number(model.info.get('primal_solution_status')) === 2;
    const x = hasSolution ? model.getSolution().colValue : null;
    const objective = x ? model.getObjectiveValue() : null;
    let bound: number | null;
    if (!isMip) bound = status === 'optimal' ? objective : null;
    else bound = finite(Number(model.info.get('mip_dual_bound')));
    if (isMip) nodes = Number(model.info.get('mip_node_count'));
    if (status === 'optimal' && objective !== null && bound !== null && bound > objective) bound = objective;
    return {
      solver: `highs ${highs.version.major}.${highs.version.minor}.${highs.version.patch}`,
      status,
      objective,
      bound,
      gap: status === 'optimal' && !isMip ? 0 : relativeGap(objective, bound),
      x,
      seconds: nowSec() - started,
      nodes: isMip ? nodes : null,
    };
  } finally {
    model.dispose();
  }
}

function finite(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) && Math.abs(v) < 1e50 ? v : null;
}

/** Solves the model with HiGHS; retries once on a fresh WebAssembly runtime if the solver throws (e.g. out of memory). */
export async function solveWithHighs(m: MilpModel, o: SolveOptions = {}): Promise<SolveResult> {
  try {
    return solveOn(await getRuntime(false), m, o);
  } catch (first) {
    try {
      return solveOn(await getRuntime(true), m, o);
    } catch (second) {
      runtime = null;
      const msg = (second as Error).message ?? String(second);
      return { solver: 'highs', status: 'error', objective: null, bound: null, gap: null, x: null, seconds: 0, nodes: null, message: `${msg} (first attempt: ${(first as Error).message ?? String(first)})` };
    }
  }
}
