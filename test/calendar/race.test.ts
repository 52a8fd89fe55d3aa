/**
 * Concurrent bookings on the PostgreSQL server (separate pools, as separate processes would have):
 * orders for random overlapping windows racing for the last capacity of one span, and OSCARS's case
 * (many equal overlapping holds on the last unit). Checked from the allocations table alone: nothing
 * is held twice at any instant, and every refusal is justified (for every spectrum position the wave
 * could take, some accepted booking holds part of it during part of the refused window).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDriver } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { LightpathError } from '../../src/domain/errors.js';
import { DEFAULT_MODULATIONS, chooseModulation } from '../../src/engine/index.js';
import { alice, checkInvariants, loadTinyNetwork } from '../ordering/support.js';
import { assertBookingsHeld, assertNoDoubleHolding, heldRanges } from './sweep.js';

const url = process.env.DATABASE_URL;
const HOUR = 3_600_000;

describe('concurrent bookings for overlapping windows (PostgreSQL server)', { skip: url ? false : 'DATABASE_URL is not set' }, () => {
  let db: Db;
  const handles: Db[] = [];
  let slots = 0;
  before(async () => {
    db = await postgresDriver(url as string).open();
    await loadTinyNetwork(db, { slotCount: 24 });
    const search = await db.query<{ setting: string }>("SELECT current_setting('search_path') AS setting");
    for (let i = 0; i < 4; i++) handles.push(await openPostgres({ url: url as string, searchPath: search.rows[0].setting.replace(/\s+/g, ''), max: 8 }));
    const mode = chooseModulation(400, 110, DEFAULT_MODULATIONS);
    assert.ok(mode);
    slots = mode.slots;
  });
  after(async () => {
    for (const h of handles) await h.close();
    await db.close();
  });

  // Pinned to the direct span a-b by its latency bound.
  const spec = { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 400, protection: 'unprotected', maxLatencyUs: 110 * 4.9 + 1 };
  const base = Math.ceil((Date.now() + 24 * HOUR) / HOUR) * HOUR;

  test('random overlapping windows: as many as fit at every instant, every refusal justified', async () => {
    const services = handles.map((h) => new OrderingService(h));
    // A seeded generator: 48 bookings of 1-8 hours starting in the next 24 hours, a third of them holds.
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const wanted = Array.from({ length: 48 }, () => {
      const s = base + rnd(24) * HOUR;
      return { start: new Date(s).toISOString(), end: new Date(s + (1 + rnd(8)) * HOUR).toISOString(), hold: rnd(3) === 0 };
    });
    const results = await Promise.allSettled(wanted.map((w, i) => services[i % services.length].placeOrder(alice, { ...spec, ...w })));
    const refused: { start: string; end: string }[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      assert.ok(r.reason instanceof LightpathError && r.reason.code === 'capacity-exhausted', String(r.reason));
      refused.push(wanted[i]);
    });
    assert.ok(refused.length > 0 && refused.length < wanted.length, `a contested calendar (${refused.length} of ${wanted.length} refused)`);
    await assertNoDoubleHolding(db);
    await assertBookingsHeld(db);
    await checkInvariants(db);
    const held = (await heldRanges(db)).filter((r) => r.resource === 'spectrum:a-b:0');
    for (const w of refused) {
      const f = Date.parse(w.start);
      const t = Date.parse(w.end);
      for (let s = 0; s + slots <= 24; s++) {
        const blocked = held.some((r) => r.lo < s + slots && s < r.hi && r.fromMs < t && f < r.toMs);
        assert.ok(blocked, `refused ${w.start}..${w.end} although slots [${s}, ${s + slots}) were free throughout`);
      }
    }
  });

  test("OSCARS's case: 24 equal overlapping holds on the last unit, exactly one wins", async () => {
    const services = handles.map((h) => new OrderingService(h));
    const w = { start: new Date(base + 30 * 24 * HOUR).toISOString(), end: new Date(base + 31 * 24 * HOUR).toISOString() };
    const capacity = Math.floor(24 / slots);
    for (let i = 0; i < capacity - 1; i++) await services[0].placeOrder(alice, { ...spec, ...w });
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => services[i % services.length].placeOrder(alice, { ...spec, ...w, hold: true })));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, `exactly one hold wins (${won.length})`);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LightpathError && r.reason.code === 'capacity-exhausted', String(r.reason));
    await assertNoDoubleHolding(db);
    await checkInvariants(db);
  });
});
