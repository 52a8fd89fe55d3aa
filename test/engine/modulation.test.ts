import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MODULATIONS, chooseModulation, placeRegenerators } from '../../src/engine/modulation.js';

/** Fewest regenerators by trying every subset of intermediate sites, smallest subsets first. */
function bruteMinRegens(km: number[], reach: number): number | null {
  const inner = km.length - 1;
  let best: number | null = null;
  for (let mask = 0; mask < 1 << Math.max(0, inner); mask++) {
    let acc = 0;
    let ok = true;
    for (let i = 0; i < km.length && ok; i++) {
      if (i > 0 && mask & (1 << (i - 1))) acc = 0;
      acc += km[i];
      if (acc > reach) ok = false;
    }
    if (!ok) continue;
    let bits = 0;
    for (let m = mask; m; m &= m - 1) bits++;
    if (best === null || bits < best) best = bits;
  }
  return best;
}

test('greedy regenerator placement is feasible and minimal (brute force over all site subsets)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 11 }), fc.integer({ min: 100, max: 2500 }), (km, reach) => {
      const got = placeRegenerators(km, reach);
      const best = bruteMinRegens(km, reach);
      if (best === null) {
        assert.equal(got, null);
        return;
      }
      assert.ok(got !== null);
      assert.equal(got.length, best);
      const cuts = [0, ...got, km.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        assert.ok(cuts[i + 1] > cuts[i] && cuts[i] >= 0 && cuts[i + 1] <= km.length);
        const seg = km.slice(cuts[i], cuts[i + 1]).reduce((a, b) => a + b, 0);
        assert.ok(seg <= reach, `segment ${seg} km exceeds reach ${reach}`);
      }
    }),
    { seed: 5, numRuns: 3000 },
  );
});

test('chooseModulation picks the narrowest mode whose reach covers the length', () => {
  fc.assert(
    fc.property(fc.constantFrom(100, 200, 400, 800), fc.integer({ min: 0, max: 3000 }), (rate, km) => {
      const m = chooseModulation(rate, km);
      const fitting = DEFAULT_MODULATIONS.filter((x) => x.lineRateGbps === rate && x.reachKm >= km);
      if (fitting.length === 0) return assert.equal(m, null);
      assert.ok(m !== null && m.reachKm >= km && m.lineRateGbps === rate);
      assert.equal(m.slots, Math.min(...fitting.map((x) => x.slots)));
    }),
    { seed: 6, numRuns: 500 },
  );
  // The brief's worked example: 400G DP-16QAM in 75 GHz.
  assert.equal(DEFAULT_MODULATIONS.find((m) => m.lineRateGbps === 400 && m.format === 'DP-16QAM')?.slots, 6);
});
