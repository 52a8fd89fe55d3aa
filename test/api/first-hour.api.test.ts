/**
 * What a new user meets in the first hour, through the API on the built-in network:
 * - every JSON answer of every GET operation in /openapi.json (and the answers of the writes that
 *   return quantities: quotes, orders, cuts, what-if, events) reads cleanly: no number has more
 *   decimals than the unit its field name carries allows (µs and km to 0.1, dB to 0.01), and the same
 *   quantity reads the same in two places (a quote's latency floor and /v1/paths' lower bound);
 * - a wrong value is one message per field naming the allowed values, for enums at the top, nested
 *   and in query strings, and for the services' own validation (src/domain/products.ts);
 * - usage includes the hour in progress, marked partial;
 * - GET /v1/reach agrees with a Dijkstra written here, from every site, with failed spans avoided.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pgliteDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type LightpathApp } from '../../src/api/app.js';
import { createServices, stopServices, type Services } from '../../src/services/index.js';
import { createKey } from '../../src/services/ordering/keys.js';
import { spanLatencyUs, type Network } from '../../src/domain/network.js';
import { unitPrecisionViolations } from '../../src/domain/units.js';
import { LightpathError } from '../../src/domain/errors.js';
import { TEST_OPERATOR } from '../support/principals.js';

interface OpenApiDoc {
  paths: Record<string, Record<string, { operationId?: string; parameters?: { name: string; in: string; required?: boolean }[] }>>;
}

interface Problem {
  code: string;
  detail: string;
  errors: { path: string; message: string }[];
}

describe('a new user\'s first hour (API)', () => {
  let db: Db;
  let services: Services;
  let app: LightpathApp;
  let op: Record<string, string>;
  let acme: Record<string, string>;
  const ids: Record<string, string> = {};
  /** Every JSON answer seen, by request. */
  const answers: { request: string; body: unknown }[] = [];

  async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    const type = String(res.headers['content-type'] ?? '');
    const body = type.includes('json') && res.body !== '' ? (JSON.parse(res.body) as unknown) : null;
    if (body !== null) answers.push({ request: `${method} ${url}`, body });
    return { status: res.statusCode, body };
  }

  async function ok<T>(method: string, url: string, payload?: unknown, headers = op): Promise<T> {
    const r = await call(method, url, headers, payload);
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  before(async () => {
    db = await pgliteDriver.open();
    services = createServices(db);
    await services.inventory.initialize();
    op = { authorization: `Bearer ${(await createKey(db, { tenantId: 'operator', role: 'operator' })).key}` };
    acme = { authorization: `Bearer ${(await createKey(db, { tenantId: 'acme', role: 'customer' })).key}` };
    app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0 });

    // A protected wave, a restorable wave and an ethernet circuit, activated; then a cut under them.
    const placed: { id: string; serviceId: string }[] = [];
    for (const [spec, who] of [
      // A data center is single-homed and carries no transit, so 1+1 starts at a POP.
      [{ product: 'wave', aSite: 'was-pop', zSite: 'chi-pop', bandwidthGbps: 400, protection: 'protected-1+1' }, acme],
      [{ product: 'wave', aSite: 'sea-pop', zSite: 'atl-pop', bandwidthGbps: 100, protection: 'restorable' }, acme],
      [{ product: 'ethernet', aSite: 'dal-pop', zSite: 'nyc-pop', bandwidthGbps: 10 }, op],
    ] as const) {
      const q = await ok<{ id: string; options: { id: string }[] }>('POST', '/v1/quotes', spec, who);
      ids.quote = q.id;
      placed.push(await ok<{ id: string; serviceId: string }>('POST', '/v1/orders', { quoteId: q.id, optionId: q.options[0].id }, who));
    }
    await services.worker.runOnce();
    // A bulk transfer on what the ethernet circuit's trunk leaves free.
    ids.transfer = (await ok<{ id: string }>('POST', '/v1/transfers', { aSite: 'dal-pop', zSite: 'nyc-pop', volumeTB: 10, deadline: new Date(Date.now() + 6 * 3_600_000).toISOString() }, acme)).id;
    ids.order = placed[1].id;
    ids.service = placed[1].serviceId;
    const svc = await ok<{ design: { paths: { spanIds: string[] }[] } }>('GET', `/v1/services/${ids.service}`);
    ids.span = svc.design.paths[0].spanIds[1];
    const cut = await ok<{ failure: { id: string }; batch: { rerouted: { id: string }[] } }>('POST', '/v1/failures', { spans: [ids.span] });
    ids.failure = cut.failure.id;
    assert.ok(cut.batch.rerouted.length >= 1, 'the restorable wave was rerouted (addedLatencyUs is on the page)');
    ids.webhook = (await ok<{ id: string }>('POST', '/v1/webhooks', { url: 'https://hooks.example.com/lightpath' })).id;
    ids.site = 'chi-pop';
    ids.srlg = (await ok<{ items: { id: string }[] }>('GET', '/v1/srlgs')).items[0].id;
    await ok('POST', '/v1/analysis/failures', { scenario: 'all-single-srlgs' });
    // A capacity plan, solved by the job (its document and change set are read below).
    ids.plan = (await ok<{ id: string }>('POST', '/v1/plans', { forecast: [{ aSiteId: 'chi-pop', zSiteId: 'nyc-pop', period: 1, gbps: 400 }, { aSiteId: 'chi-pop', zSiteId: 'nyc-pop', period: 2, gbps: 60000 }], timeLimitSeconds: 10, mipRelGap: 0.05 })).id;
    await services.worker.runOnce();
    assert.equal((await ok<{ state: string }>('GET', `/v1/plans/${ids.plan}`)).state, 'done');
    await ok('GET', '/v1/events?format=json&limit=1000');
  });

  after(async () => {
    await app.close();
    await stopServices(services);
    await db.close();
  });

  test('every GET operation answers with numbers rounded once, by unit', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDoc;
    const query: Record<string, string> = { from: 'chi-pop', to: 'nyc-pop', maxLatencyUs: '5000', aSite: 'ash-dc1', zSite: 'chi-pop', product: 'wave' };
    const idFor = (p: string): string => {
      const noun = /^\/v1\/([a-z]+)\//.exec(p)?.[1] ?? '';
      const byNoun: Record<string, string> = { sites: ids.site, spans: ids.span, srlgs: ids.srlg, orders: ids.order, services: ids.service, quotes: ids.quote, failures: ids.failure, webhooks: ids.webhook, transfers: ids.transfer, plans: ids.plan };
      assert.ok(byNoun[noun], `no id for ${p}`);
      return byNoun[noun];
    };
    let gets = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      const get = item.get;
      if (!get || !p.startsWith('/v1/')) continue;
      const required = (get.parameters ?? []).filter((x) => x.in === 'query' && x.required).map((x) => `${x.name}=${encodeURIComponent(query[x.name])}`);
      // Optional parameters some reads need in practice: a wave's rate, the events as a JSON page.
      const extra: Record<string, string> = { '/v1/availability': 'bandwidthGbps=100&count=true', '/v1/events': 'format=json' };
      const qs = [...required, ...(extra[p] ? [extra[p]] : [])];
      const url = p.replace(/\{[^}]+\}/g, () => idFor(p)) + (qs.length ? `?${qs.join('&')}` : '');
      for (const who of [op, acme]) {
        const r = await call('GET', url, who);
        // The device audit needs a server that drives devices (--driver netconf); this one does not: its documented 409.
        const noDevices = p === '/v1/devices/audit' && who === op && r.status === 409;
        assert.ok(r.status === 200 || noDevices || (who === acme && (r.status === 403 || r.status === 404)), `GET ${url}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      gets++;
    }
    assert.ok(gets >= 25, `only ${gets} GET operations`);
    await ok('GET', '/v1/network?format=json');
    const violations = answers.flatMap((a) => unitPrecisionViolations(a.body).map((v) => `${a.request} ${v}`));
    assert.deepEqual(violations, []);
    // The walk saw the quantities the issue found noisy, so it could have failed.
    const seen = JSON.stringify(answers.map((a) => a.body));
    for (const field of ['latencyUs', 'lengthKm', 'addedLatencyUs', 'latencyLowerBoundUs', 'lowerBoundLatencyUs', 'greatCircleKm']) assert.ok(seen.includes(`"${field}":`), field);
    // And unrounded, the same answers would not read cleanly: the services keep full precision.
    const raw = await services.paths.findPaths({ from: 'chi-pop', to: 'nyc-pop', k: 3 });
    assert.ok(unitPrecisionViolations(raw).length > 0, 'the services answer in full precision; only the edge rounds');
  });

  test('the same quantity reads the same everywhere: a quote\'s latency floor is /v1/paths\' lower bound', async () => {
    const paths = await ok<{ lowerBoundLatencyUs: number; paths: { latencyUs: number }[] }>('GET', '/v1/paths?from=ash-dc1&to=chi-pop&k=1');
    const quote = await ok<{ options: { latencyLowerBoundUs: number; latencyUs: number }[] }>('POST', '/v1/quotes', { product: 'wave', aSite: 'ash-dc1', zSite: 'chi-pop', bandwidthGbps: 100 });
    assert.equal(quote.options[0].latencyLowerBoundUs, paths.lowerBoundLatencyUs);
  });

  test('a wrong value is one message per field that names the allowed values', async () => {
    const cases: { method: string; url: string; body?: unknown; path: string; message: string }[] = [
      { method: 'POST', url: '/v1/quotes', body: { product: 'darkfiber', aSite: 'chi-pop', zSite: 'nyc-pop' }, path: '/product', message: 'must be one of dark-fiber, wave, ethernet, cloud-connect' },
      { method: 'POST', url: '/v1/quotes', body: { product: 'wave', aSite: 'chi-pop', zSite: 'nyc-pop', bandwidthGbps: 100, protection: '1+1' }, path: '/protection', message: 'must be one of unprotected, protected-1+1, restorable' },
      { method: 'POST', url: '/v1/orders', body: { product: 'darkfiber', aSite: 'chi-pop', zSite: 'nyc-pop' }, path: '/product', message: 'must be one of dark-fiber, wave, ethernet, cloud-connect' },
      { method: 'POST', url: '/v1/keys', body: { tenantId: 'acme', role: 'admin' }, path: '/role', message: 'must be one of operator, customer' },
      { method: 'POST', url: '/v1/keys', body: { tenant: 'acme', role: 'customer' }, path: '/tenant', message: 'unknown field; allowed: tenantId, role, name' },
      { method: 'GET', url: '/v1/paths?from=chi-pop&to=nyc-pop&diverse=srl', path: '/diverse', message: 'must be one of link, node, srlg' },
      { method: 'GET', url: '/v1/services?state=live', path: '/state', message: 'must be one of ' },
      { method: 'POST', url: '/v1/analysis/failures', body: { scenario: 'all-spans' }, path: '/scenario', message: 'must be one of all-single-spans, all-single-srlgs' },
      { method: 'POST', url: '/v1/sites', body: { id: 'x-pop', name: 'X', kind: 'central-office', lat: 40, lon: -100 }, path: '/kind', message: 'must be one of datacenter, pop, cloud-onramp, amplifier' },
      { method: 'POST', url: '/v1/srlgs', body: { id: 'x', name: 'X', kind: 'pipe' }, path: '/kind', message: 'must be one of conduit, trench, bridge, building, duct, right-of-way, other' },
      { method: 'POST', url: '/v1/spans', body: { id: 'x', aSiteId: 'chi-pop', zSiteId: 'nyc-pop', geometry: { type: 'Polyline', coordinates: [[0, 0], [1, 1]] } }, path: '/geometry/type', message: 'must be LineString' },
      { method: 'POST', url: '/v1/analysis/failures', body: { scenario: [{ spans: ['was-bal'], kind: 'cut' }] }, path: '/scenario/0/kind', message: 'unknown field; allowed: spans, srlgs, sites' },
      // A retired event name would match nothing: refused with its new name, for subscriptions and filters.
      { method: 'POST', url: '/v1/webhooks', body: { url: 'https://hooks.example.com/x', types: ['order.in-progress'] }, path: '/types', message: '"order.in-progress" was renamed "order.inProgress"' },
      { method: 'GET', url: '/v1/events?format=json&types=order.in-progress', path: '/types', message: '"order.in-progress" was renamed "order.inProgress"' },
    ];
    for (const c of cases) {
      const r = await call(c.method, c.url, op, c.body);
      assert.equal(r.status, 400, `${c.method} ${c.url}: ${JSON.stringify(r.body)}`);
      const p = r.body as Problem;
      assert.equal(p.code, 'validation-failed');
      const mine = p.errors.filter((e) => e.path === c.path || e.path.endsWith(c.path));
      assert.equal(mine.length, 1, `${c.url} ${c.path}: one message per field: ${JSON.stringify(p.errors)}`);
      assert.ok(mine[0].message.startsWith(c.message), `${c.url}: ${mine[0].message}`);
      assert.doesNotMatch(JSON.stringify(p), /anyOf|constant|must match a schema/, 'no validator internals');
      assert.ok(p.detail.includes(mine[0].message), `the one-line detail says it: ${p.detail}`);
    }
    // The services' own validation (src/domain/products.ts), reached without the API's schema.
    await assert.rejects(services.ordering.quote(TEST_OPERATOR, { product: 'darkfiber', aSite: 'chi-pop', zSite: 'nyc-pop', tenant: 'x' }), (e: unknown) => {
      assert.ok(e instanceof LightpathError);
      assert.deepEqual(e.errors, [
        { path: '/tenant', message: 'unknown field; allowed: product, aSite, zSite, bandwidthGbps, protection, maxLatencyUs, disjointness' },
        { path: '/product', message: 'must be one of dark-fiber, wave, ethernet, cloud-connect' },
      ]);
      return true;
    });
  });

  test('usage includes the hour in progress, marked partial, while services are active', async () => {
    const page = await ok<{ items: { serviceId: string; hour: string; partial: boolean; activeSeconds: number }[] }>('GET', '/v1/usage', undefined, acme);
    const hourNow = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const current = page.items.filter((r) => r.hour === hourNow);
    assert.ok(current.length >= 2, JSON.stringify(page.items));
    assert.ok(current.every((r) => r.partial === true && r.activeSeconds >= 0 && r.activeSeconds <= 3600));
    assert.ok(current.some((r) => r.serviceId === ids.service));
  });

  test('reach: every site within the budget, with its latency, as an independent Dijkstra finds them (failed spans avoided)', async () => {
    const net: Network = await services.inventory.getNetwork();
    const failed = new Set([ids.span]);
    // The oracle: textbook O(V²) Dijkstra over the spans, latency per span from the physical model;
    // paths leave the source and pass only through sites that carry transit (the operator's setting,
    // else POPs and amplifier huts), as circuits do.
    const passes = new Map(net.sites.map((s) => [s.id, s.transit ?? (s.kind === 'pop' || s.kind === 'amplifier')]));
    const adj = new Map<string, { to: string; us: number }[]>();
    for (const s of net.sites) adj.set(s.id, []);
    for (const sp of net.spans) {
      if (failed.has(sp.id)) continue;
      const us = spanLatencyUs(sp);
      adj.get(sp.aSiteId)?.push({ to: sp.zSiteId, us });
      adj.get(sp.zSiteId)?.push({ to: sp.aSiteId, us });
    }
    const dijkstra = (src: string): Map<string, number> => {
      const dist = new Map<string, number>([[src, 0]]);
      const done = new Set<string>();
      for (;;) {
        let u: string | null = null;
        for (const [v, d] of dist) if (!done.has(v) && (u === null || d < (dist.get(u) as number))) u = v;
        if (u === null) return dist;
        done.add(u);
        if (u !== src && passes.get(u) !== true) continue;
        for (const e of adj.get(u) ?? []) {
          const nd = (dist.get(u) as number) + e.us;
          if (nd < (dist.get(e.to) ?? Infinity)) dist.set(e.to, nd);
        }
      }
    };
    const kindOf = new Map(net.sites.map((s) => [s.id, s.kind]));
    let compared = 0;
    for (const [i, src] of net.sites.map((s) => s.id).entries()) {
      const budget = [1000, 5000, 12_000][i % 3];
      const kinds = i % 2 === 0 ? ['datacenter', 'cloud-onramp'] : null;
      const a = await ok<{ sites: { siteId: string; kind: string; latencyUs: number; siteIds: string[]; spanIds: string[] }[]; spanIds: string[]; failedSpansAvoided: string[] }>(
        'GET',
        `/v1/reach?from=${src}&maxLatencyUs=${budget}${kinds ? `&kinds=${kinds.join(',')}` : ''}`,
      );
      const dist = dijkstra(src);
      // Sites within 0.05 µs of the budget are left out of the comparison: summation order decides them.
      const near = (d: number) => Math.abs(d - budget) < 0.05;
      const expected = [...dist].filter(([v, d]) => v !== src && d <= budget && !near(d) && (!kinds || kinds.includes(kindOf.get(v) as string))).map(([v]) => v).sort();
      const got = a.sites.filter((s) => !near(dist.get(s.siteId) ?? Infinity)).map((s) => s.siteId).sort();
      assert.deepEqual(got, expected, `from ${src} within ${budget} µs`);
      for (const s of a.sites) {
        assert.ok(Math.abs(s.latencyUs - (dist.get(s.siteId) as number)) <= 0.05 + 1e-9, `${src} → ${s.siteId}: ${s.latencyUs} vs ${dist.get(s.siteId)}`);
        assert.equal(s.siteIds[0], src);
        assert.equal(s.siteIds[s.siteIds.length - 1], s.siteId);
        assert.ok(!s.spanIds.some((x) => failed.has(x)), 'no path over a failed span');
        assert.ok(s.spanIds.every((x) => a.spanIds.includes(x)));
      }
      for (let j = 1; j < a.sites.length; j++) assert.ok(a.sites[j - 1].latencyUs <= a.sites[j].latencyUs, 'nearest first');
      assert.deepEqual(a.failedSpansAvoided, [ids.span]);
      compared += expected.length;
    }
    assert.ok(compared > 500, `only ${compared} sites compared`);
  });
});
