import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeldIndex, type HeldInterval } from '../../src/engine/held-index.js';

type Item = HeldInterval & { id: number };

/** The oracle: every item, tested one by one for meeting [fromMs, toMs) (half-open, null = open-ended). */
function meets(it: HeldInterval, fromMs: number, toMs: number | null): boolean {
  return (it.toMs === null || it.toMs > fromMs) && (toMs === null || it.fromMs < toMs);
}

const ids = (xs: readonly Item[]): number[] => xs.map((x) => x.id).sort((a, b) => a - b);

test('collectIn finds exactly the items meeting the window, through adds, deletes and searches in any order', () => {
  // Small integer times so that items touch windows at their ends, start together and nest.
  const time = fc.integer({ min: 0, max: 40 });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), fromMs: time, len: fc.option(fc.integer({ min: 0, max: 25 }), { nil: null }) }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('search' as const), fromMs: time, len: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const index = new HeldIndex<Item>();
      const model: Item[] = [];
      let next = 0;
      for (const o of ops) {
        if (o.kind === 'add') {
          const it: Item = { id: next++, fromMs: o.fromMs, toMs: o.len === null ? null : o.fromMs + o.len };
          index.add(it);
          model.push(it);
        } else if (o.kind === 'delete') {
          if (model.length === 0) continue;
          const [it] = model.splice(o.pick % model.length, 1);
          index.delete(it);
        } else {
          const toMs = o.len === null ? null : o.fromMs + o.len;
          const out: Item[] = [];
          index.collectIn(o.fromMs, toMs, out);
          assert.deepEqual(ids(out), ids(model.filter((it) => meets(it, o.fromMs, toMs))), `window [${o.fromMs}, ${toMs ?? '∞'})`);
        }
        assert.equal(index.size, model.length);
      }
    }),
    { numRuns: 500 },
  );
});

test('an item is found once, and a long item far back still reaches into a late window', () => {
  const index = new HeldIndex<Item>();
  const long: Item = { id: 1, fromMs: 0, toMs: 1_000 };
  const short: Item = { id: 2, fromMs: 10, toMs: 20 };
  const open: Item = { id: 3, fromMs: 5, toMs: null };
  for (const it of [short, long, open]) index.add(it);
  const out: Item[] = [];
  index.collectIn(500, 600, out);
  // The short item started after the long one and ended long before the window: only the long and open ones.
  assert.deepEqual(ids(out), [1, 3]);
  // Deleting an item not held changes nothing; the same window after a real delete loses it.
  index.delete({ id: 9, fromMs: 0, toMs: 1_000 });
  index.delete(long);
  const after: Item[] = [];
  index.collectIn(500, 600, after);
  assert.deepEqual(ids(after), [3]);
  // Half-open: a window ending where an item starts, or starting where it ends, does not meet it.
  const edges: Item[] = [];
  index.collectIn(20, 25, edges);
  index.collectIn(0, 5, edges);
  assert.deepEqual(ids(edges), [3]);
});
