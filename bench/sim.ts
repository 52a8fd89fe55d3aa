/**
 * Benchmark of the dynamic-traffic simulator (GitHub issue 7). Prints:
 *  1. throughput of KSP-FF on NSFNET with 64 slots on one core, against published peers;
 *  2. Optical RL-Gym's published blocking (SP-FF, KSP-FF, LLP-FF) against ours in --compat rl-gym
 *     and in the correct mode, 2.5M requests each, with 95% confidence intervals;
 *  3. our fa-cost policy against KSP-FF (k = 5) and the best tuned KSP-FF (k in 5/10/20/50, paths by
 *     km or hops) on NSFNET at 55 Erlang, on XLRON topologies and on the built-in network.
 * Run: npm run bench:sim            (add -- --quick for a short, noisier pass)
 */
import fs from 'node:fs';
import path from 'node:path';
import { graphFromNetwork, type Graph } from '../src/engine/graph.js';
import { pathTableFor, simulate, type SimulationConfig, type SimulationResult } from '../src/engine/sim/simulator.js';
import type { PathOrder, PathTable } from '../src/engine/sim/paths.js';
import type { PolicyName } from '../src/engine/sim/policies.js';
import { parseNsfnetTxt } from '../src/import/nsfnet-txt.js';
import { parseXlronJson } from '../src/import/xlron.js';
import { builtinNetwork } from '../src/data/builtin-network.js';

const quick = process.argv.includes('--quick');
const shared = process.env.LIGHTPATH_SHARED_DIR ?? path.resolve(process.cwd(), '..', 'shared');
const NSFNET_WEIGHTS = [
  0.01801802, 0.04004004, 0.05305305, 0.01901902, 0.04504505, 0.02402402, 0.06706707, 0.08908909, 0.13813814,
  0.12212212, 0.07607608, 0.12012012, 0.01901902, 0.16916917,
];
const BITRATE = { kind: 'uniform-gbps', minGbps: 25, maxGbps: 100 } as const;

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const ci = (r: { mean: number; halfWidth: number }): string => `${pct(r.mean)} ± ${(r.halfWidth * 100).toFixed(2)}`;

function nsfnet(): Graph {
  return graphFromNetwork(parseNsfnetTxt(fs.readFileSync(path.join(shared, 'data/optical/nsfnet_chen.txt'), 'utf8'), 'NSFNET'));
}

