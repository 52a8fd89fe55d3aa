import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseGml, tokenizeGml, decodeEntities } from '../../src/import/gml-parse.js';
import { parseNetwork } from '../../src/import/index.js';
import { MIN_DERIVED_SPAN_KM } from '../../src/import/build.js';
import { sharedFiles } from '../support/shared.js';
import { assertIssue, cosineLawKm, importErrorLines } from './oracle.js';

test('GML tokenizer: nested lists, strings with entities, reals, comments, lines', () => {
  const text = '# comment [ not a list\ngraph [\n  label "A &amp; B &#38; &#x43;"\n  x -1.5e2\n  node [ id 7 ]\n]\n';
  const top = parseGml(text);
  assert.equal(top.length, 1);
  const graph = top[0];
  assert.equal(graph.key, 'graph');
  assert.equal(graph.line, 2);
  const body = graph.value as { key: string; value: unknown; line: number }[];
  assert.deepEqual(body.map((p) => [p.key, p.line]), [['label', 3], ['x', 4], ['node', 5]]);
  assert.equal(body[0].value, 'A & B & C');
  assert.equal(body[1].value, -150);
  assert.deepEqual(body[2].value, [{ key: 'id', value: 7, line: 5 }]);
});

test('GML tokenizer: a string spanning lines keeps later line numbers right', () => {
  const toks = tokenizeGml('a "x\ny"\nb 1');
  assert.deepEqual(toks.map((t) => t.line), [1, 1, 3, 3]);
});

test('entity decoding handles named, decimal and hex forms and leaves unknown ones', () => {
  assert.equal(decodeEntities('&quot;T&quot; &lt;&gt; &#252; &#xFC; &bogus;'), '"T" <> ü ü &bogus;');
});

/** Independent reading of a zoo file: node and edge blocks found by regular expressions. */
function regexModel(text: string) {
  const nodeBlocks = [...text.matchAll(/^\s*node\s*\[([\s\S]*?)^\s*\]/gm)].map((m) => m[1]);
  const edgeBlocks = [...text.matchAll(/^\s*edge\s*\[([\s\S]*?)^\s*\]/gm)].map((m) => m[1]);
  const num = (block: string, key: string): number | null => {
    const m = new RegExp(`^\\s*${key}\\s+(-?[0-9.eE+-]+)\\s*$`, 'm').exec(block);
    return m === null ? null : Number(m[1]);
  };
  const coords = new Map<string, [number, number]>();
  for (const b of nodeBlocks) {
    const id = /^\s*id\s+(\S+)/m.exec(b)?.[1] as string;
    const lat = num(b, 'Latitude');
    const lon = num(b, 'Longitude');
    if (lat !== null && lon !== null && !/^\s*hyperedge\s+1\s*$/m.test(b)) coords.set(id, [lat, lon]);
  }
  const pairs = new Set<string>();
  const km: number[] = [];
  for (const b of edgeBlocks) {
    const s = /^\s*source\s+(\S+)/m.exec(b)?.[1] as string;
    const t = /^\s*target\s+(\S+)/m.exec(b)?.[1] as string;
    const a = coords.get(s);
    const z = coords.get(t);
    if (a === undefined || z === undefined || s === t) continue;
    const key = [s, t].sort().join(' ');
    if (pairs.has(key)) continue;
    pairs.add(key);
    km.push(Math.max(MIN_DERIVED_SPAN_KM, cosineLawKm(a[0], a[1], z[0], z[1])));
  }
  return { nodes: nodeBlocks.length, edges: edgeBlocks.length, sites: coords.size, spans: pairs.size, km };
}

const zooFiles = sharedFiles('topologyzoo', '.gml');

