/**
 * The scheduler's bookkeeping in exact integers: rates are whole multiples of a quantum (1 Mbps by default),
 * volumes are quantum-slots, so "fits in the link" and "delivered by the deadline" are integer comparisons
 * with no rounding doubt. Converted to Gbps and Gbit only at the edge (schedule.ts).
 */
import type { TransferNetwork, TransferPath, TransferRequest, WaveOption } from './types.js';

/** Default rate quantum: 1 Mbps, far below any rate a bulk transfer is booked at. */
export const DEFAULT_QUANTUM_GBPS = 0.001;

/** A path resolved to link indices with multiplicities, and its price and cost per quantum-slot. */
export interface NormPath {
  id: string;
  links: Int32Array;
  coef: Int32Array;
  latencyUs: number;
  /** Money per quantum per slot (pricePerGbitMinor x quantum x slotSeconds). */
  priceRate: number;
  /** Objective weight per Gbit (costPerGbit, default the price). */
  costPerGbit: number;
  hops: number;
}

export interface NormRequest {
  id: string;
  volumeGbit: number;
  /** Volume in quantum-slots, rounded up: delivering needQ quanta-slots delivers at least volumeGbit. */
  needQ: number;
  earliest: number;
  deadline: number;
  /** Per-slot cap in quanta (Infinity when none). */
  maxRateQ: number;
  paths: NormPath[];
}

/** An admitted transfer: its request, its integer rates over [earliest, end) x paths, and its promised price. */
export interface Plan {
  serial: number;
  req: NormRequest;
  /** rates[(t - req.earliest) * K + p] in quanta, for t in [req.earliest, end). */
  rates: Float64Array;
  /** Exclusive end of the window the rates cover (the deadline, later only after a cut made it late). */
  end: number;
  /**
   * Cap on this plan's price for re-optimisation: the price quoted to the customer (a re-plan may cost up to
   * what was promised, never more), or its current price when a cut already raised it past the quote (then
   * later re-plans must not raise it further).
   */
  budget: number;
  /** Price quoted at admission (minor units): what the customer is told; no re-optimisation exceeds it. */
  quoted: number;
  /** Set when a cut pushed it past its deadline. */
  late: boolean;
}

export interface NormWave {
  id: string;
  carries: Int32Array;
  capQ: number;
  capacityGbps: number;
  holdSpectrum: Int32Array;
  holdSlots: Float64Array;
  setup: number;
  costPerSlot: number;
  setupCost: number;
  maxWaves: number;
}

/** The calendar as the scheduler sees it, plus what the admitted transfers and lit waves hold. */
export class Calendar {
  readonly H: number;
  readonly R: number;
  readonly S: number;
  readonly W: number;
  readonly q: number;
  readonly slotSeconds: number;
  readonly linkIds: string[];
  readonly spectrumIds: string[];
  /** Free link capacity from the calendar (not counting transfers), quanta; index e * H + t. */
  readonly linkFreeQ: Float64Array;
  /** Free spectrum slots from the calendar (not counting transfer waves); index s * H + t. */
  readonly spectrumFree: Float64Array;
  readonly waves: NormWave[];
  /** Lit waves per option per slot; index w * H + t. */
  readonly lit: Float64Array;
  /** Capacity held by admitted transfers, quanta; index e * H + t. */
  readonly usageQ: Float64Array;
  /** Wave options feeding each link. */
  readonly wavesOfLink: number[][];

