/**
 * The capacity calendar over HTTP, on both stores: windows are held exactly (half-open, the worst
 * instant decides, not a sum), open-ended orders meet future reservations with `availableUntil`,
 * hold → commit → expiry (with real time), booking changes, recurring bookings all-or-nothing or
 * partial, availability intervals, and failures re-planning bookings that have not started.
 * Capacity figures are measured on the network itself (orders placed until refused), never assumed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey, EmulatorDriver } from '../../src/services/ordering/index.js';
import { checkInvariants, loadTinyNetwork } from '../ordering/support.js';

const DAY = 24 * 3_600_000;
type Res = Awaited<ReturnType<AppInstance['inject']>>;
type Json = Record<string, unknown>;

for (const driver of testDrivers()) {
  describe(`capacity calendar API on ${driver.name}`, () => {
    let db: Db;
    let app: AppInstance;
    let services: Services;
    const auth: Record<'op' | 'alice', { authorization: string }> = {} as never;
    // Times are fixed once so that windows line up exactly between requests.
    const t0 = Math.ceil((Date.now() + DAY) / 3_600_000) * 3_600_000;
    const at = (days: number): string => new Date(t0 + days * DAY).toISOString();
    const wave = { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 400, protection: 'unprotected' };

    before(async () => {
      db = await driver.open();
      // A few slots per span: a handful of 400G waves between a and c fill the network.
      await loadTinyNetwork(db, { slotCount: 24 });
      services = createServices(db, { driver: new EmulatorDriver(), workerPollMs: 50 });
      app = await buildApp({ services, logger: false, webDir: null });
      await app.ready();
      auth.op = { authorization: `Bearer ${(await createKey(db, { tenantId: 'operator', role: 'operator' })).key}` };
      auth.alice = { authorization: `Bearer ${(await createKey(db, { tenantId: 'alice', role: 'customer' })).key}` };
    });
    after(async () => {
      await app.close();
      await services.worker.close();
      await db.close();
    });

    const post = (url: string, payload: unknown, who: 'op' | 'alice' = 'alice'): Promise<Res> => app.inject({ method: 'POST', url, headers: auth[who], payload: payload as Json });
    const get = (url: string, who: 'op' | 'alice' = 'alice'): Promise<Res> => app.inject({ method: 'GET', url, headers: auth[who] });
    /** Orders this booking until refused; returns the orders placed and the refusal. */
    const fill = async (body: Json, max = 50): Promise<{ ids: string[]; refusal: Json | null }> => {
      const ids: string[] = [];
      for (let i = 0; i < max; i++) {
        const r = await post('/v1/orders', body);
        if (r.statusCode !== 201) {
          assert.equal(r.statusCode, 409, r.body);
          return { ids, refusal: r.json() as Json };
        }
        ids.push((r.json() as Json).id as string);
      }
      assert.ok(max < 50, 'the network never filled');
      return { ids, refusal: null };
    };
    const cancelAll = async (ids: string[]): Promise<void> => {
      for (const id of ids) assert.equal((await post(`/v1/orders/${id}/cancel`, {})).statusCode, 200);
    };
    /** Capacity in one window, measured. */
    const capacityIn = async (start: string, end: string | null): Promise<number> => {
      const { ids } = await fill({ ...wave, start, ...(end ? { end } : {}) });
      await cancelAll(ids);
      return ids.length;
    };

    test('a window holds exactly its instants: adjacent windows share nothing, and the worst instant decides', async () => {
      const n = await capacityIn(at(1), at(2));
      assert.ok(n >= 2, `the test network fits ${n} waves`);
      const first = await fill({ ...wave, start: at(1), end: at(2) });
      assert.equal(first.ids.length, n);
      assert.equal(first.refusal?.code, 'capacity-exhausted');
      // [1, 2) and [2, 3) are disjoint: the next window is as free as an empty network.
      const next = await fill({ ...wave, start: at(2), end: at(3) });
      assert.equal(next.ids.length, n, 'half-open windows: the end instant is free');
      const allocated = await db.query<{ lo: unknown; hi: unknown }>(`SELECT DISTINCT lower(during) AS lo, upper(during) AS hi FROM allocations a JOIN orders o ON o.id = a.order_id WHERE o.id = ANY($1::text[]) AND a.service_id IS NOT NULL`, [first.ids]);
      assert.deepEqual(allocated.rows.map((r) => [new Date(r.lo as string).toISOString(), new Date(r.hi as string).toISOString()]), [[at(1), at(2)]], 'allocations hold exactly the window');
      await cancelAll([...first.ids, ...next.ids]);
      await checkInvariants(db);

      // n-1 in [1, 2) and n-1 in [3, 4): a booking over [1, 4) fits (at every instant n-1 < n are
      // held), though the window's sum of bookings 2n-2 >= n.
      const early = await fill({ ...wave, start: at(1), end: at(2) }, n - 1);
      const late = await fill({ ...wave, start: at(3), end: at(4) }, n - 1);
      assert.equal(early.ids.length + late.ids.length, 2 * n - 2);
      const spanning = await post('/v1/orders', { ...wave, start: at(1), end: at(4) });
      assert.equal(spanning.statusCode, 201, spanning.body);
      const again = await post('/v1/orders', { ...wave, start: at(1), end: at(4) });
      assert.equal(again.statusCode, 409, 'now full at some instant of [1, 4)');
      await cancelAll([...early.ids, ...late.ids, (spanning.json() as Json).id as string]);
      await checkInvariants(db);
    });

    test('an open-ended order that meets a future reservation is refused with until when it fits; availability shows it', async () => {
      const n = await capacityIn(at(1), at(2));
      const booked = await fill({ ...wave, start: at(1), end: at(2) });
      assert.equal(booked.ids.length, n);
      const now = await post('/v1/orders', wave);
      assert.equal(now.statusCode, 409, now.body);
      assert.equal((now.json() as Json).code, 'capacity-exhausted');
      assert.equal((now.json() as Json).availableUntil, at(1), 'it fits until the reservation starts');
      // Until then it fits: an order for [now, 1) is accepted.
      const until = await post('/v1/orders', { ...wave, end: at(1) });
      assert.equal(until.statusCode, 201, until.body);

      const from = at(0);
      const av = await get(`/v1/availability?aSite=a&zSite=c&product=wave&bandwidthGbps=400&from=${from}&to=${at(3)}&count=true`);
      assert.equal(av.statusCode, 200, av.body);
      const intervals = (av.json() as { intervals: { start: string; end: string; feasible: boolean; count?: number }[] }).intervals;
      assert.equal(intervals[0].start, from);
      assert.equal(intervals.at(-1)?.end, at(3));
      for (let i = 1; i < intervals.length; i++) {
        assert.equal(intervals[i].start, intervals[i - 1].end, 'consecutive');
        assert.ok(intervals[i].feasible !== intervals[i - 1].feasible || intervals[i].count !== intervals[i - 1].count, 'maximal: neighbours differ');
      }
      const atInstant = (iso: string) => intervals.find((x) => x.start <= iso && iso < x.end);
      assert.equal(atInstant(at(1.5))?.feasible, false);
      assert.equal(atInstant(at(1.5))?.count, 0);
      assert.equal(atInstant(at(2.5))?.feasible, true);
      assert.equal(atInstant(at(2.5))?.count, n, 'after the reservation, the whole network is free again');
      assert.equal(atInstant(at(0.5))?.count, n - 1, 'before it, one wave is taken by the order up to it');
      await cancelAll([...booked.ids, (until.json() as Json).id as string]);
      await checkInvariants(db);
    });

    test('hold, then commit; a hold takes capacity; cancel frees it; an expired hold cannot be committed', async () => {
      const n = await capacityIn(at(1), at(2));
      const booked = await fill({ ...wave, start: at(1), end: at(2) }, n - 1);
      const hold = await post('/v1/orders', { ...wave, start: at(1), end: at(2), hold: true, holdSeconds: 900 });
      assert.equal(hold.statusCode, 201, hold.body);
      const h = hold.json() as Json;
      assert.equal(h.state, 'held');
      assert.ok(Math.abs(Date.parse(h.holdExpiresAt as string) - (Date.now() + 900_000)) < 60_000);
      assert.equal((await get(`/v1/services/${h.serviceId}`)).json().state, 'held');
      assert.equal((await post('/v1/orders', { ...wave, start: at(1), end: at(2) })).statusCode, 409, 'the hold takes the last capacity');
      const committed = await post(`/v1/orders/${h.id}/commit`, {});
      assert.equal(committed.statusCode, 200, committed.body);
      assert.equal((committed.json() as Json).state, 'acknowledged');
      assert.equal((await get(`/v1/services/${h.serviceId}`)).json().state, 'scheduled');
      assert.equal((await post(`/v1/orders/${h.id}/commit`, {})).statusCode, 200, 'committing twice answers the same');
      // A second hold on freed capacity, cancelled: the capacity comes back at once.
      await cancelAll([h.id as string]);
      const h2 = (await post('/v1/orders', { ...wave, start: at(1), end: at(2), hold: true })).json() as Json;
      assert.equal(h2.state, 'held');
      await cancelAll([h2.id as string]);
      const after = await post('/v1/orders', { ...wave, start: at(1), end: at(2) });
      assert.equal(after.statusCode, 201);
      await cancelAll([...booked.ids, (after.json() as Json).id as string]);

      // Quotes reserve nothing.
      const before = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM allocations')).rows[0].n);
      assert.equal((await post('/v1/quotes', { ...wave, start: at(1), end: at(2) })).statusCode, 201);
      assert.equal(Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM allocations')).rows[0].n), before);
      await checkInvariants(db);
    });

    test('a hold not committed in time expires on its own (real time, holdSeconds 1): cancelled, hold-expired, capacity free', async () => {
      const n = await capacityIn(at(1), at(2));
      const booked = await fill({ ...wave, start: at(1), end: at(2) }, n - 1);
      const h = (await post('/v1/orders', { ...wave, start: at(1), end: at(2), hold: true, holdSeconds: 1 })).json() as Json;
      assert.equal(h.state, 'held');
      services.worker.start();
      try {
        let order: Json = h;
        for (let i = 0; i < 200 && order.state === 'held'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          order = (await get(`/v1/orders/${h.id}`)).json() as Json;
        }
        assert.equal(order.state, 'cancelled');
        assert.equal(order.failureReason, 'hold-expired');
        assert.ok(Date.now() >= Date.parse(h.holdExpiresAt as string), 'not before its time');
      } finally {
        await services.worker.close();
      }
      const late = await post(`/v1/orders/${h.id}/commit`, {});
      assert.equal(late.statusCode, 409);
      assert.match((late.json() as Json).detail as string, /expired/);
      assert.equal((await get(`/v1/services/${h.serviceId}`)).json().state, 'terminated');
      const after = await post('/v1/orders', { ...wave, start: at(1), end: at(2) });
      assert.equal(after.statusCode, 201, 'its capacity is free at once');
      await cancelAll([...booked.ids, (after.json() as Json).id as string]);
      await checkInvariants(db);
    });

    test('changing a booking: move it, resize it, extend onto a reservation (refused, with until when), cancel before start', async () => {
      const placed = (await post('/v1/orders', { ...wave, bandwidthGbps: 100, start: at(1), end: at(2) })).json() as Json;
      const sid = placed.serviceId as string;
      const moved = await app.inject({ method: 'PATCH', url: `/v1/services/${sid}`, headers: auth.alice, payload: { start: at(5), end: at(6), bandwidthGbps: 400 } });
      assert.ok(moved.statusCode === 200 || moved.statusCode === 202, moved.body);
      const svc = (await get(`/v1/services/${sid}`)).json() as Json;
      assert.deepEqual([svc.start, svc.end, svc.bandwidthGbps, svc.state], [at(5), at(6), 400, 'scheduled']);
      const held = await db.query<{ lo: unknown; hi: unknown }>(`SELECT DISTINCT lower(during) AS lo, upper(during) AS hi FROM allocations WHERE service_id = $1 AND NOT isempty(during)`, [sid]);
      assert.deepEqual(held.rows.map((r) => [new Date(r.lo as string).toISOString(), new Date(r.hi as string).toISOString()]), [[at(5), at(6)]], 'the old window is released, the new one held');
      // Fill [6, 7) and try to extend onto it: refused, saying it fits until 6; nothing changed.
      const n = await capacityIn(at(6), at(7));
      const wall = await fill({ ...wave, start: at(6), end: at(7) }, n);
      const ext = await app.inject({ method: 'PATCH', url: `/v1/services/${sid}`, headers: auth.alice, payload: { end: at(8) } });
      assert.equal(ext.statusCode, 409, ext.body);
      assert.equal((ext.json() as Json).availableUntil, at(6));
      assert.equal(((await get(`/v1/services/${sid}`)).json() as Json).end, at(6), 'a refused change changes nothing');
      await cancelAll(wall.ids);
      const ok = await app.inject({ method: 'PATCH', url: `/v1/services/${sid}`, headers: auth.alice, payload: { end: at(8) } });
      assert.ok(ok.statusCode === 200 || ok.statusCode === 202, ok.body);
      // Cancel before start: everything released.
      const del = await app.inject({ method: 'DELETE', url: `/v1/services/${sid}`, headers: auth.alice });
      assert.ok(del.statusCode === 200 || del.statusCode === 202, del.body);
      assert.equal(((await get(`/v1/services/${sid}`)).json() as Json).state, 'terminated');
      const left = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE service_id = $1 AND NOT isempty(during)`, [sid]);
      assert.equal(Number(left.rows[0].n), 0);
      await checkInvariants(db);
    });

    test('a recurring booking: per-occurrence feasibility in the quote; all or nothing, or the feasible ones', async () => {
      const n = await capacityIn(at(2), at(2.25));
      // Fill the second occurrence's window only.
      const wall = await fill({ ...wave, start: at(2), end: at(2.25) }, n);
      const recurrence = { rrule: 'FREQ=DAILY;COUNT=3', durationSeconds: 6 * 3600 };
      const q = await post('/v1/quotes', { ...wave, start: at(1), recurrence });
      assert.equal(q.statusCode, 201, q.body);
      const occ = ((q.json() as { options: { occurrences?: { start: string; feasible: boolean }[] }[] }).options[0].occurrences ?? []);
      assert.deepEqual(occ.map((o) => [o.start, o.feasible]), [[at(1), true], [at(2), false], [at(3), true]]);
      const all = await post('/v1/orders', { ...wave, start: at(1), recurrence });
      assert.equal(all.statusCode, 409, 'all or nothing by default');
      assert.equal(Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE series_id IS NOT NULL`)).rows[0].n), 0, 'nothing left behind');
      const some = await post('/v1/orders', { ...wave, start: at(1), recurrence, partial: true });
      assert.equal(some.statusCode, 201, some.body);
      const placed = (some.json() as { occurrences: { start: string; state: string; orderId: string }[] }).occurrences;
      assert.deepEqual(placed.map((o) => o.start), [at(1), at(3)]);
      await cancelAll([...wall.ids, ...placed.map((o) => o.orderId)]);
      await checkInvariants(db);
    });

    test('a cut re-plans bookings that have not started around it, or reports them at risk; what-if names them', async () => {
      const placed = (await post('/v1/orders', { ...wave, bandwidthGbps: 100, start: at(1), end: at(2) })).json() as Json;
      const sid = placed.serviceId as string;
      const spans0 = ((await get(`/v1/services/${sid}`)).json() as { design: { paths: { spanIds: string[] }[] } }).design.paths[0].spanIds;
      const whatIf = await post('/v1/analysis/failures', { scenario: [{ spans: [spans0[0]] }] }, 'op');
      assert.equal(whatIf.statusCode, 200, whatIf.body);
      assert.deepEqual((whatIf.json() as { items: { scheduled: { id: string }[] }[] }).items[0].scheduled.map((s) => s.id), [sid]);
      const cut = await post('/v1/failures', { spans: [spans0[0]] }, 'op');
      assert.equal(cut.statusCode, 201, cut.body);
      const bookings = (cut.json() as { batch: { bookings: { replanned: { id: string; spanIds: string[] }[]; atRisk: unknown[] } } }).batch.bookings;
      assert.ok(bookings.replanned.some((r) => r.id === sid), JSON.stringify(bookings));
      assert.ok(bookings.replanned.every((r) => !r.spanIds.includes(spans0[0])), 'every re-planned booking avoids the cut');
      const spans1 = ((await get(`/v1/services/${sid}`)).json() as { design: { paths: { spanIds: string[] }[] } }).design.paths[0].spanIds;
      assert.ok(!spans1.includes(spans0[0]), `re-planned off the cut span: ${spans1.join(' ')}`);
      // Cut every span at a: nothing can carry it; it stays booked and is reported at risk.
      const all = await post('/v1/failures', { sites: ['a'] }, 'op');
      const risk = (all.json() as { batch: { bookings: { atRisk: { id: string }[] } } }).batch.bookings.atRisk;
      assert.ok(risk.some((r) => r.id === sid), JSON.stringify(risk));
      assert.equal(((await get(`/v1/services/${sid}`)).json() as Json).state, 'scheduled');
      for (const f of ((await get('/v1/failures?open=true', 'op')).json() as { items: { id: string }[] }).items) await post(`/v1/failures/${f.id}/repair`, {}, 'op');
      await cancelAll([placed.id as string]);
      await checkInvariants(db);
    });
  });
}
