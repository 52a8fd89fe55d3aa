/**
 * The "when" of a quote: start and end picked in UTC (shown with local time beside), presets, a hold,
 * and an optional weekly recurrence. Pure: the current time is an argument, so presets and checks are
 * tested without a clock. Limits are the server's own (src/domain/calendar.ts).
 */
import { DEFAULT_HOLD_SECONDS, MAX_HOLD_SECONDS, MAX_OCCURRENCES, MIN_WINDOW_MS } from '../../../src/domain/calendar.js';
import type { BookingRequest } from '../api/ordering-types.js';
import { WEEKDAYS, firstOccurrenceMs, weeklyOccurrences, weeklyRule } from './rrule.js';
import type { Weekday } from './rrule.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What the picker holds: times as typed in `<input type="datetime-local">`, read as UTC. */
export interface WhenForm {
  /** 'YYYY-MM-DDTHH:mm' in UTC; '' = now. */
  start: string;
  /** A DURATIONS id; 'until' = the `end` field. */
  duration: string;
  /** 'YYYY-MM-DDTHH:mm' in UTC, used when duration is 'until'. */
  end: string;
  hold: boolean;
  holdMinutes: string;
  repeat: boolean;
  days: Weekday[];
  /** Occurrences of the weekly recurrence, as typed. */
  count: string;
}

export const EMPTY_WHEN: WhenForm = { start: '', duration: 'open', end: '', hold: false, holdMinutes: String(DEFAULT_HOLD_SECONDS / 60), repeat: false, days: [], count: '4' };

/** Lengths offered for a booking; null seconds = open-ended, 'until' = an explicit end. */
export const DURATIONS: readonly { id: string; label: string; seconds: number | null }[] = [
  { id: 'open', label: 'Open-ended', seconds: null },
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '4h', label: '4 hours', seconds: 4 * 3600 },
  { id: '1d', label: '1 day', seconds: 24 * 3600 },
  { id: '1w', label: '1 week', seconds: 7 * 24 * 3600 },
  { id: '30d', label: '30 days', seconds: 30 * 24 * 3600 },
  { id: 'until', label: 'Until…', seconds: null },
];

