/**
 * Waves lit on free spectrum (the Owan idea): capacity appears only after the setup slots, spectrum held
 * while lit never exceeds what is free. Checked against GLPK (the test's own wave formulation) and the
 * independent checker, which recomputes each link's capacity from the lit waves the scheduler reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlineOptimum, TransferScheduler, type TransferNetwork, type TransferRequest } from '../../src/engine/transfers/index.js';
import { Rng } from '../../src/engine/sim/rng.js';
import { violations } from './support/checker.js';
import { glpkSolve, type OracleProblem } from './support/glpk.js';
import { testSolver } from './support/solver.js';

/** Two sites joined by two ordinary links and one express link that only lit waves feed. */
function waveInstance(seed: number): { network: TransferNetwork; requests: TransferRequest[] } {
  const rng = new Rng(seed);
  const H = 6 + rng.nextInt(4);
  const links = [
    { id: 'slow', freeGbps: Array.from({ length: H }, () => rng.nextInt(5)) },
    { id: 'mid', freeGbps: Array.from({ length: H }, () => rng.nextInt(5)) },
    { id: 'express', freeGbps: Array.from({ length: H }, () => 0) },
  ];
  const spectrum = [
    { id: 's1', freeSlots: Array.from({ length: H }, () => 4 * rng.nextInt(3)) },
    { id: 's2', freeSlots: Array.from({ length: H }, () => 4 * rng.nextInt(3)) },
  ];
  const waves = [
    { id: 'w-s1', carries: [2], capacityGbps: 10, holds: [{ spectrum: 0, slots: 4 }], setupSlots: rng.nextInt(3), costPerSlot: 1, setupCost: 5 },
    { id: 'w-s1s2', carries: [2], capacityGbps: 10, holds: [{ spectrum: 0, slots: 4 }, { spectrum: 1, slots: 4 }], setupSlots: rng.nextInt(2), costPerSlot: 2, setupCost: 5, maxWaves: 1 },
  ];
  const requests: TransferRequest[] = [];
  const n = 3 + rng.nextInt(4);
  for (let i = 0; i < n; i++) {
    const earliest = rng.nextInt(3);
    const deadline = Math.min(H, earliest + 2 + rng.nextInt(H));
    requests.push({
      id: `t${i}`,
      volumeGbit: 2 + rng.nextFloat() * 30,
      earliestSlot: earliest,
      deadlineSlot: deadline,
      paths: [
        { id: 'express', links: [2], latencyUs: 1, pricePerGbitMinor: 1 },
        { id: 'mid', links: [1], latencyUs: 2, pricePerGbitMinor: 1 },
        { id: 'slow', links: [0, 1].slice(0, 1 + rng.nextInt(2)), latencyUs: 3, pricePerGbitMinor: 1 },
      ],
    });
  }
  return { network: { slotSeconds: 1, horizonSlots: H, quantumGbps: 1e-6, links, spectrum, waves }, requests };
}

function oracleBase(net: TransferNetwork): Pick<OracleProblem, 'slotSeconds' | 'freeGbps' | 'waves' | 'spectrumFree'> {
  const H = net.horizonSlots;
  return {
    slotSeconds: net.slotSeconds,
    freeGbps: net.links.map((l) => Array.from({ length: H }, (_, t) => l.freeGbps[t])),
    waves: (net.waves ?? []).map((w) => ({ carries: w.carries, capacityGbps: w.capacityGbps, holds: w.holds, setupSlots: w.setupSlots, ...(w.maxWaves !== undefined ? { maxWaves: w.maxWaves } : {}) })),
    spectrumFree: (net.spectrum ?? []).map((s) => Array.from({ length: H }, (_, t) => s.freeSlots[t])),
  };
}

test('offline optimum with waves equals the GLPK MILP with the test\'s own wave model', async () => {
  const solver = await testSolver();
  let usedWaves = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { network, requests } = waveInstance(seed);
    const oracle = glpkSolve({
      ...oracleBase(network),
      transfers: requests.map((r) => ({ paths: r.paths, from: r.earliestSlot, to: r.deadlineSlot, volumeGbit: r.volumeGbit, mode: 'optional' as const })),
      objective: 'max-admitted',
    });
    assert.equal(oracle.status, 'optimal');
    const engine = offlineOptimum(network, requests, solver);
    assert.equal(engine.status, 'optimal');
    assert.ok(Math.abs(engine.admittedVolumeGbit - oracle.objective) <= 1e-5, `seed ${seed}: engine ${engine.admittedVolumeGbit}, GLPK ${oracle.objective}`);
    const noWaves = offlineOptimum(network, requests, solver, { useWaves: false });
    if (engine.admittedVolumeGbit > noWaves.admittedVolumeGbit + 1e-6) usedWaves++;
  }
  assert.ok(usedWaves >= 5, `waves mattered in only ${usedWaves} instances`);
});

/**
 * The oracle for one online admission: waves already lit stay lit (their capacity and spectrum are
 * constants), and only options on the new request's paths may light more, each new wave with its own setup.
 */
