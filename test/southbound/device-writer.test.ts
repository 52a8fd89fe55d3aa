/**
 * The device writer's hand-out of a batch's read-back: a change that names its circuit is given that
 * circuit's entries alone, one without the whole configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoped } from '../../src/southbound/device-writer.js';
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
