/**
 * Southbound benchmark on emulated devices of the built-in network (every POP a ROADM, every data
 * center / on-ramp a transponder shelf, each a NETCONF server on loopback, configurations
 * validated against the OpenROADM 18.0 YANG models with yanglint when ../shared is there):
 * - one 400G wave over a long data-center-to-data-center path, activated device by device in path
 *   order (lock, edit-config, commit with validation, unlock, read-back per device): p50/p99 over N runs;
 * - 100 waves activated concurrently: total time, per-wave p50/p99;
 * - the peer run for the validator design: the long-lived yanglint against a yanglint process per
 *   check, on the same datastore.
 * Target: one wave under 200 ms on loopback. Prints figures; asserts nothing. Run: npm run bench:southbound
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinNetwork } from '../src/data/builtin-network.js';
import { SpectrumGrid, findSlotRange, graphFromNetwork, kShortestPaths } from '../src/engine/index.js';
import { DEFAULT_LINE_SYSTEM } from '../src/domain/network.js';
import { Fleet } from '../src/devices/emulator/fleet.js';
import { VALIDATED_MODULES, YangValidator, yangSearchPaths } from '../src/devices/emulator/validator.js';
import { NetconfActivator } from '../src/southbound/activator.js';
import type { PathInput } from '../src/southbound/openroadm/mapping.js';
import { serializeXml } from '../src/southbound/netconf/xml.js';
import { rng } from './support/gen.js';

const RUNS = Number(process.env.SOUTHBOUND_BENCH_RUNS ?? 30);
const CONCURRENT = Number(process.env.SOUTHBOUND_BENCH_WAVES ?? 100);
const SLOTS = 6; // 400G DP-16QAM: 6 x 12.5 GHz (src/engine/modulation.ts DEFAULT_MODULATIONS)
const sharedModels = path.resolve(process.env.LIGHTPATH_SHARED_DIR ?? path.join('..', 'shared'), 'data', 'openroadm', 'model');
const yangDir = fs.existsSync(sharedModels) ? sharedModels : undefined;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

const net = builtinNetwork();
const g = graphFromNetwork(net);
const ends = net.sites.filter((s) => s.kind === 'datacenter' || s.kind === 'cloud-onramp');
const notPop = new Set(net.sites.filter((s) => s.kind !== 'pop').map((s) => s.id));

/** Shortest path between two transponder sites through POPs only. */
function route(a: string, z: string): { siteIds: string[]; spanIds: string[] } | null {
  const avoid = [...notPop].filter((s) => s !== a && s !== z);
  const p = kShortestPaths(g, a, z, 1, { avoidSites: avoid }).paths[0];
  return p ? { siteIds: p.nodes.map((v) => g.nodeIds[v]), spanIds: p.spans.map((e) => g.spanIds[e]) } : null;
}

const grid = new SpectrumGrid(g.spanIds.length, DEFAULT_LINE_SYSTEM.slotCount);
const spanIndex = new Map(g.spanIds.map((id, i) => [id, i]));

/** A 400G wave on the path, first-fit on fiber pair 0 (the planner's default policy). */
function waveOn(r: { siteIds: string[]; spanIds: string[] }): PathInput | null {
  const spans = r.spanIds.map((s) => spanIndex.get(s)!);
  const start = findSlotRange(grid, spans, spans.length, SLOTS, 'first-fit');
  if (start < 0) return null;
  for (const e of spans) grid.occupy(e, start, SLOTS);
  const centerFrequencyGhz = DEFAULT_LINE_SYSTEM.startFrequencyGhz + (start + SLOTS / 2) * DEFAULT_LINE_SYSTEM.slotWidthGhz;
  return { ...r, wave: { lineRateGbps: 400, format: 'DP-16QAM', slots: SLOTS, widthGhz: SLOTS * 12.5, regeneratorSiteIds: [], segments: [{ spanIds: r.spanIds, fiberPair: 0, startSlot: start, slots: SLOTS, centerFrequencyGhz }] } };
}

