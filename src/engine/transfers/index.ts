/** Public API of the bulk-transfer scheduler engine (pure: no I/O; the LP solver is passed in). */
export type * from './types.js';
export type { LpBasis, LpProblem, LpResult, LpSession, LpSolveOptions, LpSolver, LpStatus } from './lp.js';
export { CscBuilder } from './lp.js';
export { HighsLpSolver, highsLpSolver } from './highs.js';
export { DEFAULT_QUANTUM_GBPS } from './state.js';
export type { SchedulerOptions } from './scheduler.js';
export { TransferScheduler } from './scheduler.js';
export { candidatePaths, directedLink, directedLinkIds, transferPath } from './paths.js';
export type { OfflineOptions, OfflineResult } from './offline.js';
export { offlineOptimum } from './offline.js';
export type { AdmissionPolicy } from './baselines.js';
export { EdfGreedy, FixedRateReservation } from './baselines.js';