test('all Topology Zoo files import (or, with nothing importable, are refused) and their counts reconcile with an independent reading', () => {
  assert.ok(zooFiles.length >= 262, `expected 262 zoo files, found ${zooFiles.length}`);
  let totalMerged = 0;
  const refused: string[] = [];
  for (const file of zooFiles) {
    const name = path.basename(file);
    const text = fs.readFileSync(file, 'utf8');
    const model = regexModel(text);
    if (model.sites === 0 || (model.edges > 0 && model.spans === 0)) {
      // Drawn without a map (no node has coordinates), or no edge between two mapped nodes: an
      // import would be empty or gutted, so it is refused, naming the file and why.
      const lines = importErrorLines(() => parseNetwork(name, text));
      assert.ok(lines.length === 1 && lines[0].startsWith(`${name}:`) && lines[0].endsWith('nothing to import'), lines.join('\n'));
      if (model.sites === 0) assertIssue(lines, `${name}:`, `node: none of the ${model.nodes} nodes`);
      else assertIssue(lines, `${name}:`, `edge: none of the ${model.edges} edges can be imported`);
      refused.push(name);
      continue;
    }
    const { network, report } = parseNetwork(name, text);
    const skippedNodes = report.skipped.filter((s) => s.kind === 'node').length;
    const skippedEdges = report.skipped.filter((s) => s.kind === 'edge').length;
    assert.equal(report.format, 'gml');
    assert.equal(report.nodesInFile, model.nodes, `${name}: nodes in file`);
    assert.equal(report.edgesInFile, model.edges, `${name}: edges in file`);
    assert.equal(model.nodes, report.sitesImported + skippedNodes, `${name}: nodes reconcile`);
    assert.equal(model.edges, report.spansImported + skippedEdges + report.merged.length, `${name}: edges reconcile`);
    assert.equal(report.sitesImported, model.sites, `${name}: sites`);
    assert.equal(report.spansImported, model.spans, `${name}: spans (parallel edges folded)`);
    assert.equal(network.sites.length, report.sitesImported);
    assert.equal(network.spans.length, report.spansImported);
    const lengths = network.spans.map((s) => s.lengthKm);
    model.km.forEach((km, i) => assert.ok(Math.abs(lengths[i] - km) < 1e-6 * Math.max(1, km), `${name}: span ${i} length ${lengths[i]} vs ${km}`));
    for (const s of report.skipped.concat(report.merged)) assert.ok(s.line >= 1 && s.reason.length > 0);
    totalMerged += report.merged.length;
  }
  assert.ok(totalMerged > 0, 'the zoo has repeated edges (Cogentco, Kdl, ...), so some must be merged');
  // Ai3, Geant, Internet2, ... have no coordinates at all; AsnetAm, Padi, ... keep one mapped node.
  assert.ok(refused.includes('Ai3.gml') && refused.includes('AsnetAm.gml'), refused.join(' '));
});

test('Cogentco: repeated edges are folded and reported, hyperedges and uncoordinated nodes skipped with reasons', () => {
  const file = zooFiles.find((f) => f.endsWith('Cogentco.gml')) as string;
  const { report, network } = parseNetwork('Cogentco.gml', fs.readFileSync(file, 'utf8'));
  assert.ok(report.merged.length > 0);
  assert.ok(report.merged.every((m) => m.kind === 'edge' && /folded/.test(m.reason)));
  assert.ok(report.skipped.some((s) => s.kind === 'node' && /hyperedge/.test(s.reason)));
  assert.ok(report.skipped.some((s) => s.kind === 'edge' && /skipped/.test(s.reason)));
  const graphLabel = /^ {2}label "([^"]*)"$/m.exec(fs.readFileSync(file, 'utf8'))?.[1];
  assert.equal(network.name, graphLabel, 'name from the graph label');
  assert.ok(new Set(network.sites.map((s) => s.id)).size === network.sites.length);
});

const quirky = `graph [
  label "Quirks"
  node [ id 0 label "Zürich" Latitude 47.37 Longitude 8.54 ]
  node [ id 1 label "Genève" Latitude 46.2 Longitude 6.14 ]
  node [ id 2 label "None" hyperedge 1 ]
  node [ id 3 label "Nowhere" ]
  node [ id 4 label "Basel" Latitude 47.56 Longitude 7.59 ]
  node [ id 5 label "Basel" Latitude 47.56 Longitude 7.59 ]
  edge [ source 0 target 1 ]
  edge [ source 1 target 0 ]
  edge [ source 0 target 2 ]
  edge [ source 3 target 1 ]
  edge [ source 4 target 4 ]
  edge [ source 4 target 5 ]
]
`;

