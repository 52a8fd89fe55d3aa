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

/** A 0..1 share as a percentage with one decimal below 10 %, so small loads do not all read "1 %". */
export function formatShare(share: number): string {
  const pct = share * 100;
  return pct > 0 && pct < 9.95 ? `${nf1.format(pct)} %` : `${nf0.format(pct)} %`;
}

/** How much slower than the physical bound a latency is, e.g. "+38 %". */
export function formatStretch(latencyUs: number, lowerBoundUs: number): string {
  if (lowerBoundUs <= 0) return '—';
  return `+${nf0.format((latencyUs / lowerBoundUs - 1) * 100)} %`;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Money in minor units (cents) as dollars, e.g. 123456 -> "$1,234.56". */
export function formatMoney(amountMinor: number): string {
  return usd.format(amountMinor / 100);
}

/** Dollars as typed ("1234.5", "$1,234.50") to whole cents; null when it is not an amount >= 0. */
export function parseMoney(text: string): number | null {
  const clean = text.trim().replace(/^\$/, '').replaceAll(',', '');
  if (!/^\d+(\.\d{0,2})?$/.test(clean)) return null;
  const [whole, frac = ''] = clean.split('.');
  const minor = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Cents as the plain dollar text parseMoney reads back, e.g. 123456 -> "1234.56". */
export function moneyInput(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}

/** Availability as a percentage with enough nines to tell services apart, e.g. "99.987 %". */
export function formatAvailability(share: number): string {
  if (share >= 1) return '100 %';
  // Show the digits up to the first non-nine after the point, plus one, at least three decimals.
  const pct = share * 100;
  let decimals = 3;
  while (decimals < 6 && (pct.toFixed(decimals).endsWith('.' + '9'.repeat(decimals)) || pct.toFixed(decimals).startsWith('100'))) decimals++;
  return `${pct.toFixed(decimals)} %`;
}

/** A timestamp as local date and time, minutes precision. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** Seconds as a short duration, e.g. "0 s", "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A level in dB with one decimal, e.g. "18.4 dB" (the API sends 0.01 dB). */
export function formatDb(db: number): string {
  return `${nf1.format(db)} dB`;
}
