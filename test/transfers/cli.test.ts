/**
 * `lightpath transfer create|list|show|cancel` in-process on a temporary embedded store, through the real program.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcessCli } from '../support/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-transfer-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = inProcessCli(tmp);

describe('transfer CLI', () => {
  test('create (admitted, then refused with the answers), list, show, cancel; JSON is the API JSON', async () => {
    // An ethernet circuit lights a chi-nyc trunk; transfers ride what it leaves free.
    const o = await cli(['order', 'create', 'ethernet', 'chi-pop', 'nyc-pop', '--bandwidth', '100', '--tenant', 'acme']);
    assert.equal(o.code, 0, o.stderr);
    const deadline = new Date(Date.now() + 4 * 3_600_000).toISOString();
    const c = await cli(['--json', 'transfer', 'create', 'chi-pop', 'nyc-pop', '--volume', '50', '--deadline', deadline, '--tenant', 'acme', '--idempotency-key', 'x1']);
    assert.equal(c.code, 0, c.stderr);
    const t = JSON.parse(c.stdout) as { id: string; state: string; schedule: { rateGbps: number }[]; volumeTB: number };
    assert.equal(t.state, 'scheduled');
    assert.ok(t.schedule.reduce((s, e) => s + e.rateGbps * 900, 0) >= 50 * 8000);
    const human = await cli(['transfer', 'show', t.id, '--tenant', 'acme']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /slot start/);
    const list = await cli(['--json', 'transfer', 'list', '--tenant', 'acme']);
    assert.deepEqual((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((x) => x.id), [t.id]);
    const other = await cli(['transfer', 'show', t.id, '--tenant', 'globex']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /^lightpath: not-found: /);
    // 300 Gbps at most for 4 hours cannot carry 5 PB: one line naming what would fit.
    const no = await cli(['transfer', 'create', 'chi-pop', 'nyc-pop', '--volume', '5000', '--deadline', deadline, '--tenant', 'acme']);
    assert.equal(no.code, 1);
    assert.match(no.stderr, /^lightpath: deadline-infeasible: .*earliest feasible deadline: .*most volume by the requested deadline: [0-9.]+ TB/);
    const x = await cli(['transfer', 'cancel', t.id, '--tenant', 'acme']);
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /cancelled/);
  });
});
