/**
 * Capacity planning benchmark: SNDlib network design on five instances of growing size and a
 * three-year build-out of the built-in network under AI data-center growth, each solved by HiGHS
 * (ours, through the engine's model) and by CBC on the same model written as an LP file, in the
 * same run with the same time limit. Prints cost, lower bound, gap and time per solver, and the
 * effect of the shortest-path warm start on the build-out. Figures on a shared machine are noisy.
 *
 * Usage: node dist/bench/plan.js [--time-limit S] (default 60 s per solve).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSndlibDesign } from '../src/import/sndlib-design.js';
import { buildSndlibModel } from '../src/engine/planning/sndlib-model.js';
import { buildNetworkModel } from '../src/engine/planning/network-model.js';
import { networkWarmStart } from '../src/engine/planning/warm-start.js';
import { growthForecast, proposeRoutes } from '../src/engine/planning/scenarios.js';
import { modelSize, objectiveOf, type MilpModel } from '../src/engine/planning/model.js';
import type { SolveResult } from '../src/engine/planning/solution.js';
import { solveWithHighs } from '../src/solver/highs.js';
import { solveWithCbc } from '../src/solver/cbc.js';
import { builtinNetwork } from '../src/data/builtin-network.js';

const arg = process.argv.indexOf('--time-limit');
const TIME_LIMIT = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const shared = process.env.LIGHTPATH_SHARED_DIR ?? path.resolve(process.cwd(), '..', 'shared');

interface Row {
  case: string;
  size: string;
  solver: string;
  status: string;
  cost: string;
  bound: string;
  gap: string;
  seconds: string;
}

const rows: Row[] = [];
const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

function record(name: string, m: MilpModel, r: SolveResult): void {
  const s = modelSize(m);
  rows.push({
    case: name, size: `${s.cols}c/${s.integerCols}i/${s.rows}r`, solver: r.solver, status: r.status,
    cost: fmt(r.objective), bound: fmt(r.bound), gap: r.gap === null ? '-' : `${(r.gap * 100).toFixed(3)}%`, seconds: r.seconds.toFixed(1),
  });
  console.log(`${name.padEnd(28)} ${r.solver.padEnd(12)} ${r.status.padEnd(10)} cost ${fmt(r.objective)} bound ${fmt(r.bound)} gap ${rows[rows.length - 1].gap} ${r.seconds.toFixed(1)} s`);
}

async function both(name: string, m: MilpModel, warm?: Float64Array | null): Promise<void> {
  record(name, m, await solveWithHighs(m, { timeLimitSec: TIME_LIMIT }));
  if (warm) record(`${name} +warm start`, m, await solveWithHighs(m, { timeLimitSec: TIME_LIMIT, warmStart: warm }));
  record(name, m, await solveWithCbc(m, { timeLimitSec: TIME_LIMIT }));
}

console.log(`planning benchmark: HiGHS (wasm) vs CBC on the same models, ${TIME_LIMIT} s limit each; shared 2-core machine, times are noisy`);
for (const name of ['polska', 'atlanta', 'nobel-eu', 'germany50', 'cost266']) {
  const inst = parseSndlibDesign(`${name}.txt`, fs.readFileSync(path.join(shared, 'data', 'sndlib', `${name}.txt`), 'utf8'));
  const sm = buildSndlibModel(inst);
  await both(`${name} (${inst.nodes.length}n/${inst.links.length}l/${inst.demands.length}d)`, sm.model);
}
{
  // cost266 as in MIPLIB's cost266-UUE: explicit capacities (one module per link).
  const inst = parseSndlibDesign('cost266.txt', fs.readFileSync(path.join(shared, 'data', 'sndlib', 'cost266.txt'), 'utf8'));
  const sm = buildSndlibModel(inst, { capacityModel: 'explicit' });
  await both('cost266 explicit (UUE)', sm.model);
}
{
  const net = builtinNetwork();
  const forecast = growthForecast(net, { baseGbps: 800, defaultGrowth: 0.25, growthByMetro: { Dallas: 0.8, Phoenix: 0.8, Columbus: 0.7, Quincy: 0.7, Reno: 0.6 }, periods: 3 });
  const nm = buildNetworkModel({ network: net, forecast, periods: 3, periodLabels: ['2026', '2027', '2028'], candidateRoutes: proposeRoutes(net, { maxKm: 400, limit: 20 }), fiberSupplyKm: [200_000, 200_000, 200_000], discountRate: 0.08 });
  const ws = networkWarmStart(nm);
  console.log(`built-in 3-year build-out: warm start (shortest path + round up) costs ${ws ? objectiveOf(nm.model, ws).toFixed(2) : 'infeasible'}`);
  await both('builtin 3y AI growth', nm.model, ws);
}
console.table(rows);
console.log('reference (MIPLIB cost266-UUE, HiGHS 1.12, 1,200 s): primal 25,148,940.56, gap 4.53%');
