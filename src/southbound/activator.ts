/**
 * Activation of waves on OpenROADM devices over NETCONF: for each device along a wave's path, in
 * order, lock the candidate, edit it (merge, rollback-on-error), commit, unlock, and read the
 * order's entries back (get-config filtered by circuit-id) to verify them. A failure on one device
 * undoes what the order configured on the devices before it. Shaped like the ordering's
 * SouthboundDriver (apply(request)), so it can stand in for the emulator driver.
 *
 * One session per device, shared by all orders, with a queue per device so that this process's
 * orders never interleave on a candidate; add/drop ports and transponders are chosen from the
 * device's configuration plus what this process's in-flight orders reserved.
 */
import { NetconfClient } from './netconf/client.js';
import { ManagedSession, type RetryOptions } from './netconf/reconnect.js';
import { el, type XElement } from './netconf/xml.js';
import { NS } from './openroadm/model.js';
import type { LayoutIndex } from './openroadm/layout.js';
import { MappingError, pickPorts, removalByOrder, sitesNeedingPorts, waveConfigs, type DeviceConfig, type PathInput, type PortChoice } from './openroadm/mapping.js';
import { isClean, verifyDevice, type DeviceAudit } from './openroadm/audit.js';

/** Where a device answers. */
export interface DeviceEndpoint {
  siteId: string;
  nodeId: string;
  host: string;
  port: number;
}

/** The request (the shape of the ordering's ActivationRequest). */
export interface WaveActivationRequest {
  orderId: string;
  action: 'add' | 'modify' | 'delete';
  design: { paths: PathInput[] };
}

export interface ActivatorOptions {
  username: string;
  password: string;
  rpcTimeoutMs?: number;
  retry?: RetryOptions;
  /** Lock the candidate around each edit and commit (default true). */
  lock?: boolean;
}

/** Activation failed on a device (after undoing the devices before it). */
export class ActivationError extends Error {
  constructor(
    message: string,
    readonly nodeId: string | null,
    cause: unknown,
    readonly audit?: DeviceAudit,
  ) {
    super(message, { cause });
    this.name = 'ActivationError';
  }
}

/** Time spent per device. */
export interface ActivationReport {
  orderId: string;
  devices: { nodeId: string; ms: number }[];
}

class Queue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => {});
    return next;
  }
}

/** The subtree filter selecting an order's interfaces and connections (by circuit-id). */
export function orderFilter(orderId: string): XElement[] {
  const d = (name: string, content?: string | XElement[]) => el(NS.device, name, content);
  return [d('org-openroadm-device', [d('interface', [d('circuit-id', orderId)]), d('roadm-connections', [d('circuit-id', orderId)])])];
}

/** The filter for port choice: every interface's name, port and owner. */
const PORTS_FILTER: XElement[] = [
  el(NS.device, 'org-openroadm-device', [el(NS.device, 'interface', [el(NS.device, 'name'), el(NS.device, 'supporting-circuit-pack-name'), el(NS.device, 'supporting-port'), el(NS.device, 'circuit-id')])]),
];

/** Drives devices over NETCONF. */
export class NetconfActivator {
  private readonly sessions = new Map<string, ManagedSession>();
  private readonly queues = new Map<string, Queue>();
  private readonly endpoints: Map<string, DeviceEndpoint>;
  /** Ports reserved by in-flight orders: site → "cp/port" → order id. */
  private readonly reserved = new Map<string, Map<string, string>>();

  constructor(
    readonly index: LayoutIndex,
    endpoints: readonly DeviceEndpoint[],
    private readonly opts: ActivatorOptions,
  ) {
    this.endpoints = new Map(endpoints.map((e) => [e.siteId, e]));
  }

  private session(siteId: string): ManagedSession {
    let s = this.sessions.get(siteId);
    if (!s) {
      const ep = this.endpoints.get(siteId);
      if (!ep) throw new ActivationError(`no device endpoint for site ${siteId}`, null, null);
      s = new ManagedSession({ host: ep.host, port: ep.port, username: this.opts.username, password: this.opts.password, rpcTimeoutMs: this.opts.rpcTimeoutMs }, this.opts.retry ?? { attempts: 3 });
      this.sessions.set(siteId, s);
    }
    return s;
  }

  private queue(siteId: string): Queue {
    let q = this.queues.get(siteId);
    if (!q) this.queues.set(siteId, (q = new Queue()));
    return q;
  }

  /** Runs fn with the device's session, after this process's other work on the device. */
  private onDevice<T>(siteId: string, fn: (c: NetconfClient) => Promise<T>): Promise<T> {
    return this.queue(siteId).run(async () => fn(await this.session(siteId).session()));
  }

  /** Edit, commit and verify one device's configuration for an order. */
  private configure(cfg: DeviceConfig, orderId: string): Promise<void> {
    return this.onDevice(cfg.siteId, async (c) => {
      await c.editAndCommit(cfg.config, { lock: this.opts.lock !== false });
      const running = await c.getConfig('running', orderFilter(orderId));
      const audit = verifyDevice(cfg, running, orderId);
      if (!isClean(audit)) throw new ActivationError(`${cfg.nodeId}: read-back differs from what was configured for ${orderId}`, cfg.nodeId, null, audit);
    });
  }

