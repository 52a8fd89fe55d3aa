import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { availabilityOf, downtimeMs, type OutageMs } from '../../src/services/resilience/availability.js';

/** Independent oracle: count each integer millisecond of the window covered by some outage. */
function bruteDowntime(outages: OutageMs[], from: number, to: number): number {
  let n = 0;
  for (let t = from; t < to; t++) if (outages.some((o) => o.startMs <= t && (o.endMs === null || t < o.endMs))) n++;
  return n;
}

test('downtime and availability over any window equal a millisecond count (overlaps, open outages, clipping)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ start: fc.nat(400), len: fc.nat(120), open: fc.boolean() }), { maxLength: 8 }),
      fc.nat(400),
      fc.nat(400),
      (raw, a, b) => {
        const outages = raw.map((r) => ({ startMs: r.start, endMs: r.open ? null : r.start + r.len }));
        const from = Math.min(a, b);
        const to = Math.max(a, b);
        const expected = bruteDowntime(outages, from, to);
        assert.equal(downtimeMs(outages, from, to), expected);
        assert.equal(availabilityOf(outages, from, to), to > from ? 1 - expected / (to - from) : 1);
      },
    ),
    { seed: 424_242, numRuns: 400 },
  );
});
