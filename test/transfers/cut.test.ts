/**
 * Cuts: capacity removed from a slot on. Re-planned transfers keep every promise on what remains
 * (independent checker on the reduced network); the volume kept on time is the most any plan can keep
 * (GLPK MILP over the affected transfers, the others fixed); each late transfer's ETA is the earliest its
 * volume can finish (one slot earlier is infeasible for GLPK); transfers that did not use the lost capacity
 * do not move.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferScheduler, type TransferNetwork, type TransferRequest, type TransferSchedule } from '../../src/engine/transfers/index.js';
import { Rng } from '../../src/engine/sim/rng.js';
import { violations } from './support/checker.js';
import { glpkSolve, type OracleTransfer } from './support/glpk.js';
import { randomInstance } from './support/gen.js';
import { testSolver } from './support/solver.js';

test('a cut re-plans the transfers that used the lost link: most volume kept on time, earliest ETAs for the rest', async () => {
  const solver = await testSolver();
  let cuts = 0;
  let withLate = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const inst = randomInstance(seed, { spreadArrivals: true, maxRate: true, prices: true, requests: [5, 9], load: 0.8, horizon: [8, 12] });
    const s = new TransferScheduler(inst.network, solver, { explainRefusals: false });
    const admitted: TransferRequest[] = [];
    inst.requests.forEach((r, i) => {
      if (s.admit(r, inst.arrivals[i]).admitted) admitted.push(r);
    });
    const H = inst.network.horizonSlots;
    const rng = new Rng(seed);
    const now = inst.arrivals[inst.arrivals.length - 1];
    const from = Math.min(H - 1, now + rng.nextInt(2));
    const before = new Map(s.schedules().map((x) => [x.id, x]));
    // Cut the link carrying the most traffic from `from` on.
    const traffic = inst.network.links.map(() => 0);
    for (const x of before.values()) {
      const r = admitted.find((a) => a.id === x.id) as TransferRequest;
      for (const e of x.entries) if (e.slot >= from) for (const l of r.paths[e.path].links) traffic[l] += e.rateGbps;
    }
    const link = traffic.indexOf(Math.max(...traffic));
    if (traffic[link] === 0) continue;
    cuts++;
    const res = s.cut([link], from, now);
    const after = new Map(s.schedules().map((x) => [x.id, x]));
    const post: TransferNetwork = { ...inst.network, links: inst.network.links.map((l, e) => (e === link ? { ...l, freeGbps: Array.from({ length: H }, (_, t) => (t >= from ? 0 : l.freeGbps[t])) } : l)) };
    const late = new Map(res.late.map((l) => [l.id, l]));
    const lateUntil = new Map(res.late.map((l) => [l.id, l.etaSlot ?? H]));
    const partial = new Set(res.late.filter((l) => l.etaSlot === null).map((l) => l.id));
    assert.deepEqual(violations({ network: post, requests: admitted, schedules: [...after.values()], lateUntil, partial }), [], `seed ${seed}`);
    for (const l of res.late) assert.ok(l.etaSlot === null || l.etaSlot > (admitted.find((a) => a.id === l.id) as TransferRequest).deadlineSlot);
    const affected = new Set(res.affected);
    for (const [id, x] of before) if (!affected.has(id)) assert.deepEqual(after.get(id), x, `seed ${seed}: ${id} did not use the lost link but moved`);

    // Oracle: the affected transfers' remaining volumes on what the others leave free.
    const free = post.links.map((l) => Array.from({ length: H }, (_, t) => l.freeGbps[t]));
    for (const [id, x] of before) {
      if (affected.has(id)) continue;
      const r = admitted.find((a) => a.id === id) as TransferRequest;
      for (const e of x.entries) for (const l of r.paths[e.path].links) free[l][e.slot] -= e.rateGbps;
    }
    const remaining = (x: TransferSchedule, r: TransferRequest) => r.volumeGbit - x.entries.filter((e) => e.slot < now).reduce((a, e) => a + e.volumeGbit, 0);
    const transfer = (id: string, to: number, mode: OracleTransfer['mode']): OracleTransfer => {
      const r = admitted.find((a) => a.id === id) as TransferRequest;
      return { paths: r.paths, from: Math.max(now, r.earliestSlot), to, volumeGbit: remaining(before.get(id) as TransferSchedule, r), ...(r.maxRateGbps !== undefined ? { maxRateGbps: r.maxRateGbps } : {}), mode };
    };
    const deadlineOf = (id: string) => (admitted.find((a) => a.id === id) as TransferRequest).deadlineSlot;
    const best = glpkSolve({ slotSeconds: 1, freeGbps: free, transfers: res.affected.map((id) => transfer(id, deadlineOf(id), 'optional')), objective: 'max-admitted' });
    assert.equal(best.status, 'optimal');
    const onTime = res.affected.filter((id) => !late.has(id)).reduce((a, id) => a + transfer(id, 0, 'required').volumeGbit, 0);
    assert.ok(Math.abs(onTime - best.objective) <= 1e-4, `seed ${seed}: engine keeps ${onTime} Gbit on time, GLPK ${best.objective}`);
    // Each ETA is the earliest: with everyone else held to their new ends, one slot less does not fit.
    for (const l of res.late) {
      if (l.etaSlot === null) continue;
      withLate++;
      const others = res.affected.filter((id) => id !== l.id).map((id) => {
        const ll = late.get(id);
        return ll ? (ll.etaSlot === null ? null : transfer(id, ll.etaSlot, 'required')) : transfer(id, deadlineOf(id), 'required');
      });
      const tight = glpkSolve({ slotSeconds: 1, freeGbps: free, transfers: [...others.filter((o) => o !== null), { ...transfer(l.id, l.etaSlot - 1, 'elastic'), volumeGbit: 1e6 }], objective: 'max-elastic' });
      const need = transfer(l.id, 0, 'required').volumeGbit;
      if (tight.status === 'optimal' && Math.abs(tight.objective - need) < 1e-5 * need) continue; // knife edge
      assert.ok(tight.status !== 'optimal' || tight.objective < need, `seed ${seed}: ${l.id} could end by ${l.etaSlot - 1}`);
    }
  }
  assert.ok(cuts >= 30, `only ${cuts} cuts`);
  assert.ok(withLate >= 5, `only ${withLate} late transfers with an ETA`);
});

test('hand-made cut: the transfer moves to its second path, or finishes late with the ETA worked out by hand', async () => {
  const solver = await testSolver();
  const H = 10;
  const network: TransferNetwork = {
    slotSeconds: 1,
    horizonSlots: H,
    quantumGbps: 0.001,
    links: [
      { id: 'a', freeGbps: Array(H).fill(10) },
      { id: 'b', freeGbps: Array(H).fill(4) },
    ],
  };
  const paths = [
    { id: 'via-a', links: [0], latencyUs: 1, pricePerGbitMinor: 1 },
    { id: 'via-b', links: [1], latencyUs: 2, pricePerGbitMinor: 1 },
  ];
  // 40 Gbit by slot 4 fits on link a alone (4 x 10); cut a from slot 1: only b remains (4 Gbps).
  const s = new TransferScheduler(network, solver);
  assert.equal(s.admit({ id: 't', volumeGbit: 40, earliestSlot: 0, deadlineSlot: 4, paths }, 0).admitted, true);
  const res = s.cut([0], 1, 1);
  assert.deepEqual(res.affected, ['t']);
  const sch = s.schedule('t') as TransferSchedule;
  const sent = sch.entries.filter((e) => e.slot < 1).reduce((a, e) => a + e.volumeGbit, 0);
  // By hand: what slot 0 sent stays; the rest goes at 4 Gbps on b from slot 1: ETA = 1 + ceil(rest / 4).
  const eta = 1 + Math.ceil((40 - sent) / 4 - 1e-9);
  if (eta <= 4) assert.deepEqual(res.late, []);
  else {
    assert.equal(res.late.length, 1);
    assert.equal(res.late[0].etaSlot, eta);
    assert.ok(Math.abs(res.late[0].deliveredByDeadlineGbit - Math.min(40, sent + 4 * 3)) < 1e-9);
  }
  // The fit preferred early slots on both (equally priced) paths: slot 0 carried 10 + 4 Gbit; 26 Gbit
  // were left for b alone at 4 Gbps from slot 1: ETA 1 + 7 = 8, 14 + 3 x 4 = 26 Gbit by the deadline.
  assert.equal(sent, 14);
  assert.equal(eta, 8);
});
