/**
 * From a wave's design to OpenROADM device configuration, and back. Pure.
 *
 * For each ROADM the wave crosses, in path order: on each degree it uses, a media channel (MC-TTP,
 * on the degree's OMS) and a network media channel (NMC-CTP, on the MC) at the wave's frequency
 * range; on an add/drop port, an NMC-CTP; and a pair of roadm-connections (one per direction)
 * between the two NMCs, named after the order. At a transponder shelf that ends the wave: the line
 * interfaces of one transponder at the wave's centre frequency (OTSi, OTSi group, OTUCn, ODUCn for
 * 200G and up; OCH, OTU4, ODU4 for 100G) and its client Ethernet. Every edit is a merge of named
 * entries, so applying it again converges (idempotent); the removal is a `remove` of the same
 * entries (absent entries are no error). Interfaces and connections carry the order id in
 * circuit-id, so what an order owns can be found on a device without its design.
 *
 * Frequencies follow ITU-T G.694.1 (2020) §7, the flexible DWDM grid: a channel's centre is
 * 193.1 THz + n × 6.25 GHz and its width m × 12.5 GHz; a design off that grid is refused.
 */
import { el, identityLeaf, type XElement } from '../netconf/xml.js';
import { NC_NS } from '../netconf/protocol.js';
import { NS } from './model.js';
import { names, type LayoutIndex, type RoadmLayout, type XpdrLayout } from './layout.js';

/** One transparent segment of a wave (the shape of WaveSegment in services/ordering/design.ts). */
export interface WaveSegmentInput {
  spanIds: string[];
  fiberPair: number;
  /** Per span when the wave changes fiber pair at a ROADM (else fiberPair on every span). */
  fiberPairs?: number[];
  startSlot: number;
  slots: number;
  centerFrequencyGhz: number;
}

/** A wave (the shape of WaveDesign). */
export interface WaveInput {
  lineRateGbps: number;
  format: string;
  slots: number;
  widthGhz: number;
  regeneratorSiteIds: string[];
  segments: WaveSegmentInput[];
}

/** A path of a design (the shape of DesignPath; paths without a wave configure nothing). */
export interface PathInput {
  role?: string;
  siteIds: string[];
  spanIds: string[];
  wave?: WaveInput;
}

/** Which add/drop ports and transponders a wave uses, by site (chosen by the caller: see pickPorts). */
export interface PortChoice {
  /** Per ROADM site where the wave is added or dropped: the SRG ports, in path order (two at a regenerator: drop, then add). */
  addDrop?: Record<string, { srg: number; port: string }[]>;
  /** Per transponder site: the transponder number. */
  xponder?: Record<string, number>;
}

/** A roadm-connection the design expects on a device. */
export interface ExpectedConnection {
  name: string;
  srcIf: string;
  dstIf: string;
  /** Centre frequency and width of the channel on both ends. */
  frequencyThz: string;
  widthGhz: string;
  circuitId: string;
}

/** A transponder line interface the design expects (its frequency is checked on read-back). */
export interface ExpectedLine {
  name: string;
  frequencyThz: string;
  circuitId: string;
}

/** What one device must hold for a wave. */
export interface DeviceConfig {
  siteId: string;
  nodeId: string;
  kind: 'roadm' | 'xpdr';
  /** The <config> content for edit-config (merge). */
  config: XElement[];
  /** Interface names, in creation order. */
  interfaces: string[];
  connections: ExpectedConnection[];
  lines: ExpectedLine[];
}

/** A design that cannot be mapped (names the order, site or span and what is wrong). */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** ITU-T G.694.1 §7: anchor of the flexible grid. */
export const GRID_ANCHOR_GHZ = 193_100;
/** ITU-T G.694.1 §7: central frequency granularity. */
export const GRID_CENTER_STEP_GHZ = 6.25;
/** ITU-T G.694.1 §7: slot width granularity. */
export const GRID_WIDTH_STEP_GHZ = 12.5;

