/**
 * The availability strip: GET /v1/availability's intervals as segments of a bar over [from, to), and
 * a click on the bar turned into a start time. Pure.
 */
import type { AvailabilityOverTime } from '../api/ordering-types.js';

const HOUR_MS = 3_600_000;

export interface StripSegment {
  startMs: number;
  endMs: number;
  /** Fractions of the strip's width, 0..1. */
  x0: number;
  x1: number;
  feasible: boolean;
  count: number | null;
}

/** The intervals as fractions of [from, to), clipped to it, in time order. */
export function stripSegments(a: AvailabilityOverTime): StripSegment[] {
  const fromMs = Date.parse(a.from);
  const toMs = Date.parse(a.to);
  const span = toMs - fromMs;
  if (!(span > 0)) return [];
  return a.intervals
    .map((i) => ({ s: Math.max(fromMs, Date.parse(i.start)), e: Math.min(toMs, Date.parse(i.end)), i }))
    .filter(({ s, e }) => e > s)
    .sort((p, q) => p.s - q.s)
    .map(({ s, e, i }) => ({ startMs: s, endMs: e, x0: (s - fromMs) / span, x1: (e - fromMs) / span, feasible: i.feasible, count: i.count ?? null }));
}

/** The segment under a fraction of the width (the last one for 1). */
export function segmentAt(segments: readonly StripSegment[], fraction: number): StripSegment | null {
  return segments.find((s) => fraction >= s.x0 && fraction < s.x1) ?? (fraction >= 1 ? (segments[segments.length - 1] ?? null) : null);
}

/**
 * The start a click sets: the time under the pointer down to the hour, but not before the clicked
 * interval begins (then its start up to the next hour, if that is still inside it). Null = now (the
 * time is not in the future).
 */
export function startForClick(segments: readonly StripSegment[], fraction: number, fromMs: number, toMs: number, nowMs: number): number | null {
  const t = fromMs + Math.min(1, Math.max(0, fraction)) * (toMs - fromMs);
  let start = Math.floor(t / HOUR_MS) * HOUR_MS;
  const seg = segmentAt(segments, fraction);
  if (seg !== null && start < seg.startMs) {
    const up = Math.ceil(seg.startMs / HOUR_MS) * HOUR_MS;
    start = up < seg.endMs ? up : seg.startMs;
  }
  return start <= nowMs ? null : start;
}

/** Text of a segment, e.g. "Dec 7 09:00 – Dec 9 00:00 UTC: fits (3)". */
export function segmentText(s: StripSegment): string {
  const f = (ms: number) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
  const what = s.feasible ? `fits${s.count === null ? '' : s.count >= 16 ? ' (16 or more)' : ` (${s.count})`}` : 'no capacity';
  return `${f(s.startMs)} – ${f(s.endMs)} UTC: ${what}`;
}
