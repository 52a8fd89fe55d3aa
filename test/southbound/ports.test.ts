/**
 * Orders and quotes count the add/drop ports the NETCONF driver knows: with every add/drop port of one
 * ROADM held (or promised to orders not activated yet), a wave ending there is refused up front with
 * capacity-exhausted naming the site, never accepted and then failed on activation. The oracle is the
 * device itself: its running configuration says which add/drop ports carry a channel, and its
 * equipment how many there are (2 SRGs of 4 ports, see netconfSetup).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LightpathError } from '../../src/domain/errors.js';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { NetconfClient } from '../../src/southbound/netconf/client.js';
import { children, childText } from '../../src/southbound/netconf/xml.js';
import { alice, operator } from '../ordering/support.js';
import { netconfSuite, PASSWORD, until, USER } from './support.js';

/** From the device's running configuration: its add/drop ports, and those an interface uses. */
async function addDropPorts(fleet: Fleet, siteId: string): Promise<{ all: Set<string>; used: Set<string> }> {
  const d = fleet.device(siteId)!;
  const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
  try {
    const dev = (await c.getConfig('running')).find((e) => e.name === 'org-openroadm-device')!;
    const all = new Set<string>();
    for (const pack of children(dev, 'circuit-packs')) {
      const name = childText(pack, 'circuit-pack-name') ?? '';
      if (!/^SRG\d+-WSS$/.test(name)) continue;
      for (const p of children(pack, 'ports')) if (/-PP\d+-TXRX$/.test(childText(p, 'port-name') ?? '')) all.add(`${name}/${childText(p, 'port-name')}`);
    }
    const used = new Set(children(dev, 'interface').map((i) => `${childText(i, 'supporting-circuit-pack-name')}/${childText(i, 'supporting-port')}`).filter((k) => all.has(k)));
    return { all, used };
  } finally {
    await c.close();
  }
}

netconfSuite('orders count add/drop ports where the NETCONF driver knows them', (get) => {
  const settled = (orderId: string) =>
    until(`order ${orderId} settled`, async () => {
      const o = await get().services.ordering.getOrder(operator, orderId);
      return o.state !== 'acknowledged' && o.state !== 'inProgress' && o;
    });
  const refusedAt = (site: string) => (err: unknown) => err instanceof LightpathError && err.code === 'capacity-exhausted' && err.message.includes(`no free add/drop port at ${site}`);

  let first = '';

  test('orders placed at once take at most the ROADM\'s add/drop ports; the rest are refused naming the site, and every accepted one activates', async () => {
    const { all, used } = await addDropPorts(get().fleet, 'a');
    assert.equal(used.size, 0);
    const wave = (z: string) => ({ product: 'wave', aSite: 'a', zSite: z, bandwidthGbps: 100, protection: 'unprotected' });
    // 11 waves from a, placed concurrently before any activates: only all.size can have a port at a.
    const outcomes = await Promise.allSettled(['b', 'c', 'd', 'b', 'c', 'd', 'b', 'c', 'd', 'b', 'c'].map((z) => get().services.ordering.placeOrder(alice, wave(z))));
    const accepted = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.order);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
    assert.equal(accepted.length, all.size, 'as many accepted as the device has add/drop ports');
    for (const err of refused) assert.ok(refusedAt('a')(err), String(err));
    for (const o of accepted) assert.equal((await settled(o.id)).state, 'completed', `order ${o.id} activated`);
    assert.deepEqual([...(await addDropPorts(get().fleet, 'a')).used].sort(), [...all].sort(), 'the device carries a channel on every add/drop port');
    first = accepted[0].serviceId;
  });

  test('with every port at a held, a quote offers nothing ending at a and an order is refused naming a; elsewhere orders go on', async () => {
    const q = await get().services.ordering.quote(alice, { product: 'wave', aSite: 'd', zSite: 'a', bandwidthGbps: 100, protection: 'unprotected' });
    assert.equal(q.options.length, 0);
    await assert.rejects(get().services.ordering.placeOrder(alice, { product: 'wave', aSite: 'd', zSite: 'a', bandwidthGbps: 100, protection: 'unprotected' }), refusedAt('a'));
    const { order } = await get().services.ordering.placeOrder(alice, { product: 'wave', aSite: 'b', zSite: 'd', bandwidthGbps: 100, protection: 'unprotected' });
    assert.equal((await settled(order.id)).state, 'completed');
  });

  test('a disconnect frees its port at a for the next order', async () => {
    await get().services.ordering.disconnectService(alice, first);
    await until('terminated', async () => (await get().services.ordering.getService(operator, first)).state === 'terminated');
    assert.equal((await addDropPorts(get().fleet, 'a')).used.size, (await addDropPorts(get().fleet, 'a')).all.size - 1);
    const { order } = await get().services.ordering.placeOrder(alice, { product: 'wave', aSite: 'd', zSite: 'a', bandwidthGbps: 100, protection: 'unprotected' });
    assert.equal((await settled(order.id)).state, 'completed');
  });
});
