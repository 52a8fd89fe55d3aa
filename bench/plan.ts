/**
 * Capacity planning benchmark: SNDlib network design on five instances of growing size (polska,
 * atlanta, nobel-eu, germany50, cost266; plus cost266 with explicit capacities as in MIPLIB's
 * cost266-UUE) and a three-year build-out of the built-in network under AI data-center growth, each
 * solved by HiGHS through the engine's model, alone and from the engine's heuristic warm start (ours:
 * what `lightpath plan` runs), and by CBC on the same model written as an LP file, in the same run
 * with the same wall-clock time limit. Prints cost, lower bound, gap and time per run side by side,
 * and the warm start's own cost (its effect is the difference between the two HiGHS runs).
 * Figures on a shared machine are noisy: the load average is printed with them.
 *
 * Usage: node dist/bench/plan.js [--time-limit S] [--cases polska,atlanta,...]
 *   --time-limit: seconds per solve (default 20: the whole run then takes about 7 minutes;
 *                 1200 compares with MIPLIB's reference run below).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { parseSndlibDesign } from '../src/import/sndlib-design.js';
import { buildSndlibModel, type SndlibOptions } from '../src/engine/planning/sndlib-model.js';
import { buildNetworkModel } from '../src/engine/planning/network-model.js';
import { networkWarmStart } from '../src/engine/planning/warm-start.js';
import { sndlibWarmStart } from '../src/engine/planning/sndlib-warm-start.js';
import { growthForecast, proposeRoutes } from '../src/engine/planning/scenarios.js';
import { modelSize, objectiveOf, type MilpModel } from '../src/engine/planning/model.js';
import type { SolveResult } from '../src/engine/planning/solution.js';
import { solveWithHighs } from '../src/solver/highs.js';
import { solveWithCbc } from '../src/solver/cbc.js';
import { builtinNetwork } from '../src/data/builtin-network.js';

const { values } = parseArgs({ options: { 'time-limit': { type: 'string' }, cases: { type: 'string' } } });
const TIME_LIMIT = values['time-limit'] === undefined ? 20 : Number(values['time-limit']);
if (!(TIME_LIMIT > 0)) throw new RangeError(`--time-limit must be a number of seconds > 0, got ${values['time-limit']}`);
const only = values.cases === undefined ? null : new Set(values.cases.split(','));
const shared = process.env.LIGHTPATH_SHARED_DIR ?? path.resolve(process.cwd(), '..', 'shared');

interface Row {
  name: string;
  run: string;
  r: SolveResult | null;
  /** Cost of a heuristic plan (the warm start alone). */
  heuristic?: number;
  verdict?: string;
}
const rows: Row[] = [];
const sizes: string[] = [];

