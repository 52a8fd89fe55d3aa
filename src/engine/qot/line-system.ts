/**
 * QoT of Lightpath's own spans: each span (fiber route between two PoPs) is a booster after the
 * ROADM at its A end, fiber sections separated by in-line amplifiers, and a preamp before the ROADM
 * at its Z end. Amplifiers restore the per-channel launch power (gain = preceding section loss), so a
 * span adds to each channel i, in linear inverse-SNR terms (GNPy's model, in closed form):
 *   ASE:  h·f_i·B_i·( Σ_k NF_k·L_k / P_i + NF_booster / P_roadm )
 *         (in-line and preamp k amplify a section of loss L_k; the booster lifts the ROADM's
 *          −20 dBm/channel output to the launch power);
 *   NLI:  Σ_sections γ_i² Σ_j w_ij P_j² ψ_ij(L_s) / B_j²   (GN closed form, nli.ts),
 * and a path adds the spans, the transmitter OSNR and the ROADM add/drop OSNRs:
 *   1/GSNR = 1/OSNR_tx + 1/OSNR_add + Σ_spans (ASE + NLI) + 1/OSNR_drop   (all in the signal bandwidth).
 *
 * planSpan() precomputes a span once (sections, amplifier choice and NF, fiber constants);
 * pathGsnr() evaluates one channel over a path given the channels lit on each span;
 * LineSystemState keeps the lit channels of every span and each lit lightpath's NLI, computed when first
 * asked for and then kept current, so that lighting one more channel only touches the lightpaths sharing
 * a span with it whose GSNR was asked for (the ordering check).
 */
import { DEFAULT_CONNECTOR_LOSS_DB, DEFAULT_FIBER_TYPE, DEFAULT_LAUNCH_POWER_DBM, DEFAULT_MAX_SECTION_KM, DEFAULT_ROADM, DEFAULT_TX_OSNR_DB, FIBER_TYPES, SILICA_N2_M2_PER_W, AMPLIFIER_TYPES } from '../../domain/optical.js';
import type { AmplifierSpec, FiberTypeSpec } from '../../domain/optical.js';
import type { LineString } from '../../domain/network.js';
import { greatCircleKm } from '../../domain/network.js';
import { selectAmplifier } from './design.js';
import { designNfDb } from './edfa.js';
import { estimateVariableGainNf } from './equipment.js';
import type { AmplifierType } from './equipment.js';
import { FIBER_CORE_RADIUS_M } from './fiber.js';
import { SPM_WEIGHT, XPM_WEIGHT } from './nli.js';
import { OSNR_REF_BANDWIDTH_HZ, PLANCK_J_S, SPEED_OF_LIGHT_M_S, dbToLin, dbmToWatt, linToDb } from './units.js';

/** A span as ordering knows it. */
export interface QotSpanInput {
  id: string;
  lengthKm: number;
  /** Key of FIBER_TYPES; default G.652.D. */
  fiberType?: string;
  /** Known in-line amplifier huts, km from the A end (strictly inside the span). */
  amplifierPositionsKm?: number[];
  /** Route geometry, to place default amplifiers on the map. */
  geometry?: LineString;
  connectorLossDb?: number;
  /** Per-channel launch power into each section, dBm (default: the options' launchPowerDbm). */
  launchPowerDbm?: number;
}

export interface LineSystemOptions {
  launchPowerDbm: number;
  maxSectionKm: number;
  roadmTargetDbm: number;
  addDropOsnrDb: number;
  amplifiers: AmplifierSpec[];
}

export const DEFAULT_LINE_OPTIONS: LineSystemOptions = {
  launchPowerDbm: DEFAULT_LAUNCH_POWER_DBM,
  maxSectionKm: DEFAULT_MAX_SECTION_KM,
  roadmTargetDbm: DEFAULT_ROADM.targetPchOutDbm,
  addDropOsnrDb: DEFAULT_ROADM.addDropOsnrDb,
  amplifiers: AMPLIFIER_TYPES,
};

export interface AmplifierSite {
  role: 'booster' | 'in-line' | 'preamp';
  positionKm: number;
  /** Where on the route, when the span has geometry. */
  lat: number | null;
  lon: number | null;
  placedByDefault: boolean;
  type: string;
  gainDb: number;
  nfDb: number;
}

/** A span compiled for fast evaluation. */
export interface SpanModel {
  id: string;
  lengthKm: number;
  fiber: FiberTypeSpec;
  /** Per-channel launch power of the span's sections (channels without their own power), dBm. */
  launchPowerDbm: number;
  sectionsKm: number[];
  amplifiers: AmplifierSite[];
  /** Power attenuation, Np/m. */
  alphaNpPerM: number;
  /** Distinct section lengths with their effective length and count. */
  groupLeffM: Float64Array;
  groupCount: Float64Array;
  /** Σ over sections of Leff² (m²). */
  leff2Sum: number;
  asymLengthM: number;
  /** Launch power → power inside the fiber (after the input connector), linear: NLI is generated there. */
  fiberInputFactor: number;
  /** Σ NF_k·L_k (linear) over in-line amplifiers and the preamp. */
  aseSum: number;
  boosterNfLin: number;
  dispersionSPerM2: number;
  slopeSPerM3: number;
  effectiveAreaM2: number;
  /** Accumulated CD (ps/nm), PMD (ps) and latency (µs) of the span. */
  cdPsPerNm: number;
  pmdPs: number;
  latencyUs: number;
}

/** Group index for latency, 4.9 µs/km (domain FIBER_LATENCY_US_PER_KM ↔ n = 1.468). */
const GROUP_INDEX = 1.468;
const REF_FREQUENCY_HZ = SPEED_OF_LIGHT_M_S / 1550e-9;

function amplifierType(spec: AmplifierSpec): AmplifierType {
  const m = estimateVariableGainNf(spec.id, spec.gainMinDb, spec.gainFlatmaxDb, spec.nfMinDb, spec.nfMaxDb);
  return {
    typeVariety: spec.id,
    nf: { kind: 'variable_gain', ...m, nfMinDb: spec.nfMinDb, nfMaxDb: spec.nfMaxDb },
    fMinHz: 191.275e12,
    fMaxHz: 196.125e12,
    gainFlatmaxDb: spec.gainFlatmaxDb,
    gainMinDb: spec.gainMinDb,
    pMaxDbm: spec.pMaxDbm,
    nfRippleDb: [0],
    gainRippleDb: [0],
    dgt: [1],
    outVoaAuto: false,
    allowedForDesign: true,
    raman: false,
    pmdS: 0,
    pdlDb: 0,
  };
}

const typeCache = new WeakMap<AmplifierSpec[], AmplifierType[]>();

/** The amplifier for a gain: GNPy's selection (lowest NF among those reaching gain and power). */
function chooseAmplifier(gainDb: number, opts: LineSystemOptions, uid: string): { type: string; nfDb: number } {
  let types = typeCache.get(opts.amplifiers);
  if (types === undefined) {
    types = opts.amplifiers.map(amplifierType);
    typeCache.set(opts.amplifiers, types);
  }
  // Total output power of a full C band (96 × 50 GHz) at the launch power, as GNPy's design checks.
  const sel = selectAmplifier(false, gainDb, opts.launchPowerDbm + linToDb(96), types, 2.5, uid);
  const t = types.find((x) => x.typeVariety === sel.variety) as AmplifierType;
  return { type: t.typeVariety, nfDb: designNfDb(t, gainDb) };
}

/** Point at a distance fraction along a polyline. */
function alongLine(line: LineString, fraction: number): { lat: number; lon: number } {
  const c = line.coordinates;
  const seg: number[] = [];
  let total = 0;
  for (let i = 1; i < c.length; i++) {
    const d = greatCircleKm(c[i - 1][1], c[i - 1][0], c[i][1], c[i][0]);
    seg.push(d);
    total += d;
  }
  let want = fraction * total;
  for (let i = 1; i < c.length; i++) {
    if (want <= seg[i - 1] || i === c.length - 1) {
      const t = seg[i - 1] > 0 ? Math.min(1, want / seg[i - 1]) : 0;
      return { lon: c[i - 1][0] + t * (c[i][0] - c[i - 1][0]), lat: c[i - 1][1] + t * (c[i][1] - c[i - 1][1]) };
    }
    want -= seg[i - 1];
  }
  return { lon: c[0][0], lat: c[0][1] };
}

