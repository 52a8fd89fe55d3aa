/** The kinds of leased background work (table `jobs`), in one place so use cases can enqueue each other's. */

/** Activate (or modify, or disconnect) an order through the southbound driver; subject = order id. */
export const ACTIVATE_ORDER = 'order.activate';

/** Remove a wholesale-terminated service's configuration from the devices; subject = service id. */
export const TEARDOWN_SERVICE = 'service.teardown';

/** Bring every service in line with the current failures and repairs; one pending at a time. */
export const RESTORATION_JOB = { kind: 'restoration.run', subject: 'network' } as const;
