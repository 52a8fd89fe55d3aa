/**
 * Validation of a commit's slice (src/devices/emulator/slice.ts): what is in it, when the whole
 * datastore is checked instead, and, against the OpenROADM models with yanglint, that an emulated
 * device still refuses what the whole datastore's check refuses (a removed interface that a kept
 * cross-connect refers to, a reference to nothing, a bad value) once its running datastore was checked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatedDevice } from '../../src/devices/emulator/device.js';
import { validationSlice } from '../../src/devices/emulator/slice.js';
import { YangValidator } from '../../src/devices/emulator/validator.js';
import { editConfig } from '../../src/devices/emulator/datastore.js';
import { initialConfig } from '../../src/devices/emulator/inventory.js';
import { NetconfRpcError } from '../../src/southbound/netconf/protocol.js';
import { childText, children, parseXml, type XElement } from '../../src/southbound/netconf/xml.js';
import { NS } from '../../src/southbound/openroadm/model.js';
import { fleetLayout, type DeviceLayout } from '../../src/southbound/openroadm/layout.js';
import { YANG_DIR, smallNetwork } from '../southbound/support.js';

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const edit = (inner: string): XElement[] => [parseXml(`<org-openroadm-device xmlns="${NS.device}" xmlns:nc="${NC}">${inner}</org-openroadm-device>`)];
const nmc = (deg: number, name: string, width = '50', frequency = ({ N: '193.1', M: '193.2', K: '193.3', B: '193.4' } as Record<string, string>)[name[0]] ?? '193.5') =>
  `<interface><name>${name}</name><type xmlns:x="http://org/openroadm/interfaces">x:networkMediaChannelConnectionTerminationPoint</type><administrative-state>inService</administrative-state><supporting-circuit-pack-name>DEG${deg}-AMP</supporting-circuit-pack-name><supporting-port>DEG${deg}-TTP-TXRX</supporting-port><nmc-ctp xmlns="${NS.nmc}"><frequency>${frequency}</frequency><width>${width}</width></nmc-ctp></interface>`;
const conn = (name: string, src: string, dst: string) => `<roadm-connections><connection-name>${name}</connection-name><source><src-if>${src}</src-if></source><destination><dst-if>${dst}</dst-if></destination></roadm-connections>`;
const names = (data: readonly XElement[]) => {
  const dev = data[0];
  return [...children(dev, 'interface').map((i) => childText(i, 'name')), ...children(dev, 'roadm-connections').map((c) => childText(c, 'connection-name'))];
};
const apply = (base: XElement[], inner: string) => {
  const r = editConfig(base, edit(inner));
  assert.deepEqual(r.errors, []);
  return r.data;
};

const layout: DeviceLayout = fleetLayout(smallNetwork(), { xpondersPerShelf: 4, portsPerSrg: 4 }).find((l) => l.siteId === 'bbb-pop')!;
const start = () => apply(initialConfig(layout), `${nmc(1, 'N1')}${nmc(3, 'N3')}${conn('t1', 'N1', 'N3')}${nmc(1, 'M1')}${nmc(3, 'M3')}${conn('u1', 'M1', 'M3')}`);

test('the slice: the equipment as it is, what changed, what refers to what was removed or changed, and what the slice refers to', () => {
  const base = start();
  const equipment = base[0].children.filter((c) => c.name !== 'interface' && c.name !== 'roadm-connections').length;
  // A new connection between two new NMCs: u1, t1 and their interfaces are left out.
  const added = validationSlice(base, apply(base, `${nmc(1, 'K1')}${nmc(3, 'K3')}${conn('v1', 'K1', 'K3')}`))!;
  assert.deepEqual(names(added), ['K1', 'K3', 'v1']);
  assert.equal(added[0].children.filter((c) => c.name !== 'interface' && c.name !== 'roadm-connections').length, equipment);
  // A new connection reusing kept interfaces: those interfaces come along (its leafrefs' targets).
  assert.deepEqual(names(validationSlice(base, apply(base, conn('t2', 'N3', 'N1')))!), ['N1', 'N3', 't2']);
  // N1 removed while t1 still refers to it: t1 is in the slice (and its target is not).
  assert.deepEqual(names(validationSlice(base, apply(base, `<interface nc:operation="delete"><name>N1</name></interface>`))!), ['N3', 't1']);
  // M3 changed: u1, which refers to it, and u1's other end come along.
  assert.deepEqual(names(validationSlice(base, apply(base, nmc(3, 'M3', '75')))!).sort(), ['M1', 'M3', 'u1']);
  // Nothing changed: nothing to check.
  assert.deepEqual(validationSlice(base, base.map((e) => e)), []);
  // Removals only, nothing kept referring to them (a wave's entries removed together): nothing to check.
  assert.deepEqual(validationSlice(base, apply(base, `<roadm-connections nc:operation="delete"><connection-name>u1</connection-name></roadm-connections><interface nc:operation="delete"><name>M1</name></interface><interface nc:operation="delete"><name>M3</name></interface>`)), []);
  assert.deepEqual(validationSlice(base, apply(base, `<roadm-connections nc:operation="delete"><connection-name>u1</connection-name></roadm-connections>`)), []);
  // The same removal but M3 kept's referrer u1 stays: u1 is checked.
  assert.deepEqual(names(validationSlice(base, apply(base, `<interface nc:operation="delete"><name>M3</name></interface>`))!), ['M1', 'u1']);
});

test('the whole datastore is checked when the equipment or info changes, or an interface has a provision-mode other than explicit', () => {
  const base = start();
  assert.equal(validationSlice(base, apply(base, '<info><clli>X</clli></info>')), null);
  const och = (mode: string) => `<interface><name>O1</name><type xmlns:x="http://org/openroadm/interfaces">x:opticalChannel</type><administrative-state>inService</administrative-state><och xmlns="${NS.och}"><provision-mode>${mode}</provision-mode></och></interface>`;
  assert.equal(validationSlice(base, apply(base, och('media-id'))), null);
  assert.notEqual(validationSlice(base, apply(base, och('explicit'))), null);
  const withMediaId = apply(base, och('media-id'));
  assert.equal(validationSlice(withMediaId, apply(withMediaId, `<interface nc:operation="delete"><name>O1</name></interface>`)), null, 'removing it is checked whole too');
  assert.equal(validationSlice([], base), null);
});

let validator: YangValidator;
before(async () => {
  validator = await YangValidator.start(YANG_DIR, { cacheSize: 0 });
});
after(() => validator.close());

test('an emulated device whose running datastore was checked refuses, through the slice, what the whole check refuses; the verdicts agree', async () => {
  const device = new EmulatedDevice(layout, validator);
  const commit = async (inner: string) => {
    await device.editConfig(1, 'candidate', edit(inner));
    return device.commit(1).then(
      () => null,
      async (e: unknown) => {
        await device.discardChanges(1);
        return e;
      },
    );
  };
  assert.equal(await commit(`${nmc(1, 'N1')}${nmc(3, 'N3')}${conn('t1', 'N1', 'N3')}`), null, 'first commit: the whole datastore');
  assert.equal(await commit(`${nmc(1, 'K1')}${nmc(3, 'K3')}${conn('v1', 'K1', 'K3')}`), null, 'a good change through the slice');
  const cases: [string, string, RegExp][] = [
    [`<interface nc:operation="delete"><name>N1</name></interface>`, 'data-missing', /connection-name='t1'/],
    [conn('t9', 'K1', 'no-such-interface'), 'data-missing', /connection-name='t9'/],
    [nmc(1, 'B1', 'wide'), 'invalid-value', /name='B1'/],
  ];
  for (const [inner, tag, where] of cases) {
    const running = device.getConfig('running', null);
    const next = editConfig(running, edit(inner)).data;
    const whole = await validator.validate(next);
    const slice = validationSlice(running, next);
    assert.ok(slice, 'a change of the lists is checked by slice');
    const sliced = await validator.validate(slice);
    assert.equal(whole.ok, false);
    assert.equal(sliced.ok, whole.ok, inner);
    assert.deepEqual(sliced.issues, whole.issues, 'the same errors, at the same paths');
    const err = await commit(inner);
    assert.ok(err instanceof NetconfRpcError, inner);
    assert.equal(err.errors[0].tag, tag);
    assert.match(err.errors[0].path ?? '', where);
  }
  assert.deepEqual(names(device.getConfig('running', null)).filter((n) => !n?.startsWith('DEG')).sort(), ['K1', 'K3', 'N1', 'N3', 't1', 'v1'], 'running kept through the refusals');
});

test('removals: every subset of a device\'s entries removed at once gets the whole datastore\'s verdict (nothing to check only when the whole datastore is valid)', async () => {
  // Two waves and a second cross-connect on one of them's interfaces: 7 entries, 127 removals.
  const base = apply(start(), conn('t2', 'N3', 'N1'));
  assert.ok((await validator.validate(base)).ok);
  const entries = names(base).filter((n): n is string => !!n && !n.startsWith('DEG'));
  const kind = new Map(children(base[0], 'roadm-connections').map((c) => [childText(c, 'connection-name'), 'roadm-connections']));
  let skipped = 0;
  let refused = 0;
  for (let mask = 1; mask < 1 << entries.length; mask++) {
    const gone = entries.filter((_, i) => mask & (1 << i));
    const next = apply(base, gone.map((n) => (kind.has(n) ? `<roadm-connections nc:operation="delete"><connection-name>${n}</connection-name></roadm-connections>` : `<interface nc:operation="delete"><name>${n}</name></interface>`)).join(''));
    const whole = await validator.validate(next);
    const slice = validationSlice(base, next);
    assert.ok(slice, gone.join(','));
    if (slice.length === 0) {
      skipped++;
      assert.ok(whole.ok, `removing ${gone.join(', ')}: nothing checked, but the whole datastore is invalid: ${JSON.stringify(whole.issues)}`);
    } else {
      const sliced = await validator.validate(slice);
      assert.equal(sliced.ok, whole.ok, gone.join(','));
      assert.deepEqual(sliced.issues, whole.issues, gone.join(','));
    }
    if (!whole.ok) refused++;
  }
  assert.ok(skipped > 0 && refused > 0, `${skipped} skipped, ${refused} refused`);
});
