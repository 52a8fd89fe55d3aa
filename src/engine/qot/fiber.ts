/**
 * Fiber span: input connector and padding, NLI (GN closed form, evaluated with the powers at the
 * fiber input), chromatic dispersion, PMD, latency, attenuation, output connector. Physics as GNPy's
 * gnpy.core.elements.Fiber and gnpy.core.parameters.FiberParams.
 */
import { gnNliW } from './nli.js';
import type { SpectralInformation } from './spectral-info.js';
import { SPEED_OF_LIGHT_M_S, interp } from './units.js';

/** Group index of silica fiber used for latency (GNPy FiberParams._n1 = 1.468; ITU-T G.652 typical). */
export const FIBER_GROUP_INDEX = 1.468;
/** Nonlinear refractive index n₂ of silica, m²/W (GNPy FiberParams._n2 = 2.6e-20; Agrawal, Nonlinear Fiber Optics, §2.3). */
export const FIBER_N2_M2_PER_W = 2.6e-20;
/** Core radius used to scale Aeff with frequency, m (GNPy FiberParams._core_radius = 4.2 µm, step-index SSMF). */
export const FIBER_CORE_RADIUS_M = 4.2e-6;
/** Reference wavelength of fiber parameters when none is given: 1550 nm (GNPy default). */
export const FIBER_REF_WAVELENGTH_M = 1550e-9;
/** 10·log10(e): dB/m → Np/m conversion of power attenuation. */
const DB_PER_NEPER = 10 * Math.log10(Math.E);

/** A frequency-dependent table (Hz → value), interpolated linearly inside its range only. */
export interface FrequencyTable {
  frequencyHz: number[];
  value: number[];
}

export interface LumpedLoss {
  positionM: number;
  lossDb: number;
}

/** A fiber's parameters in SI units. */
export interface FiberParams {
  lengthM: number;
  /** Attenuation, dB/m (scalar) or a table over frequency. */
  lossCoefDbPerM: number | FrequencyTable;
  conInDb: number;
  conOutDb: number;
  /** Padding attenuator at the fiber input, dB. */
  attInDb: number;
  refFrequencyHz: number;
  /** Chromatic dispersion D at the reference frequency, s/m² (16.7 ps/nm/km = 1.67e-5), or a table. */
  dispersion: number | FrequencyTable;
  /** Dispersion slope S, s/m³, when given (then D(λ) = D + S(λ − λref)). */
  dispersionSlope: number | null;
  effectiveAreaM2: number;
  /** PMD coefficient, s/√m (0.1 ps/√km = 3.16e-15). */
  pmdCoefSPerSqrtM: number;
  lumpedLosses: LumpedLoss[];
}

function atFrequency(t: FrequencyTable, f: number, what: string): number {
  const x = t.frequencyHz;
  if (f < x[0] - 1e-3 || f > x[x.length - 1] + 1e-3) {
    throw new RangeError(`the spectrum (${(f * 1e-12).toFixed(2)} THz) exceeds the frequency interval of the fiber ${what}`);
  }
  return interp(f, x, t.value);
}

export class Fiber {
  readonly kind = 'Fiber' as const;
  /** Input power of the design's reference channel (dBm), set by the design. */
  refPchInDbm: number | null = null;
  /** Span loss the design used (cached like GNPy's design_span_loss). */
  designSpanLossDb: number | null = null;

  constructor(
    readonly uid: string,
    readonly typeVariety: string,
    public params: FiberParams,
  ) {}

  lossCoefDbPerM(f: number): number {
    const l = this.params.lossCoefDbPerM;
    return typeof l === 'number' ? l : atFrequency(l, f, 'loss coefficient');
  }

  /** Power attenuation α(f), Np/m. */
  alpha(f: number): number {
    return this.lossCoefDbPerM(f) / DB_PER_NEPER;
  }

  /** Total loss at the reference frequency including connectors, padding and lumped losses, dB. */
  get lossDb(): number {
    const p = this.params;
    let lumped = 0;
    for (const l of p.lumpedLosses) lumped += l.lossDb;
    return this.lossCoefDbPerM(p.refFrequencyHz) * p.lengthM + p.conInDb + p.conOutDb + p.attInDb + lumped;
  }

  /** D(f) in s/m²: a table, D + S·(λ − λref), or D·(f/fref)² (constant β₂) as GNPy. */
  dispersionAt(f: number): number {
    const p = this.params;
    if (typeof p.dispersion !== 'number') return atFrequency(p.dispersion, f, 'dispersion');
    if (p.dispersionSlope === null) return (f / p.refFrequencyHz) ** 2 * p.dispersion;
    return p.dispersion + p.dispersionSlope * (SPEED_OF_LIGHT_M_S / f - SPEED_OF_LIGHT_M_S / p.refFrequencyHz);
  }

  /** β₂(f) = −λ² D / (2π c), s²/m. */
  beta2(f: number): number {
    const lambda = SPEED_OF_LIGHT_M_S / f;
    return -(lambda * lambda * this.dispersionAt(f)) / (2 * Math.PI * SPEED_OF_LIGHT_M_S);
  }

