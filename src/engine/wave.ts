/**
 * Waves planned from physics: the transceiver mode, the regenerators (only at ROADM sites, fewest in
 * number) and the spectrum of a wave on a path are decided by computed GSNR against the mode's
 * required OSNR (with its CD/PMD/PDL penalties) plus the operator's margin, and a wave is only placed
 * where it pushes no lit neighbour below its own threshold.
 *
 * Spectrum is searched in frequency: each span keeps its own grid (slot width, start frequency, slot
 * count); a channel [f, f + W) takes on every span the slots that cover it, so line systems with
 * different grids meet wherever their bands overlap, and a path whose bands do not overlap is refused
 * with that reason. At a ROADM the wave may change fiber pair; along spans joined by an amplifier hut
 * (no ROADM) it stays on one.
 *
 * Pure and deterministic. The LineState holds the lit channels of the window being planned
 * (the caller builds it from the store); planning lights the wave's segments in it tentatively so
 * that later segments (and the protect path of a 1+1) see them, and undoes that when it fails; the
 * last segment is left dark when the caller says it will turn the wave off at once (lightLast).
 */
import type { Graph, Path } from './graph.js';
import type { SpectrumGrid } from './spectrum.js';
import type { LightingEffect, LightpathInput, LineState } from './qot/line-system.js';
import { placeRegenerators } from './qot/regenerators.js';
import { OSNR_REF_BANDWIDTH_HZ, linToDb } from './qot/units.js';
import { DEFAULT_TX_OSNR_DB } from '../domain/optical.js';
import { TRANSCEIVER_MODES, penaltyDb, type TransceiverModeSpec } from '../domain/transceiver-modes.js';

/** A span's DWDM grid. */
export interface SpanGrid {
  fiberPairs: number;
  slotCount: number;
  slotWidthGhz: number;
  /** Lower edge of slot 0. */
  startFrequencyGhz: number;
}

/** The network as wave planning sees it. */
export interface WaveNetwork {
  g: Graph;
  /** Per span index: its grid, or null (no line system: no wave can use it). */
  grids: readonly (SpanGrid | null)[];
  /** Per node index: 1 = ROADM (adds and drops, changes fiber pair, hosts regenerators). */
  roadm: Uint8Array;
}

/** What to plan. */
export interface WaveRequest {
  /** Prefix of the lightpath ids of the wave's segments (`${id}/${k}`). */
  id: string;
  bandwidthGbps: number;
  /** GSNR the wave must keep above its mode's threshold, dB. */
  marginDb: number;
  /** Modes to choose from (default: the OpenROADM catalog + 400ZR/OpenZR+). */
  modes?: readonly TransceiverModeSpec[];
  /** Take the highest free frequency instead of the lowest. */
  fromTop?: boolean;
  /** Rotates the fiber-pair preference (spreads concurrent planners). */
  pairOffset?: number;
  /** Only these fiber pairs (restoration keeps one per path); default all. */
  allowPair?: (pair: number) => boolean;
  /** Only these ROADM nodes may host a regenerator (e.g. those with add/drop ports free); default all. */
  regenAt?: (node: number) => boolean;
  /**
   * Light the wave's last segment in the state (default true), as every earlier one is lit for the
   * next. A caller that turns the wave off again at once (a quote, availability) passes false: the
   * segment is judged as before, and lighting it would only be undone (each moves the sums of every
   * neighbour, a fifth of a quote on a busy route).
   */
  lightLast?: boolean;
}

/** Quality of one transparent segment, as quotes show it. */
export interface SegmentQot {
  /** GSNR at the receiver, signal bandwidth and 0.1 nm, dB. */
  gsnrDb: number;
  gsnr01nmDb: number;
  /** The mode's required OSNR (0.1 nm) with CD/PMD/PDL penalties for this segment, dB. */
  requiredOsnrDb: number;
  /** gsnr01nmDb − requiredOsnrDb (≥ the operator's margin), dB. */
  marginDb: number;
  cdPsPerNm: number;
  pmdPs: number;
  /** GSNR (0.1 nm) after each span, transmitter and add/drop included: the chart along the path. */
  perSpan: { spanIndex: number; gsnr01nmDb: number; osnrAse01nmDb: number }[];
  /** The lit neighbour left closest to its threshold by this segment, or null when none shares a span. */
  worstNeighbour: { lightpathId: string; marginDb: number } | null;
}

/** One transparent segment: its spans, fiber pair and slot range on each, centre frequency. */
export interface WaveSegmentPlan {
  lightpathId: string;
  /** The segment as the QoT state lights it. */
  lightpath: LightpathInput;
  /** Span indices, in path order. */
  spans: number[];
  fiberPairs: number[];
  startSlots: number[];
  slotCounts: number[];
  centerFrequencyGhz: number;
  /** Spectrum the channel takes (the covering slots of the first span), GHz. */
  widthGhz: number;
  qot: SegmentQot;
}

/** A planned wave. */
export interface WavePlan {
  mode: TransceiverModeSpec;
  /** Node indices hosting a regenerator (empty: transparent). */
  regenNodes: number[];
  segments: WaveSegmentPlan[];
}

export type WavePlanResult = { ok: true; plan: WavePlan } | { ok: false; reason: string };

