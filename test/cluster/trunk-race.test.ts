/**
 * Packet orders for one site pair placed at the same instant by separate processes (separate pools and
 * ordering services, as replicas have) light one trunk between them, not one each: the per-pair queue
 * inside a process cannot see the other processes, so an order that would light a new trunk is planned
 * again under the pair's transaction-level advisory lock, after it, where it sees a trunk just lit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { alice, checkInvariants, loadTinyNetwork } from '../ordering/support.js';

const url = process.env.DATABASE_URL;

describe('packet orders for one pair from several processes', { skip: url ? false : 'needs DATABASE_URL: several processes share a server' }, () => {
  let db: Db;
  const handles: Db[] = [];
  before(async () => {
    db = await postgresDriver(url as string).open();
    await loadTinyNetwork(db, { slotCount: 96 });
    const search = await db.query<{ setting: string }>("SELECT current_setting('search_path') AS setting");
    for (let i = 0; i < 4; i++) handles.push(await openPostgres({ url: url as string, searchPath: search.rows[0].setting.replace(/\s+/g, ''), max: 8 }));
  });
  after(async () => {
    for (const h of handles) await h.close();
    await db.close();
  });

  test('every pair gets exactly one trunk for demand that fits in one', { timeout: 120_000 }, async () => {
    const services = handles.map((h) => new OrderingService(h));
    const pairs: [string, string][] = [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['a', 'c']];
    for (const [a, z] of pairs) {
      // 12 x 10G fits one 400G trunk; three orders from each of four processes, all at once.
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => services[i % services.length].placeOrder(alice, { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: 10, protection: 'unprotected' })));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.deepEqual(failed.map((f) => String(f.reason)), []);
    }
    const trunks = await db.query<{ pair: string; n: number }>(
      `SELECT least(a_site_id, z_site_id) || '-' || greatest(a_site_id, z_site_id) AS pair, count(*)::int AS n FROM trunks WHERE retired_at IS NULL GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(trunks.rows.map((r) => [r.pair, Number(r.n)]), [['a-b', 1], ['a-c', 1], ['a-d', 1], ['b-c', 1], ['c-d', 1]]);
    await checkInvariants(db);
  });
});
