import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNetwork } from '../../src/import/index.js';
import { MIN_DERIVED_SPAN_KM } from '../../src/import/build.js';
import { sharedFiles } from '../support/shared.js';
import { assertIssue, cosineLawKm, importErrorLines } from './oracle.js';

/** Independent reading of an SNDlib file by regular expressions over its sections. */
function regexModel(text: string) {
  const section = (name: string): string[] => {
    const m = new RegExp(`^${name} \\(\\s*\\n([\\s\\S]*?)^\\)`, 'm').exec(text);
    return m === null ? [] : m[1].split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  };
  const nodes = new Map<string, [number, number]>();
  for (const l of section('NODES')) {
    const m = /^\s*(\S+)\s*\(\s*(\S+)\s+(\S+)\s*\)/.exec(l) as RegExpExecArray;
    nodes.set(m[1], [Number(m[2]), Number(m[3])]);
  }
  const pairs = new Map<string, [string, string]>();
  const links = section('LINKS');
  for (const l of links) {
    const m = /^\s*\S+\s*\(\s*(\S+)\s+(\S+)\s*\)/.exec(l) as RegExpExecArray;
    const key = [m[1], m[2]].sort().join(' ');
    if (!pairs.has(key)) pairs.set(key, [m[1], m[2]]);
  }
  return { nodes, links: links.length, pairs: [...pairs.values()], demands: section('DEMANDS').length };
}

test('all SNDlib files import and reconcile with an independent reading', () => {
  const files = sharedFiles('sndlib', '.txt');
  assert.ok(files.length >= 26);
  for (const file of files) {
    const name = path.basename(file);
    const text = fs.readFileSync(file, 'utf8');
    const { network, report } = parseNetwork(name, text);
    const model = regexModel(text);
    assert.equal(report.format, 'sndlib');
    assert.equal(report.nodesInFile, model.nodes.size, name);
    assert.equal(report.edgesInFile, model.links, name);
    assert.equal(report.sitesImported, model.nodes.size, name);
    const skippedLinks = report.skipped.filter((s) => s.kind === 'link').length;
    assert.equal(model.links, report.spansImported + skippedLinks + report.merged.length, `${name}: links reconcile`);
    assert.equal(report.spansImported, model.pairs.length, `${name}: one span per node pair`);
    assert.equal(report.skipped.filter((s) => s.kind === 'other').length, model.demands, `${name}: demands reported`);
    const geographic = [...model.nodes.values()].every(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90);
    assert.equal(report.warnings.some((w) => /planar/.test(w)), !geographic, `${name}: planar warning`);
    network.spans.forEach((s, i) => {
      const [a, z] = model.pairs[i].map((id) => model.nodes.get(id) as [number, number]);
      // Geographic: great-circle km; planar: placed at 1 unit = 1 km, which never overstates a distance.
      const expected = geographic ? cosineLawKm(a[1], a[0], z[1], z[0]) : Math.hypot(a[0] - z[0], a[1] - z[1]);
      const km = Math.max(MIN_DERIVED_SPAN_KM, expected);
      const tol = geographic ? 1e-6 * km : 0.01 * km;
      assert.ok(s.lengthKm <= km + tol && s.lengthKm >= km - tol, `${name} ${s.id}: ${s.lengthKm} vs ${km}`);
    });
  }
});

test('giul39 forward/backward links fold into one span each, reported as merged', () => {
  const file = sharedFiles('sndlib', '.txt').find((f) => f.endsWith('giul39.txt')) as string;
  const { report } = parseNetwork('giul39.txt', fs.readFileSync(file, 'utf8'));
  assert.ok(report.merged.length > 0);
  assert.ok(report.merged.every((m) => m.kind === 'link' && /_bwd_/.test(m.id) && /fwd/.test(m.reason)));
});

const small = `?SNDlib native format; type: network; version: 1.0
# network tiny

NODES (
  A ( 13.40 52.52 )
  B ( 11.58 48.14 )
)

LINKS (
  L1 ( A B ) 0.00 0.00 0.00 0.00 ( 40.00 3290.00 )
)

DEMANDS (
  D1 ( A B ) 1 5.00 UNLIMITED
)
`;

test('a small SNDlib file: names, ids, demands reported with their lines', () => {
  const { network, report } = parseNetwork('tiny.txt', small);
  assert.equal(network.name, 'tiny');
  assert.deepEqual(network.sites.map((s) => [s.id, s.lat, s.lon]), [['A', 52.52, 13.4], ['B', 48.14, 11.58]]);
  assert.deepEqual(network.spans.map((s) => [s.id, s.aSiteId, s.zSiteId]), [['L1', 'A', 'B']]);
  assert.deepEqual(report.skipped, [{ line: 14, kind: 'other', id: 'D1', reason: report.skipped[0].reason }]);
});

test('malformed SNDlib reports file:line: field: problem', () => {
  assertIssue(importErrorLines(() => parseNetwork('t.txt', small.replace('( A B ) 0.00', '( A Z ) 0.00'))), 't.txt:10: link.target:', 'unknown node Z');
  assertIssue(importErrorLines(() => parseNetwork('t.txt', small.replace('11.58 48.14', 'east 48.14'))), 't.txt:6: node.longitude:', 'must be a number');
  assertIssue(importErrorLines(() => parseNetwork('t.txt', small.replace('L1 ( A B )', 'L1 A B'))), 't.txt:10: LINKS:', 'expected "id ( source target )');
  assertIssue(importErrorLines(() => parseNetwork('t.txt', small.replace('  B ( 11.58', '  A ( 11.58'))), 't.txt:6: node.id:', 'duplicate');
  assertIssue(importErrorLines(() => parseNetwork('t.txt', small.slice(0, small.indexOf('LINKS') + 20))), 't.txt:9: LINKS:', "unclosed '('");
  assertIssue(importErrorLines(() => parseNetwork('t.txt', '', 'sndlib')), 't.txt:1: sndlib:', 'empty file');
});
