import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseXlronJson } from '../../src/import/xlron.js';
import { parseNsfnetTxt } from '../../src/import/nsfnet-txt.js';
import { graphFromNetwork } from '../../src/engine/graph.js';
import { sharedData, sharedFiles } from '../support/shared.js';

test('nsfnet_chen.txt: every "a z km" line becomes a span with that length', () => {
  const text = fs.readFileSync(sharedData('optical', 'nsfnet_chen.txt'), 'utf8');
  const net = parseNsfnetTxt(text);
  // Oracle: the data lines read independently with a regex.
  const rows = [...text.matchAll(/^(\d+) (\d+) (\d+)\s*$/gm)].map((m) => [m[1], m[2], Number(m[3])] as const);
  const header = text.split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
  assert.equal(net.sites.length, Number(header[0]));
  assert.equal(net.spans.length, Number(header[1]));
  assert.equal(net.spans.length, rows.length);
  net.spans.forEach((s, i) => {
    assert.equal(s.aSiteId, rows[i][0]);
    assert.equal(s.zSiteId, rows[i][1]);
    assert.equal(s.lengthKm, rows[i][2]);
  });
  assert.ok(net.sites.every((s) => s.lat === 0 && s.lon === 0));
  graphFromNetwork(net); // the engine accepts it
});

test('nsfnet txt: malformed files are rejected with a reason', () => {
  assert.throws(() => parseNsfnetTxt('3\n2\n1 2 100\n'), /header says 2 links/);
  assert.throws(() => parseNsfnetTxt('3\n1\n1 4 100\n'), /outside/);
  assert.throws(() => parseNsfnetTxt('3\n1\n1 2 -5\n'), /bad length/);
  assert.throws(() => parseNsfnetTxt('3\n2\n1 2 5\n2 1 7\n'), /duplicate/);
});

test('every XLRON topology parses with the file\'s node count, link count and km', () => {
  const files = sharedFiles('xlron', '_undirected.json');
  assert.ok(files.length >= 20);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const doc = JSON.parse(text) as { nodes: { id: number; latitude?: number }[]; links: { source: number; target: number; distance: number }[] };
    const net = parseXlronJson(text, path.basename(file));
    assert.equal(net.sites.length, doc.nodes.length, file);
    // A link listed twice (geant2 has one) is one fiber route, as in networkx's Graph: last length wins.
    const unique = new Map<string, number>();
    for (const l of doc.links) unique.set([l.source, l.target].sort().join('|'), l.distance);
    assert.equal(net.spans.length, unique.size, file);
    const km = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    assert.equal(km(net.spans.map((s) => s.lengthKm)), km([...unique.values()]), file);
    doc.nodes.forEach((n, i) => assert.equal(net.sites[i].lat, n.latitude ?? 0, file));
    const g = graphFromNetwork(net);
    assert.equal(g.spanCount, unique.size);
  }
});

test('xlron: unknown nodes, missing distances and directed graphs are rejected', () => {
  assert.throws(() => parseXlronJson('{"directed": true, "nodes": [], "links": []}'), /directed/);
  assert.throws(() => parseXlronJson('{"nodes": [{"id": 1}], "links": [{"source": 1, "target": 2, "distance": 5}]}'), /unknown node/);
  assert.throws(() => parseXlronJson('{"nodes": [{"id": 1}, {"id": 2}], "links": [{"source": 1, "target": 2}]}'), /distance/);
  const net = parseXlronJson('{"nodes": [{"id": 1}, {"id": 2}], "edges": [{"source": 1, "target": 2, "distance": 5}]}');
  assert.equal(net.spans[0].lengthKm, 5);
});
