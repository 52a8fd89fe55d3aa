import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { InventoryService } from '../../src/services/inventory.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { LightpathError } from '../../src/domain/errors.js';
import { toProjectJson } from '../../src/export/json.js';
import { schemaVersion } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { TEST_OPERATOR } from '../support/principals.js';

/** A snapshot of every table's rows, to prove that failed operations change nothing. */
async function dump(db: Db): Promise<string> {
  const tables = ['sites', 'spans', 'srlgs', 'span_srlgs', 'cables', 'meta'];
  const out: Record<string, unknown> = {};
  for (const t of tables) {
    out[t] = (await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows.map((r) => {
      const { created_at: _c, updated_at: _u, ...rest } = r as Record<string, unknown>;
      return rest;
    });
  }
  return JSON.stringify(out);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<LightpathError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LightpathError, `expected LightpathError, got ${String(err)}`);
    assert.equal(err.code, code, err.detail);
    return err;
  }
  assert.fail(`expected ${code}`);
}

for (const driver of testDrivers()) {
  describe(`inventory store on ${driver.name}`, () => {
    let db: Db;
    let svc: InventoryService;
    before(async () => {
      db = await driver.open();
      svc = new InventoryService(db);
    });
    after(async () => db.close());

    test('migrations are all applied and re-running them is a no-op', async () => {
      assert.equal(await schemaVersion(db), MIGRATIONS[MIGRATIONS.length - 1].version);
    });

    test('first start loads the built-in network exactly, and only once', async () => {
      assert.equal(await svc.initialize(), 'loaded-builtin');
      const expected = builtinNetwork();
      const c = await svc.counts();
      assert.deepEqual(c, { sites: expected.sites.length, spans: expected.spans.length, srlgs: expected.srlgs.length });
      const stored = await svc.getNetwork();
      const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      assert.deepEqual(stored.sites, byId(expected.sites));
      assert.deepEqual(stored.spans, byId(expected.spans));
      assert.deepEqual(stored.srlgs, byId(expected.srlgs));
      assert.equal(await svc.initialize(), 'already-initialized');
      assert.deepEqual(await svc.counts(), c);
    });

    test('pages walk the whole collection in id order without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const p = await svc.listSites({ limit: 7, cursor });
        seen.push(...p.items.map((s) => s.id));
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
      }
      const all = builtinNetwork().sites.map((s) => s.id).sort();
      assert.deepEqual(seen, all);
      await rejectsWith(svc.listSites({ limit: 0 }), 'validation-failed');
      await rejectsWith(svc.listSites({ cursor: 'garbage!' }), 'validation-failed');
    });

    test('filters: sites by kind, spans by site and by SRLG', async () => {
      const net = builtinNetwork();
      const dcs = await svc.listSites({ kind: 'datacenter', limit: 1000 });
      assert.equal(dcs.items.length, net.sites.filter((s) => s.kind === 'datacenter').length);
      const site = net.sites[0].id;
      const atSite = await svc.listSpans({ siteId: site, limit: 1000 });
      assert.deepEqual(atSite.items.map((s) => s.id).sort(), net.spans.filter((s) => s.aSiteId === site || s.zSiteId === site).map((s) => s.id).sort());
      const srlg = net.srlgs[0].id;
      const inSrlg = await svc.listSpans({ srlgId: srlg, limit: 1000 });
      assert.deepEqual(inSrlg.items.map((s) => s.id).sort(), net.spans.filter((s) => s.srlgIds.includes(srlg)).map((s) => s.id).sort());
    });

    test('site, SRLG and span CRUD with defaults', async () => {
      await svc.createSite(TEST_OPERATOR, { id: 'test-a', name: 'Test A', kind: 'pop', lat: 40, lon: -100 });
      await svc.createSite(TEST_OPERATOR, { id: 'test-b', name: 'Test B', kind: 'datacenter', lat: 41, lon: -100 });
      await svc.createSrlg(TEST_OPERATOR, { id: 'test-duct', name: 'Test duct', kind: 'duct' });
      const span = await svc.createSpan(TEST_OPERATOR, { id: 'test-ab', aSiteId: 'test-a', zSiteId: 'test-b', srlgIds: ['test-duct'] });
      // Length defaults to great-circle × 1.25; 1° of latitude ≈ 111.2 km.
      assert.ok(Math.abs(span.lengthKm - 111.2 * 1.25) < 0.5, String(span.lengthKm));
      assert.equal(span.geometry.coordinates.length, 2);
      assert.deepEqual(await svc.getSpan('test-ab'), span);
      const patched = await svc.updateSpan(TEST_OPERATOR, 'test-ab', { lengthKm: 150, cables: [{ id: 'test-ab-c1', strandCount: 288, strandsInUse: 0 }] });
      assert.equal(patched.lengthKm, 150);
      assert.deepEqual(await svc.getSpan('test-ab'), patched);
      const site = await svc.updateSite(TEST_OPERATOR, 'test-b', { name: 'Test B2' });
      assert.equal(site.name, 'Test B2');
      assert.equal((await svc.getSite('test-b')).name, 'Test B2');
    });

    test('deleting what is in use is refused and changes nothing', async () => {
      const before = await dump(db);
      await rejectsWith(svc.deleteSite(TEST_OPERATOR, 'test-a'), 'in-use');
      await rejectsWith(svc.deleteSrlg(TEST_OPERATOR, 'test-duct'), 'in-use');
      const busy = builtinNetwork().spans.find((s) => s.cables.some((c) => c.strandsInUse > 0));
      assert.ok(busy);
      await rejectsWith(svc.deleteSpan(TEST_OPERATOR, busy.id), 'in-use');
      assert.equal(await dump(db), before);
      await svc.deleteSpan(TEST_OPERATOR, 'test-ab');
      await svc.deleteSite(TEST_OPERATOR, 'test-a');
      await svc.deleteSrlg(TEST_OPERATOR, 'test-duct');
      await rejectsWith(svc.getSpan('test-ab'), 'not-found');
      await rejectsWith(svc.getSite('test-a'), 'not-found');
    });

    test('invalid writes are refused with field errors and change nothing', async () => {
      const before = await dump(db);
      const e1 = await rejectsWith(svc.createSite(TEST_OPERATOR, { id: 'bad site', name: '', kind: 'pop', lat: 91, lon: 0 }), 'validation-failed');
      assert.deepEqual(e1.errors?.map((e) => e.path).sort(), ['/id', '/lat', '/name']);
      await rejectsWith(svc.createSpan(TEST_OPERATOR, { id: 'x1', aSiteId: 'test-b', zSiteId: 'nowhere' }), 'validation-failed');
      await rejectsWith(svc.createSpan(TEST_OPERATOR, { id: 'x2', aSiteId: 'test-b', zSiteId: 'chi-pop', lengthKm: -5 }), 'validation-failed');
      await rejectsWith(svc.createSite(TEST_OPERATOR, { id: 'chi-pop', name: 'dup', kind: 'pop', lat: 0, lon: 0 }), 'conflict');
      await rejectsWith(svc.updateSpan(TEST_OPERATOR, builtinNetwork().spans[0].id, { srlgIds: ['no-such-srlg'] }), 'validation-failed');
      await rejectsWith(svc.updateSite(TEST_OPERATOR, 'nowhere', { name: 'x' }), 'not-found');
      assert.equal(await dump(db), before);
    });

    test('import into a non-empty store is refused; a bad file changes nothing; replace swaps the network', async () => {
      const before = await dump(db);
      const small = {
        format: 'lightpath.network',
        version: 1,
        name: 'Two sites',
        srlgs: [],
        sites: [
          { id: 'x', name: 'X', kind: 'pop', lat: 10, lon: 10, metro: null, cloudProvider: null, cloudRegion: null },
          { id: 'y', name: 'Y', kind: 'pop', lat: 11, lon: 10, metro: null, cloudProvider: null, cloudRegion: null },
        ],
        spans: [{ id: 'xy', aSiteId: 'x', zSiteId: 'y', lengthKm: 120 }],
      };
      const text = JSON.stringify(small, null, 2);
      await rejectsWith(svc.importNetwork(TEST_OPERATOR, { fileName: 'two.json', text }), 'conflict');
      const bad = JSON.stringify({ ...small, spans: [{ id: 'xy', aSiteId: 'x', zSiteId: 'nowhere', lengthKm: 120 }] }, null, 2);
      const err = await rejectsWith(svc.importNetwork(TEST_OPERATOR, { fileName: 'bad.json', text: bad, replace: true }), 'validation-failed');
      assert.ok(err.errors?.some((e) => e.file === 'bad.json' && typeof e.line === 'number' && e.line > 1), JSON.stringify(err.errors));
      assert.equal(await dump(db), before);
      const out = await svc.importNetwork(TEST_OPERATOR, { fileName: 'two.json', text, replace: true });
      assert.deepEqual(out.counts, { sites: 2, spans: 1, srlgs: 0 });
      const net = await svc.getNetwork();
      assert.equal(net.name, 'Two sites');
      // Round trip: export → import gives the identical network.
      const again = await svc.importNetwork(TEST_OPERATOR, { fileName: 'again.json', text: JSON.stringify(toProjectJson(net)), replace: true });
      assert.deepEqual(again.counts, out.counts);
      assert.deepEqual(await svc.getNetwork(), net);
    });
  });
}
