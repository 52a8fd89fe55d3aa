/**
 * The database knows what a live service uses: every inventory change that would remove or shrink what
 * an allocation holds (now or in a future window) is refused with in-use naming the services, whichever
 * path makes it (service, raw SQL, import); harmless changes still go through. On both drivers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker, EmulatorDriver } from '../../src/services/ordering/activation.js';
import { InventoryService } from '../../src/services/inventory.js';
import { LightpathError } from '../../src/domain/errors.js';
import { toProjectJson } from '../../src/export/json.js';
import { listEvents } from '../../src/store/events.js';
import { alice, checkInvariants, loadTinyNetwork } from '../ordering/support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import type { Span } from '../../src/domain/network.js';

async function rejectsInUse(p: Promise<unknown>, services: string[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LightpathError, String(err));
    assert.equal(err.code, 'in-use', err.detail);
    const named = (err.extra?.services ?? []) as string[];
    for (const s of services) assert.ok(named.includes(s), `${s} named in ${JSON.stringify(err.extra)}`);
    return true;
  });
}

async function sqlRejects(db: Db, sql: string, params: unknown[], code: string): Promise<void> {
  await assert.rejects(db.query(sql, params), (err: unknown) => (err as { code?: string }).code === code);
}

for (const driver of testDrivers()) {
  describe(`inventory guard on ${driver.name}`, () => {
    let db: Db;
    let inv: InventoryService;
    let ordering: OrderingService;
    let worker: ActivationWorker;
    let wave = { serviceId: '', spans: [] as string[], fiberPair: 0, hi: 0 };
    let dark = { serviceId: '', cable: '', lo: 0, hi: 0, span: '' };

    before(async () => {
      db = await driver.open();
      await loadTinyNetwork(db, { fiberPairs: 2, slotCount: 48, strandCount: 12 });
      inv = new InventoryService(db);
      ordering = new OrderingService(db);
      worker = new ActivationWorker(db, new EmulatorDriver());
      const w = await ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
      const d = await ordering.placeOrder(alice, { product: 'dark-fiber', aSite: 'c', zSite: 'd', protection: 'unprotected' });
      await worker.runOnce();
      const held = await db.query<{ kind: string; resource_id: string; sub: number; lo: number; hi: number; service_id: string }>(
        `SELECT kind, resource_id, sub, lower(units) AS lo, upper(units) AS hi, service_id FROM allocations WHERE service_id = ANY($1::text[])`,
        [[w.order.serviceId, d.order.serviceId]],
      );
      const spectrum = held.rows.filter((r) => r.kind === 'spectrum');
      const strand = held.rows.find((r) => r.kind === 'strand');
      assert.ok(spectrum.length > 0 && strand);
      wave = { serviceId: w.order.serviceId, spans: spectrum.map((r) => r.resource_id), fiberPair: Math.max(...spectrum.map((r) => Number(r.sub))), hi: Math.max(...spectrum.map((r) => Number(r.hi))) };
      const cableSpan = (await db.query<{ span_id: string }>('SELECT span_id FROM cables WHERE id = $1', [strand.resource_id])).rows[0].span_id;
      dark = { serviceId: d.order.serviceId, cable: strand.resource_id, lo: Number(strand.lo), hi: Number(strand.hi), span: cableSpan };
    });
    after(async () => {
      await worker.close();
      await db.close();
    });

    test('span changes that remove or shrink what a service holds are refused, naming it', async () => {
      const span = wave.spans[0];
      const current = await inv.getSpan(span);
      const ls = current.lineSystem as NonNullable<Span['lineSystem']>;
      await rejectsInUse(inv.deleteSpan(TEST_OPERATOR, span), [wave.serviceId]);
      if (wave.fiberPair >= 1) await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, fiberPairs: wave.fiberPair } }), [wave.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, slotCount: wave.hi - 1 } }), [wave.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, slotWidthGhz: 6.25 } }), [wave.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, startFrequencyGhz: ls.startFrequencyGhz + 100 } }), [wave.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: null }), [wave.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { aSiteId: 'd' }), [wave.serviceId]);
      assert.deepEqual(await inv.getSpan(span), current, 'nothing changed');
      // What does not touch held resources still works.
      const longer = await inv.updateSpan(TEST_OPERATOR, span, { lengthKm: current.lengthKm + 1, lineSystem: { ...ls, slotCount: ls.slotCount + 8, fiberPairs: ls.fiberPairs + 1 } });
      assert.equal(longer.lineSystem?.slotCount, ls.slotCount + 8);
      await inv.updateSpan(TEST_OPERATOR, span, { lengthKm: current.lengthKm, lineSystem: ls });
    });

    test('cable changes under a dark-fiber service are refused; others go through', async () => {
      const span = await inv.getSpan(dark.span);
      const cable = span.cables.find((c) => c.id === dark.cable);
      assert.ok(cable);
      const others = span.cables.filter((c) => c.id !== dark.cable);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, dark.span, { cables: others }), [dark.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, dark.span, { cables: [...others, { ...cable, strandCount: dark.hi - 1 }] }), [dark.serviceId]);
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, dark.span, { cables: [...others, { ...cable, strandsInUse: dark.lo + 1 }] }), [dark.serviceId]);
      await rejectsInUse(inv.deleteSpan(TEST_OPERATOR, dark.span), [dark.serviceId]);
      // Growing the cable or reserving strands below the held pair is fine.
      const grown = await inv.updateSpan(TEST_OPERATOR, dark.span, { cables: [...others, { ...cable, strandCount: cable.strandCount + 12, strandsInUse: Math.min(dark.lo, cable.strandsInUse) }] });
      assert.equal(grown.cables.find((c) => c.id === dark.cable)?.strandCount, cable.strandCount + 12);
      assert.deepEqual((await inv.updateSpan(TEST_OPERATOR, dark.span, { cables: span.cables })).cables, span.cables);
    });

    test('raw SQL cannot go around the guard, nor hold what the inventory does not have', async () => {
      await sqlRejects(db, 'DELETE FROM spans WHERE id = $1', [wave.spans[0]], 'LP409');
      await sqlRejects(db, 'DELETE FROM cables WHERE id = $1', [dark.cable], 'LP409');
      await sqlRejects(db, 'UPDATE spans SET slot_count = 1 WHERE id = $1', [wave.spans[0]], 'LP409');
      await sqlRejects(db, `UPDATE sites SET kind = 'amplifier' WHERE id = 'a'`, [], 'LP409');
      await sqlRejects(db, `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role) VALUES ('spectrum', $1, 0, int4range(47, 49), $2, 'ord_x', 'working')`, [wave.spans[0], wave.serviceId], 'LP422');
      await sqlRejects(db, `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role) VALUES ('spectrum', 'no-such-span', 0, int4range(0, 1), $1, 'ord_x', 'working')`, [wave.serviceId], 'LP422');
      await sqlRejects(db, `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role) VALUES ('strand', $1, 0, int4range(0, 2), $2, 'ord_x', 'working')`, [dark.cable, dark.serviceId], 'LP422');
    });

    test('a reservation in a future window protects its resources too; a past one does not', async () => {
      const span = 'c-d';
      const ls = (await inv.getSpan(span)).lineSystem as NonNullable<Span['lineSystem']>;
      await db.query(
        `INSERT INTO allocations (kind, resource_id, sub, units, service_id, order_id, role, during)
         VALUES ('spectrum', $1, 0, int4range(40, 44), $2, 'ord_future', 'working', tstzrange(now() + interval '7 days', now() + interval '8 days'))`,
        [span, wave.serviceId],
      );
      await rejectsInUse(inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, slotCount: 40 } }), [wave.serviceId]);
      await db.query(`UPDATE allocations SET during = tstzrange(now() - interval '2 days', now() - interval '1 day') WHERE order_id = 'ord_future'`);
      const shrunk = await inv.updateSpan(TEST_OPERATOR, span, { lineSystem: { ...ls, slotCount: 44 } });
      assert.equal(shrunk.lineSystem?.slotCount, 44);
      await inv.updateSpan(TEST_OPERATOR, span, { lineSystem: ls });
    });

    test('a network replace under live services is refused, unless asked to disconnect them first', async () => {
      const before = await inv.getNetwork();
      const text = JSON.stringify(toProjectJson({ ...before, name: 'replacement' }));
      await rejectsInUse(inv.importNetwork(TEST_OPERATOR, { fileName: 'next.json', text, format: 'json', replace: true }), [wave.serviceId, dark.serviceId]);
      assert.deepEqual(await inv.getNetwork(), before, 'nothing changed');
      const lastEvent = (await listEvents(db, { after: 0, limit: 100_000 })).at(-1)?.id ?? 0;
      const out = await inv.importNetwork(TEST_OPERATOR, { fileName: 'next.json', text, format: 'json', replace: true, disconnectServices: true });
      assert.deepEqual(out.disconnectedServices.sort(), [wave.serviceId, dark.serviceId].sort());
      const states = await db.query<{ id: string; state: string }>('SELECT id, state FROM services WHERE id = ANY($1::text[])', [out.disconnectedServices]);
      assert.ok(states.rows.every((r) => r.state === 'terminated'));
      const live = await db.query(`SELECT 1 FROM allocations WHERE upper_inf(during) OR upper(during) > now()`);
      assert.equal(live.rows.length, 0, 'nothing is held any more');
      const events = await listEvents(db, { after: lastEvent, limit: 1000 });
      for (const id of out.disconnectedServices) assert.ok(events.some((e) => e.type === 'service.disconnected' && e.subject.id === id), `event for ${id}`);
      const teardown = await db.query<{ subject: string }>(`SELECT subject FROM jobs WHERE kind = 'service.teardown'`);
      assert.deepEqual(teardown.rows.map((r) => r.subject).sort(), out.disconnectedServices.sort(), 'the devices are told to remove them');
      const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action IN ('network.replace', 'service.disconnect')`);
      assert.equal(audit.rows.filter((r) => r.action === 'service.disconnect').length, 2);
      assert.equal(audit.rows.filter((r) => r.action === 'network.replace').length, 1);
      await worker.runOnce();
      assert.equal((await db.query(`SELECT 1 FROM jobs WHERE kind = 'service.teardown'`)).rows.length, 0, 'teardowns done');
      await checkInvariants(db);
    });
  });
}

test('over HTTP an in-use refusal is a 409 problem that names the services', async () => {
  const { pgliteDriver } = await import('../support/db.js');
  const { createServices } = await import('../../src/services/index.js');
  const { buildApp } = await import('../../src/api/app.js');
  const { createKey } = await import('../../src/services/ordering/keys.js');
  const db = await pgliteDriver.open();
  try {
    await loadTinyNetwork(db);
    const services = createServices(db);
    const { order } = await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'b', bandwidthGbps: 100, protection: 'unprotected' });
    await services.worker.runOnce();
    const span = (await db.query<{ resource_id: string }>(`SELECT resource_id FROM allocations WHERE service_id = $1 AND kind = 'spectrum' LIMIT 1`, [order.serviceId])).rows[0].resource_id;
    const key = (await createKey(db, { tenantId: 'operator', role: 'operator' })).key;
    const app = await buildApp({ services, logger: false, webDir: null });
    const r = await app.inject({ method: 'PATCH', url: `/v1/spans/${span}`, headers: { authorization: `Bearer ${key}` }, payload: { lineSystem: null } });
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json().code, 'in-use');
    assert.deepEqual(r.json().services, [order.serviceId]);
    await app.close();
  } finally {
    await db.close();
  }
});