/** Formats GHz as THz text for a decimal64 with 8 fraction digits (frequency-THz), without trailing zeros. */
export function thzText(ghz: number): string {
  return (Math.round(ghz * 1000) / 1e6).toFixed(8).replace(/\.?0+$/, '');
}

/** Formats GHz for frequency-GHz (decimal64, 5 fraction digits). */
export function ghzText(ghz: number): string {
  return (Math.round(ghz * 1e5) / 1e5).toFixed(5).replace(/\.?0+$/, '');
}

/** The grid indices (n, m) of a channel; throws MappingError off the grid. */
export function flexGrid(centerGhz: number, widthGhz: number): { n: number; m: number } {
  const n = (centerGhz - GRID_ANCHOR_GHZ) / GRID_CENTER_STEP_GHZ;
  const m = widthGhz / GRID_WIDTH_STEP_GHZ;
  if (!(Math.abs(n - Math.round(n)) < 1e-9 && Math.abs(m - Math.round(m)) < 1e-9 && Math.round(m) >= 1)) {
    throw new MappingError(`channel ${centerGhz} GHz wide ${widthGhz} GHz is not on the ITU-T G.694.1 flexible grid (193.1 THz + n x 6.25 GHz, m x 12.5 GHz)`);
  }
  return { n: Math.round(n), m: Math.round(m) };
}

/** OpenROADM modulation-format enum for a design's format (org-openroadm-common-optical-channel-types). */
export function modulationFormat(format: string): string {
  // The transceiver catalog already names formats as the enum does (dp-qam16, pcs-dp-qam16).
  if (MODULATION_ENUM.has(format.toLowerCase())) return format.toLowerCase();
  const f = format.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const table: Record<string, string> = { DPQPSK: 'dp-qpsk', DP8QAM: 'dp-qam8', DP16QAM: 'dp-qam16', DPBPSK: 'dc-dp-bpsk' };
  const m = table[f];
  if (!m) throw new MappingError(`format ${format} has no OpenROADM modulation-format (known: DP-QPSK, DP-8QAM, DP-16QAM, and the enum's own names: ${[...MODULATION_ENUM].join(', ')})`);
  return m;
}

/** The values of the modulation-format enumeration (org-openroadm-common-optical-channel-types). */
const MODULATION_ENUM = new Set(['bpsk', 'dc-dp-bpsk', 'qpsk', 'dp-qpsk', 'qam16', 'dp-qam16', 'dc-dp-qam16', 'qam8', 'dp-qam8', 'dc-dp-qam8', 'pcs-dp-qam16']);

const d = (name: string, content?: string | number | XElement[] | null) => el(NS.device, name, content);
const ifType = (identity: string) => identityLeaf(NS.device, 'type', NS.interfaces, 'openROADM-if', identity);

/** Suffix naming a channel on a port: centre in THz and width in GHz (unique on a port, as channels on a port do not overlap). */
function channelTag(centerGhz: number, widthGhz: number): string {
  return `${thzText(centerGhz)}-${ghzText(widthGhz)}`;
}

/** The names' transaction id (an order id) and the circuit-id that marks the entries' owner. */
interface Ids {
  txn: string;
  circuit: string;
}

function iface(name: string, type: string, cp: string, port: string, ids: Ids, extra: XElement[]): XElement {
  return d('interface', [d('name', name), d('description', `order ${ids.txn}`), ifType(type), d('administrative-state', 'inService'), d('circuit-id', ids.circuit), d('supporting-circuit-pack-name', cp), d('supporting-port', port), ...extra]);
}

interface RoadmEnd {
  /** The NMC interface of this end. */
  nmc: string;
  elements: XElement[];
  names: string[];
}

