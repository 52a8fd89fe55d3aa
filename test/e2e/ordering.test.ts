/**
 * End-to-end: a customer and an operator use the built portal against a real server on loopback, in
 * Debian's Chromium. The customer signs in with a key, sees the map, finds a latency, quotes, orders
 * (double click: still one order), watches the service become active over the event stream, and
 * disconnects; the operator cuts a span under that service, watches it reroute, repairs it, and
 * edits the price book. What the page shows is checked against the API and against sums over the
 * network's own spans; screenshots land in artifacts/e2e.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FeatureCollection, SpanProperties } from '../../src/export/geojson.js';
import { DIVERSE_COLOURS, FAILED_COLOUR, SPAN_COLOUR } from '../../web/src/map/palette.js';
import { formatMoney, formatShare } from '../../web/src/ui/format.js';
import { artifactsDir, checkPrerequisites, createApiKey, e2eApiKey, isLocalUrl, launchBrowser, signInPageWith, startServer, watchPage } from './harness.js';
import type { RunningServer } from './harness.js';
import { countColour, decodePng } from './png.js';

interface DesignPath {
  role: 'working' | 'protect';
  siteIds: string[];
  spanIds: string[];
  latencyUs: number;
  wave?: { segments: { spanIds: string[]; fiberPair: number; startSlot: number; slots: number }[] };
}
interface Service {
  id: string;
  tenantId: string;
  state: string;
  aSite: string;
  zSite: string;
  design: { paths: DesignPath[] };
  price: { monthly: { amountMinor: number } };
}
interface Quote {
  id: string;
  options: { id: string; latencyUs: number; monthly: { amountMinor: number }; paths: DesignPath[] }[];
}

const A_SITE = 'sea-dc1';
const Z_SITE = 'elk-dc1';

describe('portal ordering, services and operations end to end', { timeout: 240_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let customerKey: string;
  let customerCtx: BrowserContext;
  let operatorCtx: BrowserContext;
  let customer: Page;
  let operator: Page;
  const watched: { requests: string[]; errors: string[] }[] = [];
  let network: FeatureCollection;
  let serviceId = '';
  let originalSpans: string[] = [];

  const api = async <T>(p: string, key: string | null = e2eApiKey): Promise<T> => {
    const res = await fetch(`${server?.baseUrl}${p}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, `${p} -> HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const span = (id: string): SpanProperties & { lineSystem: { fiberPairs: number; slotCount: number } | null } => {
    const f = network.features.find((x) => x.properties.featureType === 'span' && x.id === id);
    assert.ok(f !== undefined, `span ${id} in /v1/network`);
    return f.properties as SpanProperties & { lineSystem: { fiberPairs: number; slotCount: number } | null };
  };
  const siteName = (id: string): string => {
    const f = network.features.find((x) => x.properties.featureType === 'site' && x.id === id);
    assert.ok(f !== undefined && f.properties.featureType === 'site');
    return f.properties.name;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
  const mapPixels = async (page: Page, colour: string): Promise<number> => countColour(decodePng(await page.locator('.map-canvas').screenshot()), colour);
  const working = (s: Service): DesignPath => s.design.paths.find((p) => p.role === 'working') ?? s.design.paths[0];
  /** Span id -> used/total slots, as GET /v1/network reports them (spans with a line system). */
  const serverUsage = async (): Promise<Map<string, { used: number; total: number }>> => {
    const net = await api<FeatureCollection>('/v1/network');
    const out = new Map<string, { used: number; total: number }>();
    for (const f of net.features) {
      const p = f.properties as SpanProperties & { featureType: string; usedSlots?: number | null; totalSlots?: number | null };
      if (p.featureType !== 'span' || p.usedSlots === null || p.usedSlots === undefined || p.totalSlots === null || p.totalSlots === undefined) continue;
      out.set(p.id, { used: p.usedSlots, total: p.totalSlots });
    }
    return out;
  };
  /** What the operations screen should say about utilisation, given the server's figures. */
  const utilisationText = (usage: Map<string, { used: number; total: number }>): { rows: string[]; mean: string } => {
    const shares = [...usage].map(([id, u]) => [id, u.total > 0 ? u.used / u.total : 0] as const);
    const busy = shares.filter(([, x]) => x > 0).sort((a, b) => b[1] - a[1]);
    // Spans tied with the sixth may be listed in any order: compare as sets of rows.
    const rows = busy.slice(0, 6).map(([id, x]) => `${siteName(span(id).aSiteId)} – ${siteName(span(id).zSiteId)} ${formatShare(x)}`);
    return { rows: rows.sort(), mean: formatShare(shares.reduce((a, [, x]) => a + x, 0) / shares.length) };
  };
  /** The busiest spans and the network mean shown equal the server's usedSlots / totalSlots (retried while a refresh is on its way). */
  const expectUtilisationShown = async (page: Page, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const want = utilisationText(await serverUsage());
      const rows = (await page.getByRole('list', { name: 'Busiest spans' }).locator('li').allInnerTexts()).map((r) => r.trim()).sort();
      const text = await page.locator('section[aria-labelledby="util-h"]').innerText();
      const ok = want.rows.length > 0 && JSON.stringify(rows) === JSON.stringify(want.rows) && text.includes(`network mean ${want.mean}`);
      if (ok) return;
      if (Date.now() > deadline) assert.fail(`utilisation shown ${JSON.stringify(rows)} / ${JSON.stringify(text)}, server says ${JSON.stringify(want)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    assert.ok(e2eApiKey !== null, 'the operator key the server printed on first start');
    customerKey = await createApiKey(server.baseUrl, 'acme', 'customer');
    browser = await launchBrowser();
    network = await api<FeatureCollection>('/v1/network');
    customerCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    operatorCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    customer = await customerCtx.newPage();
    operator = await operatorCtx.newPage();
    watched.push(watchPage(customer), watchPage(operator));
    await signInPageWith(operator, e2eApiKey);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs a customer in with an API key and draws the map', async () => {
    await customer.goto(`${server!.baseUrl}/`);
    await customer.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    await customer.getByLabel('API key').fill(customerKey);
    await customer.getByRole('button', { name: 'Sign in' }).click();
    await customer.locator('.role-badge', { hasText: 'Customer · acme' }).waitFor({ timeout: 30_000 });
    await customer.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    await customer.locator('.live-dot.live-open').waitFor({ timeout: 30_000 });
    // A customer sees no utilisation heat and no operations screen.
    assert.ok((await mapPixels(customer, SPAN_COLOUR)) > 2000, 'spans drawn in the plain span colour');
    assert.equal(await customer.locator('.legend-scale').count(), 0);
    assert.equal(await customer.getByRole('link', { name: 'Operations' }).count(), 0);
    await shot(customer, 'customer-map');
  });

  it('finds the latency between two data centers', async () => {
    await customer.getByRole('link', { name: 'Latency explorer' }).click();
    await customer.getByRole('combobox', { name: 'From' }).fill(A_SITE);
    await customer.getByRole('option').first().waitFor();
    await customer.getByRole('combobox', { name: 'From' }).press('Enter');
    await customer.getByRole('combobox', { name: 'To' }).fill(Z_SITE);
    await customer.getByRole('option').first().waitFor();
    await customer.getByRole('combobox', { name: 'To' }).press('Enter');
    await customer.locator('.path-card').first().waitFor({ timeout: 30_000 });
    const url = new URL(customer.url());
    assert.equal(url.searchParams.get('from'), A_SITE);
    assert.equal(url.searchParams.get('to'), Z_SITE);
    const res = await api<{ paths: { latencyUs: number; spanIds: string[] }[] }>(`/v1/paths?from=${A_SITE}&to=${Z_SITE}&k=3&metric=latency`, customerKey);
    const sumUs = res.paths[0].spanIds.reduce((us, id) => us + span(id).latencyUs, 0);
    const shown = await customer.locator('.path-card .path-latency').first().innerText();
    const us = Number(/\(([\d,]+)\s*µs\)/.exec(shown)?.[1].replaceAll(',', ''));
    assert.ok(Math.abs(us - sumUs) <= 1, `best path shown ${us} µs, spans sum to ${sumUs}`);
  });

  it('quotes, orders once on a double click, and follows the order until the service is active', async () => {
    await customer.getByRole('link', { name: 'Quote & order' }).click();
    await customer.getByRole('heading', { name: 'Quote & order' }).waitFor();
    // Asking before choosing ends explains what is missing instead of calling the API.
    await customer.getByRole('button', { name: 'Get quote' }).click();
    await customer.locator('#order-form-errors', { hasText: 'Choose the A end.' }).waitFor();
    await customer.getByRole('combobox', { name: 'A end' }).fill(A_SITE);
    await customer.getByRole('option').first().waitFor();
    await customer.getByRole('combobox', { name: 'A end' }).press('Enter');
    await customer.getByRole('combobox', { name: 'Z end' }).fill(Z_SITE);
    await customer.getByRole('option').first().waitFor();
    await customer.getByRole('combobox', { name: 'Z end' }).press('Enter');
    await customer.getByLabel('Product').selectOption('wave');
    await customer.getByLabel('Bandwidth').selectOption('100');
    await customer.getByLabel('Protection').selectOption('restorable');
    await customer.getByRole('button', { name: 'Get quote' }).click();
    const first = customer.locator('.option-card').first();
    await first.waitFor({ timeout: 30_000 });

    // The options shown are the server's quote, and each latency is the sum of its spans.
    const quoteId = await customer.locator('[data-quote-id]').getAttribute('data-quote-id');
    assert.ok(quoteId !== null, 'the options name their quote');
    const quote = await api<Quote>(`/v1/quotes/${quoteId}`, customerKey);
    const cards = await customer.locator('.option-card').allInnerTexts();
    assert.equal(cards.length, quote.options.length);
    for (const [i, o] of quote.options.entries()) {
      assert.ok(cards[i].includes(formatMoney(o.monthly.amountMinor)), `option ${i + 1} shows ${formatMoney(o.monthly.amountMinor)}`);
      const w = o.paths.find((p) => p.role === 'working') ?? o.paths[0];
      const sumUs = w.spanIds.reduce((us, id) => us + span(id).latencyUs, 0);
      assert.ok(Math.abs(sumUs - w.latencyUs) < 1, `option ${i + 1} latency is the sum of its spans`);
    }
    await customer.locator('.map-canvas[data-paths-drawn="1"]').waitFor({ timeout: 30_000 });
    assert.ok((await mapPixels(customer, DIVERSE_COLOURS[0])) > 300, 'the chosen option is drawn on the map');
    await shot(customer, 'quote');

    await customer.getByRole('button', { name: 'Order option 1' }).dblclick();
    const status = customer.locator('.tracker-status');
    await status.waitFor({ timeout: 30_000 });
    await customer.locator('.tracker-status[data-service-state="active"]').waitFor({ timeout: 60_000 });
    assert.match(await status.innerText(), /Service active/);
    const log = await customer.locator('.tracker-log li').allInnerTexts();
    assert.ok(log.some((l) => l.includes('Order acknowledged')) && log.some((l) => l.includes('Service active')), `event log: ${log.join(' | ')}`);
    await shot(customer, 'ordered');

    const services = await api<{ items: Service[] }>('/v1/services', customerKey);
    assert.equal(services.items.length, 1, 'a double click placed one order, not two');
    const svc = services.items[0];
    assert.equal(svc.state, 'active');
    assert.equal(svc.price.monthly.amountMinor, quote.options[0].monthly.amountMinor);
    serviceId = svc.id;
    originalSpans = working(svc).spanIds;
  });

  it('lists the service with its path and availability', async () => {
    await customer.getByRole('button', { name: 'View in my services' }).click();
    await customer.getByRole('heading', { name: 'My services' }).waitFor();
    const item = customer.locator(`[data-service-id="${serviceId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /Active/);
    await customer.locator('[data-testid="measured-availability"]', { hasText: '%' }).waitFor({ timeout: 30_000 });
    const route = await customer.locator('.details .path-route').innerText();
    const svc = await api<Service>(`/v1/services/${serviceId}`, customerKey);
    assert.equal(route, working(svc).siteIds.map(siteName).join(' → '));
    await customer.locator('.map-canvas[data-paths-drawn="1"]').waitFor({ timeout: 30_000 });
    assert.ok((await mapPixels(customer, DIVERSE_COLOURS[0])) > 300, 'the service path is drawn');
    await shot(customer, 'my-services');
  });

  it('keeps operator screens from customers', async () => {
    // sessionStorage is per tab: a new tab signs in again.
    const p = await customerCtx.newPage();
    watched.push(watchPage(p));
    await signInPageWith(p, customerKey);
    await p.goto(`${server!.baseUrl}/operator`);
    await p.getByRole('heading', { name: 'Operators only' }).waitFor({ timeout: 30_000 });
    assert.equal(await p.getByRole('button', { name: 'Cut span' }).count(), 0);
    await p.close();
  });

  it('shows the operator utilisation the server reports, which matches the services holding spectrum', async () => {
    await operator.goto(`${server!.baseUrl}/operator`);
    await operator.getByRole('heading', { name: 'Operations' }).waitFor({ timeout: 30_000 });
    await operator.locator('.map-canvas[data-network-drawn="true"]').waitFor({ timeout: 60_000 });
    await operator.locator('.legend-scale').waitFor();
    // Independent oracle: slots held on each span by every live service's wave segments.
    const all = await api<{ items: (Service & { product: string })[] }>('/v1/services');
    const live = all.items.filter((x) => x.state !== 'terminated');
    const held = new Map<string, Set<string>>();
    for (const s of live) {
      for (const p of s.design.paths) {
        for (const seg of p.wave?.segments ?? []) {
          for (const id of seg.spanIds) {
            const set = held.get(id) ?? new Set<string>();
            for (let k = seg.startSlot; k < seg.startSlot + seg.slots; k++) set.add(`${seg.fiberPair}:${k}`);
            held.set(id, set);
          }
        }
      }
    }
    assert.ok(held.size > 0, 'the ordered wave holds spectrum');
    // The server's figures (all held spectrum, packet trunk waves too) agree with it: with only
    // waves ordered there are no trunk waves, so the counts are equal span for span.
    assert.ok(live.every((x) => x.product === 'wave'), 'only waves are live here');
    const usage = await serverUsage();
    for (const [id, u] of usage) {
      const ls = span(id).lineSystem;
      assert.ok(ls !== null, `span ${id} with usage has a line system`);
      assert.equal(u.total, ls.fiberPairs * ls.slotCount, `span ${id} total slots`);
      assert.equal(u.used, held.get(id)?.size ?? 0, `span ${id} used slots: server vs the services' wave segments`);
    }
    assert.ok([...held.keys()].every((id) => usage.has(id)), 'every span carrying a wave is reported');
    await expectUtilisationShown(operator);
  });

  it('cuts a span under the service, sees it rerouted, repairs it and sees it revert', async () => {
    // The longest span on the working path: a backbone span with ways around it.
    const cut = [...originalSpans].sort((a, b) => span(b).lengthKm - span(a).lengthKm)[0];
    const serviceLabel = `${siteName(A_SITE)} – ${siteName(Z_SITE)}`;
    await operator.getByLabel('Span', { exact: true }).selectOption(cut);
    await operator.getByLabel('Note (optional)').fill('e2e backhoe');
    await operator.getByRole('button', { name: 'Cut span' }).click();
    const batch = operator.getByTestId('batch');
    await batch.waitFor({ timeout: 60_000 });
    const rerouted = await batch.locator('[data-batch-row="Rerouted"]').innerText();
    assert.ok(rerouted.includes(serviceLabel), `batch names the rerouted service: ${rerouted}`);
    await operator.getByRole('list', { name: 'Open failures' }).locator('li').first().waitFor();

    const after = await api<Service>(`/v1/services/${serviceId}`, customerKey);
    assert.ok(!working(after).spanIds.includes(cut), 'the service no longer uses the cut span');
    assert.equal(after.state, 'active');

    // The failed span is drawn dashed red once the selection outline is out of the way.
    await operator.getByLabel('Span', { exact: true }).selectOption('');
    await operator.locator('.legend li', { hasText: 'Failed span' }).waitFor({ timeout: 30_000 });
    await operator.locator('.map-canvas[data-network-drawn="true"]').waitFor();
    assert.ok((await mapPixels(operator, FAILED_COLOUR)) > 20, 'failed span drawn');
    await shot(operator, 'operator-cut');

    // The customer's page follows the reroute through the event stream.
    const newRoute = working(after).siteIds.map(siteName).join(' → ');
    await customer.locator('.details .path-route', { hasText: newRoute }).waitFor({ timeout: 30_000 });
    // Customers see failed spans too: they come with /v1/network, reloaded after the reroute event.
    await customer.locator('.legend li', { hasText: 'Failed span' }).waitFor({ timeout: 30_000 });
    await customer.locator('.map-canvas[data-network-drawn="true"]').waitFor();
    assert.ok((await mapPixels(customer, FAILED_COLOUR)) > 20, 'failed span drawn for the customer');
    assert.equal(await customer.locator('.legend-scale').count(), 0, 'still no utilisation heat for customers');
    await shot(customer, 'customer-rerouted');

    await operator.getByRole('button', { name: 'Repair' }).click();
    await operator.getByText('No open failures: every span is up.').waitFor({ timeout: 60_000 });
    const back = await batch.innerText();
    assert.ok(/Reverted|Restored/.test(back) && back.includes(serviceLabel), `repair batch names the service: ${back}`);
    const restored = await api<Service>(`/v1/services/${serviceId}`, customerKey);
    assert.deepEqual(working(restored).spanIds, originalSpans, 'back on the original path');
    await operator.locator('.legend li', { hasText: 'Failed span' }).waitFor({ state: 'detached', timeout: 30_000 });
    await customer.locator('.legend li', { hasText: 'Failed span' }).waitFor({ state: 'detached', timeout: 30_000 });
    await operator.locator('.event-feed li', { hasText: 'rerouted' }).first().waitFor({ timeout: 30_000 });
    await shot(operator, 'operator-repaired');
  });

  it('lets the operator edit the price book', async () => {
    const field = operator.getByLabel('Wavelength Fixed / month');
    await field.fill('1234.50');
    await operator.getByRole('button', { name: 'Save price book' }).click();
    await operator.getByText('Price book saved.', { exact: false }).waitFor({ timeout: 30_000 });
    const book = await api<{ products: { wave: { fixedMonthlyMinor: number } } }>('/v1/pricebook');
    assert.equal(book.products.wave.fixedMonthlyMinor, 123450);
    await field.fill('12.345');
    await operator.getByRole('button', { name: 'Save price book' }).click();
    await operator.locator('.pricebook [role="alert"]', { hasText: 'wave fixed / month' }).waitFor();
    const unchanged = await api<{ products: { wave: { fixedMonthlyMinor: number } } }>('/v1/pricebook');
    assert.equal(unchanged.products.wave.fixedMonthlyMinor, 123450, 'an invalid amount is not sent');
  });

  it('changes the bandwidth and follows the modify order', async () => {
    await customer.getByLabel('New bandwidth (Gbps)').selectOption('400');
    await customer.getByRole('button', { name: 'Change bandwidth' }).click();
    await customer.locator('.tracker h3', { hasText: 'Bandwidth change' }).waitFor({ timeout: 30_000 });
    await customer.locator('.tracker-status[data-order-state="completed"][data-service-state="active"]').waitFor({ timeout: 60_000 });
    const svc = await api<Service & { bandwidthGbps: number }>(`/v1/services/${serviceId}`, customerKey);
    assert.equal(svc.bandwidthGbps, 400);
    // The operator's screen, left open, follows the change through the event stream.
    await expectUtilisationShown(operator);
    await customer.locator(`[data-service-id="${serviceId}"]`, { hasText: '400 Gbps' }).waitFor({ timeout: 30_000 });
  });

  it('disconnects the service and follows it to the end', async () => {
    await customer.getByRole('button', { name: 'Disconnect…' }).click();
    await customer.getByRole('button', { name: 'Yes, disconnect' }).click();
    await customer.locator('.tracker-status[data-service-state="terminated"]').waitFor({ timeout: 60_000 });
    assert.match(await customer.locator('.tracker-status').innerText(), /Disconnected/);
    const log = await customer.locator('.tracker-log li').allInnerTexts();
    assert.ok(!log.some((l) => l.includes('Service active')), `the disconnect's log has only its own events: ${log.join(' | ')}`);
    await customer.locator(`[data-service-id="${serviceId}"]`, { hasText: 'Disconnected' }).waitFor({ timeout: 30_000 });
    const svc = await api<Service>(`/v1/services/${serviceId}`, customerKey);
    assert.equal(svc.state, 'terminated');
    await shot(customer, 'disconnected');
  });

  it('never reaches past this machine and throws no page errors', () => {
    const requests = watched.flatMap((w) => w.requests);
    assert.ok(requests.length > 10, 'requests were recorded');
    assert.deepEqual(requests.filter((u) => !isLocalUrl(u)), []);
    assert.deepEqual(watched.flatMap((w) => w.errors), []);
    // Each page's stream starts from now on rather than replaying the history.
    const firsts = watched.map((w) => w.requests.find((u) => new URL(u).pathname === '/v1/events')).filter((u) => u !== undefined);
    assert.ok(firsts.length >= 2, 'the pages followed the event stream');
    for (const u of firsts) assert.equal(new URL(u).searchParams.get('after'), 'latest', u);
  });
});

