/** Public API of the path computation engine (pure: no I/O). */
export type { Graph, GraphSite, GraphSpan, Path } from './graph.js';
export { buildGraph, graphFromNetwork, makePath, otherEnd } from './graph.js';
export type { FitPolicy } from './spectrum.js';
export { SpectrumGrid, findSlotRange } from './spectrum.js';
export type { CompiledConstraints, Metric, PathConstraints, Ref } from './constraints.js';
export { compileConstraints, metricWeights, resolveNode, resolveSpan } from './constraints.js';
export { Dijkstra, workspaceFor } from './dijkstra.js';
export type { RankedPath } from './ksp.js';
export { PathEnumerator } from './ksp.js';
export type { KspResult, PathResult, SearchLimits } from './paths.js';
export { kShortestPaths, meetsBounds, shortestPath } from './paths.js';
export type { Disjointness, DiverseOptions, DiverseResult } from './diverse.js';
export { diversePair, isDisjoint, nodeDisjoint, spanDisjoint, srlgDisjoint } from './diverse.js';
export type { ModulationMode } from './modulation.js';
export { DEFAULT_MODULATIONS, chooseModulation, modesFor, placeRegenerators } from './modulation.js';
export type { PathSelection, RsaAssignment, RsaRequest, RsaSegment } from './rsa.js';
export { assignSpectrum, commitAssignment, plansForPath, releaseAssignment } from './rsa.js';
export { allPairsMatrix, distancesFrom } from './allpairs.js';
