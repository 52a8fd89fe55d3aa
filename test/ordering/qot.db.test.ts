/**
 * Decisions from physics, through the real order path and the store, on both drivers:
 * - after every order, every wave lit in the store (its allocations' channels) is recomputed from
 *   scratch with the closed-form path GSNR (pathGsnr over the store's lit channels per span, not the
 *   incremental state the planner used) and checked against its mode's required OSNR with CD/PMD
 *   penalties from the catalog: no order ever pushes a neighbour below its threshold, and the new wave
 *   keeps the operator's margin as planned;
 * - quotes state mode, GSNR and margin; a span's optics cannot change under live waves without the
 *   re-check, and raw SQL that skips it is refused by the database; a site on a live path cannot stop
 *   carrying transit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { QotPolicyService } from '../../src/services/ordering/qot-policy.js';
import { InventoryService } from '../../src/services/inventory.js';
import { loadNetwork } from '../../src/store/inventory.js';
import { litChannelRows } from '../../src/store/ordering.js';
import { spanModel } from '../../src/services/ordering/physics.js';
import { pathGsnr, type LitChannel, type SpanModel } from '../../src/engine/qot/index.js';
import { TRANSCEIVER_MODES, penaltyDb } from '../../src/domain/transceiver-modes.js';
import { LightpathError } from '../../src/domain/errors.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { operator } from './support.js';

/** A chain of POPs with long spans, so 400G and 800G waves sit close to their thresholds, plus a data center. */
async function loadLongNetwork(db: Db): Promise<void> {
  const inv = new InventoryService(db);
  await inv.initialize({ empty: true });
  const lineSystem = { fiberPairs: 1, slotCount: 96, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 };
  const sites: [string, number, number, 'pop' | 'datacenter'][] = [
    ['p0', 40, -110, 'pop'],
    ['p1', 40, -105, 'pop'],
    ['p2', 40, -100, 'pop'],
    ['p3', 40, -95, 'pop'],
    ['dc', 41, -102, 'datacenter'],
  ];
  for (const [id, lat, lon, kind] of sites) await inv.createSite(TEST_OPERATOR, { id, name: id, kind, lat, lon, metro: id, cloudProvider: null, cloudRegion: null });
  const spans: [string, string, string, number][] = [
    ['p0-p1', 'p0', 'p1', 520],
    ['p1-p2', 'p1', 'p2', 480],
    ['p2-p3', 'p2', 'p3', 510],
    ['p1-dc', 'p1', 'dc', 260],
    ['dc-p2', 'dc', 'p2', 250],
  ];
  for (const [id, a, z, lengthKm] of spans) await inv.createSpan(TEST_OPERATOR, { id, aSiteId: a, zSiteId: z, lengthKm, lineSystem, cables: [{ id: `${id}-c`, strandCount: 12, strandsInUse: 0 }] });
}

const modeById = new Map(TRANSCEIVER_MODES.map((m) => [m.id, m]));

/** Every lit lightpath in the store, recomputed from scratch: GSNR (0.1 nm) and required OSNR with penalties. */
async function recompute(db: Db): Promise<{ id: string; gsnr01nmDb: number; requiredDb: number; spans: string[] }[]> {
  const net = await loadNetwork(db);
  const models = new Map<string, SpanModel>();
  for (const s of net.spans) {
    const m = spanModel(s);
    if (m) models.set(s.id, m);
  }
  const lit = await litChannelRows(db);
  const byLp = new Map<string, { spans: string[]; f: number; mode: string }>();
  for (const r of lit.rows) {
    if (!r.live || !r.channel) continue;
    const e = byLp.get(r.channel.l) ?? { spans: [], f: r.channel.f, mode: r.channel.m };
    if (!e.spans.includes(r.spanId)) e.spans.push(r.spanId);
    byLp.set(r.channel.l, e);
  }
  const perSpan = new Map<string, LitChannel[]>();
  for (const [id, e] of byLp) {
    const baud = (modeById.get(e.mode)?.baudRateGbd ?? 0) * 1e9;
    for (const s of e.spans) perSpan.set(s, [...(perSpan.get(s) ?? []), { id, frequencyHz: e.f * 1e9, baudRateHz: baud }]);
  }
  const out: { id: string; gsnr01nmDb: number; requiredDb: number; spans: string[] }[] = [];
  for (const [id, e] of byLp) {
    const mode = modeById.get(e.mode);
    assert.ok(mode, `mode ${e.mode} of ${id} is in the catalog`);
    const q = pathGsnr(e.spans.map((s) => models.get(s) as SpanModel), e.spans.map((s) => perSpan.get(s) ?? []), id, mode.minTxOsnrDb ?? undefined);
    const requiredDb = mode.minRxOsnrDb + penaltyDb(mode.cdPenalty, q.cdPsPerNm) + penaltyDb(mode.pmdPenalty, q.pmdPs) + penaltyDb(mode.pdlPenalty, 0);
    out.push({ id, gsnr01nmDb: q.gsnr01nmDb, requiredDb, spans: e.spans });
  }
  return out;
}

