/**
 * `lightpath simulate`: dynamic-traffic blocking simulation on a topology file or the built-in
 * network, one load or a sweep (`--loads`), one or several policies, printed as a table, JSON or
 * CSV, with an optional SVG chart of blocking against load and a progress bar on long runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import cliProgress from 'cli-progress';
import { DEFAULT_LINE_SYSTEM, type Network } from '../../domain/network.js';
import { graphFromNetwork } from '../../engine/graph.js';
import { POLICY_DESCRIPTIONS, POLICY_NAMES, type PolicyName } from '../../engine/sim/policies.js';
import type { RequestSize } from '../../engine/sim/modulation.js';
import { resultsToCsv, spansToCsv, sweepChartSvg } from '../../engine/sim/report.js';
import type { SimulationResult } from '../../engine/sim/simulator.js';
import { simulateSweep } from '../../engine/sim/sweep.js';
import { parseNsfnetTxt } from '../../import/nsfnet-txt.js';
import { parseXlronJson } from '../../import/xlron.js';
import { parseGmlNetwork } from '../../import/gml.js';
import { parseSndlibNetwork } from '../../import/sndlib.js';
import { builtinNetwork } from '../../data/builtin-network.js';
import { parseProjectJson } from '../../import/project-json.js';
import { withClient } from '../client.js';
import { globals } from '../context.js';

/** Parsed command-line options of `simulate` (commander camel-cases the flags). */
interface SimulateOptions {
  topology: string;
  slots?: number;
  k: number;
  order: 'km' | 'hops';
  policy: PolicyName[];
  load?: number;
  loads?: number[];
  holdingTime: number;
  requests: number;
  warmup?: number;
  seed: number;
  batches: number;
  traffic: string;
  bitrate?: [number, number];
  bitrates?: string;
  requestSlots?: number;
  guard: number;
  compat?: 'rl-gym';
  format: 'table' | 'json' | 'csv';
  spans?: boolean;
  chart?: string;
  out?: string;
  progress?: boolean;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be an integer >= 0');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function numberList(v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !(x > 0) || !Number.isFinite(x))) throw new InvalidArgumentError('must be positive numbers separated by commas');
  return xs;
}

function policyList(v: string): PolicyName[] {
  const xs = v.split(',').map((s) => s.trim());
  for (const x of xs) if (!(POLICY_NAMES as readonly string[]).includes(x)) throw new InvalidArgumentError(`unknown policy ${x}; one of ${POLICY_NAMES.join(', ')}`);
  return xs as PolicyName[];
}

function bitrateRange(v: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw new InvalidArgumentError('must be MIN-MAX in integer Gb/s, e.g. 25-100');
  return [Number(m[1]), Number(m[2])];
}

