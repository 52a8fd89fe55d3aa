/**
 * The time part of a quote or order: one window (`start`, `end`), a recurrence (RFC 5545 RRULE with a
 * duration, expanded with the `rrule` library) or an explicit list of windows; a hold (`hold`,
 * `holdSeconds`); and, for recurring bookings, whether only the feasible occurrences are wanted
 * (`partial`). Everything else in the body is the circuit (domain/products.ts).
 */
import rrulePkg from 'rrule';
import { validationFailed, type FieldError } from '../../domain/errors.js';
import { DEFAULT_HOLD_SECONDS, MAX_HOLD_SECONDS, MAX_OCCURRENCES, MIN_HOLD_SECONDS, MIN_WINDOW_MS, parseIsoMs, parseWindow, type BookingWindow } from '../../domain/calendar.js';

// rrule is CommonJS with a default export; under NodeNext its named exports hang off the default.
const { rrulestr } = rrulePkg as unknown as { rrulestr: (s: string, o: { dtstart: Date }) => { all(iterator?: (d: Date, i: number) => boolean): Date[] } };

/** The time fields a quote or order may carry. */
export const BOOKING_FIELDS = ['start', 'end', 'hold', 'holdSeconds', 'recurrence', 'windows', 'partial'] as const;

/** A parsed booking. */
export interface Booking {
  /** The windows booked, earliest first (one unless recurring). */
  windows: BookingWindow[];
  /** Seconds the capacity is held before it must be committed; null = order straight away. */
  holdSeconds: number | null;
  /** True for a recurrence or a list of windows (a series of occurrences). */
  recurring: boolean;
  /** Recurring: book the feasible occurrences only, instead of all or nothing. */
  partial: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits a body into its circuit fields and its booking. Throws validation-failed with every problem. */
export function parseBooking(input: unknown, nowMs: number, opts: { allowHold: boolean }): { circuit: Record<string, unknown>; booking: Booking } {
  if (!isObject(input)) throw validationFailed('invalid request', [{ path: '', message: 'must be an object' }]);
  const circuit: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!(BOOKING_FIELDS as readonly string[]).includes(k)) circuit[k] = v;
  const errors: FieldError[] = [];
  const holdSeconds = parseHold(input, opts.allowHold, errors);
  if (input.partial !== undefined && typeof input.partial !== 'boolean') errors.push({ path: '/partial', message: 'must be true or false' });
  const windows: BookingWindow[] = [];
  const recurring = input.recurrence !== undefined || input.windows !== undefined;
  if (input.recurrence !== undefined && input.windows !== undefined) errors.push({ path: '/windows', message: 'give a recurrence or a list of windows, not both' });
  if (input.windows !== undefined) {
    if (input.start !== undefined || input.end !== undefined) errors.push({ path: '/windows', message: 'with a list of windows, each window has its own start and end' });
    if (!Array.isArray(input.windows) || input.windows.length === 0 || input.windows.length > MAX_OCCURRENCES) errors.push({ path: '/windows', message: `must be a list of 1 to ${MAX_OCCURRENCES} windows` });
    else {
      input.windows.forEach((w, i) => {
        if (!isObject(w)) return errors.push({ path: `/windows/${i}`, message: 'must be {start, end}' });
        if (w.end === undefined || w.end === null) return errors.push({ path: `/windows/${i}/end`, message: 'every window of a series ends' });
        const r = parseWindow(w, nowMs, `/windows/${i}`);
        if ('errors' in r) errors.push(...r.errors);
        else windows.push(r.window);
      });
    }
  } else if (input.recurrence !== undefined) {
    const r = expandRecurrence(input, nowMs, errors);
    windows.push(...r);
  } else {
    const r = parseWindow(input, nowMs);
    if ('errors' in r) errors.push(...r.errors);
    else windows.push(r.window);
  }
  if (!recurring && input.partial !== undefined) errors.push({ path: '/partial', message: 'applies to recurring bookings' });
  windows.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < windows.length; i++) {
    const prev = windows[i - 1];
    if (prev.endMs !== null && prev.endMs > windows[i].startMs) errors.push({ path: '/windows', message: `occurrences must not overlap (${new Date(prev.startMs).toISOString()} and ${new Date(windows[i].startMs).toISOString()})` });
  }
  if (errors.length > 0) throw validationFailed('invalid booking', errors);
  return { circuit, booking: { windows, holdSeconds, recurring, partial: input.partial === true } };
}

