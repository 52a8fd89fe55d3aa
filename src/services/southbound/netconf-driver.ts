/**
 * The NETCONF southbound driver: configures OpenROADM devices for the control plane's services.
 *
 * Desired state per service. Every entry the driver puts on a device carries the service id as its
 * circuit-id (OpenROADM's owner mark, as TransportPCE sets the service name there); cross-connect
 * names start with the device transaction id (the order id, or `rc-…` for a restoration's move), so
 * one service's old and new paths can live side by side. Converging a service on a design:
 *   1. record the transaction (`device_configs`, state configuring) and claim its add/drop ports and
 *      transponders in the database (`device_ports`): the same transaction gets the same ports on a
 *      re-run and in any replica, and a later transaction of the service keeps the customer's
 *      transponder or add/drop port (retuned, not replaced);
 *   2. configure every ROADM of every wave path (in parallel), then the transponders at the ends
 *      (light goes on once the path exists); each device: lock, edit candidate, commit (the device
 *      validates), unlock, read back and audit the transaction's entries;
 *   3. then remove, on every device an older transaction of the service used, the service's entries
 *      that the new design does not have (make-before-break), and record the transaction as the
 *      service's only one.
 * A re-run after a crash converges (merges are idempotent, removal is by what is there). A device
 * that refuses fails the transaction: its entries are removed again (back to the service's previous
 * configuration) and the error names the device. A device that cannot be reached is
 * DriverUnavailableError: the job retries later and the run converges then.
 *
 * Many services at once (a restoration's moves: reconcileMany, which the reconfiguration jobs call
 * with every due job) take each step together: every device gets one commit for all the services'
 * new entries, then one for their old entries' removal, through its writer, which combines the
 * changes handed to it in one turn (src/southbound/device-writer.ts). Each service keeps its own
 * outcome: a refusal is found change by change, undone and reported for that service alone.
 */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../../store/db.js';
import * as sb from '../../store/southbound.js';
import { DriverUnavailableError, type ActivationRequest, type SouthboundDriver } from '../ordering/activation.js';
import type { CircuitDesign, DesignPath } from '../ordering/design.js';
import type { NetworkView, NetworkViewCache } from '../ordering/network-view.js';
import { DeviceWriter, transient } from '../../southbound/device-writer.js';
import { NetconfRpcError } from '../../southbound/netconf/protocol.js';
import type { XElement } from '../../southbound/netconf/xml.js';
import { NS } from '../../southbound/openroadm/model.js';
import { LayoutIndex, fleetLayout, type LayoutOptions, type RoadmLayout } from '../../southbound/openroadm/layout.js';
import { MappingError, ownedBy, removalConfig, waveConfigs, type DeviceConfig, type PortChoice } from '../../southbound/openroadm/mapping.js';
import { auditDevice, expectedByNode, isClean, type DeviceAudit } from '../../southbound/openroadm/audit.js';
import { CredentialsError, type DeviceDirectory, type DeviceRow } from './directory.js';

/** Driver settings. */
export interface NetconfDriverOptions {
  /** The devices' equipment sizes (must match the devices; default: the emulator's). */
  layout?: LayoutOptions;
  rpcTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Lock the candidate around each commit (default true). */
  lock?: boolean;
  /** Pipeline each commit's rpcs after the lock (default true; false waits for every reply, for comparison). */
  pipeline?: boolean;
  /** Told of each service a reconfiguration could not put on the devices (the reason names the device or the design). */
  onReconfigureFailed?: (serviceId: string, reason: string) => void;
}

/** A device refused the configuration, or the design does not fit the devices: the order fails. */
export class DeviceRefusedError extends Error {
  constructor(
    message: string,
    readonly audit?: DeviceAudit,
  ) {
    super(message);
    this.name = 'DeviceRefusedError';
  }
}

/** A network audit: per device, what the store expects against what the device runs. */
export interface NetworkAudit {
  devices: (DeviceAudit & { siteId: string; reachable: boolean; error?: string })[];
  /** Live services whose design is not what the devices were configured with (a reconfiguration pending or failed). */
  services: { serviceId: string; problem: string }[];
  clean: boolean;
}

/** Canonical text of what a design puts on devices (roles ignored: a protection switch changes nothing there). */
export function designKey(design: unknown): string {
  const paths = ((design as CircuitDesign | null)?.paths ?? [])
    .filter((p) => p.wave)
    .map((p) => JSON.stringify([p.siteIds, p.spanIds, p.wave!.lineRateGbps, p.wave!.format, p.wave!.widthGhz, p.wave!.regeneratorSiteIds, p.wave!.segments.map((s) => [s.spanIds, s.fiberPair, s.centerFrequencyGhz])]))
    .sort();
  return crypto.createHash('sha256').update(JSON.stringify(paths)).digest('hex');
}

