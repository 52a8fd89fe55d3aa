/**
 * `lightpath plan`: capacity planning without the store.
 *   --sndlib FILE: SNDlib's network design problem on a native file (cost, bound, gap).
 *   --network builtin|FILE with --forecast FILE or --growth SPEC: a multi-period build-out plan.
 * Both solve a MILP with HiGHS (or CBC with --solver cbc) under a time limit, with a progress bar
 * on long solves, and print a summary table or the plan document as JSON.
 *
 * With --submit the build-out is planned over the store's network instead: the request goes to the
 * API (`POST /v1/plans`, to a running server or the store opened in this process, see client.ts), the
 * command follows the background job's progress with a bar and prints the plan. `plan list|show`
 * read stored plans; `plan apply ID` turns one into inventory (`--dry-run` lists the changes only).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { LightpathError, validationFailed } from '../../domain/errors.js';
import type { Network } from '../../domain/network.js';
import type { ForecastDemand } from '../../domain/planning.js';
import { builtinNetwork } from '../../data/builtin-network.js';
import { ImportError, parseNetwork } from '../../import/index.js';
import { parseSndlibDesign } from '../../import/sndlib-design.js';
import { forecastFromSndlib, parseForecastCsv, parseForecastJson } from '../../import/demand-forecast.js';
import { buildSndlibModel, type SndlibCapacityModel, type SndlibRouting, type SndlibSurvivability } from '../../engine/planning/sndlib-model.js';
import { decodeSndlibPlan, type SndlibPlan } from '../../engine/planning/sndlib-plan.js';
import { checkSndlibPlan } from '../../engine/planning/sndlib-check.js';
import { buildNetworkModel } from '../../engine/planning/network-model.js';
import { decodeNetworkPlan, type NetworkPlan } from '../../engine/planning/network-plan.js';
import { checkNetworkPlan } from '../../engine/planning/network-check.js';
import { networkWarmStart } from '../../engine/planning/warm-start.js';
import { sndlibWarmStart } from '../../engine/planning/sndlib-warm-start.js';
import { growthForecast, proposeRoutes } from '../../engine/planning/scenarios.js';
import { writeLp } from '../../engine/planning/lp-format.js';
import type { MilpModel } from '../../engine/planning/model.js';
import type { SolveOptions, SolveProgress, SolveResult } from '../../engine/planning/solution.js';
import { solveWithHighs } from '../../solver/highs.js';
import { solveWithCbc } from '../../solver/cbc.js';
import { globals, output, renderTable } from '../context.js';
import { allPages, withClient, type ApiClient } from '../client.js';
import type { Plan, PlanChanges, PlanRequest } from '../../services/planning/index.js';

interface PlanOptions {
  sndlib?: string;
  routing: SndlibRouting;
  survivable: SndlibSurvivability;
  capacity: SndlibCapacityModel;
  network?: string;
  forecast?: string;
  growth?: string;
  periods: number;
  labels?: string[];
  supplyKm?: number[];
  proposeRoutes?: number;
  discount: number;
  timeLimit: number;
  gap: number;
  solver: 'highs' | 'cbc';
  lp?: string;
  warmStart: boolean;
  out?: string;
  progress?: boolean;
  submit?: boolean;
  wait: boolean;
  metros?: string[];
  strands?: number;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

function numberList(v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !(x >= 0) || !Number.isFinite(x))) throw new InvalidArgumentError('must be numbers >= 0 separated by commas');
  return xs;
}

/** "base=800,default=0.25,Dallas=0.8" → scenario fields. */
export function parseGrowthSpec(spec: string): { baseGbps: number; defaultGrowth: number; growthByMetro: Record<string, number> } {
  let baseGbps = 400;
  let defaultGrowth = 0.25;
  const growthByMetro: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const eq = part.lastIndexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    const value = Number(part.slice(eq + 1));
    if (eq <= 0 || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`"${part}": expected name=number`);
    if (key === 'base') baseGbps = value;
    else if (key === 'default') defaultGrowth = value;
    else growthByMetro[key] = value;
  }
  return { baseGbps, defaultGrowth, growthByMetro };
}

