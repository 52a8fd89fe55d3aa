/**
 * Restoration benchmark on the built-in network (GitHub issue 5): fill it with >= 10,000 services (waves
 * and dark fiber; unprotected, restorable and 1+1), cut the span carrying the most, and print: affected
 * count, time to identify them (reverse index), compute time to restore all (engine), and end-to-end time
 * to commit through the store (embedded PostgreSQL). Also a 10,000-demand restoration plan in one batch
 * (the target: under 200 ms on one core) and the all-single-spans what-if. Timed sections run several
 * times and report the median and the minimum, because the machines this runs on are shared and noisy.
 * Prints figures and a summary against the target; asserts nothing. Run: npm run bench:restore
 */
import { availableParallelism, loadavg } from 'node:os';
import { builtinNetwork } from '../src/data/builtin-network.js';
import type { CircuitSpec, Product, Protection } from '../src/domain/products.js';
import {
  DEFAULT_MAX_CANDIDATES,
  SpanIndex,
  allSingleSpans,
  analyzeFailures,
  assignSpectrum,
  commitAssignment,
  diversePair,
  failedMask,
  kShortestPaths,
  lowestFreeRun,
  newRestoreStats,
  planRestoration,
  type Path,
  type RestoreDemand,
  type StrandChoice,
} from '../src/engine/index.js';
import type { CircuitDesign, DesignPath } from '../src/services/ordering/design.js';
import { buildNetworkView, NetworkViewCache } from '../src/services/ordering/network-view.js';
import { occupancyFrom, pathGeometry, strandsOf, waveOf, type NewAllocation } from '../src/services/resilience/model.js';
import { SYSTEM_PRINCIPAL } from '../src/services/ordering/principal.js';
import { ResilienceService } from '../src/services/resilience/index.js';
import { InventoryService } from '../src/services/inventory.js';
import { migrate } from '../src/store/migrate.js';
import { insertAllocations } from '../src/store/ordering.js';
import { openPglite } from '../src/store/pglite.js';
import { rng } from './support/gen.js';

const TARGET = Number(process.env.RESTORE_BENCH_SERVICES ?? 10_000);
/** Timed repetitions of each engine measurement (median and minimum are printed). */
const RUNS = Number(process.env.RESTORE_BENCH_RUNS ?? 5);
/** The issue's target for computing 10,000 restorations in one batch on one core. */
const TARGET_BATCH_MS = 200;
const view = buildNetworkView(builtinNetwork(), 1);
const g = view.graph;
const occ = occupancyFrom(view, [], []);
const rand = rng(7);

interface Svc {
  id: string;
  spec: CircuitSpec;
  design: CircuitDesign;
  demand: RestoreDemand;
  rows: NewAllocation[];
}

/** Sites within 1..3 hops of v: nearby pairs keep paths short, so the backbone holds 10,000 circuits. */
function near(v: number): number[] {
  const seen = new Map<number, number>([[v, 0]]);
  let frontier = [v];
  for (let h = 1; h <= 3; h++) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let j = g.adjStart[u]; j < g.adjStart[u + 1]; j++) {
        const w = g.adjNode[j];
        if (!seen.has(w)) {
          seen.set(w, h);
          next.push(w);
        }
      }
    }
    frontier = next;
  }
  return [...seen.keys()].filter((w) => w !== v);
}

function placeWave(p: Path, id: string, role: 'working' | 'protect'): { dp: DesignPath; rows: NewAllocation[] } | null {
  for (let layer = 0; layer < occ.layers.length; layer++) {
    const a = assignSpectrum(g, occ.layers[layer], [p], { lineRateGbps: 100 });
    if (!a) continue;
    commitAssignment(occ.layers[layer], a);
    const w = waveOf(view, { layer, assignment: a }, 100, { serviceId: id, trunkId: null, role });
    return { dp: { role, ...pathGeometry(view, p), wave: w.wave }, rows: w.rows };
  }
  return null;
}