function wavePaths(design: unknown): { index: number; path: DesignPath }[] {
  return ((design as CircuitDesign | null)?.paths ?? []).map((path, index) => ({ index, path })).filter((x) => x.path.wave);
}

/**
 * A service's entries on a device that a configuration displaces: its interfaces (not named by the
 * configuration) on a single-channel port the configuration's interfaces use, and its cross-connects
 * (not named by the configuration) that use them.
 */
export function displaced(running: readonly XElement[], serviceId: string, cfg: DeviceConfig, singleChannel: (circuitPack: string) => boolean): { connections: string[]; interfaces: string[] } {
  const text = (e: XElement, k: string) => e.children.find((c) => c.name === k)?.text ?? '';
  const portOf = (i: XElement) => `${text(i, 'supporting-circuit-pack-name')}/${text(i, 'supporting-port')}`;
  const keep = new Set([...cfg.interfaces, ...cfg.connections.map((c) => c.name)]);
  const ports = new Set(cfg.config[0].children.filter((i) => i.name === 'interface' && singleChannel(text(i, 'supporting-circuit-pack-name'))).map(portOf));
  const dev = running.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
  const mine = (e: XElement) => text(e, 'circuit-id') === serviceId && !keep.has(text(e, e.name === 'interface' ? 'name' : 'connection-name'));
  const interfaces = (dev?.children ?? []).filter((i) => i.name === 'interface' && mine(i) && ports.has(portOf(i))).map((i) => text(i, 'name'));
  const gone = new Set(interfaces);
  const connections = (dev?.children ?? [])
    .filter((c) => c.name === 'roadm-connections' && mine(c))
    .filter((c) => gone.has(text(c.children.find((x) => x.name === 'source') ?? c, 'src-if')) || gone.has(text(c.children.find((x) => x.name === 'destination') ?? c, 'dst-if')))
    .map((c) => text(c, 'connection-name'));
  return { connections, interfaces };
}

/** A device's writer and inventory row. */
interface OnDevice {
  writer: DeviceWriter;
  device: DeviceRow;
}

/** One service to converge: on a transaction, or on nothing (its entries removed, also on `extraSites`). */
interface Convergence {
  serviceId: string;
  target: { txnId: string; design: unknown } | null;
  extraSites?: readonly string[];
}