/** Compiles a span: sections, amplifier sites (given or placed every ≤ maxSectionKm), constants. */
export function planSpan(span: QotSpanInput, lineOpts: LineSystemOptions = DEFAULT_LINE_OPTIONS): SpanModel {
  const opts = span.launchPowerDbm === undefined ? lineOpts : { ...lineOpts, launchPowerDbm: span.launchPowerDbm };
  const fiber = FIBER_TYPES[span.fiberType ?? DEFAULT_FIBER_TYPE];
  if (fiber === undefined) throw new RangeError(`span ${span.id}: unknown fiber type ${JSON.stringify(span.fiberType)}`);
  if (!(span.lengthKm > 0)) throw new RangeError(`span ${span.id}: lengthKm must be > 0`);
  const given = span.amplifierPositionsKm;
  let cuts: number[];
  const placedByDefault = given === undefined;
  if (given !== undefined) {
    cuts = [...given].sort((a, b) => a - b);
    if (cuts.some((p) => !(p > 0 && p < span.lengthKm))) throw new RangeError(`span ${span.id}: amplifier positions must lie strictly inside the span`);
  } else {
    const n = Math.max(1, Math.ceil(span.lengthKm / opts.maxSectionKm - 1e-9));
    cuts = Array.from({ length: n - 1 }, (_, k) => (span.lengthKm * (k + 1)) / n);
  }
  const bounds = [0, ...cuts, span.lengthKm];
  const sectionsKm = bounds.slice(1).map((b, k) => b - bounds[k]);
  const con = span.connectorLossDb ?? DEFAULT_CONNECTOR_LOSS_DB;
  // A geometry needs two points to place anything on (imports may leave it empty).
  const line = span.geometry && span.geometry.coordinates.length >= 2 ? span.geometry : null;
  const where = (km: number) => (line ? alongLine(line, km / span.lengthKm) : { lat: null, lon: null });
  const amplifiers: AmplifierSite[] = [];
  const boosterGain = opts.launchPowerDbm - opts.roadmTargetDbm;
  const booster = chooseAmplifier(boosterGain, opts, `${span.id}:booster`);
  amplifiers.push({ role: 'booster', positionKm: 0, ...where(0), placedByDefault: false, type: booster.type, gainDb: boosterGain, nfDb: booster.nfDb });
  let aseSum = 0;
  sectionsKm.forEach((km, k) => {
    const lossDb = fiber.attenuationDbPerKm * km + 2 * con;
    const last = k === sectionsKm.length - 1;
    const a = chooseAmplifier(lossDb, opts, `${span.id}:${k}`);
    aseSum += dbToLin(a.nfDb) * dbToLin(lossDb);
    const pos = bounds[k + 1];
    amplifiers.push({ role: last ? 'preamp' : 'in-line', positionKm: pos, ...where(pos), placedByDefault: last ? false : placedByDefault, type: a.type, gainDb: lossDb, nfDb: a.nfDb });
  });
  const alpha = fiber.attenuationDbPerKm / 1e3 / (10 * Math.log10(Math.E));
  const groups = new Map<number, number>();
  for (const km of sectionsKm) {
    const key = Math.round(km * 1e6) / 1e6;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const groupLeffM = new Float64Array(groups.size);
  const groupCount = new Float64Array(groups.size);
  [...groups].forEach(([km, count], g) => {
    groupLeffM[g] = (1 - Math.exp(-alpha * km * 1e3)) / alpha;
    groupCount[g] = count;
  });
  let leff2Sum = 0;
  for (let g = 0; g < groupLeffM.length; g++) leff2Sum += groupCount[g] * groupLeffM[g] * groupLeffM[g];
  return {
    id: span.id,
    lengthKm: span.lengthKm,
    fiber,
    launchPowerDbm: opts.launchPowerDbm,
    sectionsKm,
    amplifiers,
    alphaNpPerM: alpha,
    groupLeffM,
    groupCount,
    leff2Sum,
    asymLengthM: 1 / alpha,
    fiberInputFactor: dbToLin(-con),
    aseSum,
    boosterNfLin: dbToLin(booster.nfDb),
    dispersionSPerM2: fiber.dispersionPsPerNmKm * 1e-6,
    slopeSPerM3: fiber.dispersionSlopePsPerNm2Km * 1e3,
    effectiveAreaM2: fiber.effectiveAreaUm2 * 1e-12,
    cdPsPerNm: fiber.dispersionPsPerNmKm * span.lengthKm,
    pmdPs: fiber.pmdPsPerSqrtKm * Math.sqrt(span.lengthKm),
    latencyUs: (span.lengthKm * 1e3 * GROUP_INDEX * 1e6) / SPEED_OF_LIGHT_M_S,
  };
}

/** β₂ at f with D(λ) = D + S(λ − 1550 nm), s²/m. */
function beta2(m: SpanModel, f: number): number {
  const lambda = SPEED_OF_LIGHT_M_S / f;
  const d = m.dispersionSPerM2 + m.slopeSPerM3 * (lambda - 1550e-9);
  return -(lambda * lambda * d) / (2 * Math.PI * SPEED_OF_LIGHT_M_S);
}

/** γ at f with the Gaussian-mode Aeff scaling of GNPy (see Fiber.gamma). */
function gamma(m: SpanModel, f: number): number {
  const a2 = FIBER_CORE_RADIUS_M ** 2;
  const lnV = Math.log(f / REF_FREQUENCY_HZ) + (Math.PI * a2) / m.effectiveAreaM2;
  return (2 * Math.PI * SILICA_N2_M2_PER_W * f * lnV) / (SPEED_OF_LIGHT_M_S * Math.PI * a2);
}

/**
 * asinh(x1) − asinh(x2) for x1 > x2 with a single logarithm, exact to rounding: each asinh is
 * sign(x)·ln(|x| + √(x²+1)), and the difference of logs of like-signed terms is the log of their ratio.
 */
export function asinhDiff(x1: number, x2: number): number {
  if (x2 >= 0) return Math.log((x1 + Math.sqrt(x1 * x1 + 1)) / (x2 + Math.sqrt(x2 * x2 + 1)));
  if (x1 <= 0) return Math.log((-x2 + Math.sqrt(x2 * x2 + 1)) / (-x1 + Math.sqrt(x1 * x1 + 1)));
  return Math.log((x1 + Math.sqrt(x1 * x1 + 1)) * (-x2 + Math.sqrt(x2 * x2 + 1)));
}

/**
 * Inverse SNR that pump channel j (launch power pj, W) inflicts on channel i over the span's sections:
 * γ_i² w Σ_s ψ_ij(L_s) (c·pj)² / B_j², with c the input-connector factor (the NLI is generated by the
 * power inside the fiber and compared with the signal there). The asinh part of ψ (eq. 123) does not
 * depend on the section length, so Σ_s ψ = ½[asinh − asinh]·Σ_s Leff_s² / (2π|β̄₂|La).
 */
function pairNliRatio(m: SpanModel, fi: number, bi: number, b2i: number, gi: number, fj: number, bj: number, b2j: number, pj: number, self: boolean): number {
  const b2 = Math.abs((b2i + b2j) / 2);
  const la = m.asymLengthM;
  const k = Math.PI * Math.PI * la * b2 * bi;
  const df = fj - fi;
  const sum = (0.5 * asinhDiff(k * (df + bj / 2), k * (df - bj / 2)) * m.leff2Sum) / (2 * Math.PI * b2 * la);
  const pf = pj * m.fiberInputFactor;
  return (gi * gi * (self ? SPM_WEIGHT : XPM_WEIGHT) * sum * pf * pf) / (bj * bj);
}

/** A channel list compiled for one span's fiber: typed arrays of what the closed form needs. */
interface CompiledChannels {
  index: Map<string, number>;
  f: Float64Array;
  b: Float64Array;
  p: Float64Array;
  b2: Float64Array;
  g: Float64Array;
  /** P_j² / B_j². */
  q: Float64Array;
}

/**
 * Compiled lists, per list object, fiber object and launch power: a path whose spans share a list
 * compiles it once. Keyed by identity and number (no key string built per span and call: for a
 * one-span path that was a tenth of the evaluation).
 */
const compiledCache = new WeakMap<readonly LitChannel[], Map<object, Map<number, CompiledChannels>>>();

function compiledChannels(list: readonly LitChannel[], m: SpanModel, launchW = dbmToWatt(m.launchPowerDbm)): CompiledChannels {
  let byFiber = compiledCache.get(list);
  if (byFiber === undefined) {
    byFiber = new Map();
    compiledCache.set(list, byFiber);
  }
  let byPower = byFiber.get(m.fiber);
  if (byPower === undefined) {
    byPower = new Map();
    byFiber.set(m.fiber, byPower);
  }
  const hit = byPower.get(launchW);
  if (hit !== undefined) return hit;
  const n = list.length;
  const cc: CompiledChannels = { index: new Map(), f: new Float64Array(n), b: new Float64Array(n), p: new Float64Array(n), b2: new Float64Array(n), g: new Float64Array(n), q: new Float64Array(n) };
  for (let j = 0; j < n; j++) {
    const c = list[j];
    cc.index.set(c.id, j);
    cc.f[j] = c.frequencyHz;
    cc.b[j] = c.baudRateHz;
    cc.p[j] = c.powerDbm === undefined ? launchW : dbmToWatt(c.powerDbm);
    cc.b2[j] = beta2(m, c.frequencyHz);
    cc.g[j] = gamma(m, c.frequencyHz);
    cc.q[j] = (cc.p[j] * cc.p[j]) / (cc.b[j] * cc.b[j]);
  }
  byPower.set(launchW, cc);
  return cc;
}

/**
 * Σ_j of pairNliRatio for channel i of a compiled list, with the per-span constants factored out of
 * the loop (the hot loop of a path evaluation: one logarithm and two square roots per pump).
 */
function nliInverseOf(m: SpanModel, cc: CompiledChannels, i: number): number {
  const la = m.asymLengthM;
  const fi = cc.f[i];
  const bi = cc.b[i];
  const b2i = cc.b2[i];
  const k0 = Math.PI * Math.PI * la * bi;
  const n = cc.f.length;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const b2 = Math.abs((b2i + cc.b2[j]) * 0.5);
    const k = k0 * b2;
    const df = cc.f[j] - fi;
    const h = cc.b[j] * 0.5;
    const x1 = k * (df + h);
    const x2 = k * (df - h);
    let d: number;
    if (x2 >= 0) d = Math.log((x1 + Math.sqrt(x1 * x1 + 1)) / (x2 + Math.sqrt(x2 * x2 + 1)));
    else if (x1 <= 0) d = Math.log((-x2 + Math.sqrt(x2 * x2 + 1)) / (-x1 + Math.sqrt(x1 * x1 + 1)));
    else d = Math.log((x1 + Math.sqrt(x1 * x1 + 1)) * (-x2 + Math.sqrt(x2 * x2 + 1)));
    sum += ((j === i ? SPM_WEIGHT : XPM_WEIGHT) * d * cc.q[j]) / b2;
  }
  const c = m.fiberInputFactor;
  return (cc.g[i] * cc.g[i] * 0.5 * m.leff2Sum * c * c * sum) / (2 * Math.PI * la);
}

