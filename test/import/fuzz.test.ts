/**
 * Fuzzing every importer with mutations of real files from ../shared/data: truncation, character
 * flips, duplicated and deleted lines, inserted NULs, deep nesting and swapped tokens. Whatever the
 * mutation, an import either succeeds with a valid, storable network or throws an ImportError
 * whose every issue names the file and a line of it; never any other exception. Fixed seeds, so
 * every run checks the same cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { parseNetwork, ImportError } from '../../src/import/index.js';
import type { ImportFormat } from '../../src/import/index.js';
import { parseXlronJson } from '../../src/import/xlron.js';
import { parseNsfnetTxt } from '../../src/import/nsfnet-txt.js';
import { placePlanar } from '../../src/import/planar.js';
import { toGeoJson } from '../../src/export/geojson.js';
import { toProjectJson } from '../../src/export/json.js';
import { validateNetwork } from '../../src/domain/validate.js';
import type { Network } from '../../src/domain/network.js';
import { sharedData } from '../support/shared.js';
import { FC_SEED } from './arbitraries.js';

type Fuzzed = ImportFormat | 'xlron' | 'nsfnet';

const read = (...parts: string[]): string => fs.readFileSync(sharedData(...parts), 'utf8');
const abilene = parseNetwork('abilene.txt', read('sndlib', 'abilene.txt')).network;

/** Real files per format; GeoJSON and project JSON are written from a real network by the exporters. */
const seeds: Record<Fuzzed, { file: string; text: string }[]> = {
  gml: ['Abilene.gml', 'Cogentco.gml'].map((f) => ({ file: f, text: read('topologyzoo', f) })),
  sndlib: ['abilene.txt', 'atlanta.txt'].map((f) => ({ file: f, text: read('sndlib', f) })),
  n2p: ['NSFNet_N14_E42.n2p', 'Simmons_N30_E72.n2p', 'NSFNet_trafficMatrix.n2p'].map((f) => ({ file: f, text: read('net2plan', f) })),
  geojson: [{ file: 'abilene.geojson', text: JSON.stringify(toGeoJson(abilene), null, 2) }],
  json: [{ file: 'abilene.json', text: JSON.stringify(toProjectJson(abilene), null, 2) }],
  gnpy: ['edfa_example_network.json', 'Sweden_OpenROADMv5_example_network.json'].map((f) => ({ file: f, text: read('gnpy', 'example-data', f) })),
  xlron: ['nsfnet_deeprmsa_undirected.json', 'geant2_undirected.json'].map((f) => ({ file: f, text: read('xlron', f) })),
  nsfnet: [{ file: 'nsfnet_chen.txt', text: read('optical', 'nsfnet_chen.txt') }],
};

/** Opening and closing of one nesting level in each format. */
const LEVEL: Record<Fuzzed, [string, string]> = {
  gml: ['a [ ', ' ]'],
  sndlib: ['( ', ' )'],
  n2p: ['<a>', '</a>'],
  geojson: ['[', ']'],
  json: ['{"a":', '1}'],
  gnpy: ['{"a":', '1}'],
  xlron: ['[', ']'],
  nsfnet: ['[', ']'],
};

/** Tokens that broke parsers before: objects where text is expected, reserved names, escapes, references. */
const HOSTILE_TOKENS = ['{}', '{"toString":1}', 'null', '[]', '"__proto__"', '__proto__', 'constructor', '1e999', '-0', '&#0;', '&amp;', '&x;', '<a/>', '( )', '[ ]', '"\\u0000"', '"\\ud800"', '\u2028', '"', '<!DOCTYPE a>'];

/** A position in the text as a fraction, drawn uniformly (fc.double favours values near 0). */
const at = fc.integer({ min: 0, max: 1 << 20 }).map((x) => x / (1 << 20));

type Mutation =
  | { kind: 'truncate' | 'duplicate-line' | 'delete-line' | 'nul'; at: number }
  | { kind: 'flip'; at: number; code: number }
  | { kind: 'nest'; at: number; levels: number }
  | { kind: 'token'; at: number; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('truncate' as const, 'duplicate-line' as const, 'delete-line' as const, 'nul' as const), at }),
  // Any UTF-16 code unit: lone surrogates included.
  fc.record({ kind: fc.constant('flip' as const), at, code: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('flip' as const), at, code: fc.constantFrom(...[...'[](){}<>"&;#\\/,:=\n -0123456789.eE?!'].map((c) => c.charCodeAt(0))) }),
  fc.record({ kind: fc.constant('nest' as const), at, levels: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('token' as const), at, token: fc.constantFrom(...HOSTILE_TOKENS) }),
);

function mutate(format: Fuzzed, text: string, m: Mutation): string {
  const i = Math.floor(m.at * text.length);
  const lines = text.split('\n');
  const li = Math.floor(m.at * lines.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, i);
    case 'flip':
      return text.slice(0, i) + String.fromCharCode(m.code) + text.slice(i + 1);
    case 'duplicate-line':
      lines.splice(li, 0, lines[li] ?? '');
      return lines.join('\n');
    case 'delete-line':
      lines.splice(li, 1);
      return lines.join('\n');
    case 'nul':
      return text.slice(0, i) + '\u0000' + text.slice(i);
    case 'nest': {
      const [open, close] = LEVEL[format];
      return text.slice(0, i) + open.repeat(m.levels) + close.repeat(m.levels) + text.slice(i);
    }
    case 'token': {
      // Replace the word or quoted string nearest the position.
      const words = [...text.matchAll(/[A-Za-z0-9_.+-]+|"[^"\n]*"/g)];
      const w = words[Math.floor(m.at * words.length)];
      return w === undefined ? text : text.slice(0, w.index) + m.token + text.slice(w.index + w[0].length);
    }
  }
}

