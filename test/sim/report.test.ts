import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulate } from '../../src/engine/sim/simulator.js';
import { simulateSweep } from '../../src/engine/sim/sweep.js';
import { RESULT_CSV_HEADER, resultsToCsv, spansToCsv, sweepChartSvg } from '../../src/engine/sim/report.js';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import { sharedData } from '../support/shared.js';
import { nsfnetGraph } from './helpers.js';

const base = {
  graph: nsfnetGraph(), slotCount: 32, k: 3, requestSize: { kind: 'uniform-gbps', minGbps: 25, maxGbps: 100 } as const,
  seed: 4, requests: 4_000, warmupRequests: 400,
};

test('a sweep is the same as running each point alone, and reports progress up to the total', () => {
  const seen: number[] = [];
  const sweep = simulateSweep({ ...base, loadsErlang: [20, 40], policies: ['ksp-ff', 'llp-ff'], onProgress: (done) => seen.push(done) });
  const alone = (['ksp-ff', 'llp-ff'] as const).flatMap((policy) => [20, 40].map((loadErlang) => simulate({ ...base, policy, loadErlang })));
  assert.deepEqual(sweep, alone);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  assert.equal(seen[seen.length - 1], 4 * (4_000 + 400));
});

test('CSV has a header and one row per result; the SVG has one line per policy and one point per load', () => {
  const results = simulateSweep({ ...base, loadsErlang: [10, 20, 30], policies: ['ksp-ff', 'fa-cost'] });
  const csv = resultsToCsv(results).trim().split('\n');
  assert.equal(csv.length, 1 + results.length);
  assert.deepEqual(csv[0].split(','), RESULT_CSV_HEADER);
  csv.slice(1).forEach((row, i) => {
    const cells = row.split(',');
    assert.equal(cells.length, RESULT_CSV_HEADER.length);
    assert.equal(Number(cells[RESULT_CSV_HEADER.indexOf('request_blocking')]), results[i].requestBlocking.mean);
  });
  assert.equal(spansToCsv(results).trim().split('\n').length, 1 + results.length * 22);
  const svg = sweepChartSvg(results);
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const lines = [...svg.matchAll(/<polyline data-policy="([^"]+)"[^>]* points="([^"]+)"/g)];
  assert.deepEqual(lines.map((m) => m[1]), ['ksp-ff', 'fa-cost']);
  for (const m of lines) assert.equal(m[2].split(' ').length, 3);
});

test('the simulate command writes JSON results and a chart for a sweep', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-sim-'));
  try {
    const out = path.join(dir, 'r.json');
    const chart = path.join(dir, 'c.svg');
    runSimulate({
      topology: sharedData('optical', 'nsfnet_chen.txt'), slots: 64, k: 5, order: 'km', policy: ['sp-ff', 'ksp-ff'], loads: [40, 60],
      holdingTime: 1, requests: 3_000, seed: 1, batches: 10, traffic: 'uniform', guard: 1, format: 'json', out, chart, progress: false,
    });
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { results: { policy: string; loadErlang: number; requestBlocking: { mean: number } }[] };
    assert.deepEqual(doc.results.map((r) => `${r.policy}@${r.loadErlang}`), ['sp-ff@40', 'sp-ff@60', 'ksp-ff@40', 'ksp-ff@60']);
    assert.ok(fs.readFileSync(chart, 'utf8').includes('<polyline'));
    assert.throws(() => runSimulate({
      topology: sharedData('optical', 'nsfnet_chen.txt'), k: 5, order: 'km', policy: ['ksp-ff'], holdingTime: 1, requests: 100, seed: 1,
      batches: 10, traffic: '1,2,3', guard: 1, format: 'csv', out: path.join(dir, 'x.csv'), progress: false,
    }), /--traffic needs 14 weights/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
