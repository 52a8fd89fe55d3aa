/**
 * Greedy placement, the scheduler's fallback when an LP would take too long (and the building block of
 * the EDF baseline): fill the earliest slots first, each slot on the candidate paths in order (shortest
 * first), as fast as the free capacity and the rate cap allow, until the volume is placed. Deterministic,
 * linear in slots x paths x hops, and never moves anything already booked.
 */
import type { Calendar, NormRequest } from './state.js';

/**
 * Rates in quanta over [from, to) x paths (index (t - from) * K + p) delivering needQ quantum-slots on the
 * capacity `usageQ` leaves free (index e * H + t, quanta held by others), or null when it does not fit.
 */
export function greedyPlace(
  cal: Calendar,
  req: NormRequest,
  from: number,
  to: number,
  needQ: number,
  usageQ: Float64Array,
  lit: Float64Array = cal.lit,
  order: readonly number[] = req.paths.map((_, i) => i),
): Float64Array | null {
  const K = req.paths.length;
  const H = cal.H;
  const rates = new Float64Array(Math.max(0, to - from) * K);
  const own = new Map<number, number>();
  let left = needQ;
  for (let t = from; t < to && left > 0; t++) {
    let slotRate = 0;
    for (const p of order) {
      if (left <= 0) break;
      const path = req.paths[p];
      let room = Math.min(left, req.maxRateQ - slotRate);
      for (let j = 0; j < path.links.length && room > 0; j++) {
        const i = path.links[j] * H + t;
        const free = cal.linkCapacityQ(path.links[j], t, lit) - usageQ[i] - (own.get(i) ?? 0);
        room = Math.min(room, Math.floor(free / path.coef[j]));
      }
      if (room <= 0) continue;
      rates[(t - from) * K + p] = room;
      slotRate += room;
      left -= room;
      for (let j = 0; j < path.links.length; j++) {
        const i = path.links[j] * H + t;
        own.set(i, (own.get(i) ?? 0) + room * path.coef[j]);
      }
    }
  }
  return left > 0 ? null : rates;
}
