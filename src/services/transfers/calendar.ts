/**
 * From the calendar's allocations to the transfer engine's inputs and back: slots on a fixed grid since
 * the Unix epoch, each live trunk as one engine link with the capacity nobody else holds per slot, and the
 * engine's per-link holds packed into whole-Gbps unit ranges of the trunks (time-bounded allocations).
 * Pure functions; the service reads and writes.
 */
import { buildGraph, type Graph } from '../../engine/graph.js';
import { kShortestPaths } from '../../engine/paths.js';
import type { LinkHold, TransferNetwork, TransferPath } from '../../engine/transfers/index.js';
import type { StoredTransferPath, TransferTrunk, TrunkHold } from '../../store/transfers.js';

/** 15-minute slots (the default). */
export const SLOT_SECONDS = 900;

/** The planning horizon reaches at most this far ahead (14 days of 15-minute slots). */
export const MAX_HORIZON_SLOTS = 14 * 96;

/** Candidate paths per transfer (k shortest by latency over the trunk graph). */
export const CANDIDATE_PATHS = 3;

export function slotMs(slotSeconds = SLOT_SECONDS): number {
  return slotSeconds * 1000;
}

/** The slot (since the epoch) containing instant `ms`. */
export function slotOf(ms: number, slotSeconds = SLOT_SECONDS): number {
  return Math.floor(ms / slotMs(slotSeconds));
}

export function slotStartIso(slot: number, slotSeconds = SLOT_SECONDS): string {
  return new Date(slot * slotMs(slotSeconds)).toISOString();
}

/**
 * Free Gbps per trunk and slot: the trunk's capacity less every unit held at any time in the slot by
 * something else than a transfer (services, and anything not on the slot grid, count for the whole slot).
 */
export function transferNetwork(trunks: readonly TransferTrunk[], holds: readonly TrunkHold[], baseSlot: number, horizonSlots: number, slotSeconds = SLOT_SECONDS): TransferNetwork {
  const index = new Map(trunks.map((t, i) => [t.id, i]));
  const len = slotMs(slotSeconds);
  const t0 = baseSlot * len;
  // Per trunk and slot, the unit ranges held by others; their union is what transfers may not use.
  const ranges = trunks.map(() => new Map<number, [number, number][]>());
  for (const h of holds) {
    if (h.transferId !== null) continue;
    const e = index.get(h.trunkId);
    if (e === undefined) continue;
    const from = Math.max(0, Math.floor((h.fromMs - t0) / len));
    const to = Math.min(horizonSlots, h.toMs === null ? horizonSlots : Math.ceil((h.toMs - t0) / len));
    for (let t = from; t < to; t++) {
      const list = ranges[e].get(t) ?? [];
      list.push([Math.max(0, h.lo), Math.min(trunks[e].capacityGbps, h.hi)]);
      ranges[e].set(t, list);
    }
  }
  const free = trunks.map((tr, e) => {
    const row = new Float64Array(horizonSlots).fill(tr.capacityGbps);
    for (const [t, list] of ranges[e]) row[t] = tr.capacityGbps - unionSize(list);
    // Not lit yet (a trunk booked for a later window): nothing before the first whole slot it is lit.
    const lit = Math.min(horizonSlots, Math.max(0, Math.ceil((tr.litFromMs - t0) / len)));
    row.fill(0, 0, lit);
    return row;
  });
  return {
    slotSeconds,
    horizonSlots,
    // Trunk allocations are whole Gbps: schedule in whole Gbps so every hold is a unit range.
    quantumGbps: 1,
    links: trunks.map((t, e) => ({ id: t.id, freeGbps: free[e] })),
  };
}

/** The trunk graph (sites, trunks as edges) the candidate paths run on. */
export function trunkGraph(trunks: readonly TransferTrunk[]): Graph {
  const sites = [...new Set(trunks.flatMap((t) => [t.aSiteId, t.zSiteId]))].sort().map((id) => ({ id, lat: 0, lon: 0 }));
  return buildGraph(
    sites,
    trunks.map((t) => ({ id: t.id, aSiteId: t.aSiteId, zSiteId: t.zSiteId, lengthKm: t.lengthKm, latencyUs: t.latencyUs, srlgIds: [] })),
  );
}

/**
 * The k shortest trunk paths by latency from a to z, priced per Gbit: the ethernet product's per-Gbps
 * monthly price pro-rated to the second, scaled by distance (1 + km / 1000).
 */
