/**
 * An independent check of the calendar, from the allocations table alone: sweep every window boundary
 * and, at each instant, require that no resource unit is held twice; and that every booking holds its
 * whole window.
 */
import assert from 'node:assert/strict';
import type { Queryable } from '../../src/store/db.js';

interface Held {
  id: string;
  resource: string;
  lo: number;
  hi: number;
  fromMs: number;
  toMs: number;
  serviceId: string | null;
  orderId: string;
}

export async function heldRanges(q: Queryable): Promise<Held[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT id::text, resource, lower(units) AS lo, upper(units) AS hi, lower(during) AS f, upper(during) AS t, service_id, order_id
       FROM allocations WHERE NOT isempty(during)`,
  );
  return r.rows.map((x) => ({
    id: x.id as string,
    resource: x.resource as string,
    lo: Number(x.lo),
    hi: Number(x.hi),
    fromMs: x.f === null ? -Infinity : new Date(x.f as string).getTime(),
    toMs: x.t === null ? Infinity : new Date(x.t as string).getTime(),
    serviceId: (x.service_id as string | null) ?? null,
    orderId: x.order_id as string,
  }));
}

/** At every boundary instant, the ranges holding each resource are disjoint in units. */
export async function assertNoDoubleHolding(q: Queryable): Promise<number> {
  const ranges = await heldRanges(q);
  const instants = [...new Set(ranges.map((r) => r.fromMs).filter(Number.isFinite))];
  for (const t of instants) {
    const byResource = new Map<string, Held[]>();
    for (const r of ranges) if (r.fromMs <= t && t < r.toMs) byResource.set(r.resource, [...(byResource.get(r.resource) ?? []), r]);
    for (const [res, list] of byResource) {
      const sorted = [...list].sort((a, b) => a.lo - b.lo);
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(sorted[i].lo >= sorted[i - 1].hi, `${res} units [${sorted[i - 1].lo},${sorted[i - 1].hi}) and [${sorted[i].lo},${sorted[i].hi}) both held at ${new Date(t).toISOString()} (allocations ${sorted[i - 1].id}, ${sorted[i].id})`);
      }
    }
  }
  return instants.length;
}

/** Every booked or live service holds capacity for its whole window (from now on), and expired holds hold nothing. */
export async function assertBookingsHeld(q: Queryable): Promise<void> {
  const ranges = await heldRanges(q);
  const now = Date.now();
  const services = await q.query<{ id: string; state: string; starts_at: unknown; ends_at: unknown }>(
    `SELECT id, state, starts_at, ends_at FROM services WHERE state IN ('held', 'scheduled', 'reserved', 'active', 'down')`,
  );
  for (const s of services.rows) {
    const from = Math.max(new Date(s.starts_at as string).getTime(), now + 60_000);
    const to = s.ends_at ? new Date(s.ends_at as string).getTime() : Infinity;
    if (to <= from) continue;
    const mine = ranges.filter((r) => r.serviceId === s.id);
    assert.ok(mine.length > 0, `service ${s.id} (${s.state}) holds nothing`);
    for (const r of mine) assert.ok(r.fromMs <= from && r.toMs >= to, `service ${s.id} (${s.state}) holds ${r.resource} only for part of its window`);
  }
  const expired = await q.query<{ id: string }>(`SELECT id FROM orders WHERE state = 'cancelled' AND failure_reason = 'hold-expired'`);
  const ids = new Set(expired.rows.map((r) => r.id));
  const still = ranges.filter((r) => ids.has(r.orderId) && r.toMs > now + 1000);
  assert.equal(still.length, 0, 'expired holds hold nothing');
}
