/**
 * How a Lightpath network maps onto OpenROADM devices, shared by the device emulator (which builds
 * each device's inventory from it) and the activation mapping (which addresses degrees, add/drop
 * ports and transponders by it). Pure and deterministic.
 *
 * - A POP is one ROADM (node-type rdm). Each fiber pair of each span with a DWDM line system that
 *   ends at the POP is one degree (a fiber pair is its own optical line: OTS and OMS), numbered
 *   from 1 in (span id, fiber pair) order. The POP also has add/drop shared-risk groups (SRGs)
 *   of colorless ports, for waves that end or are regenerated there.
 * - A data center or cloud on-ramp is a transponder shelf (node-type xpdr) of single-wave
 *   transponders; a transponder's network port reaches the metro span through the campus's
 *   passive mux, so any transponder can light any of the site's spans.
 * - Amplifier sites hold no ROADM and no transponder: waves pass them without configuration.
 */
import type { Network, Site } from '../../domain/network.js';

/** One degree of a ROADM: one fiber pair of one span. */
export interface DegreeLayout {
  degree: number;
  spanId: string;
  fiberPair: number;
  /** The site at the other end of the span. */
  peerSiteId: string;
  circuitPack: string;
  /** The line (TTP) port, also the logical connection point. */
  ttpPort: string;
}

/** One add/drop group of a ROADM. */
export interface SrgLayout {
  srg: number;
  circuitPack: string;
  /** Add/drop (PP) ports, in order. */
  ports: string[];
}

/** One single-wave transponder of a shelf. */
export interface XponderLayout {
  xpdr: number;
  circuitPack: string;
  networkPort: string;
  clientPort: string;
}

export interface RoadmLayout {
  kind: 'roadm';
  siteId: string;
  nodeId: string;
  degrees: DegreeLayout[];
  srgs: SrgLayout[];
}

export interface XpdrLayout {
  kind: 'xpdr';
  siteId: string;
  nodeId: string;
  /** Spans with a line system that end at the site. */
  spanIds: string[];
  xponders: XponderLayout[];
}

export type DeviceLayout = RoadmLayout | XpdrLayout;

/** Sizes of the emulated equipment. */
export interface LayoutOptions {
  /** Add/drop groups per ROADM (default 2). */
  srgsPerRoadm?: number;
  /** Add/drop ports per SRG (default 16). */
  portsPerSrg?: number;
  /** Transponders per shelf (default 32). */
  xpondersPerShelf?: number;
}

/** Names of a degree's equipment and interfaces. */
export const names = {
  degreePack: (n: number) => `DEG${n}-AMP`,
  degreeTtp: (n: number) => `DEG${n}-TTP-TXRX`,
  ots: (n: number) => `DEG${n}-TTP-TXRX-OTS`,
  oms: (n: number) => `DEG${n}-TTP-TXRX-OMS`,
  srgPack: (m: number) => `SRG${m}-WSS`,
  srgPort: (m: number, k: number) => `SRG${m}-PP${k}-TXRX`,
  xpdrPack: (n: number) => `XPDR${n}-CARD`,
  xpdrNetwork: (n: number) => `XPDR${n}-NETWORK1`,
  xpdrClient: (n: number) => `XPDR${n}-CLIENT1`,
};

/**
 * An OpenROADM node-id for a site (node-id-type: 7 to 63 letters, digits and hyphens, starting
 * with a letter and ending with a letter or digit; org-openroadm-common-node-types).
 */
export function nodeIdFor(kind: 'roadm' | 'xpdr', siteId: string): string {
  let id = `${kind === 'roadm' ? 'ROADM' : 'XPDR'}-${siteId.replace(/[^A-Za-z0-9-]+/g, '-')}`.slice(0, 63);
  if (!/[A-Za-z0-9]$/.test(id)) id = `${id.slice(0, 62)}0`;
  return id;
}

/** Which device a site gets, if any. */
export function deviceKindOf(site: Pick<Site, 'kind'>): 'roadm' | 'xpdr' | null {
  if (site.kind === 'pop') return 'roadm';
  if (site.kind === 'datacenter' || site.kind === 'cloud-onramp') return 'xpdr';
  return null;
}

