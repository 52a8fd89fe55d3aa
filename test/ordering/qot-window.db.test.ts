/**
 * Physics meets the calendar, on both drivers: a wave is judged against the channels lit during its
 * booking's window, not against every channel ever booked. Checked three ways:
 * - a wave booked in a window that no other booking overlaps sees an empty line (its GSNR is exactly
 *   that of a quote on the empty network), and as many fit there as in the empty network;
 * - a wave whose window overlaps bookings sees them as neighbours (lower GSNR);
 * - after every order, every booking's wave is recomputed from scratch (closed-form pathGsnr over the
 *   store's channels whose allocations overlap that booking's window) and stays above its threshold.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { QotPolicyService } from '../../src/services/ordering/qot-policy.js';
import { InventoryService } from '../../src/services/inventory.js';
import { loadNetwork } from '../../src/store/inventory.js';
import { litChannelRows, type ChannelRow } from '../../src/store/ordering.js';
import { spanModel } from '../../src/services/ordering/physics.js';
import { pathGsnr, type LitChannel, type SpanModel } from '../../src/engine/qot/index.js';
import { TRANSCEIVER_MODES, penaltyDb } from '../../src/domain/transceiver-modes.js';
import { LightpathError } from '../../src/domain/errors.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { operator } from './support.js';

async function loadChain(db: Db): Promise<void> {
  const inv = new InventoryService(db);
  await inv.initialize({ empty: true });
  const lineSystem = { fiberPairs: 1, slotCount: 48, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 };
  for (const [id, lon] of [['p0', -110], ['p1', -105], ['p2', -100]] as const) {
    await inv.createSite(TEST_OPERATOR, { id, name: id, kind: 'pop', lat: 40, lon, metro: id, cloudProvider: null, cloudRegion: null });
  }
  for (const [id, a, z, lengthKm] of [['p0-p1', 'p0', 'p1', 520], ['p1-p2', 'p1', 'p2', 480]] as const) {
    await inv.createSpan(TEST_OPERATOR, { id, aSiteId: a, zSiteId: z, lengthKm, lineSystem, cables: [{ id: `${id}-c`, strandCount: 12, strandsInUse: 0 }] });
  }
}

const modeById = new Map(TRANSCEIVER_MODES.map((m) => [m.id, m]));

/** Does the row hold spectrum at some instant of [fromMs, toMs)? (The oracle's own reading of the interval.) */
function overlaps(r: ChannelRow, fromMs: number, toMs: number | null): boolean {
  return r.live && (r.untilMs === null || r.untilMs > fromMs) && (toMs === null || r.fromMs < toMs);
}

/** Every wave of a booking overlapping the window, recomputed from the store's channels lit in that window. */
async function recomputeIn(db: Db, fromMs: number, toMs: number | null): Promise<{ id: string; gsnr01nmDb: number; requiredDb: number }[]> {
  const net = await loadNetwork(db);
  const models = new Map<string, SpanModel>();
  for (const s of net.spans) {
    const m = spanModel(s);
    if (m) models.set(s.id, m);
  }
  const rows = (await litChannelRows(db)).rows.filter((r) => r.channel && overlaps(r, fromMs, toMs));
  const byLp = new Map<string, { spans: string[]; f: number; mode: string }>();
  for (const r of rows) {
    const c = r.channel as NonNullable<ChannelRow['channel']>;
    const e = byLp.get(c.l) ?? { spans: [], f: c.f, mode: c.m };
    if (!e.spans.includes(r.spanId)) e.spans.push(r.spanId);
    byLp.set(c.l, e);
  }
  const perSpan = new Map<string, LitChannel[]>();
  for (const [id, e] of byLp) {
    const baud = (modeById.get(e.mode)?.baudRateGbd ?? 0) * 1e9;
    for (const s of e.spans) perSpan.set(s, [...(perSpan.get(s) ?? []), { id, frequencyHz: e.f * 1e9, baudRateHz: baud }]);
  }
  return [...byLp].map(([id, e]) => {
    const mode = modeById.get(e.mode);
    assert.ok(mode);
    const q = pathGsnr(e.spans.map((s) => models.get(s) as SpanModel), e.spans.map((s) => perSpan.get(s) ?? []), id, mode.minTxOsnrDb ?? undefined);
    const requiredDb = mode.minRxOsnrDb + penaltyDb(mode.cdPenalty, q.cdPsPerNm) + penaltyDb(mode.pmdPenalty, q.pmdPs) + penaltyDb(mode.pdlPenalty, 0);
    return { id, gsnr01nmDb: q.gsnr01nmDb, requiredDb };
  });
}

for (const driver of testDrivers()) {
  describe(`lit channels during the booking's window on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    before(async () => {
      db = await driver.open();
      await loadChain(db);
      ordering = new OrderingService(db);
      await new QotPolicyService(db).put(TEST_OPERATOR, { marginDb: 0, maxUnamplifiedLossDb: 22 });
    });
    after(async () => {
      await db.close();
    });

    test('a wave sees exactly the bookings its window overlaps', async () => {
      const hour = 3_600_000;
      const base = Math.ceil(Date.now() / hour) * hour + 24 * hour;
      const at = (h: number) => new Date(base + h * hour).toISOString();
      const wave = { product: 'wave', aSite: 'p0', zSite: 'p2', bandwidthGbps: 400, protection: 'unprotected' };
      const gsnrOf = async (w: { start?: string; end?: string }): Promise<number | null> => {
        const q = await ordering.quote(operator, { ...wave, ...w });
        return q.options[0]?.qot?.[0]?.gsnr01nmDb ?? null;
      };
      const empty = await gsnrOf({ start: at(0), end: at(1) });
      assert.ok(empty !== null, 'a 400G wave fits the empty chain');

      // Fill [0, 1) until refused, checking every booking of the window from scratch after each order.
      const fill = async (start: string, end: string): Promise<number> => {
        let n = 0;
        for (;;) {
          try {
            await ordering.placeOrder(operator, { ...wave, start, end });
            n++;
          } catch (err) {
            assert.ok(err instanceof LightpathError && err.code === 'capacity-exhausted', String(err));
            return n;
          }
          for (const lp of await recomputeIn(db, Date.parse(start), Date.parse(end))) assert.ok(lp.gsnr01nmDb >= lp.requiredDb - 1e-6, `${lp.id} at ${lp.gsnr01nmDb} dB below ${lp.requiredDb} dB`);
        }
      };
      const first = await fill(at(0), at(1));
      assert.ok(first >= 2, `several waves fit (${first})`);

      // [1, 2) overlaps none of them: the line is as empty as before, to the bit.
      assert.equal(await gsnrOf({ start: at(1), end: at(2) }), empty);
      // [0.5, 1.5) and an open-ended booking from now overlap them: neighbours lower the GSNR, or nothing fits.
      for (const w of [{ start: at(0.5), end: at(1.5) }, {}]) {
        const g = await gsnrOf(w);
        assert.ok(g === null || g < (empty as number) - 1e-6, `overlapping window ${JSON.stringify(w)}: ${g} < ${empty}`);
      }
      // As many fit in [1, 2) as in the empty [0, 1).
      assert.equal(await fill(at(1), at(2)), first);
      // Each window's bookings, recomputed against only what overlaps them, keep their thresholds.
      for (const [a, b] of [[0, 1], [1, 2]]) {
        const lps = await recomputeIn(db, Date.parse(at(a)), Date.parse(at(b)));
        assert.equal(lps.length >= first, true);
        for (const lp of lps) assert.ok(lp.gsnr01nmDb >= lp.requiredDb - 1e-6);
      }
    });
  });
}
