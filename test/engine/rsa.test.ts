import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Graph, Path } from '../../src/engine/graph.js';
import { kShortestPaths } from '../../src/engine/paths.js';
import { DEFAULT_MODULATIONS, placeRegenerators } from '../../src/engine/modulation.js';
import type { PathSelection, RsaAssignment } from '../../src/engine/rsa.js';
import { assignSpectrum, commitAssignment, releaseAssignment } from '../../src/engine/rsa.js';
import type { FitPolicy } from '../../src/engine/spectrum.js';
import { SpectrumGrid } from '../../src/engine/spectrum.js';
import { arbNet, toGraph } from './support/gen.js';

const SLOTS = 24;

/** Can the path carry the rate with some mode (greedy regenerators, any common free range per segment)? */
function bruteFeasible(g: Graph, owner: Int32Array[], p: Path, rate: number): boolean {
  for (const mode of DEFAULT_MODULATIONS.filter((m) => m.lineRateGbps === rate)) {
    const regen = placeRegenerators(p.spans.map((e) => g.lengthKm[e]), mode.reachKm);
    if (!regen) continue;
    const cuts = [0, ...regen, p.spans.length];
    let ok = true;
    for (let i = 0; i + 1 < cuts.length && ok; i++) {
      const spans = p.spans.slice(cuts[i], cuts[i + 1]);
      let any = false;
      for (let s = 0; s + mode.slots <= SLOTS && !any; s++) {
        let free = true;
        for (const e of spans) for (let k = s; k < s + mode.slots; k++) if (owner[e][k] >= 0) free = false;
        any = free;
      }
      ok = any;
    }
    if (ok) return true;
  }
  return false;
}

function freeCount(owner: Int32Array[], e: number): number {
  return owner[e].filter((x) => x < 0).length;
}

test('RSA: never double-books a slot, keeps continuity/contiguity/reach, and selects paths as specified', () => {
  let assigned = 0;
  let blocked = 0;
  fc.assert(
    fc.property(
      arbNet(6, 10, 'none'),
      fc.array(
        fc.record({
          s: fc.nat(5),
          t: fc.nat(5),
          rate: fc.constantFrom(100, 200, 400, 800),
          policy: fc.constantFrom<FitPolicy>('first-fit', 'last-fit', 'best-fit'),
          selection: fc.constantFrom<PathSelection>('shortest-first', 'least-loaded'),
          release: fc.nat(10),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      (net, demands) => {
        const g = toGraph(net);
        const grid = new SpectrumGrid(g.spanCount, SLOTS);
        const owner = Array.from({ length: g.spanCount }, () => new Int32Array(SLOTS).fill(-1));
        const live: RsaAssignment[] = [];
        demands.forEach((d, id) => {
          const s = d.s % g.nodeCount;
          const t = d.t % g.nodeCount;
          if (s === t) return;
          if (d.release < 3 && live.length > 0) {
            const a = live.splice(d.release % live.length, 1)[0];
            releaseAssignment(grid, a);
            for (const seg of a.segments) for (const e of seg.spans) for (let k = seg.startSlot; k < seg.startSlot + a.slots; k++) owner[e][k] = -1;
          }
          const cands = kShortestPaths(g, s, t, 3, { metric: 'length' }).paths;
          const a = assignSpectrum(g, grid, cands, { lineRateGbps: d.rate, policy: d.policy, selection: d.selection });
          const feasible = cands.map((p) => bruteFeasible(g, owner, p, d.rate));
          if (!a) {
            blocked++;
            assert.ok(feasible.every((f) => !f), 'returned null though a candidate was feasible');
            return;
          }
          assigned++;
          assert.ok(feasible[a.pathIndex], 'chose an infeasible candidate');
          if (d.selection === 'shortest-first') assert.ok(feasible.slice(0, a.pathIndex).every((f) => !f), 'skipped an earlier feasible candidate');
          else {
            const load = (i: number): number => Math.min(...cands[i].spans.map((e) => freeCount(owner, e)));
            cands.forEach((_, i) => {
              if (!feasible[i]) return;
              assert.ok(load(i) < load(a.pathIndex) || (load(i) === load(a.pathIndex) && i >= a.pathIndex), 'not least loaded');
            });
          }
          assert.equal(a.mode.lineRateGbps, d.rate);
          assert.deepEqual(a.segments.flatMap((x) => x.spans), a.path.spans, 'segments do not cover the path');
          for (const seg of a.segments) {
            const km = seg.spans.reduce((acc, e) => acc + g.lengthKm[e], 0);
            assert.ok(km <= a.mode.reachKm, 'segment beyond reach');
          }
          commitAssignment(grid, a);
          for (const seg of a.segments) {
            for (const e of seg.spans) {
              for (let k = seg.startSlot; k < seg.startSlot + a.slots; k++) {
                assert.equal(owner[e][k], -1, `slot ${k} of span ${e} assigned twice`);
                owner[e][k] = id;
              }
            }
          }
          live.push(a);
          for (let e = 0; e < g.spanCount; e++) assert.equal(grid.freeSlots(e), freeCount(owner, e));
        });
      },
    ),
    { seed: 31337, numRuns: 400 },
  );
  assert.ok(assigned > 500 && blocked > 50, `assigned ${assigned}, blocked ${blocked}`);
});