  /** Removes what an order holds on one device (by circuit-id). */
  private unconfigure(siteId: string, orderId: string): Promise<void> {
    return this.onDevice(siteId, async (c) => {
      const owned = await c.getConfig('running', orderFilter(orderId));
      const removal = removalByOrder(owned, orderId);
      if (removal[0].children.length === 0) return;
      await c.editAndCommit(removal, { lock: this.opts.lock !== false });
    });
  }

  private async choosePorts(orderId: string, path: PathInput): Promise<PortChoice> {
    const configs = new Map<string, XElement[]>();
    for (const siteId of sitesNeedingPorts(path)) {
      if (!this.index.device(siteId)) continue;
      const running = await this.onDevice(siteId, (c) => c.getConfig('running', PORTS_FILTER));
      // Ports this process's in-flight orders hold count as used, as if already configured.
      const extra = [...(this.reserved.get(siteId) ?? new Map<string, string>())].filter(([, o]) => o !== orderId);
      const dev = running.find((e) => e.name === 'org-openroadm-device') ?? el(NS.device, 'org-openroadm-device', []);
      const ghosts = extra.map(([key, owner]) => {
        const [cp, port] = key.split('/');
        return el(NS.device, 'interface', [el(NS.device, 'name', `reserved-${owner}`), el(NS.device, 'supporting-circuit-pack-name', cp), el(NS.device, 'supporting-port', port), el(NS.device, 'circuit-id', owner)]);
      });
      configs.set(siteId, [{ ...dev, children: [...dev.children, ...ghosts] }]);
    }
    const choice = pickPorts(this.index, orderId, path, configs);
    for (const [siteId, ports] of Object.entries(choice.addDrop ?? {})) {
      const dev = this.index.device(siteId);
      if (dev?.kind !== 'roadm') continue;
      for (const p of ports) this.reserve(siteId, `${dev.srgs.find((s) => s.srg === p.srg)!.circuitPack}/${p.port}`, orderId);
    }
    for (const [siteId, n] of Object.entries(choice.xponder ?? {})) {
      const dev = this.index.device(siteId);
      if (dev?.kind !== 'xpdr') continue;
      const x = dev.xponders.find((t) => t.xpdr === n)!;
      this.reserve(siteId, `${x.circuitPack}/${x.networkPort}`, orderId);
    }
    return choice;
  }

  private reserve(siteId: string, key: string, orderId: string): void {
    const m = this.reserved.get(siteId) ?? new Map<string, string>();
    m.set(key, orderId);
    this.reserved.set(siteId, m);
  }

  private release(orderId: string): void {
    for (const m of this.reserved.values()) for (const [k, o] of m) if (o === orderId) m.delete(k);
  }

  /** Configures one wave path, device by device in path order; undoes on failure. */
  async activatePath(orderId: string, path: PathInput): Promise<ActivationReport> {
    const report: ActivationReport = { orderId, devices: [] };
    if (!path.wave) return report;
    const done: string[] = [];
    try {
      const ports = await this.choosePorts(orderId, path);
      const configs = waveConfigs(this.index, orderId, path, ports);
      for (const cfg of configs) {
        const t0 = performance.now();
        done.push(cfg.siteId);
        try {
          await this.configure(cfg, orderId);
        } catch (err) {
          throw err instanceof ActivationError ? err : new ActivationError(`${cfg.nodeId}: ${err instanceof Error ? err.message : String(err)}`, cfg.nodeId, err);
        }
        report.devices.push({ nodeId: cfg.nodeId, ms: performance.now() - t0 });
      }
      return report;
    } catch (err) {
      for (const siteId of done.reverse()) await this.unconfigure(siteId, orderId).catch(() => {});
      if (err instanceof MappingError) throw new ActivationError(err.message, null, err);
      throw err;
    } finally {
      this.release(orderId);
    }
  }

  /** Removes everything an order holds on the devices of the given sites. */
  async removeOrder(orderId: string, siteIds: readonly string[]): Promise<void> {
    for (const siteId of new Set(siteIds)) if (this.index.device(siteId)) await this.unconfigure(siteId, orderId);
  }

  /**
   * The ordering's activation: add and modify configure every wave path of the design (working
   * and protect); delete removes what the order's design holds, found by circuit-id on its sites.
   * Paths without a wave (dark fiber, packet trunks) need no device configuration.
   */
  async apply(req: WaveActivationRequest): Promise<void> {
    if (req.action === 'delete') {
      await this.removeOrder(req.orderId, req.design.paths.flatMap((p) => p.siteIds));
      return;
    }
    const doneSites: string[] = [];
    try {
      for (const p of req.design.paths) {
        await this.activatePath(req.orderId, p);
        doneSites.push(...p.siteIds);
      }
    } catch (err) {
      await this.removeOrder(req.orderId, doneSites).catch(() => {});
      throw err;
    }
  }

  /** A device's running configuration (for audits). */
  runningConfig(siteId: string, filter?: XElement[]): Promise<XElement[]> {
    return this.onDevice(siteId, (c) => c.getConfig('running', filter));
  }

  /** Closes every session. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }
}
