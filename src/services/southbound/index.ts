/**
 * The southbound use cases: the device inventory (list with reachability, register), the NETCONF
 * driver, the alarm monitor, and the network audit. Built by createServices when the process runs
 * the NETCONF driver; the device list works without it (reachability then unknown).
 */
import { LightpathError } from '../../domain/errors.js';
import type { Db } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import * as st from '../../store/ordering.js';
import * as sb from '../../store/southbound.js';
import { audit } from '../audit.js';
import type { Principal } from '../ordering/principal.js';
import type { NetworkViewCache } from '../ordering/network-view.js';
import type { ResilienceService } from '../resilience/index.js';
import type { LayoutOptions } from '../../southbound/openroadm/layout.js';
import { AlarmMonitor, type AlarmMonitorOptions } from './alarms.js';
import { DeviceDirectory, type CredentialSource, type DeviceRow, type DeviceStatus } from './directory.js';
import { NetconfDriver, type NetconfDriverOptions, type NetworkAudit } from './netconf-driver.js';

export { AlarmMonitor } from './alarms.js';
export { DeviceDirectory, loadCredentials, readDeviceFile, CredentialsError, type CredentialSource, type DeviceRow, type DeviceStatus } from './directory.js';
export { NetconfDriver, DeviceRefusedError, designKey, type NetworkAudit } from './netconf-driver.js';

/** How a process talks to its devices. */
export interface SouthboundOptions {
  credentials: CredentialSource;
  /** A fixed device inventory (from a file); default: the store's. */
  devices?: DeviceRow[];
  layout?: LayoutOptions;
  driver?: NetconfDriverOptions;
  /** Subscribe to the devices' alarms (default true). */
  monitor?: boolean;
  monitorOptions?: AlarmMonitorOptions;
}

/** The NETCONF side of a process. */
export interface NetconfSouthbound {
  directory: DeviceDirectory;
  driver: NetconfDriver;
  monitor: AlarmMonitor | null;
}

/** Builds the directory and driver (the monitor comes once restoration exists: attachMonitor). */
export function createNetconf(db: Db, views: () => NetworkViewCache, o: SouthboundOptions): NetconfSouthbound {
  const directory = new DeviceDirectory(db, o.credentials, o.devices ?? null);
  const driver = new NetconfDriver(db, views, directory, {
    layout: o.layout,
    ...o.driver,
    onReconfigureFailed: (serviceId, reason) => {
      o.driver?.onReconfigureFailed?.(serviceId, reason);
      void (async () => {
        const svc = await st.getService(db, serviceId, undefined);
        if (svc) await db.transaction((tx) => appendEvent(tx, { type: 'service.reconfigure-failed', tenantId: svc.tenantId, subject: { kind: 'service', id: serviceId }, data: { serviceId, reason } }));
      })().catch(() => {});
    },
  });
  return { directory, driver, monitor: null };
}

/** Adds the alarm monitor (it records failures through restoration). */
export function attachMonitor(db: Db, nb: NetconfSouthbound, resilience: ResilienceService, o: SouthboundOptions): void {
  if (o.monitor === false) return;
  nb.monitor = new AlarmMonitor(db, nb.directory, resilience, () => nb.driver.layout(), o.monitorOptions);
}

/** Devices as the API lists them. */
export type DeviceView = DeviceStatus;

/** Device inventory and audit. */
export class DeviceService {
  constructor(
    private readonly db: Db,
    readonly netconf: NetconfSouthbound | null,
  ) {}

  /** Every registered device with its reachability (null: this process does not talk to devices, or has not tried yet). */
  async list(): Promise<DeviceView[]> {
    if (this.netconf) return this.netconf.directory.statuses();
    return (await sb.listDevices(this.db)).map((d) => ({ ...d, reachable: null, since: null, lastError: null }));
  }

  /** Replaces the device inventory (audited). */
  async register(p: Principal, devices: readonly DeviceRow[]): Promise<DeviceRow[]> {
    const seen = new Set<string>();
    for (const d of devices) {
      if (seen.has(d.siteId)) throw new LightpathError('validation-failed', `site ${d.siteId} is listed twice`, [{ path: `/${d.siteId}`, message: 'one device per site' }]);
      seen.add(d.siteId);
    }
    return this.db.transaction(async (tx) => {
      const before = await sb.listDevices(tx);
      await sb.replaceDevices(tx, devices);
      await audit(tx, p, { action: 'devices.register', subject: { kind: 'devices', id: null }, before: { count: before.length }, after: { count: devices.length, sites: devices.map((d) => d.siteId) } });
      return sb.listDevices(tx);
    });
  }

  /** Running configuration against the store, on every device (needs the NETCONF driver). */
  async audit(): Promise<NetworkAudit> {
    if (!this.netconf) throw new LightpathError('conflict', 'this server does not talk to devices: start it with --driver netconf');
    return this.netconf.driver.audit();
  }
}