  constructor(net: TransferNetwork) {
    const H = net.horizonSlots;
    if (!Number.isInteger(H) || H <= 0) throw new RangeError(`horizonSlots must be a positive integer, got ${H}`);
    if (!(net.slotSeconds > 0)) throw new RangeError(`slotSeconds must be > 0, got ${net.slotSeconds}`);
    const q = net.quantumGbps ?? DEFAULT_QUANTUM_GBPS;
    if (!(q > 0)) throw new RangeError(`quantumGbps must be > 0, got ${q}`);
    this.H = H;
    this.q = q;
    this.slotSeconds = net.slotSeconds;
    this.R = net.links.length;
    const spectrum = net.spectrum ?? [];
    this.S = spectrum.length;
    this.linkIds = net.links.map((l) => l.id);
    this.spectrumIds = spectrum.map((s) => s.id);
    this.linkFreeQ = new Float64Array(this.R * H);
    net.links.forEach((l, e) => {
      if (l.freeGbps.length < H) throw new RangeError(`link ${l.id}: freeGbps has ${l.freeGbps.length} slots, the horizon is ${H}`);
      for (let t = 0; t < H; t++) {
        const v = l.freeGbps[t];
        if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`link ${l.id}: freeGbps[${t}] must be a finite number >= 0, got ${v}`);
        this.linkFreeQ[e * H + t] = toQuanta(v, q);
      }
    });
    this.spectrumFree = new Float64Array(this.S * H);
    spectrum.forEach((s, i) => {
      if (s.freeSlots.length < H) throw new RangeError(`spectrum ${s.id}: freeSlots has ${s.freeSlots.length} slots, the horizon is ${H}`);
      for (let t = 0; t < H; t++) {
        const v = s.freeSlots[t];
        if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`spectrum ${s.id}: freeSlots[${t}] must be a finite number >= 0, got ${v}`);
        this.spectrumFree[i * H + t] = Math.floor(v);
      }
    });
    this.waves = (net.waves ?? []).map((w) => normWave(w, this.R, this.S, q));
    this.W = this.waves.length;
    this.lit = new Float64Array(this.W * H);
    this.usageQ = new Float64Array(this.R * H);
    this.wavesOfLink = Array.from({ length: this.R }, () => []);
    this.waves.forEach((w, i) => {
      for (const e of w.carries) if (!this.wavesOfLink[e].includes(i)) this.wavesOfLink[e].push(i);
    });
  }

  /** Waves of option w carrying traffic in slot t: those lit in t and in each of the setup slots before it. */
  carrying(w: number, t: number, lit: Float64Array = this.lit): number {
    const wave = this.waves[w];
    let c = Infinity;
    for (let k = 0; k <= wave.setup; k++) {
      const s = t - k;
      const v = s >= 0 ? lit[w * this.H + s] : 0;
      if (v < c) c = v;
    }
    return c;
  }

  /** Link capacity in quanta for transfers in slot t: calendar free plus carrying lit waves. */
  linkCapacityQ(e: number, t: number, lit: Float64Array = this.lit): number {
    let c = this.linkFreeQ[e * this.H + t];
    for (const w of this.wavesOfLink[e]) c += this.waves[w].capQ * this.carrying(w, t, lit);
    return c;
  }

  /** Resolve a request's fields and paths; throws RangeError on anything out of range. */
  normalize(r: TransferRequest): NormRequest {
    const where = `transfer ${r.id}`;
    if (!(r.volumeGbit > 0) || !Number.isFinite(r.volumeGbit)) throw new RangeError(`${where}: volumeGbit must be a finite number > 0, got ${r.volumeGbit}`);
    if (!Number.isInteger(r.earliestSlot) || r.earliestSlot < 0) throw new RangeError(`${where}: earliestSlot must be an integer >= 0, got ${r.earliestSlot}`);
    if (!Number.isInteger(r.deadlineSlot) || r.deadlineSlot <= r.earliestSlot) throw new RangeError(`${where}: deadlineSlot must be an integer > earliestSlot, got ${r.deadlineSlot}`);
    if (r.deadlineSlot > this.H) throw new RangeError(`${where}: deadlineSlot ${r.deadlineSlot} is beyond the calendar horizon (${this.H} slots)`);
    const maxRate = r.maxRateGbps ?? Infinity;
    if (!(maxRate > 0)) throw new RangeError(`${where}: maxRateGbps must be > 0, got ${maxRate}`);
    if (r.paths.length === 0) throw new RangeError(`${where}: no candidate path`);
    const paths = r.paths.map((p, i) => this.normPath(p, `${where}: paths[${i}]`));
    return {
      id: r.id,
      volumeGbit: r.volumeGbit,
      needQ: Math.ceil(r.volumeGbit / (this.q * this.slotSeconds) - 1e-9),
      earliest: r.earliestSlot,
      deadline: r.deadlineSlot,
      maxRateQ: maxRate === Infinity ? Infinity : toQuanta(maxRate, this.q),
      paths,
    };
  }

  private normPath(p: TransferPath, where: string): NormPath {
    if (p.links.length === 0) throw new RangeError(`${where}: a path needs at least one link`);
    const count = new Map<number, number>();
    for (const e of p.links) {
      if (!Number.isInteger(e) || e < 0 || e >= this.R) throw new RangeError(`${where}: unknown link index ${e}`);
      count.set(e, (count.get(e) ?? 0) + 1);
    }
    if (!(p.pricePerGbitMinor >= 0)) throw new RangeError(`${where}: pricePerGbitMinor must be >= 0`);
    const cost = p.costPerGbit ?? p.pricePerGbitMinor;
    if (!(cost >= 0)) throw new RangeError(`${where}: costPerGbit must be >= 0`);
    const links = [...count.keys()];
    return {
      id: p.id,
      links: Int32Array.from(links),
      coef: Int32Array.from(links.map((e) => count.get(e) ?? 1)),
      latencyUs: p.latencyUs,
      priceRate: p.pricePerGbitMinor * this.q * this.slotSeconds,
      costPerGbit: cost,
      hops: p.links.length,
    };
  }
}

