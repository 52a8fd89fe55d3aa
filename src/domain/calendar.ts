/**
 * Time as a dimension of every product: booking windows, holds, recurrence limits, and the lifecycle
 * of orders and services as tables (state × event → next state, or refused). Pure: times are
 * milliseconds since the epoch passed in by the caller.
 */
import type { FieldError } from './errors.js';

/** A booking window [startMs, endMs); endMs null = open-ended. */
export interface BookingWindow {
  startMs: number;
  endMs: number | null;
}

/** Default and bounds of a hold (NSI-style two-phase reservation). */
export const DEFAULT_HOLD_SECONDS = 600;
export const MIN_HOLD_SECONDS = 1;
export const MAX_HOLD_SECONDS = 7 * 24 * 3600;

/** A start this far in the past is taken as "now" (clock skew between a client and the server). */
export const START_SKEW_MS = 5 * 60_000;

/** How far ahead a booking may start (the calendar is not a ten-year forward market). */
export const MAX_ADVANCE_MS = 3 * 366 * 24 * 3_600_000;

/** Occurrences a recurring booking may have at most. */
export const MAX_OCCURRENCES = 366;

/** Shortest window a booking may have. */
export const MIN_WINDOW_MS = 60_000;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds of an ISO-8601 time with a zone, or null when it is not one. */
export function parseIsoMs(v: unknown): number | null {
  if (typeof v !== 'string' || !ISO.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Validates a window as a customer gives it (`start`, `end`: ISO-8601 with a zone; start defaults to
 * now, end to open-ended). A start slightly in the past (clock skew) becomes now.
 */
export function parseWindow(input: { start?: unknown; end?: unknown }, nowMs: number, path = ''): { window: BookingWindow } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  let startMs = nowMs;
  if (input.start !== undefined && input.start !== null) {
    const s = parseIsoMs(input.start);
    if (s === null) errors.push({ path: `${path}/start`, message: 'must be an ISO-8601 time with a zone, e.g. 2026-12-08T09:00:00Z' });
    else if (s < nowMs - START_SKEW_MS) errors.push({ path: `${path}/start`, message: 'must not be in the past' });
    else if (s > nowMs + MAX_ADVANCE_MS) errors.push({ path: `${path}/start`, message: 'must be at most three years ahead' });
    else startMs = Math.max(s, nowMs);
  }
  let endMs: number | null = null;
  if (input.end !== undefined && input.end !== null) {
    const e = parseIsoMs(input.end);
    if (e === null) errors.push({ path: `${path}/end`, message: 'must be an ISO-8601 time with a zone, or null for open-ended' });
    else endMs = e;
  }
  if (errors.length === 0 && endMs !== null && endMs - startMs < MIN_WINDOW_MS) errors.push({ path: `${path}/end`, message: 'must be at least one minute after start' });
  return errors.length > 0 ? { errors } : { window: { startMs, endMs } };
}

/** True when two windows share an instant (half-open intervals). */
export function overlaps(a: BookingWindow, b: BookingWindow): boolean {
  return (b.endMs === null || a.startMs < b.endMs) && (a.endMs === null || b.startMs < a.endMs);
}

// ---- lifecycle tables -----------------------------------------------------------------------------

/**
 * Service states: `held` (capacity held while the customer decides), `scheduled` (booked, window not
 * started), `reserved` (activation under way), `active`, `down` (a failure keeps it from carrying
 * traffic), `ended` (its window is over), `terminated` (disconnected, cancelled, expired or failed).
 */
export const SERVICE_STATES = ['held', 'scheduled', 'reserved', 'active', 'down', 'ended', 'terminated'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** What can happen to a service. */
export const SERVICE_EVENTS = ['commit', 'hold-expired', 'cancel', 'start', 'activated', 'activation-failed', 'failure', 'restored', 'disconnect', 'window-ended'] as const;
export type ServiceEvent = (typeof SERVICE_EVENTS)[number];

/**
 * The service lifecycle: for each state, the events it accepts and where they lead; an event not listed
 * is refused (a request answers 409 conflict and changes nothing; a fact such as a failure leaves the
 * state as it is). A pair leading to the same state is accepted without a move: `commit` repeated
 * answers the same; a `failure` or repair of a booking not started yet leaves it booked (restoration
 * re-plans it for its window, or reports it at risk). `start` is its activation beginning (at the
 * window's start less the lead time; a commit or order whose start is due is followed by it at once);
 * `failure` means no path is left to carry it (one restoration reroutes or switches keeps it active);
 * `cancel` of a reserved booking is accepted only while its activation has not begun.
 */
export const SERVICE_LIFECYCLE: Readonly<Record<ServiceState, Partial<Record<ServiceEvent, ServiceState>>>> = {
  held: { commit: 'scheduled', 'hold-expired': 'terminated', cancel: 'terminated', disconnect: 'terminated', 'window-ended': 'terminated', failure: 'held', restored: 'held' },
  scheduled: { commit: 'scheduled', start: 'reserved', cancel: 'terminated', disconnect: 'terminated', 'window-ended': 'terminated', failure: 'scheduled', restored: 'scheduled' },
  reserved: { commit: 'reserved', start: 'reserved', activated: 'active', 'activation-failed': 'terminated', cancel: 'terminated', 'window-ended': 'terminated', failure: 'reserved', restored: 'reserved' },
  active: { commit: 'active', failure: 'down', restored: 'active', disconnect: 'terminated', 'window-ended': 'ended' },
  down: { commit: 'down', failure: 'down', restored: 'active', disconnect: 'terminated', 'window-ended': 'ended' },
  ended: { commit: 'ended' },
  terminated: {},
};

/** The next state, or null when the state refuses the event. */
export function nextServiceState(state: ServiceState, event: ServiceEvent): ServiceState | null {
  return SERVICE_LIFECYCLE[state][event] ?? null;
}

/** Order states (TMF641 names; `held` is the NSI reserve-then-commit phase). */
export const ORDER_STATES = ['held', 'acknowledged', 'inProgress', 'completed', 'failed', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_EVENTS = ['commit', 'hold-expired', 'cancel', 'start', 'succeeded', 'failed'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** The order lifecycle: an order can be cancelled until its activation starts. */
export const ORDER_LIFECYCLE: Readonly<Record<OrderState, Partial<Record<OrderEvent, OrderState>>>> = {
  held: { commit: 'acknowledged', 'hold-expired': 'cancelled', cancel: 'cancelled' },
  acknowledged: { start: 'inProgress', cancel: 'cancelled' },
  inProgress: { succeeded: 'completed', failed: 'failed' },
  completed: {},
  failed: {},
  cancelled: {},
};

/** The next order state, or null when refused. */
export function nextOrderState(state: OrderState, event: OrderEvent): OrderState | null {
  return ORDER_LIFECYCLE[state][event] ?? null;
}

/**
 * A booking's state once committed (or ordered without a hold): `scheduled`, followed at once by
 * `start` when its activation is already due.
 */
export function bookedServiceState(activationDue: boolean): ServiceState {
  const booked = SERVICE_LIFECYCLE.held.commit as ServiceState;
  return activationDue ? (SERVICE_LIFECYCLE[booked].start as ServiceState) : booked;
}
