/**
 * A transfer's schedule as a chart: one column per slot on a time axis, its height the rate, stacked
 * by path (one colour per candidate path), with lines at the deadline and the expected completion.
 * Pure layout (no DOM), so the portal's logic tests check it against the schedule.
 */
import type { Transfer } from '../api/ordering-types.js';

export const PATH_COLOURS: readonly string[] = ['#2563eb', '#d97706', '#059669', '#c026d3', '#0e9aa7'];

export interface ChartBar {
  slotStart: string;
  pathId: string;
  pathIndex: number;
  rateGbps: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** The y axis top (Gbps), a round number at or above the highest slot's total rate. */
  maxGbps: number;
  bars: ChartBar[];
  deadlineX: number;
  completionX: number;
  ticks: { x: number; label: string }[];
}

/** 1, 2, 5 x 10^k at or above v. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v - 1e-9) return m * p;
  return 10 * p;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** Layout of a transfer's schedule in a `width` x `height` plot area (axis labels below it). */
export function layoutSchedule(t: Pick<Transfer, 'schedule' | 'paths' | 'deadline' | 'earliestStart' | 'expectedCompletion'>, width: number, height: number): ChartLayout {
  const starts = t.schedule.map((e) => Date.parse(e.start));
  const ends = t.schedule.map((e) => Date.parse(e.end));
  const from = Math.min(Date.parse(t.earliestStart), ...starts);
  const to = Math.max(Date.parse(t.deadline), Date.parse(t.expectedCompletion), ...ends);
  const span = Math.max(1, to - from);
  const xOf = (ms: number) => ((ms - from) / span) * width;
  const maxGbps = niceCeil(Math.max(0, ...t.schedule.map((e) => e.rateGbps)));
  const pathIndex = new Map(t.paths.map((p, i) => [p.id, i]));
  const bars: ChartBar[] = [];
  for (const e of t.schedule) {
    const x0 = xOf(Date.parse(e.start));
    const x1 = xOf(Date.parse(e.end));
    let acc = 0;
    // Stacked in the order of the candidate paths (shortest first), so a path keeps its place.
    const parts = [...e.paths].sort((a, b) => (pathIndex.get(a.path) ?? 0) - (pathIndex.get(b.path) ?? 0));
    for (const p of parts) {
      const h = (p.rateGbps / maxGbps) * height;
      bars.push({ slotStart: e.start, pathId: p.path, pathIndex: pathIndex.get(p.path) ?? 0, rateGbps: p.rateGbps, x: x0, width: Math.max(0.5, x1 - x0), y: height - acc - h, height: h });
      acc += h;
    }
  }
  const hour = 3_600_000;
  const step = [1, 2, 3, 6, 12, 24, 48].map((h) => h * hour).find((s) => span / s <= 6) ?? 96 * hour;
  const ticks: { x: number; label: string }[] = [];
  for (let ms = Math.ceil(from / step) * step; ms <= to; ms += step) ticks.push({ x: xOf(ms), label: hhmm(ms) });
  return { width, height, maxGbps, bars, deadlineX: xOf(Date.parse(t.deadline)), completionX: xOf(Date.parse(t.expectedCompletion)), ticks };
}