function degreeEnd(roadm: RoadmLayout, degree: number, centerGhz: number, widthGhz: number, ids: Ids): RoadmEnd {
  const g = roadm.degrees.find((x) => x.degree === degree)!;
  const tag = channelTag(centerGhz, widthGhz);
  const mc = `${g.ttpPort}-mc-${tag}`;
  const nmc = `${g.ttpPort}-nmc-${tag}`;
  return {
    nmc,
    names: [mc, nmc],
    elements: [
      iface(mc, 'mediaChannelTrailTerminationPoint', g.circuitPack, g.ttpPort, ids, [
        d('supporting-interface-list', names.oms(g.degree)),
        el(NS.mc, 'mc-ttp', [el(NS.mc, 'min-freq', thzText(centerGhz - widthGhz / 2)), el(NS.mc, 'max-freq', thzText(centerGhz + widthGhz / 2))]),
      ]),
      iface(nmc, 'networkMediaChannelConnectionTerminationPoint', g.circuitPack, g.ttpPort, ids, [
        d('supporting-interface-list', mc),
        el(NS.nmc, 'nmc-ctp', [el(NS.nmc, 'frequency', thzText(centerGhz)), el(NS.nmc, 'width', ghzText(widthGhz))]),
      ]),
    ],
  };
}

function addDropEnd(roadm: RoadmLayout, choice: { srg: number; port: string }, centerGhz: number, widthGhz: number, ids: Ids): RoadmEnd {
  const srg = roadm.srgs.find((s) => s.srg === choice.srg);
  if (!srg || !srg.ports.includes(choice.port)) throw new MappingError(`${roadm.nodeId} has no add/drop port SRG${choice.srg} ${choice.port}`);
  const nmc = `${choice.port}-nmc-${channelTag(centerGhz, widthGhz)}`;
  return {
    nmc,
    names: [nmc],
    elements: [iface(nmc, 'networkMediaChannelConnectionTerminationPoint', srg.circuitPack, choice.port, ids, [el(NS.nmc, 'nmc-ctp', [el(NS.nmc, 'frequency', thzText(centerGhz)), el(NS.nmc, 'width', ghzText(widthGhz))])])],
  };
}

/** The roadm-connection name for an order between two NMCs (the order id first, so a device's connections sort by order). */
export function connectionName(orderId: string, srcIf: string, dstIf: string): string {
  return `${orderId}:${srcIf}-x-${dstIf}`;
}

function connection(ids: Ids, src: string, dst: string): XElement {
  return d('roadm-connections', [d('connection-name', connectionName(ids.txn, src, dst)), d('opticalControlMode', 'off'), d('source', [d('src-if', src)]), d('destination', [d('dst-if', dst)]), d('circuit-id', ids.circuit)]);
}

function roadmConfig(roadm: RoadmLayout, a: RoadmEnd, z: RoadmEnd, centerGhz: number, widthGhz: number, ids: Ids): DeviceConfig {
  const connections: ExpectedConnection[] = [
    [a.nmc, z.nmc],
    [z.nmc, a.nmc],
  ].map(([s, t]) => ({ name: connectionName(ids.txn, s, t), srcIf: s, dstIf: t, frequencyThz: thzText(centerGhz), widthGhz: ghzText(widthGhz), circuitId: ids.circuit }));
  return {
    siteId: roadm.siteId,
    nodeId: roadm.nodeId,
    kind: 'roadm',
    config: [d('org-openroadm-device', [...a.elements, ...z.elements, connection(ids, a.nmc, z.nmc), connection(ids, z.nmc, a.nmc)])],
    interfaces: [...a.names, ...z.names],
    connections,
    lines: [],
  };
}

/** Names of a transponder's line interfaces for a wave. */
function xpdrNames(x: { networkPort: string; clientPort: string }, lineRateGbps: number): { line: string[]; client: string } {
  if (lineRateGbps === 100) return { line: [`${x.networkPort}-OCH`, `${x.networkPort}-OTU4`, `${x.networkPort}-ODU4`], client: `${x.clientPort}-ETHERNET` };
  const n = lineRateGbps / 100;
  return { line: [`${x.networkPort}-OTSI`, `${x.networkPort}-OTSIGROUP`, `${x.networkPort}-OTUC${n}`, `${x.networkPort}-ODUC${n}`], client: `${x.clientPort}-ETHERNET` };
}

