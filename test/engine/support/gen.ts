/**
 * Random small networks for oracle tests: parallel spans, integer weights (so ties happen), zero costs,
 * and SRLGs either absent, "star" shaped (each span in at most one SRLG whose spans share a site) or arbitrary.
 */
import fc from 'fast-check';
import type { Graph } from '../../../src/engine/graph.js';
import { buildGraph } from '../../../src/engine/graph.js';

export interface SmallSpan {
  a: number;
  z: number;
  lat: number;
  len: number;
  cost: number;
  srlgs: number[];
}

export interface SmallNet {
  n: number;
  spans: SmallSpan[];
}

export type SrlgMode = 'none' | 'star' | 'any';

/** Arbitrary small network with up to maxNodes sites and maxSpans spans. */
export function arbNet(maxNodes: number, maxSpans: number, srlgMode: SrlgMode): fc.Arbitrary<SmallNet> {
  return fc.integer({ min: 2, max: maxNodes }).chain((n) =>
    fc
      .array(
        fc.record({
          a: fc.nat(n - 1),
          d: fc.integer({ min: 1, max: n - 1 }),
          lat: fc.integer({ min: 1, max: 9 }),
          len: fc.integer({ min: 1, max: 900 }),
          cost: fc.integer({ min: 0, max: 4 }),
          srlg: fc.array(fc.nat(3), { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: maxSpans },
      )
      .map((raw) => {
        const centre = new Map<number, number>();
        const spans = raw.map((r) => {
          const a = r.a;
          const z = (r.a + r.d) % n;
          let srlgs: number[] = [];
          if (srlgMode === 'any') srlgs = [...new Set(r.srlg)];
          else if (srlgMode === 'star' && r.srlg.length > 0) {
            const k = r.srlg[0];
            const c = centre.get(k);
            if (c === undefined) {
              centre.set(k, a);
              srlgs = [k];
            } else if (c === a || c === z) srlgs = [k];
          }
          return { a, z, lat: r.lat, len: r.len, cost: r.cost, srlgs };
        });
        return { n, spans };
      }),
  );
}

/** Compact graph of a small network; site i is "n<i>", span j is "s<j>", SRLG k is "g<k>". */
export function toGraph(net: SmallNet): Graph {
  return buildGraph(
    Array.from({ length: net.n }, (_, i) => ({ id: `n${i}`, lat: 0, lon: i })),
    net.spans.map((s, j) => ({
      id: `s${j}`,
      aSiteId: `n${s.a}`,
      zSiteId: `n${s.z}`,
      lengthKm: s.len,
      latencyUs: s.lat,
      costWeight: s.cost,
      srlgIds: s.srlgs.map((k) => `g${k}`),
    })),
  );
}
