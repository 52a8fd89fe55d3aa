/**
 * The ordering commands in-process on a temporary embedded store, through the real program.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcessCli } from '../support/cli.js';
import { printFirstStartOperatorKey } from '../../src/cli/commands/keys.js';
import { openPglite } from '../../src/store/pglite.js';
import { migrate } from '../../src/store/migrate.js';
import { authenticate } from '../../src/services/ordering/keys.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-order-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = inProcessCli(tmp);

describe('ordering CLI', () => {
  test('first start prints one operator key, once, and it authenticates', async () => {
    const db = await openPglite({});
    await migrate(db);
    let printed = '';
    assert.equal(await printFirstStartOperatorKey(db, (s) => (printed += s)), true);
    const key = /(lp_[A-Za-z0-9_-]{43})/.exec(printed)?.[1];
    assert.ok(key, 'the key is in the message');
    assert.deepEqual({ ...(await authenticate(db, `Bearer ${key}`)), keyId: 'x' }, { tenantId: 'operator', role: 'operator', keyId: 'x' });
    assert.equal(await printFirstStartOperatorKey(db, (s) => (printed += s)), false, 'second start prints nothing');
    await db.close();
  });

  test('keys, quote, order, services: the JSON is the API JSON; errors are one line', async () => {
    const k = await cli(['--json', 'keys', 'create', '--tenant', 'acme', '--role', 'customer']);
    assert.equal(k.code, 0, k.stderr);
    assert.match(JSON.parse(k.stdout).key, /^lp_/);
    const human = await cli(['keys', 'list']);
    assert.match(human.stdout, /acme/);
    assert.ok(!human.stdout.includes(JSON.parse(k.stdout).key), 'secrets are never listed');

    const q = await cli(['--json', 'quote', 'wave', 'chi-pop', 'nyc-pop', '--bandwidth', '400', '--tenant', 'acme']);
    assert.equal(q.code, 0, q.stderr);
    const quote = JSON.parse(q.stdout) as { id: string; options: { id: string }[] };
    assert.ok(quote.options.length >= 1);

    const o = await cli(['--json', 'order', 'create', '--quote', quote.id, '--option', quote.options[0].id, '--tenant', 'acme']);
    assert.equal(o.code, 0, o.stderr);
    const order = JSON.parse(o.stdout) as { state: string; serviceId: string };
    assert.equal(order.state, 'completed');

    const list = await cli(['--json', 'services', 'list', '--tenant', 'acme']);
    assert.deepEqual((JSON.parse(list.stdout) as { items: { id: string; state: string }[] }).items.map((s) => [s.id, s.state]), [[order.serviceId, 'active']]);
    const other = await cli(['services', 'show', order.serviceId, '--tenant', 'globex']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /^lightpath: not-found: /);

    const bad = await cli(['quote', 'wave', 'chi-pop', 'nowhere', '--bandwidth', '400']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^lightpath: validation-failed: /);

    const del = await cli(['services', 'delete', order.serviceId, '--tenant', 'acme']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /completed/);
  });

  test('bookings from the CLI: a held window, committed; availability shows it between the sites', async () => {
    const day = 24 * 3_600_000;
    const t0 = Math.ceil((Date.now() + day) / 3_600_000) * 3_600_000;
    const start = new Date(t0).toISOString();
    const end = new Date(t0 + day).toISOString();
    const o = await cli(['--json', 'order', 'create', 'wave', 'chi-pop', 'nyc-pop', '--bandwidth', '400', '--start', start, '--end', end, '--hold', '--tenant', 'acme']);
    assert.equal(o.code, 0, o.stderr);
    const held = JSON.parse(o.stdout) as { id: string; state: string; start: string; end: string; holdExpiresAt: string };
    assert.deepEqual([held.state, held.start, held.end], ['held', start, end]);
    const human = await cli(['order', 'show', held.id, '--tenant', 'acme']);
    assert.match(human.stdout, /held/);
    assert.ok(human.stdout.includes(`${start.slice(0, 10)} ${start.slice(11, 16)} -> ${end.slice(0, 10)} ${end.slice(11, 16)}`), human.stdout);
    const c = await cli(['order', 'commit', held.id, '--tenant', 'acme']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /is acknowledged/);
    const svc = await cli(['--json', 'services', 'list', '--tenant', 'acme', '--state', 'scheduled']);
    assert.ok((JSON.parse(svc.stdout) as { items: { start: string }[] }).items.some((x) => x.start === start), svc.stdout);

    const a = await cli(['--json', 'availability', 'chi-pop', 'nyc-pop', '--bandwidth', '400', '--from', new Date(t0 - day / 2).toISOString(), '--to', new Date(t0 + 2 * day).toISOString()]);
    assert.equal(a.code, 0, a.stderr);
    const intervals = (JSON.parse(a.stdout) as { intervals: { start: string; end: string; count: number }[] }).intervals;
    // The backbone has room for many more (counts are capped at 16, "16 or more": the exact counting is
    // tested on a small network in test/calendar); here: the intervals cover the period, all feasible.
    assert.equal(intervals[0].start, new Date(t0 - day / 2).toISOString());
    assert.equal(intervals.at(-1)?.end, new Date(t0 + 2 * day).toISOString());
    assert.ok(intervals.every((x) => x.count >= 1));
    const strip = await cli(['availability', 'chi-pop', 'nyc-pop', '--bandwidth', '400']);
    assert.equal(strip.code, 0, strip.stderr);
    assert.match(strip.stdout, /[█░]{60}/);
  });
});
