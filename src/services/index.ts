/**
 * The composition root of the use cases: one object holding every service over one database, built
 * once per process (server or CLI command) and handed to the edges.
 */
import type { Db } from '../store/db.js';
import { InventoryService } from './inventory.js';
import { PathService } from './paths.js';
import { createOrderingServices, stopOrderingServices, type OrderingServices } from './ordering/index.js';
import type { SouthboundDriver } from './ordering/activation.js';
import { startEventWorkers, type EventWorkers } from './events-workers.js';
import { ResilienceService } from './resilience/index.js';
import { AuditService } from './audit.js';
import { TransferService } from './transfers/index.js';

export interface Services extends OrderingServices {
  db: Db;
  inventory: InventoryService;
  paths: PathService;
  resilience: ResilienceService;
  audit: AuditService;
  transfers: TransferService;
  /** Background loops (webhook delivery, usage roll-up) once startBackground ran. */
  background: EventWorkers | null;
}

export interface ServiceOptions {
  /** Southbound driver for activation (default: the emulator, configured from the environment). */
  driver?: SouthboundDriver;
  /** Poll interval of the activation worker. */
  workerPollMs?: number;
}

/** Builds every service over one database. */
export function createServices(db: Db, opts: ServiceOptions = {}): Services {
  const inventory = new InventoryService(db);
  const paths = new PathService(inventory);
  const ordering = createOrderingServices(db, {
    ...(opts.driver ? { driver: opts.driver } : {}),
    ...(opts.workerPollMs !== undefined ? { worker: { pollMs: opts.workerPollMs } } : {}),
  });
  // Ordering and resilience plan over the same cached network view.
  const transfers = new TransferService(db);
  const resilience = new ResilienceService(db, { views: ordering.ordering.views, afterBatch: async (tx) => void (await transfers.replanAfterFailures(tx)) });
  // One background loop runs every kind of leased job: activations, teardowns, restorations.
  ordering.worker.register(resilience.restorationJob());
  return { ...ordering, db, inventory, paths, resilience, audit: new AuditService(db), transfers, background: null };
}

/** Starts the long-running loops a server needs: order activation, webhook delivery, usage hours. */
export function startBackground(services: Services, onError: (err: unknown) => void = () => {}): void {
  services.worker.start();
  services.background ??= startEventWorkers(services.db, { onError });
}

/** Stops background work (workers, timers); the database stays open. */
export async function stopServices(services: Services): Promise<void> {
  await stopOrderingServices(services);
  if (services.background) {
    await services.background.stop();
    services.background = null;
  }
}
