/**
 * Fallback for servers whose GET /v1/network does not report span utilisation: the share of a span's
 * slots (all fiber pairs) that the visible services' wave segments hold. Packet trunks' own waves are
 * not in the services API, so ethernet and cloud-connect capacity is not counted here.
 */
import type { SpanFeature } from '../api/types.js';
import type { Service } from '../api/ordering-types.js';

/** Span id -> used share in [0, 1], for every span with a line system. */
export function spectrumUtilisation(spans: readonly SpanFeature[], services: readonly Service[]): Map<string, number> {
  const used = new Map<string, { fiberPairs: number; slotCount: number; bits: Uint8Array; count: number }>();
  for (const s of spans) {
    const ls = s.properties.lineSystem;
    if (ls === null || ls.fiberPairs <= 0 || ls.slotCount <= 0) continue;
    used.set(s.properties.id, { fiberPairs: ls.fiberPairs, slotCount: ls.slotCount, bits: new Uint8Array(ls.fiberPairs * ls.slotCount), count: 0 });
  }
  for (const svc of services) {
    if (svc.state === 'terminated') continue;
    for (const p of svc.design.paths) {
      for (const seg of p.wave?.segments ?? []) {
        for (const spanId of seg.spanIds) {
          const u = used.get(spanId);
          if (u === undefined || seg.fiberPair < 0 || seg.fiberPair >= u.fiberPairs) continue;
          const lo = Math.max(0, seg.startSlot);
          const hi = Math.min(u.slotCount, seg.startSlot + seg.slots);
          const base = seg.fiberPair * u.slotCount;
          // A slot held twice (working and protect never share one, but be safe) counts once.
          for (let k = lo; k < hi; k++) {
            if (u.bits[base + k] === 0) {
              u.bits[base + k] = 1;
              u.count++;
            }
          }
        }
      }
    }
  }
  const out = new Map<string, number>();
  for (const [id, u] of used) out.set(id, u.count / (u.fiberPairs * u.slotCount));
  return out;
}
