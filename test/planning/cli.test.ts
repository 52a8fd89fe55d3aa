import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedData } from '../support/shared.js';
import { parseSndlibDesign } from '../../src/import/sndlib-design.js';
import { checkSndlibPlan } from '../../src/engine/planning/sndlib-check.js';
import type { SndlibPlan } from '../../src/engine/planning/sndlib-plan.js';

const bin = path.resolve('bin/lightpath.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, LIGHTPATH_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cli-')) } });

test('lightpath plan --sndlib --json prints a plan that passes the checker, without opening the store', () => {
  const file = sharedData('sndlib', 'abilene.txt');
  const r = run(['plan', '--sndlib', file, '--time-limit', '60', '--json', '--no-progress']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as SndlibPlan;
  assert.equal(plan.solver.status, 'optimal');
  assert.equal(plan.solver.gap, 0);
  assert.deepEqual(checkSndlibPlan(parseSndlibDesign('abilene.txt', fs.readFileSync(file, 'utf8')), plan).problems, []);
});

test('lightpath plan: bad forecast file is one line with file:line: field, exit 1; no input is a usage error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cli-'));
  const csv = path.join(dir, 'f.csv');
  fs.writeFileSync(csv, 'a_site,z_site,period,gbps\nchi-pop,nyc-pop,1,lots\n');
  const r = run(['plan', '--forecast', csv, '--time-limit', '5']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^lightpath: validation-failed: /);
  assert.match(r.stderr, /f\.csv:2: gbps: must be a number >= 0, got "lots"/);
  const none = run(['plan', '--time-limit', '5']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /lightpath: validation-failed: plan needs --sndlib FILE/);
});

test('lightpath plan --growth on the built-in network prints the periods and the exhaustion list', () => {
  const r = run(['plan', '--growth', 'base=200,default=0.3,Dallas=0.8', '--periods', '2', '--labels', '2026,2027', '--time-limit', '4', '--no-progress']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2026/);
  assert.match(r.stdout, /2027/);
  assert.match(r.stdout, /without the plan/);
});