/** The devices of a network, in site order. Node ids are unique (a numeric suffix resolves clashes). */
export function fleetLayout(network: Network, opts: LayoutOptions = {}): DeviceLayout[] {
  const srgCount = opts.srgsPerRoadm ?? 2;
  const ppCount = opts.portsPerSrg ?? 16;
  const xpdrCount = opts.xpondersPerShelf ?? 32;
  const spansAt = new Map<string, Network['spans']>();
  for (const s of network.spans) {
    if (!s.lineSystem || s.lineSystem.fiberPairs < 1) continue;
    for (const end of [s.aSiteId, s.zSiteId]) {
      const list = spansAt.get(end) ?? [];
      list.push(s);
      spansAt.set(end, list);
    }
  }
  const used = new Set<string>();
  const out: DeviceLayout[] = [];
  for (const site of network.sites) {
    const kind = deviceKindOf(site);
    if (!kind) continue;
    let nodeId = nodeIdFor(kind, site.id);
    for (let n = 2; used.has(nodeId); n++) nodeId = `${nodeIdFor(kind, site.id).slice(0, 58)}-${n}`;
    used.add(nodeId);
    const spans = [...(spansAt.get(site.id) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (kind === 'roadm') {
      const degrees: DegreeLayout[] = [];
      for (const s of spans) {
        for (let fp = 0; fp < (s.lineSystem?.fiberPairs ?? 0); fp++) {
          const n = degrees.length + 1;
          degrees.push({ degree: n, spanId: s.id, fiberPair: fp, peerSiteId: s.aSiteId === site.id ? s.zSiteId : s.aSiteId, circuitPack: names.degreePack(n), ttpPort: names.degreeTtp(n) });
        }
      }
      const srgs: SrgLayout[] = Array.from({ length: srgCount }, (_, i) => ({
        srg: i + 1,
        circuitPack: names.srgPack(i + 1),
        ports: Array.from({ length: ppCount }, (_, k) => names.srgPort(i + 1, k + 1)),
      }));
      out.push({ kind, siteId: site.id, nodeId, degrees, srgs });
    } else {
      const xponders: XponderLayout[] = Array.from({ length: xpdrCount }, (_, i) => ({
        xpdr: i + 1,
        circuitPack: names.xpdrPack(i + 1),
        networkPort: names.xpdrNetwork(i + 1),
        clientPort: names.xpdrClient(i + 1),
      }));
      out.push({ kind, siteId: site.id, nodeId, spanIds: spans.map((s) => s.id), xponders });
    }
  }
  return out;
}

/** Devices by site id, with degree lookup by (span, fiber pair). */
export class LayoutIndex {
  private readonly bySite = new Map<string, DeviceLayout>();
  private readonly degrees = new Map<string, DegreeLayout>();

  constructor(readonly devices: readonly DeviceLayout[]) {
    for (const d of devices) {
      this.bySite.set(d.siteId, d);
      if (d.kind === 'roadm') for (const g of d.degrees) this.degrees.set(`${d.siteId}\u0000${g.spanId}\u0000${g.fiberPair}`, g);
    }
  }

  device(siteId: string): DeviceLayout | undefined {
    return this.bySite.get(siteId);
  }

  /** The degree of the ROADM at siteId that terminates fiber pair fp of spanId. */
  degree(siteId: string, spanId: string, fiberPair: number): DegreeLayout | undefined {
    return this.degrees.get(`${siteId}\u0000${spanId}\u0000${fiberPair}`);
  }

  /** Degrees (at both ends) that a span's cut takes down: every fiber pair, on every ROADM it ends at. */
  degreesOfSpan(spanId: string): { siteId: string; degree: DegreeLayout }[] {
    const out: { siteId: string; degree: DegreeLayout }[] = [];
    for (const d of this.devices) if (d.kind === 'roadm') for (const g of d.degrees) if (g.spanId === spanId) out.push({ siteId: d.siteId, degree: g });
    return out;
  }
}
