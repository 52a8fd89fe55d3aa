/**
 * Library entry point of the dynamic-traffic simulator (GitHub issue 7): run one configuration
 * with `simulate`, sweep loads with `simulateSweep`, render with the report helpers.
 */
export { simulate, pathTableFor, engineKShortest } from './simulator.js';
export type { SimulationConfig, SimulationResult, SpanStats, CompatMode, LiveService } from './simulator.js';
export { simulateSweep } from './sweep.js';
export type { SweepConfig } from './sweep.js';
export { POLICY_NAMES, POLICY_DESCRIPTIONS, DEFAULT_FA_COST } from './policies.js';
export type { PolicyName, FaCostOptions } from './policies.js';
export { DEEPRMSA_MODULATIONS, capacityForLength } from './modulation.js';
export type { Modulation, RequestSize } from './modulation.js';
export type { PathOrder, PathTable } from './paths.js';
export { erlangB, batchMeansEstimate } from './stats.js';
export type { Estimate } from './stats.js';
export { resultsToCsv, spansToCsv, sweepChartSvg } from './report.js';