/** `hold` / `holdSeconds`: the hold's length in seconds, or null for an order placed straight away. */
export function parseHold(input: Record<string, unknown>, allowHold: boolean, errors: FieldError[]): number | null {
  if (input.hold !== undefined && input.hold !== false) {
    if (!allowHold) errors.push({ path: '/hold', message: 'quotes reserve nothing: hold applies to orders' });
    else if (input.hold !== true) errors.push({ path: '/hold', message: 'must be true or false' });
    else {
      const s = input.holdSeconds ?? DEFAULT_HOLD_SECONDS;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < MIN_HOLD_SECONDS || s > MAX_HOLD_SECONDS) errors.push({ path: '/holdSeconds', message: `must be an integer in [${MIN_HOLD_SECONDS}, ${MAX_HOLD_SECONDS}]` });
      else return s;
    }
  } else if (input.holdSeconds !== undefined) errors.push({ path: '/holdSeconds', message: 'applies only with "hold": true' });
  return null;
}

/**
 * Occurrences of `recurrence: {rrule, durationSeconds}` starting at `start` (the first occurrence's
 * DTSTART; required). The rule must bound itself (COUNT or UNTIL) to at most MAX_OCCURRENCES.
 */
function expandRecurrence(input: Record<string, unknown>, nowMs: number, errors: FieldError[]): BookingWindow[] {
  const rec = input.recurrence;
  if (!isObject(rec)) {
    errors.push({ path: '/recurrence', message: 'must be {rrule, durationSeconds}' });
    return [];
  }
  const startMs = parseIsoMs(input.start);
  if (startMs === null) errors.push({ path: '/start', message: 'a recurrence needs the first occurrence\'s start (ISO-8601 with a zone)' });
  if (input.end !== undefined) errors.push({ path: '/end', message: 'a recurrence gives each occurrence durationSeconds, not an end' });
  const duration = rec.durationSeconds;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration * 1000 < MIN_WINDOW_MS || duration > 366 * 24 * 3600) {
    errors.push({ path: '/recurrence/durationSeconds', message: 'must be an integer number of seconds, at least 60' });
  }
  const rule = rec.rrule;
  if (typeof rule !== 'string' || rule.length > 500 || !/^(RRULE:)?FREQ=/i.test(rule)) {
    errors.push({ path: '/recurrence/rrule', message: 'must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=SA;COUNT=12' });
  } else if (!/(^|;)(COUNT|UNTIL)=/i.test(rule)) {
    errors.push({ path: '/recurrence/rrule', message: 'must end: give COUNT or UNTIL' });
  }
  for (const k of Object.keys(rec)) if (k !== 'rrule' && k !== 'durationSeconds') errors.push({ path: `/recurrence/${k}`, message: 'unknown field' });
  if (errors.length > 0 || startMs === null) return [];
  let starts: Date[];
  try {
    starts = rrulestr((rule as string).replace(/^RRULE:/i, ''), { dtstart: new Date(startMs) }).all((_d, i) => i < MAX_OCCURRENCES + 1);
  } catch (err) {
    errors.push({ path: '/recurrence/rrule', message: `not a valid RRULE: ${(err as Error).message}` });
    return [];
  }
  if (starts.length === 0) errors.push({ path: '/recurrence/rrule', message: 'has no occurrence' });
  if (starts.length > MAX_OCCURRENCES) errors.push({ path: '/recurrence/rrule', message: `has more than ${MAX_OCCURRENCES} occurrences` });
  const out: BookingWindow[] = [];
  for (const [i, d] of starts.slice(0, MAX_OCCURRENCES).entries()) {
    const r = parseWindow({ start: d.toISOString(), end: new Date(d.getTime() + (duration as number) * 1000).toISOString() }, nowMs, `/recurrence/occurrences/${i}`);
    if ('errors' in r) errors.push(...r.errors);
    else out.push(r.window);
  }
  return out;
}

/** ISO strings of a window, with null for "now" (start) when it is now, and open-ended end. */
export function windowIso(w: BookingWindow): { start: string; end: string | null } {
  return { start: new Date(w.startMs).toISOString(), end: w.endMs === null ? null : new Date(w.endMs).toISOString() };
}
