import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { parseSndlibDesign } from '../../src/import/sndlib-design.js';
import { parseSndlibNetwork } from '../../src/import/sndlib.js';
import { ImportError } from '../../src/import/errors.js';
import type { DesignInstance } from '../../src/domain/planning.js';
import { buildSndlibModel, type SndlibOptions } from '../../src/engine/planning/sndlib-model.js';
import { decodeSndlibPlan } from '../../src/engine/planning/sndlib-plan.js';
import { checkSndlibPlan } from '../../src/engine/planning/sndlib-check.js';
import { solveWithHighs } from '../../src/solver/highs.js';
import { solveWithCbc } from '../../src/solver/cbc.js';
import { sharedData } from '../support/shared.js';
import { cbcOptimum, oracleLp } from './oracle.js';

const read = (name: string): DesignInstance => parseSndlibDesign(`${name}.txt`, fs.readFileSync(sharedData('sndlib', `${name}.txt`), 'utf8'));

/** Solves with HiGHS to proven optimality and checks the plan independently; returns the cost. */
async function planCost(inst: DesignInstance, opts: SndlibOptions = {}, timeLimitSec = 120): Promise<number> {
  const sm = buildSndlibModel(inst, opts);
  const r = await solveWithHighs(sm.model, { timeLimitSec });
  assert.equal(r.status, 'optimal', `${inst.name}: HiGHS ${r.status}`);
  const plan = decodeSndlibPlan(sm, r);
  const check = checkSndlibPlan(inst, plan);
  assert.deepEqual(check.problems, []);
  assert.ok(Math.abs(plan.cost - (r.objective as number)) <= 1e-6 * Math.max(1, plan.cost));
  return plan.cost;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

test('design reader keeps modules, costs and demands (and the inventory reader is unchanged)', () => {
  const inst = read('atlanta');
  assert.equal(inst.nodes.length, 15);
  assert.equal(inst.links.length, 22);
  assert.equal(inst.demands.length, 210);
  const l1 = inst.links[0];
  assert.deepEqual([l1.id, l1.source, l1.target, l1.preinstalledCapacity, l1.routingCost, l1.setupCost], ['L1', 'N1', 'N6', 11000, 67.8, 0]);
  assert.deepEqual(l1.modules, [{ capacity: 1000, cost: 950000 }, { capacity: 4000, cost: 1090000 }]);
  assert.deepEqual(inst.demands[0], { id: 'D1', source: 'N1', target: 'N2', routingUnit: 1, value: 5981, maxPathLength: null });
  const r = parseSndlibNetwork('atlanta.txt', fs.readFileSync(sharedData('sndlib', 'atlanta.txt'), 'utf8'));
  assert.equal(r.network.spans.length, 22);
});

test('design reader errors name file, line and field', () => {
  const bad = `NODES (\n a ( 0 0 )\n b ( 1 1 )\n)\nLINKS (\n L1 ( a b ) 0 0 x 0 ( 10 5 )\n L2 ( a c ) 0 0 0 0 ( 10 5 )\n)\nDEMANDS (\n D1 ( a b ) 1 -3 UNLIMITED\n)\n`;
  assert.throws(() => parseSndlibDesign('bad.txt', bad), (e: unknown) => {
    assert.ok(e instanceof ImportError);
    const msg = (e as ImportError).message;
    assert.match(msg, /bad\.txt:6: link\.routing_cost: must be a number, got "x"/);
    assert.match(msg, /bad\.txt:7: link\.target: unknown node c/);
    assert.match(msg, /bad\.txt:10: demand\.demand_value: must be >= 0/);
    return true;
  });
});

// Exact optima: HiGHS on the engine's source-aggregated model vs CBC on the test's per-demand model.
// atlanta's full demand set takes CBC minutes on the oracle formulation: its first 60 demands keep CI modest.
for (const [name, demands] of [['abilene', Infinity], ['atlanta', 60]] as const) {
  test(`${name}: the plan's cost is the exact optimum (CBC on an independent formulation)`, async () => {
    const full = read(name);
    const inst = { ...full, demands: full.demands.slice(0, demands) };
    const ours = await planCost(inst);
    const oracle = cbcOptimum(oracleLp(inst));
    assert.match(oracle.status, /Optimal/);
    assert.ok(close(ours, oracle.objective as number), `ours ${ours}, CBC ${oracle.objective}`);
  });
}

test('polska (setup costs; demands of Gdansk, Warsaw and Krakow): exact optimum against CBC, splittable and 1+1', async () => {
  const full = read('polska');
  const keep = new Set(['Gdansk', 'Warsaw', 'Krakow']);
  const inst = { ...full, demands: full.demands.filter((d) => keep.has(d.source) || keep.has(d.target)).slice(0, 24) };
  const ours = await planCost(inst);
  const oracle = cbcOptimum(oracleLp(inst));
  assert.match(oracle.status, /Optimal/);
  assert.ok(close(ours, oracle.objective as number), `ours ${ours}, CBC ${oracle.objective}`);
  const small = { ...full, demands: inst.demands.slice(0, 8) };
  const ours11 = await planCost(small, { survivable: '1+1' });
  const oracle11 = cbcOptimum(oracleLp(small, true));
  assert.ok(close(ours11, oracle11.objective as number), `1+1: ours ${ours11}, CBC ${oracle11.objective}`);
  assert.ok(ours11 >= (await planCost(small)) - 1e-6, '1+1 never costs less than unprotected');
});

test('the LP writer and the CBC adapter give HiGHS\'s optimum on the same model', async () => {
  const inst = read('abilene');
  const sm = buildSndlibModel(inst);
  const cbc = await solveWithCbc(sm.model, { timeLimitSec: 120 });
  assert.equal(cbc.status, 'optimal');
  const plan = decodeSndlibPlan(sm, cbc);
  assert.deepEqual(checkSndlibPlan(inst, plan).problems, []);
  const highs = await solveWithHighs(sm.model, { timeLimitSec: 120 });
  assert.ok(close(cbc.objective as number, highs.objective as number));
});

/** A small random design instance: a ring of n nodes plus chords, two modules per link, a few demands. */
const instanceArb = fc
  .record({
    n: fc.integer({ min: 3, max: 5 }),
    chords: fc.array(fc.tuple(fc.nat(4), fc.nat(4)), { maxLength: 3 }),
    costs: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 9, maxLength: 9 }),
    demands: fc.array(fc.tuple(fc.nat(4), fc.nat(4), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 5 }),
    setup: fc.boolean(),
  })
  .map(({ n, chords, costs, demands, setup }): DesignInstance => {
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `N${i}`, x: i, y: i % 2 }));
    const pairs = new Set<string>();
    const links: DesignInstance['links'] = [];
    const add = (a: number, b: number): void => {
      if (a === b) return;
      const key = a < b ? `${a}_${b}` : `${b}_${a}`;
      if (pairs.has(key)) return;
      pairs.add(key);
      const c = costs[links.length % costs.length];
      links.push({ id: `L${key}`, source: `N${a}`, target: `N${b}`, preinstalledCapacity: links.length === 0 ? 5 : 0, preinstalledCapacityCost: 0, routingCost: links.length % 3 === 0 ? 0.1 : 0, setupCost: setup && links.length % 2 === 0 ? c : 0, modules: [{ capacity: 10, cost: c }, { capacity: 40, cost: 3 * c }] });
    };
    for (let i = 0; i < n; i++) add(i, (i + 1) % n);
    for (const [a, b] of chords) add(a % n, b % n);
    const ds = demands.filter(([a, b]) => a % n !== b % n).map(([a, b, v], k) => ({ id: `D${k}`, source: `N${a % n}`, target: `N${b % n}`, routingUnit: 1, value: v, maxPathLength: null }));
    return { name: 'random', nodes, links, demands: ds.length ? ds : [{ id: 'D0', source: 'N0', target: 'N1', routingUnit: 1, value: 7, maxPathLength: null }] };
  });

