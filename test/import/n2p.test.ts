import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNetwork } from '../../src/import/index.js';
import { greatCircleKm } from '../../src/domain/network.js';
import { sharedFiles } from '../support/shared.js';
import { assertIssue, importErrorLines } from './oracle.js';

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * Independent expectation for folding directed links: per node pair and length (to the metre),
 * a→b and b→a links pair off, so the pair needs max(#a→b, #b→a) spans.
 */
function regexModel(text: string) {
  const nodes = [...text.matchAll(/<node\b[^>]*>/g)].length;
  const linkTags = [...text.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]);
  const demands = [...text.matchAll(/<(demand|demandEntry)\b[^>]*>/g)].length;
  const groups = new Map<string, [number, number]>();
  for (const tag of linkTags) {
    const a = attr(tag, 'originNodeId') as string;
    const z = attr(tag, 'destinationNodeId') as string;
    const km = Math.round(Number(attr(tag, 'lengthInKm') ?? attr(tag, 'linkLengthInKm')) * 1000);
    const key = `${[a, z].sort().join(' ')} ${km}`;
    const g = groups.get(key) ?? [0, 0];
    g[a < z ? 0 : 1]++;
    groups.set(key, g);
  }
  const spans = [...groups.values()].reduce((n, [f, b]) => n + Math.max(f, b), 0);
  return { nodes, links: linkTags.length, demands, spans, lengths: linkTags.map((t) => Number(attr(t, 'lengthInKm') ?? attr(t, 'linkLengthInKm'))) };
}

test('all Net2Plan files import and reconcile with an independent reading', () => {
  const files = sharedFiles('net2plan', '.n2p');
  assert.ok(files.length >= 10);
  for (const file of files) {
    const name = path.basename(file);
    const text = fs.readFileSync(file, 'utf8');
    const { network, report } = parseNetwork(name, text);
    const model = regexModel(text);
    assert.equal(report.format, 'n2p');
    assert.equal(report.nodesInFile, model.nodes, name);
    assert.equal(report.sitesImported, model.nodes, name);
    assert.equal(report.edgesInFile, model.links, name);
    const skippedLinks = report.skipped.filter((s) => s.kind === 'link').length;
    assert.equal(model.links, report.spansImported + skippedLinks + report.merged.length, `${name}: links reconcile`);
    assert.equal(report.spansImported, model.spans, `${name}: directed pairs folded`);
    assert.equal(report.skipped.filter((s) => s.kind === 'other').length, model.demands, `${name}: demands reported`);
    // Stated lengths are kept: every span length is one of the file's link lengths.
    const stated = new Set(model.lengths);
    for (const s of network.spans) assert.ok(stated.has(s.lengthKm), `${name} ${s.id}: ${s.lengthKm} not stated`);
    const planar = report.warnings.some((w) => /planar/.test(w));
    if (planar) {
      // Schematic placement never draws a span longer than its stated length.
      const byId = new Map(network.sites.map((s) => [s.id, s]));
      for (const s of network.spans) {
        const a = byId.get(s.aSiteId)!;
        const z = byId.get(s.zSiteId)!;
        assert.ok(greatCircleKm(a.lat, a.lon, z.lat, z.lon) <= s.lengthKm * (1 + 1e-9), `${name} ${s.id}`);
      }
    }
  }
});

test('NSFNet 14/42: 21 undirected spans with the Ramaswami–Sivarajan lengths, names kept', () => {
  const file = sharedFiles('net2plan', '.n2p').find((f) => f.endsWith('NSFNet_N14_E42.n2p')) as string;
  const { network, report } = parseNetwork('NSFNet_N14_E42.n2p', fs.readFileSync(file, 'utf8'));
  assert.equal(network.name, 'NSFNet');
  assert.equal(network.spans.length, 21);
  assert.equal(report.merged.length, 21);
  assert.ok(network.sites.some((s) => s.name === 'Seattle (WA)' && s.id === 'Seattle-WA' && s.lon < -122));
});

const small = `<?xml version="1.0" encoding="UTF-8"?>
<network name="Tiny" version="6">
  <node id="1" name="Vienna" xCoord="16.37" yCoord="48.21"/>
  <node id="2" name="Prague" xCoord="14.42" yCoord="50.09"/>
  <layer id="0" name="">
    <link id="10" originNodeId="1" destinationNodeId="2" lengthInKm="330.5"/>
    <link id="11" originNodeId="2" destinationNodeId="1" lengthInKm="330.5"/>
    <link id="12" originNodeId="1" destinationNodeId="2" lengthInKm="400"/>
    <link id="13" originNodeId="2" destinationNodeId="1" lengthInKm="410"/>
    <demand id="20" ingressNodeId="1" egressNodeId="2" offeredTraffic="1"/>
  </layer>
</network>
`;

test('a small n2p: reverse links of equal length fold, unequal ones stay, demands reported', () => {
  const { network, report } = parseNetwork('tiny.n2p', small);
  assert.deepEqual(network.spans.map((s) => [s.id, s.aSiteId, s.zSiteId, s.lengthKm]), [
    ['l10', 'Vienna', 'Prague', 330.5],
    ['l12', 'Vienna', 'Prague', 400],
    ['l13', 'Prague', 'Vienna', 410],
  ]);
  assert.deepEqual(report.merged.map((m) => [m.id, m.line]), [['11', 7]]);
  assert.deepEqual(report.skipped.map((s) => [s.kind, s.id, s.line]), [['other', '20', 10]]);
  assert.ok(report.warnings.some((w) => /differ in length/.test(w)));
});

test('malformed n2p reports file:line: field: problem', () => {
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', small.replace('<layer id="0" name="">', '<layer id="0" name=""'))), 't.n2p:', 'xml:');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', small.replace('destinationNodeId="2" lengthInKm="330.5"', 'destinationNodeId="9" lengthInKm="330.5"'))), 't.n2p:6: link.destinationNodeId:', 'unknown node 9');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', small.replace('xCoord="14.42"', 'xCoord="far"'))), 't.n2p:4: node.xCoord:', 'must be a number');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', small.replace('lengthInKm="400"', 'lengthInKm="-4"'))), 't.n2p:8: spans[1].lengthKm:', 'must be > 0');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', small.replace('<node id="2"', '<node id="1"'))), 't.n2p:4: node.id:', 'duplicate');
  assertIssue(importErrorLines(() => parseNetwork('t.n2p', '', 'n2p')), 't.n2p:1: xml:', 'empty file');
});