const money = (x: number | null): string => (x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const pct = (g: number | null): string => (g === null ? '-' : `${(g * 100).toFixed(2)}%`);

function line(name: string, run: string, r: SolveResult): void {
  console.log(`  ${run.padEnd(20)} ${r.solver.padEnd(12)} ${r.status.padEnd(10)} cost ${money(r.objective)}  bound ${money(r.bound)}  gap ${pct(r.gap)}  ${r.seconds.toFixed(1)} s`);
}

/** Who did better, ours or CBC, on the gap and on the time (within 10%, or both at the limit, is a tie). */
function verdict(ours: SolveResult, c: SolveResult): string {
  const go = ours.gap ?? Infinity;
  const gc = c.gap ?? Infinity;
  const gap = Math.abs(go - gc) <= 1e-9 || (go === Infinity && gc === Infinity) ? 'tie' : go < gc ? 'ours' : 'CBC';
  const atLimit = (r: SolveResult): boolean => r.status !== 'optimal' && r.seconds >= 0.9 * TIME_LIMIT;
  const time = (atLimit(ours) && atLimit(c)) || Math.abs(ours.seconds - c.seconds) <= 0.1 * Math.max(ours.seconds, c.seconds) ? 'tie' : ours.seconds < c.seconds ? 'ours' : 'CBC';
  return `gap: ${gap}; time: ${time}`;
}

/**
 * HiGHS alone, HiGHS from the warm start (ours: what `lightpath plan` runs), and CBC, each with the
 * same wall-clock limit on the same model.
 */
async function compare(name: string, size: string, m: MilpModel, warm: Float64Array | null): Promise<void> {
  const s = modelSize(m);
  sizes.push(`  ${name}: ${size} -> ${s.cols} columns (${s.integerCols} integer), ${s.rows} rows`);
  console.log(`${name}: ${size} -> ${s.cols} columns (${s.integerCols} integer), ${s.rows} rows`);
  if (warm) {
    const h = objectiveOf(m, warm);
    console.log(`  ${'warm start alone'.padEnd(20)} heuristic cost ${money(h)}`);
    rows.push({ name, run: 'warm start alone', r: null, heuristic: h });
  }
  const cold = await solveWithHighs(m, { timeLimitSec: TIME_LIMIT });
  line(name, 'HiGHS', cold);
  rows.push({ name, run: 'HiGHS', r: cold });
  let ours = cold;
  if (warm) {
    ours = await solveWithHighs(m, { timeLimitSec: TIME_LIMIT, warmStart: warm });
    line(name, 'HiGHS + warm start', ours);
    rows.push({ name, run: 'HiGHS + warm start', r: ours });
  }
  const cbc = await solveWithCbc(m, { timeLimitSec: TIME_LIMIT });
  line(name, 'CBC', cbc);
  rows.push({ name, run: 'CBC', r: cbc, verdict: `vs ${warm ? 'HiGHS + warm start' : 'HiGHS'}: ${verdict(ours, cbc)}` });
}

const started = performance.now();
const load0 = os.loadavg();
console.log(`planning benchmark: HiGHS (WebAssembly) vs CBC on the same models, ${TIME_LIMIT} s wall-clock limit per solve`);
console.log(`machine: ${os.availableParallelism()} cores, load average ${load0.map((l) => l.toFixed(1)).join(' ')} (shared: figures are noisy)\n`);

const sndlib: [string, string, SndlibOptions][] = [
  ['polska', 'polska', {}],
  ['atlanta', 'atlanta', {}],
  ['nobel-eu', 'nobel-eu', {}],
  ['germany50', 'germany50', {}],
  ['cost266', 'cost266', {}],
  // As MIPLIB's cost266-UUE: explicit capacities (at most one module per link).
  ['cost266 explicit (UUE)', 'cost266', { capacityModel: 'explicit' }],
];
for (const [label, file, opts] of sndlib) {
  if (only && !only.has(file) && !only.has(label)) continue;
  const inst = parseSndlibDesign(`${file}.txt`, fs.readFileSync(path.join(shared, 'data', 'sndlib', `${file}.txt`), 'utf8'));
  const sm = buildSndlibModel(inst, opts);
  await compare(label, `${inst.nodes.length} nodes/${inst.links.length} links/${inst.demands.length} demands`, sm.model, sndlibWarmStart(sm));
}
if (!only || only.has('builtin')) {
  const net = builtinNetwork();
  const forecast = growthForecast(net, { baseGbps: 800, defaultGrowth: 0.25, growthByMetro: { Dallas: 0.8, Phoenix: 0.8, Columbus: 0.7, Quincy: 0.7, Reno: 0.6 }, periods: 3 });
  const nm = buildNetworkModel({ network: net, forecast, periods: 3, periodLabels: ['2026', '2027', '2028'], candidateRoutes: proposeRoutes(net, { maxKm: 400, limit: 20 }), fiberSupplyKm: [200_000, 200_000, 200_000], discountRate: 0.08 });
  await compare('builtin 3y AI growth', `${net.sites.length} sites/${net.spans.length} spans/${forecast.length} forecast rows`, nm.model, networkWarmStart(nm));
}

const t = new Table({
  head: ['case', 'run', 'status', 'cost', 'lower bound', 'gap', 'seconds', 'better'],
  style: { head: [], border: [] },
  // No rule between rows: one block per case reads better.
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
});
for (const row of rows) {
  const r = row.r;
  if (r === null) t.push([row.name, row.run, 'heuristic', money(row.heuristic ?? null), '', '', '', '']);
  else t.push([row.name, row.run, r.status, money(r.objective), money(r.bound), pct(r.gap), r.seconds.toFixed(1), row.verdict ?? '']);
}
console.log(`\n${t.toString()}`);
console.log(`model sizes:\n${sizes.join('\n')}`);
console.log('reference (MIPLIB cost266-UUE, HiGHS 1.12, 1,200 s): primal 25,148,940.56, gap 4.53%');
const load1 = os.loadavg();
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${load1.map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
