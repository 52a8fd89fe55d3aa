/** Shared fixtures for the ordering tests: principals, a tiny network, and database invariant checks. */
import assert from 'node:assert/strict';
import type { Db } from '../../src/store/db.js';
import type { Principal } from '../../src/services/ordering/principal.js';
import { InventoryService } from '../../src/services/inventory.js';
import { LightpathError } from '../../src/domain/errors.js';
import { TEST_OPERATOR } from '../support/principals.js';

export const operator: Principal = { tenantId: 'operator', role: 'operator', keyId: 'key_op' };
export const alice: Principal = { tenantId: 'alice', role: 'customer', keyId: 'key_alice' };
export const bob: Principal = { tenantId: 'bob', role: 'customer', keyId: 'key_bob' };

/** Awaits p and asserts it fails with a LightpathError of this code. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<LightpathError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LightpathError, `expected LightpathError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.detail);
    return err;
  }
  assert.fail(`expected ${code}`);
}

/**
 * A small network built through the inventory service: a square a-b-c-d-a plus a diagonal a-c, each
 * span in its own SRLG except the two spans sharing SRLG "duct-1", plus a cloud on-ramp "cloud" hanging
 * off c and d. slotCount and strandCount are small so capacity runs out quickly in tests.
 */
export async function loadTinyNetwork(db: Db, opts: { slotCount?: number; strandCount?: number; fiberPairs?: number } = {}): Promise<void> {
  const inv = new InventoryService(db);
  await inv.initialize({ empty: true });
  const lineSystem = { fiberPairs: opts.fiberPairs ?? 1, slotCount: opts.slotCount ?? 48, slotWidthGhz: 12.5, startFrequencyGhz: 191_300 };
  await inv.createSrlg(TEST_OPERATOR, { id: 'duct-1', name: 'Shared duct', kind: 'duct' });
  const sites: [string, number, number, 'pop' | 'cloud-onramp'][] = [
    ['a', 40, -100, 'pop'],
    ['b', 40, -99, 'pop'],
    ['c', 39, -99, 'pop'],
    ['d', 39, -100, 'pop'],
    ['cloud', 38.5, -99.5, 'cloud-onramp'],
  ];
  for (const [id, lat, lon, kind] of sites) {
    await inv.createSite(TEST_OPERATOR, { id, name: id.toUpperCase(), kind, lat, lon, metro: null, cloudProvider: kind === 'cloud-onramp' ? 'aws' : null, cloudRegion: kind === 'cloud-onramp' ? 'us-test-1' : null });
  }
  const spans: [string, string, string, number, string[]][] = [
    ['a-b', 'a', 'b', 110, []],
    ['b-c', 'b', 'c', 120, ['duct-1']],
    ['c-d', 'c', 'd', 100, []],
    ['d-a', 'd', 'a', 115, ['duct-1']],
    ['a-c', 'a', 'c', 160, []],
    ['c-cloud', 'c', 'cloud', 70, []],
    ['d-cloud', 'd', 'cloud', 75, []],
  ];
  for (const [id, a, z, lengthKm, srlgIds] of spans) {
    await inv.createSpan(TEST_OPERATOR, { id, aSiteId: a, zSiteId: z, lengthKm, srlgIds, lineSystem, cables: [{ id: `${id}-c1`, strandCount: opts.strandCount ?? 12, strandsInUse: 4 }] });
  }
}

/** Database invariants every test checks at the end: no overlap, nothing half-allocated. */
export async function checkInvariants(db: Db): Promise<void> {
  const overlaps = await db.query(
    `SELECT a.id, b.id FROM allocations a JOIN allocations b
       ON a.id < b.id AND a.resource = b.resource AND a.units && b.units AND a.during && b.during`,
  );
  assert.equal(overlaps.rows.length, 0, `overlapping allocations: ${JSON.stringify(overlaps.rows)}`);
  // A terminated service or a failed/cancelled add order holds nothing.
  const leaked = await db.query(
    `SELECT al.id FROM allocations al JOIN services s ON s.id = al.service_id
      WHERE al.during && tstzrange(now(), NULL) AND s.state = 'terminated'`,
  );
  assert.equal(leaked.rows.length, 0, 'terminated services hold no allocations');
  const failedHeld = await db.query(
    `SELECT al.id FROM allocations al JOIN orders o ON o.id = al.order_id
      WHERE al.during && tstzrange(now(), NULL) AND o.state IN ('failed', 'cancelled')`,
  );
  assert.equal(failedHeld.rows.length, 0, 'failed or cancelled orders hold nothing');
  // Every live service's allocations match its design exactly (nothing half-allocated).
  const services = await db.query<{ id: string; state: string; design: unknown; product: string }>(`SELECT id, state, design, product FROM services WHERE state <> 'terminated'`);
  for (const s of services.rows) {
    const design = (typeof s.design === "string" ? JSON.parse(s.design) : s.design) as { paths: { spanIds: string[]; wave?: { segments: { spanIds: string[] }[] }; strands?: unknown[]; trunk?: unknown }[] };
    const open = await db.query(`SELECT 1 FROM orders WHERE service_id = $1 AND action = 'modify' AND state IN ('acknowledged', 'inProgress')`, [s.id]);
    if (open.rows.length > 0) continue; // mid make-before-break: two designs held on purpose
    let expected = 0;
    assert.ok(Array.isArray(design?.paths), `service ${s.id} design ${JSON.stringify(s.design)}`);
    for (const p of design.paths) {
      if (p.wave) expected += p.wave.segments.reduce((n, seg) => n + seg.spanIds.length, 0);
      else if (p.strands) expected += p.strands.length;
      else if (p.trunk) expected += 1;
    }
    const held = await db.query(`SELECT count(*)::int AS n FROM allocations WHERE service_id = $1 AND during && tstzrange(now(), NULL)`, [s.id]);
    assert.equal(Number((held.rows[0] as { n: number }).n), expected, `service ${s.id} (${s.product}, ${s.state}) holds exactly its design`);
  }
  // Live trunks hold exactly one wave (one range per span of their path); retired ones hold nothing.
  const trunks = await db.query<{ id: string; retired_at: unknown; path_spans: unknown }>('SELECT id, retired_at, path_spans FROM trunks');
  for (const t of trunks.rows) {
    const p = (typeof t.path_spans === 'string' ? JSON.parse(t.path_spans) : t.path_spans) as { spanIds: string[] };
    const held = await db.query(`SELECT count(*)::int AS n FROM allocations WHERE trunk_id = $1 AND during && tstzrange(now(), NULL)`, [t.id]);
    const n = Number((held.rows[0] as { n: number }).n);
    if (t.retired_at) assert.equal(n, 0, `retired trunk ${t.id} holds nothing`);
    else assert.equal(n, p.spanIds.length, `trunk ${t.id} holds its wave`);
  }
}