function xpdrConfig(shelf: XpdrLayout, xpdr: number, wave: WaveInput, centerGhz: number, ids: Ids): DeviceConfig {
  const x = shelf.xponders.find((t) => t.xpdr === xpdr);
  if (!x) throw new MappingError(`${shelf.nodeId} has no transponder ${xpdr}`);
  const rate = wave.lineRateGbps;
  if (!(rate === 100 || rate === 200 || rate === 300 || rate === 400 || rate === 800)) throw new MappingError(`line rate ${rate} Gb/s has no OpenROADM transponder mapping (100, 200, 300, 400, 800)`);
  const mod = modulationFormat(wave.format);
  const nm = xpdrNames(x, rate);
  const cp = x.circuitPack;
  const net = x.networkPort;
  const els: XElement[] = [];
  const freq = thzText(centerGhz);
  if (rate === 100) {
    const [och, otu, odu] = nm.line;
    els.push(
      iface(och, 'opticalChannel', cp, net, ids, [el(NS.och, 'och', [el(NS.och, 'provision-mode', 'explicit'), identityLeaf(NS.och, 'rate', NS.opticalChannelTypes, 'org-openroadm-common-optical-channel-types', 'R100G'), el(NS.och, 'frequency', freq), el(NS.och, 'modulation-format', mod)])]),
      iface(otu, 'otnOtu', cp, net, ids, [d('supporting-interface-list', och), el(NS.otu, 'otu', [identityLeaf(NS.otu, 'rate', NS.otnTypes, 'org-openroadm-otn-common-types', 'OTU4')])]),
      iface(odu, 'otnOdu', cp, net, ids, [
        d('supporting-interface-list', otu),
        el(NS.odu, 'odu', [identityLeaf(NS.odu, 'rate', NS.otnTypes, 'org-openroadm-otn-common-types', 'ODU4'), identityLeaf(NS.odu, 'odu-function', NS.otnTypes, 'org-openroadm-otn-common-types', 'ODU-TTP'), el(NS.odu, 'monitoring-mode', 'terminated')]),
      ]),
    );
  } else {
    const [otsi, group, otu, odu] = nm.line;
    const n = rate / 100;
    const otsiRate = `R${rate}G-otsi`;
    els.push(
      iface(otsi, 'otsi', cp, net, ids, [
        el(NS.otsi, 'otsi', [
          el(NS.otsi, 'provision-mode', 'explicit'),
          identityLeaf(NS.otsi, 'otsi-rate', NS.opticalChannelTypes, 'org-openroadm-common-optical-channel-types', otsiRate),
          el(NS.otsi, 'frequency', freq),
          el(NS.otsi, 'modulation-format', mod),
          identityLeaf(NS.otsi, 'fec', NS.commonTypes, 'org-openroadm-common-types', 'ofec'),
        ]),
      ]),
      iface(group, 'otsi-group', cp, net, ids, [d('supporting-interface-list', otsi), el(NS.otsiGroup, 'otsi-group', [identityLeaf(NS.otsiGroup, 'group-rate', NS.opticalChannelTypes, 'org-openroadm-common-optical-channel-types', otsiRate), el(NS.otsiGroup, 'group-id', 1)])]),
      iface(otu, 'otnOtu', cp, net, ids, [d('supporting-interface-list', group), el(NS.otu, 'otu', [identityLeaf(NS.otu, 'rate', NS.otnTypes, 'org-openroadm-otn-common-types', 'OTUCn'), el(NS.otu, 'otucn-n-rate', n)])]),
      iface(odu, 'otnOdu', cp, net, ids, [
        d('supporting-interface-list', otu),
        el(NS.odu, 'odu', [identityLeaf(NS.odu, 'rate', NS.otnTypes, 'org-openroadm-otn-common-types', 'ODUCn'), el(NS.odu, 'oducn-n-rate', n), identityLeaf(NS.odu, 'odu-function', NS.otnTypes, 'org-openroadm-otn-common-types', 'ODU-TTP'), el(NS.odu, 'monitoring-mode', 'terminated')]),
      ]),
    );
  }
  els.push(iface(nm.client, 'ethernetCsmacd', cp, x.clientPort, ids, [el(NS.eth, 'ethernet', [el(NS.eth, 'speed', rate * 1000)])]));
  return {
    siteId: shelf.siteId,
    nodeId: shelf.nodeId,
    kind: 'xpdr',
    config: [d('org-openroadm-device', els)],
    interfaces: [...nm.line, nm.client],
    connections: [],
    lines: [{ name: nm.line[0], frequencyThz: freq, circuitId: ids.circuit }],
  };
}

