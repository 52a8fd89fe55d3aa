/**
 * The transfer service on the real store (both drivers): admitted transfers are checked against the
 * allocations table, independently of the scheduler. From the table alone (rows owned by each
 * transfer): per slot, what leaves the source site equals what reaches the destination and every
 * intermediate site passes on what it receives (flow conservation); the volume leaving the source
 * inside [earliestStart, deadline) is the whole volume; no slot is above maxRateGbps; nothing is held
 * outside the window; and per trunk and slot everything held (services and transfers) fits its capacity.
 * Refusals are checked by their own answers: the most volume fits by the deadline, the full volume fits
 * by the earliest feasible deadline and not one slot earlier.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { TransferService, type Transfer } from '../../src/services/transfers/index.js';
import { listEvents } from '../../src/store/events.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, bob, checkInvariants, loadTinyNetwork, operator, rejectsWith } from '../ordering/support.js';

const SLOT_MS = 900_000;
const GBIT_PER_TB = 8000;

interface Row {
  transfer_id: string | null;
  resource_id: string;
  lo: number;
  hi: number;
  f: Date | string;
  t: Date | string | null;
}

/** Independent check of every live transfer against the allocations table. */
async function checkAgainstAllocations(db: Db, nowMs: number): Promise<number> {
  const trunks = (await db.query<{ id: string; a_site_id: string; z_site_id: string; capacity_gbps: number }>('SELECT id, a_site_id, z_site_id, capacity_gbps FROM trunks')).rows;
  const ends = new Map(trunks.map((t) => [t.id, [t.a_site_id, t.z_site_id]]));
  const rows = (await db.query<Row>(`SELECT transfer_id, resource_id, lower(units) AS lo, upper(units) AS hi, lower(during) AS f, upper(during) AS t FROM allocations WHERE kind = 'trunk'`)).rows;
  const transfers = (await db.query<{ id: string; a_site_id: string; z_site_id: string; volume_gbit: number; earliest_start: Date | string; deadline: Date | string; max_rate_gbps: number | null; state: string }>(
    'SELECT id, a_site_id, z_site_id, volume_gbit, earliest_start, deadline, max_rate_gbps, state FROM transfers',
  )).rows;
  // Per trunk and slot: everything held fits the capacity.
  const heldPerSlot = new Map<string, number>();
  for (const r of rows) {
    const f = new Date(r.f).getTime();
    const t = r.t === null ? f + 96 * SLOT_MS * 14 : new Date(r.t).getTime();
    for (let s = Math.floor(f / SLOT_MS); s * SLOT_MS < t; s++) heldPerSlot.set(`${r.resource_id}@${s}`, (heldPerSlot.get(`${r.resource_id}@${s}`) ?? 0) + (r.hi - r.lo));
  }
  for (const [k, v] of heldPerSlot) {
    const cap = trunks.find((t) => t.id === k.split('@')[0])?.capacity_gbps ?? 0;
    assert.ok(v <= cap, `${k}: ${v} Gbps held, capacity ${cap}`);
  }
  let checked = 0;
  for (const tr of transfers) {
    if (tr.state === 'cancelled') continue;
    const mine = rows.filter((r) => r.transfer_id === tr.id);
    const earliest = new Date(tr.earliest_start).getTime();
    const deadline = new Date(tr.deadline).getTime();
    // Net flow per site and slot (Gbps): + out of a site, - into it, along each trunk the transfer holds.
    // A trunk is undirected; orient each hold by walking from the source: a transfer's path never
    // repeats a site, so per slot the held trunks form paths from a to z.
    const slots = new Map<number, { trunk: string; gbps: number }[]>();
    for (const r of mine) {
      const f = new Date(r.f).getTime();
      const t = new Date(r.t as Date | string).getTime();
      assert.equal(f % SLOT_MS, 0, `${tr.id}: a hold starts on the slot grid`);
      assert.ok(f >= Math.floor(earliest / SLOT_MS) * SLOT_MS, `${tr.id}: nothing held before its earliest start`);
      assert.ok(t <= deadline, `${tr.id}: nothing held after its deadline`);
      for (let s = f / SLOT_MS; s * SLOT_MS < t; s++) {
        const l = slots.get(s) ?? [];
        l.push({ trunk: r.resource_id, gbps: r.hi - r.lo });
        slots.set(s, l);
      }
    }
    let deliveredGbit = 0;
    for (const [s, holds] of slots) {
      // Per trunk total this slot.
      const perTrunk = new Map<string, number>();
      for (const h of holds) perTrunk.set(h.trunk, (perTrunk.get(h.trunk) ?? 0) + h.gbps);
      // Flow out of the source = flow into the destination; every other site: in = out (degree sums on an undirected
      // path decomposition: each intermediate site touches its path's trunks twice).
      const touch = new Map<string, number>();
      for (const [trunk, g] of perTrunk) for (const site of ends.get(trunk) ?? []) touch.set(site, (touch.get(site) ?? 0) + g);
      const out = touch.get(tr.a_site_id) ?? 0;
      assert.equal(touch.get(tr.z_site_id) ?? 0, out, `${tr.id} slot ${s}: what leaves ${tr.a_site_id} reaches ${tr.z_site_id}`);
      for (const [site, g] of touch) if (site !== tr.a_site_id && site !== tr.z_site_id) assert.equal(g % 2, 0, `${tr.id} slot ${s}: ${site} passes on what it receives`);
      if (tr.max_rate_gbps !== null) assert.ok(out <= tr.max_rate_gbps, `${tr.id} slot ${s}: ${out} Gbps above maxRate ${tr.max_rate_gbps}`);
      deliveredGbit += out * (SLOT_MS / 1000);
    }
    // Slots held before now were possibly trimmed at cancellation only; a scheduled transfer holds all of them.
    assert.ok(deliveredGbit >= Number(tr.volume_gbit) - 1e-6, `${tr.id}: the allocations carry ${deliveredGbit} Gbit of ${tr.volume_gbit} by the deadline`);
    checked++;
  }
  void nowMs;
  return checked;
}

