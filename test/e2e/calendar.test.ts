/**
 * End-to-end: the capacity calendar in the built portal, against a real server on loopback, in
 * Debian's Chromium. A customer books a window in the future and finds it scheduled on the bookings
 * timeline; holds a booking, sees the countdown and commits it; and sees the availability strip turn
 * red exactly where the test filled the capacity, with the quote for a weekly recurrence saying which
 * occurrences fit. What the page shows is checked against the API; screenshots land in artifacts/e2e.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { formatUtc, toUtcInput } from '../../web/src/calendar/when.js';
import { apiCall, artifactsDir, checkPrerequisites, createApiKey, e2eApiKey, launchBrowser, openSignedInPage, startServer } from './harness.js';
import type { RunningServer } from './harness.js';

interface Order {
  id: string;
  state: string;
  serviceId: string;
  start: string | null;
  end: string | null;
  holdExpiresAt: string | null;
}
interface Service {
  id: string;
  state: string;
  start: string;
  end: string | null;
}

const A_SITE = 'sea-dc1';
const Z_SITE = 'elk-dc1';
/** sea-dc1's only span: the test leaves one free strand pair on it, so one dark fiber fills it. */
const ACCESS_SPAN = 'sea-dc1-sea';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('portal capacity calendar end to end', { timeout: 240_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let customerKey: string;
  let page: Page;
  let watched: { requests: string[]; errors: string[] };
  /** The window the test fills: [day 10, day 12) from today's UTC midnight. */
  const today = Math.floor(Date.now() / DAY) * DAY;
  const filled = { start: today + 10 * DAY, end: today + 12 * DAY };

  const call = <T>(method: string, p: string, key: string, body?: unknown): Promise<T> => apiCall<T>(server!.baseUrl, method, p, key, body);
  const shot = (name: string) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
  const chooseEnds = async () => {
    for (const [label, id] of [['A end', A_SITE], ['Z end', Z_SITE]] as const) {
      await page.getByRole('combobox', { name: label }).fill(id);
      await page.getByRole('option').first().waitFor();
      await page.getByRole('combobox', { name: label }).press('Enter');
    }
  };
  const lastOrder = async (): Promise<Order> => {
    const id = await page.locator('.tracker h3').first().getAttribute('id');
    assert.ok(id !== null && id.startsWith('tracker-'), 'the tracker names its order');
    return call<Order>('GET', `/v1/orders/${id.slice('tracker-'.length)}`, customerKey);
  };

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    assert.ok(e2eApiKey !== null);
    customerKey = await createApiKey(server.baseUrl, 'acme', 'customer');
    browser = await launchBrowser();
    ({ page, watched } = await openSignedInPage(browser, customerKey));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('books a window in the future and sees it scheduled on the timeline', async () => {
    await page.goto(`${server!.baseUrl}/order`);
    await page.getByRole('heading', { name: 'Quote & order' }).waitFor({ timeout: 60_000 });
    await chooseEnds();
    await page.getByLabel('Product').selectOption('wave');
    await page.getByLabel('Bandwidth').selectOption('100');
    await page.getByRole('button', { name: 'Tomorrow 09:00 UTC' }).click();
    await page.getByLabel('Duration').selectOption('1d');
    const start = today + DAY + 9 * HOUR;
    assert.equal(await page.getByLabel('Start (UTC)').inputValue(), toUtcInput(start));
    await page.getByRole('button', { name: 'Get quote' }).click();
    const quoted = page.getByTestId('quoted-window');
    await quoted.waitFor({ timeout: 30_000 });
    assert.equal(await quoted.innerText(), `${formatUtc(start)} → ${formatUtc(start + DAY)}`);
    await page.getByRole('button', { name: 'Order option 1' }).click();
    await page.locator('.tracker-status', { hasText: `Scheduled: starts ${formatUtc(start)}` }).waitFor({ timeout: 30_000 });

    const order = await lastOrder();
    assert.equal(order.state, 'acknowledged');
    assert.equal(Date.parse(order.start ?? ''), start);
    assert.equal(Date.parse(order.end ?? ''), start + DAY);
    const svc = await call<Service>('GET', `/v1/services/${order.serviceId}`, customerKey);
    assert.equal(svc.state, 'scheduled');

    await page.getByRole('link', { name: 'My services' }).click();
    const bar = page.locator(`.timeline .tl-bar[data-booking-id="${svc.id}"]`);
    await bar.waitFor({ timeout: 30_000 });
    assert.equal(await bar.getAttribute('data-state'), 'scheduled');
    // The bar sits right of the now-line: the booking is in the future.
    const barBox = await bar.locator('rect').boundingBox();
    const nowBox = await page.getByTestId('timeline-now').locator('line').boundingBox();
    assert.ok(barBox !== null && nowBox !== null && barBox.x > nowBox.x, 'the booking is drawn after now');
    await bar.click();
    await page.getByTestId('service-window').waitFor();
    assert.equal(await page.getByTestId('service-window').innerText(), `${formatUtc(start)} → ${formatUtc(start + DAY)}`);
    assert.match(await page.locator(`.service-item[data-service-id="${svc.id}"]`).innerText(), /Scheduled/);
    await shot('calendar-timeline');
  });

  it('holds a booking with a countdown, then commits it', async () => {
    await page.getByRole('link', { name: 'Quote & order' }).click();
    await page.getByRole('heading', { name: 'Quote & order' }).waitFor();
    await chooseEnds();
    await page.getByRole('button', { name: 'Next Monday 09:00 UTC' }).click();
    await page.getByLabel('Duration').selectOption('4h');
    await page.getByLabel('Hold first, commit later').check();
    await page.getByLabel('Hold for (minutes)').fill('10');
    await page.getByRole('button', { name: 'Get quote' }).click();
    await page.getByRole('button', { name: 'Hold option 1' }).click();
    const countdown = page.getByTestId('hold-countdown');
    await countdown.waitFor({ timeout: 30_000 });
    const before = await countdown.innerText();
    assert.match(before, /^(10:00|9:[0-5]\d) left$/);
    const held = await lastOrder();
    assert.equal(held.state, 'held');
    const leftMs = Date.parse(held.holdExpiresAt ?? '') - Date.now();
    assert.ok(leftMs > 8 * 60_000 && leftMs <= 10 * 60_000, `hold expires in ${leftMs} ms`);
    assert.equal((await call<Service>('GET', `/v1/services/${held.serviceId}`, customerKey)).state, 'held');
    // The countdown runs.
    await page.waitForFunction(`document.querySelector('[data-testid="hold-countdown"]')?.textContent !== ${JSON.stringify(before)}`, undefined, { timeout: 5_000 });
    await countdown.scrollIntoViewIfNeeded();
    await shot('calendar-held');

    await page.getByRole('button', { name: 'Commit' }).click();
    await page.locator('.tracker-status', { hasText: 'Scheduled: starts' }).waitFor({ timeout: 30_000 });
    assert.equal(await countdown.count(), 0, 'the hold card is gone once committed');
    const committed = await call<Order>('GET', `/v1/orders/${held.id}`, customerKey);
    assert.equal(committed.state, 'acknowledged');
    assert.equal(committed.holdExpiresAt === null || Date.parse(committed.holdExpiresAt) > 0, true);
    assert.equal((await call<Service>('GET', `/v1/services/${held.serviceId}`, customerKey)).state, 'scheduled');
  });

  it('shows no capacity on the availability strip where the test filled it, and per-occurrence feasibility', async () => {
    // One strand pair left on the access span, booked by another tenant for [day 10, day 12).
    await call('PATCH', `/v1/spans/${ACCESS_SPAN}`, e2eApiKey as string, { cables: [{ id: `${ACCESS_SPAN}-c1`, strandCount: 864, strandsInUse: 862 }] });
    const otherKey = await createApiKey(server!.baseUrl, 'globex', 'customer');
    await call('POST', '/v1/orders', otherKey, { product: 'dark-fiber', aSite: A_SITE, zSite: Z_SITE, start: new Date(filled.start).toISOString(), end: new Date(filled.end).toISOString() });

    await page.reload();
    await page.getByRole('heading', { name: 'Quote & order' }).waitFor({ timeout: 60_000 });
    await chooseEnds();
    await page.getByLabel('Product').selectOption('dark-fiber');
    const red = page.locator('.avail-strip rect[data-feasible="false"]');
    await red.first().waitFor({ timeout: 30_000 });
    const rects = await page.locator('.avail-strip rect').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-start')}..${e.getAttribute('data-end')} ${e.getAttribute('data-feasible')} ${e.getAttribute('data-count')}`));
    assert.equal(await red.count(), 1, rects.join(' | '));
    assert.equal(Date.parse((await red.getAttribute('data-start')) ?? ''), filled.start);
    assert.equal(Date.parse((await red.getAttribute('data-end')) ?? ''), filled.end);
    assert.equal(await red.getAttribute('data-count'), '0');
    const green = page.locator('.avail-strip rect[data-feasible="true"]');
    assert.equal(await green.count(), 2);
    assert.equal(await green.first().getAttribute('data-count'), '1');
    assert.match(await page.getByRole('list', { name: 'Times without capacity' }).innerText(), /no capacity/);
    await shot('calendar-strip');

    // A click in the red interval sets the start there; the quote then offers nothing.
    const box = await red.boundingBox();
    assert.ok(box !== null);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const picked = Date.parse(`${await page.getByLabel('Start (UTC)').inputValue()}:00Z`);
    assert.ok(picked >= filled.start && picked < filled.end && picked % HOUR === 0, `start ${new Date(picked).toISOString()} inside the filled window`);
    await page.getByLabel('Duration').selectOption('1h');
    await page.getByRole('button', { name: 'Get quote' }).click();
    await page.getByText('No way to deliver this circuit', { exact: false }).waitFor({ timeout: 30_000 });

    // Daily at 09:00 UTC for a week from day 7: days 10 and 11 fall in the filled window.
    await page.getByLabel('Start (UTC)').fill(toUtcInput(today + 7 * DAY + 9 * HOUR));
    await page.getByLabel('Repeat weekly').check();
    for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) await page.getByRole('group', { name: 'Repeat on' }).getByLabel(d).check();
    await page.getByLabel('Occurrences').fill('7');
    await page.getByLabel('Duration').selectOption('1h');
    await page.getByRole('button', { name: 'Get quote' }).click();
    const occ = page.getByRole('list', { name: 'Occurrences' }).locator('li');
    await occ.first().waitFor({ timeout: 30_000 });
    assert.equal(await occ.count(), 7);
    const feasible = await occ.evaluateAll((els) => els.map((e) => e.getAttribute('data-feasible')));
    const want = Array.from({ length: 7 }, (_, i) => {
      const t = today + (7 + i) * DAY + 9 * HOUR;
      return String(!(t < filled.end && t + HOUR > filled.start));
    });
    assert.deepEqual(feasible, want);
    assert.match(await page.locator('.occurrences summary').innerText(), /Fits 5 of 7 occurrences/);
    await shot('calendar-recurring');
  });

  it('throws no page errors and stays on this machine', () => {
    assert.deepEqual(watched.errors, []);
    assert.ok(watched.requests.some((u) => u.includes('/v1/availability?')));
  });
});