function rethrowImport(err: unknown, file: string): never {
  if (err instanceof ImportError) {
    throw validationFailed(`${file} cannot be read: ${err.issues.length} problem(s)\n${err.message}`, err.issues.map((i) => ({ path: i.field, message: i.message, file: i.file, line: i.line })));
  }
  throw err;
}

function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function loadNetwork(spec: string): Network {
  if (spec === 'builtin') return builtinNetwork();
  try {
    return parseNetwork(path.basename(spec), readText(spec)).network;
  } catch (err) {
    return rethrowImport(err, spec);
  }
}

function loadForecast(file: string): ForecastDemand[] {
  const text = readText(file);
  const base = path.basename(file);
  try {
    if (/\.csv$/i.test(file)) return parseForecastCsv(base, text);
    if (/\.json$/i.test(file)) return parseForecastJson(base, text);
    if (/DEMANDS\s*\(/.test(text)) return forecastFromSndlib(base, text);
  } catch (err) {
    return rethrowImport(err, file);
  }
  throw new LightpathError('validation-failed', `${file}: a forecast is a .csv, a .json or an SNDlib file with DEMANDS`);
}

async function solve(model: MilpModel, o: PlanOptions, warmStart: Float64Array | null): Promise<SolveResult> {
  if (o.lp) fs.writeFileSync(o.lp, writeLp(model));
  const showBar = o.progress ?? (process.stderr.isTTY === true && o.timeLimit >= 5);
  const bar = showBar
    ? new cliProgress.SingleBar({ stream: process.stderr, noTTYOutput: true, format: 'solving [{bar}] {value}/{total} s | best {primal} | bound {dual} | gap {gap}' }, cliProgress.Presets.shades_classic)
    : null;
  const fmt = (x: number | null): string => (x === null ? '-' : x.toPrecision(8));
  bar?.start(Math.ceil(o.timeLimit), 0, { primal: '-', dual: '-', gap: '-' });
  const opts: SolveOptions = {
    timeLimitSec: o.timeLimit,
    mipRelGap: o.gap,
    warmStart: warmStart ?? undefined,
    onProgress: bar ? (p: SolveProgress) => bar.update(Math.min(Math.floor(p.seconds), Math.ceil(o.timeLimit)), { primal: fmt(p.primal), dual: fmt(p.dual), gap: p.gap === null ? '-' : `${(p.gap * 100).toFixed(2)}%` }) : undefined,
  };
  try {
    return o.solver === 'cbc' ? await solveWithCbc(model, opts) : await solveWithHighs(model, opts);
  } finally {
    bar?.stop();
  }
}

function noSolution(r: SolveResult): never {
  if (r.status === 'infeasible') throw new LightpathError('capacity-exhausted', 'no plan exists: the model is infeasible (e.g. 1+1 on a network with a bridge, or supply too low)');
  throw new LightpathError('internal', `the solver found no plan (${r.status}${r.message ? `: ${r.message}` : ''}); raise --time-limit`);
}

function pct(g: number | null): string {
  return g === null ? '-' : `${(g * 100).toFixed(3)}%`;
}

function sndlibSummary(p: SndlibPlan): string {
  const s = p.solver;
  const head = renderTable(['instance', 'routing', 'survivable', 'status', 'cost', 'lower bound', 'gap', 'seconds'], [
    [p.instance, p.routing, p.survivable, s.status, p.cost, s.bound === null ? '-' : Number(s.bound.toFixed(6)), pct(s.gap), s.seconds.toFixed(1)],
  ]);
  const rows = p.links.filter((l) => l.modules.some((k) => k > 0) || l.load > 0).map((l) => [l.linkId, l.modules.join(' + '), l.capacity, Number(l.load.toFixed(3)), l.moduleCost + l.setupCost]);
  const pre = p.preinstalledCapacityCost > 0 ? `\ncost includes ${p.preinstalledCapacityCost} of pre-installed capacity (a constant every solution pays)` : '';
  const notes = `${pre}${p.ignored.length ? `\nignored: ${p.ignored.join('; ')}` : ''}`;
  return `${head}\n${renderTable(['link', 'modules', 'capacity', 'load', 'capex'], rows)}${notes}`;
}

function networkSummary(p: NetworkPlan): string {
  const s = p.solver;
  const head = renderTable(['network', 'status', 'capex', 'lower bound', 'gap', 'seconds'], [[p.network, s.status, Number(p.capex.total.toFixed(3)), s.bound === null ? '-' : Number(s.bound.toFixed(3)), pct(s.gap), s.seconds.toFixed(1)]]);
  const rows = p.periods.map((q) => [
    q.label, q.build.waves.reduce((a, w) => a + w.count, 0), q.build.lineSystems.reduce((a, l) => a + l.added, 0), q.build.cables.reduce((a, c) => a + c.added, 0),
    q.build.newRoutes.length, Number(q.capex.total.toFixed(3)), Math.round(q.kpis.demandGbps), q.kpis.litCapacityGbps, Math.round(q.kpis.routeMiles), Math.round(q.kpis.fiberMiles),
    `${Math.round(q.kpis.fiberKmBought)}${q.kpis.fiberKmSupply === null ? '' : ` / ${Math.round(q.kpis.fiberKmSupply)}`}`,
  ]);
  const periods = renderTable(['period', 'waves +', 'line systems +', 'cables +', 'new routes', 'capex', 'demand Gbps', 'lit Gbps', 'route mi', 'fiber mi', 'fiber-km bought / supply'], rows);
  const ex = p.exhaustion.filter((e) => e.exhaustedInPeriod !== null);
  const exText = ex.length === 0 ? 'no span exhausts within the horizon without the plan' : renderTable(['span', 'exhausts in', 'slots available', 'slots needed'], ex.map((e) => [e.spanId, e.label, e.slotsAvailable, e.slotsNeeded.join(' → ')]));
  return `${head}\n${periods}\nwithout the plan (shortest-path routing of the forecast):\n${exText}`;
}

async function runPlan(o: PlanOptions, json: boolean, cmd: Command): Promise<void> {
  if (o.submit) return submitPlan(o, cmd);
  let doc: SndlibPlan | NetworkPlan;
  let text: string;
  if (o.sndlib !== undefined) {
    let inst;
    try {
      inst = parseSndlibDesign(path.basename(o.sndlib), readText(o.sndlib));
    } catch (err) {
      rethrowImport(err, o.sndlib);
    }
    const sm = buildSndlibModel(inst, { routing: o.routing, survivable: o.survivable, capacityModel: o.capacity });
    const r = await solve(sm.model, o, o.warmStart ? sndlibWarmStart(sm) : null);
    if (r.x === null) noSolution(r);
    const plan = decodeSndlibPlan(sm, r);
    const check = checkSndlibPlan(inst, plan);
    if (!check.ok) throw new LightpathError('internal', `the plan fails the feasibility check: ${check.problems.slice(0, 3).join('; ')}`);
    doc = plan;
    text = sndlibSummary(plan);
  } else {
    const network = loadNetwork(o.network ?? 'builtin');
    let forecast: ForecastDemand[];
    if (o.forecast !== undefined) forecast = loadForecast(o.forecast);
    else if (o.growth !== undefined) {
      try {
        forecast = growthForecast(network, { ...parseGrowthSpec(o.growth), periods: o.periods, ...(o.metros ? { metros: o.metros } : {}) });
      } catch (err) {
        if (err instanceof RangeError) throw new LightpathError('validation-failed', `--metros: ${err.message}`);
        throw err;
      }
    }
    else throw new LightpathError('validation-failed', 'plan needs --sndlib FILE, or --forecast FILE or --growth SPEC (with --network)');
    const periods = Math.max(o.periods, ...forecast.map((f) => f.period));
    if (o.labels && o.labels.length !== periods) throw new LightpathError('validation-failed', `--labels gives ${o.labels.length} labels for ${periods} periods`);
    const supply = o.supplyKm ? Array.from({ length: periods }, (_, t) => o.supplyKm?.[Math.min(t, (o.supplyKm?.length ?? 1) - 1)] ?? Infinity) : undefined;
    const input = {
      network, forecast, periods, periodLabels: o.labels, fiberSupplyKm: supply, discountRate: o.discount,
      candidateRoutes: o.proposeRoutes ? proposeRoutes(network, { maxKm: o.proposeRoutes, limit: 50 }) : [],
    };
    const nm = buildNetworkModel(input);
    const r = await solve(nm.model, o, o.warmStart ? networkWarmStart(nm) : null);
    if (r.x === null) noSolution(r);
    const plan = decodeNetworkPlan(nm, r);
    const check = checkNetworkPlan(input, plan);
    if (!check.ok) throw new LightpathError('internal', `the plan fails the feasibility check: ${check.problems.slice(0, 3).join('; ')}`);
    doc = plan;
    text = networkSummary(plan);
  }
  if (o.out) fs.writeFileSync(o.out, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write((json ? JSON.stringify(doc, null, 2) : text) + '\n');
}

/** Adds `plan` to the lightpath CLI. */
export function registerPlanCommand(program: Command): void {
  const plan = program
    .command('plan')
    .description('capacity planning (MILP): SNDlib network design, or a multi-period build-out of a network for a forecast')
    .option('--sndlib <file>', 'solve SNDlib\'s network design problem on a native-format file')
    .addOption(new Option('--routing <mode>', 'SNDlib routing').choices(['splittable', 'single-path']).default('splittable'))
    .addOption(new Option('--survivable <mode>', 'SNDlib survivability: none, or 1+1 against any single link failure').choices(['none', '1+1']).default('none'))
    .addOption(new Option('--capacity <model>', 'SNDlib capacity: modular (any number of each module) or explicit (one module per link)').choices(['modular', 'explicit']).default('modular'))
    .option('--network <spec>', '"builtin" or a network file (gml, sndlib, n2p, geojson, json) for a build-out plan', 'builtin')
    .option('--forecast <file>', 'demand forecast: CSV (a_site,z_site,period,gbps[,protection]), JSON, or an SNDlib file\'s DEMANDS')
    .option('--growth <spec>', 'forecast from growth between data-center metros: base=GBPS,default=RATE,<Metro>=RATE,…')
    .option('--metros <list>', 'with --growth: only these data-center metros, e.g. Chicago,Dallas', (v: string) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .option('--periods <n>', 'planning horizon in periods (with --growth)', positiveInt, 3)
    .option('--labels <list>', 'period labels, e.g. 2026,2027,2028', (v: string) => v.split(',').map((s) => s.trim()))
    .option('--supply-km <list>', 'fiber-km that can be bought per period (last value repeats)', numberList)
    .option('--propose-routes <km>', 'offer new routes between PoPs up to this great-circle distance', positiveNumber)
    .option('--discount <rate>', 'discount rate per period for the capex objective', nonNegativeNumber, 0)
    .option('--time-limit <s>', 'solver time limit in seconds', positiveNumber, 60)
    .option('--gap <g>', 'stop at this relative gap (0 = prove optimality)', nonNegativeNumber, 0)
    .addOption(new Option('--solver <name>', 'MILP solver').choices(['highs', 'cbc']).default('highs'))
    .option('--lp <file>', 'also write the model as a CPLEX LP file')
    .option('--no-warm-start', 'do not seed the solver with the heuristic plan (shortest paths, capacity rounded up)')
    .option('-o, --out <file>', 'write the plan document (JSON) to a file')
    .option('--progress', 'force the progress bar (default: on a TTY)')
    .option('--no-progress', 'never show the progress bar')
    .option('--strands <n>', 'strands in a newly laid cable (default 144)', positiveInt)
    .option('--submit', 'plan over the store\'s network through the API (a running server, or the store opened here) and keep the plan')
    .option('--no-wait', 'with --submit: print the queued plan and return')
    .action(async (opts: PlanOptions, cmd: Command) => {
      await runPlan(opts, globals(cmd).json === true, cmd);
    });

  plan
    .command('list')
    .description('plans kept in the store (without their documents)')
    .option('--state <state>', 'queued, running, done or failed')
    .action(async (opts: { state?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Plan>(c, '/v1/plans', { state: opts.state }));
      output(cmd, { items, nextCursor: null }, () => renderTable(['id', 'state', 'created', 'finished', 'applied'], items.map((p) => [p.id, p.state, p.createdAt, p.finishedAt, p.appliedAt])));
    });

  plan
    .command('show')
    .description('a stored plan: its state, progress and, once done, its summary')
    .argument('<id>')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const p = await withClient(cmd, (c) => c.request<Plan>('GET', `/v1/plans/${encodeURIComponent(id)}`));
      output(cmd, p, () => storedSummary(p));
    });

  plan
    .command('apply')
    .description('turn a done plan\'s built capacity into inventory (new spans, cables, lit fiber pairs), all or nothing, once')
    .argument('<id>')
    .option('--dry-run', 'only list the changes apply would make')
    .option('--inventory-version <n>', 'apply only if the inventory is still at this version (the one the dry run printed)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be an integer >= 0');
      return n;
    })
    .action(async (id: string, opts: { dryRun?: boolean; inventoryVersion?: number }, cmd: Command) => {
      const base = `/v1/plans/${encodeURIComponent(id)}`;
      const cs = await withClient(cmd, (c) =>
        opts.dryRun ? c.request<PlanChanges>('GET', `${base}/changes`) : c.request<PlanChanges>('POST', `${base}/apply`, { query: { inventoryVersion: opts.inventoryVersion } }),
      );
      output(cmd, cs, () => changesSummary(cs, opts.dryRun === true));
    });
}

