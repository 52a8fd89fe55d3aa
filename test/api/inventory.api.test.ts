import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { testDrivers } from '../support/db.js';
import { sharedData } from '../support/shared.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices } from '../../src/services/index.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { greatCircleKm, FIBER_LATENCY_US_PER_KM } from '../../src/domain/network.js';
import { roundTo } from '../../src/domain/units.js';
import { SITE_KINDS, SRLG_KINDS } from '../../src/domain/network.js';
import * as S from '../../src/api/schemas.js';
import { createKey } from '../../src/services/ordering/keys.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json() as { code: string; status: number; title: string; type: string; detail: string };
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.ok(body.title && body.type && body.detail);
}

test('API kind schemas list exactly the domain kinds', () => {
  const lits = (u: { anyOf: { const: string }[] }) => u.anyOf.map((x) => x.const).sort();
  assert.deepEqual(lits(S.SiteKind as unknown as { anyOf: { const: string }[] }), [...SITE_KINDS].sort());
  assert.deepEqual(lits(S.SrlgKind as unknown as { anyOf: { const: string }[] }), [...SRLG_KINDS].sort());
});

for (const driver of testDrivers()) {
  describe(`inventory API on ${driver.name}`, () => {
    let db: Db;
    let app: AppInstance;
    let operatorKey: string;
    let customerKey: string;
    /** Every request as the operator, unless the test says otherwise. */
    const inject = (o: string | InjectOptions): Promise<LightMyRequestResponse> => {
      const opts: InjectOptions = typeof o === 'string' ? { url: o } : o;
      return app.inject({ ...opts, headers: { authorization: `Bearer ${operatorKey}`, ...(opts.headers ?? {}) } });
    };
    before(async () => {
      db = await driver.open();
      const services = createServices(db);
      await services.inventory.initialize();
      operatorKey = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
      customerKey = (await createKey(db, { tenantId: 'acme', role: 'customer' })).key;
      app = await buildApp({ services, logger: false, webDir: null });
    });

    test('every /v1 route needs a key; customers read the inventory but cannot change it', async () => {
      assertProblem(await app.inject('/v1/sites'), 401, 'unauthorized');
      assertProblem(await app.inject({ url: '/v1/sites', headers: { authorization: 'Bearer lp_not-a-real-key' } }), 401, 'unauthorized');
      assert.equal((await app.inject('/healthz')).statusCode, 200, 'probes need no key');
      const asCustomer = { authorization: `Bearer ${customerKey}` };
      assert.equal((await app.inject({ url: '/v1/sites?limit=1', headers: asCustomer })).statusCode, 200);
      assert.deepEqual((await app.inject({ url: '/v1/me', headers: asCustomer })).json().role, 'customer');
      assert.deepEqual((await inject('/v1/me')).json().role, 'operator');
      const before = (await inject('/v1/network?format=json')).body;
      assertProblem(await app.inject({ method: 'POST', url: '/v1/sites', headers: asCustomer, payload: { id: 'c', name: 'C', kind: 'pop', lat: 0, lon: 0 } }), 403, 'forbidden');
      assertProblem(await app.inject({ method: 'DELETE', url: '/v1/spans/chi-stl', headers: asCustomer }), 403, 'forbidden');
      assertProblem(await app.inject({ method: 'POST', url: '/v1/network/import?replace=true', headers: { ...asCustomer, 'content-type': 'application/json' }, payload: '{}' }), 403, 'forbidden');
      assert.equal((await inject('/v1/network?format=json')).body, before);
    });
    after(async () => {
      await app.close();
      await db.close();
    });

    test('health, readiness, metrics and OpenAPI', async () => {
      assert.equal((await inject('/healthz')).statusCode, 200);
      assert.equal((await inject('/readyz')).json().status, 'ready');
      const metrics = await inject('/metrics');
      assert.match(metrics.body, new RegExp(`lightpath_inventory_objects\\{kind="site"\\} ${builtinNetwork().sites.length}`));
      const spec = (await inject('/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
      assert.equal(spec.openapi, '3.1.0');
      for (const p of ['/v1/sites', '/v1/sites/{id}', '/v1/spans', '/v1/spans/{id}', '/v1/srlgs', '/v1/network', '/v1/network/import', '/v1/paths']) {
        assert.ok(p in spec.paths, `${p} missing from OpenAPI`);
      }
      assert.equal((await inject('/docs')).statusCode < 400, true);
    });

    test('lists page with nextCursor and filters', async () => {
      const first = (await inject('/v1/sites?limit=5')).json() as { items: { id: string }[]; nextCursor: string };
      assert.equal(first.items.length, 5);
      assert.ok(first.nextCursor);
      const second = (await inject(`/v1/sites?limit=5&cursor=${encodeURIComponent(first.nextCursor)}`)).json() as { items: { id: string }[] };
      assert.ok(second.items[0].id > first.items[4].id);
      const onramps = (await inject('/v1/sites?kind=cloud-onramp&limit=1000')).json() as { items: { kind: string }[] };
      assert.equal(onramps.items.length, builtinNetwork().sites.filter((s) => s.kind === 'cloud-onramp').length);
      assertProblem(await inject('/v1/sites?limit=0'), 400, 'validation-failed');
      assertProblem(await inject('/v1/sites?limit=abc'), 400, 'validation-failed');
      assertProblem(await inject('/v1/sites?kind=castle'), 400, 'validation-failed');
    });

    test('spans carry latency derived at 4.9 µs/km unless measured', async () => {
      const span = builtinNetwork().spans[0];
      const got = (await inject(`/v1/spans/${span.id}`)).json() as { latencyUs: number; lengthKm: number };
      assert.ok(Math.abs(got.latencyUs - span.lengthKm * FIBER_LATENCY_US_PER_KM) <= 0.05 + 1e-9, "rounded once, to 0.1 µs");
      const patched = await inject({ method: 'PATCH', url: `/v1/spans/${span.id}`, payload: { measuredLatencyUs: 1234.5 } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().latencyUs, 1234.5);
    });

    test('create, read, change and delete a site, SRLG and span', async () => {
      let r = await inject({ method: 'POST', url: '/v1/sites', payload: { id: 'api-a', name: 'API A', kind: 'datacenter', lat: 33.0, lon: -97.0, metro: 'Dallas' } });
      assert.equal(r.statusCode, 201, r.body);
      r = await inject({ method: 'POST', url: '/v1/sites', payload: { id: 'api-b', name: 'API B', kind: 'pop', lat: 33.1, lon: -97.1 } });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().metro, null);
      r = await inject({ method: 'POST', url: '/v1/srlgs', payload: { id: 'api-conduit', name: 'API conduit', kind: 'conduit' } });
      assert.equal(r.statusCode, 201, r.body);
      r = await inject({ method: 'POST', url: '/v1/spans', payload: { id: 'api-ab', aSiteId: 'api-a', zSiteId: 'api-b', srlgIds: ['api-conduit'] } });
      assert.equal(r.statusCode, 201, r.body);
      const expectedKm = greatCircleKm(33.0, -97.0, 33.1, -97.1) * 1.25;
      // The API answers once rounded, to 0.1 km (src/domain/units.ts).
      assert.equal(r.json().lengthKm, roundTo(expectedKm, 1));
      assertProblem(await inject({ method: 'DELETE', url: '/v1/sites/api-a' }), 409, 'in-use');
      assertProblem(await inject({ method: 'DELETE', url: '/v1/srlgs/api-conduit' }), 409, 'in-use');
      r = await inject({ method: 'PATCH', url: '/v1/sites/api-b', payload: { name: 'API B renamed' } });
      assert.equal(r.json().name, 'API B renamed');
      assert.equal((await inject({ method: 'DELETE', url: '/v1/spans/api-ab' })).statusCode, 204);
      assert.equal((await inject({ method: 'DELETE', url: '/v1/sites/api-a' })).statusCode, 204);
      assert.equal((await inject({ method: 'DELETE', url: '/v1/sites/api-b' })).statusCode, 204);
      assert.equal((await inject({ method: 'DELETE', url: '/v1/srlgs/api-conduit' })).statusCode, 204);
      assertProblem(await inject('/v1/sites/api-a'), 404, 'not-found');
    });

    test('bad requests are 4xx problems that write nothing', async () => {
      const before = (await inject('/v1/network?format=json')).body;
      const cases: { method: 'POST' | 'PATCH'; url: string; payload: unknown; status: number; code: string }[] = [
        { method: 'POST', url: '/v1/sites', payload: { id: 'x', name: 'X', kind: 'pop', lat: '40', lon: 0 }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/sites', payload: { id: 'x', name: 'X', kind: 'pop', lat: 1e308, lon: 0 }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/sites', payload: { id: 'x y', name: 'X', kind: 'pop', lat: 0, lon: 0 }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/sites', payload: { id: 'x', name: 'X', kind: 'pop', lat: 0, lon: 0, extra: true }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/sites', payload: { id: 'chi-pop', name: 'dup', kind: 'pop', lat: 0, lon: 0 }, status: 409, code: 'conflict' },
        { method: 'POST', url: '/v1/spans', payload: { id: 's', aSiteId: 'chi-pop', zSiteId: 'nowhere' }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/spans', payload: { id: 's', aSiteId: 'chi-pop', zSiteId: 'nyc-pop', lengthKm: -1 }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/spans', payload: { id: 's', aSiteId: 'chi-pop', zSiteId: 'chi-pop' }, status: 400, code: 'validation-failed' },
        { method: 'POST', url: '/v1/spans', payload: [], status: 400, code: 'validation-failed' },
        { method: 'PATCH', url: '/v1/sites/chi-pop', payload: {}, status: 400, code: 'validation-failed' },
        { method: 'PATCH', url: '/v1/spans/chi-stl', payload: { srlgIds: ['nope'] }, status: 400, code: 'validation-failed' },
      ];
      for (const c of cases) assertProblem(await inject({ method: c.method, url: c.url, payload: c.payload as object }), c.status, c.code);
      assertProblem(await inject({ method: 'POST', url: '/v1/sites', headers: { 'content-type': 'application/json' }, payload: '{"id":' }), 400, 'validation-failed');
      assertProblem(await inject({ method: 'POST', url: '/v1/sites', headers: { 'content-type': 'image/png' }, payload: 'x' }), 415, 'unsupported-media-type');
      assertProblem(await inject('/v1/nothing-here'), 404, 'not-found');
      assert.equal((await inject('/v1/network?format=json')).body, before);
    });

    test('GeoJSON export has every site and span with their properties', async () => {
      const r = await inject('/v1/network');
      assert.match(String(r.headers['content-type']), /application\/geo\+json/);
      const fc = r.json() as { type: string; features: { geometry: { type: string }; properties: Record<string, unknown> }[] };
      assert.equal(fc.type, 'FeatureCollection');
      const net = builtinNetwork();
      assert.equal(fc.features.filter((f) => f.geometry.type === 'Point').length, net.sites.length);
      assert.equal(fc.features.filter((f) => f.geometry.type === 'LineString').length, net.spans.length);
      const span = fc.features.find((f) => f.geometry.type === 'LineString')!;
      for (const k of ['lengthKm', 'latencyUs', 'srlgIds', 'cables']) assert.ok(k in span.properties, k);
    });

    test('paths: k shortest with the physical lower bound, diverse pairs, errors', async () => {
      const r = await inject('/v1/paths?from=sea-pop&to=mia-pop&k=4&diverse=srlg');
      assert.equal(r.statusCode, 200, r.body);
      const a = r.json() as {
        lowerBoundLatencyUs: number;
        paths: { latencyUs: number; siteIds: string[]; spanIds: string[] }[];
        diverse: { status: string; paths: { spanIds: string[] }[] };
      };
      assert.equal(a.paths.length, 4);
      for (let i = 1; i < a.paths.length; i++) assert.ok(a.paths[i].latencyUs >= a.paths[i - 1].latencyUs);
      for (const p of a.paths) {
        assert.ok(p.latencyUs >= a.lowerBoundLatencyUs, 'no path beats physics');
        assert.equal(p.siteIds[0], 'sea-pop');
        assert.equal(p.siteIds[p.siteIds.length - 1], 'mia-pop');
        assert.equal(p.spanIds.length, p.siteIds.length - 1);
      }
      assert.equal(a.diverse.status, 'found');
      const [w, p] = a.diverse.paths;
      assert.ok(w.spanIds.every((s) => !p.spanIds.includes(s)));
      const net = builtinNetwork();
      const srlgsOf = (ids: string[]) => new Set(ids.flatMap((id) => net.spans.find((s) => s.id === id)!.srlgIds));
      const ws = srlgsOf(w.spanIds);
      for (const g of srlgsOf(p.spanIds)) assert.ok(!ws.has(g), `shared SRLG ${g}`);
      assertProblem(await inject('/v1/paths?from=sea-pop&to=atlantis'), 404, 'not-found');
      assertProblem(await inject('/v1/paths?from=sea-pop&to=mia-pop&k=0'), 400, 'validation-failed');
      assertProblem(await inject('/v1/paths?from=sea-pop&to=mia-pop&avoidSrlgs=nope'), 400, 'validation-failed');
      const tight = (await inject(`/v1/paths?from=sea-pop&to=mia-pop&maxLatencyUs=${Math.ceil(a.lowerBoundLatencyUs)}`)).json();
      assert.equal(tight.paths.length, 0, 'nothing beats the lower bound');
    });

    test('import: a bad file is refused with file:line and writes nothing; replace loads only the file', async () => {
      const before = (await inject('/v1/network?format=json')).body;
      const truncated = fs.readFileSync(sharedData('topologyzoo', 'Abilene.gml'), 'utf8').slice(0, 900);
      let r = await inject({ method: 'POST', url: '/v1/network/import?format=gml&fileName=Abilene.gml&replace=true', headers: { 'content-type': 'text/plain' }, payload: truncated });
      assertProblem(r, 400, 'validation-failed');
      assert.ok((r.json().errors as { file: string; line: number }[]).every((e) => e.file === 'Abilene.gml' && e.line >= 1));
      r = await inject({ method: 'POST', url: '/v1/network/import?format=gml', headers: { 'content-type': 'text/plain' }, payload: fs.readFileSync(sharedData('topologyzoo', 'Abilene.gml'), 'utf8') });
      assertProblem(r, 409, 'conflict');
      assert.equal((await inject('/v1/network?format=json')).body, before);
      r = await inject({ method: 'POST', url: '/v1/network/import?format=gml&fileName=Abilene.gml&replace=true', headers: { 'content-type': 'text/plain' }, payload: fs.readFileSync(sharedData('topologyzoo', 'Abilene.gml'), 'utf8') });
      assert.equal(r.statusCode, 201, r.body);
      const { counts, report } = r.json() as { counts: { sites: number }; report: { sitesImported: number } };
      assert.equal(counts.sites, report.sitesImported);
      const sites = (await inject('/v1/sites?limit=1000')).json() as { items: { id: string }[] };
      assert.equal(sites.items.length, report.sitesImported);
      assert.ok(!sites.items.some((s) => s.id === 'chi-pop'), 'the built-in network is gone, not mixed in');
      // The project JSON round-trips through the API.
      const json = (await inject('/v1/network?format=json')).body;
      r = await inject({ method: 'POST', url: '/v1/network/import?replace=true&fileName=x.json', headers: { 'content-type': 'application/json' }, payload: json });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal((await inject('/v1/network?format=json')).body, json);
    });
  });
}
