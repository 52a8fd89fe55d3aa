/**
 * Files that used to import as an empty, gutted or quietly altered network: each is refused with an
 * ImportError that says why, while partial skips are still imported and reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseNetwork } from '../../src/import/index.js';
import { sharedData } from '../support/shared.js';
import { assertIssue, importErrorLines } from './oracle.js';

const refused = (file: string, text: string): string[] => importErrorLines(() => parseNetwork(file, text));

// --- Empty or gutted networks -------------------------------------------------------------------

test('GML: nodes without coordinates only is refused with the count, not imported as an empty network', () => {
  const nodes = Array.from({ length: 11 }, (_, i) => `  node [ id ${i} label "N${i}" ]`).join('\n');
  const edges = '  edge [ source 0 target 1 ]\n  edge [ source 1 target 2 ]';
  const lines = refused('net.gml', `graph [\n  label "x"\n${nodes}\n${edges}\n]\n`);
  assert.deepEqual(lines, ['net.gml:3: node: none of the 11 nodes has coordinates (Latitude/Longitude); nothing to import']);
});

test('GML: a real Topology Zoo file drawn without a map (Geant.gml) is refused, naming its first node', () => {
  const text = fs.readFileSync(sharedData('topologyzoo', 'Geant.gml'), 'utf8');
  const firstNode = text.split('\n').findIndex((l) => /^\s*node \[/.test(l)) + 1;
  const nodes = (text.match(/^\s*node \[/gm) ?? []).length;
  assert.deepEqual(refused('Geant.gml', text), [`Geant.gml:${firstNode}: node: none of the ${nodes} nodes has coordinates (Latitude/Longitude); nothing to import`]);
});

test('GML: no node at all, or every edge skipped, is refused; a partial skip still imports and is reported', () => {
  assertIssue(refused('e.gml', 'graph [\n  label "x"\n]\n'), 'e.gml:1: node:', 'the file declares no nodes; nothing to import');
  const loops = 'graph [\n  node [ id 1 Latitude 1 Longitude 2 ]\n  node [ id 2 Latitude 1 Longitude 3 ]\n  edge [ source 1 target 1 ]\n  edge [ source 2 target 2 ]\n]\n';
  assertIssue(refused('l.gml', loops), 'l.gml:4: edge:', 'none of the 2 edges can be imported (1 self-loop on node 1; 1 self-loop on node 2)');
  const partial = loops.replace('source 2 target 2', 'source 1 target 2');
  const { network, report } = parseNetwork('p.gml', partial);
  assert.equal(network.spans.length, 1);
  assert.deepEqual(report.skipped.map((s) => [s.kind, s.line]), [['edge', 4]]);
  // Mixed reasons are counted per reason.
  const hyper = 'graph [\n  node [ id 1 hyperedge 1 ]\n  node [ id 2 ]\n  node [ id 3 ]\n]\n';
  assertIssue(refused('h.gml', hyper), 'h.gml:2: node:', 'none of the 3 nodes can be imported (1 hyperedge pseudo-node: stands for a shared link, not a site; 2 no coordinates)');
});

test('SNDlib: every link a self-loop, or no node, is refused', () => {
  const loops = 'NODES (\n  A ( 1 2 )\n  B ( 1 3 )\n)\nLINKS (\n  L1 ( A A ) 0 0\n  L2 ( B B ) 0 0\n)\n';
  assertIssue(refused('s.txt', loops), 's.txt:6: LINKS:', 'none of the 2 links can be imported');
  assertIssue(refused('s.txt', 'NODES (\n)\nLINKS (\n)\n'), 's.txt:1: NODES:', 'the file declares no nodes; nothing to import');
  // Nodes without links are a network of sites (SNDlib allows it).
  assert.equal(parseNetwork('s.txt', 'NODES (\n  A ( 1 2 )\n)\nLINKS (\n)\n').network.sites.length, 1);
});

test('Net2Plan: links only in upper layers are refused; nodes without links import (NSFNet_trafficMatrix)', () => {
  const upper = `<network name="T" version="6">
<node id="1" name="A" xCoord="1" yCoord="2"/>
<node id="2" name="B" xCoord="1" yCoord="3"/>
<layer id="0"/>
<layer id="1">
<link id="1" originNodeId="1" destinationNodeId="2" lengthInKm="100"/>
</layer>
</network>
`;
  assertIssue(refused('u.n2p', upper), 'u.n2p:6: link:', 'the one link cannot be imported (1 in layer 2, not the first (physical) layer); nothing to import');
  assertIssue(refused('e.n2p', '<network name="T" version="6">\n<layer id="0"/>\n</network>\n'), 'e.n2p:1: node:', 'the file declares no nodes');
  const text = fs.readFileSync(sharedData('net2plan', 'NSFNet_trafficMatrix.n2p'), 'utf8');
  const { report } = parseNetwork('NSFNet_trafficMatrix.n2p', text);
  assert.equal(report.sitesImported, 14);
  assert.equal(report.edgesInFile, 0);
});

test('GeoJSON: no Point feature, or no LineString that reaches two sites, is refused; project JSON without sites too', () => {
  const fc = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features }, null, 1);
  const point = (lon: number, lat: number) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: {} });
  const line = (coords: number[][]) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: {} });
  const polygon = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }, properties: {} };
  assertIssue(refused('p.geojson', fc([polygon, polygon])), 'p.geojson:', 'features: the file declares no sites (Point features) among its 2 features; nothing to import');
  assertIssue(refused('l.geojson', fc([point(1, 2), point(1, 3), line([[5, 5], [6, 6]])])), 'l.geojson:', 'features: the one span (LineString feature) cannot be imported');
  const empty = '{"format": "lightpath.network", "version": 1,\n"sites": [],\n"spans": []}';
  assertIssue(refused('e.json', empty), 'e.json:2: sites:', 'the file declares no sites; nothing to import');
});

// --- Ids given twice ----------------------------------------------------------------------------

test('SNDlib: a duplicate link id is refused with both lines, not renamed; node ids likewise', () => {
  const text = 'NODES (\n  A ( 1 2 )\n  B ( 1 3 )\n  C ( 2 3 )\n)\nLINKS (\n  X ( A B ) 0 0\n  X ( B C ) 0 0\n)\n';
  assert.deepEqual(refused('d.txt', text), ['d.txt:8: link.id: duplicate link id X (first at line 7)']);
  const nodes = text.replace('C ( 2 3 )', 'A ( 2 3 )');
  assertIssue(refused('d.txt', nodes), 'd.txt:4: node.id:', 'duplicate node id A (first at line 2)');
});

test('SNDlib: a section given twice is refused; an unknown section is a warning', () => {
  const twice = 'NODES (\n  A ( 1 2 )\n  B ( 1 3 )\n)\nLINKS (\n  X ( A B ) 0 0\n)\nNODES (\n  C ( 2 3 )\n)\n';
  assertIssue(refused('t.txt', twice), 't.txt:8: NODES:', 'section given twice (first at line 1)');
  const unknown = twice.replace('NODES (\n  C', 'NODE (\n  C');
  const { report } = parseNetwork('t.txt', unknown);
  assert.deepEqual(report.warnings, ['t.txt:8: NODE: unknown section ignored (SNDlib has META, NODES, LINKS, DEMANDS, ADMISSIBLE_PATHS)']);
});

test('Net2Plan: a link id repeated within a layer is refused; across layers it is fine; node ids name the first line', () => {
  const text = (a: string, b: string) => `<network name="T" version="6">
<node id="1" name="A" xCoord="1" yCoord="2"/>
<node id="2" name="B" xCoord="1" yCoord="3"/>
<layer id="0">
<link id="7" originNodeId="1" destinationNodeId="2" lengthInKm="100"/>
${a}
</layer>
<layer id="1">
${b}
</layer>
</network>
`;
  const again = '<link id="7" originNodeId="2" destinationNodeId="1" lengthInKm="100"/>';
  assert.deepEqual(refused('r.n2p', text(again, '')), ['r.n2p:6: link.id: duplicate link id 7 (first at line 5)']);
  assert.equal(parseNetwork('r.n2p', text('', again)).network.spans.length, 1);
  const dupNode = text('', '').replace('<node id="2"', '<node id="1"');
  assertIssue(refused('r.n2p', dupNode), 'r.n2p:3: node.id:', 'duplicate node id 1 (first at line 2)');
});

test('GML: a second graph, nodes outside the graph or not lists, and repeated keys are refused', () => {
  const g = 'graph [\n  node [ id 1 Latitude 1 Longitude 2 ]\n  node [ id 2 Latitude 1 Longitude 3 ]\n  edge [ source 1 target 2 ]\n]\n';
  assertIssue(refused('g.gml', `${g}graph [\n  node [ id 9 Latitude 1 Longitude 2 ]\n]\n`), 'g.gml:6: graph:', 'a second graph (first at line 1)');
  assertIssue(refused('g.gml', `${g}node [ id 9 Latitude 1 Longitude 2 ]\n`), 'g.gml:6: node:', 'outside graph [ ... ]');
  assertIssue(refused('g.gml', g.replace('edge [ source 1 target 2 ]', 'node 5')), 'g.gml:4: node:', 'must be a list [ ... ], got 5');
  const twice = g.replace('node [ id 1 Latitude 1 Longitude 2 ]', 'node [ id 1 Latitude 1 Longitude 2\n  Latitude 50 ]');
  assertIssue(refused('g.gml', twice), 'g.gml:3: node.Latitude:', 'given twice in one node (first at line 2)');
  assertIssue(refused('g.gml', g.replace('target 2', 'target 2 source 2')), 'g.gml:4: edge.source:', 'given twice in one edge (first at line 4)');
});

// --- Net2Plan links and nodes where Net2Plan never reads them -----------------------------------

const n2p = (inside: string, outside = '') => `<?xml version="1.0" encoding="UTF-8"?>
<network name="T" version="6">
<node id="1" name="A" xCoord="1" yCoord="2"/>
<node id="2" name="B" xCoord="1" yCoord="3"/>
<layer id="0">
${inside}
</layer>
${outside}
</network>
`;
const link = (id: number) => `<link id="${id}" originNodeId="1" destinationNodeId="2" lengthInKm="100"/>`;

test('Net2Plan: a <link> directly under <network> is refused naming its line (no version reads it)', () => {
  assert.deepEqual(refused('t.n2p', n2p(link(1), link(2))), [
    "t.n2p:8: link: <link> outside a <layer> (or version 1's <physicalTopology>): Net2Plan reads links nowhere else, so it is refused rather than dropped",
  ]);
  // Only top-level links: before, this imported two sites and silently no span.
  assertIssue(refused('t.n2p', n2p('', link(2))), 't.n2p:8: link:', 'outside a <layer>');
});

test('Net2Plan: links or nodes elsewhere, layers not under <network>, and mixed layouts are refused', () => {
  assertIssue(refused('t.n2p', n2p(link(1)).replace('yCoord="3"/>', `yCoord="3">${link(2)}</node>`)), 't.n2p:4: link:', 'outside a <layer>');
  assertIssue(refused('t.n2p', n2p(`${link(1)}\n<node id="3" name="C" xCoord="1" yCoord="4"/>`)), 't.n2p:7: node:', '<node> must be a child of <network>');
  assertIssue(refused('t.n2p', n2p(link(1), `<attribute key="k"><layer id="9">${link(2)}</layer></attribute>`)), 't.n2p:8: layer:', '<layer> must be a child of <network>');
  const legacy = '<physicalTopology>\n<node name="C" xCoord="1" yCoord="4"/>\n</physicalTopology>';
  assertIssue(refused('t.n2p', n2p(link(1), legacy)), 't.n2p:8: physicalTopology:', 'mixes the version 1 layout');
});

test('Net2Plan: <srg> members are references, not links; the SRG itself is reported as skipped', () => {
  const srg = '<srg id="5" meanTimeToFailInHours="1" meanTimeToRepairInHours="1">\n<node id="1"/>\n<link layerId="0" linkId="1"/>\n</srg>';
  const { network, report } = parseNetwork('t.n2p', n2p(link(1), srg));
  assert.equal(network.spans.length, 1);
  assert.deepEqual(report.skipped.map((s) => [s.kind, s.id, s.line]), [['other', '5', 8]]);
  assert.match(report.skipped[0].reason, /shared risk group/);
});