/**
 * The per-device configuration for one wave path, in path order. Throws MappingError when the
 * design does not fit the devices (no degree for a span, no port chosen, off-grid channel, ...).
 */
export function waveConfigs(index: LayoutIndex, orderId: string, path: PathInput, ports: PortChoice = {}, circuitId: string = orderId): DeviceConfig[] {
  const ids: Ids = { txn: orderId, circuit: circuitId };
  const wave = path.wave;
  if (!wave) return [];
  const sites = path.siteIds;
  if (sites.length !== path.spanIds.length + 1) throw new MappingError(`order ${orderId}: a path of ${path.spanIds.length} spans needs ${path.spanIds.length + 1} sites, got ${sites.length}`);
  const segOf = new Map<string, WaveSegmentInput>();
  for (const s of wave.segments) for (const sp of s.spanIds) segOf.set(sp, s);
  for (const sp of path.spanIds) if (!segOf.has(sp)) throw new MappingError(`order ${orderId}: span ${sp} is in no wave segment`);
  for (const s of wave.segments) flexGrid(s.centerFrequencyGhz, s.slots * (wave.widthGhz / wave.slots));
  const widthGhz = wave.widthGhz;
  const regen = new Set(wave.regeneratorSiteIds);
  const out: DeviceConfig[] = [];
  for (let i = 0; i < sites.length; i++) {
    const siteId = sites[i];
    const dev = index.device(siteId);
    const inSpan = i > 0 ? path.spanIds[i - 1] : null;
    const outSpan = i < sites.length - 1 ? path.spanIds[i] : null;
    const inSeg = inSpan ? segOf.get(inSpan)! : null;
    const outSeg = outSpan ? segOf.get(outSpan)! : null;
    if (!dev) {
      if (!inSpan || !outSpan) throw new MappingError(`order ${orderId}: the wave ends at ${siteId}, which has no ROADM or transponder`);
      if (inSeg !== outSeg) throw new MappingError(`order ${orderId}: regeneration at ${siteId}, which has no ROADM`);
      continue; // an amplifier site: nothing to configure
    }
    if (dev.kind === 'xpdr') {
      if (inSpan && outSpan) throw new MappingError(`order ${orderId}: the path passes through transponder site ${siteId}`);
      const xp = ports.xponder?.[siteId];
      if (xp === undefined) throw new MappingError(`order ${orderId}: no transponder chosen at ${siteId}`);
      const seg = (inSeg ?? outSeg)!;
      const span = (inSpan ?? outSpan)!;
      if (!dev.spanIds.includes(span)) throw new MappingError(`order ${orderId}: span ${span} does not reach transponder site ${siteId}`);
      out.push(xpdrConfig(dev, xp, wave, seg.centerFrequencyGhz, ids));
      continue;
    }
    const degreeOf = (span: string, seg: WaveSegmentInput) => {
      const fp = seg.fiberPairs?.[seg.spanIds.indexOf(span)] ?? seg.fiberPair;
      const g = index.degree(siteId, span, fp);
      if (!g) throw new MappingError(`order ${orderId}: ${dev.nodeId} has no degree for span ${span} fiber pair ${fp}`);
      return g.degree;
    };
    const choices = ports.addDrop?.[siteId] ?? [];
    const addDrop = (k: number) => {
      const c = choices[k];
      if (!c) throw new MappingError(`order ${orderId}: no add/drop port chosen at ${siteId}`);
      return c;
    };
    if (inSpan && outSpan && !regen.has(siteId)) {
      if (inSeg !== outSeg) throw new MappingError(`order ${orderId}: the frequency changes at ${siteId}, which is not a regenerator site`);
      const a = degreeEnd(dev, degreeOf(inSpan, inSeg!), inSeg!.centerFrequencyGhz, widthGhz, ids);
      const z = degreeEnd(dev, degreeOf(outSpan, outSeg!), outSeg!.centerFrequencyGhz, widthGhz, ids);
      out.push(roadmConfig(dev, a, z, inSeg!.centerFrequencyGhz, widthGhz, ids));
    } else if (inSpan && outSpan) {
      // Regenerator: drop the incoming segment, add the outgoing one, each on its own add/drop port.
      const dropA = degreeEnd(dev, degreeOf(inSpan, inSeg!), inSeg!.centerFrequencyGhz, widthGhz, ids);
      const dropZ = addDropEnd(dev, addDrop(0), inSeg!.centerFrequencyGhz, widthGhz, ids);
      const addA = addDropEnd(dev, addDrop(1), outSeg!.centerFrequencyGhz, widthGhz, ids);
      const addZ = degreeEnd(dev, degreeOf(outSpan, outSeg!), outSeg!.centerFrequencyGhz, widthGhz, ids);
      const drop = roadmConfig(dev, dropA, dropZ, inSeg!.centerFrequencyGhz, widthGhz, ids);
      const add = roadmConfig(dev, addA, addZ, outSeg!.centerFrequencyGhz, widthGhz, ids);
      out.push({ ...drop, config: [d('org-openroadm-device', [...drop.config[0].children, ...add.config[0].children])], interfaces: [...drop.interfaces, ...add.interfaces], connections: [...drop.connections, ...add.connections] });
    } else {
      const span = (inSpan ?? outSpan)!;
      const seg = (inSeg ?? outSeg)!;
      const line = degreeEnd(dev, degreeOf(span, seg), seg.centerFrequencyGhz, widthGhz, ids);
      const local = addDropEnd(dev, addDrop(0), seg.centerFrequencyGhz, widthGhz, ids);
      // Connections run from the add/drop side at the A end and towards it at the Z end; both directions exist either way.
      out.push(inSpan ? roadmConfig(dev, line, local, seg.centerFrequencyGhz, widthGhz, ids) : roadmConfig(dev, local, line, seg.centerFrequencyGhz, widthGhz, ids));
    }
  }
  return out;
}