/** A channel lit on a span. */
export interface LitChannel {
  id: string;
  frequencyHz: number;
  baudRateHz: number;
  /** Launch power per section, dBm (default: the span's launch power). */
  powerDbm?: number;
}

/** Inverse SNRs (linear, signal bandwidth) a span adds to each of its lit channels: ASE and NLI. */
export function spanInverseSnr(m: SpanModel, channels: readonly LitChannel[], opts: LineSystemOptions = DEFAULT_LINE_OPTIONS): { ase: Float64Array; nli: Float64Array } {
  const n = channels.length;
  const cc = compiledChannels(channels, m);
  const ase = new Float64Array(n);
  const nli = new Float64Array(n);
  const pRoadm = dbmToWatt(opts.roadmTargetDbm);
  for (let i = 0; i < n; i++) {
    ase[i] = PLANCK_J_S * cc.f[i] * cc.b[i] * (m.aseSum / cc.p[i] + m.boosterNfLin / pRoadm);
    nli[i] = nliInverseOf(m, cc, i);
  }
  return { ase, nli };
}

export interface PathQot {
  gsnrDb: number;
  gsnr01nmDb: number;
  osnrAseDb: number;
  snrNliDb: number;
  cdPsPerNm: number;
  pmdPs: number;
  latencyUs: number;
  perSpan: { spanId: string; aseInv: number; nliInv: number }[];
}

/** Transmitter and add/drop inverse SNR (signal bandwidth) of a channel of baud rate B. */
function terminalInverse(baudRateHz: number, txOsnrDb: number, opts: LineSystemOptions): number {
  // add and drop each count once: the add/drop OSNR split evenly, + 3 dB each (GNPy set_roadm_paths).
  const toBw = (osnr01: number) => dbToLin(-(osnr01 - linToDb(baudRateHz / OSNR_REF_BANDWIDTH_HZ)));
  return toBw(txOsnrDb) + 2 * toBw(opts.addDropOsnrDb + linToDb(2));
}

/**
 * GSNR of channel `channelId` along the path: `spans[k]` carries the channels `lit[k]` (which must
 * include the channel). O(Σ_k n_k) per call.
 */
export function pathGsnr(spans: readonly SpanModel[], lit: readonly (readonly LitChannel[])[], channelId: string, txOsnrDb = DEFAULT_TX_OSNR_DB, opts: LineSystemOptions = DEFAULT_LINE_OPTIONS): PathQot {
  let ase = 0;
  let nliSum = 0;
  let baud = 0;
  const perSpan: PathQot['perSpan'] = [];
  const roadmW = dbmToWatt(opts.roadmTargetDbm);
  spans.forEach((m, k) => {
    const chans = lit[k];
    const cc = compiledChannels(chans, m);
    const i = cc.index.get(channelId);
    if (i === undefined) throw new RangeError(`channel ${channelId} is not lit on span ${m.id}`);
    baud = cc.b[i];
    const nli = nliInverseOf(m, cc, i);
    const a = PLANCK_J_S * cc.f[i] * cc.b[i] * (m.aseSum / cc.p[i] + m.boosterNfLin / roadmW);
    ase += a;
    nliSum += nli;
    perSpan.push({ spanId: m.id, aseInv: a, nliInv: nli });
  });
  const term = terminalInverse(baud, txOsnrDb, opts);
  const gsnrDb = -linToDb(ase + nliSum + term);
  return {
    gsnrDb,
    gsnr01nmDb: gsnrDb - linToDb(OSNR_REF_BANDWIDTH_HZ / baud),
    osnrAseDb: -linToDb(ase),
    snrNliDb: -linToDb(nliSum),
    cdPsPerNm: spans.reduce((s, m) => s + m.cdPsPerNm, 0),
    pmdPs: Math.sqrt(spans.reduce((s, m) => s + m.pmdPs ** 2, 0)),
    latencyUs: spans.reduce((s, m) => s + m.latencyUs, 0),
    perSpan,
  };
}

/** A lightpath to light: its spans (in order) and its channel. */
export interface LightpathInput {
  id: string;
  spanIds: readonly string[];
  frequencyHz: number;
  baudRateHz: number;
  /** Launch power per section on every span, dBm (default: each span's launch power). */
  powerDbm?: number;
  txOsnrDb?: number;
  /** When it is lit (absent: always); add()'s `during` overrides it. */
  during?: LitInterval;
  /**
   * The lowest GSNR (signal bandwidth, dB) the lightpath's receiver works at: its mode's required
   * OSNR plus penalties, in the signal bandwidth. Neighbours are judged against it (absent = not checked).
   */
  thresholdDb?: number;
}

interface SpanChannels {
  model: SpanModel;
  launchW: number;
  /** Lightpath ids of the channels on the span, and their compact data. */
  ids: string[];
  f: number[];
  b: number[];
  p: number[];
  b2: number[];
  g: number[];
  /** The lit lightpath of each channel (object references: no id lookups in the hot loops). */
  lp: LpState[];
  /** When each channel is lit: [t0, t1) in ms (−∞, +∞ when lit without a time). */
  t0: number[];
  t1: number[];
  /** Bumped by every add and remove on the span (a window's channel lists for it are then stale). */
  changes: number;
}

/** When a channel is lit: [fromMs, toMs), toMs null = open-ended. */
export interface LitInterval {
  fromMs: number;
  toMs: number | null;
}

/**
 * What planning needs of the lit channels: a LineSystemState, or a window of one (during()). The
 * planner lights its tentative waves in it (add) and turns them off again (remove).
 */
