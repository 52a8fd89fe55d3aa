/**
 * Southbound benchmark: the control plane driving emulated OpenROADM devices over NETCONF/SSH on
 * loopback (every POP a ROADM, every data center / on-ramp a transponder shelf; configurations
 * validated against the OpenROADM 18.0 YANG models with yanglint when ../shared is there).
 *
 * The network is the built-in one with two changes, both printed: every data center / on-ramp keeps
 * one span (customer sites are endpoints, not transit: the mapping refuses a wave through a site that
 * has no ROADM), and every span has FIBER_PAIRS fiber pairs so that the busiest span can carry 300 waves.
 *
 * Figures (all in one run, on the same devices):
 * - one 400G wave over a long data-center-to-data-center path: the NETCONF driver's activation
 *   (ports claimed in the store, every ROADM of the path in parallel, then the transponders; lock,
 *   edit-config, commit with validation, unlock, read-back and audit per device): p50/p99 over RUNS;
 *   next to its peer, the activator device by device in path order (the previous design), and the
 *   time from placing the order to `active` (job pick-up and the store included);
 * - 100 400G waves ordered at once: time to all active, and the driver's per-wave time p50/p99;
 * - 300 restorable 100G waves across the busiest span (POP-to-POP waves first, then data-center pairs:
 *   see the placement's comment; each is a service of its own), then `devices cut` of that span: detection (the
 *   loss-of-signal alarms from both ends correlated into a failure recorded with source `device`),
 *   computation (restoration committed: the reconfiguration jobs exist), configuration (every moved
 *   wave's new path configured and the old one removed, make-before-break), total; then the audit;
 * - the validator design's peer: a long-lived yanglint against a yanglint process per check.
 * The emulated devices run in a process of their own (bench/support/fleet-process.ts): real devices
 * are other machines, and in this process their SSH, XML and datastore work took turns with the
 * control plane on one thread. SOUTHBOUND_BENCH_FLEET=same runs them in this process, as before (the
 * peer setup: run both, one after the other, to compare). Either way the devices' yanglint checks
 * are processes of their own and everything shares the machine's cores.
 * Targets: one wave < 200 ms on loopback; cut-to-restored for 300 services < 5 s.
 * Prints figures; asserts nothing. Run: npm run bench:southbound
 * (SOUTHBOUND_BENCH_PARTS=one,many,restore, SOUTHBOUND_BENCH_RUNS, SOUTHBOUND_BENCH_WAVES, SOUTHBOUND_BENCH_RESTORE, SOUTHBOUND_BENCH_VALIDATION=structural,
 * SOUTHBOUND_BENCH_PROFILE=FILE writes a CPU profile of this process from the cut to the last
 * restoration configured (the devices' work is in it only with SOUTHBOUND_BENCH_FLEET=same) and, when
 * the devices run in a process of their own, FILE.devices with theirs over the same time,
 * SOUTHBOUND_BENCH_FLEET=same, DATABASE_URL for PostgreSQL.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { builtinNetwork } from '../src/data/builtin-network.js';
import type { Network } from '../src/domain/network.js';
import { graphFromNetwork, kShortestPaths } from '../src/engine/index.js';
import { Fleet } from '../src/devices/emulator/fleet.js';
import { LayoutIndex, fleetLayout } from '../src/southbound/openroadm/layout.js';
import { FleetProcess, type RemoteDevice, type ValidatorStats } from './support/fleet-process.js';
import { VALIDATED_MODULES, YangValidator, yangSearchPaths } from '../src/devices/emulator/validator.js';
import { NetconfActivator } from '../src/southbound/activator.js';
import { parseXml, serializeXml, type XElement } from '../src/southbound/netconf/xml.js';
import { createServices, startBackground, stopServices } from '../src/services/index.js';
import { NetconfDriver } from '../src/services/southbound/index.js';
import { InventoryService } from '../src/services/inventory.js';
import type { Principal } from '../src/services/ordering/principal.js';
import { DriverUnavailableError, type ActivationRequest } from '../src/services/ordering/activation.js';
import type { CircuitDesign } from '../src/services/ordering/design.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import { openPostgres } from '../src/store/postgres.js';

const RUNS = Number(process.env.SOUTHBOUND_BENCH_RUNS ?? 30);
const CONCURRENT = Number(process.env.SOUTHBOUND_BENCH_WAVES ?? 100);
const RESTORE = Number(process.env.SOUTHBOUND_BENCH_RESTORE ?? 300);
const FIBER_PAIRS = 4;
/** Parts to run (default all): one (one wave and its peers), many (100 at once), restore (the cut). */
const PARTS = new Set((process.env.SOUTHBOUND_BENCH_PARTS ?? 'one,many,restore').split(','));
const TARGET_ONE_MS = 200;
const TARGET_RESTORE_MS = 5000;
const WORKER_CONCURRENCY = 64;
/** Equipment: enough add/drop ports for the regenerators that long restoration paths need. */
const LAYOUT = { xpondersPerShelf: 48, srgsPerRoadm: 4, portsPerSrg: 24 };
/**
 * POP-to-POP waves for the cut: pairs whose shortest path crosses the busiest span in at most this
 * many sites (about 2,700 km at most: a 100G wave reaches them without regenerators, whose add/drop
 * ports at a few sites ran out when longer pairs were ordered), each pair ordered several times.
 */
