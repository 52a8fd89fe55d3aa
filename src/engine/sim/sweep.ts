/**
 * Load sweeps: the same configuration at several loads and policies, sharing one path table per
 * policy set-up and one seed, so that curves use common random numbers and compare fairly.
 */
import type { PolicyName } from './policies.js';
import { pathTableFor, simulate, type SimulationConfig, type SimulationResult } from './simulator.js';

/** A sweep: a base configuration, the loads and the policies to run it at. */
export interface SweepConfig extends Omit<SimulationConfig, 'loadErlang' | 'policy' | 'onProgress' | 'pathTable'> {
  loadsErlang: readonly number[];
  policies: readonly PolicyName[];
  /** Progress over the whole sweep, in requests. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs every (policy, load) combination, policies outer; results in that order. */
export function simulateSweep(config: SweepConfig): SimulationResult[] {
  const table = pathTableFor(config);
  const perRun = (config.warmupRequests ?? 0) + config.requests;
  const total = perRun * config.loadsErlang.length * config.policies.length;
  const results: SimulationResult[] = [];
  let base = 0;
  for (const policy of config.policies) {
    for (const loadErlang of config.loadsErlang) {
      const offset = base;
      results.push(simulate({
        ...config, policy, loadErlang, pathTable: table,
        onProgress: config.onProgress ? (done) => config.onProgress?.(offset + done, total) : undefined,
      }));
      base += perRun;
    }
  }
  return results;
}
