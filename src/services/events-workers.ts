/**
 * The background jobs of the events area, for a server process: webhook delivery, the hourly usage
 * roll-up, and housekeeping of idempotency keys and finished deliveries. All keep their state in the
 * database, so any number of processes may run them.
 */
import type { Db } from '../store/db.js';
import { pruneDeliveries, pruneIdempotency } from '../store/webhooks.js';
import { UsageService } from './usage.js';
import { WebhookWorker, type WebhookWorkerOptions } from './webhooks-worker.js';

export interface EventWorkers {
  stop(): Promise<void>;
}

/** Idempotency keys are kept at least 24 h (CONVENTIONS); finished deliveries 30 days for inspection. */
export const KEEP_IDEMPOTENCY_MS = 48 * 3_600_000;
export const KEEP_DELIVERIES_MS = 30 * 24 * 3_600_000;

/** Deletes expired idempotency keys and old finished deliveries. */
export async function housekeeping(db: Db, nowMs: number = Date.now()): Promise<{ keys: number; deliveries: number }> {
  const keys = await pruneIdempotency(db, new Date(nowMs - KEEP_IDEMPOTENCY_MS));
  const deliveries = await pruneDeliveries(db, new Date(nowMs - KEEP_DELIVERIES_MS));
  return { keys, deliveries };
}

/** Starts webhook delivery, the hourly usage roll-up and hourly housekeeping; stop() ends all. */
export function startEventWorkers(db: Db, opts: { webhooks?: WebhookWorkerOptions; onError?: (err: unknown) => void } = {}): EventWorkers {
  const onError = opts.onError ?? (() => {});
  const worker = new WebhookWorker(db, opts.webhooks);
  worker.start();
  const stopUsage = new UsageService(db).startHourly(onError);
  const tidy = setInterval(() => void housekeeping(db).catch(onError), 3_600_000);
  tidy.unref();
  return {
    async stop() {
      clearInterval(tidy);
      await stopUsage();
      await worker.stop();
    },
  };
}
