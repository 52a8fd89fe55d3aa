/**
 * The service lifecycle table (domain/calendar.ts) against behaviour: for every state × event, a
 * booking is brought into the state through the product's own operations, the event happens the way it
 * happens in production (a request, a job coming due, a cut or a repair), and the state that results
 * must be the table's (or unchanged where the table refuses; a refused request answers 409).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDrivers } from '../support/db.js';
import type { Db } from '../../src/store/db.js';
import { OrderingService } from '../../src/services/ordering/orders.js';
import { ActivationWorker } from '../../src/services/ordering/activation.js';
import { expireHold } from '../../src/services/ordering/changes.js';
import { ResilienceService } from '../../src/services/resilience/index.js';
import { SERVICE_EVENTS, SERVICE_LIFECYCLE, SERVICE_STATES, type ServiceEvent, type ServiceState } from '../../src/domain/calendar.js';
import { LightpathError } from '../../src/domain/errors.js';
import { alice, loadTinyNetwork } from '../ordering/support.js';
import { TEST_OPERATOR } from '../support/principals.js';
import { GateDriver, timeTravel } from './support.js';

const HOUR = 3_600_000;
/** Events that jobs bring about (no request): their audit records are the system's. */
const JOB_EVENTS = new Set<ServiceEvent>(['hold-expired', 'start', 'activated', 'activation-failed', 'window-ended']);

interface Booking {
  serviceId: string;
  orderId: string;
  /** Milliseconds from now to its start and to its end, when it was set up. */
  startInMs: number;
  endInMs: number;
  failureId?: string;
}

