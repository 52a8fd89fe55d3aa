/**
 * The NETCONF driver in the control plane, against emulated OpenROADM devices over real SSH on
 * loopback (configurations validated with yanglint against the 18.0 models): an order configures
 * every ROADM of its path and only those, and the transponder at its end; the audit is clean; the
 * devices' loss-of-signal alarms at both ends of a span become a failure with source `device` within
 * 2 s, restoration moves the wave and the devices follow; clearing the alarms repairs it and the wave
 * reverts; a design that transits an on-ramp is refused with the reason and leaves nothing behind;
 * a disconnect removes everything; an unreachable device is an event, not a failure, and when it comes
 * back the alarm monitor has subscribed again on its own.
 *
 * The oracle for "what should be on the devices" is computed here from the service's design alone
 * (its path's sites and the centre frequency of its segment), not from the driver's mapping.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { NetconfServer } from '../../src/devices/emulator/server.js';
import { stopServices, type Services } from '../../src/services/index.js';
import { child, childText, children, type XElement } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';
import { NetconfClient } from '../../src/southbound/netconf/client.js';
import type { CircuitDesign } from '../../src/services/ordering/design.js';
import { alice, loadTinyNetwork, operator } from '../ordering/support.js';
import { netconfSetup, PASSWORD, until, USER } from './support.js';
import { createMetrics } from '../../src/api/metrics.js';
import { listEvents } from '../../src/store/events.js';

/** Per site: the cross-connects and interfaces the device runs for a circuit (by circuit-id). */
async function onDevices(fleet: Fleet, circuitId: string): Promise<Map<string, { connections: XElement[]; interfaces: XElement[] }>> {
  const out = new Map<string, { connections: XElement[]; interfaces: XElement[] }>();
  for (const d of fleet.devices) {
    const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
    try {
      const data = await c.getConfig('running');
      const dev = data.find((e) => e.name === 'org-openroadm-device');
      const mine = (e: XElement) => childText(e, 'circuit-id') === circuitId;
      const connections = dev ? children(dev, 'roadm-connections').filter(mine) : [];
      const interfaces = dev ? children(dev, 'interface').filter(mine) : [];
      if (connections.length + interfaces.length) out.set(d.siteId, { connections, interfaces });
    } finally {
      await c.close();
    }
  }
  return out;
}

/** The oracle: a wave's ROADMs carry two cross-connects each at the segment's centre; its transponder end a line at that frequency. */
function assertCarries(design: CircuitDesign, found: Map<string, { connections: XElement[]; interfaces: XElement[] }>, kinds: Map<string, string>): void {
  const p = design.paths[0];
  const thz = p.wave!.segments[0].centerFrequencyGhz / 1000;
  const roadms = p.siteIds.filter((s) => kinds.get(s) === 'roadm');
  const xpdrs = p.siteIds.filter((s) => kinds.get(s) === 'xpdr');
  assert.deepEqual([...found.keys()].sort(), [...roadms, ...xpdrs].sort(), 'configuration on every device of the path and only those');
  for (const s of roadms) {
    const f = found.get(s)!;
    assert.equal(f.connections.length, 2, `${s}: one cross-connect per direction`);
    const nmcs = f.interfaces.filter((i) => child(i, 'nmc-ctp', NS.nmc));
    assert.ok(nmcs.length >= 2, `${s}: NMCs`);
    for (const n of nmcs) assert.ok(Math.abs(Number(childText(child(n, 'nmc-ctp', NS.nmc)!, 'frequency')) - thz) < 1e-9, `${s}: NMC at ${thz} THz`);
  }
  for (const s of xpdrs) {
    // 200G and up: an OTSi on the network port; 100G: an OCH.
    const line = found.get(s)!.interfaces.map((i) => child(i, 'otsi', NS.otsi) ?? child(i, 'och', NS.och)).filter((x) => x);
    assert.equal(line.length, 1, `${s}: one transponder line`);
    assert.equal(line[0]!.name, p.wave!.lineRateGbps >= 200 ? 'otsi' : 'och', `${s}: line kind for ${p.wave!.lineRateGbps}G`);
    assert.ok(Math.abs(Number(childText(line[0]!, 'frequency')) - thz) < 1e-9, `${s}: line at ${thz} THz`);
  }
}

