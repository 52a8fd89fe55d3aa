/**
 * The allocation retry loop's tallies on /metrics: attempts grow with every order written, and a lost
 * race for capacity shows as a retry with its SQLSTATE (what bench:cluster reads to explain throughput).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/api/metrics.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { withAllocationRetry } from '../../src/services/ordering/common.js';
import { pgliteDriver } from '../support/db.js';
import { alice, loadTinyNetwork } from '../ordering/support.js';

function value(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

test('allocation attempts and retries by cause are counted on /metrics', async () => {
  const db = await pgliteDriver.open();
  try {
    await loadTinyNetwork(db);
    const metrics = createMetrics(async () => ({ sites: 0, spans: 0, srlgs: 0 }));
    const before = await metrics.registry.metrics();
    const ordering = new OrderingService(db);
    await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
    await ordering.placeOrder(alice, { product: 'dark-fiber', aSite: 'c', zSite: 'd', protection: 'unprotected' });
    // A writer that loses one race for a range (the exclusion constraint's SQLSTATE), then succeeds.
    let calls = 0;
    await withAllocationRetry(db, async () => {
      if (++calls === 1) throw Object.assign(new Error('conflicting key value violates exclusion constraint'), { code: '23P01' });
      return null;
    });
    const after = await metrics.registry.metrics();
    assert.ok(value(after, 'lightpath_allocation_attempts_total') - value(before, 'lightpath_allocation_attempts_total') >= 4, 'two orders and two attempts');
    assert.equal(value(after, 'lightpath_allocation_retries_total', '{cause="23P01"}') - value(before, 'lightpath_allocation_retries_total', '{cause="23P01"}'), 1);
    // A second scrape adds nothing that did not happen.
    assert.equal(value(await metrics.registry.metrics(), 'lightpath_allocation_attempts_total'), value(after, 'lightpath_allocation_attempts_total'));
  } finally {
    await db.close();
  }
});
