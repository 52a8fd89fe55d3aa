import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spanLatencyUs } from '../../src/domain/network.js';
import { toGeoJson } from '../../src/export/geojson.js';
import { detectFormat, parseNetwork } from '../../src/import/index.js';
import { MIN_DERIVED_SPAN_KM } from '../../src/import/build.js';
import { FC_SEED, networkArb } from './arbitraries.js';
import { assertIssue, cosineLawKm, importErrorLines } from './oracle.js';

test('GeoJSON from toGeoJson imports back to the identical network', () => {
  fc.assert(
    fc.property(networkArb, (net) => {
      const text = JSON.stringify(toGeoJson(net));
      assert.equal(detectFormat('export.json', text), 'geojson');
      const { network, report } = parseNetwork('export.geojson', text);
      assert.deepStrictEqual(network, net);
      assert.equal(report.nodesInFile, net.sites.length);
      assert.equal(report.edgesInFile, net.spans.length);
    }),
    { seed: FC_SEED, numRuns: 150 },
  );
});

test('toGeoJson: Points for sites, LineStrings for spans, ids and all properties', () => {
  fc.assert(
    fc.property(networkArb, (net) => {
      const fc2 = toGeoJson(net);
      assert.equal(fc2.type, 'FeatureCollection');
      assert.equal(fc2.features.length, net.sites.length + net.spans.length);
      net.sites.forEach((s, i) => {
        const f = fc2.features[i];
        assert.equal(f.id, s.id);
        assert.deepEqual(f.geometry, { type: 'Point', coordinates: [s.lon, s.lat] });
        assert.equal(f.properties.featureType, 'site');
      });
      net.spans.forEach((s, i) => {
        const f = fc2.features[net.sites.length + i];
        assert.equal(f.id, s.id);
        assert.equal(f.geometry.type, 'LineString');
        assert.ok(f.properties.featureType === 'span');
        assert.equal(f.properties.latencyUs, spanLatencyUs(s));
        assert.deepEqual(f.properties.cables, s.cables);
      });
    }),
    { seed: FC_SEED, numRuns: 50 },
  );
});

const generic = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { name: 'Chicago' }, geometry: { type: 'Point', coordinates: [-87.6298, 41.8781] } },
    { type: 'Feature', properties: { name: 'Detroit' }, geometry: { type: 'Point', coordinates: [-83.0458, 42.3314, 190] } },
    { type: 'Feature', id: 42, properties: { name: 'Toledo', kind: 'amplifier' }, geometry: { type: 'Point', coordinates: [-83.5379, 41.6528] } },
    {
      type: 'Feature',
      properties: {},
      geometry: { type: 'LineString', coordinates: [[-87.6298, 41.8781], [-83.5379, 41.6528], [-83.04581, 42.33141]] },
    },
    { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } },
    { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[10, 10], [11, 11]] } },
  ],
};

test('generic GeoJSON: ids from names, span ends matched to sites, length from the line, others reported', () => {
  const { network, report } = parseNetwork('lines.geojson', JSON.stringify(generic, null, 2));
  assert.equal(network.name, 'lines');
  assert.deepEqual(network.sites.map((s) => [s.id, s.name, s.kind]), [['Chicago', 'Chicago', 'pop'], ['Detroit', 'Detroit', 'pop'], ['42', 'Toledo', 'amplifier']]);
  assert.equal(network.spans.length, 1);
  const s = network.spans[0];
  assert.deepEqual([s.id, s.aSiteId, s.zSiteId], ['e3', 'Chicago', 'Detroit']);
  const c = generic.features[3].geometry.coordinates as number[][];
  const km = cosineLawKm(c[0][1], c[0][0], c[1][1], c[1][0]) + cosineLawKm(c[1][1], c[1][0], c[2][1], c[2][0]);
  assert.ok(Math.abs(s.lengthKm - Math.max(MIN_DERIVED_SPAN_KM, km)) < 1e-6);
  assert.deepEqual(report.skipped.map((k) => [k.kind, k.id]), [['other', 'feature 4'], ['span', 'e5']]);
  assert.equal(generic.features.length, report.sitesImported + report.spansImported + report.skipped.length);
});

test('malformed GeoJSON names file:line: field: problem', () => {
  const text = JSON.stringify(generic, null, 2);
  const lines = text.split('\n');
  const amp = lines.findIndex((l) => l.includes('"amplifier"')) + 1;
  const bad = text.replace('"amplifier"', '"castle"');
  assertIssue(importErrorLines(() => parseNetwork('g.geojson', bad)), `g.geojson:${amp}: features[2].properties.kind:`, 'must be one of');
  const unknown = JSON.stringify({ type: 'FeatureCollection', features: [
    { type: 'Feature', id: 'a', properties: {}, geometry: { type: 'Point', coordinates: [0, 0] } },
    { type: 'Feature', id: 's', properties: { aSiteId: 'a', zSiteId: 'zz' }, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
  ] }, null, 2);
  const zLine = unknown.split('\n').findIndex((l) => l.includes('"zz"')) + 1;
  assertIssue(importErrorLines(() => parseNetwork('g.geojson', unknown)), `g.geojson:${zLine}: features[1].properties.zSiteId:`, 'unknown site zz');
  const lat = unknown.replace('"coordinates": [\n          0,\n          0\n        ]', '"coordinates": [\n          0,\n          99\n        ]');
  const latLine = lat.split('\n').findIndex((l) => l.includes('99')) + 1;
  assertIssue(importErrorLines(() => parseNetwork('g.geojson', lat)), `g.geojson:${latLine}: features[0].geometry.coordinates[1]:`, '[-90, 90]');
  assertIssue(importErrorLines(() => parseNetwork('g.geojson', '{"type": "Feature"}')), 'g.geojson:1: type:', 'FeatureCollection');
  assertIssue(importErrorLines(() => parseNetwork('g.geojson', '{"type": "FeatureCollection", "features": [}')), 'g.geojson:1: json:', 'syntax error');
});
