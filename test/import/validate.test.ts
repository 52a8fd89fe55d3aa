import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_LINE_SYSTEM } from '../../src/domain/network.js';
import type { Network } from '../../src/domain/network.js';
import { validateNetwork, validateSite, validateSpan, validateSrlg } from '../../src/domain/validate.js';
import { FC_SEED, networkArb } from './arbitraries.js';

function base(): Network {
  return {
    name: 'test',
    sites: [
      { id: 'a', name: 'A', kind: 'pop', lat: 41.88, lon: -87.63, metro: 'Chicago', cloudProvider: null, cloudRegion: null },
      { id: 'b', name: 'B', kind: 'cloud-onramp', lat: 40.71, lon: -74.0, metro: null, cloudProvider: 'aws', cloudRegion: 'us-east-1' },
    ],
    spans: [
      {
        id: 's1',
        aSiteId: 'a',
        zSiteId: 'b',
        lengthKm: 1300,
        measuredLatencyUs: null,
        geometry: { type: 'LineString', coordinates: [[-87.63, 41.88], [-74.0, 40.71]] },
        srlgIds: ['g1'],
        cables: [{ id: 'c1', strandCount: 144, strandsInUse: 12 }],
        lineSystem: { ...DEFAULT_LINE_SYSTEM },
      },
    ],
    srlgs: [{ id: 'g1', name: 'Bridge', kind: 'bridge' }],
  };
}

/** Applies a mutation to a fresh valid network and returns the issue paths. */
function pathsAfter(mutate: (n: Network) => void): string[] {
  const n = base();
  mutate(n);
  return validateNetwork(n).map((i) => i.path);
}

test('the base network is valid', () => {
  assert.deepEqual(validateNetwork(base()), []);
});

test('arbitrary valid networks pass validation', () => {
  fc.assert(
    fc.property(networkArb, (n) => validateNetwork(n).length === 0),
    { seed: FC_SEED, numRuns: 200 },
  );
});

