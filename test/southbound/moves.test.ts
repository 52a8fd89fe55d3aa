/**
 * Moves converged in one batch where one move's new channel sits where another move's old channel
 * still is when the batch adds its new entries (restoration's extra pass plans on the spectrum the
 * first pass frees): the device would refuse the overlap in the add step, so that move goes after the
 * batch's removals (deferred by the designs; a move refused anyway is tried once more after them).
 * The oracle is the devices' running configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fleet } from '../../src/devices/emulator/fleet.js';
import type { CircuitDesign } from '../../src/services/ordering/design.js';
import { NetconfClient } from '../../src/southbound/netconf/client.js';
import { child, childText, children } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';
import { alice, operator } from '../ordering/support.js';
import { netconfSuite, PASSWORD, until, USER } from './support.js';

/** The NMC frequencies (MHz, so they compare exactly) a site's device runs for a circuit. */
async function nmcFrequencies(fleet: Fleet, siteId: string, circuitId: string): Promise<number[]> {
  const d = fleet.device(siteId)!;
  const c = await NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD });
  try {
    const dev = (await c.getConfig('running')).find((e) => e.name === 'org-openroadm-device')!;
    const mine = children(dev, 'interface').filter((i) => childText(i, 'circuit-id') === circuitId && child(i, 'nmc-ctp', NS.nmc));
    return [...new Set(mine.map((i) => Math.round(Number(childText(child(i, 'nmc-ctp', NS.nmc)!, 'frequency')) * 1e6)))].sort();
  } finally {
    await c.close();
  }
}

netconfSuite('a batch of moves where one takes the spectrum another frees', (get) => {
  test('the move onto the other\'s old channel goes after the removals; both end on the devices', async () => {
    const { services, fleet, db } = get();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { order } = await services.ordering.placeOrder(alice, { product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'restorable', maxLatencyUs: 1000 });
      await until('active', async () => (await services.ordering.getService(operator, order.serviceId)).state === 'active');
      ids.push(order.serviceId);
    }
    const designOf = async (id: string) => (await services.ordering.getService(operator, id)).design as CircuitDesign;
    const seg = (d: CircuitDesign) => d.paths[0].wave!.segments[0];
    const byFrequency = await Promise.all(ids.map(async (id) => ({ id, d: await designOf(id) })));
    byFrequency.sort((x, y) => seg(x.d).centerFrequencyGhz - seg(y.d).centerFrequencyGhz);
    for (const { d } of byFrequency) assert.deepEqual(d.paths[0].spanIds, ['a-c'], 'all on the direct span');
    // The middle one goes, so that B (the highest) can move next to A (the lowest) without touching its own old channel.
    const [a, middle, b] = byFrequency;
    await services.ordering.disconnectService(alice, middle.id);
    await until('terminated', async () => (await services.ordering.getService(operator, middle.id)).state === 'terminated');
    const oldA = seg(a.d).centerFrequencyGhz;
    const moved = (d: CircuitDesign, centreGhz: number): CircuitDesign => {
      const s = seg(d);
      return { ...d, paths: [{ ...d.paths[0], wave: { ...d.paths[0].wave!, segments: [{ ...s, startSlot: s.startSlot + (centreGhz - s.centerFrequencyGhz) / 12.5, centerFrequencyGhz: centreGhz }] } }] };
    };
    // A moves 250 GHz up (free spectrum); B moves 25 GHz above A's old channel: half of it over A's old one.
    const moves = [
      { id: a.id, design: moved(a.d, oldA + 250) },
      { id: b.id, design: moved(b.d, oldA + 25) },
    ];
    for (const m of moves) await db.query('UPDATE services SET design = $2 WHERE id = $1', [m.id, JSON.stringify(m.design)]);
    const outcomes = await services.netconf!.driver.reconcileMany(moves.map((m) => ({ serviceId: m.id, finish: async () => {} })));
    assert.deepEqual(outcomes, [undefined, undefined]);
    const mhz = (ghz: number) => Math.round(ghz * 1e3);
    for (const site of ['a', 'c']) {
      assert.deepEqual(await nmcFrequencies(fleet, site, a.id), [mhz(oldA + 250)], `${site}: A on its new channel only`);
      assert.deepEqual(await nmcFrequencies(fleet, site, b.id), [mhz(oldA + 25)], `${site}: B on its new channel only`);
    }
    assert.ok((await services.devices.audit()).clean);
  });
});
