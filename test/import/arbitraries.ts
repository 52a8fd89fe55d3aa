/** fast-check generators of valid networks, for round-trip and validation properties. */
import fc from 'fast-check';
import { SITE_KINDS, SRLG_KINDS } from '../../src/domain/network.js';
import type { Cable, LineSystem, Network, Site, Span, Srlg } from '../../src/domain/network.js';

/** fc.record without null-prototype objects, which deepStrictEqual would tell apart from parsed JSON. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

/** Fixed seed so every run of the suite checks the same cases. */
export const FC_SEED = 20261121;

// JSON cannot tell -0 from 0, so generated numbers never hold -0.
const noNegZero = (x: number): number => (Object.is(x, -0) ? 0 : x);
const lat = fc.double({ min: -90, max: 90, noNaN: true }).map(noNegZero);
const lon = fc.double({ min: -180, max: 180, noNaN: true }).map(noNegZero);
const positive = (max: number): fc.Arbitrary<number> => fc.double({ min: 1e-6, max, noNaN: true, noDefaultInfinity: true });
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);
const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,16}$/);

const site = (siteId: string): fc.Arbitrary<Site> =>
  fc.constantFrom(...SITE_KINDS).chain((kind) =>
    rec({
      id: fc.constant(siteId),
      name: text,
      kind: fc.constant(kind),
      lat,
      lon,
      metro: fc.option(text, { nil: null }),
      cloudProvider: kind === 'cloud-onramp' ? fc.option(text, { nil: null }) : fc.constant(null),
      cloudRegion: kind === 'cloud-onramp' ? fc.option(text, { nil: null }) : fc.constant(null),
    }),
  );

const cable = (cableId: string): fc.Arbitrary<Cable> =>
  fc.integer({ min: 1, max: 1728 }).chain((strandCount) =>
    rec({ id: fc.constant(cableId), strandCount: fc.constant(strandCount), strandsInUse: fc.integer({ min: 0, max: strandCount }) }),
  );

const lineSystem: fc.Arbitrary<LineSystem> = rec({
  fiberPairs: fc.integer({ min: 1, max: 64 }),
  slotCount: fc.integer({ min: 1, max: 4096 }),
  slotWidthGhz: positive(100),
  startFrequencyGhz: positive(300_000),
});

const span = (spanId: string, siteIds: string[], srlgIds: string[]): fc.Arbitrary<Span> =>
  fc
    .tuple(fc.integer({ min: 0, max: siteIds.length - 1 }), fc.integer({ min: 1, max: siteIds.length - 1 }))
    .chain(([a, offset]) =>
      rec({
        id: fc.constant(spanId),
        aSiteId: fc.constant(siteIds[a]),
        zSiteId: fc.constant(siteIds[(a + offset) % siteIds.length]),
        lengthKm: positive(40_000),
        measuredLatencyUs: fc.option(positive(200_000), { nil: null }),
        geometry: rec({ type: fc.constant('LineString' as const), coordinates: fc.array(fc.tuple(lon, lat), { minLength: 2, maxLength: 4 }) }),
        srlgIds: fc.subarray(srlgIds),
        // Suffixing the (unique) span id keeps cable ids unique network-wide.
        cables: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => cable(`${spanId}-c${k}`)))),
        lineSystem: fc.option(lineSystem, { nil: null }),
      }),
    );

/** Arbitrary valid network: unique ids, spans between distinct existing sites, known SRLGs. */
export const networkArb: fc.Arbitrary<Network> = fc
  .record({
    name: text,
    siteIds: fc.uniqueArray(id, { minLength: 2, maxLength: 6 }),
    spanIds: fc.uniqueArray(id, { maxLength: 8 }),
    srlgs: fc.uniqueArray(
      rec({ id, name: text, kind: fc.constantFrom(...SRLG_KINDS) }) as fc.Arbitrary<Srlg>,
      { maxLength: 4, selector: (s) => s.id },
    ),
  })
  .chain(({ name, siteIds, spanIds, srlgs }) =>
    rec({
      name: fc.constant(name),
      sites: fc.tuple(...siteIds.map(site)),
      spans: fc.tuple(...spanIds.map((s) => span(s, siteIds, srlgs.map((g) => g.id)))),
      srlgs: fc.constant(srlgs),
    }),
  );
