/**
 * The spectral information that flows through the line, as in GNPy (gnpy.core.info): one object
 * holding, per channel, its grid position and its powers, transformed in place by each element.
 *
 * Powers are kept as GNPy keeps them: `pch` is the channel's total power (signal + ASE + NLI, W),
 * and three ratios split it. An amplifier adds ASE (pch grows); a fiber moves part of pch from
 * signal to NLI (pch unchanged); losses and gains scale pch and leave the ratios alone. So
 * GSNR = signal / (ASE + NLI) = signalRatio / (aseRatio + nliRatio) at any point.
 */
import { OSNR_REF_BANDWIDTH_HZ, dbToLin, linToDb } from './units.js';

/** Slot width of a channel whose width is not given: baud rate × (1 + roll-off) rounded up to 12.5 GHz (GNPy's DEFAULT_SLOT_WIDTH_STEP, ITU-T G.694.1 flex grid). */
export const SLOT_WIDTH_STEP_HZ = 12.5e9;

/** One channel to launch. */
export interface ChannelSpec {
  frequencyHz: number;
  baudRateHz: number;
  rollOff: number;
  /** Launch power (W). */
  powerW: number;
  /** Slot width (Hz); default: (1 + rollOff) × baud rounded up to 12.5 GHz. */
  slotWidthHz?: number;
  /** Transmitter OSNR in 0.1 nm (dB), applied at the receiver like GNPy's tx_osnr. */
  txOsnrDb?: number;
  /** Power offset (dB) a ROADM applies to this channel relative to its target (GNPy's delta_pdb). */
  deltaPdb?: number;
  label?: string;
}

export class SpectralInformation {
  readonly n: number;
  readonly frequencyHz: Float64Array;
  readonly baudRateHz: Float64Array;
  readonly slotWidthHz: Float64Array;
  readonly rollOff: Float64Array;
  /** Total channel power (W). */
  readonly pchW: Float64Array;
  readonly signalRatio: Float64Array;
  readonly aseRatio: Float64Array;
  readonly nliRatio: Float64Array;
  /** Accumulated chromatic dispersion (s/m). */
  readonly cdSPerM: Float64Array;
  /** Accumulated differential group delay (s). */
  readonly pmdS: Float64Array;
  /** Accumulated polarisation-dependent loss (dB). */
  readonly pdlDb: Float64Array;
  /** Accumulated propagation delay (s). */
  readonly latencyS: Float64Array;
  readonly deltaPdb: Float64Array;
  readonly txOsnrDb: Float64Array;
  /** Transmitter output power (W). */
  readonly txPowerW: Float64Array;
  readonly labels: string[];

  constructor(n: number) {
    this.n = n;
    const f = () => new Float64Array(n);
    this.frequencyHz = f();
    this.baudRateHz = f();
    this.slotWidthHz = f();
    this.rollOff = f();
    this.pchW = f();
    this.signalRatio = f().fill(1);
    this.aseRatio = f();
    this.nliRatio = f();
    this.cdSPerM = f();
    this.pmdS = f();
    this.pdlDb = f();
    this.latencyS = f();
    this.deltaPdb = f();
    this.txOsnrDb = f().fill(Infinity);
    this.txPowerW = f();
    this.labels = new Array<string>(n).fill('');
  }

  /**
   * Builds the spectrum of the given channels, sorted by frequency. Throws when slots overlap or a
   * channel's occupied bandwidth exceeds its slot (GNPy's SpectrumError checks).
   */
  static fromChannels(channels: readonly ChannelSpec[]): SpectralInformation {
    const sorted = [...channels].sort((a, b) => a.frequencyHz - b.frequencyHz);
    const si = new SpectralInformation(sorted.length);
    sorted.forEach((c, i) => {
      si.frequencyHz[i] = c.frequencyHz;
      si.baudRateHz[i] = c.baudRateHz;
      si.rollOff[i] = c.rollOff;
      si.slotWidthHz[i] = c.slotWidthHz ?? Math.ceil(((1 + c.rollOff) * c.baudRateHz) / SLOT_WIDTH_STEP_HZ) * SLOT_WIDTH_STEP_HZ;
      si.pchW[i] = c.powerW;
      si.txPowerW[i] = c.powerW;
      si.txOsnrDb[i] = c.txOsnrDb ?? Infinity;
      si.deltaPdb[i] = c.deltaPdb ?? 0;
      si.labels[i] = c.label ?? '';
    });
    for (let i = 0; i + 1 < si.n; i++) {
      if (si.frequencyHz[i] + si.slotWidthHz[i] / 2 > si.frequencyHz[i + 1] - si.slotWidthHz[i + 1] / 2 + 1e-3) {
        throw new RangeError(`channels ${i + 1} and ${i + 2} overlap: slots wider than their spacing`);
      }
    }
    for (let i = 0; i < si.n; i++) {
      if (si.baudRateHz[i] > si.slotWidthHz[i]) throw new RangeError(`channel ${i + 1}: baud rate larger than its slot width`);
    }
    return si;
  }

  /**
   * GNPy's create_input_spectral_information: a flat comb of floor((fMax − fMin)/spacing) channels
   * at fMin + k·spacing, k = 1…n, each in a slot of `spacing`.
   */
  static uniform(opts: {
    fMinHz: number;
    fMaxHz: number;
    spacingHz: number;
    baudRateHz: number;
    rollOff: number;
    powerW: number;
    txOsnrDb?: number;
    deltaPdb?: number;
  }): SpectralInformation {
    // Python's float floor division, as GNPy's automatic_nch.
    const span = opts.fMaxHz - opts.fMinHz;
    const mod = span % opts.spacingHz;
    const div = (span - mod) / opts.spacingHz;
    const n = div - Math.floor(div) > 0.5 ? Math.floor(div) + 1 : Math.floor(div);
    const label = `${(opts.baudRateHz * 1e-9).toFixed(2)}G`;
    const channels: ChannelSpec[] = [];
    for (let k = 1; k <= n; k++) {
      channels.push({
        frequencyHz: opts.fMinHz + opts.spacingHz * k,
        baudRateHz: opts.baudRateHz,
        rollOff: opts.rollOff,
        powerW: opts.powerW,
        slotWidthHz: opts.spacingHz,
        txOsnrDb: opts.txOsnrDb,
        deltaPdb: opts.deltaPdb,
        label,
      });
    }
    return SpectralInformation.fromChannels(channels);
  }