/** Gbps to whole quanta, rounding down (a hair of tolerance so 0.3 / 0.1 counts as 3). */
export function toQuanta(gbps: number, q: number): number {
  return Math.floor(gbps / q + 1e-9);
}

function normWave(w: WaveOption, R: number, S: number, q: number): NormWave {
  const where = `wave ${w.id}`;
  for (const e of w.carries) if (!Number.isInteger(e) || e < 0 || e >= R) throw new RangeError(`${where}: unknown link index ${e}`);
  for (const h of w.holds) if (!Number.isInteger(h.spectrum) || h.spectrum < 0 || h.spectrum >= S) throw new RangeError(`${where}: unknown spectrum index ${h.spectrum}`);
  if (!(w.capacityGbps > 0)) throw new RangeError(`${where}: capacityGbps must be > 0`);
  if (!Number.isInteger(w.setupSlots) || w.setupSlots < 0) throw new RangeError(`${where}: setupSlots must be an integer >= 0`);
  return {
    id: w.id,
    carries: Int32Array.from(new Set(w.carries)),
    capQ: toQuanta(w.capacityGbps, q),
    capacityGbps: w.capacityGbps,
    holdSpectrum: Int32Array.from(w.holds.map((h) => h.spectrum)),
    holdSlots: Float64Array.from(w.holds.map((h) => h.slots)),
    setup: w.setupSlots,
    costPerSlot: w.costPerSlot,
    setupCost: w.setupCost,
    maxWaves: w.maxWaves ?? Infinity,
  };
}

/** Rate of a plan in quanta on path p in slot t (0 outside its window). */
export function rateAt(plan: Plan, t: number, p: number): number {
  if (t < plan.req.earliest || t >= plan.end) return 0;
  return plan.rates[(t - plan.req.earliest) * plan.req.paths.length + p];
}

/** Quanta-slots a plan delivers in slots [from, to). */
export function deliveredQ(plan: Plan, from = plan.req.earliest, to = plan.end): number {
  const K = plan.req.paths.length;
  let sum = 0;
  const a = Math.max(from, plan.req.earliest);
  const b = Math.min(to, plan.end);
  for (let t = a; t < b; t++) for (let p = 0; p < K; p++) sum += plan.rates[(t - plan.req.earliest) * K + p];
  return sum;
}

/** Price (minor units) of a plan's slots [from, to): whole quanta summed per path (exact), then priced. */
export function priceOf(plan: Plan, from = plan.req.earliest, to = plan.end): number {
  const K = plan.req.paths.length;
  const perPath = new Float64Array(K);
  const a = Math.max(from, plan.req.earliest);
  const b = Math.min(to, plan.end);
  for (let t = a; t < b; t++) for (let p = 0; p < K; p++) perPath[p] += plan.rates[(t - plan.req.earliest) * K + p];
  let sum = 0;
  for (let p = 0; p < K; p++) sum += perPath[p] * plan.req.paths[p].priceRate;
  return sum;
}

/** Add (sign +1) or remove (sign -1) a plan's usage in slots [from, end) to the calendar. */
export function applyUsage(cal: Calendar, plan: Plan, sign: 1 | -1, from = plan.req.earliest): void {
  const K = plan.req.paths.length;
  const H = cal.H;
  for (let t = Math.max(from, plan.req.earliest); t < plan.end; t++) {
    for (let p = 0; p < K; p++) {
      const r = plan.rates[(t - plan.req.earliest) * K + p];
      if (r === 0) continue;
      const path = plan.req.paths[p];
      for (let i = 0; i < path.links.length; i++) cal.usageQ[path.links[i] * H + t] += sign * r * path.coef[i];
    }
  }
}
