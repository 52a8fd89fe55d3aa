/**
 * Batcher: calls made while one is in flight share the next run, each caller gets its own result, at
 * most maxInFlight runs overlap, and a run that fails whole is retried item by item.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../src/services/ordering/batcher.js';

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('Batcher', () => {
  test('combines what queues behind a run, keeps results in order and respects maxInFlight', async () => {
    let running = 0;
    let most = 0;
    const runs: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        running++;
        most = Math.max(most, running);
        runs.push(xs);
        await tick();
        running--;
        return xs.map((x) => x * 10);
      },
      { maxBatch: 4, maxInFlight: 2 },
    );
    const out = await Promise.all(Array.from({ length: 11 }, (_, i) => b.submit(i)));
    assert.deepEqual(out, Array.from({ length: 11 }, (_, i) => i * 10));
    assert.ok(most <= 2, `at most 2 runs at once (saw ${most})`);
    assert.ok(runs.every((r) => r.length <= 4));
    assert.ok(runs.length < 11, 'calls were combined');
    assert.deepEqual(runs.flat().sort((x, y) => x - y), Array.from({ length: 11 }, (_, i) => i), 'every item ran exactly once');
    assert.deepEqual([b.stats.batches, b.stats.items], [runs.length, 11]);
  });

  test('a run that fails whole is retried item by item: only the bad item fails', async () => {
    const b = new Batcher<number, number>(
      async (xs) => {
        await tick();
        if (xs.includes(3)) throw new Error('3 spoils the batch');
        return xs.map((x) => -x);
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((x) => b.submit(x)));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')),
      [-1, -2, 'failed', -4],
    );
  });
});
