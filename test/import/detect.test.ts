import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, ImportError } from '../../src/import/index.js';

test('detectFormat: by extension first', () => {
  assert.equal(detectFormat('a.gml', ''), 'gml');
  assert.equal(detectFormat('a.GML', ''), 'gml');
  assert.equal(detectFormat('a.n2p', ''), 'n2p');
  assert.equal(detectFormat('a.geojson', ''), 'geojson');
  assert.equal(detectFormat('a.json', '{"format": "lightpath.network"}'), 'json');
  assert.equal(detectFormat('a.json', '{"type": "FeatureCollection", "features": []}'), 'geojson');
});

test('detectFormat: by content when the extension says nothing', () => {
  assert.equal(detectFormat('a.txt', '?SNDlib native format\nNODES (\n)'), 'sndlib');
  assert.equal(detectFormat('upload', '# c\ngraph [\n]'), 'gml');
  assert.equal(detectFormat('upload', '<?xml version="1.0"?><network/>'), 'n2p');
  assert.equal(detectFormat('upload', '\uFEFF{ "type" : "FeatureCollection" }'), 'geojson');
  assert.equal(detectFormat('upload', '{ "format": "lightpath.network" }'), 'json');
});

test('detectFormat: unknown content is an ImportError at line 1', () => {
  assert.throws(() => detectFormat('x.bin', 'hello'), (e: unknown) => e instanceof ImportError && e.message.startsWith('x.bin:1: format:'));
  assert.throws(() => detectFormat('x', ''), (e: unknown) => e instanceof ImportError && /empty file/.test(e.message));
});

test('detectFormat and parseNetwork: a GNPy topology is recognised by its elements and connections', async () => {
  const fs = await import('node:fs');
  const { sharedData } = await import('../support/shared.js');
  const { parseNetwork } = await import('../../src/import/index.js');
  const text = fs.readFileSync(sharedData('gnpy', 'example-data', 'CORONET_CONUS_Topology.json'), 'utf8');
  assert.equal(detectFormat('CORONET_CONUS_Topology.json', text), 'gnpy');
  const { network, report } = parseNetwork('CORONET_CONUS_Topology.json', text);
  assert.equal(report.format, 'gnpy');
  assert.ok(network.sites.length > 50 && network.spans.length > 50);
});