  /** A copy (elements transform in place; callers that keep a spectrum clone it first). */
  clone(): SpectralInformation {
    const c = new SpectralInformation(this.n);
    for (const k of ARRAY_FIELDS) (c[k] as Float64Array).set(this[k] as Float64Array);
    c.labels.splice(0, c.n, ...this.labels);
    return c;
  }

  /** The channels whose index passes keep(i), as a new spectrum. */
  select(keep: (i: number) => boolean): SpectralInformation {
    const idx: number[] = [];
    for (let i = 0; i < this.n; i++) if (keep(i)) idx.push(i);
    const c = new SpectralInformation(idx.length);
    for (const k of ARRAY_FIELDS) {
      const src = this[k] as Float64Array;
      const dst = c[k] as Float64Array;
      idx.forEach((j, i) => (dst[i] = src[j]));
    }
    idx.forEach((j, i) => (c.labels[i] = this.labels[j]));
    return c;
  }

  signalW(i: number): number {
    return this.signalRatio[i] * this.pchW[i];
  }

  aseW(i: number): number {
    return this.aseRatio[i] * this.pchW[i];
  }

  nliW(i: number): number {
    return this.nliRatio[i] * this.pchW[i];
  }

  /** Total power of all channels (W). */
  totalPowerW(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.pchW[i];
    return s;
  }

  /** Multiplies every channel's power by a linear factor (loss < 1 or gain > 1). */
  scaleAll(factor: number): void {
    for (let i = 0; i < this.n; i++) this.pchW[i] *= factor;
  }

  /** Applies a per-channel attenuation in dB. */
  attenuateDb(lossDb: number | ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) {
      const l = typeof lossDb === 'number' ? lossDb : lossDb[i];
      this.pchW[i] *= 10 ** (-l / 10);
    }
  }

  /** Applies a per-channel gain in dB. */
  gainDb(gainDb: number | ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) {
      const g = typeof gainDb === 'number' ? gainDb : gainDb[i];
      this.pchW[i] *= 10 ** (g / 10);
    }
  }

  /**
   * Adds NLI generated along a fiber, evaluated at its input (W): a transfer of power from the
   * signal (and the ASE travelling with it) to NLI, total channel power unchanged (GNPy's add_nli).
   */
  addNli(nliW: ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) {
      const r = nliW[i] / this.pchW[i];
      this.signalRatio[i] *= 1 - r;
      this.aseRatio[i] *= 1 - r;
      this.nliRatio[i] = this.nliRatio[i] * (1 - r) + r;
    }
  }

  /** Adds ASE power (W) to each channel (GNPy's add_ase): total power grows. */
  addAse(aseW: ArrayLike<number>): void {
    for (let i = 0; i < this.n; i++) {
      const p = this.pchW[i];
      const q = p + aseW[i];
      this.signalRatio[i] *= p / q;
      this.nliRatio[i] *= p / q;
      this.aseRatio[i] = (this.aseRatio[i] * p + aseW[i]) / q;
      this.pchW[i] = q;
    }
  }

  /** OSNR (ASE only) in the signal bandwidth, dB. */
  osnrAseDb(i: number): number {
    return linToDb(this.signalRatio[i] / this.aseRatio[i]);
  }

  /** SNR against NLI only in the signal bandwidth, dB. */
  snrNliDb(i: number): number {
    return linToDb(this.signalRatio[i] / this.nliRatio[i]);
  }

  /** Generalised SNR (ASE + NLI) in the signal bandwidth, dB. */
  gsnrDb(i: number): number {
    return linToDb(this.signalRatio[i] / (this.aseRatio[i] + this.nliRatio[i]));
  }

  /** A ratio in the signal bandwidth expressed in the 0.1 nm (12.5 GHz) reference bandwidth. */
  to01nm(db: number, i: number): number {
    return db - linToDb(OSNR_REF_BANDWIDTH_HZ / this.baudRateHz[i]);
  }
}

const ARRAY_FIELDS = [
  'frequencyHz',
  'baudRateHz',
  'slotWidthHz',
  'rollOff',
  'pchW',
  'signalRatio',
  'aseRatio',
  'nliRatio',
  'cdSPerM',
  'pmdS',
  'pdlDb',
  'latencyS',
  'deltaPdb',
  'txOsnrDb',
  'txPowerW',
] as const;

/**
 * Adds SNR contributions given in 0.1 nm (e.g. a transmitter OSNR, a ROADM's add/drop OSNR) to an
 * SNR in bandwidth bwHz, as GNPy's snr_sum: 1/SNR = 1/SNR₁ + Σ 1/SNRₖ (all in the same bandwidth).
 */
export function addSnrContributions(snrDb: number, bwHz: number, addedIn01nmDb: readonly number[]): number {
  let inv = 0;
  for (const s of addedIn01nmDb) if (Number.isFinite(s)) inv += dbToLin(-s);
  if (inv === 0) return snrDb;
  const addedDb = -linToDb(inv) - linToDb(bwHz / OSNR_REF_BANDWIDTH_HZ);
  return -linToDb(dbToLin(-snrDb) + dbToLin(-addedDb));
}