export interface LineState {
  readonly opts: LineSystemOptions;
  hasSpan(id: string): boolean;
  model(id: string): SpanModel;
  has(id: string): boolean;
  input(id: string): LightpathInput | undefined;
  litOn(spanId: string): readonly string[];
  gsnrDb(id: string): number;
  evaluate(lp: LightpathInput, opts?: EvaluateOptions): LightingEffect;
  /**
   * The lit lightpath (tracked, with a threshold) on any of these spans that is already below its
   * threshold, the furthest below (marginDb < 0), or null when none is. A channel lit on those spans
   * only lowers its GSNR, so then no wave there passes evaluate()'s neighbour test, at any frequency.
   */
  weakestOn(spanIds: readonly string[]): { id: string; marginDb: number } | null;
  add(lp: LightpathInput, opts?: { tracked?: boolean }): void;
  remove(id: string): void;
}

/**
 * A lightpath's inverse GSNR summed over the channels lit during [from, to) (LineSystemState.during),
 * for the windows of one chain while `key` is the chain's.
 */
interface WindowSum {
  inv: number;
  from: number;
  to: number;
  key: object;
}

/**
 * A span's channels as a window's sums take them: those lit in the window (js) and the others (out),
 * or, keyed by an earlier window, those that entered (sign +1) or left (−1) since.
 */
interface ChannelList {
  js: number[];
  signs: number[];
  out: number[];
}

/**
 * Time buckets of the sums a state keeps (LineSystemState.timeBuckets): bucket 0 is everything before
 * fromMs, buckets 1..count−2 are bucketMs each from fromMs, and the last is everything after.
 */
export interface TimeBuckets {
  fromMs: number;
  bucketMs: number;
  count: number;
}

/**
 * Sums shared by windows made one after another, good while the state changes only through them. A
 * sum is kept on its lightpath's own record (LpState.win) under the chain's key: a tentative wave's
 * add or remove scans every channel on its spans, and a field read there costs far less than a map
 * lookup. A new key drops them all; a lightpath keeps one chain's sum (planning is synchronous: a
 * chain whose sums another took only sums them again).
 */
interface WindowChain {
  key: object;
  /** Sums set under this key (none: adding or removing a wave has none to move). */
  count: number;
  seen: number;
  /**
   * Waves lit through the chain's windows and not yet turned off. A later window starts from the
   * chain's sums only when there are none: a sum is moved by a wave only where the wave meets its
   * lightpath (LpState.scoped), which holds while the wave's own window is the one judged.
   */
  lit: Set<LpState>;
}

/** @internal A lit lightpath's bookkeeping (exported for the window's signatures only). */
export interface LpState {
  input: LightpathInput;
  /** evaluate()'s scratch: the stamp of the last evaluation that touched it, its inverse GSNR then and the NLI the new wave would add. */
  mark: number;
  base: number;
  pending: number;
  /** Inverse SNR of everything but NLI (ASE on its spans, transmitter, add/drop). */
  fixedInv: number;
  /** fixedInv + the NLI it suffers on every span: its current inverse GSNR (when valid). */
  inv: number;
  /**
   * Whether inv is computed. A lightpath's NLI is summed the first time its GSNR is needed (asked for,
   * or it is a neighbour of an evaluated wave) and kept current from then on: a state built for a few
   * quotes never sums the NLI of the many lightpaths no plan looks at.
   */
  valid: boolean;
  /**
   * With time buckets (LineSystemState.timeBuckets) and inv valid: the NLI in inv from the other
   * channels by the bucket of their start (byStart) and of their end (byEnd), so a window's sum is
   * bounded by inv less the buckets wholly outside it.
   */
  byStart?: Float64Array;
  byEnd?: Float64Array;
  /**
   * byStart summed by blocks of BUCKET_BLOCK buckets: a window's bound adds the buckets after its end,
   * most of them (a month ahead of four months), a block at a time.
   */
  byStartBlocks?: Float64Array;
  /** 10^(−thresholdDb/10): the inverse GSNR at its threshold (weakestIn's first test, worstExact's ratio), once asked. */
  thresholdInv?: number;
  /**
   * windowBound's last answer: the buckets' sum outside [outFrom, outTo) (NaN: none, or the sums were
   * made again since), with the buckets it takes (by start from outK0 on, by end up to outK1): each
   * channel bucketed after it is added to it there, so the answer stays good through a plan's
   * tentative waves instead of being summed again over every bucket.
   */
  outFrom?: number;
  outTo?: number;
  out?: number;
  outK0?: number;
  outK1?: number;
  /** Additions to `out` since it was summed: summed again after OUT_UPDATES_MAX, against rounding drift. */
  outOps?: number;
  /** Its sum in a window chain (WindowChain), or null. */
  win: WindowSum | null;
  /** When it is lit: [fromMs, toMs) (add's `during`; unbounded when always). */
  fromMs: number;
  toMs: number;
  /**
   * False for a channel lit only as noise on the spans a state was built for (see add's `tracked`):
   * its own NLI is not summed, so it has no GSNR of its own and may not be judged as a neighbour.
   */
  tracked: boolean;
  /**
   * Lit through a window of the state (during()'s add: a plan's tentative wave, lit for that window
   * and turned off before another is looked at): it counts in the kept sum of a lightpath only when
   * their intervals meet, since no other is judged while it is lit. A plan's tentative lighting then
   * updates the few sums of the window's lightpaths instead of every sum on its spans. The window's
   * own sums (LpState.win) likewise: those of lightpaths it does not meet are neither moved nor read
   * while it is lit (a window's gsnrDb of such a lightpath sums it afresh).
   */
  scoped: boolean;
}

/**
 * What evaluate() says of the lit neighbours: every one's new GSNR (true, the default), none (false),
 * or only the worst one, exactly ('worst': `neighbours` is left empty). 'worst' is what a planner
 * needs, and it costs far less in a window: a neighbour's GSNR in the state itself (every channel,
 * whenever lit; kept current by every add and remove) bounds its GSNR in any window from below, so
 * only the neighbours whose bound could be the worst are summed over the window.
 */
export type NeighbourDetail = boolean | 'worst';

/** How evaluate() judges a lightpath. */
export interface EvaluateOptions {
  /** What it says of the lit neighbours (default true: every one's new GSNR). */
  neighbours?: NeighbourDetail;
  /**
   * Judge it alone on its spans: no lit channel adds NLI to it, and none is a neighbour. The noise is
   * then a lower bound of its noise in any state (ASE, its own NLI and the terminals only): what a
   * planner needs to rule out what cannot close even so, without summing a channel.
   */
  alone?: boolean;
}

/** What lighting a lightpath would do (LineSystemState.evaluate). */
export interface LightingEffect {
  /** The new lightpath's GSNR, signal bandwidth, dB. */
  gsnrDb: number;
  /** Its inverse SNR per span (ASE + NLI, linear), in the order of its spanIds. */
  perSpanInv: Float64Array;
  /** The ASE part of perSpanInv. */
  perSpanAseInv: Float64Array;
  /** Its transmitter and add/drop inverse SNR (linear). */
  terminalInv: number;
  /** New GSNR of every lit lightpath sharing a span with it, dB (empty unless asked for: NeighbourDetail). */
  neighbours: Map<string, number>;
  /** The neighbour (with a threshold) left with the least GSNR above its threshold, or null. */
  worst: { id: string; gsnrDb: number; thresholdDb: number; marginDb: number } | null;
}

/**
 * Additions windowBound's kept answer takes before it is summed again: each rounds differently from a
 * fresh sum, and the bound's slack (10⁻¹² of the sum) must stay above the difference.
 */
const OUT_UPDATES_MAX = 1000;

/** Buckets per block of LpState.byStartBlocks (about the square root of a state's four months of day buckets). */
const BUCKET_BLOCK = 12;

/** A lightpath to judge with a lower bound on its margin (dB) and its place in the order it was met. */
interface Bounded {
  st: LpState;
  bound: number;
  at: number;
}

/**
 * The candidate with the least exact margin among those `keep` accepts, given lower bounds on their
 * margins: in order of bound, each is judged exactly (`exact`) until the next bound is above the least
 * found, since no exact margin is below its bound. Ties go to the first met, as a scan in that order
 * would. weakestIn's (worstExact judges the same way without sorting every neighbour).
 */
function leastByBound(cands: Bounded[], exact: (st: LpState) => number, keep: (marginDb: number) => boolean): { st: LpState; marginDb: number } | null {
  cands.sort((x, y) => x.bound - y.bound || x.at - y.at);
  let least: { st: LpState; marginDb: number } | null = null;
  let leastAt = Infinity;
  for (const { st, bound, at } of cands) {
    if (least !== null && bound > least.marginDb) break;
    const m = exact(st);
    if (keep(m) && (least === null || m < least.marginDb || (m === least.marginDb && at < leastAt))) {
      least = { st, marginDb: m };
      leastAt = at;
    }
  }
  return least;
}

