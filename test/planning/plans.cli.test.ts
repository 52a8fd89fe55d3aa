/**
 * `lightpath plan --submit | list | show | apply` in-process on a temporary embedded store (the built-in
 * network), through the real program: the plan is solved by the store's job (this process runs it),
 * the dry run lists the changes, apply writes them, a second apply is one line `conflict`, exit 1.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcessCli } from '../support/cli.js';
import type { AddressInfo } from 'node:net';
import type { Plan, PlanChanges } from '../../src/services/planning/index.js';
import { pgliteDriver } from '../support/db.js';
import { buildApp } from '../../src/api/app.js';
import { createServices, stopServices } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-plan-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = inProcessCli(tmp);

describe('plan CLI on the store', { timeout: 240_000 }, () => {
  test('--submit plans over the store\'s network; apply --dry-run lists, apply writes once', async () => {
    const csv = path.join(tmp, 'forecast.csv');
    // Far beyond what chi-nyc has lit: the plan must light more fiber pairs (or lay cable).
    fs.writeFileSync(csv, 'a_site,z_site,period,gbps\nchi-pop,nyc-pop,1,1000\nchi-pop,nyc-pop,2,120000\n');
    const s = await cli(['--json', 'plan', '--submit', '--forecast', csv, '--labels', '2027,2028', '--time-limit', '10', '--gap', '0.02', '--progress']);
    assert.equal(s.code, 0, s.stderr);
    const plan = JSON.parse(s.stdout) as Plan;
    assert.equal(plan.state, 'done');
    assert.ok(plan.document);
    assert.deepEqual(plan.document.periods.map((p) => p.label), ['2027', '2028']);
    assert.match(s.stderr, new RegExp(plan.id), 'the progress bar names the plan');
    const list = await cli(['--json', 'plan', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { items: Plan[] }).items.map((p) => p.id), [plan.id]);
    const dry = await cli(['plan', 'apply', plan.id, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would make \d+ change\(s\) \(dry run\)/);
    const dryJson = JSON.parse((await cli(['--json', 'plan', 'apply', plan.id, '--dry-run'])).stdout) as PlanChanges;
    assert.ok(dryJson.changes.length > 0, 'the forecast needs new capacity');
    assert.equal(dryJson.applied, false);
    assert.match(dry.stdout, new RegExp(`lightpath plan apply ${plan.id} --inventory-version ${dryJson.inventoryVersion}`));
    const stale = await cli(['plan', 'apply', plan.id, '--inventory-version', String(dryJson.inventoryVersion + 1)]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^lightpath: conflict: the inventory changed since the change set was reviewed/);
    const applied = await cli(['--json', 'plan', 'apply', plan.id, '--inventory-version', String(dryJson.inventoryVersion)]);
    assert.equal(applied.code, 0, applied.stderr);
    const cs = JSON.parse(applied.stdout) as PlanChanges;
    assert.equal(cs.applied, true);
    assert.deepEqual(cs.changes.map((c) => c.spanId), dryJson.changes.map((c) => c.spanId));
    const again = await cli(['plan', 'apply', plan.id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^lightpath: conflict: plan pln_\w+ was applied at /);
    const shown = await cli(['plan', 'show', plan.id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /is done \(applied /);
  });

  test('--submit with --network or without a forecast is refused', async () => {
    const n = await cli(['plan', '--submit', '--network', 'builtin', '--growth', 'base=100']);
    assert.equal(n.code, 1);
    assert.match(n.stderr, /^lightpath: validation-failed: plan --submit plans over the store's network/);
    const f = await cli(['plan', '--submit']);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /needs --forecast FILE or --growth SPEC/);
  });

  test('--submit to a running server: growth between three markets, the bar follows the server\'s job', async () => {
    const db = await pgliteDriver.open();
    const services = createServices(db, { workerPollMs: 50 });
    await services.inventory.initialize();
    const app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    services.worker.start();
    try {
      const key = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
      const server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const r = await cli(['--server', server, '--key', key, '--json', 'plan', '--submit', '--growth', 'base=20000,default=0.5', '--metros', 'Chicago,Dallas,Atlanta', '--periods', '2', '--time-limit', '10', '--gap', '0.05', '--progress']);
      assert.equal(r.code, 0, r.stderr);
      const plan = JSON.parse(r.stdout) as Plan;
      assert.equal(plan.state, 'done');
      assert.deepEqual(plan.request.growth, { baseGbps: 20000, defaultGrowth: 0.5, growthByMetro: {}, metros: ['Chicago', 'Dallas', 'Atlanta'] });
      assert.ok(plan.document !== null && plan.document.periods[0].kpis.demandGbps === 3 * 20000, 'three markets, three pairs');
      assert.equal(plan.document?.periods.length, 2);
      assert.match(r.stderr, new RegExp(`${plan.id} (queued|running|done)`), 'the bar names the plan and its state');
      // The plan is the server's: kept in its store.
      assert.equal((await services.plans.get(plan.id)).state, 'done');
      const queued = await cli(['--server', server, '--key', key, '--json', 'plan', '--submit', '--growth', 'base=100', '--metros', 'Chicago,Dallas', '--periods', '1', '--time-limit', '5', '--no-wait']);
      assert.equal(queued.code, 0, queued.stderr);
      assert.equal((JSON.parse(queued.stdout) as Plan).state, 'queued');
    } finally {
      await app.close();
      await stopServices(services);
      await db.close();
    }
  });
});
