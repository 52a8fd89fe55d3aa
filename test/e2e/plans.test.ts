/**
 * End-to-end: the planning view in the built portal, against a real server on loopback (the built-in
 * network), in Debian's Chromium. An operator plans through the API (the server's job worker solves
 * it); the Planning screen draws the build on the map (one overlay per period, one per new route), the
 * charts with one bar per period carrying the document's figures (heights proportional), and the
 * exhaustion list; reviewing and applying the change set from the screen applies it (checked through
 * the API). Screenshot in artifacts/e2e.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiCall, artifactsDir, checkPrerequisites, e2eApiKey, launchBrowser, openSignedInPage, startServer } from './harness.js';
import type { RunningServer } from './harness.js';
import type { Plan, PlanChanges } from '../../web/src/api/ordering-types.js';
import { periodSeries, planOverlays } from '../../web/src/plans/planView.js';

describe('portal planning view end to end', { timeout: 240_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let watched: { requests: string[]; errors: string[] };
  let key = '';

  const call = <T>(method: string, p: string, body?: unknown): Promise<T> => apiCall<T>(server!.baseUrl, method, p, key, body);

  before(async () => {
    checkPrerequisites();
    fs.mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    assert.ok(e2eApiKey !== null);
    key = e2eApiKey;
    browser = await launchBrowser();
    ({ page, watched } = await openSignedInPage(browser, key));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the plan: map overlays, charts by period, exhaustion; applies the change set', async () => {
    const queued = await call<Plan>('POST', '/v1/plans', {
      forecast: [
        { aSiteId: 'chi-pop', zSiteId: 'nyc-pop', period: 1, gbps: 1000 },
        { aSiteId: 'chi-pop', zSiteId: 'nyc-pop', period: 2, gbps: 120000 },
      ],
      periodLabels: ['2027', '2028'],
      timeLimitSeconds: 10,
      mipRelGap: 0.02,
    });
    let plan = queued;
    for (let i = 0; i < 300 && (plan.state === 'queued' || plan.state === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      plan = await call<Plan>('GET', `/v1/plans/${queued.id}`);
    }
    assert.equal(plan.state, 'done', JSON.stringify(plan.error));
    const doc = plan.document!;

    await page.goto(`${server!.baseUrl}/plans?id=${plan.id}`);
    await page.getByRole('heading', { name: 'Capacity planning' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('plan-detail').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('plan-detail').getAttribute('data-plan-id'), plan.id);
    // The map draws one overlay per period that builds on existing spans and one per new route.
    const overlays = planOverlays(doc);
    assert.ok(overlays.length > 0, 'the plan builds something');
    await page.locator(`.map-canvas[data-paths-drawn="${overlays.length}"]`).waitFor({ timeout: 30_000 });

    const series = periodSeries(doc);
    for (const [id, values] of [['fiber-miles', series.map((s) => s.fiberMiles)], ['capex', series.map((s) => s.capex)]] as const) {
      const drawn = await page.getByTestId(`plan-chart-${id}`).locator('.plan-bar').evaluateAll((els) =>
        els.map((el) => ({ label: el.getAttribute('data-label'), value: Number(el.getAttribute('data-value')), height: el.getBoundingClientRect().height })),
      );
      assert.deepEqual(drawn.map((d) => d.label), doc.periods.map((p) => p.label), `${id}: one bar per period`);
      drawn.forEach((d, i) => assert.ok(Math.abs(d.value - values[i]) <= 1e-6 * Math.max(1, Math.abs(values[i])), `${id} ${d.label}: ${d.value} vs ${values[i]}`));
      const scaled = drawn.filter((d) => d.value > 0);
      for (const d of scaled) assert.ok(Math.abs(d.height / d.value - scaled[0].height / scaled[0].value) * d.value < 1.5, `${id}: heights proportional`);
    }
    const exhausted = doc.exhaustion.filter((e) => e.exhaustedInPeriod !== null).map((e) => e.spanId).sort();
    const rows = exhausted.length === 0 ? [] : await page.getByTestId('plan-exhaustion').locator('tbody tr').evaluateAll((els) => els.map((el) => el.getAttribute('data-span-id') ?? ''));
    assert.deepEqual(rows.sort(), exhausted);
    await page.screenshot({ path: path.join(artifactsDir, 'plans.png') });

    // Review, then apply from the screen.
    const preview = await call<PlanChanges>('GET', `/v1/plans/${plan.id}/changes`);
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByTestId('plan-changes').waitFor();
    assert.equal(await page.getByTestId('plan-changes').locator('li').count(), preview.changes.length);
    await page.getByRole('button', { name: `Apply ${preview.changes.length} changes` }).click();
    await page.getByTestId('plan-applied').waitFor({ timeout: 30_000 });
    const after = await call<Plan>('GET', `/v1/plans/${plan.id}`);
    assert.ok(after.appliedAt !== null);
    assert.deepEqual(watched.errors, [], 'no page errors');
  });
});
