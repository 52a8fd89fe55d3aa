/**
 * Waves lit for transfers, on the real store (both drivers). On the tiny network the trunks leave 400 Gbps
 * from a to c (100 direct, 300 via b): 180 TB in four slots at most. 250 TB in four slots is refused on
 * trunks alone and admitted by lighting an express wave a-c (one slot of setup, then 400 Gbps).
 *
 * Checked from the store, independently of the scheduler: the wave's spectrum is held by the transfer on
 * every span of its route, with its channel, only inside the transfer's window and only while the
 * schedule uses it (after its setup); trunk allocations plus what the wave carries (never above its line
 * rate) deliver the volume by the deadline; no two allocations overlap; the lit-channel rows every QoT
 * state is built from show the wave; a wave order cannot take its spectrum in its window; cancelling
 * and cutting give the spectrum back from then on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { TransferService, type Transfer } from '../../src/services/transfers/index.js';
import { litChannelRows } from '../../src/store/ordering.js';
import { listEvents } from '../../src/store/events.js';
import { alice, checkInvariants, loadTinyNetwork, operator, rejectsWith } from '../ordering/support.js';

const SLOT_MS = 900_000;
const GBIT_PER_TB = 8000;

function slotBoundary(nowMs: number, k: number): string {
  return new Date((Math.floor(nowMs / SLOT_MS) + k) * SLOT_MS).toISOString();
}

interface SpectrumRow {
  resource_id: string;
  sub: number;
  lo: number;
  hi: number;
  f: Date | string;
  t: Date | string | null;
  channel: { l: string; m: string; f: number } | string | null;
  role: string;
}

async function waveRows(db: Db, transferId: string): Promise<SpectrumRow[]> {
  return (
    await db.query<SpectrumRow>(
      `SELECT resource_id, sub, lower(units) AS lo, upper(units) AS hi, lower(during) AS f, upper(during) AS t, channel, role
         FROM allocations WHERE kind = 'spectrum' AND transfer_id = $1 AND NOT isempty(during) ORDER BY resource_id, lower(during)`,
      [transferId],
    )
  ).rows;
}

/** Gbit the transfer's trunk allocations carry from a to c per slot (the direct trunk, plus the a-b/b-c pair). */
async function trunkGbitBySlot(db: Db, transferId: string): Promise<Map<number, number>> {
  const rows = (
    await db.query<{ a: string; z: string; lo: number; hi: number; f: Date | string; t: Date | string }>(
      `SELECT t.a_site_id AS a, t.z_site_id AS z, lower(x.units) AS lo, upper(x.units) AS hi, lower(x.during) AS f, upper(x.during) AS t
         FROM allocations x JOIN trunks t ON t.id = x.resource_id WHERE x.kind = 'trunk' AND x.transfer_id = $1`,
      [transferId],
    )
  ).rows;
  // Per slot: Gbps on the direct trunk, plus the Gbps carried through b (the smaller of its two trunks: flow conservation).
  const per = new Map<number, { direct: number; ab: number; bc: number }>();
  for (const r of rows) {
    for (let s = new Date(r.f).getTime() / SLOT_MS; s * SLOT_MS < new Date(r.t).getTime(); s++) {
      const e = per.get(s) ?? { direct: 0, ab: 0, bc: 0 };
      const ends = [r.a, r.z].sort().join('');
      if (ends === 'ac') e.direct += r.hi - r.lo;
      else if (ends === 'ab') e.ab += r.hi - r.lo;
      else e.bc += r.hi - r.lo;
      per.set(s, e);
    }
  }
  return new Map([...per].map(([s, e]) => [s, (e.direct + Math.min(e.ab, e.bc)) * 900]));
}

