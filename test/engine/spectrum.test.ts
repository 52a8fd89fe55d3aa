import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FitPolicy } from '../../src/engine/spectrum.js';
import { SpectrumGrid, findSlotRange } from '../../src/engine/spectrum.js';

type Op = { kind: 'occupy' | 'release'; span: number; start: number; width: number };

test('occupy/release/isFree/freeSlots agree with a boolean model; no slot is ever assigned twice', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(1, 7, 32, 33, 64, 70, 384),
      fc.array(fc.record({ kind: fc.constantFrom<Op['kind']>('occupy', 'release'), span: fc.nat(3), start: fc.nat(383), width: fc.integer({ min: 1, max: 40 }) }), { maxLength: 60 }),
      (spans, slots, ops) => {
        const grid = new SpectrumGrid(spans, slots);
        const model = Array.from({ length: spans }, () => new Array<boolean>(slots).fill(false));
        for (const op of ops) {
          const span = op.span % spans;
          const start = op.start % slots;
          const width = Math.min(op.width, slots - start);
          const range = model[span].slice(start, start + width);
          assert.equal(grid.isFree(span, start, width), range.every((b) => !b));
          if (op.kind === 'occupy') {
            if (range.some((b) => b)) assert.throws(() => grid.occupy(span, start, width));
            else {
              grid.occupy(span, start, width);
              for (let i = start; i < start + width; i++) model[span][i] = true;
            }
          } else if (range.some((b) => !b)) assert.throws(() => grid.release(span, start, width));
          else {
            grid.release(span, start, width);
            for (let i = start; i < start + width; i++) model[span][i] = false;
          }
        }
        for (let s = 0; s < spans; s++) {
          assert.equal(grid.freeSlots(s), model[s].filter((b) => !b).length);
          for (let i = 0; i < grid.wordsPerSpan * 32; i++) {
            const bit = (grid.bits[s * grid.wordsPerSpan + (i >>> 5)] >>> (i & 31)) & 1;
            assert.equal(bit, i < slots && model[s][i] ? 1 : 0, `span ${s} bit ${i}`);
          }
        }
        const copy = grid.clone();
        if (slots > 0 && copy.isFree(0, 0, 1)) {
          copy.occupy(0, 0, 1);
          assert.equal(grid.isFree(0, 0, 1), true, 'clone shares storage');
        }
      },
    ),
    { seed: 4242, numRuns: 1500 },
  );
  assert.throws(() => new SpectrumGrid(1, 8).occupy(0, 5, 4), RangeError);
});

/** Brute-force slot choice by scanning every start, following the policy definitions in spectrum.ts. */
function bruteFit(free: (slot: number) => boolean, slots: number, width: number, policy: FitPolicy, maxStart: number): number {
  const limit = Math.min(maxStart, slots - width + 1);
  const fits = (s: number): boolean => {
    for (let i = s; i < s + width; i++) if (!free(i)) return false;
    return true;
  };
  const starts: number[] = [];
  for (let s = 0; s < limit; s++) if (fits(s)) starts.push(s);
  if (starts.length === 0) return -1;
  if (policy === 'first-fit') return starts[0];
  if (policy === 'last-fit') return starts[starts.length - 1];
  let best = -1;
  let bestLeft = Infinity;
  for (let b = 0; b < slots; ) {
    if (!free(b)) {
      b++;
      continue;
    }
    let e = b;
    while (e < slots && free(e)) e++;
    if (e - b >= width && b < limit && e - b - width < bestLeft) {
      bestLeft = e - b - width;
      best = b;
    }
    b = e;
  }
  return best;
}

test('findSlotRange: first/last/best fit agree with a brute-force scan (continuity + contiguity)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 5, 32, 40, 64, 100),
      fc.array(fc.array(fc.nat(99), { maxLength: 60 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(4), { maxLength: 5 }),
      fc.integer({ min: 1, max: 20 }),
      fc.constantFrom<FitPolicy>('first-fit', 'last-fit', 'best-fit'),
      fc.option(fc.integer({ min: 0, max: 110 }), { nil: undefined }),
      (slots, occupied, pathRaw, width, policy, maxStart) => {
        const spans = occupied.length;
        const grid = new SpectrumGrid(spans, slots);
        for (let s = 0; s < spans; s++) for (const i of occupied[s]) if (i < slots && grid.isFree(s, i, 1)) grid.occupy(s, i, 1);
        const path = pathRaw.map((x) => x % spans);
        const got = findSlotRange(grid, Int32Array.from(path), path.length, width, policy, maxStart);
        const free = (i: number): boolean => path.every((s) => grid.isFree(s, i, 1));
        const want = width > slots ? -1 : bruteFit(free, slots, width, policy, maxStart ?? Infinity);
        assert.equal(got, want);
        if (got >= 0) for (const s of path) assert.ok(grid.isFree(s, got, width));
      },
    ),
    { seed: 99, numRuns: 5000 },
  );
});