/** Single-carrier modes that carry the bandwidth: narrowest first, then the most tolerant. */
export function modesForBandwidth(bandwidthGbps: number, modes: readonly TransceiverModeSpec[] = TRANSCEIVER_MODES): TransceiverModeSpec[] {
  return modes
    .filter((m) => m.payloadGbps >= bandwidthGbps)
    .sort((a, b) => a.channelWidthGhz - b.channelWidthGhz || a.minRxOsnrDb - b.minRxOsnrDb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The mode's required OSNR in 0.1 nm with its penalties for the given CD and PMD (PDL taken as 0), dB; Infinity beyond its tolerance. */
export function requiredOsnrDb(mode: TransceiverModeSpec, cdPsPerNm: number, pmdPs: number): number {
  return mode.minRxOsnrDb + penaltyDb(mode.cdPenalty, cdPsPerNm) + penaltyDb(mode.pmdPenalty, pmdPs) + penaltyDb(mode.pdlPenalty, 0);
}

/** 0.1 nm figure → signal-bandwidth figure for a channel of this baud rate, dB. */
export function toSignalBandwidthDb(db01nm: number, baudRateHz: number): number {
  return db01nm + linToDb(OSNR_REF_BANDWIDTH_HZ / baudRateHz);
}

/** The lowest GSNR (signal bandwidth, dB) a segment of this mode with this CD and PMD works at. */
export function thresholdDb(mode: TransceiverModeSpec, cdPsPerNm: number, pmdPs: number): number {
  return toSignalBandwidthDb(requiredOsnrDb(mode, cdPsPerNm, pmdPs), mode.baudRateGbd * 1e9);
}

/** Transmitter OSNR of a mode (its catalog minimum, else the default). */
export function txOsnrOf(mode: TransceiverModeSpec): number {
  return mode.minTxOsnrDb ?? DEFAULT_TX_OSNR_DB;
}

const EPS_GHZ = 1e-6;

/** The frequency grid spectrum is searched on for a set of spans: the finest of their grids. */
interface RefGrid {
  widthGhz: number;
  startGhz: number;
  slots: number;
  words: number;
}

function sameGrid(a: SpanGrid, r: RefGrid): boolean {
  return Math.abs(a.slotWidthGhz - r.widthGhz) < EPS_GHZ && Math.abs(a.startFrequencyGhz - r.startGhz) < EPS_GHZ;
}

/** Slots of a span's own grid covering [loGhz, hiGhz), or null when outside its band. */
export function coveringSlots(grid: SpanGrid, loGhz: number, hiGhz: number): [number, number] | null {
  const lo = Math.floor((loGhz - grid.startFrequencyGhz) / grid.slotWidthGhz + 1e-9);
  const hi = Math.ceil((hiGhz - grid.startFrequencyGhz) / grid.slotWidthGhz - 1e-9);
  if (lo < 0 || hi > grid.slotCount || hi <= lo) return null;
  return [lo, hi];
}

/**
 * Occupancy of span e on fiber pair p in the reference grid (bit set = the reference slot cannot be
 * used: some slot of the span's own grid overlapping it is held, or it lies outside the span's band).
 */
function refOccupancy(layers: readonly SpectrumGrid[], grid: SpanGrid, e: number, p: number, ref: RefGrid): Uint32Array {
  const out = new Uint32Array(ref.words);
  if (p >= layers.length || p >= grid.fiberPairs) {
    out.fill(0xffffffff);
    return out;
  }
  const layer = layers[p];
  if (sameGrid(grid, ref)) {
    const base = e * layer.wordsPerSpan;
    for (let w = 0; w < ref.words; w++) out[w] = w < layer.wordsPerSpan ? layer.bits[base + w] : 0xffffffff;
    // Slots past the span's own band (baseLayers blocks them up to the layer's width; the reference may be wider).
    for (let k = Math.min(grid.slotCount, layer.slotCount); k < ref.slots; k++) out[k >>> 5] |= 1 << (k & 31);
  } else {
    for (let k = 0; k < ref.slots; k++) {
      const lo = ref.startGhz + k * ref.widthGhz;
      const c = coveringSlots(grid, lo, lo + ref.widthGhz);
      if (c === null || c[1] > layer.slotCount || !layer.isFree(e, c[0], c[1] - c[0])) out[k >>> 5] |= 1 << (k & 31);
    }
  }
  const tail = ref.slots & 31;
  if (tail !== 0) out[ref.words - 1] |= (~0 << tail) >>> 0;
  return out;
}

function isClear(bits: Uint32Array, start: number, n: number): boolean {
  for (let k = start; k < start + n; k++) if ((bits[k >>> 5] >>> (k & 31)) & 1) return false;
  return true;
}

/**
 * Start slots where the channel fits (`fits(k)`), in preference order: the first start of each run of
 * consecutive feasible starts (frequencies far apart, so a GSNR or neighbour refusal at one is unlikely
 * to repeat at the next), then the other starts; lowest first, or highest first with fromTop.
 */
function candidateStarts(slots: number, n: number, fromTop: boolean, max: number, fits: (k: number) => boolean): number[] {
  const firsts: number[] = [];
  const rest: number[] = [];
  let prev = false;
  // Once `max` run starts are found, the other starts can no longer make the cut; nor can any other
  // start after the first `max` (kept: the scan of a free band would otherwise collect all of them).
  for (let t = 0; t + n <= slots && firsts.length < max; t++) {
    const k = fromTop ? slots - n - t : t;
    const ok = fits(k);
    if (ok && !prev) firsts.push(k);
    else if (ok && rest.length < max) rest.push(k);
    prev = ok;
  }
  return [...firsts, ...rest].slice(0, max);
}

/** Most candidate frequencies tried per segment and mode before the next mode. */
const MAX_STARTS = 12;
/** A segment short of its threshold by more than this at one frequency is not tried at others, dB. */
const HOPELESS_DB = 1;

interface SegmentTry {
  ok: boolean;
  /** Why not, when not ok. */
  reason: string;
  segment?: WaveSegmentPlan;
  lightpath?: LightpathInput;
}

/** CD (ps/nm) and PMD (ps) of spans a..b of a path. */
function impairments(state: LineState, g: Graph, spans: readonly number[]): { cd: number; pmd: number } {
  let cd = 0;
  let pmd2 = 0;
  for (const e of spans) {
    const m = state.model(g.spanIds[e]);
    cd += m.cdPsPerNm;
    pmd2 += m.pmdPs * m.pmdPs;
  }
  return { cd, pmd: Math.sqrt(pmd2) };
}

/** The reference grid of spans: the finest slot width among them (first such span's grid). */
function refGridOf(net: WaveNetwork, spans: readonly number[]): RefGrid {
  let best = net.grids[spans[0]] as SpanGrid;
  for (const e of spans) {
    const gr = net.grids[e] as SpanGrid;
    if (gr.slotWidthGhz < best.slotWidthGhz - EPS_GHZ) best = gr;
  }
  return { widthGhz: best.slotWidthGhz, startGhz: best.startFrequencyGhz, slots: best.slotCount, words: (best.slotCount + 31) >>> 5 };
}

/** Overlap of the spans' bands, GHz, or null when they share no spectrum. */
function commonBand(net: WaveNetwork, spans: readonly number[]): [number, number] | null {
  let lo = -Infinity;
  let hi = Infinity;
  for (const e of spans) {
    const gr = net.grids[e] as SpanGrid;
    lo = Math.max(lo, gr.startFrequencyGhz);
    hi = Math.min(hi, gr.startFrequencyGhz + gr.slotCount * gr.slotWidthGhz);
  }
  return hi > lo + EPS_GHZ ? [lo, hi] : null;
}

function fmtDb(x: number): string {
  return x.toFixed(2);
}

/**
 * Places one transparent segment (nodes path.nodes[from..to], spans path.spans[from..to)) of the mode:
 * the first frequency (in preference order) free on every span (one fiber pair per group of spans
 * joined by amplifier huts) where the GSNR clears the threshold plus margin and no neighbour falls
 * below its own threshold. Lights it in the state on success.
 */
/**
 * What one planWave call reuses across modes and candidates: each segment's occupancy in its reference
 * grid (modes differ only in width), and evaluations of the same channel (modes of one baud rate and
 * transmitter OSNR light the same channel) and each segment's weakest lit neighbour (the same for
 * every mode), which are dropped whenever the state changes (stateChanged).
 */
interface PlanMemo {
  occ: Map<string, SegmentOcc>;
  evals: Map<string, LightingEffect>;
  weakest: Map<string, { id: string; marginDb: number } | null>;
  /** Candidate starts per segment, channel width in reference slots and direction (occupancy only: kept across state changes). */
  starts: Map<string, number[]>;
}

/** A segment's occupancy in its reference grid: held bits per group of spans and fiber pair. */
interface SegmentOcc {
  ref: RefGrid;
  groups: number[][];
  pairs: number;
  groupOcc: Uint32Array[][];
}

/**
 * Bit k set where a channel of n reference slots starting at k is clear in `occ` (bit set = held; bits
 * past the words count as held), 32 starts per word: the free bits ANDed with themselves shifted by
 * 1..n-1, n × words word operations instead of a test per start and slot.
 */
export function clearStarts(occ: Uint32Array, n: number): Uint32Array {
  const words = occ.length;
  const out = new Uint32Array(words);
  for (let w = 0; w < words; w++) out[w] = ~occ[w];
  const free = (w: number): number => (w < words ? ~occ[w] >>> 0 : 0);
  for (let j = 1; j < n; j++) {
    const q = j >>> 5;
    const r = j & 31;
    for (let w = 0; w < words; w++) {
      const shifted = r === 0 ? free(w + q) : (free(w + q) >>> r) | (free(w + q + 1) << (32 - r));
      out[w] &= shifted;
    }
  }
  return out;
}

function newMemo(): PlanMemo {
  return { occ: new Map(), evals: new Map(), weakest: new Map(), starts: new Map() };
}

/** The plan lit or turned off a segment: what was judged on the state before is stale. */
function stateChanged(memo: PlanMemo): void {
  memo.evals.clear();
  memo.weakest.clear();
}

/**
 * The segment's occupancy in its reference grid and the channel's candidate start slots there, in
 * preference order (memoized per planWave call: modes of one width share them).
 */
function freeStarts(net: WaveNetwork, layers: readonly SpectrumGrid[], path: Path, from: number, to: number, mode: TransceiverModeSpec, req: WaveRequest, memo: PlanMemo): { o: SegmentOcc; n: number; starts: number[] } {
  const spans = path.spans.slice(from, to);
  const occKey = `${from}:${to}`;
  let o = memo.occ.get(occKey);
  if (o === undefined) {
    const ref = refGridOf(net, spans);
    // Groups of consecutive spans that must share a fiber pair (joined at a node without a ROADM).
    const groups: number[][] = [[spans[0]]];
    for (let i = 1; i < spans.length; i++) {
      if (net.roadm[path.nodes[from + i]] === 1) groups.push([spans[i]]);
      else groups[groups.length - 1].push(spans[i]);
    }
    const pairs = Math.max(...spans.map((e) => (net.grids[e] as SpanGrid).fiberPairs));
    const groupOcc: Uint32Array[][] = groups.map((grp) =>
      Array.from({ length: pairs }, (_, p) => {
        const acc = new Uint32Array(ref.words);
        for (const e of grp) {
          const occ = refOccupancy(layers, net.grids[e] as SpanGrid, e, p, ref);
          for (let w = 0; w < ref.words; w++) acc[w] |= occ[w];
        }
        return acc;
      }),
    );
    o = { ref, groups, pairs, groupOcc };
    memo.occ.set(occKey, o);
  }
  const { ref, groupOcc } = o;
  const n = Math.ceil(mode.channelWidthGhz / ref.widthGhz - 1e-9);
  const allowed = (p: number) => req.allowPair === undefined || req.allowPair(p);
  // Feasible in spectrum: the reference slots are clear on the path, and each group has one allowed pair clear over all of them.
  const startsKey = `${occKey}:${n}:${req.fromTop ? 1 : 0}`;
  let starts = memo.starts.get(startsKey);
  if (starts === undefined) {
    // Feasible starts as a bitset: each group of spans has one allowed fiber pair clear over the
    // whole channel (so every slot of it is usable on the path), 32 starts per word operation.
    const feasible = new Uint32Array(ref.words).fill(0xffffffff);
    for (const byPair of groupOcc) {
      const some = new Uint32Array(ref.words);
      for (let p = 0; p < byPair.length; p++) {
        if (!allowed(p)) continue;
        const c = clearStarts(byPair[p], n);
        for (let w = 0; w < ref.words; w++) some[w] |= c[w];
      }
      for (let w = 0; w < ref.words; w++) feasible[w] &= some[w];
    }
    const fits = (k: number): boolean => ((feasible[k >>> 5] >>> (k & 31)) & 1) === 1;
    starts = candidateStarts(ref.slots, n, req.fromTop ?? false, MAX_STARTS, fits);
    memo.starts.set(startsKey, starts);
  }
  return { o, n, starts };
}

/** Whether the mode's channel has any free start on the segment (placeSegment's spectrum test alone). */
function hasSpectrum(net: WaveNetwork, layers: readonly SpectrumGrid[], path: Path, from: number, to: number, mode: TransceiverModeSpec, req: WaveRequest, memo: PlanMemo): boolean {
  return commonBand(net, path.spans.slice(from, to)) !== null && freeStarts(net, layers, path, from, to, mode, req, memo).starts.length > 0;
}

function placeSegment(net: WaveNetwork, layers: readonly SpectrumGrid[], state: LineState, path: Path, from: number, to: number, mode: TransceiverModeSpec, req: WaveRequest, lightpathId: string, memo: PlanMemo = newMemo(), light = true): SegmentTry {
  const g = net.g;
  const spans = path.spans.slice(from, to);
  const spanIds = spans.map((e) => g.spanIds[e]);
  const band = commonBand(net, spans);
  if (band === null) {
    return { ok: false, reason: `the line systems of spans ${spans.map((e) => g.spanIds[e]).join(', ')} share no spectrum (their bands do not overlap), so no channel can cross them without a regenerator` };
  }
  const { cd, pmd } = impairments(state, g, spans);
  const required = requiredOsnrDb(mode, cd, pmd);
  if (!Number.isFinite(required)) return { ok: false, reason: `${mode.id} cannot cross ${Math.round(cd)} ps/nm of dispersion / ${pmd.toFixed(1)} ps of PMD` };
  const baudHz = mode.baudRateGbd * 1e9;
  const threshold = toSignalBandwidthDb(required, baudHz);
  const { o, n, starts } = freeStarts(net, layers, path, from, to, mode, req, memo);
  const { ref, groups, pairs, groupOcc } = o;
  const occKey = `${from}:${to}`;
  if (starts.length === 0) return { ok: false, reason: `no ${(n * ref.widthGhz).toFixed(1)} GHz of spectrum is free on every span from ${g.nodeIds[path.nodes[from]]} to ${g.nodeIds[path.nodes[to]]}` };
  const offset = Math.abs(Math.trunc(req.pairOffset ?? 0));
  // Why the last start tried failed, kept as numbers and written out once, at the end: most starts
  // tried fail, and a quote formatted a sentence for each.
  let failed: { gsnrDb: number } | { worst: { id: string; marginDb: number }; centerGhz: number } | null = null;
  for (const k of starts) {
    const loGhz = ref.startGhz + k * ref.widthGhz;
    const hiGhz = loGhz + n * ref.widthGhz;
    const fiberPairs: number[] = [];
    const startSlots: number[] = [];
    const slotCounts: number[] = [];
    let fits = true;
    groups.forEach((grp, gi) => {
      if (!fits) return;
      let chosen = -1;
      for (let t = 0; t < pairs && chosen < 0; t++) {
        const p = (t + offset) % pairs;
        if ((req.allowPair === undefined || req.allowPair(p)) && isClear(groupOcc[gi][p], k, n)) chosen = p;
      }
      if (chosen < 0) {
        fits = false;
        return;
      }
      for (const e of grp) {
        const c = coveringSlots(net.grids[e] as SpanGrid, loGhz, hiGhz);
        if (c === null) {
          fits = false;
          return;
        }
        fiberPairs.push(chosen);
        startSlots.push(c[0]);
        slotCounts.push(c[1] - c[0]);
      }
    });
    if (!fits) continue;
    const centerGhz = (loGhz + hiGhz) / 2;
    const lp: LightpathInput = {
      id: lightpathId,
      spanIds,
      frequencyHz: centerGhz * 1e9,
      baudRateHz: baudHz,
      txOsnrDb: txOsnrOf(mode),
      thresholdDb: threshold,
    };
    const evalKey = `${from}:${to}:${centerGhz}:${baudHz}:${lp.txOsnrDb}`;
    let eff = memo.evals.get(evalKey);
    if (eff === undefined) {
      // Only the worst neighbour is judged (and reported): the others' GSNR is not needed.
      eff = state.evaluate(lp, { neighbours: 'worst' });
      memo.evals.set(evalKey, eff);
    }
    const short = threshold + req.marginDb - eff.gsnrDb;
    if (short > 0) {
      failed = { gsnrDb: eff.gsnrDb };
      if (short > HOPELESS_DB) break;
      continue;
    }
    if (eff.worst !== null && eff.worst.marginDb < 0) {
      // A neighbour already below its threshold refuses every frequency (each evaluation would say
      // so): on a full calendar judged over a window, most refusals were this, every start times
      // every mode. Asked only once a neighbour refuses: asked first, it cost most segments, which
      // no neighbour refuses, more than their evaluations.
      let weakest = memo.weakest.get(occKey);
      if (weakest === undefined) {
        weakest = state.weakestOn(spanIds);
        memo.weakest.set(occKey, weakest);
      }
      if (weakest !== null) {
        return { ok: false, reason: `lightpath ${weakest.id} is already ${fmtDb(-weakest.marginDb)} dB below its threshold between ${g.nodeIds[path.nodes[from]]} and ${g.nodeIds[path.nodes[to]]}, so no channel can be lit beside it` };
      }
      failed = { worst: eff.worst, centerGhz };
      continue;
    }
    if (light) {
      state.add(lp);
      stateChanged(memo);
    }
    return { ok: true, reason: '', lightpath: lp, segment: { lightpathId, lightpath: lp, spans, fiberPairs, startSlots, slotCounts, centerFrequencyGhz: centerGhz, widthGhz: slotCounts[0] * (net.grids[spans[0]] as SpanGrid).slotWidthGhz, qot: segmentQot(eff, lp, required, cd, pmd, spans) } };
  }
  const ends = `from ${g.nodeIds[path.nodes[from]]} to ${g.nodeIds[path.nodes[to]]}`;
  if (failed === null) return { ok: false, reason: `no fiber pair is free on every span at any of the free frequencies ${ends}` };
  if ('gsnrDb' in failed) return { ok: false, reason: `${mode.id} reaches ${fmtDb(failed.gsnrDb - toSignalBandwidthDb(0, baudHz))} dB OSNR (0.1 nm) ${ends}; it needs ${fmtDb(required)} dB + ${fmtDb(req.marginDb)} dB margin` };
  return { ok: false, reason: `lighting ${(failed.centerGhz / 1000).toFixed(4)} THz would push lightpath ${failed.worst.id} ${fmtDb(-failed.worst.marginDb)} dB below its threshold` };
}

function segmentQot(eff: LightingEffect, lp: LightpathInput, required: number, cd: number, pmd: number, spans: readonly number[]): SegmentQot {
  const to01 = (dbSig: number) => dbSig - linToDb(OSNR_REF_BANDWIDTH_HZ / lp.baudRateHz);
  const gsnr01 = to01(eff.gsnrDb);
  let acc = eff.terminalInv;
  let ase = 0;
  const perSpan = spans.map((e, k) => {
    acc += eff.perSpanInv[k];
    ase += eff.perSpanAseInv[k];
    return { spanIndex: e, gsnr01nmDb: to01(-linToDb(acc)), osnrAse01nmDb: to01(-linToDb(ase)) };
  });
  return {
    gsnrDb: eff.gsnrDb,
    gsnr01nmDb: gsnr01,
    requiredOsnrDb: required,
    marginDb: gsnr01 - required,
    cdPsPerNm: cd,
    pmdPs: pmd,
    perSpan,
    worstNeighbour: eff.worst === null ? null : { lightpathId: eff.worst.id, marginDb: eff.worst.marginDb },
  };
}

/** Removes a plan's segments from the state (a quote's tentative lighting, or a plan given up). */
export function unlightWave(state: LineState, plan: WavePlan): void {
  for (const s of plan.segments) state.remove(s.lightpathId);
}

/** Marks a plan's slots held in the occupancy (so a second plan of the same request sees them). */
export function occupyWave(layers: readonly SpectrumGrid[], plan: WavePlan): void {
  for (const s of plan.segments) s.spans.forEach((e, i) => layers[s.fiberPairs[i]].occupy(e, s.startSlots[i], s.slotCounts[i]));
}

/**
 * Plans a wave on a path: the first mode (narrowest first) that closes transparently, else the plan
 * with the fewest regenerators (then the narrowest), regenerators only at ROADM sites. Per-span
 * inverse SNRs measured at one frequency place the regenerators; each segment is then placed and
 * checked exactly at its own frequency. On success the segments are lit in the state.
 */
export function planWave(net: WaveNetwork, layers: readonly SpectrumGrid[], state: LineState, path: Path, req: WaveRequest): WavePlanResult {
  const g = net.g;
  if (path.spans.length === 0) return { ok: false, reason: 'a wave needs at least one span' };
  for (const e of path.spans) if (net.grids[e] === null || !state.hasSpan(g.spanIds[e])) return { ok: false, reason: `span ${g.spanIds[e]} has no line system` };
  const modes = modesForBandwidth(req.bandwidthGbps, req.modes);
  if (modes.length === 0) return { ok: false, reason: `no transceiver mode carries ${req.bandwidthGbps} Gb/s on one carrier` };
  const n = path.spans.length;
  let reason = '';
  const memo = newMemo();
  // Transparent first, narrowest mode first.
  for (const mode of modes) {
    const t = placeSegment(net, layers, state, path, 0, n, mode, req, `${req.id}/0`, memo, req.lightLast ?? true);
    if (t.ok) return { ok: true, plan: { mode, regenNodes: [], segments: [t.segment as WaveSegmentPlan] } };
    reason ||= t.reason;
  }
  // Regenerated: per mode, the fewest regenerators that close every segment at a probe frequency,
  // tried fewest first (then narrowest, then in mode order); only modes with free spectrum between
  // every two sites that may host a regenerator (any segment holds one such stretch).
  const stretches = spectrumStretches(net, layers, path, modes, req, memo);
  if (stretches !== null && stretches.modes.length === 0) return { ok: false, reason: `${reason}; regenerators do not help: ${stretches.reason}` };
  const candidates = regenCandidates(net, state, path, stretches?.modes ?? modes, req, memo);
  let regenReason = '';
  let tried = 0;
  for (const c of candidates) {
    tried++;
    const bounds = [0, ...c.cuts, n];
    // Segments lie on different spans, so one with no free spectrum fails the candidate whatever the
    // others do: once the first failed candidate has given its reason, such a candidate is passed over
    // before any of its segments is evaluated (a long 400G path tried dozens of GSNR evaluations for
    // candidates whose last segment had no spectrum).
    if (regenReason && bounds.some((b, k) => k + 1 < bounds.length && !hasSpectrum(net, layers, path, b, bounds[k + 1], c.mode, req, memo))) continue;
    const placed: WaveSegmentPlan[] = [];
    let failed = '';
    for (let k = 0; k + 1 < bounds.length && !failed; k++) {
      const t = placeSegment(net, layers, state, path, bounds[k], bounds[k + 1], c.mode, req, `${req.id}/${k}`, memo, k + 2 < bounds.length || (req.lightLast ?? true));
      if (t.ok) placed.push(t.segment as WaveSegmentPlan);
      else failed = t.reason;
    }
    if (!failed) return { ok: true, plan: { mode: c.mode, regenNodes: c.cuts.map((i) => path.nodes[i]), segments: placed } };
    for (const s of placed) state.remove(s.lightpathId);
    stateChanged(memo);
    // Keep why it does not close transparently, and say why the regenerated plan failed too.
    regenReason ||= `with ${c.mode.id} regenerated at ${c.cuts.map((i) => g.nodeIds[path.nodes[i]]).join(', ')}: ${failed}`;
  }
  if (regenReason) reason += `; ${regenReason}`;
  if (tried === 0 && path.spans.length > 1) {
    const sites = path.nodes.slice(1, -1).filter((v) => net.roadm[v] === 1).map((v) => g.nodeIds[v]);
    reason += sites.length > 0 ? `; regenerators at ${sites.join(', ')} do not close it either` : '; no ROADM site on the path can host a regenerator';
  }
  return { ok: false, reason };
}

/**
 * Per-span inverse SNR of a channel of the mode along the whole path at one frequency: the middle of
 * the first span's band; `alone`: as if no other channel were lit (a lower bound of the noise).
 */
function probeHops(net: WaveNetwork, state: LineState, path: Path, mode: TransceiverModeSpec, memo: PlanMemo, alone = false): { perSpan: Float64Array; terminal: number } | null {
  const g = net.g;
  const gr = net.grids[path.spans[0]] as SpanGrid;
  const centreGhz = gr.startFrequencyGhz + (gr.slotCount * gr.slotWidthGhz) / 2;
  // Modes of one baud rate and transmitter OSNR probe the same channel: evaluate it once per state.
  const key = `probe:${mode.baudRateGbd}:${txOsnrOf(mode)}:${alone ? 1 : 0}`;
  let eff = memo.evals.get(key);
  if (eff === undefined) {
    eff = state.evaluate(
      { id: `\u0000probe`, spanIds: path.spans.map((e) => g.spanIds[e]), frequencyHz: centreGhz * 1e9, baudRateHz: mode.baudRateGbd * 1e9, txOsnrDb: txOsnrOf(mode) },
      // Only its own per-span noise is read: the neighbours' GSNR is not.
      { neighbours: false, alone },
    );
    memo.evals.set(key, eff);
  }
  return { perSpan: eff.perSpanInv, terminal: eff.terminalInv };
}

/** A mode and its regenerator sites (indices into the path's nodes). */
export interface RegenCandidate {
  mode: TransceiverModeSpec;
  cuts: number[];
}

/**
 * The fewest regenerators (at least one) that close every segment of the mode at the probe frequency,
 * or null: `alone` judges the probe without the lit channels (fewer cuts, or the same: a lower bound).
 */
function regenCuts(net: WaveNetwork, state: LineState, path: Path, mode: TransceiverModeSpec, req: WaveRequest, memo: PlanMemo, alone: boolean): number[] | null {
  const g = net.g;
  const hop = probeHops(net, state, path, mode, memo, alone);
  if (hop === null) return null;
  const prefix = [0];
  for (const h of hop.perSpan) prefix.push(prefix[prefix.length - 1] + h);
  const cd = [0];
  const pmd2 = [0];
  for (const e of path.spans) {
    const m = state.model(g.spanIds[e]);
    cd.push(cd[cd.length - 1] + m.cdPsPerNm);
    pmd2.push(pmd2[pmd2.length - 1] + m.pmdPs * m.pmdPs);
  }
  // The bound closes a little more than it must, so rounding cannot make it close less than the exact.
  const slackDb = alone ? BOUND_SLACK_DB : 0;
  const plan = placeRegenerators(path.spans.length, (i) => hostsRegen(net, path, req, i), (i, j) => {
    const th = thresholdDb(mode, cd[j] - cd[i], Math.sqrt(pmd2[j] - pmd2[i]));
    return Number.isFinite(th) && -linToDb(hop.terminal + prefix[j] - prefix[i]) >= th + req.marginDb - slackDb;
  });
  return plan === null ? null : plan.sites;
}

/** Whether node i of the path may host a regenerator (a ROADM the request allows). */
function hostsRegen(net: WaveNetwork, path: Path, req: WaveRequest, i: number): boolean {
  return net.roadm[path.nodes[i]] === 1 && (req.regenAt?.(path.nodes[i]) ?? true);
}

/**
 * The modes a regenerated plan could find spectrum for: those with free spectrum on every stretch
 * between two consecutive sites that may host a regenerator. A segment of any regenerated plan is
 * made of whole stretches, split at those sites, which are ROADMs where the fiber pair may change
 * too; a frequency free on the segment is free on each of its stretches. So a mode with a stretch
 * that has none can have no segment there, however the regenerators are placed, and its candidates
 * need not be probed by GSNR (on a full calendar most refusals of long paths were this). Null where
 * the spans' grids differ: a segment's reference grid is then its own, and the argument is not made.
 * With no mode left, `reason` says where the first (narrowest) mode finds no spectrum.
 */
function spectrumStretches(net: WaveNetwork, layers: readonly SpectrumGrid[], path: Path, modes: readonly TransceiverModeSpec[], req: WaveRequest, memo: PlanMemo): { modes: TransceiverModeSpec[]; reason: string } | null {
  const g0 = net.grids[path.spans[0]] as SpanGrid;
  for (const e of path.spans) {
    const gr = net.grids[e] as SpanGrid;
    if (gr.slotWidthGhz !== g0.slotWidthGhz || gr.startFrequencyGhz !== g0.startFrequencyGhz || gr.slotCount !== g0.slotCount) return null;
  }
  const bounds = [0];
  for (let i = 1; i < path.spans.length; i++) if (hostsRegen(net, path, req, i)) bounds.push(i);
  bounds.push(path.spans.length);
  let reason = '';
  const kept = modes.filter((mode) => {
    // Free on the whole path (the transparent try has just looked): free on every stretch of it.
    if (hasSpectrum(net, layers, path, 0, path.spans.length, mode, req, memo)) return true;
    for (let k = 0; k + 1 < bounds.length; k++) {
      if (hasSpectrum(net, layers, path, bounds[k], bounds[k + 1], mode, req, memo)) continue;
      if (!reason) {
        const width = freeStarts(net, layers, path, bounds[k], bounds[k + 1], mode, req, memo);
        reason = `no ${(width.n * width.o.ref.widthGhz).toFixed(1)} GHz of spectrum is free on every span from ${net.g.nodeIds[path.nodes[bounds[k]]]} to ${net.g.nodeIds[path.nodes[bounds[k + 1]]]}`;
      }
      return false;
    }
    return true;
  });
  return { modes: kept, reason };
}

/** dB the lower bound of regenCuts is loosened by against rounding. */
const BOUND_SLACK_DB = 1e-9;

/**
 * The regenerated candidates in the order they are tried: fewest regenerators, then narrowest, then
 * mode order, each with at least one regenerator. Judged with the lit channels, a mode's probe sums
 * every channel on the path; judged alone its cuts are a lower bound (more noise never closes a
 * segment that less noise does not), so a mode is probed with the channels only when its bound could
 * place it before the next candidate already known. The order is the one all modes probed would give.
 */
export function* regenCandidates(net: WaveNetwork, state: LineState, path: Path, modes: readonly TransceiverModeSpec[], req: WaveRequest, memo: PlanMemo = newMemo()): Generator<RegenCandidate> {
  type Keyed = { mode: TransceiverModeSpec; cuts: number; width: number; at: number };
  const order = (x: Keyed, y: Keyed): number => x.cuts - y.cuts || x.width - y.width || x.at - y.at;
  const bounds: Keyed[] = [];
  modes.forEach((mode, at) => {
    const cuts = regenCuts(net, state, path, mode, req, memo, true);
    // Null alone: it does not close even without the other channels.
    if (cuts !== null) bounds.push({ mode, cuts: cuts.length, width: mode.channelWidthGhz, at });
  });
  bounds.sort(order);
  const known: (Keyed & { sites: number[] })[] = [];
  let next = 0;
  for (;;) {
    const first = known.reduce<(Keyed & { sites: number[] }) | null>((b, k) => (b === null || order(k, b) < 0 ? k : b), null);
    // A mode whose bound is not after the first known candidate could come before it: probe it.
    if (next < bounds.length && (first === null || order(bounds[next], first) < 0)) {
      const b = bounds[next++];
      const sites = regenCuts(net, state, path, b.mode, req, memo, false);
      if (sites !== null && sites.length > 0) known.push({ ...b, cuts: sites.length, sites });
      continue;
    }
    if (first === null) return;
    known.splice(known.indexOf(first), 1);
    yield { mode: first.mode, cuts: first.sites };
  }
}

/** Lights a plan's segments in a state (after unlightWave, or in another state). */
export function lightWave(state: LineState, plan: WavePlan): void {
  for (const s of plan.segments) if (!state.has(s.lightpathId)) state.add(s.lightpath);
}

/** Add/drop ports a regenerator takes at its site: one for each of the two segments it joins. */
export const REGEN_ADD_DROP_PORTS = 2;

/**
 * Add/drop ports free per site (site id → count; a site not in it is not limited), as orders and
 * restoration both plan with them: regenerators only where two are free (regenAt, for planWave), and
 * what a plan takes counted off so the next plan cannot count on the same last ports.
 */
export class AddDropPorts {
  /** For planWave's regenAt: a node may host a regenerator. */
  readonly regenAt: (node: number) => boolean;

  constructor(
    private readonly g: Graph,
    readonly free: Map<string, number>,
  ) {
    this.regenAt = (v) => (free.get(g.nodeIds[v]) ?? Infinity) >= REGEN_ADD_DROP_PORTS;
  }

  /** True when the node's site has fewer than n ports free (a site not limited always has them). */
  lacks(node: number, n: number): boolean {
    const f = this.free.get(this.g.nodeIds[node]);
    return f !== undefined && f < n;
  }

  /** Takes n ports at the node's site; returns the site and count taken, or null when it is not limited. */
  take(node: number, n: number): { siteId: string; count: number } | null {
    const siteId = this.g.nodeIds[node];
    const f = this.free.get(siteId);
    if (f === undefined) return null;
    this.free.set(siteId, f - n);
    return { siteId, count: n };
  }
}

/**
 * Restoration's placer deciding by physics (restore.ts WavePlacer): one fiber pair per path, modes,
 * regenerators and frequency from planWave against the lit channels of `state`, which commits light.
 * Lightpath ids are `${prefix}${demand id}`. `addDropFree` (site id → add/drop ports free; a site not
 * in it is not limited) keeps regenerators off sites without two free ports; committed plans take
 * theirs from it, so the waves of one restoration cannot count on the same last ports.
 */
export function physicsPlacer(net: WaveNetwork, state: LineState, marginDb: number, prefix: string, addDropFree?: Map<string, number>): {
  minSlots(lineRateGbps: number): number;
  fit(g: Graph, layers: readonly SpectrumGrid[], path: Path, d: { id: string; lineRateGbps: number }, allow: (layer: number) => boolean): { layer: number; physics: WavePlan } | null;
  commit(layers: readonly SpectrumGrid[], choice: { physics?: WavePlan }): void;
} {
  let coarsest = 0;
  for (const gr of net.grids) if (gr !== null) coarsest = Math.max(coarsest, gr.slotWidthGhz);
  const widths = new Map<number, number>();
  const ports = addDropFree && new AddDropPorts(net.g, addDropFree);
  const regenAt = ports?.regenAt;
  return {
    // A lower bound on the slots any fit takes on any span (the proofs need no more).
    minSlots(rate) {
      let w = widths.get(rate);
      if (w === undefined) {
        const m = modesForBandwidth(rate)[0];
        w = m === undefined || coarsest === 0 ? Infinity : Math.max(1, Math.ceil(m.channelWidthGhz / coarsest - 1e-9));
        widths.set(rate, w);
      }
      return w;
    },
    fit(_g, layers, path, d, allow) {
      for (let layer = 0; layer < layers.length; layer++) {
        if (!allow(layer)) continue;
        const r = planWave(net, layers, state, path, { id: `${prefix}${d.id}`, bandwidthGbps: d.lineRateGbps, marginDb, allowPair: (p) => p === layer, regenAt });
        if (r.ok) {
          unlightWave(state, r.plan);
          return { layer, physics: r.plan };
        }
      }
      return null;
    },
    commit(layers, choice) {
      const plan = choice.physics as WavePlan;
      occupyWave(layers, plan);
      lightWave(state, plan);
      if (ports) for (const v of plan.regenNodes) ports.take(v, REGEN_ADD_DROP_PORTS);
    },
  };
}