function onlineOracle(net: TransferNetwork, litBefore: { wave: number; fromSlot: number; toSlot: number; count: number }[], req: TransferRequest): Pick<OracleProblem, 'slotSeconds' | 'freeGbps' | 'waves' | 'spectrumFree'> {
  const base = oracleBase(net);
  const H = net.horizonSlots;
  const waves = net.waves ?? [];
  const lit = waves.map(() => new Array<number>(H).fill(0));
  for (const h of litBefore) for (let t = h.fromSlot; t < h.toSlot; t++) lit[h.wave][t] += h.count;
  const free = base.freeGbps.map((row) => [...row]);
  const spectrum = (base.spectrumFree ?? []).map((row) => [...row]);
  waves.forEach((w, i) => {
    for (let t = 0; t < H; t++) {
      let carrying = Infinity;
      for (let k = 0; k <= w.setupSlots; k++) carrying = Math.min(carrying, t - k >= 0 ? lit[i][t - k] : 0);
      for (const l of new Set(w.carries)) free[l][t] += carrying * w.capacityGbps;
      for (const h of w.holds) spectrum[h.spectrum][t] -= lit[i][t] * h.slots;
    }
  });
  const usable = new Set(req.paths.flatMap((p) => p.links));
  return {
    slotSeconds: net.slotSeconds,
    freeGbps: free,
    spectrumFree: spectrum,
    waves: (base.waves ?? []).map((w) => (w.carries.some((l) => usable.has(l)) ? w : { ...w, maxWaves: 0 })),
  };
}

test('online admission with waves (lit waves stay, a new transfer may light more): decisions equal GLPK; lit waves, setup and spectrum pass the checker', async () => {
  const solver = await testSolver();
  let admitted = 0;
  let refused = 0;
  let lit = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { network, requests } = waveInstance(seed);
    const s = new TransferScheduler(network, solver, { explainRefusals: false });
    const accepted: TransferRequest[] = [];
    for (const r of requests) {
      const req = (x: TransferRequest, mode: 'required' | 'elastic', volumeGbit = x.volumeGbit) => ({ paths: x.paths, from: x.earliestSlot, to: x.deadlineSlot, volumeGbit, mode });
      const best = glpkSolve({ ...onlineOracle(network, s.waveHolds(), r), transfers: [...accepted.map((a) => req(a, 'required')), req(r, 'elastic', 1e6)], objective: 'max-elastic' });
      const res = s.admit(r, 0);
      if (Math.abs(best.objective - r.volumeGbit) > 1e-5 * r.volumeGbit) assert.equal(res.admitted, best.objective > r.volumeGbit, `seed ${seed} ${r.id}: GLPK max ${best.objective} of ${r.volumeGbit}`);
      if (res.admitted) {
        accepted.push(r);
        admitted++;
      } else refused++;
    }
    const holds = s.waveHolds();
    lit += holds.length;
    assert.deepEqual(violations({ network, requests: accepted, schedules: s.schedules(), waveHolds: holds }), [], `seed ${seed}`);
  }
  assert.ok(admitted > 10 && refused > 5 && lit > 5, `admitted ${admitted}, refused ${refused}, wave runs ${lit}`);
});

test('a wave carries only after its setup slots: 30 Gbit by slot 4 fits with setup 1, 31 Gbit does not (earliest deadline 5)', async () => {
  const solver = await testSolver();
  const H = 8;
  const network: TransferNetwork = {
    slotSeconds: 1,
    horizonSlots: H,
    quantumGbps: 0.001,
    links: [{ id: 'express', freeGbps: Array(H).fill(0) }],
    spectrum: [{ id: 's', freeSlots: Array(H).fill(6) }],
    waves: [{ id: 'w', carries: [0], capacityGbps: 10, holds: [{ spectrum: 0, slots: 6 }], setupSlots: 1, costPerSlot: 1, setupCost: 0 }],
  };
  const paths = [{ id: 'express', links: [0], latencyUs: 1, pricePerGbitMinor: 1 }];
  const a = new TransferScheduler(network, solver);
  const ok = a.admit({ id: 'fits', volumeGbit: 30, earliestSlot: 0, deadlineSlot: 4, paths }, 0);
  assert.equal(ok.admitted, true);
  // Lit from slot 0 (setup), carrying 10 Gbps in slots 1, 2, 3; dark from slot 4 (nothing left to carry).
  assert.deepEqual(a.waveHolds(), [{ wave: 0, waveId: 'w', fromSlot: 0, toSlot: 4, count: 1 }]);
  const b = new TransferScheduler(network, solver);
  const no = b.admit({ id: 'too-big', volumeGbit: 31, earliestSlot: 0, deadlineSlot: 4, paths }, 0);
  assert.equal(no.admitted, false);
  if (!no.admitted) {
    assert.equal(no.earliestDeadlineSlot, 5);
    assert.ok(Math.abs((no.mostVolumeGbit ?? 0) - 30) < 1e-9);
  }
});
