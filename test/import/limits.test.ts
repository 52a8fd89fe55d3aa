/**
 * Hostile input that used to crash an import (stack overflow, TypeError) or slip through (NUL,
 * expanded entities): each must now end in an ImportError naming the file, the line and why.
 * Expected lines are counted from the text the test builds, not taken from the importer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetwork } from '../../src/import/index.js';
import type { ImportFormat } from '../../src/import/index.js';
import { MAX_IMPORT_CHARS, MAX_NESTING_DEPTH, MAX_REPORTED_ISSUES } from '../../src/import/limits.js';
import { parseXlronJson } from '../../src/import/xlron.js';
import { parseNsfnetTxt } from '../../src/import/nsfnet-txt.js';
import { assertIssue, importErrorLines } from './oracle.js';

/** 1-based line of a character offset, counted here independently of the importers. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

const DEEP = 5000;

/** A small valid file per format, and how to nest `levels` lists inside it (total depth counted from the root). */
const formats: Record<ImportFormat, { file: string; text: string; nest: (levels: number) => string }> = {
  gml: {
    file: 'n.gml',
    text: 'graph [\n  node [ id 1 Latitude 1 Longitude 2 ]\n  node [ id 2 Latitude 1 Longitude 3 ]\n  edge [ source 1 target 2 ]\n]\n',
    // graph [ is level 1, the extra key's list level 2, ...
    nest: (levels) => `graph [\n  node [ id 1 Latitude 1 Longitude 2 ]\n  node [ id 2 Latitude 1 Longitude 3 ]\n  edge [ source 1 target 2 ]\n  x ${'[ a '.repeat(levels - 2)}[ ${' ]'.repeat(levels - 1)}\n]\n`,
  },
  sndlib: {
    file: 'n.txt',
    text: 'NODES (\n  A ( 1 2 )\n  B ( 1 3 )\n)\nLINKS (\n  L ( A B ) 0 0\n)\n',
    // The META section's "(" is level 1.
    nest: (levels) => `META (\n  x = ${'( '.repeat(levels - 1)}${') '.repeat(levels - 1)}\n)\nNODES (\n  A ( 1 2 )\n  B ( 1 3 )\n)\nLINKS (\n  L ( A B ) 0 0\n)\n`,
  },
  n2p: {
    file: 'n.n2p',
    text: '<network name="T" version="6">\n<node id="1" name="A" xCoord="1" yCoord="2"/>\n<node id="2" name="B" xCoord="1" yCoord="3"/>\n<layer id="0">\n<link id="1" originNodeId="1" destinationNodeId="2" lengthInKm="100"/>\n</layer>\n</network>\n',
    // <network> is level 1.
    nest: (levels) => `<network name="T" version="6">\n<node id="1" name="A" xCoord="1" yCoord="2"/>\n<node id="2" name="B" xCoord="1" yCoord="3"/>\n<layer id="0">\n<link id="1" originNodeId="1" destinationNodeId="2" lengthInKm="100"/>\n</layer>\n<attribute key="x">${'<a>'.repeat(levels - 2)}${'</a>'.repeat(levels - 2)}</attribute>\n</network>\n`,
  },
  geojson: {
    file: 'n.geojson',
    text: JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { name: 'A' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 3] }, properties: { name: 'B' } },
        { type: 'Feature', geometry: { type: 'LineString', coordinates: [[1, 2], [1, 3]] }, properties: {} },
      ],
    }, null, 1),
    // { is level 1, "x": [ level 2, ...
    nest: (levels) => `{"type": "FeatureCollection",\n"x": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},\n"features": [\n{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"name": "A"}}]}\n`,
  },
  gnpy: {
    file: 'n-gnpy.json',
    text: JSON.stringify({
      elements: [
        { uid: 'A', type: 'Roadm', metadata: { location: { latitude: 1, longitude: 2, city: 'A' } } },
        { uid: 'B', type: 'Roadm', metadata: { location: { latitude: 1, longitude: 3, city: 'B' } } },
        { uid: 'F', type: 'Fiber', type_variety: 'SSMF', params: { length: 80, length_units: 'km', loss_coef: 0.2 }, metadata: { location: { latitude: 1, longitude: 2.5 } } },
      ],
      connections: [{ from_node: 'A', to_node: 'F' }, { from_node: 'F', to_node: 'B' }],
    }, null, 1),
    // { is level 1, "x": [ level 2, ...
    nest: (levels) => `{"x": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},\n"elements": [], "connections": []}\n`,
  },
  json: {
    file: 'n.json',
    text: JSON.stringify({ format: 'lightpath.network', version: 1, name: 'T', sites: [{ id: 'a', lat: 1, lon: 2 }], spans: [] }, null, 1),
    nest: (levels) => `{"format": "lightpath.network", "version": 1,\n"name": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},\n"sites": [{"id": "a", "lat": 1, "lon": 2}], "spans": []}\n`,
  },
};