export function candidateTrunkPaths(trunks: readonly TransferTrunk[], a: string, z: string, perGbpsMonthlyMinor: number, hoursPerMonth: number, k = CANDIDATE_PATHS): StoredTransferPath[] {
  if (trunks.length === 0) return [];
  const g = trunkGraph(trunks);
  if (g.nodeIndex(a) < 0 || g.nodeIndex(z) < 0) return [];
  const byId = new Map(trunks.map((t) => [t.id, t]));
  return kShortestPaths(g, a, z, k).paths.map((p) => {
    const trunkIds = p.spans.map((e) => g.spanIds[e]);
    const siteIds = p.nodes.map((n) => g.nodeIds[n]);
    const lengthKm = trunkIds.reduce((s, id) => s + (byId.get(id) as TransferTrunk).lengthKm, 0);
    return {
      id: trunkIds.join(','),
      trunkIds,
      siteIds,
      latencyUs: p.latencyUs,
      lengthKm,
      pricePerGbitMinor: (perGbpsMonthlyMinor * (1 + lengthKm / 1000)) / (hoursPerMonth * 3600),
    };
  });
}

/** A stored path as the engine's (trunk ids to link indices); null when a trunk is gone. */
export function enginePath(p: StoredTransferPath, linkOf: ReadonlyMap<string, number>): TransferPath | null {
  const links: number[] = [];
  for (const id of p.trunkIds) {
    const e = linkOf.get(id);
    if (e === undefined) return null;
    links.push(e);
  }
  return { id: p.id, links, latencyUs: p.latencyUs, pricePerGbitMinor: p.pricePerGbitMinor };
}

/** One allocation to write: units [lo, hi) of a trunk over slots [fromSlot, toSlot) (absolute). */
export interface PackedHold {
  trunkId: string;
  lo: number;
  hi: number;
  fromSlot: number;
  toSlot: number;
}

/**
 * Places holds (engine slots, relative to baseSlot) in unit ranges nobody holds in those slots. A run is
 * kept whole when enough units are free through all of it, else split per slot. The engine never holds
 * more than a slot had free when it planned, so null (no placement) means units were taken since:
 * another writer committed between the plan's read and this one.
 */
export function packHolds(trunks: readonly TransferTrunk[], occupied: readonly TrunkHold[], holds: readonly LinkHold[], baseSlot: number, slotSeconds = SLOT_SECONDS): PackedHold[] | null {
  const byId = new Map(trunks.map((t) => [t.id, t]));
  const len = slotMs(slotSeconds);
  const busy = new Map<string, Map<number, Uint8Array>>();
  const row = (trunkId: string, slot: number): Uint8Array => {
    let m = busy.get(trunkId);
    if (!m) busy.set(trunkId, (m = new Map()));
    let r = m.get(slot);
    if (!r) {
      const cap = (byId.get(trunkId) as TransferTrunk).capacityGbps;
      r = new Uint8Array(cap);
      const s0 = slot * len;
      const s1 = s0 + len;
      for (const h of occupied) if (h.trunkId === trunkId && h.fromMs < s1 && (h.toMs === null || h.toMs > s0)) r.fill(1, Math.max(0, h.lo), Math.min(cap, h.hi));
      m.set(slot, r);
    }
    return r;
  };
  const out: PackedHold[] = [];
  for (const h of holds) {
    if (!byId.has(h.linkId)) throw new Error(`internal: hold on unknown trunk ${h.linkId}`);
    const from = baseSlot + h.fromSlot;
    const to = baseSlot + h.toSlot;
    const need = Math.round(h.gbps);
    const rows = Array.from({ length: to - from }, (_, i) => row(h.linkId, from + i));
    const whole = freeRanges(rows, need);
    if (whole) {
      for (const [lo, hi] of whole) {
        for (const r of rows) r.fill(1, lo, hi);
        out.push({ trunkId: h.linkId, lo, hi, fromSlot: from, toSlot: to });
      }
      continue;
    }
    for (let s = from; s < to; s++) {
      const r = row(h.linkId, s);
      const ranges = freeRanges([r], need);
      if (!ranges) return null;
      for (const [lo, hi] of ranges) {
        r.fill(1, lo, hi);
        out.push({ trunkId: h.linkId, lo, hi, fromSlot: s, toSlot: s + 1 });
      }
    }
  }
  return out;
}

/** Lowest unit ranges free in every row, `need` units in all, or null. */
function freeRanges(rows: readonly Uint8Array[], need: number): [number, number][] | null {
  const cap = rows[0]?.length ?? 0;
  const ranges: [number, number][] = [];
  let left = need;
  let u = 0;
  while (u < cap && left > 0) {
    if (rows.some((r) => r[u] === 1)) {
      u++;
      continue;
    }
    let v = u;
    while (v < cap && v - u < left && rows.every((r) => r[v] === 0)) v++;
    ranges.push([u, v]);
    left -= v - u;
    u = v;
  }
  return left === 0 ? ranges : null;
}

/** Units covered by a set of ranges [lo, hi). */
function unionSize(list: [number, number][]): number {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  let size = 0;
  let end = -Infinity;
  for (const [lo, hi] of sorted) {
    if (hi <= end) continue;
    size += hi - Math.max(lo, end);
    end = hi;
  }
  return size;
}
