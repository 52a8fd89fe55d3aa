/**
 * Admission in coarse quanta (whole Gbps, as the product books trunk capacity): rounding an LP solution to
 * whole quanta may fail where an integer schedule exists (the LP's optimum is fractional, and no rounding
 * of it fits the capacity and the moved transfers' price budgets). The scheduler then solves the same
 * model in whole quanta (a MILP: `withIntegerRates`). Exact oracle: the test's own formulation with integer
 * rates (GLPK's glpsol). A request must be admitted exactly when an integer schedule exists for it and
 * every admitted transfer (each within what it was quoted, less what its started slots cost); the model in
 * whole quanta must be feasible exactly when GLPK's is, and its solution must be an exact plan. Every
 * schedule is verified by the independent checker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/sim/rng.js';
import { buildLp, rateValuesToGbps, withIntegerRates, type LpItem, type LpScope } from '../../src/engine/transfers/formulation.js';
import { TransferScheduler, type LpSolver, type TransferRequest, type TransferSchedule } from '../../src/engine/transfers/index.js';
import { checkIntegerPlan, quantize } from '../../src/engine/transfers/quantize.js';
import { Calendar } from '../../src/engine/transfers/state.js';
import { violations } from './support/checker.js';
import { glpkSolve, remainingRow, type OracleTransfer } from './support/glpk.js';
import { randomInstance, type Instance } from './support/gen.js';
import { testSolver } from './support/solver.js';

/** Is there an integer schedule for `req` and every admitted transfer (their budgets: quote less past)? */
function integerFeasible(inst: Instance, s: TransferScheduler, admitted: readonly TransferRequest[], quoted: ReadonlyMap<string, number>, req: TransferRequest, now: number): boolean {
  const H = inst.network.horizonSlots;
  const free = inst.network.links.map((l) => Array.from({ length: H }, (_, t) => l.freeGbps[t]));
  const transfers: OracleTransfer[] = [];
  for (const r of admitted) {
    // Started slots are history: they hold their capacity.
    const row = remainingRow(r, (s.schedule(r.id) as TransferSchedule).entries, quoted.get(r.id) as number, now, free);
    if (row) transfers.push(row);
  }
  transfers.push({
    paths: req.paths,
    from: Math.max(now, req.earliestSlot),
    to: req.deadlineSlot,
    volumeGbit: req.volumeGbit,
    ...(req.maxRateGbps !== undefined ? { maxRateGbps: req.maxRateGbps } : {}),
    mode: 'required',
  });
  const r = glpkSolve({ slotSeconds: inst.network.slotSeconds, freeGbps: free, transfers, objective: 'feasibility', wholeRates: true });
  assert.notEqual(r.status, 'other', 'glpsol decided');
  return r.status === 'optimal';
}

test('in whole-Gbps quanta, a request is admitted exactly when an integer schedule exists for it and every admitted transfer within its quote (GLPK MILP)', async () => {
  const base = await testSolver();
  // Solves in whole quanta (the only MILPs here: no waves), reported: random instances this small rarely
  // defeat the rounding (the benchmark's built-in network does, a few times per run), so the equivalence is
  // what is asserted, whichever path answered.
  let integerSolves = 0;
  const solver: LpSolver = {
    ...base,
    solve: (problem, options) => {
      if (problem.integer) integerSolves++;
      return base.solve(problem, options);
    },
    open: (problem, options) => base.open(problem, options),
  };
  let decisions = 0;
  let admittedTotal = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const gen = randomInstance(seed, { spreadArrivals: true, prices: true, maxRate: true, requests: [5, 9], horizon: [6, 10], load: 1.0 });
    const inst: Instance = { ...gen, network: { ...gen.network, quantumGbps: 1 } };
    const s = new TransferScheduler(inst.network, solver, { explainRefusals: false, warmStart: false });
    const admitted: TransferRequest[] = [];
    const quoted = new Map<string, number>();
    inst.requests.forEach((req, i) => {
      const now = inst.arrivals[i];
      const expected = integerFeasible(inst, s, admitted, quoted, req, now);
      const r = s.admit(req, now);
      assert.equal(r.admitted, expected, `seed ${seed}, ${req.id} at slot ${now}: ${JSON.stringify(r.solve)}`);
      decisions++;
      if (r.admitted) {
        admitted.push(req);
        quoted.set(req.id, r.schedule.priceMinor);
        admittedTotal++;
      }
      const bad = violations({ network: inst.network, requests: inst.requests, schedules: s.schedules(), promised: quoted });
      assert.deepEqual(bad, [], `seed ${seed}, after ${req.id}`);
    });
  }
  assert.ok(admittedTotal > decisions * 0.2 && admittedTotal < decisions * 0.9, `admitted ${admittedTotal} of ${decisions}`);
  console.log(`whole quanta: ${decisions} decisions, ${admittedTotal} admitted, ${integerSolves} solves in whole quanta`);
});