/** The removal of what waveConfigs installs on one device: `remove` of each connection and interface (absent ones are no error). */
export function removalConfig(c: Pick<DeviceConfig, 'connections' | 'interfaces'>): XElement[] {
  const remove = [{ ns: NC_NS, name: 'operation', value: 'remove' }];
  return [
    d('org-openroadm-device', [
      ...c.connections.map((x) => ({ ...d('roadm-connections', [d('connection-name', x.name)]), attrs: remove })),
      ...[...c.interfaces].reverse().map((n) => ({ ...d('interface', [d('name', n)]), attrs: remove })),
    ]),
  ];
}

/** What a device holds for an order, found by circuit-id in its configuration (for removal without the design). */
export function ownedBy(device: readonly XElement[], orderId: string): { connections: string[]; interfaces: string[] } {
  const dev = device.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
  const owned = (e: XElement) => e.children.some((c) => c.name === 'circuit-id' && c.text === orderId);
  const key = (e: XElement, k: string) => e.children.find((c) => c.name === k)?.text ?? '';
  return {
    connections: (dev?.children ?? []).filter((c) => c.name === 'roadm-connections' && owned(c)).map((c) => key(c, 'connection-name')),
    interfaces: (dev?.children ?? []).filter((c) => c.name === 'interface' && owned(c)).map((c) => key(c, 'name')),
  };
}