function importAs(format: Fuzzed, file: string, text: string): Network {
  if (format === 'xlron') return parseXlronJson(text, file);
  if (format === 'nsfnet') return parseNsfnetTxt(text, file);
  const { network, report } = parseNetwork(file, text, format);
  assert.equal(report.sitesImported, network.sites.length);
  assert.equal(report.spansImported, network.spans.length);
  if (report.edgesInFile > 0) assert.ok(network.spans.length > 0, 'edges declared, so some span');
  assert.deepEqual(validateNetwork(network), [], 'an imported network is valid');
  return network;
}

/** Every string reachable from the value (names, ids, geometry excluded as numbers): PostgreSQL-storable text. */
function assertStorable(value: unknown, path = 'network'): void {
  if (typeof value === 'string') {
    assert.ok(!value.includes('\u0000'), `${path} holds NUL`);
    assert.ok(!/\p{Cs}/u.test(value), `${path} holds a lone surrogate`);
  } else if (Array.isArray(value)) value.forEach((v, i) => assertStorable(v, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) assertStorable(v, `${path}.${k}`);
}

/** Imports or a well-formed ImportError; anything else fails the property. Returns the issues, if any. */
function importOrImportError(format: Fuzzed, file: string, text: string): ImportError | null {
  try {
    const network = importAs(format, file, text);
    assert.ok(network.sites.length > 0, 'a network with sites');
    assertStorable(network);
    return null;
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(e instanceof ImportError, `${format}: expected an ImportError, got ${e instanceof Error ? e.stack : String(e)}`);
    const lineCount = text.split('\n').length;
    for (const issue of e.issues) {
      assert.equal(issue.file, file);
      assert.ok(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lineCount, `line ${issue.line} of ${lineCount}: ${issue.message}`);
      assert.ok(issue.field.length > 0 || issue.line >= 1);
      // The n2p parser's last-resort catch must never be needed: scanXml and XMLValidator come first.
      assert.ok(!/not well-formed:/.test(issue.message), issue.message);
    }
    return e;
  }
}

/**
 * Runs per format: 200 keep the file within a few seconds and find every crash fixed here (they fail
 * on the code before the fix). LIGHTPATH_FUZZ_RUNS and LIGHTPATH_FUZZ_SEED allow deeper local runs.
 */
const RUNS = Number(process.env.LIGHTPATH_FUZZ_RUNS ?? 200);
const SEED = Number(process.env.LIGHTPATH_FUZZ_SEED ?? FC_SEED);

for (const format of Object.keys(seeds) as Fuzzed[]) {
  test(`fuzz ${format}: mutated real files import or throw an ImportError naming file and line`, () => {
    fc.assert(
      fc.property(fc.nat(seeds[format].length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (s, ms) => {
        const seed = seeds[format][s];
        const text = ms.reduce((t, m) => mutate(format, t, m), seed.text);
        importOrImportError(format, seed.file, text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test(`fuzz ${format}: a NUL inserted anywhere is refused naming its line`, () => {
    fc.assert(
      fc.property(fc.nat(seeds[format].length - 1), at, (s, where) => {
        const seed = seeds[format][s];
        const i = Math.floor(where * seed.text.length);
        const text = seed.text.slice(0, i) + '\u0000' + seed.text.slice(i);
        const e = importOrImportError(format, seed.file, text);
        assert.ok(e !== null, 'refused');
        const line = text.slice(0, i).split('\n').length;
        assert.ok(e.issues.some((x) => x.line === line && x.field === 'text' && /NUL/.test(x.message)), e.message);
      }),
      { seed: SEED, numRuns: Math.max(50, RUNS / 4) },
    );
  });

  test(`fuzz ${format}: the unmutated seeds import`, () => {
    for (const seed of seeds[format]) assert.equal(importOrImportError(format, seed.file, seed.text), null, seed.file);
  });
}

test('placePlanar handles more points than a spread call can take (was a RangeError at ~125,000)', () => {
  const n = 300_000;
  const pts = Array.from({ length: n }, (_, i) => ({ x: i, y: (i * 7919) % 1000 }));
  const placed = placePlanar(pts, 1);
  assert.equal(placed.length, n);
  // Centred on the bounding box: the extreme x (first and last point) and extreme y map to opposite values.
  assert.ok(Math.abs(placed[0].lon + placed[n - 1].lon) < 1e-9);
  const yMin = pts.findIndex((p) => p.y === 0);
  const yMax = pts.findIndex((p) => p.y === 999);
  assert.ok(yMin >= 0 && yMax >= 0 && Math.abs(placed[yMin].lat + placed[yMax].lat) < 1e-9);
});
