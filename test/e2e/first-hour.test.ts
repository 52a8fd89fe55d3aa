/**
 * End-to-end, in Debian's Chromium against a real server: what a new user met in the first hour.
 * - each screen opens at the top of the side panel, whatever the last screen was scrolled to;
 * - during a cut, a customer's services say how they are carried: protected — switched, rerouted
 *   (+X µs, the figure of the server's event), then active again after the repair; live, over the
 *   event stream;
 * - the operations screen takes the map to the failed span, drawn large enough to see;
 * - the latency explorer's "within X ms" mode lists and shades the sites /v1/reach returns.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FAILED_COLOUR, REACH_COLOUR } from '../../web/src/map/palette.js';
import { formatUs } from '../../web/src/ui/format.js';
import { apiCall, artifactsDir, checkPrerequisites, createApiKey, e2eApiKey, launchBrowser, signInPageWith, startServer, watchPage } from './harness.js';
import type { RunningServer } from './harness.js';
import { countColour, decodePng } from './png.js';

interface Service {
  id: string;
  state: string;
  design: { paths: { role: string; spanIds: string[] }[] };
}

describe('portal: the first hour', { timeout: 300_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let customerKey = '';
  let customer: Page;
  let operator: Page;
  const watched: { requests: string[]; errors: string[] }[] = [];
  const svc = { protectedId: '', restorableId: '', cutSpans: [] as string[], failureId: '' };

  const api = <T>(method: string, p: string, key: string, body?: unknown): Promise<T> => apiCall<T>(server!.baseUrl, method, p, key, body);
  const order = async (spec: Record<string, unknown>): Promise<Service> => {
    const o = await api<{ id: string; serviceId: string }>('POST', '/v1/orders', customerKey, spec);
    for (let i = 0; i < 300; i++) {
      const s = await api<Service>('GET', `/v1/services/${o.serviceId}`, customerKey);
      if (s.state === 'active') return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`service ${o.serviceId} did not become active`);
  };
  const mapPixels = async (page: Page, colour: string): Promise<number> => countColour(decodePng(await page.locator('.map-canvas').screenshot()), colour);
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifactsDir, `first-hour-${name}.png`) });
  const panelScroll = (page: Page) => page.locator('#side-panel').evaluate((el) => el.scrollTop);

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    assert.ok(e2eApiKey !== null);
    customerKey = await createApiKey(server.baseUrl, 'acme', 'customer');
    // A data center is single-homed and carries no transit, so 1+1 starts at a POP.
    const p = await order({ product: 'wave', aSite: 'was-pop', zSite: 'chi-pop', bandwidthGbps: 100, protection: 'protected-1+1' });
    const r = await order({ product: 'wave', aSite: 'sea-pop', zSite: 'atl-pop', bandwidthGbps: 100, protection: 'restorable' });
    svc.protectedId = p.id;
    svc.restorableId = r.id;
    const pw = p.design.paths.find((x) => x.role === 'working') ?? p.design.paths[0];
    const rw = r.design.paths[0];
    // One span of each working path, not shared with the other service's paths.
    svc.cutSpans = [pw.spanIds[1], rw.spanIds.find((x) => !p.design.paths.some((q) => q.spanIds.includes(x))) ?? rw.spanIds[1]];
    browser = await launchBrowser();
    const ctx = (await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 }));
    const opCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    customer = await ctx.newPage();
    operator = await opCtx.newPage();
    watched.push(watchPage(customer), watchPage(operator));
    await signInPageWith(customer, customerKey);
    await signInPageWith(operator, e2eApiKey);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    for (const w of watched) assert.deepEqual(w.errors, [], 'no page errors');
  });

  it('opens each screen at the top of the side panel', async () => {
    await operator.goto(`${server!.baseUrl}/operator`);
    await operator.getByRole('heading', { name: 'Operations' }).waitFor({ timeout: 60_000 });
    await operator.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    await operator.locator('#side-panel').evaluate((el) => (el.scrollTop = el.scrollHeight));
    assert.ok((await panelScroll(operator)) > 0, 'the operations panel is taller than the window (the check can fail)');
    for (const tab of ['Services', 'Network', 'Operations']) {
      await operator.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: tab, exact: true }).click();
      await operator.locator('.tab.active', { hasText: tab }).waitFor();
      // Give the screen a moment to render before reading where the panel is.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await panelScroll(operator), 0, `${tab} opens at the top`);
      await operator.locator('#side-panel').evaluate((el) => (el.scrollTop = el.scrollHeight));
    }
  });

  it('during a cut a customer sees "protected — switched" and "rerouted (+X µs)", live, and "Active" after the repair', async () => {
    await customer.goto(`${server!.baseUrl}/services`);
    const badge = (id: string) => customer.locator(`[data-service-id="${id}"] .state-badge`);
    await badge(svc.protectedId).filter({ hasText: 'Active' }).waitFor({ timeout: 60_000 });
    await badge(svc.restorableId).filter({ hasText: 'Active' }).waitFor();
    await customer.locator('.live-dot.live-open').waitFor({ timeout: 30_000 });

    // The operator's screen, at national zoom before the cut.
    await operator.goto(`${server!.baseUrl}/operator`);
    await operator.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    await operator.locator('.map-canvas[data-zoom]').waitFor({ timeout: 30_000 });
    const nationalZoom = Number(await operator.locator('.map-canvas').getAttribute('data-zoom'));

    const cut = await api<{ failure: { id: string }; batch: { switched: string[]; rerouted: { id: string; addedLatencyUs: number }[] } }>('POST', '/v1/failures', e2eApiKey!, { spans: svc.cutSpans });
    svc.failureId = cut.failure.id;
    assert.deepEqual(cut.batch.switched, [svc.protectedId]);
    const rerouted = cut.batch.rerouted.find((x) => x.id === svc.restorableId);
    assert.ok(rerouted, 'the restorable service was rerouted');

    await badge(svc.protectedId).filter({ hasText: 'Protected — switched' }).waitFor({ timeout: 30_000 });
    await badge(svc.restorableId).filter({ hasText: `Rerouted (+${formatUs(rerouted.addedLatencyUs)})` }).waitFor({ timeout: 30_000 });
    await shot(customer, 'services-during-cut');

    // The operations screen went to the failed spans (here two, across the country)…
    await operator.locator(`.map-canvas[data-focus="spans:${[...svc.cutSpans].sort().join(',')}"]`).waitFor({ timeout: 30_000 });
    // …and to the one picked, close enough to see it, drawn in the failure colour.
    await operator.getByLabel('Span', { exact: true }).selectOption(svc.cutSpans[0]);
    await operator.locator(`.map-canvas[data-focus="spans:${svc.cutSpans[0]}"]`).waitFor({ timeout: 30_000 });
    const zoom = Number(await operator.locator('.map-canvas').getAttribute('data-zoom'));
    assert.ok(zoom > nationalZoom + 1, `the map zoomed in on the cut span: ${nationalZoom} → ${zoom}`);
    await operator.locator('.map-canvas[data-network-drawn="true"]').waitFor();
    await shot(operator, 'operations-cut');
    assert.ok((await mapPixels(operator, FAILED_COLOUR)) > 300, 'the cut span is drawn in the failure colour, large enough to see');

    await api('DELETE', `/v1/failures/${svc.failureId}`, e2eApiKey!);
    await badge(svc.protectedId).filter({ hasText: /^Active$/ }).waitFor({ timeout: 30_000 });
    await badge(svc.restorableId).filter({ hasText: /^Active$/ }).waitFor({ timeout: 30_000 });
  });

  it('the latency explorer lists and shades every site within X ms, as /v1/reach finds them', async () => {
    await customer.goto(`${server!.baseUrl}/latency?from=chi-pop&within=5`);
    const want = await api<{ sites: { siteId: string }[]; spanIds: string[] }>('GET', '/v1/reach?from=chi-pop&maxLatencyUs=5000', customerKey);
    assert.ok(want.sites.length > 5);
    await customer.getByTestId('reach-count').filter({ hasText: `${want.sites.length} sites within 5.00 ms` }).waitFor({ timeout: 60_000 });
    const listed = await customer.locator('.reach-list li').evaluateAll((els) => els.map((e) => e.getAttribute('data-site-id')));
    assert.deepEqual(listed, want.sites.map((s) => s.siteId));
    await customer.locator(`.map-canvas[data-shaded-sites="${want.sites.length}"][data-paths-drawn="1"]`).waitFor({ timeout: 30_000 });
    assert.ok((await mapPixels(customer, REACH_COLOUR)) > 300, 'the catchment spans are drawn');
    await shot(customer, 'within-5ms');
    // Switching back to two sites keeps the start site.
    await customer.getByRole('radio', { name: 'Between two sites' }).check();
    assert.equal(new URL(customer.url()).searchParams.get('within'), null);
    assert.equal(new URL(customer.url()).searchParams.get('from'), 'chi-pop');
  });
});
