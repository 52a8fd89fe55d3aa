/**
 * The process's lit channels (LitChannels) hold exactly the lightpaths the store holds once orders have
 * settled: a plan's tentative waves are lit while it is judged and written, and every way out of an
 * order (written, refused, planned again) turns off the ones that were not written. Packet orders that
 * light a new trunk take, on the PostgreSQL server, a second attempt under the site pair's lock: the
 * first attempt's trunk wave must go dark (it stayed lit, and every later plan counted it as noise).
 * The oracle is the store's own list of lit spectrum allocations (litChannelRows).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { InventoryService } from '../../src/services/inventory.js';
import { litChannelRows } from '../../src/store/ordering.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice } from './support.js';

for (const driver of testDrivers()) {
  describe(`lit channels after orders settle (${driver.name})`, () => {
    let db: Db;
    before(async () => {
      db = await driver.open();
      await new InventoryService(db).initialize();
    });
    after(async () => db.close());

    test('waves and packet circuits on new trunks: the lightpaths lit in the process are the store\'s', async () => {
      const ordering = new OrderingService(db);
      const pops = builtinNetwork().sites.filter((s) => s.kind === 'pop').map((s) => s.id);
      const start = new Date(Date.now() + 3_600_000).toISOString();
      let placed = 0;
      // Each ethernet pair is new: its first circuit lights a trunk. Waves between them, some in a window.
      for (let k = 0; k < 8; k++) {
        const [a, z] = [pops[k], pops[pops.length - 1 - k]];
        const bodies = [
          { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: 10, protection: 'unprotected' },
          { product: 'wave', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected', ...(k % 2 === 0 ? { start, end: new Date(Date.parse(start) + 86_400_000).toISOString() } : {}) },
        ];
        for (const body of bodies) {
          try {
            await ordering.placeOrder(alice, body);
            placed++;
          } catch (err) {
            if (!(err instanceof LightpathError && err.code === 'capacity-exhausted')) throw err;
          }
        }
      }
      assert.ok(placed >= 12, `most orders are placed (${placed})`);
      const view = await ordering.views.cached(db);
      await ordering.lit.ready(db, view);
      const rows = await litChannelRows(db);
      const stored = new Set(rows.rows.filter((r) => r.live && r.channel !== null).map((r) => (r.channel as { l: string }).l));
      const lit = new Set(ordering.lit.stateOf(view).ids());
      const extra = [...lit].filter((id) => !stored.has(id));
      const missing = [...stored].filter((id) => !lit.has(id));
      assert.deepEqual(extra, [], 'no lightpath lit in the process that the store does not hold (a tentative wave left on)');
      assert.deepEqual(missing, [], 'every lightpath the store holds is lit in the process');
      assert.ok(stored.size >= placed, `trunk and wave lightpaths (${stored.size})`);
    });
  });
}