const POP_PAIR_MAX_SITES = 7;
const USER = 'bench';
const PASSWORD = 'bench-secret';
const sharedModels = path.resolve(process.env.LIGHTPATH_SHARED_DIR ?? path.join('..', 'shared'), 'data', 'openroadm', 'model');
const yangDir = fs.existsSync(sharedModels) ? sharedModels : undefined;
/**
 * SOUTHBOUND_BENCH_VALIDATION=structural: the devices check structure and device rules only. On a real
 * network each device validates on its own CPU; here 124 emulated devices share two yanglint processes
 * and the machine's cores with the control plane, so this shows the control plane's part alone.
 */
const deviceYangDir = process.env.SOUTHBOUND_BENCH_VALIDATION === 'structural' ? undefined : yangDir;
const operator: Principal = { tenantId: 'operator', role: 'operator', keyId: 'bench-op' };
const customer: Principal = { tenantId: 'bench', role: 'customer', keyId: 'bench' };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () => `load ${os.loadavg()[0].toFixed(2)}`;

let retries = 0;
/** A direct driver call, retried on DriverUnavailableError as the activation job would (counted and printed). */
async function retrying(fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DriverUnavailableError) || attempt >= 5) throw err;
      retries++;
    }
  }
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 300_000, everyMs = 20): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The built-in network with customer sites as endpoints (one span each) and FIBER_PAIRS per span. */
function benchNetwork(): Network {
  const n = builtinNetwork();
  const customerSite = new Set(n.sites.filter((s) => s.kind !== 'pop').map((s) => s.id));
  const attached = new Set<string>();
  const spans = n.spans
    .filter((sp) => {
      const ends = [sp.aSiteId, sp.zSiteId].filter((s) => customerSite.has(s));
      if (ends.length === 0) return true;
      if (ends.length === 2 || attached.has(ends[0])) return false;
      attached.add(ends[0]);
      return true;
    })
    .map((sp) => ({ ...sp, lineSystem: { ...sp.lineSystem!, fiberPairs: FIBER_PAIRS } }));
  return { ...n, sites: n.sites.filter((s) => !customerSite.has(s.id) || attached.has(s.id)), spans };
}

async function openDb(): Promise<{ db: Db; name: string }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const db = await openPostgres({ url });
    await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    return { db, name: 'PostgreSQL (DATABASE_URL, schema public emptied)' };
  }
  return { db: await openPglite({}), name: 'embedded PGlite (in this process)' };
}

/**
 * The emulated devices in a process of their own (default: real devices are other machines, and in
 * this process they took turns with the control plane on one thread), or in this process
 * (SOUTHBOUND_BENCH_FLEET=same, the setup of the figures before 2026-12-04 evening).
 */
const FLEET_IN_PROCESS = process.env.SOUTHBOUND_BENCH_FLEET === 'same';

/** What the bench needs of the fleet, wherever it runs. */
interface BenchFleet {
  devices: RemoteDevice[];
  validatorKind: string;
  cut(spanId: string): void;
  stats(): Promise<ValidatorStats>;
  /** The ROADM carrying the most entries, with its running datastore. */
  busiest(): Promise<{ nodeId: string; data: XElement[] }>;
  /** Starts (file null) or stops and writes a CPU profile of the devices' process (nothing when they run in this one). */
  profile(file: string | null): Promise<void>;
  stop(): Promise<void>;
}

