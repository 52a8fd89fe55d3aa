/**
 * An emulated device's factory configuration (shelf, circuit packs, ports, degrees, SRGs or
 * transponders, and the line interfaces OTS/OMS of each degree) and the operational state that
 * <get> adds to the configuration (equipment identity, port and interface states, connection
 * states, active alarms), in the OpenROADM 18.0 device and alarm models.
 */
import { el, identityLeaf, type XElement } from '../../southbound/netconf/xml.js';
import { NS } from '../../southbound/openroadm/model.js';
import { names, type DeviceLayout, type RoadmLayout, type XpdrLayout } from '../../southbound/openroadm/layout.js';

/** Equipment identity reported in info, shelves and circuit packs. */
export const EMULATOR_VENDOR = 'Lightpath';
export const EMULATOR_MODEL = { roadm: 'LP-ROADM-CDC-20', xpdr: 'LP-XPDR-400' } as const;

const d = (name: string, content?: string | number | XElement[] | null) => el(NS.device, name, content);

function ifType(identity: string): XElement {
  return identityLeaf(NS.device, 'type', NS.interfaces, 'openROADM-if', identity);
}

function port(name: string, qual: string, description?: string): XElement {
  const kids = [d('port-name', name), d('port-type', qual === 'xpdr-client' ? 'QSFP-DD' : 'LC-duplex'), d('port-qual', qual), d('logical-connection-point', name), d('administrative-state', 'inService')];
  if (description) kids.push(d('user-description', description));
  return d('ports', kids);
}

function circuitPack(name: string, type: string, slot: number, ports: XElement[]): XElement {
  return d('circuit-packs', [d('circuit-pack-name', name), d('circuit-pack-type', type), d('administrative-state', 'inService'), d('shelf', 'SHELF1'), d('slot', String(slot)), ...ports]);
}

function roadmConfig(l: RoadmLayout): XElement[] {
  const kids: XElement[] = [];
  kids.push(d('shelves', [d('shelf-name', 'SHELF1'), d('shelf-type', 'roadm-shelf'), d('administrative-state', 'inService')]));
  let slot = 1;
  for (const g of l.degrees) kids.push(circuitPack(g.circuitPack, 'line-amplifier-wss', slot++, [port(g.ttpPort, 'roadm-external', `span ${g.spanId} fiber-pair ${g.fiberPair} to ${g.peerSiteId}`)]));
  for (const s of l.srgs) kids.push(circuitPack(s.circuitPack, 'cdc-add-drop', slot++, s.ports.map((p) => port(p, 'roadm-external'))));
  for (const g of l.degrees) {
    kids.push(
      d('interface', [
        d('name', names.ots(g.degree)),
        d('description', `OTS of span ${g.spanId} fiber pair ${g.fiberPair}`),
        ifType('opticalTransport'),
        d('administrative-state', 'inService'),
        d('supporting-circuit-pack-name', g.circuitPack),
        d('supporting-port', g.ttpPort),
        el(NS.ots, 'ots', [el(NS.ots, 'fiber-type', 'smf')]),
      ]),
      d('interface', [
        d('name', names.oms(g.degree)),
        d('description', `OMS of span ${g.spanId} fiber pair ${g.fiberPair}`),
        ifType('openROADMOpticalMultiplex'),
        d('administrative-state', 'inService'),
        d('supporting-circuit-pack-name', g.circuitPack),
        d('supporting-port', g.ttpPort),
        d('supporting-interface-list', names.ots(g.degree)),
      ]),
    );
  }
  for (const g of l.degrees) {
    kids.push(
      d('degree', [
        d('degree-number', g.degree),
        d('circuit-packs', [d('index', 1), d('circuit-pack-name', g.circuitPack)]),
        d('connection-ports', [d('index', 1), d('circuit-pack-name', g.circuitPack), d('port-name', g.ttpPort)]),
      ]),
    );
  }
  for (const s of l.srgs) kids.push(d('shared-risk-group', [d('srg-number', s.srg), d('circuit-packs', [d('index', 1), d('circuit-pack-name', s.circuitPack)])]));
  return kids;
}

