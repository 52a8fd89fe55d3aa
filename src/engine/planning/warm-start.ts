/**
 * Heuristic warm start for the build-out model: each demand on its first candidate route (the
 * shortest, or the shortest diverse pair) at the highest rate that route reaches, waves rounded up
 * and never taken down; then line systems to fit the slots and cables to free the fiber pairs,
 * rounded up. Returns null when that simple plan breaks a constraint (e.g. the fiber supply), so the
 * solver starts without it. It gives the MILP an incumbent at once; its effect is measured in
 * bench/plan.ts.
 */
import type { NetworkModel } from './network-model.js';
import { maxViolation } from './model.js';

export function networkWarmStart(nm: NetworkModel): Float64Array | null {
  const T = nm.periods;
  const x = new Float64Array(nm.model.colNames.length);
  const slots = nm.links.map(() => new Float64Array(T));
  nm.commodities.forEach((c, ci) => {
    const mine = nm.options.filter((o) => o.commodity === ci);
    if (mine.length === 0) return;
    // First route of the commodity = the routes' order; highest rate on it.
    const firstRoute = mine[0].links.join(',') + '|' + mine[0].protectLinks.join(',');
    const onFirst = mine.filter((o) => o.links.join(',') + '|' + o.protectLinks.join(',') === firstRoute);
    const o = onFirst.reduce((best, cur) => (cur.rateGbps > best.rateGbps ? cur : best));
    let waves = 0;
    for (let t = 0; t < T; t++) {
      waves = Math.max(waves, Math.ceil(c.gbps[t] / o.rateGbps));
      x[o.col[t]] = waves;
      for (const e of o.links) slots[e][t] += waves * o.mode.slots;
      for (const e of o.protectLinks) slots[e][t] += waves * (o.protectMode?.slots ?? 0);
    }
  });
  nm.links.forEach((l, e) => {
    let ls = 0;
    let cb = 0;
    for (let t = 0; t < T; t++) {
      const needPairs = Math.ceil((slots[e][t] + l.usedSlots0) / l.slotCount);
      ls = Math.max(ls, needPairs - l.litPairs0, 0);
      cb = Math.max(cb, Math.ceil(Math.max(0, ls - l.freePairs0) / (nm.strandsPerCable / 2)));
      x[nm.lineSystemCol[e][t]] = ls;
      x[nm.cableCol[e][t]] = cb;
      if (nm.routeCol[e][t] >= 0) x[nm.routeCol[e][t]] = cb > 0 ? 1 : 0;
    }
  });
  return maxViolation(nm.model, x).violation <= 1e-6 ? x : null;
}
