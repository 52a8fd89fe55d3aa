/**
 * The OpenROADM mapping: payloads are valid OpenROADM 18.0 device data (yanglint, run here as a
 * separate process per check), connect the degrees that face the path's spans (recomputed from
 * the network), sit at the design's frequency, converge when re-applied, and are undone by their
 * removal; the audit finds what was taken away or changed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { editConfig } from '../../src/devices/emulator/datastore.js';
import { initialConfig, stateOf } from '../../src/devices/emulator/inventory.js';
import { deviceRules } from '../../src/devices/emulator/device.js';
import { mergeTrees } from '../../src/devices/emulator/datastore.js';
import { VALIDATED_MODULES, yangSearchPaths } from '../../src/devices/emulator/validator.js';
import { builtinNetwork } from '../../src/data/builtin-network.js';
import { graphFromNetwork, kShortestPaths } from '../../src/engine/index.js';
import { LayoutIndex, fleetLayout } from '../../src/southbound/openroadm/layout.js';
import { MappingError, modulationFormat, pickPorts, removalConfig, waveConfigs, type PathInput } from '../../src/southbound/openroadm/mapping.js';
import { auditDevice, isClean, runningConnections } from '../../src/southbound/openroadm/audit.js';
import { parseXml, serializeXml, type XElement } from '../../src/southbound/netconf/xml.js';
import { YANG_DIR, smallNetwork, wave } from './support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-mapping-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** yanglint as a one-off process (independent of the emulator's long-lived one). */
function yanglint(data: XElement[], type: 'config' | 'data'): string | null {
  const file = path.join(tmp, `d-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, data.map((e) => serializeXml(e)).join('\n'));
  const files = VALIDATED_MODULES.map((m) => yangSearchPaths(YANG_DIR).map((d) => path.join(d, `${m}.yang`)).find((f) => fs.existsSync(f))!);
  try {
    execFileSync('yanglint', [...yangSearchPaths(YANG_DIR).flatMap((p) => ['-p', p]), '-t', type, ...files, file], { encoding: 'utf8', stdio: 'pipe' });
    return null;
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

const net = smallNetwork();
const index = new LayoutIndex(fleetLayout(net, { xpondersPerShelf: 4, portsPerSrg: 4 }));
const store = new Map<string, XElement[]>();
before(() => {
  for (const d of index.devices) store.set(d.siteId, initialConfig(d));
});

function apply(cfgs: ReturnType<typeof waveConfigs>): void {
  for (const c of cfgs) {
    const r = editConfig(store.get(c.siteId)!, c.config);
    assert.deepEqual(r.errors, []);
    store.set(c.siteId, r.data);
  }
}

const dcPath: PathInput = { siteIds: ['dca-dc1', 'aaa-pop', 'bbb-pop', 'ccc-pop', 'ccc-dc1'], spanIds: ['dca-aaa', 'aaa-bbb', 'bbb-ccc', 'ccc-dcc'], wave: wave(['dca-aaa', 'aaa-bbb', 'bbb-ccc', 'ccc-dcc'], 8) };

test('a 400G DC-to-DC wave: transponders at the ends, express connections on every ROADM between the degrees facing its spans', () => {
  const ports = pickPorts(index, 'ord_A', dcPath, store);
  const cfgs = waveConfigs(index, 'ord_A', dcPath, ports);
  assert.deepEqual(cfgs.map((c) => c.siteId), dcPath.siteIds, 'one device per site, in path order');
  for (const [i, c] of cfgs.entries()) {
    if (c.kind === 'xpdr') {
      assert.equal(c.lines[0].frequencyThz, String((191_300 + (8 + 3) * 12.5) / 1000));
      continue;
    }
    // The degrees the connections join face the previous and next sites of the path.
    const dev = index.device(c.siteId)!;
    assert.equal(dev.kind, 'roadm');
    if (dev.kind !== 'roadm') continue;
    const peers = c.connections.map((x) => [x.srcIf, x.dstIf].map((ifn) => dev.degrees.find((g) => ifn.startsWith(`${g.ttpPort}-nmc-`))!.peerSiteId));
    assert.deepEqual(new Set(peers.flat()), new Set([dcPath.siteIds[i - 1], dcPath.siteIds[i + 1]]));
    assert.equal(c.connections.length, 2, 'one connection per direction');
    for (const x of c.connections) assert.ok(x.name.startsWith('ord_A:'), 'the name carries the order');
  }
  apply(cfgs);
  for (const c of cfgs) assert.equal(yanglint(store.get(c.siteId)!, 'config'), null, `${c.nodeId} config is valid OpenROADM`);
  // Idempotent: the same edits again leave every datastore as it was.
  const before = cfgs.map((c) => serializeXml(store.get(c.siteId)![0]));
  apply(waveConfigs(index, 'ord_A', dcPath, pickPorts(index, 'ord_A', dcPath, store)));
  assert.deepEqual(cfgs.map((c) => serializeXml(store.get(c.siteId)![0])), before);
});

test('100G and regenerated waves, POP endpoints with add/drop ports, an amplifier site, a second fiber pair', () => {
  const p: PathInput = {
    siteIds: ['aaa-pop', 'bbb-pop', 'xxx-amp', 'ccc-pop', 'ccc-dc1'],
    spanIds: ['aaa-bbb', 'bbb-xxx', 'xxx-ccc', 'ccc-dcc'],
    wave: { ...wave([], 0, { rate: 100, slots: 4, format: 'DP-QPSK' }), regeneratorSiteIds: ['bbb-pop'], segments: [wave(['aaa-bbb'], 20, { slots: 4, fiberPair: 1 }).segments[0], wave(['bbb-xxx', 'xxx-ccc', 'ccc-dcc'], 40, { slots: 4 }).segments[0]] },
  };
  const cfgs = waveConfigs(index, 'ord_B', p, pickPorts(index, 'ord_B', p, store));
  assert.deepEqual(cfgs.map((c) => c.siteId), ['aaa-pop', 'bbb-pop', 'ccc-pop', 'ccc-dc1'], 'the amplifier site needs nothing');
  assert.equal(cfgs[1].connections.length, 4, 'the regenerator drops one segment and adds the other');
  assert.ok(cfgs[0].interfaces.some((n) => n.startsWith('SRG1-PP1-TXRX-nmc-')), 'the POP end adds on an SRG port');
  const deg = index.degree('aaa-pop', 'aaa-bbb', 1)!;
  assert.ok(cfgs[0].interfaces.some((n) => n.startsWith(`${deg.ttpPort}-`)), 'fiber pair 1 uses its own degree');
  const before = new Map(cfgs.map((c) => [c.siteId, serializeXml(store.get(c.siteId)![0])]));
  apply(cfgs);
  for (const c of cfgs) assert.equal(yanglint(store.get(c.siteId)!, 'config'), null, `${c.nodeId} config is valid OpenROADM`);
  for (const c of cfgs) assert.deepEqual(deviceRules(store.get(c.siteId)!), []);
  // The device with state merged in is valid operational data too.
  const ccc = index.device('ccc-pop')!;
  assert.equal(yanglint(mergeTrees(store.get('ccc-pop')!, stateOf(ccc, store.get('ccc-pop')!, new Set(), [])), 'data'), null);
  // Removal restores the datastores exactly.
  for (const c of cfgs) {
    const r = editConfig(store.get(c.siteId)!, removalConfig(c));
    assert.deepEqual(r.errors, []);
    store.set(c.siteId, r.data);
  }
  for (const c of cfgs) assert.ok(serializeXml(store.get(c.siteId)![0]) === before.get(c.siteId), `${c.nodeId} is back to what it was`);
});

test("the transceiver catalog's format names (dp-qam16, dp-qam8, pcs-dp-qam16) are the enum's own and map as they are; the transponder config is valid OpenROADM", () => {
  for (const f of ['dp-qam16', 'dp-qam8', 'pcs-dp-qam16', 'dp-qpsk']) assert.equal(modulationFormat(f), f);
  assert.equal(modulationFormat('DP-16QAM'), 'dp-qam16');
  const p: PathInput = { ...dcPath, wave: { ...dcPath.wave!, format: 'dp-qam16' } };
  const cfgs = waveConfigs(index, 'ord_Q', p, pickPorts(index, 'ord_Q', p, store));
  const xpdr = cfgs.find((c) => c.kind === 'xpdr')!;
  const r = editConfig(store.get(xpdr.siteId)!, xpdr.config);
  assert.deepEqual(r.errors, []);
  assert.ok(serializeXml(r.data[0]).includes('>dp-qam16<'));
  assert.equal(yanglint(r.data, 'config'), null, `${xpdr.nodeId} config is valid OpenROADM`);
});

test('designs that do not fit are refused with the reason', () => {
  assert.throws(() => waveConfigs(index, 'o', { ...dcPath, wave: { ...dcPath.wave!, segments: [{ ...dcPath.wave!.segments[0], centerFrequencyGhz: 193_101 }] } }, { xponder: { 'dca-dc1': 1, 'ccc-dc1': 1 } }), /G\.694\.1/);
  assert.throws(() => waveConfigs(index, 'o', dcPath, {}), (e: unknown) => e instanceof MappingError && /no transponder chosen at dca-dc1/.test(e.message));
  assert.throws(() => waveConfigs(index, 'o', { ...dcPath, wave: { ...dcPath.wave!, format: 'DP-64QAM' } }, { xponder: { 'dca-dc1': 1, 'ccc-dc1': 1 } }), /modulation-format/);
});

test('audit: missing, extra and different cross-connects against the running configuration', () => {
  const cfgs = waveConfigs(index, 'ord_C', dcPath, pickPorts(index, 'ord_C', dcPath, store));
  apply(cfgs);
  const bbb = cfgs.find((c) => c.siteId === 'bbb-pop')!;
  const notA = { inScope: (c: { name: string }) => !c.name.startsWith('ord_A:') };
  assert.ok(isClean(auditDevice(bbb.nodeId, bbb, store.get('bbb-pop')!, notA)));
  const [first, second] = bbb.connections;
  // Take one connection away, and retune the other's source NMC.
  const nmc = second.srcIf;
  const changed = editConfig(store.get('bbb-pop')!, [
    parseXml(`<org-openroadm-device xmlns="http://org/openroadm/device"><roadm-connections xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete"><connection-name>${first.name}</connection-name></roadm-connections><interface><name>${nmc}</name><nmc-ctp xmlns="http://org/openroadm/network-media-channel-interfaces"><frequency>194.0</frequency></nmc-ctp></interface><roadm-connections><connection-name>foreign</connection-name><source><src-if>${nmc}</src-if></source><destination><dst-if>${nmc}</dst-if></destination></roadm-connections></org-openroadm-device>`),
  ]);
  assert.deepEqual(changed.errors, []);
  const a = auditDevice(bbb.nodeId, bbb, changed.data, notA);
  assert.deepEqual(a.missing.map((x) => x.name), [first.name]);
  assert.deepEqual(a.different.map((x) => [x.expected.name, x.fields]), [[second.name, ['frequencyThz']]]);
  assert.deepEqual(a.extra.map((x) => x.name), ['foreign']);
  assert.equal(runningConnections(changed.data).length, 4, 'ord_A two, ord_C one left, and the foreign one');
});