function xpdrConfig(l: XpdrLayout): XElement[] {
  const kids: XElement[] = [];
  kids.push(d('shelves', [d('shelf-name', 'SHELF1'), d('shelf-type', 'xpdr-shelf'), d('administrative-state', 'inService')]));
  for (const x of l.xponders) kids.push(circuitPack(x.circuitPack, 'transponder-400g', x.xpdr, [port(x.networkPort, 'xpdr-network', `line to ${l.spanIds.join(', ') || 'no span'}`), port(x.clientPort, 'xpdr-client')]));
  for (const x of l.xponders) {
    kids.push(
      d('xponder', [
        d('xpdr-number', x.xpdr),
        d('xpdr-type', 'tpdr'),
        d('xpdr-port', [d('index', 1), d('circuit-pack-name', x.circuitPack), d('port-name', x.networkPort)]),
        d('xpdr-port', [d('index', 2), d('circuit-pack-name', x.circuitPack), d('port-name', x.clientPort)]),
      ]),
    );
  }
  return kids;
}

/** The factory configuration of a device (the running datastore at start). */
export function initialConfig(l: DeviceLayout): XElement[] {
  const info = d('info', [d('node-id', l.nodeId), d('node-type', l.kind === 'roadm' ? 'rdm' : 'xpdr'), d('clli', l.siteId)]);
  return [d('org-openroadm-device', [info, ...(l.kind === 'roadm' ? roadmConfig(l) : xpdrConfig(l))])];
}

/** An active alarm (org-openroadm-alarm grouping "alarm"). */
export interface ActiveAlarm {
  id: string;
  nodeId: string;
  circuitPack: string;
  port: string;
  /** probable-cause-enum of org-openroadm-probable-cause, e.g. lossOfSignal. */
  cause: string;
  severity: 'critical' | 'major' | 'minor' | 'warning' | 'clear';
  /** ISO-8601 date-and-time. */
  raiseTime: string;
  additionalDetail?: string;
}

/** The alarm grouping's leaves for one alarm, in the alarm namespace (for the list and notifications). */
export function alarmLeaves(a: ActiveAlarm): XElement[] {
  const al = (name: string, content?: string | number | XElement[]) => el(NS.alarm, name, content);
  const kids = [
    al('id', a.id),
    al('resource', [
      al('device', [al('node-id', a.nodeId)]),
      al('resource', [al('port', [al('circuit-pack-name', a.circuitPack), al('port-name', a.port)])]),
      al('resourceType', [al('type', 'port')]),
    ]),
    al('probableCause', [al('cause', a.cause), al('direction', 'rx'), al('location', 'nearEnd')]),
    al('raiseTime', a.raiseTime),
    al('severity', a.severity),
  ];
  if (a.additionalDetail) kids.push(al('additional-detail', a.additionalDetail));
  return kids;
}

const ro = {
  equipment: (serial: string, label: string) => [d('vendor', EMULATOR_VENDOR), d('model', 'emulated'), d('serial-id', serial)].concat([d('operational-state', 'inService')]).concat([d('is-physical', 'true'), d('is-passive', 'false'), d('faceplate-label', label)]),
};