const UTC_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A time as the UTC value of a datetime-local input ('YYYY-MM-DDTHH:mm', seconds dropped). */
export function toUtcInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Milliseconds of a 'YYYY-MM-DDTHH:mm' read as UTC, or null when it is not a real time. */
export function parseUtcInput(s: string): number | null {
  const m = UTC_INPUT.exec(s.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 31 Feb over into March: refuse what does not read back the same.
  return toUtcInput(ms) === s.trim() ? ms : null;
}

/** Start presets: ms of the start, or null for "now". */
export const START_PRESETS: readonly { id: string; label: string; at: (nowMs: number) => number | null }[] = [
  { id: 'now', label: 'Now', at: () => null },
  { id: 'next-hour', label: 'Next full hour', at: (now) => Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS },
  { id: 'tomorrow-9', label: 'Tomorrow 09:00 UTC', at: (now) => Math.floor(now / DAY_MS) * DAY_MS + DAY_MS + 9 * HOUR_MS },
  { id: 'monday-9', label: 'Next Monday 09:00 UTC', at: (now) => nextWeekdayAt(now, 'MO', 9) },
];

/** The first time strictly after now that is the given UTC weekday at hour:00 UTC. */
export function nextWeekdayAt(nowMs: number, day: Weekday, hour: number): number {
  const midnight = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (let i = 0; i <= 7; i++) {
    const t = midnight + i * DAY_MS + hour * HOUR_MS;
    if (t > nowMs && WEEKDAYS[(new Date(t).getUTCDay() + 6) % 7] === day) return t;
  }
  throw new Error('unreachable: every weekday comes within a week');
}

/** What the form asks the server for, the windows it expects (first few for a recurrence), or the problems. */
export type WhenResult =
  | { booking: BookingRequest; holdSeconds: number | null; startMs: number; endMs: number | null; recurring: boolean }
  | { errors: string[] };

/** Checks the picker and builds the booking fields of a quote (start, end or recurrence) and the hold. */
export function bookingOfWhen(f: WhenForm, nowMs: number): WhenResult {
  const errors: string[] = [];
  let startMs = nowMs;
  let explicitStart = false;
  if (f.start.trim() !== '') {
    const s = parseUtcInput(f.start);
    if (s === null) errors.push('Start must be a date and time (UTC).');
    // The server takes a start up to five minutes past as now; a minute's grace covers the form's rounding.
    else if (s < nowMs - MINUTE_MS) errors.push('Start must not be in the past.');
    else {
      startMs = Math.max(s, nowMs);
      explicitStart = s > nowMs;
    }
  }
  const preset = DURATIONS.find((d) => d.id === f.duration);
  if (preset === undefined) errors.push('Choose how long the booking lasts.');
  let endMs: number | null = null;
  if (preset?.id === 'until') {
    const e = parseUtcInput(f.end);
    if (e === null) errors.push('End must be a date and time (UTC).');
    else endMs = e;
  } else if (preset !== undefined && preset.seconds !== null) endMs = startMs + preset.seconds * 1000;
  if (endMs !== null && errors.length === 0 && endMs - startMs < MIN_WINDOW_MS) errors.push('End must be at least one minute after the start.');

  let holdSeconds: number | null = null;
  if (f.hold) {
    const min = Number(f.holdMinutes);
    if (f.holdMinutes.trim() === '' || !Number.isFinite(min) || min <= 0 || Math.round(min * 60) < 1 || min * 60 > MAX_HOLD_SECONDS) {
      errors.push(`Hold for between 1 second and ${MAX_HOLD_SECONDS / 86_400} days (minutes, e.g. 15 or 0.5).`);
    } else holdSeconds = Math.round(min * 60);
  }

  if (f.repeat) {
    const count = Number(f.count);
    if (f.days.length === 0) errors.push('Choose the weekdays the booking repeats on.');
    if (!Number.isInteger(count) || count < 1 || count > MAX_OCCURRENCES) errors.push(`Occurrences must be a whole number from 1 to ${MAX_OCCURRENCES}.`);
    if (preset === undefined || preset.id === 'open' || preset.id === 'until') errors.push('A repeating booking needs a length (1 hour, 1 day, …), not an end.');
    if (errors.length > 0 || preset === undefined || preset.seconds === null) return { errors };
    // DTSTART is the first occurrence itself, so the rule means the same in every RFC 5545 reader.
    const first = firstOccurrenceMs(startMs, f.days);
    const end = first + preset.seconds * 1000;
    // The server refuses occurrences that overlap (a week-long booking every Friday and Saturday).
    const occ = weeklyOccurrences(first, f.days, Math.min(count, f.days.length + 1), preset.seconds);
    if (occ.some((o, i) => i > 0 && occ[i - 1].endMs > o.startMs)) return { errors: ['Each occurrence must end before the next one starts: choose a shorter length or days further apart.'] };
    return {
      booking: { start: new Date(first).toISOString(), recurrence: { rrule: weeklyRule(f.days, count), durationSeconds: preset.seconds } },
      holdSeconds,
      startMs: first,
      endMs: end,
      recurring: true,
    };
  }
  if (errors.length > 0) return { errors };
  const booking: BookingRequest = {};
  if (explicitStart) booking.start = new Date(startMs).toISOString();
  if (endMs !== null) booking.end = new Date(endMs).toISOString();
  return { booking, holdSeconds, startMs, endMs, recurring: false };
}

/** A time in UTC for display, e.g. "Mon 2026-12-07 09:00 UTC". */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** The same time in the browser's zone, e.g. "Mon, Dec 7, 10:00 AM GMT+1". */
export function formatLocal(ms: number, timeZone?: string): string {
  return new Date(ms).toLocaleString('en-US', { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short', timeZone });
}

/** Time left on a hold as m:ss (h:mm:ss past an hour); 0:00 once expired. */
export function formatCountdown(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
