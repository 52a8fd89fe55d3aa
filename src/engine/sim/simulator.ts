/**
 * Event-driven simulator of dynamic traffic: Poisson arrivals, exponential holding times, one
 * request at a time placed by an allocation policy on the engine's SpectrumGrid. Blocking
 * probabilities come with 95% confidence intervals by batch means; per-span utilisation and
 * fragmentation are sampled at arrivals (Poisson arrivals see time averages).
 *
 * The hot loop allocates nothing: services live in typed arrays indexed by a recycled id, the
 * departures in a typed-array heap, and the candidate paths in a precomputed PathTable.
 *
 * `compat: 'rl-gym'` reproduces Optical RL-Gym's RMSA environment and heuristics
 * (optical_rl_gym/envs/rmsa_env.py, commit bca8994) exactly where it matters to blocking:
 *  - k paths per unordered node pair by networkx shortest_simple_paths on km, lower node index as
 *    source, the same list for both directions (see nx-yen.ts for the tie order);
 *  - first-fit tries start slots 0 .. slotCount - width - 1 only, never the last possible start
 *    (the `range(0, num_spectrum_resources - num_slots)` bound), in SP-FF, KSP-FF and LLP-FF;
 *  - LLP-FF ranks paths by slots free on all spans of the path over the whole band, ties to the
 *    earlier path; a path without room is skipped;
 *  - one modulation per path, the most efficient whose reach covers the path's km;
 *    slots = ceil(bit rate / capacity) + 1 guard slot;
 *  - departures up to and including the arrival instant are released before it is served;
 *  - blocking counts from the first request (no warm-up) unless a warm-up is given;
 *  - its logs report bit-rate blocking per 50-request episode and the published figure is the
 *    mean of those ratios, which is not the overall ratio (big requests block more often, so
 *    high-demand episodes weigh more in the overall ratio): `episodeBandwidthBlocking` computes it.
 * It does not reproduce Python's random stream (our generator differs), so runs agree with
 * theirs in distribution, not request by request.
 */
import type { Graph } from '../graph.js';
import { kShortestPaths } from '../paths.js';
import { SpectrumGrid } from '../spectrum.js';
import { AliasTable } from './alias.js';
import { DepartureHeap } from './event-heap.js';
import { DEEPRMSA_MODULATIONS, validateRequestSize, type Modulation, type RequestSize } from './modulation.js';
import { buildPathTable, type KShortestFn, type PathOrder, type PathTable } from './paths.js';
import { DEFAULT_FA_COST, makePolicy, POLICY_NAMES, type FaCostOptions, type Placement, type PolicyContext, type PolicyName } from './policies.js';
import { Rng } from './rng.js';
import { largestFreeBlock } from './spectrum-scan.js';
import { batchMeansEstimate, type Estimate } from './stats.js';

/** Compatibility modes: 'none' is the correct behaviour, 'rl-gym' mirrors Optical RL-Gym. */
export type CompatMode = 'none' | 'rl-gym';

/** Everything one simulation run needs. */
export interface SimulationConfig {
  graph: Graph;
  slotCount: number;
  /** Candidate paths per node pair. */
  k: number;
  pathOrder?: PathOrder;
  policy: PolicyName;
  /** Offered load in Erlangs: arrival rate x mean holding time. */
  loadErlang: number;
  /** Mean holding time in arbitrary time units (default 1; blocking does not depend on it). */
  meanHoldingTime?: number;
  /** Relative weight of each node as source; the destination uses the same weights with the source's set to zero. Null = uniform. */
  nodeWeights?: readonly number[] | null;
  requestSize: RequestSize;
  modulations?: readonly Modulation[];
  /** Guard slots added to bit-rate requests (default 1). */
  guardSlots?: number;
  seed: number;
  /** Requests simulated before counting starts (default 0). */
  warmupRequests?: number;
  /** Requests counted. */
  requests: number;
  /** Batches for the confidence intervals (default 20). */
  batches?: number;
  compat?: CompatMode;
  faCost?: Partial<FaCostOptions>;
  /** The engine's k-shortest paths by default; injectable for tests. */
  kShortest?: KShortestFn;
  /** A table built earlier for the same graph, k, order, modulations and compat (saves recomputing across a sweep). */
  pathTable?: PathTable;
  /** Called every ~64k requests and at the end with (requests done, total requests). */
  onProgress?: (done: number, total: number) => void;
  /** Sample per-span utilisation and fragmentation every this many counted arrivals (default 16). */
  sampleEvery?: number;
  /** Keep the final grid and live services in the result (tests check invariants on them). */
  keepFinalState?: boolean;
  /**
   * Also report bandwidth blocking as Optical RL-Gym logs it: the mean over episodes of this many
   * consecutive counted requests of each episode's blocked / requested bit rate (default 50 with
   * compat 'rl-gym', else off).
   */
  episodeRequests?: number;
}

