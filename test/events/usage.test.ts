import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { LightpathError } from '../../src/domain/errors.js';
import { appendEvent, latestEventId } from '../../src/store/events.js';
import { hourlyUsage, type ServiceActivity } from '../../src/services/usage-hours.js';
import { UsageService, activityFromLifecycle, recordUsage, type UsageRecord } from '../../src/services/usage.js';
import type { Viewer } from '../../src/services/events.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

/**
 * Oracle: walk the timeline second by second and mark which (service, hour) each active second falls
 * in. Activity is generated on whole seconds so this is exact.
 */
function bruteForce(activity: ServiceActivity[], closeBeforeMs: number): Map<string, { seconds: number; peak: number | null }> {
  const close = closeBeforeMs - (closeBeforeMs % H);
  const out = new Map<string, { seconds: number; peak: number | null }>();
  for (const sid of new Set(activity.map((a) => a.serviceId))) {
    const mine = activity.filter((a) => a.serviceId === sid);
    const lo = Math.min(...mine.map((a) => a.fromMs));
    for (let t = lo; t < close; t += 1000) {
      const active = mine.filter((a) => a.fromMs <= t && t < (a.toMs ?? Infinity));
      if (active.length === 0) continue;
      const key = `${sid}@${t - (t % H)}`;
      const cur = out.get(key) ?? { seconds: 0, peak: null };
      cur.seconds++;
      for (const a of active) if (a.bandwidthGbps !== null) cur.peak = Math.max(cur.peak ?? 0, a.bandwidthGbps);
      out.set(key, cur);
    }
  }
  return out;
}

const activityArb = fc.array(
  fc.record({
    serviceId: fc.constantFrom('svc_a', 'svc_b', 'svc_c'),
    tenantId: fc.constant('t1'),
    product: fc.constant('wave'),
    bandwidthGbps: fc.option(fc.constantFrom(10, 100, 400), { nil: null }),
    fromS: fc.integer({ min: 0, max: 5 * 3600 }),
    lenS: fc.option(fc.integer({ min: 1, max: 3 * 3600 }), { nil: null }),
  }),
  { minLength: 0, maxLength: 5 },
);

describe('hourly usage roll-up (pure)', () => {
  test('matches a second-by-second walk of the timeline', () => {
    fc.assert(
      fc.property(activityArb, fc.integer({ min: 0, max: 8 * 3600 }), (raw, closeS) => {
        const activity: ServiceActivity[] = raw.map((r) => ({
          serviceId: r.serviceId,
          tenantId: r.tenantId,
          product: r.product,
          bandwidthGbps: r.bandwidthGbps,
          fromMs: T0 + r.fromS * 1000,
          toMs: r.lenS === null ? null : T0 + (r.fromS + r.lenS) * 1000,
        }));
        const close = T0 + closeS * 1000;
        const got = hourlyUsage(activity, close);
        const want = bruteForce(activity, close);
        assert.equal(got.length, want.size);
        for (const row of got) {
          const w = want.get(`${row.serviceId}@${row.hourMs}`);
          assert.ok(w, `unexpected row ${row.serviceId} ${new Date(row.hourMs).toISOString()}`);
          assert.equal(row.activeSeconds, w.seconds);
          assert.equal(row.bandwidthGbps, w.peak);
          assert.ok(row.hourMs + H <= close, 'only closed hours');
        }
      }),
      { seed: 2201, numRuns: 150 },
    );
  });

  test('lifecycle events become intervals: activate, modify (new bandwidth), terminate', () => {
    const ev = (type: string, atS: number, data: unknown = {}) => ({ serviceId: 'svc_1', type, tenantId: 't1', occurredAtMs: T0 + atS * 1000, data });
    const acts = activityFromLifecycle(
      [ev('service.activated', 100, { bandwidthGbps: 10 }), ev('service.modified', 4000, { bandwidthGbps: 100 }), ev('service.terminated', 9000)],
      new Map([['svc_1', { product: 'wave', bandwidthGbps: 10 }]]),
    );
    assert.deepEqual(
      acts.map((a) => [a.fromMs - T0, a.toMs === null ? null : a.toMs - T0, a.bandwidthGbps, a.product]),
      [
        [100_000, 4_000_000, 10, 'wave'],
        [4_000_000, 9_000_000, 100, 'wave'],
      ],
    );
    // the ordering area ends a service with service.disconnected; dark fiber (0 Gbps) has no bandwidth
    const df = activityFromLifecycle([ev('service.activated', 0, { product: 'dark-fiber', bandwidthGbps: 0 }), ev('service.disconnected', 60)], new Map());
    assert.deepEqual(df.map((a) => [a.fromMs - T0, a.toMs === null ? null : a.toMs - T0, a.bandwidthGbps, a.product]), [[0, 60_000, null, 'dark-fiber']]);
    // still active: open-ended
    const open = activityFromLifecycle([ev('service.activated', 0)], new Map([['svc_1', { product: 'ethernet', bandwidthGbps: 1 }]]));
    assert.equal(open.length, 1);
    assert.equal(open[0].toMs, null);
    assert.equal(open[0].bandwidthGbps, 1);
  });
});