/** The removal of everything an order holds on a device (by circuit-id). */
export function removalByOrder(device: readonly XElement[], orderId: string): XElement[] {
  const o = ownedBy(device, orderId);
  return removalConfig({ connections: o.connections.map((name) => ({ name, srcIf: '', dstIf: '', frequencyThz: '', widthGhz: '', circuitId: orderId })), interfaces: [...o.interfaces].reverse() });
}

/**
 * Chooses the add/drop ports and transponders of a wave from the devices' configuration: the ones
 * the order already holds (so a re-run converges), else the lowest-numbered free ones (a port is
 * free when no interface stands on it). `configs` maps site id to that device's running
 * configuration; only the wave's end sites and regenerator sites are read.
 */
export function pickPorts(index: LayoutIndex, orderId: string, path: PathInput, configs: ReadonlyMap<string, readonly XElement[]>): PortChoice {
  const choice: Required<PortChoice> = { addDrop: {}, xponder: {} };
  if (!path.wave) return choice;
  const sites = path.siteIds;
  const regen = new Set(path.wave.regeneratorSiteIds);
  const usedBy = (siteId: string) => {
    const dev = (configs.get(siteId) ?? []).find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
    const used = new Map<string, string>();
    for (const i of dev?.children ?? []) {
      if (i.name !== 'interface') continue;
      const cp = i.children.find((c) => c.name === 'supporting-circuit-pack-name')?.text ?? '';
      const p = i.children.find((c) => c.name === 'supporting-port')?.text ?? '';
      const owner = i.children.find((c) => c.name === 'circuit-id')?.text ?? '';
      if (!used.has(`${cp}/${p}`) || owner === orderId) used.set(`${cp}/${p}`, owner);
    }
    return used;
  };
  for (let i = 0; i < sites.length; i++) {
    const siteId = sites[i];
    const dev = index.device(siteId);
    if (!dev) continue;
    const end = i === 0 || i === sites.length - 1;
    if (dev.kind === 'xpdr') {
      if (!end) continue;
      const used = usedBy(siteId);
      const mine = dev.xponders.find((x) => used.get(`${x.circuitPack}/${x.networkPort}`) === orderId);
      const free = dev.xponders.find((x) => !used.has(`${x.circuitPack}/${x.networkPort}`) && !used.has(`${x.circuitPack}/${x.clientPort}`));
      const pick = mine ?? free;
      if (!pick) throw new MappingError(`order ${orderId}: every transponder at ${siteId} is in use`);
      choice.xponder[siteId] = pick.xpdr;
      continue;
    }
    const need = end ? 1 : regen.has(siteId) ? 2 : 0;
    if (need === 0) continue;
    const used = usedBy(siteId);
    const all = dev.srgs.flatMap((s) => s.ports.map((port) => ({ srg: s.srg, port, key: `${s.circuitPack}/${port}` })));
    const mine = all.filter((p) => used.get(p.key) === orderId);
    const free = all.filter((p) => !used.has(p.key));
    const picked = [...mine, ...free].slice(0, need);
    if (picked.length < need) throw new MappingError(`order ${orderId}: not enough free add/drop ports at ${siteId}`);
    choice.addDrop[siteId] = picked.map(({ srg, port }) => ({ srg, port }));
  }
  return choice;
}

/** The sites whose configuration pickPorts reads for a path (ends and regenerators). */
export function sitesNeedingPorts(path: PathInput): string[] {
  if (!path.wave || path.siteIds.length === 0) return [];
  return [...new Set([path.siteIds[0], path.siteIds[path.siteIds.length - 1], ...path.wave.regeneratorSiteIds])];
}
