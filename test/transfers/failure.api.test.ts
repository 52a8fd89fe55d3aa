/**
 * A fiber cut end to end over real HTTP, on both stores: trunks lit by ethernet orders, a transfer
 * admitted on two trunk paths, then `POST /v1/failures` cuts the spans that carry one of them with no
 * way around. The restoration batch re-plans the transfer on what remains: nothing stays held on the
 * dark trunks after the running slot, the transfer is reported late (`GET /v1/transfers/{id}` state and
 * ETA, a `transfer.at-risk` event) with the ETA the surviving trunk gives, computed here from the
 * capacity alone; a transfer that did not use the lost trunks keeps its schedule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { buildApp, type AppInstance } from '../../src/api/app.js';
import { createServices, type Services } from '../../src/services/index.js';
import { createKey, EmulatorDriver } from '../../src/services/ordering/index.js';
import { listEvents } from '../../src/store/events.js';
import { checkInvariants, loadTinyNetwork } from '../ordering/support.js';

const SLOT_MS = 900_000;
type Json = Record<string, unknown>;

interface TransferView {
  id: string;
  state: string;
  expectedCompletion: string;
  schedule: { start: string; rateGbps: number; paths: { path: string; rateGbps: number }[] }[];
  paths: { id: string; trunks: string[] }[];
}

/** A server on a fresh tiny network with trunks a-c (300 Gbps used), a-b and b-c (100 used each), and keys. */
function harness(driver: ReturnType<typeof testDrivers>[number]) {
  const h = {
    db: null as unknown as Db,
    app: null as unknown as AppInstance,
    services: null as unknown as Services,
    base: '',
    keys: { op: '', alice: '', bob: '' } as Record<'op' | 'alice' | 'bob', string>,
    async call<T = Json>(method: string, p: string, who: 'op' | 'alice' | 'bob', body?: unknown): Promise<{ status: number; json: T }> {
      const res = await fetch(`${h.base}${p}`, {
        method,
        headers: { authorization: `Bearer ${h.keys[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as T };
    },
  };
  before(async () => {
    h.db = await driver.open();
    await loadTinyNetwork(h.db);
    h.services = createServices(h.db, { driver: new EmulatorDriver(), workerPollMs: 50 });
    h.app = await buildApp({ services: h.services, logger: false, webDir: null });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    h.base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    h.services.worker.start();
    h.keys.op = (await createKey(h.db, { tenantId: 'operator', role: 'operator' })).key;
    h.keys.alice = (await createKey(h.db, { tenantId: 'alice', role: 'customer' })).key;
    h.keys.bob = (await createKey(h.db, { tenantId: 'bob', role: 'customer' })).key;
    for (const [a, z, g] of [['a', 'c', 300], ['a', 'b', 100], ['b', 'c', 100]] as const) {
      const r = await h.call('POST', '/v1/orders', 'op', { product: 'ethernet', aSite: a, zSite: z, bandwidthGbps: g, protection: 'unprotected' });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
  });
  after(async () => {
    await h.app.close();
    await h.services.worker.close();
    await h.db.close();
  });
  return h;
}

/** Waits until the running slot has at least 90 s left (the tests reason in slots from it). */
async function slotWithRoom(): Promise<void> {
  if (SLOT_MS - (Date.now() % SLOT_MS) < 90_000) await new Promise((r) => setTimeout(r, SLOT_MS - (Date.now() % SLOT_MS) + 1000));
}

for (const driver of testDrivers()) {
  describe(`a fiber cut re-plans transfers, over HTTP, on ${driver.name}`, { timeout: 300_000 }, () => {
    const h = harness(driver);
    const call = h.call;

    test('POST /v1/failures: the transfer on the cut trunks is re-planned on the survivor and reported late with its ETA', async () => {
      await slotWithRoom();
      const db = h.db;
      const slot0 = Math.floor(Date.now() / SLOT_MS);
      const at = (k: number) => new Date((slot0 + k) * SLOT_MS).toISOString();
      const trunks = (await db.query<{ id: string; a_site_id: string; z_site_id: string }>('SELECT id, a_site_id, z_site_id FROM trunks')).rows;
      const trunk = (x: string, y: string) => trunks.find((t) => [t.a_site_id, t.z_site_id].sort().join() === [x, y].sort().join())?.id as string;
      // a->b in slots 1-3: 300 Gbps free on a-b plus 100 on a-c-b; 120 TB needs more than a-b alone (101.25 TB).
      const t = await call<TransferView>('POST', '/v1/transfers', 'alice', { aSite: 'a', zSite: 'b', volumeTB: 120, deadline: at(4) });
      assert.equal(t.status, 201, JSON.stringify(t.json));
      const usesDetour = t.json.schedule.some((e) => e.paths.some((p) => t.json.paths.find((x) => x.id === p.path)?.trunks.includes(trunk('a', 'c'))));
      assert.ok(usesDetour, 'the admitted schedule needs the a-c-b path');
      // A transfer on a-b alone (within what the first one leaves there after the cut is irrelevant: it was admitted first on its own path).
      const other = await call<TransferView>('POST', '/v1/transfers', 'bob', { aSite: 'a', zSite: 'b', volumeTB: 1, deadline: at(40), earliestStart: at(20) });
      assert.equal(other.status, 201, JSON.stringify(other.json));
      const otherBefore = JSON.stringify(other.json.schedule);

      // Cut a-c and the duct under b-c and d-a: c is cut off from a and b, so trunks a-c and b-c go dark.
      const cut = await call<Json>('POST', '/v1/failures', 'op', { spans: ['a-c'], srlgs: ['duct-1'], note: 'backhoe' });
      assert.equal(cut.status, 201, JSON.stringify(cut.json));
      let v: TransferView | undefined;
      for (let i = 0; i < 600; i++) {
        v = (await call<TransferView>('GET', `/v1/transfers/${t.json.id}`, 'alice')).json;
        if (v.state === 'late') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(v && v.state === 'late', `the transfer is late after the cut (state ${v?.state})`);
      assert.equal(Math.floor(Date.now() / SLOT_MS), slot0, 'the test ran within one slot');
      // What remains is a-b at 300 Gbps from slot 1: 120 TB = 960,000 Gbit needs ceil(960000 / (300 x 900)) = 4 slots.
      const slotsNeeded = Math.ceil((120 * 8000) / (300 * 900));
      assert.equal(v.expectedCompletion, at(1 + slotsNeeded));
      for (const e of v.schedule) {
        if (Date.parse(e.start) < (slot0 + 1) * SLOT_MS) continue;
        for (const p of e.paths) assert.deepEqual(t.json.paths.find((x) => x.id === p.path)?.trunks, [trunk('a', 'b')], `${e.start}: only a-b carries it now`);
      }
      // The allocations table agrees: nothing is held for transfers on the dark trunks after the running slot.
      const held = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM allocations WHERE resource_id = ANY($1::text[]) AND transfer_id IS NOT NULL AND upper(during) > $2::timestamptz`,
        [[trunk('a', 'c'), trunk('b', 'c')], at(1)],
      );
      assert.equal(held.rows[0].n, 0);
      const risk = await listEvents(db, { after: 0, limit: 100, types: ['transfer.at-risk'] });
      assert.deepEqual(risk.map((e) => e.subject.id), [t.json.id]);
      assert.equal((risk[0].data as { eta: string }).eta, at(1 + slotsNeeded));
      // The other transfer used only a-b, in slots the first one does not need: untouched, and not visible to alice.
      const o = await call<TransferView>('GET', `/v1/transfers/${other.json.id}`, 'bob');
      assert.equal(o.json.state, 'scheduled');
      assert.equal(JSON.stringify(o.json.schedule), otherBefore);
      assert.equal((await call('GET', `/v1/transfers/${other.json.id}`, 'alice')).status, 404);
      await checkInvariants(db);
    });
  });

  describe(`a fiber cut across a wave lit for a transfer, over HTTP, on ${driver.name}`, { timeout: 300_000 }, () => {
    const h = harness(driver);

    test('POST /v1/failures on the wave\'s span: the wave goes dark from the next slot (spectrum released) and the transfer is re-planned', async () => {
      await slotWithRoom();
      const slot0 = Math.floor(Date.now() / SLOT_MS);
      const at = (k: number) => new Date((slot0 + k) * SLOT_MS).toISOString();
      // a->c: the trunks carry at most 400 Gbps (180 TB in slots 1-4); 250 TB by slot 5 needs a wave.
      const t = await h.call<TransferView & { waves: { id: string; path: string; spans: string[]; lit: unknown[] }[] }>('POST', '/v1/transfers', 'alice', { aSite: 'a', zSite: 'c', volumeTB: 250, deadline: at(5) });
      assert.equal(t.status, 201, JSON.stringify(t.json));
      assert.equal(t.json.waves.length, 1);
      const w = t.json.waves[0];
      const heldAfter = async () =>
        (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM allocations WHERE kind = 'spectrum' AND transfer_id = $1 AND upper(during) > $2::timestamptz`, [t.json.id, at(1)])).rows[0].n;
      assert.ok((await heldAfter()) > 0, 'the wave holds spectrum in the coming slots');
      const cut = await h.call<Json>('POST', '/v1/failures', 'op', { spans: [w.spans[0]], note: 'backhoe' });
      assert.equal(cut.status, 201, JSON.stringify(cut.json));
      let v: (TransferView & { waves: { lit: unknown[] }[] }) | undefined;
      for (let i = 0; i < 600; i++) {
        v = (await h.call<TransferView & { waves: { lit: unknown[] }[] }>('GET', `/v1/transfers/${t.json.id}`, 'alice')).json;
        if (v.waves[0].lit.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(v && v.waves[0].lit.length === 0, 'the transfer shows its wave dark');
      assert.equal(Math.floor(Date.now() / SLOT_MS), slot0, 'the test ran within one slot');
      assert.equal(await heldAfter(), 0, 'no spectrum held for the wave after the running slot');
      for (const e of v.schedule) for (const p of e.paths) assert.notEqual(p.path, w.path, `${e.start}: nothing on the dark wave`);
      // 250 TB no longer fits by the deadline on trunks alone (180 TB at most): late, with an at-risk event.
      assert.equal(v.state, 'late');
      const risk = await listEvents(h.db, { after: 0, limit: 100, types: ['transfer.at-risk'] });
      assert.deepEqual(risk.map((e) => e.subject.id), [t.json.id]);
      await checkInvariants(h.db);
    });
  });
}