/** Waits for every run; rethrows the first failure. */
async function allDone(runs: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(runs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Service states whose design the devices carry, and states after which they carry nothing; others (reserved, held, scheduled) belong to their order's activation. */
const CARRIED = new Set(['active', 'down']);
const GONE = new Set(['terminated', 'ended']);

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** True when the error means "could not talk to the device" (retry later) rather than "the device said no". */
function isUnreachable(err: unknown): boolean {
  if (err instanceof DriverUnavailableError) return true;
  if (err instanceof DeviceRefusedError || err instanceof MappingError || err instanceof sb.PortsExhaustedError || err instanceof CredentialsError) return false;
  if (err instanceof NetconfRpcError) return transient(err);
  return true;
}

/** Drives the devices over NETCONF (see the module comment). */
export class NetconfDriver implements SouthboundDriver {
  private readonly writers = new Map<string, { key: string; writer: DeviceWriter }>();
  private layoutCache: { version: number; index: LayoutIndex } | null = null;
  private readonly serviceQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    /** The network views the ordering plans on (shared, so the layout follows the same versions). */
    private readonly views: () => NetworkViewCache,
    readonly directory: DeviceDirectory,
    private readonly opts: NetconfDriverOptions = {},
  ) {}

  /** The device layout of the current network. */
  async layout(): Promise<LayoutIndex> {
    return this.layoutAt(await this.views().get(this.db));
  }

  /** The device layout of a network view. */
  layoutAt(view: NetworkView): LayoutIndex {
    if (this.layoutCache?.version !== view.version) this.layoutCache = { version: view.version, index: new LayoutIndex(fleetLayout(view.network, this.opts.layout)) };
    return this.layoutCache.index;
  }

  private async writer(siteId: string): Promise<OnDevice> {
    const device = await this.directory.endpoint(siteId);
    if (!device) throw new DeviceRefusedError(`no device is registered for site ${siteId} (lightpath devices register, or serve --devices FILE)`);
    const key = `${device.host}:${device.port}`;
    const have = this.writers.get(siteId);
    if (have && have.key === key) return { writer: have.writer, device };
    if (have) void have.writer.close();
    const login = this.directory.login(siteId);
    const writer = new DeviceWriter({ host: device.host, port: device.port, ...login, rpcTimeoutMs: this.opts.rpcTimeoutMs ?? 10_000, connectTimeoutMs: this.opts.connectTimeoutMs ?? 5_000, lock: this.opts.lock, pipeline: this.opts.pipeline });
    this.writers.set(siteId, { key, writer });
    return { writer, device };
  }

  /**
   * Runs fn on a device's writer, recording reachability and naming the device in errors. Given the
   * writer already (`at` resolved), fn runs in this turn: changes handed to many writers in one loop
   * reach each writer together (one commit per device, see DeviceWriter).
   */
  private async onDevice<T>(at: string | OnDevice, fn: (w: DeviceWriter) => Promise<T>): Promise<T> {
    const { writer, device } = typeof at === 'string' ? await this.writer(at) : at;
    try {
      const out = await fn(writer);
      this.directory.mark(device, true);
      return out;
    } catch (err) {
      if (err instanceof DeviceRefusedError) throw err;
      if (err instanceof NetconfRpcError && !transient(err)) {
        this.directory.mark(device, true);
        throw new DeviceRefusedError(`${device.nodeId}: ${err.message}`);
      }
      this.directory.mark(device, false, err);
      throw new DriverUnavailableError(`${device.nodeId} (${device.host}:${device.port}): ${errorText(err)}`);
    }
  }

  /** Serializes work on services within this process: fn runs once no earlier work on any of them runs. */
  private serial<T>(serviceIds: readonly string[], fn: () => Promise<T>): Promise<T> {
    const prev = Promise.all(serviceIds.map((id) => this.serviceQueues.get(id)));
    const next = prev.then(fn);
    const tail = next.then(
      () => {},
      () => {},
    );
    for (const id of serviceIds) this.serviceQueues.set(id, tail);
    void tail.then(() => {
      for (const id of serviceIds) if (this.serviceQueues.get(id) === tail) this.serviceQueues.delete(id);
    });
    return next;
  }

  /** What a transaction puts on each device, from its design and the ports it holds (site → use → port). */
  expectedConfigs(index: LayoutIndex, serviceId: string, txnId: string, design: unknown, ports: ReadonlyMap<string, ReadonlyMap<string, string>>): Map<string, DeviceConfig> {
    const out = new Map<string, DeviceConfig>();
    for (const { index: i, path } of wavePaths(design)) {
      const choice: Required<PortChoice> = { addDrop: {}, xponder: {} };
      for (const [siteId, uses] of ports) {
        const dev = index.device(siteId);
        if (dev?.kind === 'xpdr') {
          const key = uses.get(`${i}:x`);
          const x = key ? dev.xponders.find((t) => `${t.circuitPack}/${t.networkPort}` === key) : undefined;
          if (x) choice.xponder[siteId] = x.xpdr;
        } else if (dev?.kind === 'roadm') {
          const picked = ['a0', 'a1'].map((k) => uses.get(`${i}:${k}`)).filter((k): k is string => !!k);
          const all = dev.srgs.flatMap((s) => s.ports.map((port) => ({ srg: s.srg, port, key: `${s.circuitPack}/${port}` })));
          const found = picked.map((k) => all.find((p) => p.key === k)).filter((p) => p !== undefined);
          if (found.length) choice.addDrop[siteId] = found.map(({ srg, port }) => ({ srg, port }));
        }
      }
      for (const cfg of waveConfigs(index, txnId, path, choice, serviceId)) {
        const have = out.get(cfg.siteId);
        if (!have) out.set(cfg.siteId, cfg);
        else {
          out.set(cfg.siteId, {
            ...have,
            config: [{ ...have.config[0], children: [...have.config[0].children, ...cfg.config[0].children] }],
            interfaces: [...have.interfaces, ...cfg.interfaces],
            connections: [...have.connections, ...cfg.connections],
            lines: [...have.lines, ...cfg.lines],
          });
        }
      }
    }
    return out;
  }

  /** The ports a design needs: per path end (a transponder, or an add/drop port at a POP) and two per regenerator. */
  private portNeeds(index: LayoutIndex, design: unknown): sb.PortNeed[] {
    const needs: sb.PortNeed[] = [];
    for (const { index: i, path } of wavePaths(design)) {
      const ends = [path.siteIds[0], path.siteIds[path.siteIds.length - 1]];
      const regen = path.wave!.regeneratorSiteIds.filter((s) => !ends.includes(s));
      for (const [siteId, count] of [...ends.map((s) => [s, 1] as const), ...regen.map((s) => [s, 2] as const)]) {
        const dev = index.device(siteId);
        if (dev?.kind === 'xpdr') needs.push({ siteId, use: `${i}:x`, candidates: dev.xponders.map((x) => `${x.circuitPack}/${x.networkPort}`) });
        else if (dev?.kind === 'roadm') {
          const all = dev.srgs.flatMap((s) => s.ports.map((p) => `${s.circuitPack}/${p}`));
          for (let k = 0; k < count; k++) needs.push({ siteId, use: `${i}:a${k}`, candidates: all });
        }
      }
    }
    return needs;
  }

  private names(cfg: DeviceConfig | undefined): Set<string> {
    return new Set(cfg ? [...cfg.interfaces, ...cfg.connections.map((c) => c.name)] : []);
  }

  /**
   * Configures one device for a transaction and checks the read-back. When the service has other
   * transactions (`replace`), its entries that occupy a single-channel port this configuration
   * uses (a colorless add/drop port, a transponder's line port) are removed in the same commit: a
   * customer's end is retuned in place, since one port carries one channel.
   */
  private configure(cfg: DeviceConfig, serviceId: string, txnId: string, replace = false, srgPacks: ReadonlySet<string> = new Set(), at: string | OnDevice = cfg.siteId): Promise<void> {
    const singleChannel = (pack: string) => cfg.kind === 'xpdr' || srgPacks.has(pack);
    // Only entries on a single-channel port this configuration uses can be displaced: a ROADM the
    // service only crosses (express connections between degrees) needs no read before the edit.
    const usesSingleChannel = cfg.config[0].children.some((i) => i.name === 'interface' && singleChannel(i.children.find((c) => c.name === 'supporting-circuit-pack-name')?.text ?? ''));
    return this.onDevice(at, async (w) => {
      const running = await w.apply({
        circuitId: serviceId,
        // The audit below looks at the circuit's cross-connects and at the interfaces configured here.
        readBackInterfaces: cfg.interfaces,
        needsRunning: replace && usesSingleChannel,
        build: (now) => {
          if (!replace || !now) return cfg.config[0].children;
          const old = displaced(now, serviceId, cfg, singleChannel);
          if (old.connections.length + old.interfaces.length === 0) return cfg.config[0].children;
          const removal = removalConfig({ connections: old.connections.map((name) => ({ name, srcIf: '', dstIf: '', frequencyThz: '', widthGhz: '', circuitId: serviceId })), interfaces: old.interfaces })[0].children;
          return [...removal, ...cfg.config[0].children];
        },
      });
      const audit = auditDevice(cfg.nodeId, cfg, running, { inScope: (c) => c.circuitId === serviceId && c.name.startsWith(`${txnId}:`) });
      if (!isClean(audit)) throw new DeviceRefusedError(`${cfg.nodeId}: read-back differs from what was configured for ${txnId}`, audit);
    });
  }

  /** Removes, on one device, the service's entries that are not in `keep`. */
  private prune(siteId: string, serviceId: string, keep: Set<string>, at: string | OnDevice = siteId): Promise<void> {
    return this.onDevice(at, async (w) => {
      const stale = (running: readonly XElement[]) => {
        const o = ownedBy(running, serviceId);
        return { connections: o.connections.filter((n) => !keep.has(n)), interfaces: o.interfaces.filter((n) => !keep.has(n)) };
      };
      const after = await w.apply({
        circuitId: serviceId,
        needsRunning: true,
        build: (running) => {
          const s = stale(running ?? []);
          if (s.connections.length + s.interfaces.length === 0) return [];
          return removalConfig({ connections: s.connections.map((name) => ({ name, srcIf: '', dstIf: '', frequencyThz: '', widthGhz: '', circuitId: serviceId })), interfaces: s.interfaces })[0].children;
        },
      });
      const left = stale(after);
      if (left.connections.length + left.interfaces.length > 0) throw new DeviceRefusedError(`${siteId}: ${left.connections.length + left.interfaces.length} entries of ${serviceId} are still there after their removal`);
    });
  }

  /** Runs device work on every site, waiting for all of them; rethrows the first failure. */
  private each(items: readonly string[], fn: (siteId: string) => Promise<void>): Promise<void> {
    return allDone(items.map(fn));
  }

  /**
   * Converges services, each on a transaction (or on nothing): steps 1-3 of the module comment, each
   * step for all of them at once, so a device gets one commit per step whatever the number of
   * services (make-before-break: every new entry of every service first, then the old ones removed).
   * Resolves with one outcome per service: undefined, or the error that stopped it; a service that
   * fails leaves the others' steps alone.
   */
  private async convergeMany(items: readonly Convergence[]): Promise<unknown[]> {
    const index = await this.layout();
    const errors: unknown[] = items.map(() => undefined);
    const fail = (k: number, err: unknown) => {
      errors[k] ??= err;
    };
    const srgPacks = (s: string) => new Set(index.device(s)?.kind === 'roadm' ? (index.device(s) as RoadmLayout).srgs.map((g) => g.circuitPack) : []);
    // Step 1 for all: their transactions recorded and ports claimed in one database transaction.
    const rowsOf = await sb.configsOfMany(this.db, items.map((it) => it.serviceId));
    const targets = items.flatMap(({ serviceId, target }, k) => {
      if (!target) return [];
      try {
        return [{ k, serviceId, target, needs: this.portNeeds(index, target.design), sites: [...new Set(wavePaths(target.design).flatMap((p) => p.path.siteIds))].filter((s) => index.device(s)) }];
      } catch (err) {
        fail(k, err);
        return [];
      }
    });
    const claimed = await this.db.transaction(async (tx) => {
      await sb.beginConfigs(tx, targets.map((t) => ({ serviceId: t.serviceId, txnId: t.target.txnId, design: t.target.design, sites: t.sites })));
      return sb.claimPortsMany(tx, targets.map((t) => ({ serviceId: t.serviceId, txnId: t.target.txnId, needs: t.needs })));
    });
    const portsOf = new Map(targets.map((t, j) => [t.k, claimed[j]]));
    const plans = items.map(({ serviceId, target, extraSites = [] }, k) => {
      if (errors[k] !== undefined) return null;
      try {
        const rows = rowsOf.get(serviceId) ?? [];
        let expected = new Map<string, DeviceConfig>();
        if (target) {
          const ports = portsOf.get(k)!;
          if (ports instanceof Error) throw ports;
          expected = this.expectedConfigs(index, serviceId, target.txnId, target.design, ports);
        }
        const stale = [...new Set([...rows.filter((r) => r.txnId !== target?.txnId).flatMap((r) => r.sites), ...extraSites])].filter((s) => index.device(s));
        return { expected, stale, replace: rows.some((r) => r.txnId !== target?.txnId) };
      } catch (err) {
        fail(k, err);
        return null;
      }
    });
    // Every device first (so that each step below hands a device all its changes in one turn).
    const sites = [...new Set(plans.flatMap((p) => (p ? [...p.expected.keys(), ...p.stale] : [])))];
    const devices = new Map(await Promise.all(sites.map(async (s) => [s, await this.writer(s).catch((err: unknown) => ({ err }))] as const)));
    const step = async (work: (k: number, plan: NonNullable<(typeof plans)[number]>) => [string, (at: OnDevice) => Promise<void>][]) => {
      await Promise.all(
        items.map((_, k) => {
          const plan = plans[k];
          if (!plan || errors[k] !== undefined) return undefined;
          const runs = work(k, plan).map(([s, run]) => {
            const d = devices.get(s)!;
            return 'err' in d ? Promise.reject(d.err) : run(d);
          });
          return allDone(runs).catch((err: unknown) => fail(k, err));
        }),
      );
    };
    const configure = (kind: DeviceConfig['kind']) =>
      step((k, plan) => [...plan.expected.values()].filter((c) => c.kind === kind).map((c) => [c.siteId, (at) => this.configure(c, items[k].serviceId, items[k].target!.txnId, plan.replace, kind === 'roadm' ? srgPacks(c.siteId) : undefined, at)]));
    await configure('roadm');
    await configure('xpdr');
    await step((k, plan) => plan.stale.map((s) => [s, (at) => this.prune(s, items[k].serviceId, this.names(plan.expected.get(s)), at)]));
    // Step 3's record for every service that got through, in two statements.
    const settled = items.map((_, k) => k).filter((k) => plans[k] && errors[k] === undefined);
    await sb.settleConfigs(this.db, settled.map((k) => ({ serviceId: items[k].serviceId, txnId: items[k].target?.txnId ?? null }))).catch((err: unknown) => settled.forEach((k) => fail(k, err)));
    return errors;
  }

  /**
   * The moves (indices) whose new design puts a channel where another move of the batch has one now:
   * same span and fiber pair, overlapping spectrum (from the designs: what the driver configured).
   */
  private async collidingMoves(items: readonly Convergence[]): Promise<Set<number>> {
    const out = new Set<number>();
    if (items.filter((it) => it.target).length < 2) return out;
    const rows = await sb.configsOfMany(this.db, items.map((it) => it.serviceId));
    const channels = (design: unknown) =>
      wavePaths(design).flatMap(({ path }) => path.wave!.segments.flatMap((sg) => sg.spanIds.map((span, i) => ({ key: `${span}/${sg.fiberPairs?.[i] ?? sg.fiberPair}`, lo: sg.centerFrequencyGhz - path.wave!.widthGhz / 2, hi: sg.centerFrequencyGhz + path.wave!.widthGhz / 2 }))));
    // What each move's old transactions hold now, by span and fiber pair.
    const old = new Map<string, { k: number; lo: number; hi: number }[]>();
    items.forEach((it, k) => {
      for (const r of (rows.get(it.serviceId) ?? []).filter((r) => r.txnId !== it.target?.txnId)) {
        for (const c of channels(r.design)) old.set(c.key, [...(old.get(c.key) ?? []), { k, lo: c.lo, hi: c.hi }]);
      }
    });
    items.forEach((it, k) => {
      if (!it.target) return;
      const hit = channels(it.target.design).some((c) => (old.get(c.key) ?? []).some((o) => o.k !== k && o.lo < c.hi && c.lo < o.hi));
      if (hit) out.add(k);
    });
    return out;
  }

  /** After a refused transaction: back to the service's previous configuration on the devices it touched. */
  private async undo(serviceId: string, txnId: string): Promise<void> {
    const index = await this.layout();
    const rows = await sb.configsOf(this.db, serviceId);
    const row = rows.find((r) => r.txnId === txnId);
    if (!row) return;
    const prev = rows.find((r) => r.state === 'active' && r.txnId !== txnId);
    let keep = new Map<string, DeviceConfig>();
    if (prev) {
      try {
        keep = this.expectedConfigs(index, serviceId, prev.txnId, prev.design, await sb.portsOf(this.db, serviceId, prev.txnId));
      } catch {
        keep = new Map();
      }
    }
    await this.each(row.sites.filter((s) => index.device(s)), (s) => this.prune(s, serviceId, this.names(keep.get(s))));
    // A shared transponder or add/drop port that was retuned gets the previous channel back.
    const srgPacks = (s: string) => new Set(index.device(s)?.kind === 'roadm' ? (index.device(s) as RoadmLayout).srgs.map((g) => g.circuitPack) : []);
    await this.each(row.sites.filter((s) => keep.has(s)), (s) => this.configure(keep.get(s)!, serviceId, prev!.txnId, true, srgPacks(s)));
    await sb.dropConfig(this.db, serviceId, txnId);
  }

  /**
   * Converges services on their transactions (convergeMany); per service, undefined or its error: a
   * refusal is undone and becomes DeviceRefusedError, unreachability DriverUnavailableError. Removal (no
   * target) is not undone and keeps a refusal's own error.
   */
  private async installMany(items: readonly Convergence[]): Promise<unknown[]> {
    // Moves whose new channels overlap another move's old ones go after the others' removals: the
    // device would refuse them in the combined add, and a refused combined edit is retried change by
    // change (a commit per change on a busy ROADM).
    const later = await this.collidingMoves(items).catch(() => new Set<number>());
    const errors: unknown[] = items.map(() => undefined);
    for (const group of [items.map((_, k) => k).filter((k) => !later.has(k)), [...later]]) {
      if (group.length === 0) continue;
      const out = await this.convergeMany(group.map((k) => items[k]));
      group.forEach((k, j) => (errors[k] = out[j]));
    }
    // A move the devices refused may have collided with another move's old entries, still on the
    // devices while the batch added its new ones: restoration's extra pass plans on the spectrum the
    // first pass's moves free, and all of them converge in one batch. Once the batch's removals are
    // done, the refused moves are tried once more (re-running a transaction converges) before undone.
    const refused = items.map((_, k) => k).filter((k) => errors[k] !== undefined && items[k].target && !isUnreachable(errors[k]));
    if (refused.length > 0 && refused.length < items.length) {
      const again = await this.convergeMany(refused.map((k) => items[k]));
      refused.forEach((k, j) => (errors[k] = again[j]));
    }
    return Promise.all(
      items.map(async ({ serviceId, target }, k) => {
        const err = errors[k];
        if (err === undefined) return undefined;
        if (isUnreachable(err)) return err instanceof DriverUnavailableError ? err : new DriverUnavailableError(errorText(err));
        if (!target) return err;
        // Refused: leave the devices as the service had them. If that cannot be done now, the next run
        // of this transaction (or the service's reconfiguration) converges.
        await this.undo(serviceId, target.txnId).catch(() => {});
        return err instanceof DeviceRefusedError ? err : new DeviceRefusedError(errorText(err));
      }),
    );
  }

  /** The ordering's activation (idempotent per order id). */
  apply(req: ActivationRequest): Promise<void> {
    return this.serial([req.serviceId], async () => {
      const removal = req.action === 'delete';
      if (!removal && wavePaths(req.design).length === 0) return; // dark fiber, packet: nothing on the devices
      const [err] = await this.installMany([removal ? { serviceId: req.serviceId, target: null, extraSites: wavePaths(req.design).flatMap((p) => p.path.siteIds) } : { serviceId: req.serviceId, target: { txnId: req.orderId, design: req.design } }]);
      if (err !== undefined) throw err;
    });
  }

  /**
   * Brings a service's device configuration in line with the store (after restoration moved it, or
   * after an activation gave up): its design when it is live, nothing when it is gone. Services with an
   * open order are left to that order's activation. `finish` is called, in a transaction that holds the
   * service row, once the devices match the design that row still has; if the design moved meanwhile,
   * the service is converged again.
   */
  async reconcile(serviceId: string, finish: (tx: Queryable) => Promise<void>): Promise<void> {
    const [err] = await this.reconcileMany([{ serviceId, finish }]);
    if (err !== undefined) throw err;
  }

  /**
   * reconcile for many services at once (a restoration's moves): each device gets one commit for the
   * new entries of all of them, then one for the removal of their old entries, instead of commits per
   * service. Resolves with one outcome per service: undefined, or the error reconcile would throw.
   */
  async reconcileMany(items: readonly { serviceId: string; finish: (tx: Queryable) => Promise<void> }[]): Promise<unknown[]> {
    const out: unknown[] = items.map(() => undefined);
    // One convergence per service at a time: a service listed twice waits for its first run.
    const seen = new Set<string>();
    const firsts: number[] = [];
    const rest: number[] = [];
    items.forEach((it, k) => {
      if (seen.has(it.serviceId)) rest.push(k);
      else {
        seen.add(it.serviceId);
        firsts.push(k);
      }
    });
    let pending = firsts;
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const ids = pending.map((k) => items[k].serviceId);
      const keys = await this.serial(ids, () => this.bringInLine(ids));
      const again: number[] = [];
      await Promise.all(
        pending.map(async (k, j) => {
          const r = keys[j];
          if ('error' in r) {
            out[k] = r.error;
            return;
          }
          try {
            const done = await this.db.transaction(async (tx) => {
              const svc = await sb.designForShare(tx, items[k].serviceId);
              const now = !svc || GONE.has(svc.state) ? 'none' : !CARRIED.has(svc.state) ? null : designKey(svc.design);
              if (r.key === null || now === r.key) {
                await items[k].finish(tx);
                return true;
              }
              return false;
            });
            if (!done) again.push(k);
          } catch (err) {
            out[k] = err;
          }
        }),
      );
      pending = again.sort((a, b) => a - b);
    }
    for (const k of pending) out[k] = new DriverUnavailableError(`the design of ${items[k].serviceId} kept changing while it was being configured`);
    if (rest.length > 0) {
      const later = await this.reconcileMany(rest.map((k) => items[k]));
      rest.forEach((k, j) => (out[k] = later[j]));
    }
    return out;
  }

  /**
   * One round of reconcileMany (under the services' serial): per service, the design key the devices
   * now carry ('none' when the service is gone, null when it is not the driver's to configure), or the
   * error to retry on.
   */
  private async bringInLine(serviceIds: readonly string[]): Promise<({ key: string | null } | { error: unknown })[]> {
    // Read for all at once (three queries, not three per service); the finish transaction re-reads each design under its lock.
    let read: { open: Set<string>; designs: Map<string, { state: string; design: unknown }>; configs: Map<string, sb.DeviceConfigRow[]> };
    try {
      const [open, designs, configs] = await Promise.all([sb.withOpenOrder(this.db, serviceIds), sb.designsOf(this.db, serviceIds), sb.configsOfMany(this.db, serviceIds)]);
      read = { open, designs, configs };
    } catch (err) {
      return serviceIds.map(() => ({ error: err }));
    }
    const decided = serviceIds.map((serviceId): { key: string | null; work?: Convergence } => {
      if (read.open.has(serviceId)) return { key: null };
      const svc = read.designs.get(serviceId);
      if (!svc || GONE.has(svc.state)) return { key: 'none', work: { serviceId, target: null } };
      if (!CARRIED.has(svc.state)) return { key: null };
      const k = designKey(svc.design);
      const rows = read.configs.get(serviceId) ?? [];
      const active = rows.find((r) => r.state === 'active');
      if (active && designKey(active.design) === k && rows.length === 1) return { key: k };
      const txnId = active && designKey(active.design) === k ? active.txnId : `rc-${k.slice(0, 16)}`;
      return { key: k, work: { serviceId, target: { txnId, design: svc.design } } };
    });
    const work = decided.flatMap((d) => ('work' in d && d.work ? [d.work] : []));
    const errors = await this.installMany(work);
    const errorOf = new Map(work.map((w, j) => [w.serviceId, errors[j]]));
    return decided.map((d, j) => {
      const err = errorOf.get(serviceIds[j]);
      if (err === undefined) return { key: d.key };
      // Unreachable: retried. A removal the devices refused: retried too (it has nothing to undo).
      if (err instanceof DriverUnavailableError || !d.work?.target) return { error: err };
      // A refused move was undone: the service keeps its previous configuration, and is reported.

      this.opts.onReconfigureFailed?.(serviceIds[j], errorText(err));
      return { key: d.key };
    });
  }

  /**
   * Compares every device's running configuration with what the store says it should carry (live
   * services' designs as configured): missing, extra and different cross-connects per device, and
   * the services whose design the devices do not carry yet.
   */
  async audit(): Promise<NetworkAudit> {
    const index = await this.layout();
    const [live, active, ports] = await Promise.all([sb.liveDesigns(this.db), sb.activeConfigs(this.db), sb.activePorts(this.db)]);
    const activeBy = new Map(active.map((r) => [r.serviceId, r]));
    const configs: DeviceConfig[] = [];
    const services: NetworkAudit['services'] = [];
    for (const svc of live) {
      if (wavePaths(svc.design).length === 0) continue;
      const row = activeBy.get(svc.id);
      if (!row) {
        services.push({ serviceId: svc.id, problem: 'not configured on the devices' });
        continue;
      }
      if (designKey(row.design) !== designKey(svc.design)) {
        services.push({ serviceId: svc.id, problem: `the devices carry transaction ${row.txnId}, not the service's current design` });
        continue;
      }
      try {
        configs.push(...this.expectedConfigs(index, svc.id, row.txnId, svc.design, ports.get(svc.id) ?? new Map()).values());
      } catch (err) {
        services.push({ serviceId: svc.id, problem: errorText(err) });
      }
    }
    const byNode = expectedByNode(configs);
    const devices = await this.directory.list();
    const out: NetworkAudit['devices'] = [];
    await Promise.all(
      devices.map(async (d) => {
        const nodeId = index.device(d.siteId)?.nodeId ?? d.nodeId;
        const expected = byNode.get(nodeId) ?? { connections: [], lines: [] };
        try {
          const running = await this.onDevice(d.siteId, (w) => w.read());
          out.push({ ...auditDevice(nodeId, expected, running), siteId: d.siteId, reachable: true });
        } catch (err) {
          out.push({ nodeId, siteId: d.siteId, reachable: false, error: errorText(err), missing: expected.connections, extra: [], different: [], missingLines: expected.lines, differentLines: [] });
        }
      }),
    );
    out.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
    return { devices: out, services, clean: services.length === 0 && out.every((d) => d.reachable && isClean(d)) };
  }

  /**
   * Add/drop ports free per ROADM site: not held by any transaction nor needed by a booking not
   * configured yet (what a new wave end or regenerator can have; SouthboundDriver.addDropFree).
   */
  async addDropFree(q: Queryable, view: NetworkView): Promise<Map<string, number>> {
    const index = this.layoutAt(view);
    const held = await sb.portsInUse(q);
    const out = new Map<string, number>();
    for (const d of index.devices) if (d.kind === 'roadm') out.set(d.siteId, d.srgs.reduce((n, g) => n + g.ports.length, 0) - (held.get(d.siteId) ?? 0));
    return out;
  }

  /** Commits made and changes carried, over every device (benchmarks). */
  stats(): { commits: number; changes: number } {
    let commits = 0;
    let changes = 0;
    for (const { writer } of this.writers.values()) {
      commits += writer.stats.commits;
      changes += writer.stats.changes;
    }
    return { commits, changes };
  }

  /** Closes every device session. */
  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.writer.close()));
    this.writers.clear();
  }
}