async function main(): Promise<void> {
  console.log(`southbound bench: ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)} (shared machine: figures are noisy)`);
  const t0 = performance.now();
  const fleet = await Fleet.start(net, { username: 'bench', password: 'bench-secret', yangDir, xpondersPerShelf: 16, warn: (m) => console.log(`warning: ${m}`) });
  console.log(`fleet: ${fleet.devices.length} devices (${fleet.devices.filter((d) => d.kind === 'roadm').length} ROADMs, ${fleet.devices.filter((d) => d.kind === 'xpdr').length} transponder shelves) up in ${ms(performance.now() - t0)}; validation: ${fleet.validator.kind}`);
  const act = new NetconfActivator(fleet.index, fleet.devices, { username: 'bench', password: 'bench-secret' });

  // One wave: the longest of the shortest DC-to-DC paths among a sample.
  let longest: { siteIds: string[]; spanIds: string[] } | null = null;
  for (let i = 0; i < ends.length; i += 3) {
    for (let j = i + 1; j < ends.length; j += 5) {
      const r = route(ends[i].id, ends[j].id);
      if (r && (!longest || r.siteIds.length > longest.siteIds.length)) longest = r;
    }
  }
  const one = waveOn(longest!)!;
  const roadms = one.siteIds.filter((s) => fleet.device(s)?.kind === 'roadm').length;
  console.log(`\none 400G wave: ${one.siteIds[0]} → ${one.siteIds.at(-1)}, ${one.spanIds.length} spans, ${roadms} ROADMs + 2 transponder shelves, 5 NETCONF round trips per device (+1 port read at each end)`);
  const first = performance.now();
  await act.activatePath('ord_warm', one);
  console.log(`  first run (opens ${roadms + 2} SSH sessions): ${ms(performance.now() - first)}`);
  await act.removeOrder('ord_warm', one.siteIds);
  const times: number[] = [];
  let perDevice: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const rep = await act.activatePath(`ord_one_${i}`, one);
    times.push(performance.now() - t);
    perDevice = perDevice.concat(rep.devices.map((d) => d.ms));
    await act.removeOrder(`ord_one_${i}`, one.siteIds);
  }
  console.log(`  activation over ${RUNS} runs: p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}, min ${ms(Math.min(...times))} (target < 200 ms); per device p50 ${ms(pct(perDevice, 50))}`);

  // 100 concurrent waves between random DC pairs.
  const rand = rng(7);
  const waves: PathInput[] = [];
  for (let tries = 0; waves.length < CONCURRENT && tries < CONCURRENT * 20; tries++) {
    const a = ends[Math.floor(rand() * ends.length)].id;
    const z = ends[Math.floor(rand() * ends.length)].id;
    if (a === z) continue;
    const r = route(a, z);
    const w = r && waveOn(r);
    if (w) waves.push(w);
  }
  const perWave: number[] = [];
  const tc = performance.now();
  const results = await Promise.allSettled(
    waves.map(async (w, i) => {
      const t = performance.now();
      await act.activatePath(`ord_c_${i}`, w);
      perWave.push(performance.now() - t);
    }),
  );
  const total = performance.now() - tc;
  const failed = results.filter((r) => r.status === 'rejected');
  const devicesTouched = waves.reduce((n, w) => n + w.siteIds.filter((s) => fleet.device(s)).length, 0);
  console.log(`\n${waves.length} waves at once (${devicesTouched} device configurations): total ${ms(total)}, per wave p50 ${ms(pct(perWave, 50))}, p99 ${ms(pct(perWave, 99))}; ${failed.length} failed${failed.length ? `: ${String((failed[0] as PromiseRejectedResult).reason).slice(0, 200)}` : ''}`);
  const commits = fleet.devices.reduce((n, d) => n + d.device.counters.commits, 0);
  console.log(`  commits accepted by the devices so far: ${commits}`);

  // Peer run: the validator design (long-lived yanglint, cache off) against a yanglint process per check.
  if (yangDir) {
    const busiest = [...fleet.devices].filter((d) => d.kind === 'roadm').sort((a, b) => b.device.getConfig('running', null)[0].children.length - a.device.getConfig('running', null)[0].children.length)[0];
    const data = busiest.device.getConfig('running', null);
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
    console.log(`\nvalidation of ${busiest.nodeId}'s running datastore (${(serializeXml(data[0]).length / 1024).toFixed(0)} KiB): long-lived yanglint ${ms(longLived)} per check vs a yanglint process per check ${ms(spawned)} (same run)`);
  }
  console.log('\nreference: TransportPCE\'s OpenROADM renderer waits fixed power-setup timers of the order of minutes per service (not run here).');
  await act.close();
  await fleet.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