for (const driver of testDrivers()) {
  describe(`waves lit for transfers on ${driver.name}`, () => {
    let db: Db;
    let nowMs = 0;
    let svc: TransferService;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db);
      const ordering = new OrderingService(db);
      for (const [a, z, g] of [['a', 'c', 300], ['a', 'b', 100], ['b', 'c', 100]] as const) {
        await ordering.placeOrder(operator, { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: g, protection: 'unprotected', maxLatencyUs: null });
      }
      nowMs = Date.now();
      svc = new TransferService(db, { now: () => nowMs });
    });
    after(async () => db.close());

    let t: Transfer;

    test('more than the trunks carry is refused on trunks alone and admitted by lighting a wave, held and checked from the store', async () => {
      const body = { aSite: 'a', zSite: 'c', volumeTB: 250, deadline: slotBoundary(nowMs, 5) };
      const trunksOnly = new TransferService(db, { now: () => nowMs, lightWaves: false });
      await rejectsWith(trunksOnly.create(alice, body), 'deadline-infeasible');
      t = (await svc.create(alice, body)).transfer;
      assert.equal(t.state, 'scheduled');
      assert.equal(t.waves.length, 1, 'one wave lit');
      const w = t.waves[0];
      assert.deepEqual([w.sites[0], w.sites[w.sites.length - 1]].sort(), ['a', 'c']);
      assert.equal(w.capacityGbps, 400);
      assert.ok(w.gsnrDb !== null && w.gsnrDb > 10, `GSNR ${w.gsnrDb} dB`);
      assert.ok(t.paths.some((p) => p.id === w.path && p.trunks.length === 1 && p.trunks[0] === w.path), 'the wave is a path of its own');
      // The spectrum rows: every span of the route, one channel (the wave's lightpath), role transfer, inside the window.
      const rows = await waveRows(db, t.id);
      assert.deepEqual([...new Set(rows.map((r) => r.resource_id))].sort(), [...w.spans].sort());
      const winFrom = Date.parse(slotBoundary(nowMs, 1));
      const winTo = Date.parse(t.deadline);
      const litSlots = new Set<number>();
      for (const r of rows) {
        const ch = typeof r.channel === 'string' ? (JSON.parse(r.channel) as { l: string }) : r.channel;
        assert.equal(ch?.l, w.id, 'the allocation carries the wave as its channel');
        assert.equal(r.role, 'transfer');
        const f = new Date(r.f).getTime();
        const to = new Date(r.t as string).getTime();
        assert.ok(f >= winFrom && to <= winTo, 'held only inside the transfer window');
        for (let s = f / SLOT_MS; s * SLOT_MS < to; s++) litSlots.add(s);
      }
      // What the schedule puts on the wave: only in lit slots past the setup, never above the line rate.
      const firstLit = Math.min(...litSlots);
      let waveGbit = 0;
      for (const e of t.schedule) {
        const s = Date.parse(e.start) / SLOT_MS;
        const onWave = e.paths.filter((p) => p.path === w.path).reduce((x, p) => x + p.rateGbps, 0);
        if (onWave === 0) continue;
        assert.ok(litSlots.has(s) && s >= firstLit + w.setupSeconds / 900, `slot ${s}: carried on the wave only while lit and set up`);
        assert.ok(onWave <= w.capacityGbps);
        waveGbit += onWave * 900;
      }
      assert.ok(waveGbit > 0, 'the wave carries part of the volume');
      // Trunk allocations (from the table) plus the wave deliver the volume by the deadline.
      const trunk = [...(await trunkGbitBySlot(db, t.id)).entries()].filter(([s]) => s * SLOT_MS < winTo).reduce((x, [, g]) => x + g, 0);
      assert.ok(trunk + waveGbit >= 250 * GBIT_PER_TB - 1e-6, `trunks ${trunk} + wave ${waveGbit} Gbit carry 250 TB`);
      // The QoT state of every later plan is built from these rows: the wave is a lit channel in its window.
      const lit = await litChannelRows(db);
      assert.ok(lit.rows.some((r) => r.channel?.l === w.id && r.fromMs === winFrom), 'the lit-channel rows show the wave');
      const audit = await db.query<{ after: unknown }>(`SELECT after FROM audit_log WHERE action = 'transfer.create' AND subject_id = $1`, [t.id]);
      assert.match(JSON.stringify(audit.rows[0]?.after), /waveLit/);
      await checkInvariants(db);
    });

    test('a wave order cannot take the spectrum in the transfer wave\'s window: it gets other slots', async () => {
      const ordering = new OrderingService(db, { now: () => nowMs });
      const w = t.waves[0];
      const rows = await waveRows(db, t.id);
      const mine = rows.filter((r) => r.resource_id === w.spans[0]);
      const placed = await ordering.placeOrder(operator, { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: null, start: slotBoundary(nowMs, 2), end: slotBoundary(nowMs, 4) });
      const theirs = (await db.query<{ resource_id: string; sub: number; lo: number; hi: number }>(`SELECT resource_id, sub, lower(units) AS lo, upper(units) AS hi FROM allocations WHERE kind = 'spectrum' AND order_id = $1`, [placed.order.id])).rows;
      for (const x of theirs) for (const m of mine) if (x.resource_id === m.resource_id && x.sub === m.sub) assert.ok(x.hi <= m.lo || x.lo >= m.hi, 'no overlap with the transfer wave');
      await checkInvariants(db);
    });

    test('cutting the wave gives its spectrum back from the next slot and re-plans (late, with an ETA, if need be)', async () => {
      const w = t.waves[0];
      const res = await db.transaction((tx) => svc.replanAfterCut(tx, operator, [w.path]));
      assert.ok(res);
      assert.deepEqual(res.affected, [t.id]);
      const next = Date.parse(slotBoundary(nowMs, 1));
      for (const r of await waveRows(db, t.id)) assert.ok(new Date(r.t as string).getTime() <= next, 'nothing held after the current slot');
      const v = await svc.get(alice, t.id);
      assert.equal(v.waves[0].lit.length, 0, 'the view shows the wave dark');
      assert.ok(v.schedule.every((e) => e.paths.every((p) => p.path !== w.path)), 'nothing scheduled on the dark wave');
      // 250 TB does not fit the trunks by slot 5 (180 TB at most): late, with the event naming its ETA.
      assert.equal(v.state, 'late');
      const ev = await listEvents(db, { after: 0, limit: 100, types: ['transfer.at-risk'] });
      assert.deepEqual(ev.map((e) => e.subject.id), [t.id]);
      await checkInvariants(db);
    });

    test('cancelling gives back a lit wave\'s spectrum from now on', async () => {
      const u = (await svc.create(alice, { aSite: 'a', zSite: 'c', volumeTB: 300, deadline: slotBoundary(nowMs, 9) })).transfer;
      assert.equal(u.waves.length, 1);
      assert.ok((await waveRows(db, u.id)).length > 0);
      await svc.cancel(alice, u.id);
      // Runs that had not started are empty now; nothing is held after the cancellation.
      for (const r of await waveRows(db, u.id)) assert.ok(new Date(r.t as string).getTime() <= nowMs);
      const lit = await litChannelRows(db);
      assert.ok(!lit.rows.some((r) => r.channel?.l === u.waves[0].id && r.live), 'no longer a lit channel');
      await checkInvariants(db);
    });
  });
}
