/**
 * A quote plans on the spectrum held on its route as this process keeps it in memory (LitChannels: every
 * spectrum allocation, brought up to each snapshot by the occupancy delta read in it), not on a scan of
 * the allocations. Checked here against the store, on both drivers, with two services on one database
 * (two replicas): after every order, cancel or disconnect by either of them, the held ranges process A
 * keeps for a set of spans and a window equal what the planning snapshot reads from the allocations
 * table for the same spans and window (the SQL read is the oracle: it is the path quotes took before).
 * Windows: from now on, a bounded window soon, one in the future, and one that starts inside bookings.
 * The times each range is held (what availability sweeps over) equal heldWithTimes' read too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { InventoryService } from '../../src/services/inventory.js';
import { heldWithTimes, planningSnapshot, type HeldRange, type TimedRange } from '../../src/store/ordering.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { LightpathError } from '../../src/domain/errors.js';
import { Rng } from '../../src/engine/sim/rng.js';
import { alice, bob } from './support.js';

const HOUR = 3_600_000;

const key = (h: HeldRange) => `${h.resourceId}|${h.sub}|${h.lo}|${h.hi}`;
const sorted = (hs: readonly HeldRange[]) => hs.map(key).sort();
const sortedTimed = (hs: readonly TimedRange[]) => hs.map((h) => `${key(h)}|${h.fromMs}|${h.toMs}`).sort();

for (const driver of testDrivers()) {
  describe(`spectrum held in memory equals the store's (${driver.name})`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      await new InventoryService(db).initialize();
    });
    after(async () => {
      await db.close();
    });

    test('after every write by either replica, for windows now, soon, later and inside bookings', async () => {
      const a = new OrderingService(db);
      const b = new OrderingService(db);
      const net = builtinNetwork();
      const pops = net.sites.filter((s) => s.kind === 'pop').map((s) => s.id);
      const spanIds = net.spans.map((s) => s.id);
      const seeded = new Rng(11);
      const r = (): number => seeded.nextFloat();
      const placed: { by: OrderingService; who: typeof alice; id: string }[] = [];
      let comparisons = 0;
      let nonEmpty = 0;
      let cancels = 0;
      /** Process A catches up the way a quote does, then its held ranges are compared with the store's. */
      const compare = async (label: string): Promise<void> => {
        const view = await a.views.cached(db);
        await a.lit.ready(db, view);
        const snap = await planningSnapshot(db, { kind: 'spectrum', resourceIds: [], subs: 1, trunkPair: null, occupancySince: a.lit.since(view) });
        if (!a.lit.apply(view, snap.occupancy, Date.parse(snap.now))) await a.lit.reload(db, view);
        const nowMs = Date.parse(snap.now);
        const windows: [number, number | null][] = [
          [nowMs, null],
          [nowMs, nowMs + 6 * HOUR],
          [nowMs + 24 * HOUR, nowMs + 30 * HOUR],
          [nowMs + 40 * HOUR, null],
        ];
        for (const [fromMs, toMs] of windows) {
          const mine = a.lit.heldOn(view, spanIds, { fromMs, toMs });
          const store = await planningSnapshot(db, {
            kind: 'spectrum',
            resourceIds: spanIds,
            subs: view.maxFiberPairs,
            trunkPair: null,
            window: { start: new Date(fromMs).toISOString(), end: toMs === null ? null : new Date(toMs).toISOString() },
          });
          const w = `${label}, window [${new Date(fromMs).toISOString()}, ${toMs === null ? '∞' : new Date(toMs).toISOString()})`;
          assert.deepEqual(sorted(mine), sorted(store.held), w);
          const timed = await heldWithTimes(db, { kind: 'spectrum', ids: spanIds, subs: view.maxFiberPairs }, new Date(fromMs).toISOString(), toMs === null ? null : new Date(toMs).toISOString());
          assert.deepEqual(sortedTimed(mine), sortedTimed(timed), `${w}, with times`);
          comparisons++;
          if (store.held.length > 0) nonEmpty++;
        }
      };
      for (let step = 0; step < 36; step++) {
        const by = r() < 0.5 ? a : b;
        const who = by === a ? alice : bob;
        if (placed.length > 3 && r() < 0.25) {
          // Give capacity back: a cancel (or disconnect, once it is a service) by the replica that placed it.
          const [victim] = placed.splice(Math.floor(r() * placed.length), 1);
          const order = await victim.by.getOrder(victim.who, victim.id);
          try {
            if (order.serviceId) await victim.by.disconnectService(victim.who, order.serviceId);
            else await victim.by.cancelOrder(victim.who, victim.id);
            cancels++;
          } catch (err) {
            if (!(err instanceof LightpathError)) throw err;
          }
        } else {
          const x = pops[Math.floor(r() * pops.length)];
          let z = pops[Math.floor(r() * pops.length)];
          while (z === x) z = pops[Math.floor(r() * pops.length)];
          const now = Date.now();
          // Half open-ended from now, half booked in a window starting 1–48 hours ahead.
          const window = r() < 0.5 ? {} : (() => {
            const start = now + (1 + Math.floor(r() * 48)) * HOUR;
            return { start: new Date(start).toISOString(), end: new Date(start + (2 + Math.floor(r() * 72)) * HOUR).toISOString() };
          })();
          const product = r() < 0.8 ? 'wave' : 'ethernet';
          const bandwidthGbps = product === 'wave' ? [100, 400, 800][Math.floor(r() * 3)] : 100;
          try {
            const p = await by.placeOrder(who, { product, aSite: x, zSite: z, bandwidthGbps, ...window });
            placed.push({ by, who, id: p.order.id });
          } catch (err) {
            if (!(err instanceof LightpathError)) throw err;
          }
        }
        await compare(`step ${step}`);
      }
      // An allocation deleted outright (an operator's cleanup; the product only ends them) is gone from memory too.
      const [victim] = await db.query<{ order_id: string }>(`SELECT order_id FROM allocations WHERE kind = 'spectrum' AND upper_inf(during) LIMIT 1`).then((x) => x.rows);
      assert.ok(victim, 'no open-ended spectrum allocation left to delete');
      await db.query('DELETE FROM allocations WHERE order_id = $1', [victim.order_id]);
      await compare('after a raw delete');
      // The comparisons were about something: spectrum held, and given back, along the way.
      assert.ok(nonEmpty >= comparisons / 2, `only ${nonEmpty} of ${comparisons} windows held any spectrum`);
      assert.ok(cancels >= 3, `only ${cancels} cancels`);
      assert.ok(a.lit.stats.deltas > 0);
    });
  });
}