/** Time-averaged figures of one span. */
export interface SpanStats {
  spanId: string;
  /** Mean fraction of the span's slots occupied. */
  utilisation: number;
  /** Mean external fragmentation: 1 - largest free block / free slots (0 when the span is full or empty of gaps). */
  fragmentation: number;
}

/** A live service at the end of a run. */
export interface LiveService {
  spans: readonly number[];
  start: number;
  width: number;
}

/** Outcome of one run. */
export interface SimulationResult {
  policy: PolicyName;
  loadErlang: number;
  seed: number;
  k: number;
  slotCount: number;
  compat: CompatMode;
  warmupRequests: number;
  requests: number;
  blockedRequests: number;
  requestedGbps: number;
  blockedGbps: number;
  /** Fraction of requests blocked, with its 95% CI by batch means. */
  requestBlocking: Estimate;
  /** Fraction of requested bandwidth blocked (slots for `slots`-sized requests), with its 95% CI. */
  bandwidthBlocking: Estimate;
  meanUtilisation: number;
  meanFragmentation: number;
  /** Mean of per-episode bandwidth blocking ratios (see SimulationConfig.episodeRequests); NaN when off. */
  episodeBandwidthBlocking: number;
  spans: SpanStats[];
  finalState?: { grid: SpectrumGrid; services: LiveService[] };
}

/** The engine's Yen k-shortest paths, ranked by the graph's cost vector. */
export const engineKShortest: KShortestFn = (g, s, t, k) => kShortestPaths(g, s, t, k, { metric: 'cost' }).paths;

/** Builds the candidate-path table a config implies (exported so a sweep can build it once). */
export function pathTableFor(config: Pick<SimulationConfig, 'graph' | 'k' | 'pathOrder' | 'modulations' | 'compat' | 'kShortest'>): PathTable {
  return buildPathTable(config.graph, {
    k: config.k,
    order: config.pathOrder ?? 'km',
    modulations: config.modulations ?? DEEPRMSA_MODULATIONS,
    kShortest: config.kShortest ?? engineKShortest,
    nxCompat: config.compat === 'rl-gym',
  });
}

function validate(c: SimulationConfig): void {
  if (!POLICY_NAMES.includes(c.policy)) throw new RangeError(`unknown policy ${c.policy}; one of ${POLICY_NAMES.join(', ')}`);
  if (!(c.loadErlang > 0) || !Number.isFinite(c.loadErlang)) throw new RangeError('loadErlang must be > 0');
  if (!Number.isInteger(c.requests) || c.requests < 1) throw new RangeError('requests must be an integer >= 1');
  if (c.warmupRequests !== undefined && (!Number.isInteger(c.warmupRequests) || c.warmupRequests < 0)) throw new RangeError('warmupRequests must be an integer >= 0');
  const batches = c.batches ?? 20;
  if (!Number.isInteger(batches) || batches < 2 || batches > c.requests) throw new RangeError('batches must be an integer in 2..requests');
  if (!Number.isInteger(c.slotCount) || c.slotCount < 1) throw new RangeError('slotCount must be an integer >= 1');
  if (c.nodeWeights && c.nodeWeights.length !== c.graph.nodeCount) throw new RangeError(`nodeWeights needs ${c.graph.nodeCount} entries`);
  if (c.graph.nodeCount < 2) throw new RangeError('the network needs at least two sites');
  validateRequestSize(c.requestSize);
}