  /** β₃(f), s³/m: from the slope when given (zero otherwise, since β₂ is then constant). */
  beta3(f: number): number {
    const p = this.params;
    if (typeof p.dispersion !== 'number') {
      // Linear coefficient of a quadratic fit of β₂ over the table, / 2π (GNPy Fiber.beta3).
      const xs = p.dispersion.frequencyHz.map((x) => x - p.refFrequencyHz);
      const ys = p.dispersion.frequencyHz.map((x) => this.beta2(x));
      return quadraticFit(xs, ys)[1] / (2 * Math.PI);
    }
    if (p.dispersionSlope === null) return 0;
    const b2 = this.beta2(f);
    const c = SPEED_OF_LIGHT_M_S;
    return (p.dispersionSlope - ((4 * Math.PI * f ** 3) / c ** 2) * b2) / ((2 * Math.PI * f ** 2) / c) ** 2;
  }

  /**
   * γ(f) = 2π n₂ f / (c Aeff(f)), with Aeff scaled over frequency by the Gaussian-mode
   * approximation of a step-index core (GNPy FiberParams.gamma_scaling): Aeff(f) = π a² / ln V(f),
   * V(f) = (f/fref)·exp(π a²/Aeff_ref), so that Aeff(fref) = Aeff_ref.
   */
  gamma(f: number): number {
    const a2 = FIBER_CORE_RADIUS_M ** 2;
    const lnV = Math.log(f / this.params.refFrequencyHz) + (Math.PI * a2) / this.params.effectiveAreaM2;
    const aeff = (Math.PI * a2) / lnV;
    return (2 * Math.PI * FIBER_N2_M2_PER_W * f) / (SPEED_OF_LIGHT_M_S * aeff);
  }

  /** Chromatic dispersion accumulated over the span at f, s/m (GNPy Fiber.chromatic_dispersion). */
  chromaticDispersion(f: number): number {
    const fr = this.params.refFrequencyHz;
    const beta = this.beta2(f) + 2 * Math.PI * this.beta3(f) * (f - fr);
    return ((-beta * 2 * Math.PI * fr * fr) / SPEED_OF_LIGHT_M_S) * this.params.lengthM;
  }

  /** Differential group delay of the span, s. */
  get pmdS(): number {
    return this.params.pmdCoefSPerSqrtM * Math.sqrt(this.params.lengthM);
  }

  /** Propagation delay, s. */
  get latencyS(): number {
    return this.params.lengthM / (SPEED_OF_LIGHT_M_S / FIBER_GROUP_INDEX);
  }

  /** The per-channel NLI terms for the spectrum's channels. */
  nliTerms(si: SpectralInformation): { alphaNpPerM: Float64Array; beta2: Float64Array; gamma: Float64Array; lengthM: number } {
    const alpha = new Float64Array(si.n);
    const beta2 = new Float64Array(si.n);
    const gamma = new Float64Array(si.n);
    for (let i = 0; i < si.n; i++) {
      const f = si.frequencyHz[i];
      alpha[i] = this.alpha(f);
      beta2[i] = this.beta2(f);
      gamma[i] = this.gamma(f);
    }
    return { alphaNpPerM: alpha, beta2, gamma, lengthM: this.params.lengthM };
  }

  /** Propagates the spectrum through the span, in place. */
  propagate(si: SpectralInformation): void {
    const p = this.params;
    si.attenuateDb(p.conInDb + p.attInDb);
    const terms = this.nliTerms(si);
    si.addNli(gnNliW(si.frequencyHz, si.baudRateHz, si.pchW, terms));
    const pmd2 = this.pmdS ** 2;
    let lumpedLin = 1;
    for (const l of p.lumpedLosses) lumpedLin *= 10 ** (-l.lossDb / 10);
    for (let i = 0; i < si.n; i++) {
      si.cdSPerM[i] += this.chromaticDispersion(si.frequencyHz[i]);
      si.pmdS[i] = Math.sqrt(si.pmdS[i] ** 2 + pmd2);
      si.latencyS[i] += this.latencyS;
      si.pchW[i] *= Math.exp(-terms.alphaNpPerM[i] * p.lengthM) * lumpedLin;
    }
    si.attenuateDb(p.conOutDb);
  }
}

/** Least-squares quadratic fit y ≈ c2 x² + c1 x + c0; returns [c2, c1, c0] like numpy.polyfit(x, y, 2). */
export function quadraticFit(x: number[], y: number[]): [number, number, number] {
  // Normal equations on centred/scaled x for conditioning.
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const sx = Math.max(...x.map((v) => Math.abs(v - mx))) || 1;
  const u = x.map((v) => (v - mx) / sx);
  const s = [0, 0, 0, 0, 0];
  const t = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    let pw = 1;
    for (let e = 0; e < 5; e++) {
      s[e] += pw;
      if (e < 3) t[e] += pw * y[k];
      pw *= u[k];
    }
  }
  const m = [
    [s[0], s[1], s[2]],
    [s[1], s[2], s[3]],
    [s[2], s[3], s[4]],
  ];
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  const col = (c: number) => m.map((row, r) => row.map((v, k) => (k === c ? t[r] : v)));
  const b0 = det(col(0)) / d;
  const b1 = det(col(1)) / d;
  const b2 = det(col(2)) / d;
  // y = b0 + b1 u + b2 u², u = (x − mx)/sx → expand in x.
  const c2 = b2 / (sx * sx);
  const c1 = b1 / sx - (2 * b2 * mx) / (sx * sx);
  const c0 = b0 - (b1 * mx) / sx + (b2 * mx * mx) / (sx * sx);
  return [c2, c1, c0];
}