function placeStrands(p: Path, id: string, role: 'working' | 'protect'): { dp: DesignPath; rows: NewAllocation[] } | null {
  const picks: StrandChoice[] = [];
  for (const e of p.spans) {
    const cables = occ.strands[e];
    const c = cables.findIndex((cb) => lowestFreeRun(cb.used, 2, cb.firstUsable, cb.strandCount) >= 0);
    if (c < 0) {
      for (const pk of picks) occ.strands[pk.span][pk.cable].used.pop();
      return null;
    }
    const lo = lowestFreeRun(cables[c].used, 2, cables[c].firstUsable, cables[c].strandCount);
    cables[c].used.push([lo, lo + 2]);
    picks.push({ span: e, cable: c, lo });
  }
  const s = strandsOf(view, picks, id, role);
  return { dp: { role, ...pathGeometry(view, p), strands: s.strands }, rows: s.rows };
}

function fill(): Svc[] {
  const out: Svc[] = [];
  const nearby = Array.from({ length: g.nodeCount }, (_, v) => near(v));
  for (let attempt = 0; out.length < TARGET && attempt < TARGET * 10; attempt++) {
    const a = Math.floor(rand() * g.nodeCount);
    const z = nearby[a][Math.floor(rand() * nearby[a].length)];
    const product: Product = rand() < 0.5 ? 'wave' : 'dark-fiber';
    const r = rand();
    const protection: Protection = r < 0.4 ? 'restorable' : r < 0.7 ? 'unprotected' : 'protected-1+1';
    const id = `svc_${String(out.length).padStart(6, '0')}`;
    const filter = product === 'wave' ? (e: number) => g.slotCount[e] > 0 : (e: number) => view.spans[e].cables.length > 0;
    const place = product === 'wave' ? placeWave : placeStrands;
    let paths: { dp: DesignPath; rows: NewAllocation[] }[] | null = null;
    if (protection === 'protected-1+1') {
      const pair = diversePair(g, a, z, { spanFilter: filter }, { disjointness: 'srlg' });
      if (pair.status !== 'found') continue;
      const snapshot = { layers: occ.layers.map((l) => l.clone()), strands: occ.strands.map((cs) => cs.map((c) => c.used.length)) };
      const w = place(pair.paths[0], id, 'working');
      const p = w ? place(pair.paths[1], id, 'protect') : null;
      if (!w || !p) {
        occ.layers.forEach((l, i) => l.bits.set(snapshot.layers[i].bits));
        occ.strands.forEach((cs, e) => cs.forEach((c, i) => (c.used.length = snapshot.strands[e][i])));
        continue;
      }
      paths = [w, p];
    } else {
      for (const p of kShortestPaths(g, a, z, 3, { spanFilter: filter }).paths) {
        const w = place(p, id, 'working');
        if (w) {
          paths = [w];
          break;
        }
      }
      if (!paths) continue;
    }
    const spec: CircuitSpec = { product, aSite: g.nodeIds[a], zSite: g.nodeIds[z], bandwidthGbps: product === 'wave' ? 100 : 0, protection, maxLatencyUs: null };
    const design: CircuitDesign = { paths: paths.map((p) => p.dp) };
    out.push({
      id,
      spec,
      design,
      rows: paths.flatMap((p) => p.rows),
      demand: {
        id,
        kind: product === 'wave' ? 'wave' : 'strands',
        src: a,
        dst: z,
        lineRateGbps: product === 'wave' ? 100 : 0,
        protection,
        priority: 0,
        createdAtMs: out.length,
        maxLatencyUs: null,
        paths: design.paths.map((p) => ({ nodes: p.siteIds.map((s) => g.nodeIndex(s)), spans: p.spanIds.map((s) => g.spanIndex(s)) })),
      },
    });
  }
  return out;
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

/** Median and minimum wall-clock times, and the median CPU time of this process (user + system). */
interface Timing {
  medianMs: number;
  minMs: number;
  cpuMs: number;
}

/**
 * Runs f RUNS times after one warm-up run; the last result and its timings. CPU time is printed beside
 * wall time because on a machine with more runnable processes than cores the wall clock also counts the
 * waits for a core (CPU time in turn includes the garbage collector's helper threads).
 */
function timed<T>(f: () => T): { result: T } & Timing {
  let result = f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    result = f();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { result, medianMs: median(wall), minMs: Math.min(...wall), cpuMs: median(cpu) };
}

function spread(t: Timing): string {
  return `median ${ms(t.medianMs)} (min ${ms(t.minMs)}; CPU median ${ms(t.cpuMs)}; ${RUNS} runs)`;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const svcs = fill();
  console.log(`built-in network: ${g.nodeCount} sites, ${g.spanCount} spans; filled with ${svcs.length} services in ${ms(performance.now() - t0)}`);
  const mix = new Map<string, number>();
  for (const s of svcs) mix.set(`${s.spec.product}/${s.spec.protection}`, (mix.get(`${s.spec.product}/${s.spec.protection}`) ?? 0) + 1);
  console.log(`mix: ${[...mix].map(([k, n]) => `${k} ${n}`).join(', ')}`);

  const demands = svcs.map((s) => s.demand);
  const tIdx = performance.now();
  const index = new SpanIndex();
  for (const d of demands) index.set(d.id, d.paths.flatMap((p) => p.spans));
  const buildIdxMs = performance.now() - tIdx;
  let hot = 0;
  for (let e = 1; e < g.spanCount; e++) if (index.count(e) > index.count(hot)) hot = e;
  const ti = performance.now();
  const affected = index.affected([hot]);
  const identifyMs = performance.now() - ti;
  const byId = new Map(demands.map((d) => [d.id, d]));
  const hit = affected.map((id) => byId.get(id) as RestoreDemand);
  const failed = failedMask(g, [hot]);
  const cutPlan = timed(() => planRestoration(g, occ.layers, occ.strands, failed, hit));
  const plan = cutPlan.result;
  const count = (a: string) => plan.outcomes.filter((o) => o.action === a).length;
  console.log(`\ncut ${g.spanIds[hot]} (busiest span): ${affected.length} services affected`);
  console.log(`  identify (reverse index, built once in ${ms(buildIdxMs)}): ${ms(identifyMs)}`);
  console.log(`  compute restoration of all ${hit.length}: ${spread(cutPlan)}  -> switched ${count('switched')}, rerouted ${count('rerouted')}, degraded ${count('degraded')}, down ${count('down')}`);

  // 10,000 demands in one batch: every service whose held working path is replaced by a path over the
  // busiest span (so all are hit), restored on the filled network. This measures the per-batch compute
  // the target speaks of; a real single cut hits fewer services.
  const batch: RestoreDemand[] = [];
  for (let i = 0; i < 10_000; i++) {
    const base = demands[i % demands.length];
    batch.push({ ...base, id: `syn_${i}`, protection: 'restorable', paths: [{ nodes: [g.spanA[hot], g.spanZ[hot]], spans: [hot] }] });
  }
  const waves = batch.filter((d) => d.kind === 'wave').length;
  const stats = newRestoreStats();
  planRestoration(g, occ.layers, occ.strands, failed, batch, { stats });
  const big = timed(() => planRestoration(g, occ.layers, occ.strands, failed, batch));
  const placed = big.result.outcomes.filter((o) => o.action === 'rerouted').length;
  console.log(`\none batch of 10,000 restorable demands (${waves} waves, ${10_000 - waves} dark fiber; filled network, ${g.spanIds[hot]} failed):`);
  console.log(`  compute ${spread(big)}; ${placed} placed, ${10_000 - placed} lacked capacity`);
  console.log(`  work: ${stats.pathsEnumerated} candidate paths enumerated, ${stats.proofsSucceeded} of ${stats.proofsTried} no-fit proofs skipped an enumeration`);
  const k4 = timed(() => planRestoration(g, occ.layers, occ.strands, failed, batch, { maxCandidates: 4 }));
  console.log(`  same batch trying 4 candidate paths per wave instead of ${DEFAULT_MAX_CANDIDATES}: ${spread(k4)}; ${k4.result.outcomes.filter((o) => o.action === 'rerouted').length} placed`);

  const whatif = timed(() => analyzeFailures(g, occ.layers, occ.strands, demands, allSingleSpans(g), { index }));
  const reports = whatif.result;
  const worst = reports.reduce((m, r) => (r.lost.length > m.lost.length ? r : m), reports[0]);
  console.log(`\nwhat-if all-single-spans (engine, ${reports.length} scenarios): ${spread(whatif)}; worst ${worst.scenario} loses ${worst.lost.length}`);

  // End to end through the store: the same services in embedded PostgreSQL, then the cut as the API runs it.
  const db = await openPglite({});
  await migrate(db);
  await new InventoryService(db).initialize();
  const tl = performance.now();
  for (let i = 0; i < svcs.length; i += 2000) {
    const chunk = svcs.slice(i, i + 2000);
    await db.query(
      `INSERT INTO services (id, tenant_id, product, state, spec, design, price)
       SELECT id, 'bench', p, 'active', s::jsonb, d::jsonb, '{}'::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, p, s, d)`,
      [chunk.map((s) => s.id), chunk.map((s) => s.spec.product), chunk.map((s) => JSON.stringify(s.spec)), chunk.map((s) => JSON.stringify(s.design))],
    );
    await insertAllocations(db, 'bench-fill', chunk.flatMap((s) => s.rows));
  }
  console.log(`\nstore: loaded ${svcs.length} services into embedded PostgreSQL in ${ms(performance.now() - tl)}`);
  let storePlanMs = 0;
  const res = new ResilienceService(db, { views: new NetworkViewCache(), onPlanned: (x) => (storePlanMs = x) });
  await res.analyze({ scenario: [{ spans: [g.spanIds[hot]] }] }); // warm the network view
  const te = performance.now();
  const cut = await res.cut(SYSTEM_PRINCIPAL, { spans: [g.spanIds[hot]] });
  const e2eMs = performance.now() - te;
  if (!cut.batch) throw new Error('restoration did not run at once');
  const rep = cut.batch;
  console.log(`cut ${g.spanIds[hot]} through the store: examined ${rep.examined}, switched ${rep.switched.length}, rerouted ${rep.rerouted.length}, down ${rep.down.length}`);
  console.log(`  identify (SQL reverse index) ${ms(rep.timings.identifyMs)}, load occupancy ${ms(rep.timings.loadMs)}, plan ${ms(storePlanMs)}, write ${ms(rep.timings.writeMs)}, end-to-end commit ${ms(e2eMs)}`);
  const ta = performance.now();
  const all = await res.analyze({ scenario: 'all-single-spans' });
  const storeWhatifMs = performance.now() - ta;
  console.log(`what-if all-single-spans through the store (${all.length} scenarios, read-only): ${ms(storeWhatifMs)}`);
  await db.close();

  // Both medians overstate the compute time on one core: wall time counts waiting for a busy machine's
  // cores, CPU time counts the garbage collector's helper threads. The smaller is still an upper bound.
  const oneCoreMs = Math.min(big.medianMs, big.cpuMs);
  const met = oneCoreMs < TARGET_BATCH_MS;
  const load = loadavg()[0];
  console.log(`\n=== issue 5 summary (${svcs.length} services on ${g.nodeCount} sites / ${g.spanCount} spans; load average ${load.toFixed(1)} on ${availableParallelism()} cores: figures are noisy) ===`);
  console.log(`affected by cutting ${g.spanIds[hot]}:        ${affected.length} services`);
  console.log(`time to identify them:            ${ms(identifyMs)} (engine reverse index), ${ms(rep.timings.identifyMs)} (SQL, through the store)`);
  console.log(`compute time to restore them all: ${ms(cutPlan.cpuMs)} CPU, ${ms(cutPlan.medianMs)} wall (engine, medians)`);
  console.log(`end-to-end time to commit:        ${ms(e2eMs)} (identify ${ms(rep.timings.identifyMs)} + load ${ms(rep.timings.loadMs)} + plan ${ms(storePlanMs)} + write ${ms(rep.timings.writeMs)} + rest)`);
  console.log(`10,000 restorations in one batch: ${ms(oneCoreMs)} (medians: wall ${ms(big.medianMs)}, CPU ${ms(big.cpuMs)}; wall min ${ms(big.minMs)}) -> target < ${TARGET_BATCH_MS} ms on one core: ${met ? 'MET' : 'NOT MET'}`);
  console.log(`what-if all-single-spans:         ${ms(whatif.cpuMs)} CPU, ${ms(whatif.medianMs)} wall (engine, medians); ${ms(storeWhatifMs)} wall through the store`);
}

await main();
