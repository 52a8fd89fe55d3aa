import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { NetworkViewCache } from '../../src/services/ordering/network-view.js';
import { ResilienceService } from '../../src/services/resilience/index.js';
import { occupancyFrom } from '../../src/services/resilience/model.js';
import { allHeld } from '../../src/store/resilience.js';
import { assignSpectrum, makePath } from '../../src/engine/index.js';
import { PRODUCTS, PROTECTIONS } from '../../src/domain/products.js';
import { allSimplePaths } from '../engine/support/brute.js';
import { alice, loadTinyNetwork } from '../ordering/support.js';
import { checkResilience, failedNow, services } from './support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { publishEvents } from '../../src/store/events.js';

const SITES = ['a', 'b', 'c', 'd'];
const SPANS = ['a-b', 'b-c', 'c-d', 'd-a', 'a-c', 'c-cloud', 'd-cloud'];

const arbOrders = fc.array(
  fc.record({ product: fc.constantFrom(...PRODUCTS.filter((p) => p !== 'cloud-connect')), protection: fc.constantFrom(...PROTECTIONS), a: fc.nat(3), z: fc.nat(3) }),
  { minLength: 3, maxLength: 8 },
);
const arbOps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('cut' as const), spans: fc.array(fc.nat(SPANS.length - 1), { minLength: 1, maxLength: 2 }), srlg: fc.boolean(), site: fc.integer({ min: -6, max: 3 }) }),
    fc.record({ kind: fc.constant('repair' as const), which: fc.nat(5) }),
  ),
  { minLength: 2, maxLength: 6 },
);

/**
 * Independent check on the database state: a restorable optical service that is down has no healthy
 * simple path with room for it (brute force over every path of the small network).
 */
async function assertDownMeansInfeasible(db: Db, views: NetworkViewCache): Promise<void> {
  const view = await views.get(db);
  const g = view.graph;
  const failed = await failedNow(db);
  const occ = occupancyFrom(view, await allHeld(db, 'spectrum'), await allHeld(db, 'strand'));
  for (const s of await services(db)) {
    if (s.state !== 'down' || s.protection !== 'restorable' || (s.product !== 'wave' && s.product !== 'dark-fiber')) continue;
    const ok = (e: number) => !failed.has(g.spanIds[e]) && (s.product === 'wave' ? g.slotCount[e] > 0 : view.spans[e].cables.length > 0);
    for (const p of allSimplePaths(g, g.nodeIndex(s.spec.aSite), g.nodeIndex(s.spec.zSite), ok)) {
      if (s.product === 'wave') {
        const path = makePath(g, p.nodes, p.spans);
        assert.ok(!occ.layers.some((l) => assignSpectrum(g, l, [path], { lineRateGbps: s.spec.bandwidthGbps }) !== null), `${s.id} is down but ${p.spans.map((e) => g.spanIds[e]).join('>')} has spectrum`);
      } else {
        const free = p.spans.every((e) => occ.strands[e].some((c) => {
          for (let x = c.firstUsable; x + 2 <= c.strandCount; x++) if (!c.used.some(([lo, hi]) => x < hi && lo < x + 2)) return true;
          return false;
        }));
        assert.ok(!free, `${s.id} is down but ${p.spans.map((e) => g.spanIds[e]).join('>')} has strands`);
      }
    }
  }
}

for (const driver of testDrivers()) {
  describe(`random failure sequences (${driver.name})`, () => {
    test('after every cut and repair: invariants hold, restorable services are down only when nothing fits, repairs bring everything back', async () => {
      let events = 0;
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(arbOrders, arbOps, async (orders, ops) => {
          const db = await driver.open();
          try {
            // Small capacity so restoration sometimes runs out.
            await loadTinyNetwork(db, { slotCount: 16, strandCount: 8 });
            const ordering = new OrderingService(db);
            for (const o of orders) {
              if (o.a === o.z) continue;
              try {
                await ordering.placeOrder(alice, { product: o.product, aSite: SITES[o.a], zSite: SITES[o.z], bandwidthGbps: o.product === 'dark-fiber' ? 0 : o.product === 'wave' ? 100 : 10, protection: o.protection });
              } catch {
                // capacity exhausted or no route: the sequence goes on with what was ordered
              }
            }
            await new ActivationWorker(db, new EmulatorDriver()).runOnce();
            const views = new NetworkViewCache();
            const res = new ResilienceService(db, { views, revert: 'auto' });
            const open: string[] = [];
            for (const op of ops) {
              if (op.kind === 'cut') {
                const spans = [...new Set(op.spans)].map((i) => SPANS[i]);
                const r = await res.cut(TEST_OPERATOR, { spans, ...(op.srlg ? { srlgs: ['duct-1'] } : {}), ...(op.site >= 0 ? { sites: [SITES[op.site]] } : {}) });
                // The same failure posted again is the open one, not a second.
                assert.equal(r.created, !open.includes(r.failure.id));
                assert.equal(r.restoration, 'done');
                if (r.created) open.push(r.failure.id);
              } else if (open.length > 0) {
                const [id] = open.splice(op.which % open.length, 1);
                await res.repair(TEST_OPERATOR, id);
              }
              events++;
              await checkResilience(db);
              await assertDownMeansInfeasible(db, views);
            }
            for (const id of open) await res.repair(TEST_OPERATOR, id);
            await checkResilience(db);
            const all = await services(db);
            assert.ok(all.every((s) => s.state === 'active' || s.state === 'reserved'), 'every failure repaired: everything is up');
            await publishEvents(db);
            const types = await db.query<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM events WHERE type LIKE 'service.%' GROUP BY type`);
            for (const t of types.rows) seen.set(t.type, (seen.get(t.type) ?? 0) + Number(t.n));
          } finally {
            await db.close();
          }
        }),
        { seed: 77_001, numRuns: driver.name === 'pglite' ? 8 : 5 },
      );
      assert.ok(events >= 15, `sequences exercised (${events} events)`);
      for (const t of ['service.down', 'service.rerouted', 'service.protection-switched', 'service.restored']) assert.ok((seen.get(t) ?? 0) > 0, `${t} happened (${JSON.stringify([...seen])})`);
    });
  });
}
