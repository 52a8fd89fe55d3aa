/** Composition of the ordering use cases over one database (the lead adds these to `Services`). */
import type { Db } from '../../store/db.js';
import { ActivationWorker, addDropOf, EmulatorDriver, emulatorOptionsFromEnv, type SouthboundDriver, type WorkerOptions } from './activation.js';
import { KeyService } from './keys.js';
import { OrderingService, type OrderingOptions } from './orders.js';
import { PriceBookService } from './pricebook.js';
import { QotPolicyService } from './qot-policy.js';

export { ActivationWorker, EmulatorDriver, type SouthboundDriver } from './activation.js';
export { KeyService, authenticate, createKey, ensureOperatorKey } from './keys.js';
export { OrderingService } from './orders.js';
export { PriceBookService } from './pricebook.js';
export { QotPolicyService } from './qot-policy.js';
export type { Principal } from './principal.js';

/** The ordering part of the service container. */
export interface OrderingServices {
  db: Db;
  ordering: OrderingService;
  priceBook: PriceBookService;
  /** The operator's QoT margin and unamplified dark-fiber maximum. */
  qotPolicy: QotPolicyService;
  keys: KeyService;
  /** Activation loop; not started until `worker.start()` (serve starts it, CLI one-shots need not). */
  worker: ActivationWorker;
}

/** Builds the ordering services; the driver defaults to the emulator configured from the environment. */
export function createOrderingServices(
  db: Db,
  opts: { driver?: SouthboundDriver; worker?: WorkerOptions; ordering?: OrderingOptions } = {},
): OrderingServices {
  const driver: SouthboundDriver = opts.driver ?? new EmulatorDriver(emulatorOptionsFromEnv());
  return {
    db,
    // Orders and quotes count add/drop ports where the driver knows them.
    ordering: new OrderingService(db, { ...opts.ordering, ...addDropOf(driver) }),
    priceBook: new PriceBookService(db),
    qotPolicy: new QotPolicyService(db),
    keys: new KeyService(db),
    worker: new ActivationWorker(db, driver, opts.worker),
  };
}

/** Stops the activation loop, waiting for in-flight activations to be recorded. */
export async function stopOrderingServices(s: Pick<OrderingServices, 'worker'>, opts: { handBackAfterMs?: number } = {}): Promise<void> {
  await s.worker.close(opts);
}
