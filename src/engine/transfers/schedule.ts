/**
 * Integer plans to the caller's units: schedules in Gbps and Gbit, and the holds the calendar stores
 * (runs of equal capacity per link, runs of lit waves).
 */
import type { Calendar, Plan } from './state.js';
import { priceOf } from './state.js';
import type { LinkHold, ScheduleEntry, TransferSchedule, WaveHold } from './types.js';

/** A plan as the service shows it. */
export function scheduleOf(cal: Calendar, plan: Plan): TransferSchedule {
  const K = plan.req.paths.length;
  const entries: ScheduleEntry[] = [];
  let delivered = 0;
  let completion = plan.req.earliest;
  for (let t = plan.req.earliest; t < plan.end; t++) {
    for (let p = 0; p < K; p++) {
      const r = plan.rates[(t - plan.req.earliest) * K + p];
      if (r === 0) continue;
      delivered += r;
      completion = t + 1;
      entries.push({ slot: t, path: p, pathId: plan.req.paths[p].id, rateGbps: r * cal.q, volumeGbit: r * cal.q * cal.slotSeconds });
    }
  }
  return { id: plan.req.id, entries, deliveredGbit: delivered * cal.q * cal.slotSeconds, completionSlot: completion, priceMinor: priceOf(plan) };
}

/** Capacity one plan holds per link from `fromSlot` on, as runs of equal rate (one calendar allocation each). */
export function linkHoldsOf(cal: Calendar, plan: Plan, fromSlot = plan.req.earliest): LinkHold[] {
  const K = plan.req.paths.length;
  const perLink = new Map<number, Float64Array>();
  const a = Math.max(fromSlot, plan.req.earliest);
  for (let t = a; t < plan.end; t++) {
    for (let p = 0; p < K; p++) {
      const r = plan.rates[(t - plan.req.earliest) * K + p];
      if (r === 0) continue;
      const path = plan.req.paths[p];
      for (let j = 0; j < path.links.length; j++) {
        let row = perLink.get(path.links[j]);
        if (!row) {
          row = new Float64Array(plan.end - a);
          perLink.set(path.links[j], row);
        }
        row[t - a] += r * path.coef[j];
      }
    }
  }
  const holds: LinkHold[] = [];
  for (const e of [...perLink.keys()].sort((x, y) => x - y)) {
    const row = perLink.get(e) as Float64Array;
    for (const run of runs(row)) holds.push({ link: e, linkId: cal.linkIds[e], fromSlot: a + run.from, toSlot: a + run.to, gbps: run.value * cal.q });
  }
  return holds;
}

/** Lit waves from `fromSlot` on, as runs of equal count per option. */
export function waveHoldsOf(cal: Calendar, fromSlot = 0, lit: Float64Array = cal.lit): WaveHold[] {
  const holds: WaveHold[] = [];
  for (let w = 0; w < cal.W; w++) {
    const row = lit.subarray(w * cal.H + fromSlot, (w + 1) * cal.H);
    for (const run of runs(row)) holds.push({ wave: w, waveId: cal.waves[w].id, fromSlot: fromSlot + run.from, toSlot: fromSlot + run.to, count: run.value });
  }
  return holds;
}

/** Maximal runs of equal nonzero values. */
function runs(row: ArrayLike<number>): { from: number; to: number; value: number }[] {
  const out: { from: number; to: number; value: number }[] = [];
  let i = 0;
  while (i < row.length) {
    const v = row[i];
    if (v === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < row.length && row[j] === v) j++;
    out.push({ from: i, to: j, value: v });
    i = j;
  }
  return out;
}
