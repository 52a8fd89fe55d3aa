import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SpectrumGrid } from '../../src/engine/spectrum.js';
import { pathTableFor } from '../../src/engine/sim/simulator.js';
import { DEFAULT_FA_COST, makePolicy, widthOnPath, type PolicyContext, type PolicyName } from '../../src/engine/sim/policies.js';
import { nsfnetGraph } from './helpers.js';

const SLOTS = 40; // not a multiple of 32: exercises the band-edge handling
const g = nsfnetGraph();
const tables = { none: pathTableFor({ graph: g, k: 5 }), 'rl-gym': pathTableFor({ graph: g, k: 5, compat: 'rl-gym' }) };

/** Naive slot-by-slot view of the grid: free[e][i]. */
function freeMatrix(grid: SpectrumGrid): boolean[][] {
  return Array.from({ length: grid.spanCount }, (_, e) => Array.from({ length: SLOTS }, (_, i) => grid.isFree(e, i, 1)));
}

/** Brute-force first-fit start on a path: the lowest start whose slots are free on every span. */
function naiveFirstFit(free: boolean[][], spans: ArrayLike<number>, width: number, skipLast: boolean): number {
  const last = SLOTS - width - (skipLast ? 1 : 0);
  for (let s = 0; s <= last; s++) {
    let ok = true;
    for (let k = 0; k < spans.length && ok; k++) for (let i = s; i < s + width && ok; i++) ok = free[spans[k]][i];
    if (ok) return s;
  }
  return -1;
}

const scenario = fc.record({
  occupancy: fc.array(fc.array(fc.boolean(), { minLength: SLOTS, maxLength: SLOTS }), { minLength: 22, maxLength: 22 }),
  density: fc.integer({ min: 0, max: 3 }),
  src: fc.integer({ min: 0, max: 13 }),
  dstOffset: fc.integer({ min: 1, max: 13 }),
  sizeGbps: fc.integer({ min: 25, max: 100 }),
  compat: fc.constantFrom('none' as const, 'rl-gym' as const),
});

function setUp(sc: { occupancy: boolean[][]; density: number; compat: 'none' | 'rl-gym' }): PolicyContext {
  const grid = new SpectrumGrid(22, SLOTS);
  // density thins the random occupancy so that both placements and blocks occur.
  sc.occupancy.forEach((row, e) => row.forEach((busy, i) => { if (busy && (i + e) % 4 < sc.density) grid.occupy(e, i, 1); }));
  return {
    grid, table: tables[sc.compat], fixedSlots: 0, guardSlots: 1, skipLastStart: sc.compat === 'rl-gym',
    out: { path: -1, start: -1, width: 0 }, fa: DEFAULT_FA_COST, spanUsed: new Int32Array(22),
  };
}

test('sp-ff, ksp-ff, ff-ksp and llp-ff pick what a brute-force search picks (property)', () => {
  fc.assert(
    fc.property(scenario, (sc) => {
      const ctx = setUp(sc);
      const free = freeMatrix(ctx.grid);
      const n = g.nodeCount;
      const pair = sc.src * n + ((sc.src + sc.dstOffset) % n);
      const first = ctx.table.pairFirst[pair];
      const count = ctx.table.pairCount[pair];
      const skip = ctx.skipLastStart;
      const options = [];
      for (let p = first; p < first + count; p++) {
        const w = widthOnPath(ctx, p, sc.sizeGbps);
        const spans = ctx.table.pathSpans[p];
        const start = naiveFirstFit(free, spans, w, skip);
        let common = 0;
        for (let i = 0; i < SLOTS; i++) if (Array.from(spans).every((e) => free[e][i])) common++;
        options.push({ p, w, start, common });
      }
      const feasible = options.filter((o) => o.start >= 0);
      const expect: Record<string, { p: number; start: number } | undefined> = {
        'sp-ff': options[0].start >= 0 ? options[0] : undefined,
        'ksp-ff': feasible[0],
        'ff-ksp': [...feasible].sort((a, b) => a.start - b.start || a.p - b.p)[0],
        'llp-ff': [...feasible].sort((a, b) => b.common - a.common || a.p - b.p)[0],
      };
      for (const [name, want] of Object.entries(expect)) {
        const ok = makePolicy(name as PolicyName, ctx)(pair, sc.sizeGbps);
        assert.equal(ok, want !== undefined, name);
        if (want) assert.deepEqual([ctx.out.path, ctx.out.start], [want.p, want.start], name);
      }
    }),
    { seed: 777, numRuns: 300 },
  );
});

test('every policy places only on free slots and blocks only when no path has room (property)', () => {
  fc.assert(
    fc.property(scenario, (sc) => {
      const ctx = setUp(sc);
      const free = freeMatrix(ctx.grid);
      const n = g.nodeCount;
      const pair = sc.src * n + ((sc.src + sc.dstOffset) % n);
      const first = ctx.table.pairFirst[pair];
      let anyRoom = false;
      for (let p = first; p < first + ctx.table.pairCount[pair]; p++) {
        if (naiveFirstFit(free, ctx.table.pathSpans[p], widthOnPath(ctx, p, sc.sizeGbps), ctx.skipLastStart) >= 0) anyRoom = true;
      }
      for (const name of ['ksp-bf', 'ksp-lf', 'fa-cost'] as const) {
        const ok = makePolicy(name, ctx)(pair, sc.sizeGbps);
        assert.equal(ok, anyRoom, name);
        if (!ok) continue;
        const { path, start, width } = ctx.out;
        assert.ok(path >= first && path < first + ctx.table.pairCount[pair]);
        assert.equal(width, widthOnPath(ctx, path, sc.sizeGbps));
        assert.ok(start >= 0 && start + width <= SLOTS - (ctx.skipLastStart ? 1 : 0));
        for (const e of ctx.table.pathSpans[path]) for (let i = start; i < start + width; i++) assert.ok(free[e][i], `${name} slot ${i} span ${e}`);
      }
    }),
    { seed: 778, numRuns: 300 },
  );
});