for (const driver of testDrivers()) {
  describe(`decisions from physics on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    let inv: InventoryService;
    before(async () => {
      db = await driver.open();
      await loadLongNetwork(db);
      ordering = new OrderingService(db);
      inv = new InventoryService(db);
    });
    after(async () => {
      await db.close();
    });

    test('quotes state mode, GSNR, margin and the GSNR after every span; the store keeps each wave’s channel', async () => {
      const q = await ordering.quote(operator, { product: 'wave', aSite: 'p0', zSite: 'p2', bandwidthGbps: 400, protection: 'unprotected' });
      assert.ok(q.options.length > 0);
      const o = q.options[0];
      assert.ok(o.qot && o.qot.length === 1);
      const s = o.qot[0];
      assert.ok(s.marginDb >= s.policyMarginDb - 1e-3, `margin ${s.marginDb} ≥ policy ${s.policyMarginDb}`);
      assert.ok(Math.abs(s.gsnr01nmDb - s.requiredOsnrDb - s.marginDb) < 2e-3);
      const wave = o.paths[0].wave;
      assert.ok(wave && wave.modeId === s.modeId);
      for (const seg of wave.segments) {
        assert.ok(seg.qot);
        assert.equal(seg.qot.perSpan.length, seg.spanIds.length);
        // GSNR never rises along the path.
        for (let i = 1; i < seg.qot.perSpan.length; i++) assert.ok(seg.qot.perSpan[i].gsnr01nmDb <= seg.qot.perSpan[i - 1].gsnr01nmDb + 1e-9);
      }
      // A quote lights nothing.
      assert.equal((await recompute(db)).length, 0);
    });

    test('no order pushes a lit wave below its threshold (independent recomputation from the store after each order)', async () => {
      // No margin: waves are planned right at the edge, where a careless neighbour would break them.
      await new QotPolicyService(db).put(TEST_OPERATOR, { marginDb: 0, maxUnamplifiedLossDb: 22 });
      const pairs: [string, string, number][] = [];
      const pops = ['p0', 'p1', 'p2', 'p3'];
      for (let r = 0; r < 6; r++) for (let i = 0; i < pops.length; i++) for (let j = i + 1; j < pops.length; j++) pairs.push([pops[i], pops[j], [100, 400, 800][(r + i + j) % 3]]);
      let placed = 0;
      let refused = 0;
      for (const [a, z, rate] of pairs) {
        try {
          await ordering.placeOrder(operator, { product: 'wave', aSite: a, zSite: z, bandwidthGbps: rate, protection: 'unprotected' });
          placed++;
        } catch (err) {
          assert.ok(err instanceof LightpathError && err.code === 'capacity-exhausted', String(err));
          refused++;
        }
        for (const lp of await recompute(db)) assert.ok(lp.gsnr01nmDb >= lp.requiredDb - 1e-6, `${lp.id} at ${lp.gsnr01nmDb.toFixed(3)} dB, below its ${lp.requiredDb.toFixed(3)} dB`);
      }
      const lit = await recompute(db);
      const shared = new Map<string, number>();
      for (const lp of lit) for (const s of lp.spans) shared.set(s, (shared.get(s) ?? 0) + 1);
      assert.ok(placed > 10 && Math.max(...shared.values()) > 5, `waves share spans (${placed} placed, ${refused} refused)`);
      // A regenerated wave is several lightpaths: `<order>:working/0`, `/1`, …
      assert.ok(lit.some((lp) => lp.id.endsWith('/1')), 'some waves needed a regenerator');
      // The data center is an endpoint: nothing passes through it.
      const rows = (await litChannelRows(db)).rows;
      assert.ok(!rows.some((r) => r.spanId === 'p1-dc' || r.spanId === 'dc-p2'), 'no wave transits the data center');
    });

    test('span optics under live waves: re-checked by the service, refused by the database without the re-check', async () => {
      const lit = await recompute(db);
      const span = lit[0].spans[0];
      // A worse fiber under waves at the edge: the service recomputes them and refuses with in-use.
      await assert.rejects(inv.updateSpan(TEST_OPERATOR, span, { connectorLossDb: 3 }), (err: unknown) => err instanceof LightpathError && err.code === 'in-use');
      // Raw SQL cannot skip the re-check.
      await assert.rejects(db.query(`UPDATE spans SET fiber_type = 'G.655' WHERE id = $1`, [span]), (err: unknown) => (err as { code?: string }).code === 'LP409');
      // A better fiber keeps every wave above its threshold: allowed after the re-check.
      const updated = await inv.updateSpan(TEST_OPERATOR, span, { connectorLossDb: 0.2 });
      assert.equal(updated.connectorLossDb, 0.2);
      for (const lp of await recompute(db)) assert.ok(lp.gsnr01nmDb >= lp.requiredDb - 1e-6);
    });

    test('a site on a live path cannot stop carrying transit; one no path crosses can', async () => {
      await assert.rejects(inv.updateSite(TEST_OPERATOR, 'p1', { transit: false }), (err: unknown) => err instanceof LightpathError && err.code === 'in-use');
      const dc = await inv.updateSite(TEST_OPERATOR, 'dc', { transit: true });
      assert.equal(dc.transit, true);
      const back = await inv.updateSite(TEST_OPERATOR, 'dc', { transit: false });
      assert.equal(back.transit, false);
    });
  });
}
