import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_LINE_SYSTEM } from '../../src/domain/network.js';
import type { Network } from '../../src/domain/network.js';
import { toProjectJson } from '../../src/export/json.js';
import { parseNetwork } from '../../src/import/index.js';
import { FC_SEED, networkArb } from './arbitraries.js';
import { assertIssue, cosineLawKm, importErrorLines } from './oracle.js';

test('project JSON round-trips any valid network losslessly', () => {
  fc.assert(
    fc.property(networkArb, (net) => {
      const text = JSON.stringify(toProjectJson(net), null, 2);
      const { network, report } = parseNetwork('net.json', text);
      assert.deepStrictEqual(network, net);
      assert.equal(report.format, 'json');
      assert.equal(report.sitesImported, net.sites.length);
      assert.equal(report.spansImported, net.spans.length);
      assert.equal(JSON.stringify(toProjectJson(network), null, 2), text);
    }),
    { seed: FC_SEED, numRuns: 150 },
  );
});

test('toProjectJson copies: changing the export does not change the network', () => {
  const net: Network = {
    name: 'n',
    sites: [{ id: 'a', name: 'A', kind: 'pop', lat: 1, lon: 2, metro: null, cloudProvider: null, cloudRegion: null }],
    spans: [],
    srlgs: [],
  };
  const out = toProjectJson(net);
  out.sites[0].lat = 50;
  assert.equal(net.sites[0].lat, 1);
  assert.equal(out.format, 'lightpath.network');
  assert.equal(out.version, 1);
});

const handWritten = `{
  "format": "lightpath.network",
  "version": 1,
  "name": "hand",
  "sites": [
    { "id": "chi", "lat": 41.8781, "lon": -87.6298 },
    { "id": "nyc", "name": "New York", "kind": "datacenter", "lat": 40.7128, "lon": -74.006 }
  ],
  "spans": [
    { "id": "s1", "aSiteId": "chi", "zSiteId": "nyc" },
    { "id": "s2", "aSiteId": "chi", "zSiteId": "nyc", "lengthKm": 1500, "lineSystem": null, "cables": [] }
  ]
}
`;

test('hand-written project JSON gets documented defaults', () => {
  const { network } = parseNetwork('hand.json', handWritten);
  const [chi, nyc] = network.sites;
  assert.deepEqual(chi, { id: 'chi', name: 'chi', kind: 'pop', lat: 41.8781, lon: -87.6298, metro: null, cloudProvider: null, cloudRegion: null });
  assert.equal(nyc.kind, 'datacenter');
  const [s1, s2] = network.spans;
  assert.ok(Math.abs(s1.lengthKm - cosineLawKm(chi.lat, chi.lon, nyc.lat, nyc.lon)) < 1e-6);
  assert.deepEqual(s1.geometry.coordinates, [[chi.lon, chi.lat], [nyc.lon, nyc.lat]]);
  assert.deepEqual(s1.cables, [{ id: 's1-c1', strandCount: 144, strandsInUse: 0 }]);
  assert.deepEqual(s1.lineSystem, DEFAULT_LINE_SYSTEM);
  assert.equal(s1.measuredLatencyUs, null);
  assert.deepEqual(s1.srlgIds, []);
  assert.equal(s2.lineSystem, null);
  assert.deepEqual(s2.cables, []);
});

test('unknown fields in project JSON are warned about with their line (typos must not pass silently)', () => {
  const typo = handWritten.replace('"lengthKm": 1500', '"lenghtKm": 1500');
  const { report } = parseNetwork('hand.json', typo);
  assert.deepEqual(report.warnings, [`hand.json:${lineOf(typo, 'lenghtKm')}: spans[1].lenghtKm: unknown field ignored`]);
  assert.deepEqual(parseNetwork('hand.json', handWritten).report.warnings, []);
});

/** 1-based line of the first line containing the needle, found by plain text search. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `needle ${needle} not in text`);
  return i + 1;
}

test('malformed project JSON names file:line: field: problem', () => {
  const missingComma = handWritten.replace('"version": 1,', '"version": 1');
  assertIssue(importErrorLines(() => parseNetwork('n.json', missingComma)), `n.json:${lineOf(missingComma, '"name": "hand"')}: json:`, 'syntax error');

  const wrongType = handWritten.replace('"lat": 41.8781', '"lat": "north"');
  assertIssue(importErrorLines(() => parseNetwork('n.json', wrongType)), `n.json:${lineOf(wrongType, '"north"')}: sites[0].lat:`, 'must be a number');

  const unknownSite = handWritten.replace('"zSiteId": "nyc" }', '"zSiteId": "sfo" }');
  const unknownLines = importErrorLines(() => parseNetwork('n.json', unknownSite));
  assertIssue(unknownLines, `n.json:${lineOf(unknownSite, '"sfo"')}: spans[0].zSiteId:`, 'unknown site sfo');
  assert.equal(unknownLines.length, 1, `one cause, one issue: ${unknownLines.join(' | ')}`);

  const negative = handWritten.replace('"lengthKm": 1500', '"lengthKm": -3');
  assertIssue(importErrorLines(() => parseNetwork('n.json', negative)), `n.json:${lineOf(negative, '-3')}: spans[1].lengthKm:`, 'must be > 0');

  const dup = handWritten.replace('"id": "nyc"', '"id": "chi"');
  assertIssue(importErrorLines(() => parseNetwork('n.json', dup)), `n.json:${lineOf(dup, '"New York"')}: sites[1].id:`, 'duplicate id chi');

  const badKind = handWritten.replace('"datacenter"', '"castle"');
  assertIssue(importErrorLines(() => parseNetwork('n.json', badKind)), `n.json:${lineOf(badKind, 'castle')}: sites[1].kind:`, 'must be one of');

  const notArray = handWritten.replace(/"spans": \[[\s\S]*\]\n/, '"spans": 5\n');
  assertIssue(importErrorLines(() => parseNetwork('n.json', notArray)), `n.json:${lineOf(notArray, '"spans": 5')}: spans:`, 'must be an array');

  const wrongFormat = handWritten.replace('lightpath.network', 'something.else');
  assertIssue(importErrorLines(() => parseNetwork('n.json', wrongFormat)), 'n.json:2: format:', 'must be "lightpath.network"');

  assertIssue(importErrorLines(() => parseNetwork('n.json', '')), 'n.json:1: json:', 'empty file');
  assertIssue(importErrorLines(() => parseNetwork('n.json', '{\n  "format": "lightpath.network",\n')), 'n.json:', 'syntax error');
  assertIssue(importErrorLines(() => parseNetwork('n.json', '[1, 2]')), 'n.json:1: :', 'must be an object');
});
