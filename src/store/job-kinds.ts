/** The kinds of leased background work (table `jobs`), in one place so use cases can enqueue each other's. */

/** Activate (or modify, or disconnect) an order through the southbound driver; subject = order id. */
export const ACTIVATE_ORDER = 'order.activate';

/** Remove a wholesale-terminated service's configuration from the devices; subject = service id. */
export const TEARDOWN_SERVICE = 'service.teardown';

/** Expire a held order that was not committed in time; subject = order id, run at its hold expiry. */
export const EXPIRE_HOLD = 'order.hold-expiry';

/** End a booking at its window's end: deactivate, release, mark ended; subject = service id. */
export const END_SERVICE = 'service.end';

/**
 * Bring one service's device configuration in line with the store (its design after restoration moved
 * it, nothing once it is gone); subject = service id. Written in the restoration's transaction.
 */
export const RECONFIGURE_SERVICE = 'service.reconfigure';

/** Bring every service in line with the current failures and repairs; one pending at a time. */
export const RESTORATION_JOB = { kind: 'restoration.run', subject: 'network' } as const;

/** Compute a capacity plan (MILP build-out over the store's network); subject = plan id. */
export const SOLVE_PLAN = 'plan.solve';