function inHours(nowMs: number, h: number): string {
  return new Date(nowMs + h * 3_600_000).toISOString();
}

/**
 * The tiny network with ethernet circuits that light 400G trunks a-c (300 Gbps used), a-b and b-c
 * (100 used each): transfers get 100 Gbps on a-c and 300 on a-b and b-c.
 */
async function fresh(driver: ReturnType<typeof testDrivers>[number]): Promise<Db> {
  const db = await driver.open();
  await loadTinyNetwork(db);
  const ordering = new OrderingService(db);
  for (const [a, z, g] of [['a', 'c', 300], ['a', 'b', 100], ['b', 'c', 100]] as const) {
    await ordering.placeOrder(operator, { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: g, protection: 'unprotected', maxLatencyUs: null });
  }
  return db;
}

/** The instant `k` slots after the start of the slot containing `nowMs`. */
function slotBoundary(nowMs: number, k: number): string {
  return new Date((Math.floor(nowMs / SLOT_MS) + k) * SLOT_MS).toISOString();
}

for (const driver of testDrivers()) {
  describe(`transfers on ${driver.name}: re-optimisation`, () => {
    let db: Db;
    // Taken after the trunks are lit (lit_from = their creation): the test's clock never precedes them.
    let nowMs = 0;
    before(async () => {
      db = await fresh(driver);
      nowMs = Date.now();
    });
    after(async () => db.close());

    test('an admitted transfer moves to later slots to admit a tighter one; both keep their promises', async () => {
      // Trunk capacity only: a wave lit for the tight one would admit it without moving anything (waves test below).
      const svc = new TransferService(db, { now: () => nowMs, lightWaves: false });
      // a->b: 300 Gbps direct + 100 via c. The loose one goes first, early (slot 1) on the direct trunk.
      const loose = await svc.create(alice, { aSite: 'a', zSite: 'b', volumeTB: 20, deadline: slotBoundary(nowMs, 30) });
      assert.equal(Date.parse(loose.transfer.schedule[0].start), Date.parse(slotBoundary(nowMs, 1)));
      // The tight one needs every Gbps of slots 1-4 (400 Gbps x 4 x 900 s = 180 TB): the loose one must move.
      const tight = await svc.create(bob, { aSite: 'a', zSite: 'b', volumeTB: 180, deadline: slotBoundary(nowMs, 5) });
      assert.equal(tight.transfer.state, 'scheduled');
      const moved = await svc.get(alice, loose.transfer.id);
      assert.ok(Date.parse(moved.schedule[0].start) >= Date.parse(slotBoundary(nowMs, 5)), 'moved past the tight one');
      assert.ok(Date.parse(moved.expectedCompletion) <= Date.parse(moved.deadline));
      assert.ok(moved.price.amountMinor <= loose.transfer.price.amountMinor, 'the price never rises');
      const resched = await listEvents(db, { after: 0, limit: 100, types: ['transfer.rescheduled'] });
      assert.deepEqual(resched.map((e) => [e.subject.id, e.tenantId]), [[loose.transfer.id, 'alice']]);
      assert.equal(await checkAgainstAllocations(db, nowMs), 2);
      await checkInvariants(db);
    });
  });

  describe(`transfers on ${driver.name}: cuts`, () => {
    let db: Db;
    // Taken after the trunks are lit (lit_from = their creation): the test's clock never precedes them.
    let nowMs = 0;
    before(async () => {
      db = await fresh(driver);
      nowMs = Date.now();
    });
    after(async () => db.close());

    test('a cut re-plans the transfers on the lost trunk; one that cannot make it is reported late with its ETA', async () => {
      // Trunk capacity only (a wave would make the first one fit on time; the waves test cuts a wave).
      const svc = new TransferService(db, { now: () => nowMs, lightWaves: false });
      // 120 TB a->c in slots 1-3: 400 Gbps x 3 slots carries 135 TB; without the direct trunk (300 Gbps) 101 TB.
      const t = await svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 120, deadline: slotBoundary(nowMs, 4) });
      const other = await svc.create(bob, { aSite: 'b', zSite: 'c', volumeTB: 5, deadline: slotBoundary(nowMs, 40) });
      const direct = (await db.query<{ id: string }>(`SELECT id FROM trunks WHERE (a_site_id, z_site_id) IN (('a', 'c'), ('c', 'a'))`)).rows[0].id;
      const res = await db.transaction((tx) => svc.replanAfterCut(tx, operator, [direct]));
      assert.ok(res);
      assert.deepEqual(res.affected, [t.transfer.id]);
      assert.deepEqual(res.late.map((l) => l.id), [t.transfer.id]);
      const held = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM allocations WHERE resource_id = $1 AND transfer_id IS NOT NULL AND upper(during) > $2::timestamptz`,
        [direct, slotBoundary(nowMs, 1)],
      );
      assert.equal(held.rows[0].n, 0, 'nothing is held on the lost trunk after the current slot');
      const v = await svc.get(alice, t.transfer.id);
      assert.equal(v.state, 'late');
      // Slots 1-4 at 300 Gbps carry 135 TB >= 120: done at the end of slot 4 (the start of slot 5).
      assert.equal(v.expectedCompletion, slotBoundary(nowMs, 5));
      const ev = await listEvents(db, { after: 0, limit: 100, types: ['transfer.at-risk'] });
      assert.deepEqual(ev.map((e) => e.subject.id), [t.transfer.id]);
      assert.equal((ev[0].data as { eta: string }).eta, slotBoundary(nowMs, 5));
      assert.equal((await svc.get(bob, other.transfer.id)).state, 'scheduled');
      // The on-time one still passes the allocations check (the late one is held to its ETA instead).
      await db.query(`UPDATE transfers SET deadline = $2 WHERE id = $1`, [t.transfer.id, slotBoundary(nowMs, 5)]);
      assert.equal(await checkAgainstAllocations(db, nowMs), 2);
      await checkInvariants(db);
    });
  });

  describe(`transfers on ${driver.name}`, () => {
    let db: Db;
    let svc: TransferService;
    // Taken after the trunks are lit (lit_from = their creation): the test's clock never precedes them.
    let nowMs = 0;
    before(async () => {
      db = await fresh(driver);
      nowMs = Date.now();
      svc = new TransferService(db, { now: () => nowMs });
    });
    after(async () => db.close());

    test('admits with a schedule held as allocations; the allocations alone carry the volume by the deadline', async () => {
      // 100 + 300 Gbps free a->c (direct, and via b): 90 TB = 720,000 Gbit needs 1,800 s at full rate.
      const { transfer, created } = await svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 90, deadline: inHours(nowMs, 3) }, 'k1');
      assert.ok(created);
      assert.match(transfer.id, /^trf_/);
      assert.equal(transfer.state, 'scheduled');
      assert.ok(Date.parse(transfer.expectedCompletion) <= Date.parse(transfer.deadline));
      const carried = transfer.schedule.reduce((s, e) => s + e.rateGbps * 900, 0);
      assert.ok(carried >= 90 * GBIT_PER_TB - 1e-6);
      assert.ok(transfer.price.amountMinor > 0 && Number.isInteger(transfer.price.amountMinor));
      assert.equal(await checkAgainstAllocations(db, nowMs), 1);
      // Idempotent: the same key and body answer the same transfer; another body is a conflict.
      const again = await svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 90, deadline: inHours(nowMs, 3) }, 'k1');
      assert.equal(again.created, false);
      assert.equal(again.transfer.id, transfer.id);
      await rejectsWith(svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 91, deadline: inHours(nowMs, 3) }, 'k1'), 'idempotency-conflict');
      // Tenants never see each other's transfers.
      await rejectsWith(svc.get(bob, transfer.id), 'not-found');
      assert.equal((await svc.list(bob, {})).items.length, 0);
      assert.equal((await svc.get(operator, transfer.id)).id, transfer.id);
      const events = await listEvents(db, { after: 0, limit: 100, types: ['transfer.scheduled'] });
      assert.equal(events.length, 1);
    });

    test('a refusal names the most volume by the deadline and the earliest feasible deadline, and both are exact', async () => {
      const body = { aSite: 'a', zSite: 'c', volumeTB: 2000, maxRateGbps: 350, deadline: inHours(nowMs, 4) };
      const err = await rejectsWith(svc.create(alice, body), 'deadline-infeasible');
      const extra = (err as LightpathError).extra as { mostVolumeTB: number; earliestFeasibleDeadline: string };
      assert.ok(extra.mostVolumeTB > 0 && extra.mostVolumeTB < 2000, JSON.stringify(extra));
      assert.ok(Date.parse(extra.earliestFeasibleDeadline) > Date.parse(body.deadline));
      const held = await db.query('SELECT count(*)::int AS n FROM allocations');
      // One slot earlier than the earliest feasible deadline does not fit; the earliest does.
      const before = new Date(Date.parse(extra.earliestFeasibleDeadline) - SLOT_MS).toISOString();
      await rejectsWith(svc.create(alice, { ...body, deadline: before }), 'deadline-infeasible');
      assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM allocations'), held, 'a refusal writes nothing');
      const late = await svc.create(alice, { ...body, deadline: extra.earliestFeasibleDeadline });
      await svc.cancel(alice, late.transfer.id);
      // The most volume fits by the requested deadline (a hair less: it is rounded down to a GB).
      const most = await svc.create(alice, { ...body, volumeTB: extra.mostVolumeTB });
      await svc.cancel(alice, most.transfer.id);
      assert.ok((await checkAgainstAllocations(db, nowMs)) >= 1);
      await checkInvariants(db);
    });

    test('concurrent requests (and a concurrent order) never hold anything twice; each is admitted or refused whole', async () => {
      const ordering = new OrderingService(db);
      const bodies = [0, 1, 2, 3].map((i) => ({ aSite: i % 2 ? 'a' : 'b', zSite: 'c', volumeTB: 60 + 10 * i, deadline: inHours(nowMs, 2 + i) }));
      const outcomes = await Promise.allSettled([
        ...bodies.map((b, i) => svc.create(i % 2 ? alice : bob, b)),
        ordering.placeOrder(operator, { product: 'ethernet', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected', maxLatencyUs: null }),
      ]);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof LightpathError && ['deadline-infeasible', 'capacity-exhausted'].includes(o.reason.code), String(o.reason));
      assert.ok(outcomes.slice(0, 4).some((o) => o.status === 'fulfilled'));
      assert.ok((await checkAgainstAllocations(db, nowMs)) >= 2);
      await checkInvariants(db);
    });

    test('cancel releases the slots from now on', async () => {
      const list = await svc.list(alice, {});
      const open = list.items.find((x: Transfer) => x.state === 'scheduled' || x.state === 'running') as Transfer;
      const c = await svc.cancel(alice, open.id);
      assert.equal(c.state, 'cancelled');
      const held = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE transfer_id = $1 AND upper(during) > $2::timestamptz`, [open.id, new Date(nowMs).toISOString()]);
      assert.equal(held.rows[0].n, 0);
      await rejectsWith(svc.cancel(alice, open.id), 'conflict');
      const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1`, [open.id]);
      assert.ok(audit.rows[0].n >= 2);
    });
  });
}