test('GML quirks: non-ASCII labels, hyperedges, missing coordinates, self-loops, repeats, co-located sites', () => {
  const { network, report } = parseNetwork('q.gml', quirky);
  assert.equal(network.name, 'Quirks');
  // Unique labels give readable ASCII ids and keep the label as name; a repeated label falls back to n<id>.
  assert.deepEqual(network.sites.map((s) => [s.id, s.name]), [['Zurich', 'Zürich'], ['Geneve', 'Genève'], ['n4', 'Basel'], ['n5', 'Basel']]);
  assert.deepEqual(network.spans.map((s) => [s.id, s.aSiteId, s.zSiteId]), [['e0', 'Zurich', 'Geneve'], ['e5', 'n4', 'n5']]);
  assert.equal(network.spans[1].lengthKm, MIN_DERIVED_SPAN_KM, 'co-located sites get the floor length');
  assert.deepEqual(report.merged.map((m) => [m.id, m.line]), [['e1', 10]]);
  assert.deepEqual(report.skipped.map((s) => [s.kind, s.id, s.line]), [
    ['node', '2', 5],
    ['node', '3', 6],
    ['edge', 'e2', 11],
    ['edge', 'e3', 12],
    ['edge', 'e4', 13],
  ]);
  assert.match(report.skipped[0].reason, /hyperedge/);
  assert.match(report.skipped[1].reason, /no coordinates/);
  assert.match(report.skipped[4].reason, /self-loop/);
  const s = network.spans[0];
  assert.deepEqual(s.cables, [{ id: 'e0-c1', strandCount: 144, strandsInUse: 0 }]);
  assert.equal(s.lineSystem?.slotCount, 384);
});

test('GML with multigraph 1 keeps parallel edges as separate spans', () => {
  const text = quirky.replace('label "Quirks"', 'label "Quirks"\n  multigraph 1');
  const { network, report } = parseNetwork('q.gml', text);
  assert.deepEqual(network.spans.map((s) => s.id), ['e0', 'e1', 'e5']);
  assert.equal(report.merged.length, 0);
});

test('GML network name falls back to the file name', () => {
  const { network } = parseNetwork('dir/My Net.gml', 'graph [ node [ id 1 Latitude 1 Longitude 2 ] ]');
  assert.equal(network.name, 'My Net');
  assert.equal(network.sites[0].id, 'n1');
});

test('malformed GML reports file:line: field: problem', () => {
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n  node [\n    id 1\n')), 't.gml:2: node:', "unclosed '['");
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n  label "oops\n]')), 't.gml:2: gml:', 'unterminated string');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n  node [ id 1 Latitude "north" Longitude 2 ]\n]')), 't.gml:2: node.Latitude:', 'must be a number');
  const unknown = 'graph [\n  node [ id 1 Latitude 1 Longitude 2 ]\n  node [ id 2 Latitude 1 Longitude 3 ]\n  edge [\n    source 1\n    target 99\n  ]\n]';
  assertIssue(importErrorLines(() => parseNetwork('net.gml', unknown)), 'net.gml:6: edge.target:', 'unknown node 99');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n  edge [ target 1 ]\n]')), 't.gml:2: edge.source:', 'missing');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n node [ id 1 ]\n node [ id 1 ]\n]')), 't.gml:3: node.id:', 'duplicate');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [\n node [ id 1 Latitude 95 Longitude 0 ]\n]')), 't.gml:2: sites[0].lat:', '[-90, 90]');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', '')), 't.gml:1: graph:', 'empty file');
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [ ] ]')), 't.gml:1: gml:', "unexpected ']'");
  assertIssue(importErrorLines(() => parseNetwork('t.gml', 'graph [ id @ ]')), 't.gml:1: gml:', 'unexpected "@"');
});