/** The request body for the API from the command's options (the forecast file is read here). */
function planRequest(o: PlanOptions, periodsGiven: boolean): PlanRequest {
  const body: PlanRequest = {
    // With a forecast, the horizon is its last period unless --periods says more.
    ...(periodsGiven || o.forecast === undefined ? { periods: o.periods } : {}),
    timeLimitSeconds: o.timeLimit,
    mipRelGap: o.gap,
    solver: o.solver,
    warmStart: o.warmStart,
    discountRate: o.discount,
  };
  if (o.forecast !== undefined) {
    body.forecast = loadForecast(o.forecast).map((f) => ({ aSiteId: f.aSiteId, zSiteId: f.zSiteId, period: f.period, gbps: f.gbps, protection: f.protection }));
  } else if (o.growth !== undefined) {
    body.growth = { ...parseGrowthSpec(o.growth), ...(o.metros ? { metros: o.metros } : {}) };
  } else {
    throw new LightpathError('validation-failed', 'plan --submit needs --forecast FILE or --growth SPEC');
  }
  if (o.labels) body.periodLabels = o.labels;
  if (o.supplyKm) body.fiberSupplyKm = o.supplyKm;
  if (o.proposeRoutes) body.proposeRoutesKm = o.proposeRoutes;
  if (o.strands) body.newCableStrands = o.strands;
  return body;
}

