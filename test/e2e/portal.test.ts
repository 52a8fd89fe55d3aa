/**
 * End-to-end tests of the web portal: the built app, served by the real server on loopback, in
 * Debian's headless Chromium. What the page shows is checked against the API and against
 * independent computations (great-circle bound, span sums, SRLG disjointness), and what the map
 * drew is checked in screenshot pixels.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FIBER_LATENCY_US_PER_KM, greatCircleKm } from '../../src/domain/network.js';
import type { FeatureCollection, SiteProperties, SpanProperties } from '../../src/export/geojson.js';
import { DIVERSE_COLOURS, SITE_STYLE, SPAN_COLOUR, UTILISATION_STOPS, pathColour } from '../../web/src/map/palette.js';
import { apiHeaders, artifactsDir, checkPrerequisites, isLocalUrl, launchBrowser, signInPage, startServer, watchPage } from './harness.js';
import type { RunningServer } from './harness.js';
import { countColour, decodePng, findSolidColour } from './png.js';
import type { RgbaImage } from './png.js';

interface ApiPath {
  rank: number;
  siteIds: string[];
  spanIds: string[];
  lengthKm: number;
  latencyUs: number;
  hops: number;
}
interface PathsResponse {
  from: string;
  to: string;
  lowerBoundLatencyUs: number;
  paths: ApiPath[];
  diverse: null | { mode: string; status: string; exact: boolean; detail: string; paths: ApiPath[] };
}

/** "22,887 µs" -> 22887 */
function parseUs(text: string): number {
  const m = /([\d,]+)\s*µs/.exec(text);
  assert.ok(m !== null, `no µs figure in ${JSON.stringify(text)}`);
  return Number(m[1].replaceAll(',', ''));
}

async function mapImage(page: Page, name: string): Promise<RgbaImage> {
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
  return decodePng(await page.locator('.map-canvas').screenshot());
}

