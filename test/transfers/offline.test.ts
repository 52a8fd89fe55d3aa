/**
 * The offline optimum (all requests known, admit all-or-nothing, maximise admitted volume) against GLPK
 * solving the test's own MILP, and the LP relaxation as a bound above it. Baselines: EDF greedy against the
 * closed-form feasibility test for one link, and every baseline schedule through the independent checker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EdfGreedy, FixedRateReservation, offlineOptimum, type TransferRequest } from '../../src/engine/transfers/index.js';
import { Rng } from '../../src/engine/sim/rng.js';
import { violations } from './support/checker.js';
import { glpkSolve } from './support/glpk.js';
import { randomInstance } from './support/gen.js';
import { testSolver } from './support/solver.js';

test('offline optimum equals the GLPK MILP optimum; its LP relaxation is a bound at or above it', async () => {
  const solver = await testSolver();
  let nontrivial = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const inst = randomInstance(seed, { requests: [4, 8], prices: true, maxRate: true, load: 0.9 });
    const H = inst.network.horizonSlots;
    const oracle = glpkSolve({
      slotSeconds: inst.network.slotSeconds,
      freeGbps: inst.network.links.map((l) => Array.from({ length: H }, (_, t) => l.freeGbps[t])),
      transfers: inst.requests.map((r) => ({
        paths: r.paths,
        from: r.earliestSlot,
        to: r.deadlineSlot,
        volumeGbit: r.volumeGbit,
        ...(r.maxRateGbps !== undefined ? { maxRateGbps: r.maxRateGbps } : {}),
        mode: 'optional' as const,
      })),
      objective: 'max-admitted',
    });
    assert.equal(oracle.status, 'optimal');
    const total = inst.requests.reduce((s, r) => s + r.volumeGbit, 0);
    const exact = offlineOptimum(inst.network, inst.requests, solver);
    const relaxed = offlineOptimum(inst.network, inst.requests, solver, { relax: true });
    assert.equal(exact.status, 'optimal', `seed ${seed}`);
    // The engine rounds each volume up to whole quantum-slots (1e-6 Gbit here): far below any difference between sets.
    assert.ok(Math.abs(exact.admittedVolumeGbit - oracle.objective) <= 1e-6 * total, `seed ${seed}: engine ${exact.admittedVolumeGbit}, GLPK ${oracle.objective}`);
    assert.ok(exact.boundVolumeGbit >= oracle.objective - 1e-6 * total);
    assert.ok(relaxed.boundVolumeGbit >= exact.admittedVolumeGbit - 1e-6 * total, `seed ${seed}: relaxation below the optimum`);
    if (oracle.objective > 0 && oracle.objective < total - 1e-6) nontrivial++;
  }
  assert.ok(nontrivial >= 10, `only ${nontrivial} instances admitted some but not all`);
});

test('offline optimum with admit decisions fixed: honours them, schedules what it admits, never above the optimum', async () => {
  const solver = await testSolver();
  for (let seed = 1; seed <= 10; seed++) {
    const inst = randomInstance(seed, { requests: [4, 8], prices: true, maxRate: true, load: 0.9 });
    const total = inst.requests.reduce((s, r) => s + r.volumeGbit, 0);
    const exact = offlineOptimum(inst.network, inst.requests, solver);
    const relaxed = offlineOptimum(inst.network, inst.requests, solver, { relax: true });
    assert.equal(relaxed.admitValues.length, inst.requests.length);
    // Fix the relaxation's integral decisions (as the benchmark does); fix request 0 out as well.
    const fix = new Map<number, 0 | 1>([[0, 0]]);
    relaxed.admitValues.forEach((v, i) => {
      if (i > 0 && v >= 1 - 1e-6) fix.set(i, 1);
      else if (i > 0 && v <= 1e-6) fix.set(i, 0);
    });
    const fixed = offlineOptimum(inst.network, inst.requests, solver, { fixAdmit: fix });
    if (fixed.status === 'infeasible') continue;
    assert.equal(fixed.status, 'optimal', `seed ${seed}`);
    for (const [i, v] of fix) assert.equal(fixed.admittedIds.includes(inst.requests[i].id), v === 1, `seed ${seed}: request ${i} fixed to ${v}`);
    assert.ok(fixed.admittedVolumeGbit <= exact.admittedVolumeGbit + 1e-6 * total, `seed ${seed}: fixed ${fixed.admittedVolumeGbit} above the optimum ${exact.admittedVolumeGbit}`);
  }
});

test('EDF greedy on one link, all requests released at slot 0, admits exactly when every deadline prefix fits', () => {
  const rng = new Rng(2024);
  let admitted = 0;
  let refused = 0;
  for (let run = 0; run < 200; run++) {
    const H = 4 + rng.nextInt(8);
    const free = Array.from({ length: H }, () => rng.nextInt(6));
    const network = { slotSeconds: 1, horizonSlots: H, quantumGbps: 1e-6, links: [{ id: 'l', freeGbps: free }] };
    const edf = new EdfGreedy(network);
    const accepted: TransferRequest[] = [];
    for (let i = 0; i < 6; i++) {
      const req: TransferRequest = {
        id: `t${i}`,
        volumeGbit: 0.5 + rng.nextFloat() * 8,
        earliestSlot: 0,
        deadlineSlot: 1 + rng.nextInt(H),
        paths: [{ id: 'p', links: [0], latencyUs: 1, pricePerGbitMinor: 1 }],
      };
      // Closed form (single resource, common release): feasible iff for every deadline d the volumes due
      // by d fit in the capacity of the slots before d.
      const set = [...accepted, req];
      const fits = set.every((a) => set.filter((b) => b.deadlineSlot <= a.deadlineSlot).reduce((s, b) => s + b.volumeGbit, 0) <= free.slice(0, a.deadlineSlot).reduce((s, c) => s + c, 0) + 1e-9);
      const slack = Math.min(...set.map((a) => free.slice(0, a.deadlineSlot).reduce((s, c) => s + c, 0) - set.filter((b) => b.deadlineSlot <= a.deadlineSlot).reduce((s, b) => s + b.volumeGbit, 0)));
      const ok = edf.admit(req, 0);
      if (Math.abs(slack) > 1e-5) assert.equal(ok, fits, `run ${run} request ${i}`);
      if (ok) {
        accepted.push(req);
        admitted++;
      } else refused++;
    }
    assert.deepEqual(violations({ network, requests: accepted, schedules: edf.schedules() }), []);
  }
  assert.ok(admitted > 100 && refused > 100);
});

test('baseline schedules (fixed-rate reservation, EDF greedy) keep every promise', async () => {
  for (let seed = 1; seed <= 30; seed++) {
    const inst = randomInstance(seed, { spreadArrivals: true, maxRate: true, requests: [5, 9] });
    for (const policy of [new FixedRateReservation(inst.network), new EdfGreedy(inst.network)]) {
      const accepted: TransferRequest[] = [];
      inst.requests.forEach((r, i) => {
        if (policy.admit(r, inst.arrivals[i])) accepted.push(r);
      });
      assert.deepEqual(violations({ network: inst.network, requests: accepted, schedules: policy.schedules() }), [], `${policy.name} seed ${seed}`);
    }
  }
});