// Each case breaks exactly one rule; the issue must name the field.
const cases: [string, (n: Network) => void, string][] = [
  ['empty network name', (n) => (n.name = ' '), 'name'],
  ['empty site id', (n) => (n.sites[0].id = ''), 'sites[0].id'],
  ['site id too long', (n) => (n.sites[0].id = 'x'.repeat(129)), 'sites[0].id'],
  ['site id with a space', (n) => (n.sites[0].id = 'a b'), 'sites[0].id'],
  ['latitude above 90', (n) => (n.sites[0].lat = 90.5), 'sites[0].lat'],
  ['latitude NaN', (n) => (n.sites[0].lat = NaN), 'sites[0].lat'],
  ['longitude below -180', (n) => (n.sites[0].lon = -181), 'sites[0].lon'],
  ['unknown site kind', (n) => ((n.sites[0] as { kind: string }).kind = 'castle'), 'sites[0].kind'],
  ['cloud provider on a pop', (n) => (n.sites[0].cloudProvider = 'aws'), 'sites[0].cloudProvider'],
  ['cloud region on a pop', (n) => (n.sites[0].cloudRegion = 'eu-west-1'), 'sites[0].cloudRegion'],
  ['empty site name', (n) => (n.sites[0].name = ''), 'sites[0].name'],
  ['duplicate site id', (n) => (n.sites[1].id = 'a'), 'sites[1].id'],
  ['duplicate span id', (n) => n.spans.push({ ...structuredClone(n.spans[0]), cables: [] }), 'spans[1].id'],
  ['duplicate SRLG id', (n) => n.srlgs.push({ id: 'g1', name: 'again', kind: 'duct' }), 'srlgs[1].id'],
  ['unknown SRLG kind', (n) => ((n.srlgs[0] as { kind: string }).kind = 'volcano'), 'srlgs[0].kind'],
  ['self-loop span', (n) => (n.spans[0].zSiteId = 'a'), 'spans[0].zSiteId'],
  ['unknown a-site', (n) => (n.spans[0].aSiteId = 'nowhere'), 'spans[0].aSiteId'],
  ['unknown z-site', (n) => (n.spans[0].zSiteId = 'nowhere'), 'spans[0].zSiteId'],
  ['zero length', (n) => (n.spans[0].lengthKm = 0), 'spans[0].lengthKm'],
  ['negative length', (n) => (n.spans[0].lengthKm = -5), 'spans[0].lengthKm'],
  ['infinite length', (n) => (n.spans[0].lengthKm = Infinity), 'spans[0].lengthKm'],
  ['length over 40,000 km', (n) => (n.spans[0].lengthKm = 40_001), 'spans[0].lengthKm'],
  ['zero measured latency', (n) => (n.spans[0].measuredLatencyUs = 0), 'spans[0].measuredLatencyUs'],
  ['one-point geometry', (n) => (n.spans[0].geometry.coordinates = [[0, 0]]), 'spans[0].geometry.coordinates'],
  ['geometry latitude out of range', (n) => (n.spans[0].geometry.coordinates[1] = [0, 95]), 'spans[0].geometry.coordinates[1][1]'],
  ['geometry of the wrong type', (n) => ((n.spans[0].geometry as { type: string }).type = 'Point'), 'spans[0].geometry'],
  ['unknown SRLG on a span', (n) => (n.spans[0].srlgIds = ['g9']), 'spans[0].srlgIds[0]'],
  ['SRLG listed twice', (n) => (n.spans[0].srlgIds = ['g1', 'g1']), 'spans[0].srlgIds[1]'],
  ['strand count 0', (n) => (n.spans[0].cables[0].strandCount = 0), 'spans[0].cables[0].strandCount'],
  ['strand count over 1,728', (n) => (n.spans[0].cables[0].strandCount = 1729), 'spans[0].cables[0].strandCount'],
  ['fractional strand count', (n) => (n.spans[0].cables[0].strandCount = 12.5), 'spans[0].cables[0].strandCount'],
  ['more strands in use than exist', (n) => (n.spans[0].cables[0].strandsInUse = 145), 'spans[0].cables[0].strandsInUse'],
  ['negative strands in use', (n) => (n.spans[0].cables[0].strandsInUse = -1), 'spans[0].cables[0].strandsInUse'],
  ['duplicate cable on a span', (n) => n.spans[0].cables.push({ id: 'c1', strandCount: 12, strandsInUse: 0 }), 'spans[0].cables[1].id'],
  ['bad cable id', (n) => (n.spans[0].cables[0].id = 'c 1'), 'spans[0].cables[0].id'],
  ['zero fiber pairs', (n) => ((n.spans[0].lineSystem as { fiberPairs: number }).fiberPairs = 0), 'spans[0].lineSystem.fiberPairs'],
  ['slot count over 4096', (n) => ((n.spans[0].lineSystem as { slotCount: number }).slotCount = 4097), 'spans[0].lineSystem.slotCount'],
  ['zero slot width', (n) => ((n.spans[0].lineSystem as { slotWidthGhz: number }).slotWidthGhz = 0), 'spans[0].lineSystem.slotWidthGhz'],
  ['negative start frequency', (n) => ((n.spans[0].lineSystem as { startFrequencyGhz: number }).startFrequencyGhz = -1), 'spans[0].lineSystem.startFrequencyGhz'],
];

for (const [title, mutate, path] of cases) {
  test(`validateNetwork catches: ${title}`, () => {
    const paths = pathsAfter(mutate);
    assert.ok(paths.includes(path), `expected an issue at ${path}, got ${JSON.stringify(paths)}`);
  });
}

test('a cable id reused on another span is caught network-wide', () => {
  const paths = pathsAfter((n) => {
    n.sites.push({ ...n.sites[0], id: 'c', name: 'C' });
    n.spans.push({ ...structuredClone(n.spans[0]), id: 's2', zSiteId: 'c' });
  });
  assert.deepEqual(paths, ['spans[1].cables[0].id']);
});

test('per-item validators report paths relative to the item', () => {
  const n = base();
  assert.deepEqual(validateSite({ ...n.sites[0], lat: 91 }).map((i) => i.path), ['lat']);
  assert.deepEqual(validateSrlg({ ...n.srlgs[0], id: '' }).map((i) => i.path), ['id']);
  const paths = validateSpan({ ...n.spans[0], lengthKm: -1 }, new Set(['a', 'b']), new Set(['g1'])).map((i) => i.path);
  assert.deepEqual(paths, ['lengthKm']);
  assert.deepEqual(validateSpan(n.spans[0], new Set(['a', 'b']), new Set(['g1'])), []);
});

test('a null line system (dark fibre) and no cables are valid', () => {
  assert.deepEqual(pathsAfter((n) => ((n.spans[0].lineSystem = null), (n.spans[0].cables = []))), []);
});