// ---------------------------------------------------------------------------------------------
function throughput(): void {
  const g = nsfnet();
  const requests = quick ? 500_000 : 2_500_000;
  console.log(`\n== 1. Throughput: KSP-FF (k=5) on NSFNET, 64 slots, 55 Erlang, ${requests.toLocaleString()} requests, one core ==`);
  for (const [label, compat] of [['correct first-fit', 'none'], ['--compat rl-gym', 'rl-gym']] as const) {
    const table = pathTableFor({ graph: g, k: 5, compat });
    const rates: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      simulate({ graph: g, slotCount: 64, k: 5, policy: 'ksp-ff', loadErlang: 55, nodeWeights: NSFNET_WEIGHTS, requestSize: BITRATE, seed: rep + 1, requests, compat, pathTable: table });
      rates.push(requests / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
    rates.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(18)} median ${Math.round(rates[1]).toLocaleString()} req/s (runs: ${rates.map((r) => Math.round(r).toLocaleString()).join(', ')})`);
  }
  console.log('  peers: C++ flex-grid simulator ~20,000 req/s; JAX-based ~15,000; Python big-int bitsets ~150,000; target >= 1,000,000');
}

// ---------------------------------------------------------------------------------------------
function reproduction(): void {
  const g = nsfnet();
  const requests = quick ? 500_000 : 2_500_000;
  const published: [PolicyName, number, number][] = [['sp-ff', 0.1555, 0.1765], ['ksp-ff', 0.0786, 0.0953], ['llp-ff', 0.0737, 0.0904]];
  console.log(`\n== 2. Optical RL-Gym RMSA heuristics, NSFNET (DeepRMSA), 64 slots, 55 E, k=5 by km, ${requests.toLocaleString()} requests, 20 batches ==`);
  console.log('  "in CI": theirs inside our 95% CI. "diff CI": |ours - theirs| within the 95% CI of the difference of two');
  console.log('  independent 2.5M-request estimates (their run has about our variance: sqrt(2) x our half-width).');
  console.log('  bit-rate (episodes) is their logged statistic: the mean of per-50-request episode ratios.');
  console.log('  policy   theirs req / bit-rate   ours rl-gym req (95% CI)   in CI / diff CI   bit-rate (95% CI)    episodes   in CI / diff CI   correct mode req, bit-rate');
  const tables = { 'rl-gym': pathTableFor({ graph: g, k: 5, compat: 'rl-gym' }), none: pathTableFor({ graph: g, k: 5 }) };
  const verdict = (ours: number, hw: number, theirs: number): string =>
    `${Math.abs(ours - theirs) <= hw ? 'yes' : 'no '} / ${Math.abs(ours - theirs) <= Math.SQRT2 * hw ? 'yes' : 'no '}`;
  for (const [policy, req, bw] of published) {
    const run = (compat: 'rl-gym' | 'none'): SimulationResult => simulate({
      graph: g, slotCount: 64, k: 5, policy, loadErlang: 55, meanHoldingTime: 10_800, nodeWeights: NSFNET_WEIGHTS,
      requestSize: BITRATE, seed: 2024, requests, warmupRequests: 0, compat, pathTable: tables[compat],
    });
    const c = run('rl-gym');
    const d = run('none');
    console.log(`  ${policy.padEnd(8)} ${pct(req).padStart(7)} / ${pct(bw).padEnd(13)} ${ci(c.requestBlocking).padEnd(26)} ${verdict(c.requestBlocking.mean, c.requestBlocking.halfWidth, req).padEnd(17)} ${ci(c.bandwidthBlocking).padEnd(20)} ${pct(c.episodeBandwidthBlocking).padEnd(10)} ${verdict(c.episodeBandwidthBlocking, c.bandwidthBlocking.halfWidth, bw).padEnd(17)} ${pct(d.requestBlocking.mean)}, ${pct(d.bandwidthBlocking.mean)}`);
  }
}

// ---------------------------------------------------------------------------------------------
interface Scenario {
  name: string;
  graph: Graph;
  slotCount: number;
  nodeWeights: number[] | null;
  loadErlang: number;
}

const tableCache = new Map<string, PathTable>();
function table(s: Scenario, k: number, order: PathOrder): PathTable {
  const key = `${s.name}|${k}|${order}`;
  let t = tableCache.get(key);
  if (!t) {
    t = pathTableFor({ graph: s.graph, k, pathOrder: order });
    tableCache.set(key, t);
  }
  return t;
}

function run(s: Scenario, policy: PolicyName, k: number, order: PathOrder, requests: number, loadErlang = s.loadErlang): SimulationResult {
  const config: SimulationConfig = {
    graph: s.graph, slotCount: s.slotCount, k, pathOrder: order, policy, loadErlang, nodeWeights: s.nodeWeights,
    requestSize: BITRATE, seed: 7, requests, warmupRequests: Math.floor(requests / 10), pathTable: table(s, k, order),
  };
  return simulate(config);
}

/** A load at which KSP-FF (k=5, km) blocks about 8%, near the top of the 1-10% band, so tuned KSP-FF still blocks measurably. */
function calibrate(s: Omit<Scenario, 'loadErlang'>): number {
  const sc: Scenario = { ...s, loadErlang: 1 };
  let lo = 1;
  let hi = 1;
  const target = 0.08;
  const blocking = (load: number): number => run(sc, 'ksp-ff', 5, 'km', 30_000, load).requestBlocking.mean;
  while (blocking(hi) < target && hi < 1e5) { lo = hi; hi *= 2; }
  for (let i = 0; i < 10; i++) {
    const mid = Math.sqrt(lo * hi);
    if (blocking(mid) < target) lo = mid;
    else hi = mid;
  }
  return Math.round(Math.sqrt(lo * hi));
}

const KS = [5, 10, 20, 50];
const ORDERS: PathOrder[] = ['km', 'hops'];

function compare(s: Scenario, requests: number): { base: SimulationResult; best: SimulationResult; bestLabel: string; ours: SimulationResult } {
  const base = run(s, 'ksp-ff', 5, 'km', requests);
  let best = base;
  let bestLabel = 'k=5 km';
  for (const order of ORDERS) {
    for (const k of KS) {
      const r = order === 'km' && k === 5 ? base : run(s, 'ksp-ff', k, order, requests);
      if (r.requestBlocking.mean < best.requestBlocking.mean) { best = r; bestLabel = `k=${k} ${order}`; }
    }
  }
  const ours = run(s, 'fa-cost', 50, 'km', requests);
  return { base, best, bestLabel, ours };
}

function beatIt(): void {
  const requests = quick ? 150_000 : 600_000;
  console.log(`\n== 3. Beat it: fa-cost (ours, k=50) vs KSP-FF (k=5) and best tuned KSP-FF (k in {5,10,20,50} x {km, hops}); ${requests.toLocaleString()} requests each, same seed (common random numbers) ==`);
  const scenarios: Scenario[] = [{ name: 'NSFNET (DeepRMSA traffic)', graph: nsfnet(), slotCount: 64, nodeWeights: NSFNET_WEIGHTS, loadErlang: 55 }];
  for (const f of ['cost239_deeprmsa', 'usnet_gcnrnn', 'german17', 'eon', 'jpn48']) {
    const graph = graphFromNetwork(parseXlronJson(fs.readFileSync(path.join(shared, `data/xlron/${f}_undirected.json`), 'utf8'), f));
    const s = { name: `XLRON ${f}`, graph, slotCount: 64, nodeWeights: null };
    scenarios.push({ ...s, loadErlang: calibrate(s) });
  }
  const b = { name: 'built-in US backbone', graph: graphFromNetwork(builtinNetwork()), slotCount: 384, nodeWeights: null };
  scenarios.push({ ...b, loadErlang: calibrate(b) });
  console.log('  topology                      nodes/spans  slots  load(E)  KSP-FF k=5        best tuned KSP-FF           fa-cost (ours)     ours/k5  ours/best  ours < best beyond CIs?');
  for (const s of scenarios) {
    const { base, best, bestLabel, ours } = compare(s, requests);
    const ratio5 = ours.requestBlocking.mean / base.requestBlocking.mean;
    const ratioBest = ours.requestBlocking.mean / best.requestBlocking.mean;
    const beyond = ours.requestBlocking.mean + ours.requestBlocking.halfWidth < best.requestBlocking.mean - best.requestBlocking.halfWidth;
    console.log(`  ${s.name.padEnd(29)} ${`${s.graph.nodeCount}/${s.graph.spanCount}`.padEnd(12)} ${String(s.slotCount).padEnd(6)} ${String(s.loadErlang).padEnd(8)} ${ci(base.requestBlocking).padEnd(17)} ${`${ci(best.requestBlocking)} (${bestLabel})`.padEnd(27)} ${ci(ours.requestBlocking).padEnd(18)} ${ratio5.toFixed(2).padEnd(8)} ${ratioBest.toFixed(2).padEnd(10)} ${beyond ? 'yes' : 'no'}`);
  }
  console.log('  targets on NSFNET: ours/k5 <= 0.50 and ours/best <= 0.75; elsewhere ours/best < 1.');
  console.log('  fa-cost weights were chosen looking at NSFNET, EON and the built-in network; cost239, usnet, german17 and jpn48 were not looked at.');
}

throughput();
reproduction();
beatIt();
