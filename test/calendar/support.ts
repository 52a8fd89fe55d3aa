/** Calendar test helpers: moving the clock forward for one booking, a driver the test can hold. */
import type { Db } from '../../src/store/db.js';
import { DriverUnavailableError, type ActivationRequest, type SouthboundDriver } from '../../src/services/ordering/activation.js';

/**
 * "Time passes" for one service: its window, its orders' windows and holds, its allocations and its
 * jobs move `ms` earlier, which is what the clock moving `ms` forward looks like to that booking. Only
 * one service's rows move (tests clear the others first), so the exclusion constraint still holds.
 */
export async function timeTravel(db: Db, serviceId: string, ms: number): Promise<void> {
  const iv = `${Math.round(ms)} milliseconds`;
  await db.transaction(async (tx) => {
    const orders = (await tx.query<{ id: string }>('SELECT id FROM orders WHERE service_id = $1', [serviceId])).rows.map((r) => r.id);
    await tx.query(`UPDATE services SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval WHERE id = $1`, [serviceId, iv]);
    await tx.query(`UPDATE orders SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval, hold_expires_at = hold_expires_at - $2::interval WHERE service_id = $1`, [serviceId, iv]);
    await tx.query(
      `UPDATE allocations SET during = tstzrange(lower(during) - $2::interval, upper(during) - $2::interval, '[)')
        WHERE (service_id = $1 OR order_id = ANY($3::text[])) AND NOT isempty(during)`,
      [serviceId, iv, orders],
    );
    await tx.query(`UPDATE jobs SET run_at = run_at - $2::interval WHERE subject = $1 OR subject = ANY($3::text[])`, [serviceId, iv, orders]);
  });
}

/** A southbound driver the test steers: succeed, refuse, or block until released (then unreachable). */
export class GateDriver implements SouthboundDriver {
  mode: 'ok' | 'fail' | 'block' = 'ok';
  calls: ActivationRequest[] = [];
  private release: (() => void) | null = null;
  private enteredWaiters: (() => void)[] = [];

  async apply(req: ActivationRequest): Promise<void> {
    this.calls.push(req);
    if (this.mode === 'fail') throw new Error('refused by the test');
    if (this.mode === 'block') {
      for (const w of this.enteredWaiters.splice(0)) w();
      await new Promise<void>((resolve) => (this.release = resolve));
      throw new DriverUnavailableError('held by the test, then unreachable');
    }
  }

  /** Resolves when a blocked call has entered the driver. */
  entered(): Promise<void> {
    return new Promise((resolve) => this.enteredWaiters.push(resolve));
  }

  /** Lets a blocked call go (it reports the network unreachable, so its job is retried later). */
  open(): void {
    this.release?.();
    this.release = null;
  }
}
