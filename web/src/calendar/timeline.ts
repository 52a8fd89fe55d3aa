/**
 * Layout of the bookings timeline: each booking a bar from its start to its end (open-ended ones run
 * off the right edge) on a time axis; bookings that overlap in time go on separate lanes. Pure, so
 * the packing and the scale are tested without a browser.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One booking to draw. */
export interface TimelineItem {
  id: string;
  startMs: number;
  /** null = open-ended. */
  endMs: number | null;
  state: string;
  label: string;
}

/** A placed bar: lane, x and width in pixels; whether it runs past either edge. */
export interface TimelineBar {
  item: TimelineItem;
  lane: number;
  x: number;
  width: number;
  clippedLeft: boolean;
  clippedRight: boolean;
}

export interface TimelineLayout {
  fromMs: number;
  toMs: number;
  lanes: number;
  bars: TimelineBar[];
  ticks: { x: number; ms: number; label: string }[];
  /** x of now, or null when now is off the axis. */
  nowX: number | null;
}

/** Narrowest bar drawn, so a one-hour booking on a 30-day axis can still be seen and clicked. */
export const MIN_BAR_PX = 4;

/**
 * Lanes by first fit in order of start: a booking takes the lowest lane whose bookings have all ended
 * by its start (half-open windows: one ending at 10:00 and one starting at 10:00 share a lane).
 * Returns the lane of each item, in the items' order.
 */
export function assignLanes(items: readonly TimelineItem[]): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a].startMs - items[b].startMs || a - b);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(items.length);
  for (const i of order) {
    const it = items[i];
    let lane = laneEnds.findIndex((end) => end <= it.startMs);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = it.endMs ?? Infinity;
    lanes[i] = lane;
  }
  return lanes;
}

/** The axis: a day before now to a week ahead, widened to show every booking's start and end (at most a year ahead). */
export function timelineRange(items: readonly TimelineItem[], nowMs: number): { fromMs: number; toMs: number } {
  const fromMs = Math.floor((nowMs - DAY_MS) / HOUR_MS) * HOUR_MS;
  let last = nowMs + 7 * DAY_MS;
  for (const it of items) last = Math.max(last, (it.endMs ?? it.startMs) + DAY_MS / 2);
  return { fromMs, toMs: Math.min(Math.ceil(last / DAY_MS) * DAY_MS, nowMs + 366 * DAY_MS) };
}

const TICK_STEPS = [HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 28 * DAY_MS];

/** Tick marks (UTC midnights or hours) at least minGapPx apart. */
export function ticks(fromMs: number, toMs: number, widthPx: number, minGapPx = 60): { x: number; ms: number; label: string }[] {
  const span = toMs - fromMs;
  if (span <= 0 || widthPx <= 0) return [];
  const step = TICK_STEPS.find((s) => (s / span) * widthPx >= minGapPx) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const out: { x: number; ms: number; label: string }[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) {
    const iso = new Date(t).toISOString();
    const label = step < DAY_MS ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(5, 10);
    out.push({ x: ((t - fromMs) / span) * widthPx, ms: t, label });
  }
  return out;
}

/** Lays the items out on [fromMs, toMs) over widthPx; items wholly outside the range are left out. */
export function layoutTimeline(items: readonly TimelineItem[], range: { fromMs: number; toMs: number }, widthPx: number, nowMs: number): TimelineLayout {
  const { fromMs, toMs } = range;
  const span = toMs - fromMs;
  const xOf = (ms: number) => ((ms - fromMs) / span) * widthPx;
  const shown = items.filter((it) => it.startMs < toMs && (it.endMs === null || it.endMs > fromMs));
  const lanes = assignLanes(shown);
  const bars = shown.map((item, i) => {
    const x0 = Math.max(0, xOf(item.startMs));
    const x1 = item.endMs === null ? widthPx : Math.min(widthPx, xOf(item.endMs));
    const width = Math.max(MIN_BAR_PX, x1 - x0);
    return { item, lane: lanes[i], x: Math.min(x0, widthPx - width), width, clippedLeft: item.startMs < fromMs, clippedRight: item.endMs === null || item.endMs > toMs };
  });
  return {
    fromMs,
    toMs,
    lanes: bars.reduce((n, b) => Math.max(n, b.lane + 1), 0),
    bars,
    ticks: ticks(fromMs, toMs, widthPx),
    nowX: nowMs >= fromMs && nowMs <= toMs ? xOf(nowMs) : null,
  };
}