/** What the device's operational state adds to the running configuration for <get>. */
export function stateOf(l: DeviceLayout, running: readonly XElement[], downPorts: ReadonlySet<string>, alarms: readonly ActiveAlarm[]): XElement[] {
  const dev = running.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
  const kids: XElement[] = [];
  kids.push(d('info', [d('vendor', EMULATOR_VENDOR), d('model', EMULATOR_MODEL[l.kind]), d('serial-id', `${l.nodeId}-SN`), d('openroadm-version', '7.1')].concat(l.kind === 'roadm' ? [d('max-degrees', l.degrees.length), d('max-srgs', l.srgs.length)] : [])));
  const ifaceDown = new Map<string, boolean>();
  for (const c of dev?.children ?? []) {
    if (c.name === 'shelves') {
      const name = c.children.find((x) => x.name === 'shelf-name')?.text ?? '';
      kids.push(d('shelves', [d('shelf-name', name), ...ro.equipment(`${l.nodeId}-${name}`, name)]));
    } else if (c.name === 'circuit-packs') {
      const name = c.children.find((x) => x.name === 'circuit-pack-name')?.text ?? '';
      const eq = ro.equipment(`${l.nodeId}-${name}`, name);
      const ports = c.children
        .filter((x) => x.name === 'ports')
        .map((p) => {
          const pn = p.children.find((x) => x.name === 'port-name')?.text ?? '';
          const down = downPorts.has(`${name}/${pn}`);
          return d('ports', [
            d('port-name', pn),
            d('port-direction', 'bidirectional'),
            d('is-physical', 'true'),
            d('pm-capable', 'true'),
            d('alarm-capable', 'true'),
            d('faceplate-label', pn),
            d('operational-state', down ? 'outOfService' : 'inService'),
          ]);
        });
      kids.push(d('circuit-packs', [d('circuit-pack-name', name), ...eq.slice(0, 4), d('circuit-pack-category', [d('type', 'circuitPack')]), d('is-pluggable-optics', 'false'), ...eq.slice(4), ...ports]));
    }
  }
  // An interface is down when its port is, or when an interface it stands on is (OTS → OMS → MC → NMC).
  const ifaces = (dev?.children ?? []).filter((c) => c.name === 'interface');
  const byName = new Map(ifaces.map((i) => [i.children.find((x) => x.name === 'name')?.text ?? '', i]));
  const isDown = (name: string, seen: Set<string> = new Set()): boolean => {
    const known = ifaceDown.get(name);
    if (known !== undefined) return known;
    const i = byName.get(name);
    if (!i || seen.has(name)) return false;
    seen.add(name);
    const cp = i.children.find((x) => x.name === 'supporting-circuit-pack-name')?.text;
    const pt = i.children.find((x) => x.name === 'supporting-port')?.text;
    let down = cp !== undefined && pt !== undefined && downPorts.has(`${cp}/${pt}`);
    if (!down) down = i.children.some((x) => x.name === 'supporting-interface-list' && isDown(x.text ?? '', seen));
    ifaceDown.set(name, down);
    return down;
  };
  for (const [name] of byName) kids.push(d('interface', [d('name', name), d('operational-state', isDown(name) ? 'outOfService' : 'inService')]));
  if (l.kind === 'roadm') {
    for (const g of l.degrees) kids.push(d('degree', [d('degree-number', g.degree), d('max-wavelengths', 96)]));
    for (const s of l.srgs) {
      const used = ifaces.filter((i) => i.children.some((x) => x.name === 'supporting-circuit-pack-name' && x.text === s.circuitPack)).length;
      kids.push(d('shared-risk-group', [d('srg-number', s.srg), d('max-add-drop-ports', s.ports.length), d('current-provisioned-add-drop-ports', used), d('wavelength-duplication', 'one-per-srg')]));
    }
    for (const c of (dev?.children ?? []).filter((x) => x.name === 'roadm-connections')) {
      const name = c.children.find((x) => x.name === 'connection-name')?.text ?? '';
      const src = c.children.find((x) => x.name === 'source')?.children.find((x) => x.name === 'src-if')?.text ?? '';
      const dst = c.children.find((x) => x.name === 'destination')?.children.find((x) => x.name === 'dst-if')?.text ?? '';
      const up = !isDown(src) && !isDown(dst);
      kids.push(d('roadm-connections', [d('connection-name', name), d('actual-control-mode', 'off'), d('connection-state', up ? 'in-service' : 'out-of-service')]));
    }
  }
  const out = [d('org-openroadm-device', kids)];
  out.push(el(NS.alarm, 'active-alarm-list', alarms.map((a) => el(NS.alarm, 'activeAlarms', alarmLeaves(a)))));
  return out;
}