test('property: optimum equals CBC on the independent formulation; single-path >= splittable', async () => {
  await fc.assert(
    fc.asyncProperty(instanceArb, async (inst) => {
      const ours = await planCost(inst, {}, 60);
      const oracle = cbcOptimum(oracleLp(inst), 60);
      assert.ok(close(ours, oracle.objective as number), `ours ${ours}, CBC ${oracle.objective}`);
      const single = await planCost(inst, { routing: 'single-path' }, 60);
      assert.ok(single >= ours - 1e-6);
    }),
    { numRuns: 10, seed: 20240501 },
  );
});

test('property: raising a cost or adding demand never lowers the optimum', async () => {
  await fc.assert(
    fc.asyncProperty(instanceArb, fc.nat(20), fc.integer({ min: 1, max: 20 }), async (inst, which, extra) => {
      const base = await planCost(inst, {}, 60);
      const links = inst.links.map((l, i) => (i === which % inst.links.length ? { ...l, modules: l.modules.map((m) => ({ ...m, cost: m.cost + extra })) } : l));
      assert.ok((await planCost({ ...inst, links }, {}, 60)) >= base - 1e-6, 'raising a module cost lowered the optimum');
      const demands = inst.demands.map((d, i) => (i === which % inst.demands.length ? { ...d, value: d.value + extra } : d));
      assert.ok((await planCost({ ...inst, demands }, {}, 60)) >= base - 1e-6, 'adding demand lowered the optimum');
    }),
    { numRuns: 8, seed: 7 },
  );
});

test('1+1 on a network with a bridge is infeasible, and the checker rejects a broken plan', async () => {
  const inst = read('abilene');
  const sm = buildSndlibModel(inst, { survivable: '1+1' });
  const r = await solveWithHighs(sm.model, { timeLimitSec: 30 });
  assert.equal(r.status, 'infeasible');
  const ok = buildSndlibModel(inst);
  const sol = await solveWithHighs(ok.model, { timeLimitSec: 60 });
  const plan = decodeSndlibPlan(ok, sol);
  const broken = { ...plan, links: plan.links.map((l, i) => (i === 1 ? { ...l, modules: l.modules.map(() => 0) } : l)) };
  assert.ok(!checkSndlibPlan(inst, broken).ok);
  const unrouted = { ...plan, demands: plan.demands.map((d, i) => (i === 0 ? { ...d, paths: d.paths.slice(1) } : d)) };
  assert.ok(!checkSndlibPlan(inst, unrouted).ok);
});