for (const driver of testDrivers()) {
  describe(`service lifecycle table on ${driver.name}`, () => {
    let db: Db;
    let ordering: OrderingService;
    let resilience: ResilienceService;
    let gate: GateDriver;
    let worker: ActivationWorker;
    before(async () => {
      db = await driver.open();
      // Enough spectrum for one wave per pair without reuse of freed slots mattering.
      await loadTinyNetwork(db, { slotCount: 384 });
      ordering = new OrderingService(db);
      resilience = new ResilienceService(db, { views: ordering.views, revert: 'auto' });
      gate = new GateDriver();
      worker = new ActivationWorker(db, gate, { concurrency: 1 }, [resilience.restorationJob()]);
    });
    after(async () => {
      await worker.close();
      await db.close();
    });

    const stateOf = async (b: Booking): Promise<string> => (await db.query<{ state: string }>('SELECT state FROM services WHERE id = $1', [b.serviceId])).rows[0].state;
    const runJobs = async (mode: GateDriver['mode']): Promise<void> => {
      gate.mode = mode;
      await worker.runOnce();
    };
    const iso = (ms: number): string => new Date(Date.now() + ms).toISOString();
    // An unprotected wave a -> c; cutting every span at a leaves it no path.
    const book = async (opts: { startInMs: number; endInMs: number; hold?: boolean }): Promise<Booking> => {
      const { order } = await ordering.placeOrder(alice, {
        product: 'wave', aSite: 'a', zSite: 'c', bandwidthGbps: 100, protection: 'unprotected',
        ...(opts.startInMs > 0 ? { start: iso(opts.startInMs) } : {}),
        end: iso(opts.endInMs),
        ...(opts.hold ? { hold: true, holdSeconds: 4 * 3600 } : {}),
      });
      return { serviceId: order.serviceId, orderId: order.id, startInMs: opts.startInMs, endInMs: opts.endInMs };
    };
    const cutA = async (): Promise<string> => (await resilience.cut(TEST_OPERATOR, { spans: ['a-b', 'a-c', 'd-a'] })).failure.id;

    /** Brings a fresh booking into a state through the product's operations. */
    const setups: Record<ServiceState, () => Promise<Booking>> = {
      held: () => book({ startInMs: 2 * HOUR, endInMs: 4 * HOUR, hold: true }),
      scheduled: () => book({ startInMs: 2 * HOUR, endInMs: 4 * HOUR }),
      reserved: () => book({ startInMs: 0, endInMs: 2 * HOUR }),
      active: async () => {
        const b = await book({ startInMs: 0, endInMs: 2 * HOUR });
        await runJobs('ok');
        return b;
      },
      down: async () => {
        const b = await setups.active();
        b.failureId = await cutA();
        return b;
      },
      ended: async () => {
        const b = await setups.active();
        await timeTravel(db, b.serviceId, b.endInMs + 1000);
        await runJobs('ok');
        return b;
      },
      terminated: async () => {
        const b = await setups.scheduled();
        await ordering.cancelOrder(alice, b.orderId);
        return b;
      },
    };

    /** Makes an event happen the way it does in production; returns the refusal of a request, if any. */
    const fire: Record<ServiceEvent, (b: Booking) => Promise<void>> = {
      commit: async (b) => void (await ordering.commitOrder(alice, b.orderId)),
      cancel: async (b) => void (await ordering.cancelOrder(alice, b.orderId)),
      // The hold-expiry job at the hold's end (what the leased job runs).
      'hold-expired': async (b) => {
        await db.query(`UPDATE orders SET hold_expires_at = now() - interval '1 second' WHERE id = $1 AND state = 'held'`, [b.orderId]);
        await db.transaction((tx) => expireHold(tx, b.orderId));
      },
      // The window's start comes; activation begins and the test holds it inside the driver.
      start: async (b) => {
        if (b.startInMs > 0) await timeTravel(db, b.serviceId, b.startInMs + 1000);
        gate.mode = 'block';
        const entered = gate.entered();
        const run = worker.runOnce();
        await Promise.race([entered, run]);
        const observed = await stateOf(b);
        gate.open();
        await run;
        // What the state was while activation was under way.
        (b as Booking & { observed?: string }).observed = observed;
      },
      activated: async () => runJobs('ok'),
      'activation-failed': async () => runJobs('fail'),
      // The cut runs its restoration pass at once (live services rerouted, bookings re-planned).
      failure: async () => void (await cutA()),
      restored: async (b) => {
        const id = b.failureId ?? (await resilience.cut(TEST_OPERATOR, { spans: ['c-d'] })).failure.id;
        await resilience.repair(TEST_OPERATOR, id);
        b.failureId = undefined;
      },
      disconnect: async (b) => {
        const order = await ordering.disconnectService(alice, b.serviceId);
        if (order.action === 'delete') await runJobs('ok');
      },
      'window-ended': async (b) => {
        await timeTravel(db, b.serviceId, b.endInMs + 1000);
        // Only the end job: whatever else the clock brings due is another event.
        await db.query(`DELETE FROM jobs WHERE kind <> 'service.end'`);
        await runJobs('ok');
      },
    };

    /** Leaves nothing behind for the next pair: open failures repaired, bookings gone, jobs cleared. */
    const clear = async (): Promise<void> => {
      for (const f of (await resilience.listFailures({ open: true })).items) await resilience.repair(TEST_OPERATOR, f.id);
      await db.query(`DELETE FROM jobs`);
      await db.query(`DELETE FROM allocations`);
      await db.query(`UPDATE orders SET state = 'cancelled', failure_reason = 'test cleanup' WHERE state IN ('held', 'acknowledged', 'inProgress')`);
      await db.query(`UPDATE services SET state = 'terminated' WHERE state <> 'terminated' AND state <> 'ended'`);
    };

    for (const state of SERVICE_STATES) {
      test(`from ${state}: every event leads where the table says, or is refused`, async () => {
        for (const event of SERVICE_EVENTS) {
          await clear();
          const b = await setups[state]();
          assert.equal(await stateOf(b), state, `setup of ${state}`);
          const expected = SERVICE_LIFECYCLE[state][event] ?? state;
          let refusal: unknown = null;
          const auditBefore = Number((await db.query<{ n: unknown }>('SELECT coalesce(max(id), 0) AS n FROM audit_log')).rows[0].n);
          try {
            await fire[event](b);
          } catch (err) {
            refusal = err;
          }
          const observed = (b as Booking & { observed?: string }).observed ?? (await stateOf(b));
          assert.equal(observed, expected, `${state} × ${event}: expected ${expected}, got ${observed}${refusal ? ` (${String(refusal)})` : ''}`);
          if (expected !== state) {
            // Every state change leaves an audit record; the ones the background work makes name the system.
            const rows = await db.query<{ action: string; actor_via: string; subject_id: string | null }>('SELECT action, actor_via, subject_id FROM audit_log WHERE id > $1', [auditBefore]);
            assert.ok(rows.rows.length > 0, `${state} × ${event}: no audit record`);
            if (JOB_EVENTS.has(event)) {
              const mine = rows.rows.filter((r) => r.actor_via === 'system' && (r.subject_id === b.serviceId || r.subject_id === b.orderId));
              assert.ok(mine.length > 0, `${state} × ${event}: no audit record by the system for the booking (${JSON.stringify(rows.rows)})`);
            }
          }
          if (refusal !== null) {
            // Only a refused request may fail, and then as a conflict.
            assert.equal(SERVICE_LIFECYCLE[state][event], undefined, `${state} × ${event} is allowed but failed: ${String(refusal)}`);
            assert.ok(refusal instanceof LightpathError && refusal.code === 'conflict', `${state} × ${event}: refused with ${String(refusal)}`);
          }
        }
      });
    }
  });
}