test('the model in whole quanta (withIntegerRates) is feasible exactly when GLPK finds an integer schedule, and its solution is an exact plan', async () => {
  const solver = await testSolver();
  let feasible = 0;
  let lpOnly = 0;
  let roundingFailed = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const gen = randomInstance(seed, { prices: true, maxRate: true, requests: [2, 5], horizon: [4, 8], load: 0.35 });
    const network = { ...gen.network, quantumGbps: 1 };
    const cal = new Calendar(network);
    const rng = new Rng(seed);
    const budgets = gen.requests.map((r) => {
      const prices = r.paths.map((p) => p.pricePerGbitMinor);
      // All of it on the cheapest path, plus less than a quantum on a dearer one: the price rows bind, and
      // the LP may mix paths in fractions no integer schedule can afford.
      return Math.ceil(r.volumeGbit) * Math.min(...prices) + (Math.max(...prices) - Math.min(...prices)) * rng.nextFloat() * 2;
    });
    const items: LpItem[] = gen.requests.map((r, i) => {
      const req = cal.normalize(r);
      return { key: i, req, from: req.earliest, to: req.deadline, needQ: req.needQ, budget: budgets[i], mode: 'required' };
    });
    const scope: LpScope = { cal, now: 0, items, fixedUsageQ: null, waveMode: 'fixed', integerWaves: true, objective: 'cost', earliness: 0.1 };
    const built = buildLp(scope);
    const oracle = glpkSolve({
      slotSeconds: network.slotSeconds,
      freeGbps: network.links.map((l) => Array.from(l.freeGbps)),
      transfers: gen.requests.map((r, i) => ({ paths: r.paths, from: r.earliestSlot, to: r.deadlineSlot, volumeGbit: r.volumeGbit, ...(r.maxRateGbps !== undefined ? { maxRateGbps: r.maxRateGbps } : {}), budget: budgets[i], mode: 'required' as const })),
      objective: 'feasibility',
      wholeRates: true,
    });
    assert.notEqual(oracle.status, 'other');
    const res = solver.solve(withIntegerRates(built, 1), { mipNodeLimit: 100_000 });
    assert.equal(res.status === 'optimal', oracle.status === 'optimal', `seed ${seed}: HiGHS ${res.status}, GLPK ${oracle.status}`);
    const lp = solver.solve(built.problem);
    if (res.status !== 'optimal') {
      if (lp.status === 'optimal') lpOnly++;
      continue;
    }
    feasible++;
    const x = rateValuesToGbps(built, res.colValue, 1);
    const q = quantize(scope, built, x);
    assert.ok(q.ok, `seed ${seed}: ${q.ok ? '' : q.reason}`);
    assert.equal(checkIntegerPlan(scope, q.plan), null);
    // The rates are the MILP's own (nothing left to round): volumes exact, within budget, within capacity.
    const use = network.links.map((l) => new Float64Array(l.freeGbps.length));
    items.forEach((it, n) => {
      const K = it.req.paths.length;
      let vol = 0;
      let price = 0;
      q.plan.rates[n].forEach((v, k) => {
        const t = it.from + Math.floor(k / K);
        const path = gen.requests[n].paths[k % K];
        vol += v;
        price += v * path.pricePerGbitMinor;
        for (const l of path.links) use[l][t] += v;
      });
      assert.ok(vol >= gen.requests[n].volumeGbit - 1e-9 && price <= budgets[n] + 1e-9, `seed ${seed}: transfer ${n} delivers ${vol}, costs ${price} of ${budgets[n]}`);
    });
    use.forEach((u, l) => u.forEach((v, t) => assert.ok(v <= network.links[l].freeGbps[t], `seed ${seed}: link ${l} slot ${t} over`)));
    if (lp.status === 'optimal' && !quantize(scope, built, lp.colValue).ok) roundingFailed++;
  }
  // Both answers occur, and the integer model differs from the LP (LP feasible, no integer schedule).
  assert.ok(feasible > 10 && feasible < 70, `${feasible} of 80 feasible`);
  // For the record (not asserted: random instances this small rarely defeat the rounding).
  console.log(`whole quanta: ${feasible} feasible; ${lpOnly} LP-feasible without an integer schedule; ${roundingFailed} where rounding the LP's solution failed`);
});