describe('web portal end to end', { timeout: 180_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let seen: { requests: string[]; errors: string[] };
  let network: FeatureCollection;

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${server?.baseUrl}${p}`, { headers: apiHeaders() });
    assert.equal(res.status, 200, `${p} -> HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const sites = () => new Map(network.features.filter((f) => f.properties.featureType === 'site').map((f) => [f.id, f.properties as SiteProperties & { coordinates: [number, number] }]));
  const siteCoords = (id: string): [number, number] => {
    const f = network.features.find((x) => x.properties.featureType === 'site' && x.id === id);
    assert.ok(f !== undefined && f.geometry.type === 'Point', `site ${id} in /v1/network`);
    return f.geometry.coordinates as [number, number];
  };
  const spanProps = (id: string): SpanProperties => {
    const f = network.features.find((x) => x.properties.featureType === 'span' && x.id === id);
    assert.ok(f !== undefined, `span ${id} in /v1/network`);
    return f.properties as SpanProperties;
  };

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    seen = watchPage(page);
    await signInPage(page);
    network = await api<FeatureCollection>('/v1/network');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('decodes Chromium screenshots exactly (the pixel checks below rely on it)', async () => {
    const probe = await browser!.newPage({ viewport: { width: 200, height: 100 }, deviceScaleFactor: 1 });
    await probe.setContent('<body style="margin:0;background:#123456"><div style="position:fixed;left:10px;top:20px;width:30px;height:40px;background:#fedcba"></div></body>');
    const img = decodePng(await probe.screenshot());
    await probe.close();
    assert.equal(img.width, 200);
    assert.equal(img.height, 100);
    assert.equal(countColour(img, '#fedcba', 0), 30 * 40);
    assert.equal(countColour(img, '#123456', 0), 200 * 100 - 30 * 40);
    assert.deepEqual(findSolidColour(img, '#fedcba', 0), { x: 12, y: 22 });
  });

  it('draws the whole network on the offline map', async () => {
    await page.goto(`${server!.baseUrl}/`);
    await page.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    const siteCount = network.features.filter((f) => f.properties.featureType === 'site').length;
    const spanCount = network.features.length - siteCount;
    const stats = await page.locator('.stat').allInnerTexts();
    assert.ok(stats.some((t) => t.replace(/\s+/g, ' ').trim() === `${siteCount} sites`), `panel shows ${siteCount} sites: ${stats.join(' | ')}`);
    assert.ok(stats.some((t) => t.replace(/\s+/g, ' ').trim() === `${spanCount} spans`), `panel shows ${spanCount} spans`);
    assert.match((await page.locator('.role-badge').innerText()).trim(), /^Operator/);
    const img = await mapImage(page, 'network');
    // Operators see spans coloured by utilisation (a fresh server holds no spectrum: all at the 0 %
    // colour); other roles see the plain span colour. The legend says which the map is using.
    const heat = (await page.locator('.legend-scale').count()) > 0;
    const spanPixels = countColour(img, heat ? UTILISATION_STOPS[0][1] : SPAN_COLOUR);
    const popPixels = countColour(img, SITE_STYLE.pop.colour);
    // Over 200 spans at 2 px wide leave tens of thousands of span-coloured pixels; a blank or
    // base-map-only canvas leaves none.
    assert.ok(spanPixels > 2000, `span-coloured pixels: ${spanPixels}`);
    assert.ok(popPixels > 500, `POP-coloured pixels: ${popPixels}`);
    for (const kind of ['pop', 'datacenter', 'cloud-onramp'] as const) {
      if ([...sites().values()].some((s) => s.kind === kind)) await page.locator('.legend li', { hasText: SITE_STYLE[kind].label }).waitFor();
    }
  });

  it('shows a site on hover and its details on click', async () => {
    const img = decodePng(await page.locator('.map-canvas').screenshot());
    const at = findSolidColour(img, SITE_STYLE.pop.colour);
    assert.ok(at !== null, 'a POP marker is visible');
    const box = await page.locator('.map-canvas').boundingBox();
    assert.ok(box !== null);
    await page.mouse.move(box.x + at.x, box.y + at.y);
    const card = page.locator('.map-card');
    await card.waitFor();
    const title = (await card.locator('.map-card-title').innerText()).trim();
    const idText = await card.locator('dd').first().innerText();
    assert.equal(sites().get(idText.trim())?.name, title, 'hover card names the site under the pointer');
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.getByRole('heading', { name: title, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Find paths from here' }).waitFor();
  });

  it('finds the k best paths between two sites chosen by search', async () => {
    await page.getByRole('link', { name: 'Latency explorer' }).click();
    const from = page.getByRole('combobox', { name: 'From' });
    await from.fill('');
    await from.fill('Seattle');
    await page.getByRole('option').first().waitFor();
    await from.press('Enter');
    const to = page.getByRole('combobox', { name: 'To' });
    await to.fill('Miami');
    await page.getByRole('option').first().waitFor();
    await to.press('Enter');
    await page.locator('.path-card').first().waitFor({ timeout: 30_000 });

    const url = new URL(page.url());
    const a = url.searchParams.get('from');
    const z = url.searchParams.get('to');
    assert.ok(a !== null && z !== null && a !== z, `both ends chosen: ${url.search}`);
    assert.match(sites().get(a)?.name ?? '', /Seattle/);
    assert.match(sites().get(z)?.name ?? '', /Miami/);

    const res = await api<PathsResponse>(`/v1/paths?from=${a}&to=${z}&k=3&metric=latency`);
    assert.ok(res.paths.length >= 1);
    await page.locator(`.map-canvas[data-paths-drawn="${res.paths.length}"]`).waitFor({ timeout: 30_000 });

    // The bound shown equals great-circle distance × 4.9 µs/km, computed here from the coordinates.
    const [lonA, latA] = siteCoords(a);
    const [lonZ, latZ] = siteCoords(z);
    const boundUs = greatCircleKm(latA, lonA, latZ, lonZ) * FIBER_LATENCY_US_PER_KM;
    assert.ok(Math.abs(parseUs(await page.getByTestId('lower-bound').innerText()) - boundUs) <= 1, 'lower bound shown');

    const cards = await page.locator('.path-card .path-latency').allInnerTexts();
    assert.equal(cards.length, res.paths.length);
    let previous = 0;
    for (const [i, p] of res.paths.entries()) {
      const shown = parseUs(cards[i]);
      assert.ok(Math.abs(shown - p.latencyUs) <= 1, `path ${p.rank} latency shown ${shown} vs API ${p.latencyUs}`);
      assert.ok(shown >= Math.floor(boundUs), `path ${p.rank} is not faster than light in fiber`);
      assert.ok(shown >= previous, 'paths are listed best first');
      previous = shown;
      const sumUs = p.spanIds.reduce((us, id) => us + spanProps(id).latencyUs, 0);
      assert.ok(Math.abs(sumUs - p.latencyUs) < 1, `path ${p.rank} latency is the sum of its spans`);
    }
    const img = await mapImage(page, 'latency');
    const pathPixels = countColour(img, pathColour(1));
    assert.ok(pathPixels > 300, `best-path-coloured pixels: ${pathPixels}`);
    await page.locator('.endpoint-pin', { hasText: sites().get(a)?.name ?? '?' }).waitFor();
  });

  it('toggles an SRLG-diverse pair and draws both paths', async () => {
    await page.getByRole('checkbox', { name: 'Diverse pair (SRLG)' }).check();
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('diverse'), 'srlg');
    const a = url.searchParams.get('from') ?? '';
    const z = url.searchParams.get('to') ?? '';
    const res = await api<PathsResponse>(`/v1/paths?from=${a}&to=${z}&k=3&metric=latency&diverse=srlg`);
    assert.ok(res.diverse !== null);
    assert.equal(res.diverse.status, 'found', 'the built-in network has SRLG-diverse routes coast to coast');
    await page.getByText('Working', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByText('Protection', { exact: true }).waitFor();
    await page.locator('.map-canvas[data-paths-drawn="2"]').waitFor({ timeout: 30_000 });
    const [working, protection] = res.diverse.paths;
    const cards = await page.locator('.path-card .path-latency').allInnerTexts();
    assert.ok(Math.abs(parseUs(cards[0]) - working.latencyUs) <= 1);
    assert.ok(Math.abs(parseUs(cards[1]) - protection.latencyUs) <= 1);
    // What the page presents as diverse really is: no shared span, no shared SRLG.
    const spansW = new Set(working.spanIds);
    assert.ok(protection.spanIds.every((s) => !spansW.has(s)), 'no span in common');
    const srlgW = new Set(working.spanIds.flatMap((s) => spanProps(s).srlgIds));
    const shared = protection.spanIds.flatMap((s) => spanProps(s).srlgIds).filter((g) => srlgW.has(g));
    assert.deepEqual(shared, [], 'no SRLG in common');
    const img = await mapImage(page, 'diverse');
    assert.ok(countColour(img, DIVERSE_COLOURS[0]) > 300, 'working path drawn');
    assert.ok(countColour(img, DIVERSE_COLOURS[1]) > 300, 'protection path drawn');
  });

  it('shows the server problem detail for an unknown site', async () => {
    const known = encodeURIComponent([...sites().keys()][0]);
    const res = await fetch(`${server!.baseUrl}/v1/paths?from=no-such-site&to=${known}&k=3&metric=latency`, { headers: apiHeaders() });
    assert.ok(res.status >= 400 && res.status < 500, `HTTP ${res.status}`);
    const problem = (await res.json()) as { detail?: string; title: string };
    await page.goto(`${server!.baseUrl}/latency?from=no-such-site&to=${known}`);
    const alert = page.locator('.results [role="alert"]');
    await alert.waitFor({ timeout: 30_000 });
    assert.ok((await alert.innerText()).includes(problem.detail ?? problem.title), 'the server\'s own explanation is shown');
    await page.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(artifactsDir, 'error.png') });
  });

  it('asks for an API key when the server wants one and sends it on every request', async () => {
    // /v1/me and the key check are stubbed here so a made-up key can stand for a customer of
    // another tenant; ordering.test.ts signs in with real keys. Everything else is the real server.
    const key = 'e2e-key-123';
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const p = await ctx.newPage();
    const mine = watchPage(p);
    const sentAuth: (string | undefined)[] = [];
    await p.route('**/v1/**', async (route) => {
      const req = route.request();
      const auth = req.headers()['authorization'];
      const pathname = new URL(req.url()).pathname;
      const unauthorised = { status: 401, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'API key required', code: 'unauthorized' }) };
      if (auth !== `Bearer ${key}`) return route.fulfill(unauthorised);
      sentAuth.push(auth);
      if (pathname === '/v1/me') return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ tenantId: 'acme', role: 'customer' }) });
      if (pathname === '/v1/network') return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(network) });
      return route.continue();
    });
    await p.goto(`${server!.baseUrl}/`);
    await p.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    await p.screenshot({ path: path.join(artifactsDir, 'sign-in.png') });
    await p.getByLabel('API key').fill('wrong-key');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('alert').waitFor();
    assert.equal(await p.evaluate('sessionStorage.getItem("lightpath.apiKey")'), null, 'a rejected key is not kept');
    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('.role-badge', { hasText: 'Customer · acme' }).waitFor({ timeout: 30_000 });
    await p.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    assert.ok(sentAuth.some((a) => a !== undefined) && sentAuth.length >= 2, 'the key went with /v1/me and /v1/network');
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await p.evaluate('sessionStorage.getItem("lightpath.apiKey")'), null, 'signing out forgets the key');
    await ctx.close();
    assert.deepEqual(mine.requests.filter((u) => !isLocalUrl(u)), []);
    assert.deepEqual(mine.errors, []);
  });

  it('follows events from now on, then resumes with Last-Event-ID after a drop', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const p = await ctx.newPage();
    const mine = watchPage(p);
    await signInPage(p);
    const asked: { after: string | null; lastEventId: string | undefined }[] = [];
    // The first stream delivers one event and ends (a dropped connection); later ones go to the server.
    await p.route('**/v1/events**', async (route) => {
      const req = route.request();
      asked.push({ after: new URL(req.url()).searchParams.get('after'), lastEventId: req.headers()['last-event-id'] });
      if (asked.length > 1) return route.continue();
      const e = { id: 7, type: 'e2e.probe', occurredAt: new Date().toISOString(), tenantId: null, subject: { kind: 'e2e', id: 'probe' }, data: {} };
      return route.fulfill({ status: 200, contentType: 'text/event-stream', body: `retry: 500\n\nid: 7\nevent: e2e.probe\ndata: ${JSON.stringify(e)}\n\n` });
    });
    await p.goto(`${server!.baseUrl}/`);
    await p.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    while (asked.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await p.locator('.live-dot.live-open').waitFor({ timeout: 30_000 });
    assert.deepEqual(asked.slice(0, 2), [
      { after: 'latest', lastEventId: undefined },
      { after: null, lastEventId: '7' },
    ]);
    await ctx.close();
    assert.deepEqual(mine.errors, []);
  });

  it('never reaches past this machine and throws no page errors', () => {
    assert.ok(seen.requests.length > 5, 'requests were recorded');
    assert.deepEqual(seen.requests.filter((u) => !isLocalUrl(u)), []);
    assert.deepEqual(seen.errors, []);
  });
});
