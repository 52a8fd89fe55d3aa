/**
 * The composition root of the use cases: one object holding every service over one database, built
 * once per process (server or CLI command) and handed to the edges.
 */
import type { Db } from '../store/db.js';
import { InventoryService } from './inventory.js';
import { PathService } from './paths.js';
import { createOrderingServices, stopOrderingServices, type OrderingServices } from './ordering/index.js';
import { addDropOf, type SouthboundDriver } from './ordering/activation.js';
import { startEventWorkers, type EventWorkers } from './events-workers.js';
import { ResilienceService } from './resilience/index.js';
import { AuditService } from './audit.js';
import type { NetworkViewCache } from './ordering/network-view.js';
import { DeviceService, attachMonitor, createNetconf, type NetconfSouthbound, type SouthboundOptions } from './southbound/index.js';
import { TransferService } from './transfers/index.js';
import { PlanService } from './planning/index.js';

export interface Services extends OrderingServices {
  db: Db;
  inventory: InventoryService;
  paths: PathService;
  resilience: ResilienceService;
  audit: AuditService;
  /** Device inventory, reachability and audit. */
  devices: DeviceService;
  /** The NETCONF driver and alarm monitor, when the process drives devices (serve --driver netconf). */
  netconf: NetconfSouthbound | null;
  transfers: TransferService;
  /** Capacity plans (background solves, change sets). */
  plans: PlanService;
  /** Background loops (webhook delivery, usage roll-up) once startBackground ran. */
  background: EventWorkers | null;
}

export interface ServiceOptions {
  /** Southbound driver for activation (default: the emulator, configured from the environment). */
  driver?: SouthboundDriver;
  /** Poll interval of the activation worker. */
  workerPollMs?: number;
  /** Jobs the worker runs at once (default 4; device work is I/O-bound, so NETCONF setups raise it). */
  workerConcurrency?: number;
  /** Where this process starts first fit in a trunk's units (OrderingOptions.trunkStart). */
  trunkStart?: number;
  /** Drive devices over NETCONF (takes precedence over `driver`). */
  netconf?: SouthboundOptions;
}

/** Builds every service over one database. */
export function createServices(db: Db, opts: ServiceOptions = {}): Services {
  const inventory = new InventoryService(db);
  const paths = new PathService(inventory);
  let views: NetworkViewCache | null = null;
  const netconf = opts.netconf ? createNetconf(db, () => views as NetworkViewCache, opts.netconf) : null;
  const driver = netconf?.driver ?? opts.driver;
  const ordering = createOrderingServices(db, {
    ...(driver ? { driver } : {}),
    worker: { ...(opts.workerPollMs !== undefined ? { pollMs: opts.workerPollMs } : {}), ...(opts.workerConcurrency !== undefined ? { concurrency: opts.workerConcurrency } : {}) },
    ...(opts.trunkStart !== undefined ? { ordering: { trunkStart: opts.trunkStart } } : {}),
  });
  views = ordering.ordering.views;
  // Ordering and resilience plan over the same cached network view.
  // Waves lit for transfers are planned with the ordering context: same view, lit channels, in-flight waves.
  const transfers = new TransferService(db, { ordering: ordering.ordering.ctx });
  const resilience = new ResilienceService(db, {
    views: ordering.ordering.views,
    afterBatch: async (tx) => void (await transfers.replanAfterFailures(tx)),
    ...addDropOf(driver),
  });
  // One background loop runs every kind of leased job: activations, teardowns, restorations, plan solves.
  const plans = new PlanService(db, inventory);
  ordering.worker.register(resilience.restorationJob(), plans.solveJob());
  if (netconf && opts.netconf) attachMonitor(db, netconf, resilience, opts.netconf);
  return { ...ordering, db, inventory, paths, resilience, audit: new AuditService(db), transfers, plans, devices: new DeviceService(db, netconf), netconf, background: null };
}

/** Starts the long-running loops a server needs: order activation, webhook delivery, usage hours. */
export function startBackground(services: Services, onError: (err: unknown) => void = () => {}): void {
  services.worker.start();
  services.netconf?.monitor?.start();
  services.background ??= startEventWorkers(services.db, { onError });
}

/**
 * Stops background work (workers, timers); the database stays open. `handBackAfterMs`: jobs still running
 * after that long are handed back to the queue for another replica (a drain), instead of awaited.
 */
export async function stopServices(services: Services, opts: { handBackAfterMs?: number } = {}): Promise<void> {
  await stopOrderingServices(services, opts);
  if (services.netconf) {
    await services.netconf.monitor?.stop();
    await services.netconf.driver.close();
  }
  if (services.background) {
    await services.background.stop();
    services.background = null;
  }
}