test('every shortest path between data centers of the built-in network maps onto its fleet', () => {
  const b = builtinNetwork();
  const idx = new LayoutIndex(fleetLayout(b));
  const g = graphFromNetwork(b);
  const dcs = b.sites.filter((s) => s.kind !== 'pop' && s.kind !== 'amplifier').slice(0, 12);
  let mapped = 0;
  for (let i = 0; i + 1 < dcs.length; i++) {
    // Waves cross POPs only: a transponder site is an end, never a transit (the mapping refuses that).
    const others = b.sites.filter((s) => s.kind !== 'pop' && s.id !== dcs[i].id && s.id !== dcs[i + 1].id).map((s) => s.id);
    const r = kShortestPaths(g, dcs[i].id, dcs[i + 1].id, 1, { avoidSites: others });
    const p = r.paths[0];
    if (!p) continue;
    const siteIds = p.nodes.map((v) => g.nodeIds[v]);
    const spanIds = p.spans.map((e) => g.spanIds[e]);
    const cfgs = waveConfigs(idx, `ord_${i}`, { siteIds, spanIds, wave: wave(spanIds, 0) }, { xponder: { [siteIds[0]]: 1, [siteIds.at(-1)!]: 1 } });
    assert.equal(cfgs.filter((c) => c.kind === 'roadm').length, siteIds.filter((s) => b.sites.find((x) => x.id === s)!.kind === 'pop').length);
    mapped++;
  }
  assert.ok(mapped >= 5);
});

