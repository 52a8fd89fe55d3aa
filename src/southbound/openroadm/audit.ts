/**
 * Read-back verification and audit: what a device's configuration holds against what the designs
 * expect. Cross-connects (roadm-connections) are compared by name, endpoints, the frequency and
 * width of the NMCs they join, and circuit-id; transponder line interfaces by frequency. Pure.
 */
import type { XElement } from '../netconf/xml.js';
import { NS } from './model.js';
import type { DeviceConfig, ExpectedConnection, ExpectedLine } from './mapping.js';

/** A roadm-connection as configured, with the channel of its source NMC. */
export interface RunningConnection {
  name: string;
  srcIf: string;
  dstIf: string;
  frequencyThz: string | null;
  widthGhz: string | null;
  /** The destination NMC's channel (equal to the source's on a valid device). */
  dstFrequencyThz: string | null;
  circuitId: string | null;
}

/** A difference between expected and configured. */
export interface Difference<E, A> {
  expected: E;
  actual: A;
  /** Which fields differ. */
  fields: string[];
}

/** Audit of one device. */
export interface DeviceAudit {
  nodeId: string;
  missing: ExpectedConnection[];
  extra: RunningConnection[];
  different: Difference<ExpectedConnection, RunningConnection>[];
  missingLines: ExpectedLine[];
  differentLines: Difference<ExpectedLine, { name: string; frequencyThz: string | null; circuitId: string | null }>[];
}

/** True when the audit found nothing. */
export function isClean(a: DeviceAudit): boolean {
  return a.missing.length + a.extra.length + a.different.length + a.missingLines.length + a.differentLines.length === 0;
}

function deviceRoot(config: readonly XElement[]): XElement | undefined {
  return config.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
}

const text = (e: XElement | undefined, name: string): string | null => e?.children.find((c) => c.name === name)?.text ?? null;

/** Decimal text to an integer number of micro-units, so "193.10" and "193.1" compare equal. */
function micro(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 1e6) : null;
}

/** The roadm-connections of a device configuration, with their channels resolved from the NMC interfaces. */
export function runningConnections(config: readonly XElement[]): RunningConnection[] {
  const dev = deviceRoot(config);
  if (!dev) return [];
  const nmc = new Map<string, { f: string | null; w: string | null }>();
  for (const i of dev.children) {
    if (i.name !== 'interface') continue;
    const n = i.children.find((c) => c.name === 'nmc-ctp' && c.ns === NS.nmc);
    if (n) nmc.set(text(i, 'name') ?? '', { f: text(n, 'frequency'), w: text(n, 'width') });
  }
  return dev.children
    .filter((c) => c.name === 'roadm-connections')
    .map((c) => {
      const src = text(c.children.find((x) => x.name === 'source'), 'src-if') ?? '';
      const dst = text(c.children.find((x) => x.name === 'destination'), 'dst-if') ?? '';
      return { name: text(c, 'connection-name') ?? '', srcIf: src, dstIf: dst, frequencyThz: nmc.get(src)?.f ?? null, widthGhz: nmc.get(src)?.w ?? null, dstFrequencyThz: nmc.get(dst)?.f ?? null, circuitId: text(c, 'circuit-id') };
    });
}

/** Transponder line interfaces of a configuration (OTSi or OCH), with frequency. */
function runningLines(config: readonly XElement[]): Map<string, Line> {
  const out = new Map<string, Line>();
  for (const i of deviceRoot(config)?.children ?? []) {
    if (i.name !== 'interface') continue;
    const block = i.children.find((c) => (c.ns === NS.otsi && c.name === 'otsi') || (c.ns === NS.och && c.name === 'och'));
    const name = text(i, 'name') ?? '';
    out.set(name, { name, frequencyThz: block ? text(block, 'frequency') : null, circuitId: text(i, 'circuit-id') });
  }
  return out;
}

/** Options of an audit. */
export interface AuditOptions {
  /**
   * Which configured connections are in scope for "extra": by default all of them (a full
   * audit); a read-back of one order passes its circuit-id check so other orders are ignored.
   */
  inScope?: (c: RunningConnection) => boolean;
}

type Line = { name: string; frequencyThz: string | null; circuitId: string | null };

/** Expected versus configured on one device. */
export function auditDevice(nodeId: string, expected: { connections: readonly ExpectedConnection[]; lines?: readonly ExpectedLine[] }, config: readonly XElement[], opts: AuditOptions = {}): DeviceAudit {
  const running = runningConnections(config);
  const byName = new Map(running.map((c) => [c.name, c]));
  const want = new Set(expected.connections.map((c) => c.name));
  const audit: DeviceAudit = { nodeId, missing: [], extra: [], different: [], missingLines: [], differentLines: [] };
  for (const e of expected.connections) {
    const a = byName.get(e.name);
    if (!a) {
      audit.missing.push(e);
      continue;
    }
    const fields: string[] = [];
    if (a.srcIf !== e.srcIf) fields.push('srcIf');
    if (a.dstIf !== e.dstIf) fields.push('dstIf');
    if (micro(a.frequencyThz) !== micro(e.frequencyThz) || micro(a.dstFrequencyThz) !== micro(e.frequencyThz)) fields.push('frequencyThz');
    if (micro(a.widthGhz) !== micro(e.widthGhz)) fields.push('widthGhz');
    if (a.circuitId !== e.circuitId) fields.push('circuitId');
    if (fields.length) audit.different.push({ expected: e, actual: a, fields });
  }
  const scope = opts.inScope ?? (() => true);
  for (const a of running) if (!want.has(a.name) && scope(a)) audit.extra.push(a);
  const lines = runningLines(config);
  for (const e of expected.lines ?? []) {
    const a = lines.get(e.name);
    if (!a) {
      audit.missingLines.push(e);
      continue;
    }
    const fields: string[] = [];
    if (micro(a.frequencyThz) !== micro(e.frequencyThz)) fields.push('frequencyThz');
    if (a.circuitId !== e.circuitId) fields.push('circuitId');
    if (fields.length) audit.differentLines.push({ expected: e, actual: a, fields });
  }
  return audit;
}

/** Read-back of one order's configuration on a device: the order's connections and lines, and no leftovers with its circuit-id. */
export function verifyDevice(expected: DeviceConfig, config: readonly XElement[], orderId: string): DeviceAudit {
  return auditDevice(expected.nodeId, expected, config, { inScope: (c) => c.circuitId === orderId });
}

/** Expected connections and lines per node id, gathered from many orders' device configurations (the input of a network audit). */
export function expectedByNode(configs: readonly DeviceConfig[]): Map<string, { connections: ExpectedConnection[]; lines: ExpectedLine[] }> {
  const out = new Map<string, { connections: ExpectedConnection[]; lines: ExpectedLine[] }>();
  for (const c of configs) {
    const e = out.get(c.nodeId) ?? { connections: [], lines: [] };
    e.connections.push(...c.connections);
    e.lines.push(...c.lines);
    out.set(c.nodeId, e);
  }
  return out;
}