/**
 * The neighbour left with the least margin over its threshold, exactly, from neighbours whose `base`
 * is a bound (an inverse GSNR at least their window's, so a margin at most their window's).
 *
 * Judged as leastByBound would (in order of bound until the next bound is above the least exact
 * margin found; ties to the first met), without sorting every neighbour: a quote's wave on a busy
 * route touches hundreds, and the sort and an object each were most of this. A neighbour's bound is
 * compared as its inverse GSNR over the one at its threshold (10^(−bound/10), no logarithm): the
 * least bound is the largest ratio. The neighbour with the least bound is judged first; only those
 * whose bound is not above its exact margin can be the worst, and they are judged in order of bound.
 */
function worstExact(touched: readonly LpState[], invOf: (st: LpState) => number): LightingEffect['worst'] {
  const n = touched.length;
  // ratio[i] = 10^(−bound_i/10); NaN for a neighbour without a threshold (never the worst).
  const ratio = new Float64Array(n);
  let first = -1;
  for (let i = 0; i < n; i++) {
    const st = touched[i];
    const th = st.input.thresholdDb;
    if (th === undefined) {
      ratio[i] = NaN;
      continue;
    }
    st.thresholdInv ??= 10 ** (-th / 10);
    ratio[i] = (st.base + st.pending) / st.thresholdInv;
    if (first < 0 || ratio[i] > ratio[first]) first = i;
  }
  if (first < 0) return null;
  const gsnr = (st: LpState) => -linToDb(invOf(st) + st.pending);
  const marginOf = (st: LpState) => gsnr(st) - (st.input.thresholdDb as number);
  let least = marginOf(touched[first]);
  let leastAt = first;
  // A bound at most `m` dB is a ratio at least 10^(−m/10); a hair lower against the rounding of the
  // two forms (a neighbour judged needlessly costs time, one passed over would cost the answer).
  const atLeast = (m: number) => 10 ** (-m / 10) * (1 - 1e-9);
  let cut = atLeast(least);
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (i !== first && ratio[i] >= cut) rest.push(i);
  rest.sort((x, y) => ratio[y] - ratio[x] || x - y);
  for (const i of rest) {
    if (ratio[i] < cut) break;
    const m = marginOf(touched[i]);
    if (m < least || (m === least && i < leastAt)) {
      least = m;
      leastAt = i;
      cut = atLeast(least);
    }
  }
  const worst = touched[leastAt];
  // invOf keeps the window's sum: the GSNR is the one the margin was taken from.
  return { id: worst.input.id, gsnrDb: gsnr(worst), thresholdDb: worst.input.thresholdDb as number, marginDb: least };
}

/**
 * Every lit lightpath and the NLI each suffers. Lighting or removing a channel updates only the
 * lightpaths that share a span with it and whose NLI has been summed: O(Σ_shared-spans n) per change;
 * a lightpath's NLI is summed the first time its GSNR is needed (O(Σ_its-spans n)).
 */
export class LineSystemState implements LineState {
  private readonly spans = new Map<string, SpanChannels>();
  private readonly lps = new Map<string, LpState>();
  /** Stamp of the current evaluate() call (LpState.mark). */
  private stamp = 0;
  /** Bumped by every add and remove: a window's sums are only good for the state they were made on. */
  private changes = 0;
  /** The windows made by during(), with their sums (a later window may start from them). */
  private readonly windows = new WeakMap<LineState, WindowChain>();
  /** The buckets kept sums are split by (timeBuckets), or null. */
  private buckets: TimeBuckets | null = null;
  /** The scoped waves lit now (LpState.scoped): few, a plan's tentative waves and orders' being written. */
  private readonly scopedLit = new Set<LpState>();

  constructor(
    models: Iterable<SpanModel>,
    readonly opts: LineSystemOptions = DEFAULT_LINE_OPTIONS,
  ) {
    for (const m of models) this.spans.set(m.id, { model: m, launchW: dbmToWatt(m.launchPowerDbm), ids: [], f: [], b: [], p: [], b2: [], g: [], lp: [], t0: [], t1: [], changes: 0 });
  }

  private span(id: string): SpanChannels {
    const s = this.spans.get(id);
    if (s === undefined) throw new RangeError(`unknown span ${id}`);
    return s;
  }

  /** True when the state knows the span. */
  hasSpan(id: string): boolean {
    return this.spans.has(id);
  }

  /** The compiled model of a span. */
  model(id: string): SpanModel {
    return this.span(id).model;
  }

  /** Channel power on a span, W: the lightpath's own, else the span's launch power. */
  private powerOn(s: SpanChannels, lp: LightpathInput): number {
    return lp.powerDbm === undefined ? s.launchW : dbmToWatt(lp.powerDbm);
  }

  private aseInverse(s: SpanChannels, lp: LightpathInput): number {
    const m = s.model;
    return PLANCK_J_S * lp.frequencyHz * lp.baudRateHz * (m.aseSum / this.powerOn(s, lp) + m.boosterNfLin / dbmToWatt(this.opts.roadmTargetDbm));
  }

  private fixedInverse(lp: LightpathInput): number {
    let inv = terminalInverse(lp.baudRateHz, lp.txOsnrDb ?? DEFAULT_TX_OSNR_DB, this.opts);
    for (const id of lp.spanIds) inv += this.aseInverse(this.span(id), lp);
    return inv;
  }

