/** SLA accounting: downtime and availability of a service over a window, from its outage intervals. Pure. */

/** An outage as epoch milliseconds; endMs null = still down. */
export interface OutageMs {
  startMs: number;
  endMs: number | null;
}

/** Milliseconds of [fromMs, toMs) covered by at least one outage (overlaps counted once). */
export function downtimeMs(outages: readonly OutageMs[], fromMs: number, toMs: number): number {
  const clipped = outages
    .map((o) => [Math.max(o.startMs, fromMs), Math.min(o.endMs ?? Infinity, toMs)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else curEnd = Math.max(curEnd, b);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** 1 - downtime / window for [fromMs, toMs); 1 for an empty window. */
export function availabilityOf(outages: readonly OutageMs[], fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return 1;
  return 1 - downtimeMs(outages, fromMs, toMs) / (toMs - fromMs);
}
