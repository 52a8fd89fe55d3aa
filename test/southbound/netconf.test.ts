/**
 * The NETCONF client against the emulated devices over real SSH on loopback: locks, candidate
 * edits and commit, read-back, delete, rpc-errors of RFC 6241 Appendix A, notifications of an
 * injected loss of signal, odd chunk sizes both ways, end-of-message framing, kill-session.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from '../../src/devices/emulator/fleet.js';
import { NetconfClient, NetconfSessionClosedError, NetconfTimeoutError } from '../../src/southbound/netconf/client.js';
import { NetconfRpcError } from '../../src/southbound/netconf/protocol.js';
import { child, childText, children, serializeXml, type XElement } from '../../src/southbound/netconf/xml.js';
import { NetconfActivator } from '../../src/southbound/activator.js';
import { NS } from '../../src/southbound/openroadm/model.js';
import { PASSWORD, USER, YANG_DIR, smallNetwork, wave } from './support.js';

let fleet: Fleet;
before(async () => {
  // Servers send 7-octet chunks: every reply crosses many chunk boundaries.
  fleet = await Fleet.start(smallNetwork(), { username: USER, password: PASSWORD, yangDir: YANG_DIR, maxChunkBytes: 7, xpondersPerShelf: 4, portsPerSrg: 4 });
});
after(() => fleet.stop());

function connect(siteId: string, extra: Partial<Parameters<typeof NetconfClient.connect>[0]> = {}): Promise<NetconfClient> {
  const d = fleet.device(siteId)!;
  return NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: PASSWORD, maxChunkBytes: 5, ...extra });
}

const DEV = `xmlns="${NS.device}"`;
const connections = (data: XElement[]) => children(data.find((e) => e.name === 'org-openroadm-device') ?? data[0] ?? { ns: '', name: '', attrs: [], children: [], text: null }, 'roadm-connections');

test('hello: base 1.1, candidate, notifications and the OpenROADM modules; bad credentials are refused', async () => {
  const c = await connect('aaa-pop');
  assert.ok(c.sessionId > 0);
  for (const cap of ['urn:ietf:params:netconf:base:1.1', 'urn:ietf:params:netconf:capability:candidate:1.0', 'urn:ietf:params:netconf:capability:notification:1.0', 'http://org/openroadm/device']) assert.ok(c.hasCapability(cap), cap);
  await c.close();
  const d = fleet.device('aaa-pop')!;
  await assert.rejects(NetconfClient.connect({ host: d.host, port: d.port, username: USER, password: 'wrong' }), NetconfSessionClosedError);
});

test('lock, edit candidate, commit, read back, delete, unlock; a second session meets lock-denied and in-use', async () => {
  const a = await connect('bbb-pop');
  const b = await connect('bbb-pop', { base10Only: true });
  await a.lock('candidate');
  const denied = await b.lock('candidate').then(() => null, (e: unknown) => e);
  assert.ok(denied instanceof NetconfRpcError);
  assert.equal(denied.tag, 'lock-denied');
  assert.deepEqual(denied.errors[0].info?.find((i) => i.name === 'session-id')?.value, String(a.sessionId), 'lock-denied names the holder');
  const inUse = await b.editConfig('candidate', `<org-openroadm-device ${DEV}><info><clli>x</clli></info></org-openroadm-device>`).then(() => null, (e: unknown) => e);
  assert.ok(inUse instanceof NetconfRpcError && inUse.tag === 'in-use');
  // Two NMCs on the degrees towards aaa-pop and ccc-pop, and a connection between them.
  const nmc = (deg: number, name: string) =>
    `<interface><name>${name}</name><type xmlns:x="http://org/openroadm/interfaces">x:networkMediaChannelConnectionTerminationPoint</type><administrative-state>inService</administrative-state><supporting-circuit-pack-name>DEG${deg}-AMP</supporting-circuit-pack-name><supporting-port>DEG${deg}-TTP-TXRX</supporting-port><nmc-ctp xmlns="${NS.nmc}"><frequency>193.1</frequency><width>50</width></nmc-ctp></interface>`;
  await a.editConfig('candidate', `<org-openroadm-device ${DEV}>${nmc(1, 'N1')}${nmc(3, 'N3')}<roadm-connections><connection-name>t1</connection-name><source><src-if>N1</src-if></source><destination><dst-if>N3</dst-if></destination></roadm-connections></org-openroadm-device>`);
  assert.equal(connections(await a.getConfig('running', `<org-openroadm-device ${DEV}><roadm-connections/></org-openroadm-device>`)).length, 0, 'not running before commit');
  await a.commit();
  const read = await b.getConfig('running', `<org-openroadm-device ${DEV}><roadm-connections><connection-name>t1</connection-name></roadm-connections></org-openroadm-device>`);
  assert.equal(childText(child(connections(read)[0], 'destination')!, 'dst-if'), 'N3');
  await a.editConfig('candidate', `<org-openroadm-device ${DEV} xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><roadm-connections nc:operation="delete"><connection-name>t1</connection-name></roadm-connections><interface nc:operation="delete"><name>N1</name></interface><interface nc:operation="delete"><name>N3</name></interface></org-openroadm-device>`);
  await a.commit();
  await a.unlock('candidate');
  assert.equal(connections(await b.getConfig('running')).length, 0);
  const notHeld = await b.unlock('candidate').then(() => null, (e: unknown) => e);
  assert.ok(notHeld instanceof NetconfRpcError && notHeld.tag === 'operation-failed');
  await a.close();
  await b.close();
});

test('invalid configuration: commit refused with a YANG error path; rollback-on-error keeps running; running edits are validated', async () => {
  const c = await connect('ccc-pop');
  await c.editConfig('candidate', `<org-openroadm-device ${DEV}><roadm-connections><connection-name>bad</connection-name><source><src-if>no-such-interface</src-if></source><destination><dst-if>nor-this</dst-if></destination></roadm-connections></org-openroadm-device>`);
  const err = await c.commit().then(() => null, (e: unknown) => e);
  assert.ok(err instanceof NetconfRpcError);
  assert.equal(err.errors[0].tag, 'data-missing');
  assert.equal(err.errors[0].appTag, 'instance-required');
  assert.match(err.errors[0].path!, /roadm-connections\[connection-name='bad'\]/);
  await c.discardChanges();
  const bad = await c.editConfig('running', `<org-openroadm-device ${DEV}><info><node-type>banana</node-type></info></org-openroadm-device>`, { errorOption: 'rollback-on-error' }).then(() => null, (e: unknown) => e);
  assert.ok(bad instanceof NetconfRpcError && bad.tag === 'invalid-value');
  assert.equal(childText(child((await c.getConfig('running', `<org-openroadm-device ${DEV}><info/></org-openroadm-device>`))[0], 'info')!, 'node-type'), 'rdm');
  const unknown = await c.rpc('<frobnicate xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>').then(() => null, (e: unknown) => e);
  assert.ok(unknown instanceof NetconfRpcError && unknown.tag === 'operation-not-supported');
  const xpath = await c.rpc('<get xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><filter type="xpath" select="/"/></get>').then(() => null, (e: unknown) => e);
  assert.ok(xpath instanceof NetconfRpcError && xpath.tag === 'bad-attribute');
  await c.close();
});

test('editAndCommit (lock, then edit, commit, discard, unlock and read-back pipelined): a refused commit or edit leaves running, the candidate and the lock as they were; a good one is read back', async () => {
  const c = await connect('ccc-pop');
  const other = await connect('ccc-pop');
  const managed = `<org-openroadm-device ${DEV}><interface/><roadm-connections/></org-openroadm-device>`;
  const runningBefore = serializeXml((await c.getConfig('running'))[0]);
  const nmc = (deg: number, name: string, freq = '193.1') =>
    `<interface><name>${name}</name><type xmlns:x="http://org/openroadm/interfaces">x:networkMediaChannelConnectionTerminationPoint</type><administrative-state>inService</administrative-state><supporting-circuit-pack-name>DEG${deg}-AMP</supporting-circuit-pack-name><supporting-port>DEG${deg}-TTP-TXRX</supporting-port><nmc-ctp xmlns="${NS.nmc}"><frequency>${freq}</frequency><width>50</width></nmc-ctp></interface>`;
  for (const pipeline of [true, false]) {
    // The commit is refused (a connection to interfaces that do not exist): the error is the commit's.
    const refused = await c.editAndCommit(`<org-openroadm-device ${DEV}><roadm-connections><connection-name>bad</connection-name><source><src-if>no-such</src-if></source><destination><dst-if>nor-this</dst-if></destination></roadm-connections></org-openroadm-device>`, { readBack: managed, pipeline }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof NetconfRpcError && refused.errors[0].tag === 'data-missing', String(refused));
    // The edit is refused (delete of what is not there): the error is the edit's; the commit after it changed nothing.
    const badEdit = await c.editAndCommit(`<org-openroadm-device ${DEV} xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interface nc:operation="delete"><name>nothing-here</name></interface></org-openroadm-device>`, { pipeline }).then(() => null, (e: unknown) => e);
    assert.ok(badEdit instanceof NetconfRpcError && badEdit.errors[0].tag === 'data-missing', String(badEdit));
    assert.equal(serializeXml((await c.getConfig('running'))[0]), runningBefore, 'running unchanged');
    assert.equal(serializeXml((await c.getConfig('candidate'))[0]), runningBefore, 'candidate discarded');
    // The lock was released: another session can take it.
    await other.lock('candidate');
    await other.unlock('candidate');
  }
  const read = await c.editAndCommit(`<org-openroadm-device ${DEV}>${nmc(1, 'P1')}${nmc(3, 'P3')}<roadm-connections><connection-name>p1</connection-name><source><src-if>P1</src-if></source><destination><dst-if>P3</dst-if></destination></roadm-connections></org-openroadm-device>`, { readBack: managed });
  assert.deepEqual(connections(read!).map((x) => childText(x, 'connection-name')), ['p1'], 'the read-back is the running configuration after the commit');
  await other.lock('candidate');
  await other.unlock('candidate');
  await c.editAndCommit(`<org-openroadm-device ${DEV} xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><roadm-connections nc:operation="delete"><connection-name>p1</connection-name></roadm-connections><interface nc:operation="delete"><name>P1</name></interface><interface nc:operation="delete"><name>P3</name></interface></org-openroadm-device>`);
  assert.equal(serializeXml((await c.getConfig('running'))[0]), runningBefore);
  await c.close();
  await other.close();
});

test('editAndCommit whose rpcs time out ends the session, so a lock granted after the client gave up is not held by a live session', async () => {
  const slow = await connect('aaa-pop', { rpcTimeoutMs: 1 });
  const other = await connect('aaa-pop');
  const err = await slow.editAndCommit(`<org-openroadm-device ${DEV}><info><clli>aaa-pop</clli></info></org-openroadm-device>`).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof NetconfTimeoutError, String(err));
  assert.equal(slow.isOpen, false, 'the session is ended');
  // The device releases what the ended session held: another session gets the lock.
  let locked = false;
  for (let i = 0; i < 100 && !locked; i++) {
    locked = await other.lock('candidate').then(() => true, () => false);
    if (!locked) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(locked, 'the candidate lock is free again');
  await other.unlock('candidate');
  await other.close();
});

test('a fiber cut raises loss of signal on both ends and notifies subscribers; the repair clears it', async () => {
  const a = await connect('aaa-pop');
  const b = await connect('bbb-pop');
  await a.createSubscription();
  await b.createSubscription({ filter: `<alarm-notification xmlns="${NS.alarm}"/>` });
  const notes = (c: NetconfClient) => c.notifications();
  const ia = notes(a);
  const ib = notes(b);
  const r = fleet.cut('aaa-bbb');
  assert.equal(r.ports.length, 4, 'two fiber pairs, two ends');
  const first = (await ia.next()).value as XElement;
  const alarm = child(first, 'alarm-notification', NS.alarm)!;
  assert.equal(childText(child(alarm, 'probableCause')!, 'cause'), 'lossOfSignal');
  assert.equal(childText(alarm, 'severity'), 'critical');
  assert.ok((await ib.next()).value);
  const active = await a.get(`<active-alarm-list xmlns="${NS.alarm}"/>`);
  assert.equal(children(active[0], 'activeAlarms').length, 2, 'both degrees of the span at aaa-pop');
  const state = await a.get(`<org-openroadm-device ${DEV}><circuit-packs><circuit-pack-name>DEG1-AMP</circuit-pack-name><ports><port-name/><operational-state/></ports></circuit-packs></org-openroadm-device>`);
  assert.match(serializeXml(state[0]), /outOfService/);
  fleet.repair('aaa-bbb');
  await ia.next(); // second degree's raise
  const cleared = child((await ia.next()).value as XElement, 'alarm-notification', NS.alarm)!;
  assert.equal(childText(cleared, 'severity'), 'clear');
  assert.equal(children((await a.get(`<active-alarm-list xmlns="${NS.alarm}"/>`))[0], 'activeAlarms').length, 0);
  await ia.return!();
  await ib.return!();
  await a.close();
  await b.close();
});

test('kill-session ends the other session, releases its lock and discards its candidate', async () => {
  const a = await connect('ccc-pop');
  const b = await connect('ccc-pop');
  await b.lock('candidate');
  await b.editConfig('candidate', `<org-openroadm-device ${DEV}><info><clli>changed</clli></info></org-openroadm-device>`);
  const closed = new Promise((r) => b.once('close', r));
  const self = await a.killSession(a.sessionId).then(() => null, (e: unknown) => e);
  assert.ok(self instanceof NetconfRpcError && self.tag === 'invalid-value');
  await a.killSession(b.sessionId);
  await closed;
  await assert.rejects(b.getConfig(), NetconfSessionClosedError);
  await a.lock('candidate');
  assert.equal(childText(child((await a.getConfig('candidate', `<org-openroadm-device ${DEV}><info/></org-openroadm-device>`))[0], 'info')!, 'clli'), 'ccc-pop');
  await a.unlock('candidate');
  await a.close();
});

test('the activator configures a wave end to end and removes it; a failure part-way undoes the devices before it', async () => {
  const act = new NetconfActivator(fleet.index, fleet.devices, { username: USER, password: PASSWORD });
  const spans = ['dca-aaa', 'aaa-bbb', 'bbb-ccc', 'ccc-dcc'];
  const path = { siteIds: ['dca-dc1', 'aaa-pop', 'bbb-pop', 'ccc-pop', 'ccc-dc1'], spanIds: spans, wave: wave(spans, 30) };
  await act.apply({ orderId: 'ord_E2E', action: 'add', design: { paths: [path] } });
  const bbb = await act.runningConfig('bbb-pop');
  assert.equal(connections(bbb).filter((c) => childText(c, 'circuit-id') === 'ord_E2E').length, 2);
  await act.apply({ orderId: 'ord_E2E', action: 'add', design: { paths: [path] } }); // idempotent
  // A second wave overlapping ord_E2E's spectrum: its transponder at dca-dc1 is configured first, then aaa-pop refuses it;
  // the transponder must be undone.
  const clash = { ...path, wave: { ...wave(spans, 32), segments: [{ ...wave(spans, 32).segments[0] }] } };
  await assert.rejects(act.apply({ orderId: 'ord_CLASH', action: 'add', design: { paths: [clash] } }), /overlaps/);
  for (const s of path.siteIds) assert.ok(!serializeXml((await act.runningConfig(s))[0] ?? { ns: '', name: 'x', attrs: [], children: [], text: null }).includes('ord_CLASH'), `${s} holds nothing of the failed order`);
  await act.apply({ orderId: 'ord_E2E', action: 'delete', design: { paths: [path] } });
  assert.equal(connections(await act.runningConfig('bbb-pop')).length, 0);
  await act.close();
});