  /** Sums a tracked lightpath's NLI over its spans from the channels lit there now (see LpState.valid). */
  private ensure(st: LpState): void {
    if (st.valid) return;
    let inv = st.fixedInv;
    const bk = this.buckets;
    if (bk !== null) {
      st.byStart = new Float64Array(bk.count);
      st.byEnd = new Float64Array(bk.count);
      st.byStartBlocks = new Float64Array(Math.ceil(bk.count / BUCKET_BLOCK));
      st.outFrom = NaN;
    }
    for (const sid of st.input.spanIds) {
      const s = this.span(sid);
      const i = s.lp.indexOf(st);
      const m = s.model;
      for (let j = 0; j < s.ids.length; j++) {
        // A channel lit through a window counts only where the intervals meet (LpState.scoped), as add keeps it.
        if (i !== j && s.lp[j].scoped && !(s.t0[j] < s.t1[i] && s.t1[j] > s.t0[i])) continue;
        const x = pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[j], s.b[j], s.b2[j], s.p[j], i === j);
        inv += x;
        // Its own channel is in every window it is judged in: never bucketed.
        if (bk !== null && i !== j) this.bucket(st, s.t0[j], s.t1[j], x);
      }
    }
    st.inv = inv;
    st.valid = true;
  }

  /** Adds x (a channel lit over [t0, t1)) to a summed lightpath's buckets, when kept. */
  private bucket(st: LpState, t0: number, t1: number, x: number): void {
    const bk = this.buckets;
    if (bk === null || st.byStart === undefined || st.byEnd === undefined || st.byStartBlocks === undefined) return;
    const at = (t: number) => (t < bk.fromMs ? 0 : Math.min(bk.count - 1, 1 + Math.floor((t - bk.fromMs) / bk.bucketMs)));
    const ks = at(t0);
    const ke = at(t1);
    st.byStart[ks] += x;
    st.byStartBlocks[(ks / BUCKET_BLOCK) | 0] += x;
    st.byEnd[ke] += x;
    if (st.out !== undefined && st.outFrom === st.outFrom) {
      if ((st.outOps = (st.outOps ?? 0) + 1) > OUT_UPDATES_MAX) st.outFrom = NaN;
      else {
        if (ks >= (st.outK0 as number)) st.out += x;
        if (ke <= (st.outK1 as number)) st.out += x;
      }
    }
  }

  /**
   * Keeps every sum split into time buckets from now on (sums made before are made again), so a
   * window's neighbour is bounded by its sum less the channels wholly outside the window by bucket,
   * not by every channel whenever lit (windowBound). Memory: two arrays of `count` per summed lightpath.
   */
  timeBuckets(b: TimeBuckets): void {
    if (!(b.count >= 3 && b.bucketMs > 0)) throw new RangeError('time buckets need count ≥ 3 and bucketMs > 0');
    this.buckets = { ...b };
    for (const st of this.lps.values()) {
      if (!st.valid) continue;
      st.valid = false;
      this.ensure(st);
    }
  }

  /**
   * The NLI on a lightpath from the scoped waves lit now that its interval does not meet (only those
   * lit at some instant of `window`, when given): its kept sum leaves them out (LpState.scoped), a
   * window holding both counts them. A window's bound, and its sum made from the kept sum, add them
   * (none, mostly: a plan's own tentative waves are lit through the window its neighbours are judged
   * in, so they meet every one; the waves of orders being written elsewhere in time are passed over on
   * their intervals). Pairs are computed from the two inputs, as add() does, without finding their
   * places on the span.
   */
  private scopedApart(st: LpState, window: { from: number; to: number } | null): number {
    let x = 0;
    for (const w of this.scopedLit) {
      if (w === st || (w.fromMs < st.toMs && w.toMs > st.fromMs)) continue;
      if (window !== null && !(w.fromMs < window.to && w.toMs > window.from)) continue;
      for (const sid of w.input.spanIds) {
        if (!st.input.spanIds.includes(sid)) continue;
        const s = this.span(sid);
        const m = s.model;
        const fi = st.input.frequencyHz;
        const fj = w.input.frequencyHz;
        x += pairNliRatio(m, fi, st.input.baudRateHz, beta2(m, fi), gamma(m, fi), fj, w.input.baudRateHz, beta2(m, fj), this.powerOn(s, w.input), false);
      }
    }
    return x;
  }

  /**
   * An inverse GSNR at least a tracked lightpath's over any window: its sum in the state itself less,
   * with time buckets, the channels in buckets wholly after the window (by start) or wholly before it
   * (by end); those two sets do not meet. A hair above the exact difference against rounding.
   */
  private windowBound(st: LpState, window: LitInterval | null): number {
    this.ensure(st);
    const bk = this.buckets;
    const to = window?.toMs ?? Infinity;
    const apart = window !== null && this.scopedLit.size > 0 ? this.scopedApart(st, { from: window.fromMs, to }) : 0;
    if (bk === null || window === null || st.byStart === undefined || st.byEnd === undefined || st.byStartBlocks === undefined) return st.inv + apart;
    let out = 0;
    // Asked again for the same window (each evaluation of a plan touches the same neighbours).
    if (st.outFrom === window.fromMs && st.outTo === to) out = st.out as number;
    else {
      const k0 = to === Infinity ? bk.count : Math.max(1, 1 + Math.ceil((to - bk.fromMs) / bk.bucketMs));
      // Buckets up to the next block's first, then whole blocks.
      const block = Math.ceil(k0 / BUCKET_BLOCK);
      for (let k = k0; k < Math.min(bk.count, block * BUCKET_BLOCK); k++) out += st.byStart[k];
      for (let b = block; b < st.byStartBlocks.length; b++) out += st.byStartBlocks[b];
      const last = Math.min(bk.count - 2, Math.floor((window.fromMs - bk.fromMs) / bk.bucketMs));
      for (let k = 0; k <= last; k++) out += st.byEnd[k];
      st.outFrom = window.fromMs;
      st.outTo = to;
      st.out = out;
      st.outK0 = k0;
      st.outK1 = last;
      st.outOps = 0;
    }
    // The slack is relative to the whole sum: the buckets are kept by the same additions as it.
    return (out > 0 ? st.inv - out + 1e-12 * st.inv : st.inv) + apart;
  }


  /**
   * Sums now the NLI of a lit lightpath (or, without an id, of every tracked one) instead of when first
   * needed: a state kept for many plans (the process's lit channels) pays each sum once, when the
   * channel is lit, and the sums are kept current by every add and remove after that; a windowed
   * evaluation reads them as bounds (NeighbourDetail 'worst') and a quote does not make them.
   */
  sumNli(id?: string): void {
    if (id === undefined) {
      for (const st of this.lps.values()) if (st.tracked) this.ensure(st);
      return;
    }
    const st = this.lps.get(id);
    if (st !== undefined && st.tracked) this.ensure(st);
  }

  /** Current GSNR (signal bandwidth, dB) of a lit lightpath. */
  gsnrDb(id: string): number {
    const lp = this.lps.get(id);
    if (lp === undefined) throw new RangeError(`lightpath ${id} is not lit`);
    if (!lp.tracked) throw new RangeError(`lightpath ${id} was lit untracked: it has no GSNR in this state`);
    this.ensure(lp);
    return -linToDb(lp.inv);
  }

  /** True when the lightpath is lit. */
  has(id: string): boolean {
    return this.lps.has(id);
  }

  /** A lit lightpath as it was given. */
  input(id: string): LightpathInput | undefined {
    return this.lps.get(id)?.input;
  }

  /** Lightpaths currently lit. */
  ids(): string[] {
    return [...this.lps.keys()];
  }

  /** Number of lit lightpaths. */
  get size(): number {
    return this.lps.size;
  }

  /** The lit lightpaths as they were given. */
  inputs(): LightpathInput[] {
    return [...this.lps.values()].map((l) => l.input);
  }

  /** Ids of the lightpaths lit on a span. */
  litOn(spanId: string): readonly string[] {
    return this.span(spanId).ids;
  }

  weakestOn(spanIds: readonly string[]): { id: string; marginDb: number } | null {
    return this.weakestIn(spanIds, null, (st) => {
      this.ensure(st);
      return st.inv;
    });
  }

  /**
   * weakestOn() counting only the channels lit at some instant of `window` (null: all), with `invOf`
   * as in evaluateIn: the neighbours evaluateIn would judge, before the new wave's NLI is added.
   * In a window, a lightpath at or above its threshold in the state itself (every channel, whenever
   * lit: at least the window's NLI) is above it in the window too, and its window sum is not made:
   * that sum is most of what a windowed quote costs, and the state's own is kept current by every add.
   * The others are summed in order of their margin in the state itself (a bound on their margin in
   * the window) until the next bound is above the worst found.
   */
  private weakestIn(spanIds: readonly string[], window: LitInterval | null, invOf: (st: LpState) => number): { id: string; marginDb: number } | null {
    const from = window?.fromMs ?? -Infinity;
    const to = window?.toMs ?? Infinity;
    let worst: { id: string; marginDb: number } | null = null;
    const below: Bounded[] = [];
    const stamp = ++this.stamp;
    for (const sid of spanIds) {
      const s = this.span(sid);
      for (let i = 0; i < s.ids.length; i++) {
        if (window !== null && !(s.t0[i] < to && s.t1[i] > from)) continue;
        const st = s.lp[i];
        const th = st.input.thresholdDb;
        if (th === undefined || !st.tracked) continue;
        if (window !== null) {
          if (st.mark === stamp) continue;
          st.mark = stamp;
          const inv = this.windowBound(st, window);
          // Most are well above their thresholds: compared in linear terms first (no logarithm), a
          // hair generously, then in dB as before.
          st.thresholdInv ??= 10 ** (-th / 10);
          if (inv < st.thresholdInv * (1 - 1e-9)) continue;
          const bound = -linToDb(inv) - th;
          if (bound < 0) below.push({ st, bound, at: below.length });
          continue;
        }
        const margin = -linToDb(invOf(st)) - th;
        if (margin < 0 && (worst === null || margin < worst.marginDb)) worst = { id: st.input.id, marginDb: margin };
      }
    }
    const least = leastByBound(below, (st) => -linToDb(invOf(st)) - (st.input.thresholdDb as number), (m) => m < 0);
    if (least !== null && (worst === null || least.marginDb < worst.marginDb)) worst = { id: least.st.input.id, marginDb: least.marginDb };
    return worst;
  }

  /**
   * What lighting `lp` would do, without changing anything: its GSNR (with its per-span inverse SNR)
   * and the new GSNR of every lit lightpath sharing a span with it.
   */
  evaluate(lp: LightpathInput, opts: EvaluateOptions = {}): LightingEffect {
    return this.evaluateIn(lp, opts, null, (st) => {
      this.ensure(st);
      return st.inv;
    });
  }

  /**
   * evaluate() counting only the channels lit at some instant of `window` (null: all), with `invOf`
   * giving a neighbour's inverse GSNR as that window sees it, and `inWindow` (when given) a span's
   * channels lit in the window, in order: a window keeps them per span until the span changes, and a
   * segment judged at a dozen frequencies scanned every channel of months on each span a dozen times.
   * @internal LineWindow's
   */
  evaluateIn(lp: LightpathInput, opts: EvaluateOptions, window: LitInterval | null, invOf: (st: LpState) => number, inWindow?: (s: SpanChannels) => readonly number[]): LightingEffect {
    const alone = opts.alone ?? false;
    const detail = opts.neighbours ?? true;
    const withNeighbours = detail !== false && !alone;
    // 'worst' in a window starts every neighbour from its bound (its sum in the state itself: every
    // channel, whenever lit, so at least the window's) and sums the window only where it matters.
    const lazy = detail === 'worst' && window !== null;
    if (this.lps.has(lp.id)) throw new RangeError(`lightpath ${lp.id} is already lit`);
    const from = window?.fromMs ?? -Infinity;
    const to = window?.toMs ?? Infinity;
    const terminalInv = terminalInverse(lp.baudRateHz, lp.txOsnrDb ?? DEFAULT_TX_OSNR_DB, this.opts);
    let own = terminalInv;
    const perSpanInv = new Float64Array(lp.spanIds.length);
    const perSpanAseInv = new Float64Array(lp.spanIds.length);
    // Neighbours' extra NLI accumulates on their own state objects, stamped with this call.
    const stamp = ++this.stamp;
    const touched: LpState[] = [];
    for (let k = 0; k < lp.spanIds.length; k++) {
      const s = this.span(lp.spanIds[k]);
      const m = s.model;
      const pj = this.powerOn(s, lp);
      const b2j = beta2(m, lp.frequencyHz);
      const gj = gamma(m, lp.frequencyHz);
      perSpanAseInv[k] = this.aseInverse(s, lp);
      let inv = perSpanAseInv[k] + pairNliRatio(m, lp.frequencyHz, lp.baudRateHz, b2j, gj, lp.frequencyHz, lp.baudRateHz, b2j, pj, true);
      const listed = alone || window === null || inWindow === undefined ? null : inWindow(s);
      const count = alone ? 0 : listed !== null ? listed.length : s.ids.length;
      for (let n = 0; n < count; n++) {
        const i = listed !== null ? listed[n] : n;
        if (listed === null && window !== null && !(s.t0[i] < to && s.t1[i] > from)) continue;
        inv += pairNliRatio(m, lp.frequencyHz, lp.baudRateHz, b2j, gj, s.f[i], s.b[i], s.b2[i], s.p[i], false);
        if (!withNeighbours) continue;
        const st = s.lp[i];
        if (!st.tracked) throw new RangeError(`lightpath ${st.input.id} on span ${lp.spanIds[k]} was lit untracked: this state cannot judge waves there`);
        const d = pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], lp.frequencyHz, lp.baudRateHz, b2j, pj, false);
        if (st.mark !== stamp) {
          st.base = lazy ? this.windowBound(st, window) : invOf(st);
          st.mark = stamp;
          st.pending = 0;
          touched.push(st);
        }
        st.pending += d;
      }
      perSpanInv[k] = inv;
      own += inv;
    }
    const neighbours = new Map<string, number>();
    let worst: LightingEffect['worst'] = null;
    if (lazy) worst = worstExact(touched, invOf);
    else {
      for (const st of touched) {
        const g = -linToDb(st.base + st.pending);
        if (detail === true) neighbours.set(st.input.id, g);
        const th = st.input.thresholdDb;
        if (th !== undefined && (worst === null || g - th < worst.marginDb)) worst = { id: st.input.id, gsnrDb: g, thresholdDb: th, marginDb: g - th };
      }
    }
    return { gsnrDb: -linToDb(own), perSpanInv, perSpanAseInv, terminalInv, neighbours, worst };
  }


  /**
   * Lights a lightpath (its channel on each of its spans). `tracked: false` lights it only as noise
   * for the others: the NLI it suffers is never summed, so its GSNR cannot be asked and evaluate()
   * refuses a wave that would have it as a neighbour. A state built for the
   * waves of one route uses it for channels that share no span with the route (buildLitState).
   * `during` says when it is lit (default: always): the state itself counts it at every instant, a
   * window of it (during()) only when the two overlap.
   */
  add(lp: LightpathInput, opts: { tracked?: boolean; during?: LitInterval; scoped?: boolean } = {}): void {
    this.addIn(lp, opts, null);
  }

  /**
   * add(), also moving the sums of a window chain (`chain`, or none) whose windows the channel is lit
   * in: each pair's NLI is computed once for both.
   */
  private addIn(lp: LightpathInput, opts: { tracked?: boolean; during?: LitInterval; scoped?: boolean }, chain: WindowChain | null): void {
    if (this.lps.has(lp.id)) throw new RangeError(`lightpath ${lp.id} is already lit`);
    const key = chain !== null && chain.count > 0 ? chain.key : null;
    this.changes++;
    const during = opts.during ?? lp.during;
    const tracked = opts.tracked ?? true;
    const scoped = opts.scoped ?? false;
    const t0 = during?.fromMs ?? -Infinity;
    const t1 = during?.toMs ?? Infinity;
    const fixedInv = this.fixedInverse(lp);
    // Its own NLI is summed when first needed (ensure).
    const state: LpState = { input: lp, fixedInv, inv: fixedInv, valid: false, mark: 0, base: 0, pending: 0, win: null, fromMs: t0, toMs: t1, tracked, scoped };
    for (const sid of lp.spanIds) {
      const s = this.span(sid);
      const m = s.model;
      const pj = this.powerOn(s, lp);
      const b2j = beta2(m, lp.frequencyHz);
      const gj = gamma(m, lp.frequencyHz);
      for (let i = 0; i < s.ids.length; i++) {
        // A scoped wave counts only for the lightpaths its interval meets (LpState.scoped): the
        // others are passed over on the span's interval arrays, without reading their records (most
        // of a span's channels, on a calendar of months, and most of what a tentative wave cost).
        if (scoped && !(s.t0[i] < t1 && s.t1[i] > t0)) continue;
        const nb = s.lp[i];
        // Only lightpaths whose NLI is summed are kept current; the others sum it when asked.
        const kept = nb.valid;
        const e = key !== null && nb.win !== null && nb.win.key === key && t0 < nb.win.to && t1 > nb.win.from ? nb.win : null;
        if (!kept && e === null) continue;
        const x = pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], lp.frequencyHz, lp.baudRateHz, b2j, pj, false);
        if (kept) {
          nb.inv += x;
          this.bucket(nb, t0, t1, x);
        }
        if (e !== null) e.inv += x;
      }
      s.ids.push(lp.id);
      s.f.push(lp.frequencyHz);
      s.b.push(lp.baudRateHz);
      s.p.push(pj);
      s.b2.push(b2j);
      s.g.push(gj);
      s.lp.push(state);
      s.t0.push(t0);
      s.t1.push(t1);
      s.changes++;
    }
    if (scoped) this.scopedLit.add(state);
    this.lps.set(lp.id, state);
  }

  /**
   * Makes a wave lit through a window (LpState.scoped) count like any other from now on: a plan's wave
   * that stays lit (an order's, held while it is written) adds its NLI to the kept sums of the
   * lightpaths whose intervals do not meet its window, which it skipped while tentative.
   */
  unscope(id: string): void {
    const lp = this.lps.get(id);
    if (lp === undefined || !lp.scoped) return;
    this.changes++;
    for (const sid of lp.input.spanIds) {
      const s = this.span(sid);
      const k = s.lp.indexOf(lp);
      for (let i = 0; i < s.ids.length; i++) {
        if (i === k || !s.lp[i].valid || (s.t0[i] < s.t1[k] && s.t1[i] > s.t0[k])) continue;
        const x = pairNliRatio(s.model, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[k], s.b[k], s.b2[k], s.p[k], false);
        s.lp[i].inv += x;
        this.bucket(s.lp[i], s.t0[k], s.t1[k], x);
      }
    }
    lp.scoped = false;
    this.scopedLit.delete(lp);
  }

  /** Turns a lightpath off; its neighbours' NLI loses its contribution. */
  remove(id: string): void {
    this.removeIn(id, null);
  }

  /** remove(), also moving the sums of a window chain whose windows the channel was lit in (see addIn). */
  private removeIn(id: string, chain: WindowChain | null): void {
    const lp = this.lps.get(id);
    if (lp === undefined) return;
    this.changes++;
    const key = chain !== null && chain.count > 0 ? chain.key : null;
    for (const sid of lp.input.spanIds) {
      const s = this.span(sid);
      const k = s.lp.indexOf(lp);
      if (k < 0) continue;
      const m = s.model;
      for (let i = 0; i < s.ids.length; i++) {
        // As in addIn: a scoped wave touches only the lightpaths its interval meets.
        if (i === k || (lp.scoped && !(s.t0[i] < s.t1[k] && s.t1[i] > s.t0[k]))) continue;
        const nb = s.lp[i];
        const kept = nb.valid;
        const e = key !== null && nb.win !== null && nb.win.key === key && s.t0[k] < nb.win.to && s.t1[k] > nb.win.from ? nb.win : null;
        if (!kept && e === null) continue;
        const x = pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[k], s.b[k], s.b2[k], s.p[k], false);
        if (kept) {
          nb.inv -= x;
          this.bucket(nb, s.t0[k], s.t1[k], -x);
        }
        if (e !== null) e.inv -= x;
      }
      for (const arr of [s.ids, s.f, s.b, s.p, s.b2, s.g, s.lp, s.t0, s.t1] as unknown[][]) arr.splice(k, 1);
      s.changes++;
    }
    this.scopedLit.delete(lp);
    this.lps.delete(id);
  }
  /**
   * The state as seen during a window: only channels lit at some instant of it count (a booking's
   * window judged against every reservation overlapping it: conservative, as GSNR only falls with
   * more channels). Nothing is copied: a neighbour's NLI is summed over the window's channels when an
   * evaluation first needs it, and waves lit through the window are lit in the state during the window.
   * So a quote for any window costs the sums of the neighbours it looks at, not a state of the network.
   * `after` (an earlier window of this state, e.g. the previous piece of an availability sweep) lends
   * its sums: one asked for again is moved to this window by the channels that entered or left, instead
   * of summing every pair again. Sums are dropped when the state was changed other than through them.
   */
  during(window: LitInterval, after: LineState | null = null): LineState {
    const from = window.fromMs;
    const to = window.toMs ?? Infinity;
    const prev = after === null ? undefined : this.windows.get(after);
    const chain: WindowChain = prev !== undefined && prev.seen === this.changes && prev.lit.size === 0 ? prev : { key: {}, count: 0, seen: this.changes, lit: new Set<LpState>() };
    const fresh = () => {
      if (chain.seen !== this.changes) {
        chain.key = {};
        chain.count = 0;
        chain.seen = this.changes;
      }
    };
    const sumOf = (st: LpState): WindowSum | undefined => (st.win !== null && st.win.key === chain.key ? st.win : undefined);
    const keep = (st: LpState, inv: number): void => {
      st.win = { inv, from, to, key: chain.key };
      chain.count++;
    };
    // Per span, the channels a sum takes: those lit in this window, or those that entered (+) or left
    // (−) it since an earlier window (keyed by that window). Every lightpath summed on the span shares
    // them, so each span's channels are scanned once per window rather than once per lightpath on it;
    // a span's are dropped when a channel is lit or turned off on it (positions move), the others kept
    // (a plan's tentative waves touch a few of the spans its neighbours' sums read).
    const lists = new Map<SpanChannels, { changes: number; byKey: Map<string, ChannelList> }>();
    const channelsOf = (s: SpanChannels, had: WindowSum | undefined): ChannelList => {
      let entry = lists.get(s);
      if (entry === undefined || entry.changes !== s.changes) lists.set(s, (entry = { changes: s.changes, byKey: new Map() }));
      const bySpan = entry.byKey;
      const key = had === undefined ? '' : `${had.from}:${had.to}`;
      let l = bySpan.get(key);
      if (l !== undefined) return l;
      l = { js: [], signs: [], out: [] };
      const { t0, t1 } = s;
      for (let j = 0; j < t0.length; j++) {
        const is = t0[j] < to && t1[j] > from;
        if (had === undefined) {
          if (is) l.js.push(j);
          else l.out.push(j);
        } else if (is !== (t0[j] < had.to && t1[j] > had.from)) {
          l.js.push(j);
          l.signs.push(is ? 1 : -1);
        }
      }
      bySpan.set(key, l);
      return l;
    };
    const inWindow = (s: SpanChannels): readonly number[] => channelsOf(s, undefined).js;
    /** A lightpath's sum over the window's channels: moved from `had` (an earlier window's), or made afresh. */
    const summed = (st: LpState, had: WindowSum | undefined): number => {
      let inv = had === undefined ? st.fixedInv : had.inv;
      for (const sid of st.input.spanIds) {
        const s = this.span(sid);
        const i = s.lp.indexOf(st);
        const m = s.model;
        // Its own channel counts whatever the window (its self-NLI); never as entering or leaving.
        if (had === undefined) inv += pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[i], s.b[i], s.b2[i], s.p[i], true);
        const { js, signs } = channelsOf(s, had);
        for (let n = 0; n < js.length; n++) {
          const j = js[n];
          if (j === i) continue;
          const x = pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[j], s.b[j], s.b2[j], s.p[j], false);
          // Lit in the window, or entered or left since the window the sum was made for.
          inv += had === undefined ? x : signs[n] * x;
        }
      }
      return inv;
    };
    const invOf = (st: LpState): number => {
      const had = sumOf(st);
      if (had !== undefined && had.from === from && had.to === to) return had.inv;
      if (had === undefined && st.tracked) {
        // A window holding most of the channels (an open-ended one from soon, a packet circuit's:
        // nearly the whole calendar) is summed as the state's own sum, kept current by every add
        // and remove, less the channels outside the window: fewer pairs than summing those inside.
        let inside = 0;
        let outside = 0;
        for (const sid of st.input.spanIds) {
          const l = channelsOf(this.span(sid), undefined);
          inside += l.js.length;
          outside += l.out.length;
        }
        if (outside < inside) {
          this.ensure(st);
          // Scoped waves it does not meet: in the window they count, out of it they are subtracted
          // below; the kept sum has neither (scopedApart).
          let inv = st.inv + (this.scopedLit.size > 0 ? this.scopedApart(st, null) : 0);
          for (const sid of st.input.spanIds) {
            const s = this.span(sid);
            const i = s.lp.indexOf(st);
            const m = s.model;
            // Its own channel counts whatever the window (its self-NLI), as below.
            for (const j of channelsOf(s, undefined).out) if (j !== i) inv -= pairNliRatio(m, s.f[i], s.b[i], s.b2[i], s.g[i], s.f[j], s.b[j], s.b2[j], s.p[j], false);
          }
          keep(st, inv);
          return inv;
        }
      }
      const inv = summed(st, had);
      keep(st, inv);
      return inv;
    };
    const weakest = new Map<string, { at: number; w: { id: string; marginDb: number } | null }>();
    const view: LineState = {
      opts: this.opts,
      hasSpan: (id) => this.hasSpan(id),
      model: (id) => this.model(id),
      has: (id) => this.has(id),
      input: (id) => this.input(id),
      litOn: (spanId) => {
        const s = this.span(spanId);
        return s.ids.filter((_, i) => s.t0[i] < to && s.t1[i] > from);
      },
      gsnrDb: (id) => {
        const st = this.lps.get(id);
        if (st === undefined) throw new RangeError(`lightpath ${id} is not lit`);
        if (!st.tracked) throw new RangeError(`lightpath ${id} was lit untracked: it has no GSNR in this state`);
        fresh();
        const s = this.span(st.input.spanIds[0]);
        const i = s.lp.indexOf(st);
        if (s.t0[i] < to && s.t1[i] > from) return -linToDb(invOf(st));
        // Not lit in the window: summed afresh over the window's channels and not kept, since a
        // tentative wave's add and remove move only the sums (and the state's own sums: LpState.scoped)
        // of the lightpaths its interval meets.
        return -linToDb(summed(st, undefined));
      },
      evaluate: (lp, opts = {}) => {
        fresh();
        return this.evaluateIn(lp, opts, window, invOf, inWindow);
      },
      weakestOn: (spanIds) => {
        fresh();
        // Span by span, each kept until the state changes: a plan's candidates and segments ask again
        // about spans they share (the weakest on several spans is the weakest of each's).
        let worst: { id: string; marginDb: number } | null = null;
        for (const sid of spanIds) {
          let c = weakest.get(sid);
          if (c === undefined || c.at !== this.changes) weakest.set(sid, (c = { at: this.changes, w: this.weakestIn([sid], window, invOf) }));
          if (c.w !== null && (worst === null || c.w.marginDb < worst.marginDb)) worst = c.w;
        }
        return worst;
      },
      add: (lp, opts = {}) => {
        fresh();
        this.addIn(lp, { ...opts, during: window, scoped: true }, chain);
        chain.seen = this.changes;
        chain.lit.add(this.lps.get(lp.id) as LpState);
      },
      remove: (id) => {
        fresh();
        const st = this.lps.get(id);
        if (st === undefined) return;
        this.removeIn(id, chain);
        st.win = null;
        chain.seen = this.changes;
        chain.lit.delete(st);
      },
    };
    this.windows.set(view, chain);
    return view;
  }
}
