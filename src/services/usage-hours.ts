/**
 * Pure hourly roll-up of service activity: which clock hours (UTC) a service was active in, for how
 * many seconds, at what bandwidth. An hour counts once any part of it was active ("per started hour");
 * only hours that have ended by `closeBefore` are produced, so a record never changes once written.
 */

export const HOUR_MS = 3_600_000;

/** A service active over [fromMs, toMs); toMs null = still active. */
export interface ServiceActivity {
  serviceId: string;
  tenantId: string;
  product: string;
  /** null for products without a bandwidth (dark fiber). */
  bandwidthGbps: number | null;
  fromMs: number;
  toMs: number | null;
}

export interface HourUsage {
  serviceId: string;
  tenantId: string;
  product: string;
  /** Start of the UTC hour, ms since the epoch. */
  hourMs: number;
  /** Highest bandwidth active during the hour (peak billing); null when none was given. */
  bandwidthGbps: number | null;
  /** Seconds of the hour covered by any activity (overlaps counted once), 1..3600. */
  activeSeconds: number;
}

/** Start of the UTC hour containing t. */
export function floorHour(tMs: number): number {
  return Math.floor(tMs / HOUR_MS) * HOUR_MS;
}

/**
 * Usage rows for every (service, hour) with activity, for hours ending at or before closeBefore
 * (ms; rounded down to an hour). Tenant and product come from the service's latest interval.
 */
export function hourlyUsage(activity: readonly ServiceActivity[], closeBeforeMs: number): HourUsage[] {
  return usageBetween(activity, -Infinity, floorHour(closeBeforeMs));
}

/**
 * The hour in progress at nowMs, counted up to nowMs: what /v1/usage shows as `partial` until the
 * roll-up closes the hour (its seconds only grow until then).
 */
export function openHourUsage(activity: readonly ServiceActivity[], nowMs: number): HourUsage[] {
  return usageBetween(activity, floorHour(nowMs), nowMs);
}

/** Usage rows of the activity inside [startMs, close). */
function usageBetween(activity: readonly ServiceActivity[], startMs: number, close: number): HourUsage[] {
  const byService = new Map<string, ServiceActivity[]>();
  for (const a of activity) {
    const list = byService.get(a.serviceId);
    if (list) list.push(a);
    else byService.set(a.serviceId, [a]);
  }
  const out: HourUsage[] = [];
  for (const [serviceId, list] of byService) {
    const sorted = list
      .map((a) => ({ ...a, fromMs: Math.max(a.fromMs, startMs), toMs: Math.min(a.toMs ?? close, close) }))
      .filter((a) => a.toMs > a.fromMs)
      .sort((x, y) => x.fromMs - y.fromMs);
    if (sorted.length === 0) continue;
    const latest = list.reduce((m, a) => (a.fromMs >= m.fromMs ? a : m));
    // hour -> [peak bandwidth, merged intervals clipped to the hour]
    const hours = new Map<number, { peak: number | null; spans: Array<[number, number]> }>();
    for (const a of sorted) {
      for (let h = floorHour(a.fromMs); h < a.toMs; h += HOUR_MS) {
        const s = Math.max(a.fromMs, h);
        const e = Math.min(a.toMs, h + HOUR_MS);
        if (e <= s) continue;
        const slot = hours.get(h) ?? { peak: null, spans: [] };
        if (a.bandwidthGbps !== null) slot.peak = Math.max(slot.peak ?? 0, a.bandwidthGbps);
        slot.spans.push([s, e]);
        hours.set(h, slot);
      }
    }
    for (const [h, slot] of [...hours].sort((x, y) => x[0] - y[0])) {
      const activeMs = unionLength(slot.spans);
      // a sliver under a second still started the hour: bill at least one second
      const activeSeconds = Math.min(3600, Math.max(1, Math.round(activeMs / 1000)));
      out.push({ serviceId, tenantId: latest.tenantId, product: latest.product, hourMs: h, bandwidthGbps: slot.peak, activeSeconds });
    }
  }
  return out;
}

function unionLength(spans: Array<[number, number]>): number {
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [s, e] of spans) {
    if (s > curE) {
      if (curE > curS) total += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) {
      curE = e;
    }
  }
  if (curE > curS) total += curE - curS;
  return total;
}
