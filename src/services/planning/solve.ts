/**
 * One build-out solve, as the plan job runs it: builds the engine's model, seeds it with the heuristic
 * warm start, solves (HiGHS or CBC) under the time limit, decodes the plan and checks it independently.
 *
 * A HiGHS solve is synchronous WebAssembly: on the server's thread it would stall every request and
 * the job's lease renewals for the whole time limit. So the job runs it in a worker thread
 * (solve-thread.ts), which posts progress reports back; `solveInThread` is the caller's side, and
 * terminating the thread (abort) stops the solve at once.
 */
import { Worker } from 'node:worker_threads';
import { LightpathError } from '../../domain/errors.js';
import type { NetworkPlanInput } from '../../engine/planning/network-input.js';
import { buildNetworkModel } from '../../engine/planning/network-model.js';
import { decodeNetworkPlan, type NetworkPlan } from '../../engine/planning/network-plan.js';
import { checkNetworkPlan } from '../../engine/planning/network-check.js';
import { networkWarmStart } from '../../engine/planning/warm-start.js';
import type { SolveOptions, SolveProgress } from '../../engine/planning/solution.js';
import { solveWithHighs } from '../../solver/highs.js';
import { solveWithCbc } from '../../solver/cbc.js';
import type { SolverSettings } from './request.js';

/** Solves in this thread (the worker thread's body; tests of the model may call it directly). */
export async function solvePlan(input: NetworkPlanInput, s: SolverSettings, onProgress?: (p: SolveProgress) => void): Promise<NetworkPlan> {
  const nm = buildNetworkModel(input);
  const warm = s.warmStart ? networkWarmStart(nm) : null;
  const opts: SolveOptions = { timeLimitSec: s.timeLimitSeconds, mipRelGap: s.mipRelGap, ...(warm ? { warmStart: warm } : {}), ...(onProgress ? { onProgress } : {}) };
  const r = s.solver === 'cbc' ? await solveWithCbc(nm.model, opts) : await solveWithHighs(nm.model, opts);
  if (r.x === null) {
    if (r.status === 'infeasible') throw new LightpathError('capacity-exhausted', 'no plan exists: the model is infeasible (e.g. 1+1 on a network with a bridge, or fiber supply too low for the forecast)');
    throw new LightpathError('validation-failed', `the solver found no plan within ${s.timeLimitSeconds} s (${r.status}${r.message ? `: ${r.message}` : ''}); raise timeLimitSeconds`);
  }
  const plan = decodeNetworkPlan(nm, r);
  const check = checkNetworkPlan(input, plan);
  if (!check.ok) throw new LightpathError('internal', `the plan fails the feasibility check: ${check.problems.slice(0, 3).join('; ')}`);
  return plan;
}

/** Messages the solve thread posts. */
export type SolveMessage =
  | { type: 'progress'; progress: SolveProgress }
  | { type: 'done'; plan: NetworkPlan }
  | { type: 'failed'; code: string; detail: string; domain: boolean };

/** Thrown on the caller's side when the thread failed with a domain error (the plan fails, no retry). */
export class PlanFailure extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'PlanFailure';
  }
}

/** Runs solvePlan in a worker thread; progress reports come back through onProgress. */
export function solveInThread(input: NetworkPlanInput, s: SolverSettings, opts: { signal?: AbortSignal; onProgress?: (p: SolveProgress) => void } = {}): Promise<NetworkPlan> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./solve-thread.js', import.meta.url), { workerData: { input, settings: s } });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      void worker.terminate();
      settle(() => reject(new Error('the plan solve was aborted')));
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: SolveMessage) => {
      if (m.type === 'progress') return opts.onProgress?.(m.progress);
      // The answer is in: the thread (and its WebAssembly memory) goes at once.
      void worker.terminate();
      if (m.type === 'done') settle(() => resolve(m.plan));
      else settle(() => reject(m.domain ? new PlanFailure(m.code, m.detail) : new Error(m.detail)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the plan solve thread exited (${code}) without an answer`))));
  });
}