for (const driver of testDrivers()) {
  describe(`NETCONF driver end to end (${driver.name})`, () => {
    let db: Db;
    let fleet: Fleet;
    let services: Services;
    let kinds: Map<string, string>;
    before(async () => {
      db = await driver.open();
      ({ fleet, services } = await netconfSetup(db, loadTinyNetwork));
      kinds = new Map(fleet.devices.map((d) => [d.siteId, d.kind]));
    });
    after(async () => {
      await stopServices(services);
      await fleet.stop();
      await db.close();
    });

    const service = (id: string) => services.ordering.getService(operator, id);
    const designOf = async (id: string) => (await service(id)).design as CircuitDesign;

    /** The ports at a service's two ends (site, port), from the store. */
    const customerPorts = async (serviceId: string) => {
      const d = await designOf(serviceId);
      const ends = [d.paths[0].siteIds[0], d.paths[0].siteIds.at(-1)!];
      const r = await db.query<{ site_id: string; port: string }>(`SELECT DISTINCT site_id, port FROM device_ports WHERE service_id = $1 AND site_id = ANY($2) AND use IN ('0:x', '0:a0') ORDER BY site_id`, [serviceId, ends]);
      assert.equal(r.rows.length, 2, 'one port at each end');
      return r.rows;
    };

    let waveId = '';
    let firstDesign: CircuitDesign;

    test('an order configures every ROADM of its path (and only those) and the transponder, then is active; the audit is clean', async () => {
      const listed = await services.devices.list();
      assert.equal(listed.length, fleet.devices.length);
      assert.deepEqual(listed.map((d) => d.siteId).sort(), fleet.devices.map((d) => d.siteId).sort());
      const { order } = await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'cloud', bandwidthGbps: 400, protection: 'restorable' });
      waveId = order.serviceId;
      await until('active', async () => (await service(waveId)).state === 'active');
      firstDesign = await designOf(waveId);
      assertCarries(firstDesign, await onDevices(fleet, waveId), kinds);
      const audit = await services.devices.audit();
      assert.ok(audit.clean, JSON.stringify(audit.services) + JSON.stringify(audit.devices.filter((d) => d.missing.length + d.extra.length + d.different.length)));
    });

    test('loss of signal at both ends of a span: a device failure within 2 s, restoration, the devices follow; clearing repairs and reverts', async () => {
      const cutSpan = firstDesign.paths[0].spanIds.find((s) => s !== 'c-cloud' && s !== 'd-cloud')!;
      const endsBefore = await customerPorts(waveId);
      const t0 = Date.now();
      fleet.cut(cutSpan);
      const failure = await until('device failure', async () => (await services.resilience.listFailures({ open: true })).items.find((f) => f.spans.includes(cutSpan)));
      assert.ok(Date.now() - t0 < 2000, `recorded in ${Date.now() - t0} ms`);
      assert.equal(failure.source, 'device');
      const moved = await until('rerouted', async () => {
        const d = await designOf(waveId);
        return !d.paths[0].spanIds.includes(cutSpan) && d;
      });
      await until('devices follow the new path', async () => {
        const a = await services.devices.audit();
        return a.clean && a;
      });
      assertCarries(moved, await onDevices(fleet, waveId), kinds);
      assert.deepEqual(await customerPorts(waveId), endsBefore, 'the customer keeps its transponder and add/drop port (retuned in place)');

      fleet.repair(cutSpan);
      await until('repaired', async () => (await services.resilience.getFailure(failure.id)).repairedAt !== null);
      await until('reverted', async () => (await designOf(waveId)).paths[0].spanIds.join() === firstDesign.paths[0].spanIds.join());
      await until('devices back on the original path', async () => (await services.devices.audit()).clean);
      assertCarries(await designOf(waveId), await onDevices(fleet, waveId), kinds);
    });

    test('a cut that moves several services: each device gets one commit for the new entries and one for the old ones\' removal', async () => {
      const orders = [];
      for (let i = 0; i < 3; i++) orders.push((await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'restorable' })).order);
      const ids = orders.map((o) => o.serviceId);
      await until('active', async () => (await Promise.all(ids.map(service))).every((s) => s.state === 'active'));
      const cutSpan = (await designOf(ids[0])).paths[0].spanIds[0];
      const live = [...ids, waveId];
      const before = new Map(await Promise.all(live.map(async (id) => [id, await designOf(id)] as const)));
      const commits0 = services.netconf!.driver.stats().commits;
      const cut = await services.resilience.cut(operator, { spans: [cutSpan] });
      await until('moved and configured', async () => (await Promise.all(ids.map(designOf))).every((d) => !d.paths[0].spanIds.includes(cutSpan)) && (await services.devices.audit()).clean);
      const touched = new Set<string>();
      for (const id of live) {
        const now = await designOf(id);
        const was = before.get(id)!;
        if (now.paths[0].spanIds.join() === was.paths[0].spanIds.join()) continue;
        for (const s of [...now.paths[0].siteIds, ...was.paths[0].siteIds]) touched.add(s);
      }
      assert.ok(touched.size > 0);
      const commits = services.netconf!.driver.stats().commits - commits0;
      // Moved one by one, the ends a and c alone took a commit per service and phase; together, two at most per device (audit reads commit nothing).
      assert.ok(commits <= 2 * touched.size, `${commits} commits on ${touched.size} devices (${[...touched].join(' ')})`);
      for (const id of ids) assertCarries(await designOf(id), await onDevices(fleet, id), kinds);

      await services.resilience.repair(operator, cut.failure.id);
      for (const id of ids) await services.ordering.disconnectService(alice, id);
      await until('terminated, and the rest back on its path', async () => (await Promise.all(ids.map(service))).every((s) => s.state === 'terminated') && (await services.devices.audit()).clean);
    });

    test('a design that transits a cloud on-ramp fails the order with the reason and leaves nothing on the devices', async () => {
      // With c-d down, the shortest c-d path runs through the on-ramp, which has transponders and no ROADM.
      // On-ramps are endpoints only by default, so no such design is planned: an operator allowing
      // transit there (a site's transit policy) is how one reaches the driver.
      await services.inventory.updateSite(operator, 'cloud', { transit: true });
      const cut = await services.resilience.cut(operator, { spans: ['c-d'] });
      const { order } = await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'c', zSite: 'd', bandwidthGbps: 100, protection: 'unprotected' });
      const done = await until('order settled', async () => {
        const o = await services.ordering.getOrder(operator, order.id);
        return o.state !== 'acknowledged' && o.state !== 'inProgress' && o;
      });
      const design = (await db.query<{ design: { design: CircuitDesign } }>('SELECT design FROM orders WHERE id = $1', [order.id])).rows[0].design.design;
      assert.ok(design.paths[0].siteIds.includes('cloud'), `the planner routed c-d via the on-ramp: ${design.paths[0].siteIds.join(' ')}`);
      {
        assert.equal(done.state, 'failed');
        assert.match(JSON.stringify(done), /transponder site cloud|passes through/);
        assert.equal((await onDevices(fleet, order.serviceId)).size, 0, 'nothing left on the devices');
        assert.equal((await db.query('SELECT 1 FROM device_configs WHERE service_id = $1', [order.serviceId])).rows.length, 0);
      }
      await services.resilience.repair(operator, cut.failure.id);
      await services.inventory.updateSite(operator, 'cloud', { transit: false });
      assert.ok((await services.devices.audit()).clean);
    });

    test('a modify is make-before-break: the new design is configured under the modify order, the old entries go', async () => {
      const endsBefore = await customerPorts(waveId);
      const modify = await services.ordering.modifyService(alice, waveId, { bandwidthGbps: 100 });
      await until('modify completed', async () => (await services.ordering.getOrder(operator, modify.id)).state === 'completed');
      const d = await designOf(waveId);
      assert.equal(d.paths[0].wave!.lineRateGbps, 100);
      const found = await onDevices(fleet, waveId);
      assertCarries(d, found, kinds);
      for (const [site, f] of found) for (const c of f.connections) assert.ok(childText(c, 'connection-name')!.startsWith(`${modify.id}:`), `${site}: only the modify's cross-connects remain`);
      assert.deepEqual((await db.query<{ txn_id: string }>('SELECT txn_id FROM device_configs WHERE service_id = $1', [waveId])).rows.map((r) => r.txn_id), [modify.id]);
      assert.deepEqual(await customerPorts(waveId), endsBefore, 'the customer keeps its transponder and add/drop port');
      assert.ok((await services.devices.audit()).clean);
    });

    test('a device that refuses fails the order, and the devices configured before it are undone', async () => {
      // Occupy, behind the driver's back, the add/drop port the store will give the next wave at a.
      const held = new Set((await db.query<{ port: string }>(`SELECT port FROM device_ports WHERE site_id = 'a'`)).rows.map((r) => r.port));
      const free = ['SRG1-PP1-TXRX', 'SRG1-PP2-TXRX', 'SRG1-PP3-TXRX', 'SRG1-PP4-TXRX'].find((p) => !held.has(`SRG1-WSS/${p}`))!;
      const dev = fleet.device('a')!;
      const c = await NetconfClient.connect({ host: dev.host, port: dev.port, username: USER, password: PASSWORD });
      const foreign = `<org-openroadm-device xmlns="${NS.device}"><interface><name>foreign-nmc</name><type xmlns:x="http://org/openroadm/interfaces">x:networkMediaChannelConnectionTerminationPoint</type><administrative-state>inService</administrative-state><circuit-id>foreign</circuit-id><supporting-circuit-pack-name>SRG1-WSS</supporting-circuit-pack-name><supporting-port>${free}</supporting-port><nmc-ctp xmlns="${NS.nmc}"><frequency>196.0</frequency><width>50</width></nmc-ctp></interface></org-openroadm-device>`;
      await c.editConfig('candidate', foreign);
      await c.commit();
      try {
        const { order } = await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'cloud', bandwidthGbps: 400, protection: 'unprotected' });
        const done = await until('order settled', async () => {
          const o = await services.ordering.getOrder(operator, order.id);
          return o.state !== 'acknowledged' && o.state !== 'inProgress' && o;
        });
        assert.equal(done.state, 'failed');
        assert.match(JSON.stringify(done), /ROADM-a/, 'the reason names the device');
        assert.equal((await onDevices(fleet, order.serviceId)).size, 0, 'every device is back as it was');
        assert.equal((await db.query('SELECT 1 FROM device_ports WHERE service_id = $1', [order.serviceId])).rows.length, 0, 'ports released');
        assert.equal((await db.query(`SELECT 1 FROM allocations WHERE service_id = $1 AND upper_inf(during)`, [order.serviceId])).rows.length, 0, 'capacity released');
      } finally {
        await c.editConfig('candidate', `<org-openroadm-device xmlns="${NS.device}" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interface nc:operation="delete"><name>foreign-nmc</name></interface></org-openroadm-device>`);
        await c.commit();
        await c.close();
      }
    });

    test('a disconnect removes the configuration from every device', async () => {
      await services.ordering.disconnectService(alice, waveId);
      await until('terminated', async () => (await service(waveId)).state === 'terminated');
      assert.equal((await onDevices(fleet, waveId)).size, 0);
      assert.equal((await db.query('SELECT 1 FROM device_configs WHERE service_id = $1', [waveId])).rows.length, 0);
      assert.equal((await db.query('SELECT 1 FROM device_ports WHERE service_id = $1', [waveId])).rows.length, 0);
    });

    test('an unreachable device is an event and shows in the device list, not a failure', async () => {
      const d = fleet.devices.find((x) => x.kind === 'roadm')!;
      const failuresBefore = (await services.resilience.listFailures({ open: true })).items.length;
      await d.server.close();
      await until('unreachable', async () => (await services.devices.list()).find((x) => x.siteId === d.siteId)?.reachable === false);
      await until('event', async () => (await listEvents(db, { after: 0, limit: 10_000, types: ['device.unreachable'] })).some((e) => e.subject.id === d.siteId));
      assert.equal((await services.resilience.listFailures({ open: true })).items.length, failuresBefore);
      const scrape = await createMetrics(async () => ({ sites: 0, spans: 0, srlgs: 0 }), () => services.devices.list()).registry.metrics();
      assert.match(scrape, /lightpath_devices\{reachability="unreachable"\} 1\n/);
      assert.match(scrape, new RegExp(`lightpath_devices\\{reachability="reachable"\\} ${fleet.devices.length - 1}\\n`));

      // The device comes back on its address: the monitor reconnects on its own, subscribes again, and
      // a cut at that device is a failure once more.
      const back = new NetconfServer(d.device, { host: d.host, port: d.port, username: USER, password: PASSWORD });
      await back.listen();
      try {
        await until('reachable again', async () => (await services.devices.list()).find((x) => x.siteId === d.siteId)?.reachable === true);
        await until('event', async () => (await listEvents(db, { after: 0, limit: 10_000, types: ['device.reachable'] })).some((e) => e.subject.id === d.siteId));
        const spanId = ['a-b', 'b-c', 'c-d', 'd-a', 'a-c'].find((s) => s.split('-').includes(d.siteId))!;
        fleet.cut(spanId);
        const f = await until('a device failure after the reconnection', async () => (await services.resilience.listFailures({ open: true })).items.find((x) => x.spans.includes(spanId)));
        assert.equal(f.source, 'device');
        fleet.repair(spanId);
        await until('repaired', async () => (await services.resilience.getFailure(f.id)).repairedAt !== null);
      } finally {
        await back.close();
      }
    });
  });
}