async function startFleet(net: Network): Promise<BenchFleet> {
  const opts = { username: USER, password: PASSWORD, yangDir: deviceYangDir, ...LAYOUT };
  const warn = (m: string) => console.log(`warning: ${m}`);
  if (!FLEET_IN_PROCESS) {
    const fp = await FleetProcess.start(net, opts, warn);
    return {
      devices: fp.devices,
      validatorKind: fp.validatorKind,
      cut: (spanId) => fp.cut(spanId),
      stats: () => fp.stats(),
      busiest: async () => {
        const b = await fp.busiest();
        return { nodeId: b.nodeId, data: parseXml(`<w>${b.xml}</w>`).children };
      },
      profile: (file) => fp.profile(file),
      stop: () => fp.stop(),
    };
  }
  const fleet = await Fleet.start(net, { ...opts, warn });
  const size = (d: (typeof fleet.devices)[number]) => d.device.getConfig('running', null)[0].children.length;
  return {
    devices: fleet.devices,
    validatorKind: fleet.validator.kind,
    cut: (spanId) => fleet.cut(spanId),
    stats: () => Promise.resolve('stats' in fleet.validator ? { ...(fleet.validator as YangValidator).stats } : null),
    busiest: () => {
      const d = fleet.devices.filter((x) => x.kind === 'roadm').sort((a, b) => size(b) - size(a))[0];
      return Promise.resolve({ nodeId: d.nodeId, data: d.device.getConfig('running', null) });
    },
    profile: () => Promise.resolve(),
    stop: () => fleet.stop(),
  };
}

