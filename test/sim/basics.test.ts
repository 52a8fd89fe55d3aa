import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/engine/sim/rng.js';
import { AliasTable } from '../../src/engine/sim/alias.js';
import { DepartureHeap } from '../../src/engine/sim/event-heap.js';
import { batchMeansEstimate, erlangB, normalQuantile, studentTQuantile } from '../../src/engine/sim/stats.js';
import { erlangBTable } from './helpers.js';

// Chi-square critical value at 0.999 by Wilson-Hilferty: loose enough that a correct generator
// with a fixed seed passes, tight enough that a biased one (e.g. off-by-one) fails.
function chiSquareCritical(df: number): number {
  const z = normalQuantile(0.999);
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

test('rng: same seed gives the same stream, different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 100 }, () => a.nextU32());
  assert.deepEqual(sa, Array.from({ length: 100 }, () => b.nextU32()));
  assert.notDeepEqual(sa, Array.from({ length: 100 }, () => c.nextU32()));
});

test('rng: nextInt is uniform (chi-square) and nextExp has the requested mean', () => {
  const rng = new Rng(7);
  const bins = 13;
  const n = 130_000;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[rng.nextInt(bins)]++;
  const expected = n / bins;
  const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert.ok(chi < chiSquareCritical(bins - 1), `chi-square ${chi}`);
  let sum = 0;
  const m = 200_000;
  for (let i = 0; i < m; i++) sum += rng.nextExp(3);
  // Standard error of the mean of an exponential with mean 3 is 3 / sqrt(m); allow 4 of them.
  assert.ok(Math.abs(sum / m - 3) < 4 * 3 / Math.sqrt(m), `mean ${sum / m}`);
});

test('alias table: draw frequencies match the weights (chi-square)', () => {
  const weights = [0.5, 0, 3, 1, 0.25, 2];
  const table = new AliasTable(weights);
  const rng = new Rng(11);
  const n = 200_000;
  const counts = new Array<number>(weights.length).fill(0);
  for (let i = 0; i < n; i++) counts[table.sample(rng)]++;
  assert.equal(counts[1], 0, 'a zero weight is never drawn');
  const total = weights.reduce((a, b) => a + b, 0);
  let chi = 0;
  weights.forEach((w, i) => {
    if (w > 0) chi += (counts[i] - (n * w) / total) ** 2 / ((n * w) / total);
  });
  assert.ok(chi < chiSquareCritical(weights.length - 2), `chi-square ${chi}`);
  assert.throws(() => new AliasTable([0, 0]));
});

test('departure heap pops in time order (property, against a sort)', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 200 }), (times) => {
      const heap = new DepartureHeap(times.length + 1);
      times.forEach((t, i) => heap.push(t, i));
      const popped: number[] = [];
      while (heap.size > 0) {
        const t = heap.peekTime();
        const id = heap.pop();
        assert.equal(times[id], t);
        popped.push(t);
      }
      assert.deepEqual(popped, [...times].sort((a, b) => a - b));
      assert.equal(heap.pop(), -1);
    }),
    { seed: 20261121, numRuns: 200 },
  );
});

test('erlangB matches the exact table in shared data', () => {
  for (const [w, a, b] of erlangBTable()) {
    const got = erlangB(a, w);
    assert.ok(Math.abs(got - b) <= 1e-3 * b, `B(${a}, ${w}) = ${got}, table ${b}`);
  }
});

test('t quantiles match printed tables and batch means give the textbook interval', () => {
  // Printed two-sided 95% t values (any statistics textbook): df 5 -> 2.571, 19 -> 2.093, 29 -> 2.045.
  assert.ok(Math.abs(studentTQuantile(0.975, 5) - 2.571) < 5e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, 19) - 2.093) < 2e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, 29) - 2.045) < 2e-3);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  const est = batchMeansEstimate([1, 2, 3, 4, 5]);
  assert.equal(est.mean, 3);
  // sd = sqrt(2.5); hw = t(0.975, 4) * sd / sqrt(5), t(0.975, 4) = 2.776 from tables.
  assert.ok(Math.abs(est.halfWidth - 2.776 * Math.sqrt(2.5) / Math.sqrt(5)) < 0.02);
});
