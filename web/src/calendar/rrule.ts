/**
 * Weekly recurrences as RFC 5545 RRULEs ("every Monday and Wednesday, 6 times"): the rule string the
 * server expands (with the `rrule` library) and the same occurrences worked out here for the preview.
 * All in UTC: the picker shows UTC, and the server reads DTSTART as UTC.
 */

/** RFC 5545 weekday codes, Monday first (ISO week). */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_LABEL: Record<Weekday, string> = { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' };

const DAY_MS = 86_400_000;

function weekdayOf(ms: number): Weekday {
  return WEEKDAYS[(new Date(ms).getUTCDay() + 6) % 7];
}

/** Days in Monday-first order without repeats. */
function canonical(days: readonly Weekday[]): Weekday[] {
  return WEEKDAYS.filter((d) => days.includes(d));
}

/** The RRULE for "weekly on these days, count times", e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6. */
export function weeklyRule(days: readonly Weekday[], count: number): string {
  const by = canonical(days);
  if (by.length === 0) throw new Error('a weekly rule needs at least one weekday');
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  return `FREQ=WEEKLY;BYDAY=${by.join(',')};COUNT=${count}`;
}

/**
 * The first occurrence at or after startMs: the first day (from startMs's UTC date on) that is one of
 * the days, at startMs's UTC time of day. Used as DTSTART, so it is an occurrence itself (readers
 * differ on whether a DTSTART off the rule counts).
 */
export function firstOccurrenceMs(startMs: number, days: readonly Weekday[]): number {
  for (let i = 0; i < 7; i++) {
    const t = startMs + i * DAY_MS;
    if (days.includes(weekdayOf(t))) return t;
  }
  throw new Error('a weekly rule needs at least one weekday');
}

/** The occurrences [start, end) of the rule from firstOccurrenceMs(startMs, days), earliest first. */
export function weeklyOccurrences(startMs: number, days: readonly Weekday[], count: number, durationSeconds: number): { startMs: number; endMs: number }[] {
  const out: { startMs: number; endMs: number }[] = [];
  const set = canonical(days);
  if (set.length === 0) return out;
  // Whole UTC days from the first occurrence keep its time of day (UTC has no daylight saving).
  for (let t = firstOccurrenceMs(startMs, set); out.length < count; t += DAY_MS) {
    if (set.includes(weekdayOf(t))) out.push({ startMs: t, endMs: t + durationSeconds * 1000 });
  }
  return out;
}