/** Loads a topology: "builtin", an XLRON node-link .json, a DeepRMSA .txt, an SNDlib native .txt or a .gml file. */
export function loadTopology(spec: string): Network {
  if (spec === 'builtin') return builtinNetwork();
  const text = fs.readFileSync(spec, 'utf8');
  const base = path.basename(spec);
  const ext = path.extname(spec).toLowerCase();
  if (ext === '.json') return parseXlronJson(text, base);
  if (ext === '.gml') return parseGmlNetwork(base, text).network;
  if (ext === '.txt') return /NODES\s*\(/.test(text) ? parseSndlibNetwork(base, text).network : parseNsfnetTxt(text, base);
  throw new Error(`don't know how to read ${spec}: use builtin, .json (XLRON), .txt (DeepRMSA or SNDlib) or .gml`);
}

function requestSizeFrom(o: SimulateOptions): RequestSize {
  if (o.requestSlots !== undefined) return { kind: 'slots', slots: o.requestSlots };
  if (o.bitrates !== undefined) {
    const [values, weights] = o.bitrates.split(':');
    return { kind: 'discrete-gbps', valuesGbps: numberList(values), weights: weights ? numberList(weights) : undefined };
  }
  const [minGbps, maxGbps] = o.bitrate ?? [25, 100];
  return { kind: 'uniform-gbps', minGbps, maxGbps };
}

function nodeWeightsFrom(spec: string, net: Network): number[] | null {
  if (spec === 'uniform') return null;
  const xs = spec.split(',').map(Number);
  if (xs.length !== net.sites.length || xs.some((x) => !(x >= 0))) throw new Error(`--traffic needs ${net.sites.length} weights >= 0 (one per site, in file order) or "uniform"`);
  return xs;
}

/** The slot count every span shares, else the C-band default. */
function defaultSlots(net: Network): number {
  const counts = new Set(net.spans.map((s) => s.lineSystem?.slotCount ?? DEFAULT_LINE_SYSTEM.slotCount));
  return counts.size === 1 ? [...counts][0] : DEFAULT_LINE_SYSTEM.slotCount;
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(3)}%` : 'n/a';
}

function renderTable(results: readonly SimulationResult[], withSpans: boolean): string {
  const t = new Table({ style: { head: [], border: [] }, head: ['policy', 'load (E)', 'request blocking', '95% CI', 'bandwidth blocking', '95% CI', 'utilisation', 'fragmentation'] });
  for (const r of results) {
    t.push([r.policy, r.loadErlang, pct(r.requestBlocking.mean), `±${pct(r.requestBlocking.halfWidth)}`, pct(r.bandwidthBlocking.mean),
      `±${pct(r.bandwidthBlocking.halfWidth)}`, pct(r.meanUtilisation), pct(r.meanFragmentation)]);
  }
  let out = t.toString() + '\n';
  if (results.length > 0 && results.every((r) => r.requestBlocking.mean === 0)) {
    out += `No policy blocked a request at ${[...new Set(results.map((r) => r.loadErlang))].join(', ')} E: the network has room to spare at this load. Try a higher --load, or a sweep (--loads 100,200,400), to see the policies differ.\n`;
  }
  if (withSpans) {
    for (const r of results) {
      const st = new Table({ style: { head: [], border: [] }, head: ['span', 'utilisation', 'fragmentation'] });
      for (const s of r.spans) st.push([s.spanId, pct(s.utilisation), pct(s.fragmentation)]);
      out += `\n${r.policy} at ${r.loadErlang} E, per span:\n${st.toString()}\n`;
    }
  }
  return out;
}

/** Runs the command with parsed options; returns what it printed (also written to --out or stdout). */
export function runSimulate(o: SimulateOptions, network?: Network): string {
  const net = network ?? loadTopology(o.topology);
  const graph = graphFromNetwork(net);
  const loads = o.loads ?? [o.load ?? 55];
  // Optical RL-Gym counts from the first request; elsewhere skip the empty-network transient.
  const warmup = o.warmup ?? (o.compat === 'rl-gym' ? 0 : Math.floor(o.requests / 10));
  const totalRequests = (warmup + o.requests) * loads.length * o.policy.length;
  const showBar = o.progress ?? (process.stderr.isTTY === true && totalRequests >= 1_000_000);
  const bar = showBar
    ? new cliProgress.SingleBar({ stream: process.stderr, noTTYOutput: true, etaBuffer: 50, format: 'simulating [{bar}] {percentage}% | {value}/{total} requests | ETA {eta}s' }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(totalRequests, 0);
  let results: SimulationResult[];
  try {
    results = simulateSweep({
      graph, slotCount: o.slots ?? defaultSlots(net), k: o.k, pathOrder: o.order, policies: o.policy, loadsErlang: loads,
      meanHoldingTime: o.holdingTime, nodeWeights: nodeWeightsFrom(o.traffic, net), requestSize: requestSizeFrom(o),
      guardSlots: o.guard, seed: o.seed, warmupRequests: warmup, requests: o.requests, batches: o.batches,
      compat: o.compat ?? 'none', onProgress: bar ? (done) => bar.update(done) : undefined,
    });
  } finally {
    bar?.stop();
  }
  let text: string;
  if (o.format === 'json') text = JSON.stringify({ topology: net.name, results }, null, 2) + '\n';
  else if (o.format === 'csv') text = resultsToCsv(results) + (o.spans ? '\n' + spansToCsv(results) : '');
  else text = renderTable(results, o.spans === true);
  if (o.chart) fs.writeFileSync(o.chart, sweepChartSvg(results, `${net.name}: request blocking vs load`));
  if (o.out) fs.writeFileSync(o.out, text);
  else process.stdout.write(text);
  return text;
}

/** Adds `simulate` to the lightpath CLI. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('blocking probability under dynamic traffic (Poisson arrivals, exponential holding) for allocation policies')
    .option('-t, --topology <file>', '"store" (the network in the store, default), "builtin", XLRON .json, DeepRMSA or SNDlib .txt, or .gml', 'store')
    .option('--slots <n>', 'spectrum slots per span (default: the line systems\' count, else 384)', positiveInt)
    .option('-k, --k <n>', 'candidate paths per node pair', positiveInt, 5)
    .addOption(new Option('--order <by>', 'rank candidate paths by').choices(['km', 'hops']).default('km'))
    .option('-p, --policy <names>', `comma-separated: ${POLICY_NAMES.map((p) => `${p} (${POLICY_DESCRIPTIONS[p]})`).join('; ')}`, policyList, ['ksp-ff'] as PolicyName[])
    .option('-l, --load <erlang>', 'offered load in Erlangs (default 55)', positiveNumber)
    .option('--loads <list>', 'sweep: comma-separated loads in Erlangs', numberList)
    .option('--holding-time <t>', 'mean holding time (time unit of your choice)', positiveNumber, 1)
    .option('-n, --requests <n>', 'requests counted per run', positiveInt, 100_000)
    .option('--warmup <n>', 'requests simulated before counting (default requests / 10; 0 with --compat rl-gym)', nonNegativeInt)
    .option('--seed <n>', 'random seed', nonNegativeInt, 1)
    .option('--batches <n>', 'batches for the 95% confidence intervals', positiveInt, 20)
    .option('--traffic <weights>', '"uniform" or one weight per site (source; destination with the source\'s weight zeroed)', 'uniform')
    .option('--bitrate <min-max>', 'uniform integer bit rate in Gb/s (default 25-100)', bitrateRange)
    .option('--bitrates <list>', 'discrete bit rates in Gb/s, optional ":weights", e.g. 10,40,100:1,1,2')
    .option('--request-slots <n>', 'fixed request size in slots on every path (no modulation, no guard)', positiveInt)
    .option('--guard <n>', 'guard slots added to bit-rate requests', nonNegativeInt, 1)
    .addOption(new Option('--compat <mode>', 'behave exactly like Optical RL-Gym (first-fit skips the last start slot; networkx path order)').choices(['rl-gym']))
    .addOption(new Option('-f, --format <fmt>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--spans', 'also print utilisation and fragmentation per span')
    .option('--chart <file.svg>', 'write an SVG chart of request blocking vs load')
    .option('-o, --out <file>', 'write the output to a file instead of stdout')
    .option('--progress', 'force the progress bar (default: on a TTY for runs of 1M requests or more)')
    .option('--no-progress', 'never show the progress bar')
    .action(async (opts: SimulateOptions, cmd: Command) => {
      if (globals(cmd).json && opts.format === 'table') opts.format = 'json';
      // The store's network comes through the API (from a running server, or the store opened here).
      const network = opts.topology === 'store'
        ? parseProjectJson('store', JSON.stringify(await withClient(cmd, (c) => c.request<unknown>('GET', '/v1/network', { query: { format: 'json' } })))).network
        : undefined;
      runSimulate(opts, network);
    });
}
