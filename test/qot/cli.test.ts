/**
 * `lightpath qot` as a user runs it: a separate process, no data directory (the command must not
 * open the store), GNPy's example files.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gnpyFile } from './support.js';

const bin = path.resolve('bin/lightpath.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-qot-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]) {
  // A data directory that must stay untouched: the command reads files only.
  const env = { ...process.env, DATABASE_URL: '', LIGHTPATH_DATA_DIR: path.join(tmp, 'store') };
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 });
}

test('qot --json on GNPy\'s EDFA example prints its final GSNR (31.17 dB in 0.1 nm) and opens no store', () => {
  const r = run(['--json', 'qot', '--network', gnpyFile('example-data', 'edfa_example_network.json'), '--equipment', gnpyFile('example-data', 'eqpt_config.json')]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { source: string; destination: string; receiver: { gsnr01nmDb: number; cdPsPerNm: number; channels: number }; elements: { uid: string }[] };
  assert.equal(out.source, 'Site_A');
  assert.equal(out.destination, 'Site_B');
  assert.equal(out.receiver.channels, 76);
  assert.equal(out.receiver.gsnr01nmDb, 31.17);
  assert.equal(out.receiver.cdPsPerNm, 1336);
  assert.deepEqual(out.elements.map((e) => e.uid), ['Site_A', 'Span1', 'Edfa1', 'Site_B']);
  assert.equal(fs.existsSync(path.join(tmp, 'store')), false);
});

test('qot table output names the receiver and its GSNR', () => {
  const r = run(['qot', '--network', gnpyFile('example-data', 'edfa_example_network.json'), '--equipment', gnpyFile('example-data', 'eqpt_config.json'), '--power-dbm', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Receiver Site_B: GSNR \d+\.\d+ dB \(0\.1 nm\)/);
  assert.match(r.stdout, /1\.00 dBm reference power/);
});

test('a topology error is one line "lightpath: validation-failed:" naming file:line: field', () => {
  const bad = path.join(tmp, 'bad.json');
  const text = fs.readFileSync(gnpyFile('example-data', 'edfa_example_network.json'), 'utf8').replace('"to_node": "Edfa1"', '"to_node": "Edfa9"');
  fs.writeFileSync(bad, text);
  const r = run(['qot', '--network', bad, '--equipment', gnpyFile('example-data', 'eqpt_config.json')]);
  assert.equal(r.status, 1);
  const line = text.split('\n').findIndex((l) => l.includes('"Edfa9"')) + 1;
  assert.match(r.stderr, /^lightpath: validation-failed: /);
  assert.ok(r.stderr.includes(`bad.json:${line}: connections[1].to_node: unknown element "Edfa9"`), r.stderr);
});

test('missing required options is a usage error (exit 2)', () => {
  const r = run(['qot', '--network', 'x.json']);
  assert.equal(r.status, 2);
});