/** Runs one simulation; deterministic for a given config (same seed, same result). */
export function simulate(config: SimulationConfig): SimulationResult {
  validate(config);
  const g = config.graph;
  const n = g.nodeCount;
  const compat = config.compat ?? 'none';
  const table = config.pathTable ?? pathTableFor(config);
  const slotCount = config.slotCount;
  const grid = new SpectrumGrid(g.spanCount, slotCount);
  const size = config.requestSize;
  const out: Placement = { path: -1, start: -1, width: 0 };
  const ctx: PolicyContext = {
    grid, table, out,
    fixedSlots: size.kind === 'slots' ? size.slots : 0,
    guardSlots: config.guardSlots ?? 1,
    skipLastStart: compat === 'rl-gym',
    fa: { ...DEFAULT_FA_COST, ...config.faCost },
    spanUsed: new Int32Array(g.spanCount),
  };
  const spanUsed = ctx.spanUsed;
  const place = makePolicy(config.policy, ctx);

  const rng = new Rng(config.seed);
  const nodes = new AliasTable(config.nodeWeights ?? new Array<number>(n).fill(1));
  const discrete = size.kind === 'discrete-gbps' ? new AliasTable(size.weights ?? size.valuesGbps.map(() => 1)) : null;
  const meanHold = config.meanHoldingTime ?? 1;
  const meanInterArrival = meanHold / config.loadErlang;

  // Live services are bounded by spans x slots (each holds at least one slot on one span).
  const capacity = g.spanCount * slotCount + 1;
  const svcPath = new Int32Array(capacity);
  const svcStart = new Int32Array(capacity);
  const svcWidth = new Int32Array(capacity);
  const freeIds = new Int32Array(capacity);
  for (let i = 0; i < capacity; i++) freeIds[i] = capacity - 1 - i;
  let freeTop = capacity;
  const heap = new DepartureHeap(capacity);

  const warmup = config.warmupRequests ?? 0;
  const requests = config.requests;
  const total = warmup + requests;
  const batches = config.batches ?? 20;
  const batchSize = Math.floor(requests / batches);
  const batchReq = new Float64Array(batches);
  const batchBlocked = new Float64Array(batches);
  const batchGbps = new Float64Array(batches);
  const batchBlockedGbps = new Float64Array(batches);

  const sampleEvery = config.sampleEvery ?? 16;
  const usedAcc = new Float64Array(g.spanCount);
  const fragAcc = new Float64Array(g.spanCount);
  const scanBuf = new Uint32Array(grid.wordsPerSpan);
  let samples = 0;

  const episodeLen = config.episodeRequests ?? (compat === 'rl-gym' ? 50 : 0);
  let episodeGbps = 0;
  let episodeBlockedGbps = 0;
  let episodeRatioSum = 0;
  let episodes = 0;

  const progressStep = 1 << 16;
  let now = 0;
  let blocked = 0;
  let requestedGbps = 0;
  let blockedGbps = 0;

  for (let i = 0; i < total; i++) {
    now += rng.nextExp(meanInterArrival);
    const hold = rng.nextExp(meanHold);
    const s = nodes.sample(rng);
    let d = nodes.sample(rng);
    // Rejection draws d from the weights renormalised without s, exactly the "source's weight set to zero" rule.
    while (d === s) d = nodes.sample(rng);
    let sizeGbps: number;
    if (size.kind === 'uniform-gbps') sizeGbps = size.minGbps + rng.nextInt(size.maxGbps - size.minGbps + 1);
    else if (discrete !== null) sizeGbps = (size as { valuesGbps: number[] }).valuesGbps[discrete.sample(rng)];
    else sizeGbps = (size as { slots: number }).slots;

    while (heap.peekTime() <= now) {
      const id = heap.pop();
      const spans = table.pathSpans[svcPath[id]];
      for (let k = 0; k < spans.length; k++) {
        grid.release(spans[k], svcStart[id], svcWidth[id]);
        spanUsed[spans[k]] -= svcWidth[id];
      }
      freeIds[freeTop++] = id;
    }

    const counted = i >= warmup;
    const ci = i - warmup;
    if (counted && ci % sampleEvery === 0) {
      for (let e = 0; e < g.spanCount; e++) {
        const free = slotCount - spanUsed[e];
        usedAcc[e] += slotCount - free;
        if (free > 0) fragAcc[e] += 1 - largestFreeBlock(grid, e, scanBuf) / free;
      }
      samples++;
    }

    const pair = s * n + d;
    const ok = table.pairCount[pair] > 0 && place(pair, sizeGbps);
    if (ok) {
      const id = freeIds[--freeTop];
      const spans = table.pathSpans[out.path];
      for (let k = 0; k < spans.length; k++) {
        grid.occupy(spans[k], out.start, out.width);
        spanUsed[spans[k]] += out.width;
      }
      svcPath[id] = out.path;
      svcStart[id] = out.start;
      svcWidth[id] = out.width;
      heap.push(now + hold, id);
    }
    if (counted) {
      const b = Math.min(Math.floor(ci / batchSize), batches - 1);
      batchReq[b]++;
      batchGbps[b] += sizeGbps;
      requestedGbps += sizeGbps;
      if (!ok) {
        blocked++;
        batchBlocked[b]++;
        batchBlockedGbps[b] += sizeGbps;
        blockedGbps += sizeGbps;
        episodeBlockedGbps += sizeGbps;
      }
      episodeGbps += sizeGbps;
      if (episodeLen > 0 && (ci + 1) % episodeLen === 0) {
        episodeRatioSum += episodeBlockedGbps / episodeGbps;
        episodes++;
        episodeGbps = 0;
        episodeBlockedGbps = 0;
      }
    }
    if (config.onProgress && (i + 1) % progressStep === 0) config.onProgress(i + 1, total);
  }
  config.onProgress?.(total, total);

  const reqRatios = new Float64Array(batches);
  const bwRatios = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    reqRatios[b] = batchBlocked[b] / batchReq[b];
    bwRatios[b] = batchBlockedGbps[b] / batchGbps[b];
  }
  const spans: SpanStats[] = [];
  let utilSum = 0;
  let fragSum = 0;
  for (let e = 0; e < g.spanCount; e++) {
    const utilisation = samples > 0 ? usedAcc[e] / samples / slotCount : 0;
    const fragmentation = samples > 0 ? fragAcc[e] / samples : 0;
    utilSum += utilisation;
    fragSum += fragmentation;
    spans.push({ spanId: g.spanIds[e], utilisation, fragmentation });
  }
  const result: SimulationResult = {
    policy: config.policy, loadErlang: config.loadErlang, seed: config.seed, k: config.k, slotCount, compat,
    warmupRequests: warmup, requests, blockedRequests: blocked, requestedGbps, blockedGbps,
    requestBlocking: batchMeansEstimate(reqRatios),
    bandwidthBlocking: batchMeansEstimate(bwRatios),
    meanUtilisation: g.spanCount > 0 ? utilSum / g.spanCount : 0,
    meanFragmentation: g.spanCount > 0 ? fragSum / g.spanCount : 0,
    episodeBandwidthBlocking: episodes > 0 ? episodeRatioSum / episodes : NaN,
    spans,
  };
  if (config.keepFinalState) {
    const live: LiveService[] = [];
    const isFree = new Uint8Array(capacity);
    for (let t = 0; t < freeTop; t++) isFree[freeIds[t]] = 1;
    for (let id = 0; id < capacity; id++) {
      if (!isFree[id]) live.push({ spans: Array.from(table.pathSpans[svcPath[id]]), start: svcStart[id], width: svcWidth[id] });
    }
    result.finalState = { grid, services: live };
  }
  return result;
}
