/** Number formatting for the portal: latency in ms and µs, lengths in km, shares in %. */

const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** One-way latency as milliseconds with two decimals, e.g. "12.35 ms". */
export function formatMs(latencyUs: number): string {
  return `${nf2.format(latencyUs / 1000)} ms`;
}

/** Latency in whole microseconds with thousands separators, e.g. "12,345 µs". */
export function formatUs(latencyUs: number): string {
  return `${nf0.format(latencyUs)} µs`;
}

/** Length in km: one decimal below 100 km, whole km above. */
export function formatKm(lengthKm: number): string {
  return `${lengthKm < 100 ? nf1.format(lengthKm) : nf0.format(lengthKm)} km`;
}

/** A 0..1 share as a whole percentage. */
export function formatPercent(share: number): string {
  return `${nf0.format(share * 100)} %`;
}

/** How much slower than the physical bound a latency is, e.g. "+38 %". */
export function formatStretch(latencyUs: number, lowerBoundUs: number): string {
  if (lowerBoundUs <= 0) return '—';
  return `+${nf0.format((latencyUs / lowerBoundUs - 1) * 100)} %`;
}
