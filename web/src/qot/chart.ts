/**
 * The GSNR along a quoted wave, span by span, as the chart draws it: pure, so the portal's logic
 * test and the e2e test read the same numbers the chart shows.
 */
import type { DesignPath } from '../api/ordering-types.js';

/** Bar and threshold colours (the e2e test counts their pixels). */
export const GSNR_BAR_COLOUR = '#2563eb';
export const THRESHOLD_COLOUR = '#dc2626';

/** One bar: the GSNR (0.1 nm) after a span, within its transparent segment. */
export interface GsnrBar {
  spanId: string;
  /** Index of the transparent segment (a regenerator starts the next). */
  segment: number;
  gsnr01nmDb: number;
  osnrAse01nmDb: number;
  /** The segment's mode threshold (required OSNR with its penalties), and that plus the operator's margin. */
  requiredOsnrDb: number;
  plannedDb: number;
}

/** The bars of a path's wave, in path order; empty when the path carries no wave quality. */
export function gsnrBars(path: DesignPath): GsnrBar[] {
  const out: GsnrBar[] = [];
  (path.wave?.segments ?? []).forEach((seg, i) => {
    const q = seg.qot;
    if (q === undefined) return;
    for (const s of q.perSpan) {
      out.push({ spanId: s.spanId, segment: i, gsnr01nmDb: s.gsnr01nmDb, osnrAse01nmDb: s.osnrAse01nmDb, requiredOsnrDb: q.requiredOsnrDb, plannedDb: q.requiredOsnrDb + q.policyMarginDb });
    }
  });
  return out;
}

/** The y range of the chart in dB: from a little under the lowest threshold to a little over the best GSNR. */
export function gsnrRange(bars: readonly GsnrBar[]): { minDb: number; maxDb: number } {
  const lo = Math.min(...bars.map((b) => Math.min(b.requiredOsnrDb, b.gsnr01nmDb)));
  const hi = Math.max(...bars.map((b) => Math.max(b.plannedDb, b.gsnr01nmDb)));
  return { minDb: Math.floor(lo - 2), maxDb: Math.ceil(hi + 1) };
}
