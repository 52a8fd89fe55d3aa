/**
 * End-to-end: bulk transfers in the built portal, against a real server on loopback, in Debian's
 * Chromium. A customer's transfer rides trunk capacity on two paths; the Transfers screen draws its
 * schedule as a chart, and what it draws is checked against the API's schedule: one bar per slot and
 * path with that rate, heights proportional to the rate, stacked per slot, bars left of the deadline
 * line. A second transfer admitted through the API appears by itself (transfer.* events); cancelling
 * it shows `cancelled`. Screenshot in artifacts/e2e.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiCall, artifactsDir, checkPrerequisites, createApiKey, e2eApiKey, launchBrowser, openSignedInPage, startServer } from './harness.js';
import type { RunningServer } from './harness.js';

interface Transfer {
  id: string;
  state: string;
  deadline: string;
  expectedCompletion: string;
  schedule: { start: string; end: string; rateGbps: number; paths: { path: string; rateGbps: number }[] }[];
  paths: { id: string }[];
}

const HOUR = 3_600_000;

describe('portal bulk transfers end to end', { timeout: 240_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let customerKey: string;
  let page: Page;
  let watched: { requests: string[]; errors: string[] };

  const call = <T>(method: string, p: string, key: string, body?: unknown): Promise<T> => apiCall<T>(server!.baseUrl, method, p, key, body);

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    assert.ok(e2eApiKey !== null);
    // Ethernet circuits light trunks chi-nyc (direct) and chi-ash, ash-nyc: transfers ride what they leave.
    for (const [a, z] of [['chi-pop', 'nyc-pop'], ['chi-pop', 'ash-dc1'], ['ash-dc1', 'nyc-pop']]) {
      await call('POST', '/v1/orders', e2eApiKey, { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: 100, protection: 'unprotected' });
    }
    customerKey = await createApiKey(server.baseUrl, 'acme', 'customer');
    browser = await launchBrowser();
    ({ page, watched } = await openSignedInPage(browser, customerKey));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the schedule as a chart that matches the API', async () => {
    // 300 Gbps free on the direct trunk for at most 11 slots of 15 minutes carries 371 TB: 450 TB needs a second path.
    const deadline = new Date(Math.ceil((Date.now() + 3 * HOUR) / 900_000) * 900_000).toISOString();
    const t = await call<Transfer>('POST', '/v1/transfers', customerKey, { aSite: 'chi-pop', zSite: 'nyc-pop', volumeTB: 450, deadline });
    assert.equal(t.state, 'scheduled');
    const used = new Set(t.schedule.flatMap((e) => e.paths.map((p) => p.path)));
    assert.ok(used.size >= 2, `the schedule uses ${used.size} path(s)`);

    await page.goto(`${server!.baseUrl}/transfers?id=${t.id}`);
    await page.getByRole('heading', { name: 'Bulk transfers' }).waitFor({ timeout: 60_000 });
    const chart = page.getByTestId('transfer-chart');
    await chart.waitFor();
    assert.equal(await page.getByTestId('transfer-detail').getAttribute('data-transfer-id'), t.id);
    const maxGbps = Number(await chart.getAttribute('data-max-gbps'));
    const peak = Math.max(...t.schedule.map((e) => e.rateGbps));
    assert.ok(maxGbps >= peak && maxGbps < 2.5 * peak, `axis top ${maxGbps} for a peak of ${peak} Gbps`);

    const bars = await page.locator('.transfer-bar').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { slot: el.getAttribute('data-slot-start'), path: el.getAttribute('data-path'), rate: Number(el.getAttribute('data-rate-gbps')), top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      }),
    );
    const expected = t.schedule.flatMap((e) => e.paths.map((p) => `${e.start}|${p.path}|${p.rateGbps}`)).sort();
    assert.deepEqual(bars.map((b) => `${b.slot}|${b.path}|${b.rate}`).sort(), expected, 'one bar per slot and path, with its rate');
    // Heights in pixels are proportional to the rate (one scale for every bar), and a slot's bars stack.
    const pxPerGbps = bars.map((b) => (b.bottom - b.top) / b.rate);
    for (const k of pxPerGbps) assert.ok(Math.abs(k - pxPerGbps[0]) < 0.02 * pxPerGbps[0] + 0.05, `scale ${k} vs ${pxPerGbps[0]} px/Gbps`);
    const baseline = Math.max(...bars.map((b) => b.bottom));
    for (const e of t.schedule) {
      const mine = bars.filter((b) => b.slot === e.start);
      const top = Math.min(...mine.map((b) => b.top));
      assert.ok(Math.abs(baseline - top - e.rateGbps * pxPerGbps[0]) < 1, `slot ${e.start}: the stack is ${e.rateGbps} Gbps high`);
    }
    const deadlineBox = await page.getByTestId('transfer-deadline').boundingBox();
    assert.ok(deadlineBox !== null);
    for (const b of bars) assert.ok(b.right <= deadlineBox.x + 1, `${b.slot} is drawn before the deadline`);
    assert.ok(bars.every((b) => b.left >= bars.reduce((m, x) => Math.min(m, x.left), Infinity)));
    await page.screenshot({ path: path.join(artifactsDir, 'transfers-chart.png') });
  });

  it('follows transfer events: a new transfer appears, a cancelled one says so', async () => {
    const deadline = new Date(Date.now() + 20 * HOUR).toISOString();
    const t2 = await call<Transfer>('POST', '/v1/transfers', customerKey, { aSite: 'ash-dc1', zSite: 'nyc-pop', volumeTB: 10, deadline });
    const item = page.locator(`.transfer-item[data-transfer-id="${t2.id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await call<Transfer>('DELETE', `/v1/transfers/${t2.id}`, customerKey);
    await item.locator('.state-badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    await item.click();
    assert.equal(await page.getByTestId('transfer-detail').getAttribute('data-transfer-id'), t2.id);
    assert.deepEqual(watched.errors, [], 'no page errors');
  });
});