async function main(): Promise<void> {
  console.log(`southbound bench: ${os.cpus().length} CPUs, ${load()} (shared machine: figures are noisy)`);
  const net = benchNetwork();
  const g = graphFromNetwork(net);
  const ends = net.sites.filter((s) => s.kind !== 'pop').map((s) => s.id);
  console.log(`network: built-in, ${net.sites.length} sites, ${net.spans.length} spans (customer sites with one span each), ${FIBER_PAIRS} fiber pairs per span`);

  const { db, name } = await openDb();
  await migrate(db);
  const inv = new InventoryService(db);
  await inv.initialize({ empty: true });
  await inv.importNetwork(operator, { fileName: 'bench.json', text: JSON.stringify({ format: 'lightpath.network', version: 1, ...net }), format: 'json' });

  const t0 = performance.now();
  const fleet = await startFleet(net);
  console.log(`fleet: ${fleet.devices.length} devices (${fleet.devices.filter((d) => d.kind === 'roadm').length} ROADMs, ${fleet.devices.filter((d) => d.kind === 'xpdr').length} transponder shelves) up in ${ms(performance.now() - t0)}, ${FLEET_IN_PROCESS ? 'in this process (SOUTHBOUND_BENCH_FLEET=same)' : 'in a process of their own'}; equipment ${JSON.stringify(LAYOUT)}; validation: ${fleet.validatorKind}; store: ${name}`);

  // --- Peer: the activator, device by device in path order, on the longest shortest DC-to-DC path.
  let longest: { a: string; z: string; hops: number } | null = null;
  for (let i = 0; i < ends.length; i += 2) {
    for (let j = i + 1; j < ends.length; j += 3) {
      const p = kShortestPaths(g, ends[i], ends[j], 1).paths[0];
      if (p && (!longest || p.nodes.length > longest.hops)) longest = { a: ends[i], z: ends[j], hops: p.nodes.length };
    }
  }

  let detectedAt = 0;
  const services = createServices(db, {
    netconf: {
      credentials: { default: { username: USER, password: PASSWORD } },
      layout: LAYOUT,
      monitorOptions: { refreshMs: 1000, onRecord: (r) => void (r.action === 'cut' && (detectedAt ||= performance.now())) },
    },
    workerPollMs: 10,
    workerConcurrency: WORKER_CONCURRENCY,
  });
  await services.devices.register(operator, fleet.devices.map((d) => ({ siteId: d.siteId, nodeId: d.nodeId, kind: d.kind, host: d.host, port: d.port, model: d.model })));
  const driver = services.netconf!.driver;
  // Time every activation and reconfiguration the driver runs (the worker calls these methods on the object).
  const applyMs = new Map<string, number>();
  const origApply = driver.apply.bind(driver);
  driver.apply = async (req: ActivationRequest) => {
    const t = performance.now();
    await origApply(req);
    applyMs.set(req.orderId, performance.now() - t);
  };
  // reconcile runs through reconcileMany, which the reconfiguration jobs call with a batch of services.
  const reconciled = new Map<string, { start: number; end: number }>();
  const origReconcile = driver.reconcileMany.bind(driver);
  driver.reconcileMany = async (items) => {
    const start = performance.now();
    const out = await origReconcile(items);
    for (const it of items) reconciled.set(it.serviceId, { start, end: performance.now() });
    return out;
  };
  startBackground(services);
  await until('every device reachable', async () => (await services.devices.list()).every((d) => d.reachable === true), 600_000, 200);

  const place = async (a: string, z: string, bandwidthGbps: number, protection: 'unprotected' | 'restorable') => (await services.ordering.placeOrder(customer, { product: 'wave', aSite: a, zSite: z, bandwidthGbps, protection })).order;
  const state = async (serviceId: string) => (await services.ordering.getService(operator, serviceId)).state;
  const orderState = async (id: string) => (await services.ordering.getOrder(operator, id)).state;

  if (PARTS.has('one')) {
    // --- One 400G wave through the control plane.
    const first = await place(longest!.a, longest!.z, 400, 'unprotected');
    const tp = performance.now();
    await until('first wave active', async () => (await orderState(first.id)) !== 'acknowledged' && (await orderState(first.id)) !== 'inProgress');
    const firstMs = performance.now() - tp;
    const firstState = await orderState(first.id);
    const design = (await services.ordering.getService(operator, first.serviceId)).design as CircuitDesign;
    const p0 = design.paths[0];
    const roadms = p0.siteIds.filter((s) => fleet.devices.find((d) => d.siteId === s)?.kind === 'roadm').length;
    console.log(`\none 400G wave: ${p0.siteIds[0]} → ${p0.siteIds.at(-1)}, ${p0.spanIds.length} spans, ${roadms} ROADMs + ${p0.siteIds.length - roadms} transponder shelves, ${p0.wave!.format}, regenerators: ${p0.wave!.regeneratorSiteIds.length}`);
    console.log(`  first order placed → ${firstState}: ${ms(firstMs)} (opens the SSH sessions; job pick-up every 10 ms)`);
    await services.ordering.disconnectService(customer, first.serviceId);
    await until('first wave terminated', async () => (await state(first.serviceId)) === 'terminated');

    // The driver alone on that design (a fresh service id each run, removed between runs), next to its
    // peers in the same loop (one run of each in turn, each warmed first, so drift in the machine's load
    // falls on all of them): the previous per-rpc path, each commit's rpcs one at a time (lock, edit,
    // commit, unlock, then the read-back: 5 round trips per device instead of 2), and the driver without
    // lock/unlock (only safe when this process is the devices' only writer).
    // Three drivers made alike (their own sessions, the same directory and store), so the comparison is fair.
    const pipelined = new NetconfDriver(db, () => services.ordering.views, services.netconf!.directory, { layout: LAYOUT });
    const stepwise = new NetconfDriver(db, () => services.ordering.views, services.netconf!.directory, { layout: LAYOUT, pipeline: false });
    const unlocked = new NetconfDriver(db, () => services.ordering.views, services.netconf!.directory, { layout: LAYOUT, lock: false });
    const variants: { name: string; apply: (r: ActivationRequest) => Promise<void>; times: number[] }[] = [
      { name: 'bench', apply: (r) => pipelined.apply(r), times: [] },
      { name: 'step', apply: (r) => stepwise.apply(r), times: [] },
      { name: 'nolock', apply: (r) => unlocked.apply(r), times: [] },
    ];
    for (let i = -1; i < RUNS; i++) {
      for (const v of variants) {
        const req: ActivationRequest = { orderId: `ord_${v.name}_${i + 1}`, serviceId: `svc_${v.name}_${i + 1}`, action: 'add', product: 'wave', design };
        const t = performance.now();
        await retrying(() => v.apply(req));
        if (i >= 0) v.times.push(performance.now() - t);
        await retrying(() => v.apply({ ...req, orderId: `del_${v.name}_${i + 1}`, action: 'delete' }));
      }
    }
    await pipelined.close();
    await stepwise.close();
    await unlocked.close();
    const [one, step, noLock] = variants.map((v) => v.times);
    console.log(`  NETCONF driver activation over ${RUNS} runs (per device: lock, then edit, commit, unlock and read-back pipelined): p50 ${ms(pct(one, 50))}, p99 ${ms(pct(one, 99))}, min ${ms(Math.min(...one))} (target < ${TARGET_ONE_MS} ms); device timeouts retried: ${retries} — ${load()}`);
    console.log(`  peer, the same driver waiting for each reply (previous path: lock, edit, commit, unlock, read-back = 5 round trips per device): p50 ${ms(pct(step, 50))}, p99 ${ms(pct(step, 99))}, min ${ms(Math.min(...step))}`);
    console.log(`  peer, the driver without lock/unlock (1 of 2 round trips per device fewer): p50 ${ms(pct(noLock, 50))}, p99 ${ms(pct(noLock, 99))}, min ${ms(Math.min(...noLock))} (runs of the three taken in turn)`);

    const act = new NetconfActivator(new LayoutIndex(fleetLayout(net, LAYOUT)), fleet.devices, { username: USER, password: PASSWORD });
    const seq: number[] = [];
    const pathInput = { siteIds: p0.siteIds, spanIds: p0.spanIds, wave: p0.wave! };
    await act.activatePath('ord_warm', pathInput);
    await act.removeOrder('ord_warm', p0.siteIds);
    for (let i = 0; i < Math.min(RUNS, 10); i++) {
      const t = performance.now();
      await act.activatePath(`ord_seq_${i}`, pathInput);
      seq.push(performance.now() - t);
      await act.removeOrder(`ord_seq_${i}`, p0.siteIds);
    }
    await act.close();
    console.log(`  peer, the activator device by device in path order, same wave: p50 ${ms(pct(seq, 50))}, p99 ${ms(pct(seq, 99))} over ${seq.length} runs`);
  }

  if (PARTS.has('many')) {
    // --- 100 400G waves ordered at once, between DC pairs (deterministic).
    const pairs: [string, string][] = [];
    for (let k = 0; pairs.length < CONCURRENT; k++) {
      const a = ends[(k * 7) % ends.length];
      const z = ends[(k * 13 + 5) % ends.length];
      if (a !== z) pairs.push([a, z]);
    }
    applyMs.clear();
    const tc = performance.now();
    const batch = await Promise.all(pairs.map(([a, z]) => place(a, z, 400, 'unprotected')));
    const placedMs = performance.now() - tc;
    await until('100 waves settled', async () => {
      const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE id = ANY($1) AND state IN ('acknowledged', 'inProgress')`, [batch.map((o) => o.id)]);
      return Number(r.rows[0].n) === 0;
    }, 300_000, 10);
    const allMs = performance.now() - tc;
    const states = await db.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM orders WHERE id = ANY($1) GROUP BY state`, [batch.map((o) => o.id)]);
    const per = batch.map((o) => applyMs.get(o.id)).filter((x): x is number => x !== undefined);
    console.log(`\n${batch.length} 400G waves ordered at once: placed in ${ms(placedMs)}, all settled in ${ms(allMs)} (${states.rows.map((r) => `${r.n} ${r.state}`).join(', ')}); driver per wave p50 ${ms(pct(per, 50))}, p99 ${ms(pct(per, 99))}; commits so far ${driver.stats().commits} for ${driver.stats().changes} device changes — ${load()}`);
    const failedWhy = await db.query<{ reason: string; n: string }>(`SELECT failure_reason AS reason, count(*) AS n FROM orders WHERE id = ANY($1) AND state = 'failed' GROUP BY failure_reason ORDER BY count(*) DESC LIMIT 3`, [batch.map((o) => o.id)]);
    for (const r of failedWhy.rows) console.log(`  failed (${r.n}): ${r.reason}`);
    const td = performance.now();
    const live = await db.query<{ id: string }>(`SELECT id FROM services WHERE id = ANY($1) AND state IN ('active', 'down')`, [batch.map((o) => o.serviceId)]);
    await Promise.all(live.rows.map((r) => services.ordering.disconnectService(customer, r.id)));
    await until('100 waves terminated', async () => {
      const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM services WHERE id = ANY($1) AND state <> 'terminated'`, [batch.map((o) => o.serviceId)]);
      return Number(r.rows[0].n) === 0;
    }, 300_000, 10);
    console.log(`  and disconnected at once: configuration removed and terminated in ${ms(performance.now() - td)}`);
  }

  if (PARTS.has('restore')) {
    // --- 300 restorable 100G waves across the busiest span, then cut it on the devices.
    const through = new Map<string, [string, string][]>();
    for (let i = 0; i < ends.length; i++) {
      for (let j = i + 1; j < ends.length; j++) {
        const p = kShortestPaths(g, ends[i], ends[j], 1).paths[0];
        for (const e of p?.spans ?? []) {
          const id = g.spanIds[e];
          if (!through.has(id)) through.set(id, []);
          through.get(id)!.push([ends[i], ends[j]]);
        }
      }
    }
    const [busiest, candidates] = [...through.entries()].filter(([id]) => net.spans.some((s) => s.id === id && !ends.includes(s.aSiteId) && !ends.includes(s.zSiteId))).sort((a, b) => b[1].length - a[1].length)[0];
    const onSpan = new Set<string>();
    const placed: string[] = [];
    const refusedPlacements = new Map<string, number>();
    // The ordering routes by its own criteria (QoT, regenerators, spectrum): most data-center pairs whose
    // shortest path crosses the span go elsewhere or are refused (a 100G mode cannot cross the
    // dispersion of a coast-to-coast path; and each channel lit on the span lowers the margin of the
    // long waves already there, so after about 60 of them the span takes no more). So the services are
    // first the carrier's own POP-to-POP waves whose shortest path crosses the span (each ROADM end an
    // add/drop port; POP_PAIR_MAX_SITES), shortest first, in turn, then data-center pairs, until
    // RESTORE services cross it.
    const popPairs: [string, string][] = [];
    {
      const pops = net.sites.filter((s) => s.kind === 'pop').map((s) => s.id);
      const withHops: [string, string, number][] = [];
      for (let i = 0; i < pops.length; i++) {
        for (let j = i + 1; j < pops.length; j++) {
          const p = kShortestPaths(g, pops[i], pops[j], 1).paths[0];
          if (p && p.nodes.length <= POP_PAIR_MAX_SITES && p.spans.some((e) => g.spanIds[e] === busiest)) withHops.push([pops[i], pops[j], p.nodes.length]);
        }
      }
      withHops.sort((a, b) => a[2] - b[2] || (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
      popPairs.push(...withHops.map(([a, z]) => [a, z] as [string, string]));
    }
    const fromDc = new Set<string>();
    let popNext = 0;
    let dcRound = false;
    const endUse = new Map<string, number>();
    const PORTS_PER_END = Math.floor((LAYOUT.srgsPerRoadm * LAYOUT.portsPerSrg) / 2);
    for (let round = 0; onSpan.size < RESTORE && round < 8; round++) {
      const need = RESTORE - onSpan.size;
      let pool: [string, string][];
      if (dcRound) pool = candidates.slice(0, need);
      else {
        // Each POP end takes an add/drop port: no more than half of a ROADM's ports go to one end (regenerators, also on restoration paths, need the rest).
        pool = [];
        for (let k = 0; k < popPairs.length * 8 && pool.length < need; k++) {
          const [a, z] = popPairs[popNext++ % popPairs.length];
          if ((endUse.get(a) ?? 0) >= PORTS_PER_END || (endUse.get(z) ?? 0) >= PORTS_PER_END) continue;
          for (const e of [a, z]) endUse.set(e, (endUse.get(e) ?? 0) + 1);
          pool.push([a, z]);
        }
      }
      const orders = await Promise.all(pool.map(([a, z]) => place(a, z, 100, 'restorable').catch((err: unknown) => {
        const why = (err instanceof Error ? err.message : String(err)).replace(/[a-z]+_[0-9A-Z]{26}/g, '…').replace(/ from [a-z0-9-]+ to [a-z0-9-]+:/, ' from … to …:').slice(0, 120);
        refusedPlacements.set(why, (refusedPlacements.get(why) ?? 0) + 1);
        return null;
      })));
      const ok = orders.filter((o) => o !== null);
      placed.push(...ok.map((o) => o.serviceId));
      await until('restorable waves settled', async () => {
        const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE id = ANY($1) AND state IN ('acknowledged', 'inProgress')`, [ok.map((o) => o.id)]);
        return Number(r.rows[0].n) === 0;
      }, 600_000, 50);
      const rows = await db.query<{ id: string; design: CircuitDesign }>(`SELECT id, design FROM services WHERE id = ANY($1) AND state = 'active'`, [ok.map((o) => o.serviceId)]);
      const before = onSpan.size;
      for (const r of rows.rows) {
        if (r.design.paths.some((p) => p.spanIds.includes(busiest))) {
          onSpan.add(r.id);
          if (dcRound) fromDc.add(r.id);
        }
      }
      console.log(`  round ${round + 1} (${dcRound ? 'data-center pairs' : 'POP pairs'}): ${ok.length} placed, ${onSpan.size - before} more across ${busiest} (${onSpan.size} in all) — ${load()}`);
      if (onSpan.size === before) {
        if (dcRound) break;
        dcRound = true;
      }
    }
    const failedPlacements = await db.query<{ reason: string; n: string }>(`SELECT failure_reason AS reason, count(*) AS n FROM orders o JOIN services s ON s.id = o.service_id WHERE s.id = ANY($1) AND o.state = 'failed' GROUP BY failure_reason ORDER BY count(*) DESC LIMIT 3`, [placed]);
    const notOnSpan = placed.length - onSpan.size - failedPlacements.rows.reduce((n, r) => n + Number(r.n), 0);
    console.log(`\nplacing restorable waves whose shortest path crosses ${busiest} (${popPairs.length} POP pairs of at most ${POP_PAIR_MAX_SITES} sites, then ${candidates.length} data-center pairs): ${placed.length} orders placed, ${onSpan.size} active across it (${fromDc.size} between data centers, ${onSpan.size - fromDc.size} between POPs), ${notOnSpan} routed elsewhere (or not active)`);
    for (const [why, n] of [...refusedPlacements].sort((a, b) => b[1] - a[1]).slice(0, 3)) console.log(`  refused at placement (${n}): ${why}`);
    for (const r of failedPlacements.rows) console.log(`  failed on activation (${r.n}): ${r.reason}`);
    const audit0 = await services.devices.audit();
    console.log(`${onSpan.size} restorable 100G waves active across span ${busiest} (${placed.length} placed); audit before the cut: ${audit0.clean ? 'clean' : 'NOT clean'} — ${load()}`);

    reconciled.clear();
    detectedAt = 0;
    let computedAt = 0;
    // Phase marks from the restoration pass: it starts once the failure is recorded (after the alarms
    // from both ends were correlated) and ends with the reconfiguration jobs committed. (Polling the store
    // or a timer cannot mark them: the pass plans synchronously and holds the embedded store meanwhile.)
    const marks = { restoreStart: 0, restoreEnd: 0, timings: null as unknown };
    const resil = services.resilience as unknown as { restore: () => Promise<{ timings?: unknown } | null> };
    const origRestore = resil.restore.bind(services.resilience);
    resil.restore = async () => {
      marks.restoreStart ||= performance.now();
      try {
        const r = await origRestore();
        marks.timings ??= r?.timings ?? null;
        return r;
      } finally {
        marks.restoreEnd ||= performance.now();
      }
    };
    const v0 = await fleet.stats();
    const c0 = driver.stats();
    const profileFile = process.env.SOUTHBOUND_BENCH_PROFILE;
    const inspector = profileFile ? new Session() : null;
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      await fleet.profile(null);
    }
    const tCut = performance.now();
    fleet.cut(busiest);
    let recordedAt = 0;
    // Detection: the failure row exists; computation: the restoration's transaction wrote the reconfiguration jobs.
    const poller = (async () => {
      while (!computedAt) {
        if (!recordedAt && (await db.query(`SELECT 1 FROM failures WHERE source = 'device' AND repaired_at IS NULL`)).rows.length > 0) recordedAt = performance.now();
        const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE kind = 'service.reconfigure'`);
        if (Number(r.rows[0].n) > 0 || reconciled.size > 0) computedAt = performance.now();
        else await sleep(5);
      }
      recordedAt ||= computedAt;
    })();
    await until('all moved waves configured', async () => {
      if (reconciled.size < onSpan.size) return false;
      const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE kind = 'service.reconfigure'`);
      return Number(r.rows[0].n) === 0;
    }, 600_000, 10);
    await poller;
    if (inspector) {
      const { profile } = await inspector.post('Profiler.stop');
      fs.writeFileSync(profileFile!, JSON.stringify(profile));
      inspector.disconnect();
      await fleet.profile(`${profileFile!}.devices`);
    }
    const configuredAt = Math.max(...[...onSpan].map((id) => reconciled.get(id)?.end ?? NaN));
    const moved = await db.query<{ n: string }>(`SELECT count(*) AS n FROM services WHERE id = ANY($1) AND NOT design::text LIKE $2`, [[...onSpan], `%"${busiest}"%`]);
    const failure = (await services.resilience.listFailures({ open: true })).items.find((f) => f.spans.includes(busiest));
    console.log(`devices cut ${busiest}: failure recorded from the alarms (source ${failure?.source}), ${moved.rows[0].n}/${onSpan.size} waves moved off the span`);
    // Detection ends when the failure is recorded (the restoration pass starts right after its commit);
    // computation ends when the restoration pass has committed the reconfiguration jobs.
    const recorded = marks.restoreStart || Math.min(recordedAt, detectedAt || Infinity);
    const computed = marks.restoreEnd || computedAt;
    console.log(`  detection ${ms(recorded - tCut)} (alarms correlated, failure recorded), computation ${ms(computed - recorded)} (restoration committed), configuration ${ms(configuredAt - computed)}, total ${ms(configuredAt - tCut)} (target < ${TARGET_RESTORE_MS} ms for 300; ${onSpan.size} here) — ${load()}`);
    if (marks.timings) console.log(`  the restoration pass's own timings (ms): ${JSON.stringify(marks.timings, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`);
    const v1 = await fleet.stats();
    const c1 = driver.stats();
    console.log(`  device commits for the cut: ${c1.commits - c0.commits} for ${c1.changes - c0.changes} device changes`);
    if (v0 && v1) console.log(`  device validation during the cut: ${v1.checked - v0.checked} yanglint checks of ${((v1.bytes - v0.bytes) / 1048576).toFixed(1)} MiB of datastores, ${ms(v1.ms - v0.ms)} waited for in all (2 processes), ${v1.cached - v0.cached} answered from the cache`);
    const audit1 = await services.devices.audit();
    console.log(`  audit after: ${audit1.clean ? 'clean' : `NOT clean (${audit1.services.length} services, ${audit1.devices.filter((d) => d.missing.length + d.extra.length + d.different.length).length} devices differ)`}; commits so far ${driver.stats().commits} for ${driver.stats().changes} device changes`);
    if (!audit1.clean) {
      const d = audit1.devices.find((x) => x.missing.length + x.extra.length + x.different.length);
      const why = await db.query<{ data: unknown }>(`SELECT data FROM events WHERE type = 'service.reconfigure-failed' ORDER BY id DESC LIMIT 3`);
      console.log(`  reconfigurations refused: ${JSON.stringify(why.rows.map((r) => r.data))}`);
      console.log(`  for example: ${JSON.stringify(audit1.services.slice(0, 3))} ${JSON.stringify(d ? { node: d.nodeId, missing: d.missing.slice(0, 2), extra: d.extra.slice(0, 2), different: d.different.slice(0, 2) } : null)}`);
    }
  }

  await stopServices(services);

  // --- Peer for the validator design: the long-lived yanglint against a yanglint process per check.
  if (yangDir) {
    const busiestDevice = await fleet.busiest();
    const data = busiestDevice.data;
    const v = await YangValidator.start(yangDir, { cacheSize: 0 });
    const N = 20;
    const tl = performance.now();
    for (let i = 0; i < N; i++) await v.validate(data);
    const longLived = (performance.now() - tl) / N;
    await v.close();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-bench-'));
    const file = path.join(tmp, 'd.xml');
    fs.writeFileSync(file, data.map((e) => serializeXml(e)).join('\n'));
    const files = VALIDATED_MODULES.map((m) => yangSearchPaths(yangDir).map((d) => path.join(d, `${m}.yang`)).find((f) => fs.existsSync(f))!);
    const ts = performance.now();
    for (let i = 0; i < N; i++) execFileSync('yanglint', [...yangSearchPaths(yangDir).flatMap((p) => ['-p', p]), '-t', 'config', ...files, file]);
    const spawned = (performance.now() - ts) / N;
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`\nvalidation of ${busiestDevice.nodeId}'s running datastore (${(serializeXml(data[0]).length / 1024).toFixed(0)} KiB): long-lived yanglint ${ms(longLived)} per check vs a yanglint process per check ${ms(spawned)} (same run)`);
  }
  console.log("\nreference: TransportPCE's OpenROADM renderer waits fixed power-setup timers of the order of minutes per service (not run here).");
  await fleet.stop();
  await db.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
