/**
 * Independent checker for transfer schedules: reads only the inputs (network, requests) and the outputs
 * (schedules, lit waves, promised prices) and verifies the promises from first principles. Shares no code
 * with the engine; all sums in plain floating point with a relative tolerance far below one quantum.
 */
import type { TransferNetwork, TransferRequest, TransferSchedule, WaveHold } from '../../../src/engine/transfers/index.js';

export interface CheckInput {
  network: TransferNetwork;
  requests: readonly TransferRequest[];
  schedules: readonly TransferSchedule[];
  waveHolds?: readonly WaveHold[];
  /** Promised price per transfer id: a schedule may cost at most this. */
  promised?: ReadonlyMap<string, number>;
  /** Transfers allowed to finish after their deadline (late after a cut), with their allowed end slot. */
  lateUntil?: ReadonlyMap<string, number>;
  /** Slots before this are not checked against capacity (capacity may have changed since, e.g. a cut). */
  capacityFrom?: number;
  /** Transfers allowed to deliver less than their volume (a cut left no way to finish within the horizon). */
  partial?: ReadonlySet<string>;
}

const REL = 1e-9;

/** Every violation found (empty: all promises kept). */
export function violations(input: CheckInput): string[] {
  const { network, requests, schedules } = input;
  const out: string[] = [];
  const H = network.horizonSlots;
  const byId = new Map(requests.map((r) => [r.id, r]));
  const load = network.links.map(() => new Array<number>(H).fill(0));
  for (const s of schedules) {
    const r = byId.get(s.id);
    if (!r) {
      out.push(`${s.id}: schedule for an unknown request`);
      continue;
    }
    const end = input.lateUntil?.get(s.id) ?? r.deadlineSlot;
    const perSlot = new Map<number, number>();
    let delivered = 0;
    let price = 0;
    for (const e of s.entries) {
      if (e.slot < r.earliestSlot) out.push(`${s.id}: traffic in slot ${e.slot}, before its earliest start ${r.earliestSlot}`);
      if (e.slot >= end) out.push(`${s.id}: traffic in slot ${e.slot}, at or after its end ${end}`);
      if (!(e.rateGbps > 0)) out.push(`${s.id}: non-positive rate ${e.rateGbps} in slot ${e.slot}`);
      const path = r.paths[e.path];
      if (!path || path.id !== e.pathId) {
        out.push(`${s.id}: unknown path ${e.path} (${e.pathId})`);
        continue;
      }
      perSlot.set(e.slot, (perSlot.get(e.slot) ?? 0) + e.rateGbps);
      const gbit = e.rateGbps * network.slotSeconds;
      if (Math.abs(gbit - e.volumeGbit) > REL * gbit) out.push(`${s.id}: slot ${e.slot} volume ${e.volumeGbit} is not rate x slot length`);
      delivered += gbit;
      price += gbit * path.pricePerGbitMinor;
      for (const l of path.links) load[l][e.slot] += e.rateGbps;
    }
    if (!input.partial?.has(s.id) && delivered < r.volumeGbit * (1 - REL)) out.push(`${s.id}: delivers ${delivered} Gbit of ${r.volumeGbit} by slot ${end}`);
    if (Math.abs(delivered - s.deliveredGbit) > REL * Math.max(1, delivered)) out.push(`${s.id}: reports ${s.deliveredGbit} Gbit delivered, entries sum to ${delivered}`);
    const cap = r.maxRateGbps ?? Infinity;
    for (const [t, v] of perSlot) if (v > cap * (1 + REL)) out.push(`${s.id}: ${v} Gbps in slot ${t} over its cap ${cap}`);
    const promised = input.promised?.get(s.id);
    if (promised !== undefined && price > promised * (1 + REL) + 1e-9) out.push(`${s.id}: costs ${price}, promised ${promised}`);
    if (Math.abs(price - s.priceMinor) > REL * Math.max(1, price)) out.push(`${s.id}: reports price ${s.priceMinor}, entries cost ${price}`);
  }
  // Lit waves: count per option and slot, carrying = lit in this slot and the setupSlots before it.
  const waves = network.waves ?? [];
  const lit = waves.map(() => new Array<number>(H).fill(0));
  for (const h of input.waveHolds ?? []) for (let t = h.fromSlot; t < h.toSlot; t++) lit[h.wave][t] += h.count;
  const extra = network.links.map(() => new Array<number>(H).fill(0));
  waves.forEach((w, i) => {
    for (let t = 0; t < H; t++) {
      let carrying = Infinity;
      for (let k = 0; k <= w.setupSlots; k++) carrying = Math.min(carrying, t - k >= 0 ? lit[i][t - k] : 0);
      for (const l of new Set(w.carries)) extra[l][t] += carrying * w.capacityGbps;
      if (w.maxWaves !== undefined && lit[i][t] > w.maxWaves) out.push(`wave ${w.id}: ${lit[i][t]} lit in slot ${t}, at most ${w.maxWaves}`);
    }
  });
  const spectrum = network.spectrum ?? [];
  for (let t = 0; t < H; t++) {
    const held = spectrum.map(() => 0);
    waves.forEach((w, i) => {
      for (const h of w.holds) held[h.spectrum] += lit[i][t] * h.slots;
    });
    held.forEach((v, s) => {
      if (v > spectrum[s].freeSlots[t] + 1e-9) out.push(`spectrum ${spectrum[s].id}: ${v} slots held in slot ${t}, ${spectrum[s].freeSlots[t]} free`);
    });
  }
  const from = input.capacityFrom ?? 0;
  network.links.forEach((l, e) => {
    for (let t = from; t < H; t++) {
      const cap = l.freeGbps[t] + extra[e][t];
      if (load[e][t] > cap + REL * Math.max(1, cap)) out.push(`link ${l.id}: ${load[e][t]} Gbps in slot ${t}, ${cap} free`);
    }
  });
  return out;
}