for (const driver of testDrivers()) {
  describe(`usage records on ${driver.name}`, () => {
    let db: Db;
    let clock = T0 + 10 * H + 123_000;
    const op: Viewer = { tenantId: 'op', role: 'operator' };
    const acme: Viewer = { tenantId: 'acme', role: 'customer' };
    const globex: Viewer = { tenantId: 'globex', role: 'customer' };
    before(async () => {
      db = await driver.open();
    });
    after(async () => {
      await db.close();
    });

    test('recordUsage is idempotent and list is tenant-scoped, filtered and paged', async () => {
      const acts: ServiceActivity[] = [
        // 07:30 -> 09:15: hours 07, 08, 09
        { serviceId: 'svc_a', tenantId: 'acme', product: 'wave', bandwidthGbps: 100, fromMs: T0 + 7.5 * H, toMs: T0 + 9.25 * H },
        { serviceId: 'svc_g', tenantId: 'globex', product: 'ethernet', bandwidthGbps: 10, fromMs: T0 + 8 * H, toMs: null },
      ];
      const close = new Date(T0 + 10 * H);
      const first = await recordUsage(db, acts, close);
      const expected = hourlyUsage(acts, close.getTime());
      assert.equal(first, expected.length);
      assert.equal(await recordUsage(db, acts, close), 0, 'second run changes nothing');
      const svc = new UsageService(db, { activity: async () => acts }, () => clock);
      const all: UsageRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await svc.list(op, { limit: 2, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const key = (r: { serviceId: string; hourMs?: number; hour?: string }) => `${r.serviceId}@${r.hourMs ?? Date.parse(r.hour ?? '')}`;
      // The closed hours, then the hour in progress (10:00, 123 s so far) for the service still active.
      assert.deepEqual(all.map(key).sort(), [...expected.map(key), `svc_g@${T0 + 10 * H}`].sort());
      assert.deepEqual(all.filter((r) => r.partial).map((r) => [r.serviceId, r.activeSeconds]), [['svc_g', 123]]);
      assert.ok(all.filter((r) => !r.partial).every((r) => Date.parse(r.hour) < T0 + 10 * H));
      const mine = await svc.list(acme);
      assert.ok(mine.items.length > 0 && mine.items.every((r) => r.tenantId === 'acme'));
      assert.deepEqual(
        mine.items.map((r) => [r.hour, r.activeSeconds]),
        expected.filter((r) => r.tenantId === 'acme').map((r) => [new Date(r.hourMs).toISOString(), r.activeSeconds]),
      );
      // another tenant's service id yields nothing
      assert.deepEqual((await svc.list(globex, { serviceId: 'svc_a' })).items, []);
      const ranged = await svc.list(op, { from: new Date(T0 + 8 * H).toISOString(), to: new Date(T0 + 9 * H).toISOString() });
      assert.deepEqual(ranged.items.map((r) => r.hour), [new Date(T0 + 8 * H).toISOString(), new Date(T0 + 8 * H).toISOString()]);
      await assert.rejects(svc.list(op, { from: 'yesterday' }), (e: unknown) => e instanceof LightpathError && e.code === 'validation-failed');
    });

    test('closeHours rolls up lifecycle events from the outbox across hour boundaries', async () => {
      const at = (h: number) => new Date(T0 + h * H);
      const ins = async (type: string, h: number, data: unknown) => {
        await appendEvent(db, { type, tenantId: 'acme', subject: { kind: 'service', id: 'svc_life' }, data });
        const id = await latestEventId(db);
        await db.query('UPDATE events SET occurred_at = $1 WHERE id = $2', [at(h), id]);
      };
      await ins('service.activated', 1.75, { bandwidthGbps: 10, product: 'wave' });
      await ins('service.modified', 2.5, { bandwidthGbps: 40 });
      await ins('service.terminated', 4.1, {});
      clock = T0 + 6 * H + 5000;
      const svc = new UsageService(db, undefined, () => clock);
      const r = await svc.closeHours();
      assert.equal(r.closedThrough, at(6).toISOString());
      const rows = (await svc.list(acme, { serviceId: 'svc_life' })).items;
      // independent expectation: hour 1 from :45 (900 s), hour 2 whole with peak 40, 3 whole, 4 for 0.1 h
      assert.deepEqual(
        rows.map((x) => [x.hour, x.activeSeconds, x.bandwidthGbps, x.product]),
        [
          [at(1).toISOString(), 900, 10, 'wave'],
          [at(2).toISOString(), 3600, 40, 'wave'],
          [at(3).toISOString(), 3600, 40, 'wave'],
          [at(4).toISOString(), 360, 40, 'wave'],
        ],
      );
      assert.equal((await svc.closeHours()).rowsChanged, 0, 'idempotent');
    });
  });
}