for (const [format, f] of Object.entries(formats) as [ImportFormat, (typeof formats)[ImportFormat]][]) {
  test(`${format}: the small valid file imports (the base of the hostile cases below)`, () => {
    const { network } = parseNetwork(f.file, f.text, format);
    assert.ok(network.sites.length >= 1);
  });

  test(`${format}: ${DEEP} levels of nesting are an ImportError naming the line, not a stack overflow`, () => {
    const text = f.nest(DEEP);
    const lines = importErrorLines(() => parseNetwork(f.file, text, format));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], new RegExp(`^${f.file.replace('.', '\\.')}:\\d+: [\\w.]+: nesting deeper than ${MAX_NESTING_DEPTH} levels`));
  });

  test(`${format}: exactly ${MAX_NESTING_DEPTH} levels are accepted, ${MAX_NESTING_DEPTH + 1} refused`, () => {
    // Whatever the file's other content, only the depth differs between the two texts.
    const ok = f.nest(MAX_NESTING_DEPTH);
    const deep = f.nest(MAX_NESTING_DEPTH + 1);
    const okLines = (() => {
      try {
        parseNetwork(f.file, ok, format);
        return [];
      } catch (e) {
        return (e as Error).message.split('\n');
      }
    })();
    assert.ok(okLines.every((l) => !l.includes('nesting deeper')), okLines.join('\n'));
    assertIssue(importErrorLines(() => parseNetwork(f.file, deep, format)), `${f.file}:`, `nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  });

  test(`${format}: a NUL anywhere is refused naming its line`, () => {
    for (const at of [0, Math.floor(f.text.length / 3), Math.floor(f.text.length / 2), f.text.length - 2]) {
      const text = f.text.slice(0, at) + '\u0000' + f.text.slice(at);
      assertIssue(importErrorLines(() => parseNetwork(f.file, text, format)), `${f.file}:${lineOf(text, at)}: text:`, 'NUL');
    }
  });
}

test('a file larger than the import limit is refused at line 1 before any parsing', () => {
  const text = 'graph [ ]' + ' '.repeat(MAX_IMPORT_CHARS);
  assertIssue(importErrorLines(() => parseNetwork('big.gml', text)), 'big.gml:1: file:', `more than the ${MAX_IMPORT_CHARS}`);
});

test('a lone surrogate in the text is refused naming its line', () => {
  const text = formats.gml.text.replace('id 2', 'id 2 label "x\ud800"');
  assertIssue(importErrorLines(() => parseNetwork('s.gml', text)), 's.gml:3: text:', 'lone UTF-16 surrogate');
});

test('a Latin-1 file read as UTF-8 (U+FFFD where the bytes were not UTF-8) is refused, not imported with altered names', () => {
  const latin1 = Buffer.from(formats.gml.text.replace('id 2', 'id 2 label "Zürich"'), 'latin1').toString('utf8');
  assert.ok(latin1.includes('\ufffd'));
  assertIssue(importErrorLines(() => parseNetwork('z.gml', latin1)), 'z.gml:3: text:', 'not valid UTF-8');
  // Written as an escape, U+FFFD is a deliberate character and imports.
  const escaped = formats.json.text.replace('"T"', '"T\\ufffd"');
  assert.equal(parseNetwork('n.json', escaped).network.name, 'T\ufffd');
});

test('JSON escapes that decode to NUL or a lone surrogate are refused naming their line', () => {
  const nul = formats.geojson.text.replace('"A"', '"A\\u0000"');
  assertIssue(importErrorLines(() => parseNetwork('n.geojson', nul)), `n.geojson:${lineOf(nul, nul.indexOf('\\u0000'))}: json:`, 'U+0000');
  const key = formats.json.text.replace('"lat"', '"l\\u0000at"');
  assertIssue(importErrorLines(() => parseNetwork('n.json', key)), `n.json:${lineOf(key, key.indexOf('\\u0000'))}: json:`, 'U+0000');
  const lone = formats.json.text.replace('"T"', '"T\\ud800x"');
  assertIssue(importErrorLines(() => parseNetwork('n.json', lone)), 'n.json:', 'lone surrogate');
  // A surrogate pair written as two escapes is one character, and fine.
  const pair = formats.json.text.replace('"T"', '"T\\ud83d\\ude00"');
  assert.equal(parseNetwork('n.json', pair).network.name, 'T\u{1f600}');
});

test('GML character references to NUL or a surrogate are kept as text, never decoded into the name', () => {
  const text = formats.gml.text.replace('id 1', 'id 1 label "a&#0;b&#xD800;c&#252;"');
  const site = parseNetwork('e.gml', text).network.sites[0];
  assert.equal(site.name, 'a&#0;b&#xD800;cü');
});

test('JSON values that are objects where text is expected never crash (objects without prototype)', () => {
  const features = (extra: object) => JSON.stringify({ type: 'FeatureCollection', features: [...JSON.parse(formats.geojson.text).features, extra] });
  // A feature of unknown kind is reported; its featureType is described, not String()-ed.
  const { report } = parseNetwork('o.geojson', features({ type: 'Feature', geometry: null, properties: { featureType: { toString: 1 } } }));
  assert.match(report.skipped[0].reason, /featureType \{"toString":1\}/);
  const srlg = formats.json.text.replace('"spans": []', '"spans": [{"id": "s", "aSiteId": "a", "zSiteId": "a", "srlgIds": [{}]}]');
  assertIssue(importErrorLines(() => parseNetwork('o.json', srlg)), 'o.json:', 'srlgIds[0]: must be a string, got an object');
});

test('a key repeated in one JSON object is refused, naming both lines', () => {
  const text = '{"format": "lightpath.network", "version": 1,\n"sites": [{"id": "a", "lat": 1,\n "lat": 50, "lon": 2}], "spans": []}';
  assertIssue(importErrorLines(() => parseNetwork('d.json', text)), 'd.json:3: sites[0].lat:', 'duplicate key "lat" (first at line 2)');
});

test('a broken file lists at most MAX_REPORTED_ISSUES problems and counts the rest', () => {
  const n = MAX_REPORTED_ISSUES + 50;
  const nodes = Array.from({ length: n }, (_, i) => `  node [ id ${i} Latitude "north" Longitude 2 ]`).join('\n');
  const lines = importErrorLines(() => parseNetwork('many.gml', `graph [\n${nodes}\n]\n`));
  assert.equal(lines.length, MAX_REPORTED_ISSUES + 1);
  assert.equal(lines[MAX_REPORTED_ISSUES], `many.gml:${MAX_REPORTED_ISSUES + 2}: file: 50 more problem(s) not listed`);
});

test('xlron and DeepRMSA text: every problem is an ImportError with its line, never a TypeError', () => {
  const cases: [() => unknown, string, string][] = [
    [() => parseXlronJson('null', 'x.json'), 'x.json:1:', 'must be an object'],
    [() => parseXlronJson('{"nodes": [null], "links": []}', 'x.json'), 'x.json:1: nodes[0]:', 'must be an object'],
    [() => parseXlronJson('{"nodes": [{"id": 1}],\n"links": [null]}', 'x.json'), 'x.json:2: links[0]:', 'must be an object'],
    [() => parseXlronJson('{"nodes": [{"id": {"toString": 1}}], "links": []}', 'x.json'), 'x.json:1: nodes[0].id:', 'must be a string or number'],
    [() => parseXlronJson('{"nodes": [{"id": 1},\n{"id": 1}], "links": []}', 'x.json'), 'x.json:2: nodes[1].id:', 'duplicate node 1 (first at line 1)'],
    [() => parseXlronJson('{"nodes": [], "links": []}', 'x.json'), 'x.json:1: nodes:', 'no nodes'],
    [() => parseXlronJson('{', 'x.json'), 'x.json:1: json:', 'syntax error'],
    [() => parseXlronJson(`{"nodes": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`, 'x.json'), 'x.json:1: json:', 'nesting deeper'],
    [() => parseNsfnetTxt('# c\n3\n1\n\n1 2 x\n', 't.txt'), 't.txt:5: link.km:', 'bad length "x"'],
    [() => parseNsfnetTxt('1000000000\n0\n', 't.txt'), 't.txt:1: node count:', 'an integer from 0 to 100000'],
    [() => parseNsfnetTxt('0\n0\n', 't.txt'), 't.txt:1: node count:', 'no nodes'],
    [() => parseNsfnetTxt('3\n2\n1 2 5\n2 1 7\n', 't.txt'), 't.txt:4: link:', 'duplicate link 1-2 (first at line 3)'],
    [() => parseNsfnetTxt('3\n1\n1\u00002 5\n', 't.txt'), 't.txt:3: text:', 'NUL'],
  ];
  for (const [fn, prefix, words] of cases) assertIssue(importErrorLines(fn), prefix, words);
});
