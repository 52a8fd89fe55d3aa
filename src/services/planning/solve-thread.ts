/** Worker-thread body of a plan solve (see solve.ts): solves, posts progress and the outcome, exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { LightpathError } from '../../domain/errors.js';
import type { NetworkPlanInput } from '../../engine/planning/network-input.js';
import type { SolverSettings } from './request.js';
import { solvePlan, type SolveMessage } from './solve.js';

const port = parentPort;
if (port) {
  const { input, settings } = workerData as { input: NetworkPlanInput; settings: SolverSettings };
  const post = (m: SolveMessage): void => port.postMessage(m);
  solvePlan(input, settings, (progress) => post({ type: 'progress', progress }))
    .then((plan) => post({ type: 'done', plan }))
    .catch((err: unknown) => {
      const domain = err instanceof LightpathError && err.code !== 'internal';
      post({ type: 'failed', code: err instanceof LightpathError ? err.code : 'internal', detail: err instanceof Error ? err.message : String(err), domain });
    });
}
