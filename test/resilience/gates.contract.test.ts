/**
 * Atomic gates: an order, modify or restoration commits only if the network it planned on (inventory
 * version, failure state) still holds at commit. Here cuts, repairs and span edits run concurrently
 * with an order storm (on the PostgreSQL server too, where they truly interleave); afterwards, once
 * the background restoration has run, no active service uses a failed span, none uses a span that is
 * gone, and the allocation invariants hold.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { createServices, type Services } from '../../src/services/index.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { LightpathError } from '../../src/domain/errors.js';
import { loadTinyNetwork, alice, bob } from '../ordering/support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { checkResilience, realSpans, services as liveServices, working } from './support.js';
import { EmulatorDriver } from '../../src/services/ordering/activation.js';

/** A small deterministic generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXPECTED = new Set(['capacity-exhausted', 'busy', 'in-use', 'conflict', 'validation-failed', 'not-found']);

async function tolerate<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof LightpathError && EXPECTED.has(err.code)) return null;
    throw err;
  }
}

for (const driver of testDrivers()) {
  describe(`gates under concurrent cuts and edits on ${driver.name}`, () => {
    let db: Db;
    let s: Services;
    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { fiberPairs: 2, slotCount: 64, strandCount: 40 });
      s = createServices(db, { driver: new EmulatorDriver({ delayMs: 2 }), workerPollMs: 20 });
      // Two extra parallel routes the edits add and remove while orders may be planning over them.
      for (const id of ['a-b-2', 'c-d-2']) {
        const [a, z] = id === 'a-b-2' ? ['a', 'b'] : ['c', 'd'];
        await s.inventory.createSpan(TEST_OPERATOR, { id, aSiteId: a, zSiteId: z, lengthKm: 130, cables: [{ id: `${id}-c1`, strandCount: 24, strandsInUse: 0 }] });
      }
    });
    after(async () => {
      await s.worker.close();
      await db.close();
    });

    test('orders, cuts, repairs and span edits at once: nothing lands on a failed or removed span', async () => {
      const random = rng(driver.name === 'postgres' ? 7310 : 1311);
      const locked = new OrderingService(db, { optimisticOrders: false });
      s.worker.start();
      const pairs: [string, string][] = [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['a', 'd'], ['b', 'c']];
      const products = ['wave', 'wave', 'dark-fiber', 'ethernet'] as const;
      const orders = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const [a, z] = pairs[Math.floor(random() * pairs.length)];
          const product = products[Math.floor(random() * products.length)];
          const spec = { product, aSite: a, zSite: z, bandwidthGbps: product === 'wave' ? 100 : product === 'ethernet' ? 10 : 0, protection: random() < 0.3 ? 'restorable' : 'unprotected' };
          await tolerate((random() < 0.3 ? locked : s.ordering).placeOrder(random() < 0.5 ? alice : bob, spec));
        }
      };
      const spans = ['a-b', 'b-c', 'c-d', 'd-a', 'a-c', 'a-b-2', 'c-d-2'];
      const cuts = async (n: number) => {
        const open: string[] = [];
        for (let i = 0; i < n; i++) {
          if (open.length > 0 && random() < 0.4) {
            await tolerate(s.resilience.repair(TEST_OPERATOR, open.splice(Math.floor(random() * open.length), 1)[0]));
          } else {
            const r = await tolerate(s.resilience.cut(TEST_OPERATOR, { spans: [spans[Math.floor(random() * spans.length)]] }));
            if (r?.created) open.push(r.failure.id);
          }
          await new Promise((res) => setTimeout(res, random() * 15));
        }
      };
      const edits = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const id = random() < 0.5 ? 'a-b-2' : 'c-d-2';
          const [a, z] = id === 'a-b-2' ? ['a', 'b'] : ['c', 'd'];
          const r = random();
          if (r < 0.4) await tolerate(s.inventory.deleteSpan(TEST_OPERATOR, id));
          else if (r < 0.7) await tolerate(s.inventory.createSpan(TEST_OPERATOR, { id, aSiteId: a, zSiteId: z, lengthKm: 130, cables: [{ id: `${id}-c1`, strandCount: 24, strandsInUse: 0 }] }));
          else await tolerate(s.inventory.updateSpan(TEST_OPERATOR, 'a-c', { lengthKm: 150 + Math.floor(random() * 20) }));
          await new Promise((res) => setTimeout(res, random() * 10));
        }
      };
      const heavy = driver.name === 'postgres';
      await Promise.all([orders(heavy ? 40 : 20), orders(heavy ? 40 : 10), orders(heavy ? 40 : 10), cuts(heavy ? 24 : 10), edits(heavy ? 24 : 10)]);
      // Let activation and restoration (retried by the worker) settle.
      for (let i = 0; i < 200; i++) {
        const pending = await db.query(`SELECT 1 FROM jobs WHERE dead_at IS NULL LIMIT 1`);
        if (pending.rows.length === 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      await s.worker.close();
      assert.equal((await db.query('SELECT 1 FROM jobs')).rows.length, 0, 'every job done');
      const present = new Set((await db.query<{ id: string }>('SELECT id FROM spans')).rows.map((r) => r.id));
      let active = 0;
      for (const svc of await liveServices(db)) {
        if (svc.state !== 'active' && svc.state !== 'down') continue;
        active++;
        for (const sp of await realSpans(db, working(svc.design))) assert.ok(present.has(sp), `${svc.id} uses ${sp}, which was removed`);
      }
      assert.ok(active >= 10, `${active} live services`);
      await checkResilience(db);
    });
  });
}