/** Follows a queued plan until it is done or failed, with a progress bar on the solver's seconds. */
async function follow(c: ApiClient, plan: Plan, o: PlanOptions): Promise<Plan> {
  const limit = Math.ceil(plan.request.timeLimitSeconds ?? o.timeLimit);
  const showBar = o.progress ?? (process.stderr.isTTY === true && limit >= 5);
  const bar = showBar
    ? new cliProgress.SingleBar({ stream: process.stderr, noTTYOutput: true, format: `${plan.id} {state} [{bar}] {value}/{total} s | best {primal} | gap {gap}` }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(limit, 0, { state: plan.state, primal: '-', gap: '-' });
  // Without a server, this process runs the job itself (the solve is in a worker thread, so polling goes on).
  const settling = c.remote ? Promise.resolve() : c.settle();
  let p = plan;
  try {
    while (p.state === 'queued' || p.state === 'running') {
      await new Promise((r) => setTimeout(r, 250));
      p = await c.request<Plan>('GET', `/v1/plans/${encodeURIComponent(plan.id)}`);
      const pr = p.progress;
      bar?.update(Math.min(limit, Math.floor(pr?.seconds ?? 0)), { state: p.state, primal: pr?.primal === null || pr?.primal === undefined ? '-' : pr.primal.toPrecision(8), gap: pr?.gap === null || pr?.gap === undefined ? '-' : `${(pr.gap * 100).toFixed(2)}%` });
    }
  } finally {
    bar?.stop();
    await settling;
  }
  return p;
}

async function submitPlan(o: PlanOptions, cmd: Command): Promise<void> {
  if (o.sndlib !== undefined || cmd.getOptionValueSource('network') === 'cli') throw new LightpathError('validation-failed', 'plan --submit plans over the store\'s network: drop --sndlib and --network');
  const body = planRequest(o, cmd.getOptionValueSource('periods') === 'cli');
  const plan = await withClient(cmd, async (c) => {
    const queued = await c.request<Plan>('POST', '/v1/plans', { body });
    return o.wait ? follow(c, queued, o) : queued;
  });
  if (o.out && plan.document) fs.writeFileSync(o.out, JSON.stringify(plan.document, null, 2) + '\n');
  if (plan.state === 'failed' && plan.error) throw new LightpathError(plan.error.code as 'internal', `plan ${plan.id} failed: ${plan.error.detail}`);
  output(cmd, plan, () => storedSummary(plan));
}

function storedSummary(p: Plan): string {
  const head = `Plan ${p.id} is ${p.state}${p.appliedAt ? ` (applied ${p.appliedAt})` : ''}.`;
  if (p.document) return `${head}\n${networkSummary(p.document)}\nreview the inventory changes: lightpath plan apply ${p.id} --dry-run`;
  if (p.error) return `${head} ${p.error.code}: ${p.error.detail}`;
  return head;
}

function changesSummary(cs: PlanChanges, dryRun: boolean): string {
  const rows = cs.changes.map((c) => [c.op, c.spanId, c.cablesAdded.length, c.fiberPairsAdded, Math.round(c.fiberKmAdded), c.periods.map((q) => q.label).join(', ')]);
  const table = renderTable(['change', 'span', 'cables +', 'fiber pairs lit +', 'fiber-km +', 'periods'], rows);
  const head = cs.applied ? (dryRun ? `Plan ${cs.planId} was applied at ${cs.appliedAt}:` : `Applied plan ${cs.planId}: ${cs.changes.length} change(s).`) : `Plan ${cs.planId} would make ${cs.changes.length} change(s) (dry run):`;
  const conflicts = cs.conflicts.length ? `\nconflicts (apply would be refused):\n${cs.conflicts.map((x) => `  ${x}`).join('\n')}` : '';
  const next = !cs.applied && dryRun && cs.conflicts.length === 0 ? `\napply exactly these: lightpath plan apply ${cs.planId} --inventory-version ${cs.inventoryVersion}` : '';
  return `${head}\n${table}\n${cs.wavesPlanned} planned wave(s) are lit by orders, not by apply.${conflicts}${next}`;
}
