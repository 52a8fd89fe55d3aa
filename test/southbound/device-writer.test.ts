/**
 * The device writer's hand-out of a batch's read-back: a change that names its circuit is given that
 * circuit's entries alone, one without the whole configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MANAGED_FILTER, readBackFilter, scoped } from '../../src/southbound/device-writer.js';
import { subtreeFilter } from '../../src/devices/emulator/datastore.js';
import { el, serializeXml, type XElement } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';

const entry = (kind: 'interface' | 'roadm-connections', name: string, circuit?: string): XElement =>
  el(NS.device, kind, [el(NS.device, kind === 'interface' ? 'name' : 'connection-name', name), ...(circuit ? [el(NS.device, 'circuit-id', circuit)] : [])]);

test("a change naming its circuit is handed that circuit's entries alone; one without, the whole read-back", () => {
  const config = [el(NS.device, 'org-openroadm-device', [entry('interface', 'a1', 'svc-a'), entry('interface', 'b1', 'svc-b'), entry('roadm-connections', 'a-x', 'svc-a'), entry('interface', 'n1'), entry('roadm-connections', 'b-x', 'svc-b')])];
  const view = scoped(config);
  const names = (c: XElement[] | null) => c![0].children.map((e) => e.children[0].text);
  assert.deepEqual(names(view('svc-a')), ['a1', 'a-x']);
  assert.deepEqual(names(view('svc-b')), ['b1', 'b-x']);
  assert.deepEqual(names(view('svc-c')), [], 'a circuit with no entries: the device element, empty');
  assert.equal(view('svc-c')![0].name, 'org-openroadm-device');
  assert.equal(view(undefined), config, 'no circuit: everything');
  assert.equal(scoped(null)('svc-a'), null, 'nothing read: nothing handed');
  assert.equal(serializeXml(config[0]).includes('svc-b'), true, 'the read-back itself is left as it was');
  assert.equal(config[0].children.length, 5);
});

test("the read-back selects a change's named interfaces and its circuit's cross-connects, not the circuit's other interfaces", () => {
  const device = [
    el(NS.device, 'org-openroadm-device', [
      el(NS.device, 'info', [el(NS.device, 'node-id', 'R1')]),
      entry('interface', 'old-nmc', 'svc-a'),
      entry('interface', 'new-nmc', 'svc-a'),
      entry('interface', 'new-mc', 'svc-a'),
      entry('roadm-connections', 'old:x', 'svc-a'),
      entry('roadm-connections', 'new:x', 'svc-a'),
      entry('interface', 'b-nmc', 'svc-b'),
      entry('roadm-connections', 'b:x', 'svc-b'),
      entry('interface', 'c-nmc', 'svc-c'),
    ]),
  ];
  const names = (f: XElement[]) => subtreeFilter(device, f)[0].children.map((e) => e.children[0].text).sort();
  const a = { needsRunning: false, build: () => [], circuitId: 'svc-a', readBackInterfaces: ['new-nmc', 'new-mc'] };
  const b = { needsRunning: false, build: () => [], circuitId: 'svc-b' };
  assert.deepEqual(names(readBackFilter([a, b])), ['b-nmc', 'b:x', 'new-mc', 'new-nmc', 'new:x', 'old:x']);
  assert.deepEqual(names(readBackFilter([a, { ...b, circuitId: 'svc-a' }])), ['new-mc', 'new-nmc', 'new:x', 'old-nmc', 'old:x'], 'a change of the circuit without names: all its interfaces');
  assert.equal(readBackFilter([a, { needsRunning: false, build: () => [] }]), MANAGED_FILTER, 'a change without a circuit: every managed entry');
});
