/**
 * EDFA: gain (with the dynamic-gain-tilt profile when a tilt is asked), output-power saturation,
 * ASE from the noise figure, PMD and PDL — GNPy's gnpy.core.elements.Edfa.
 *
 * ASE added per channel, referred to the amplifier input: P_ASE = h·ν·B·NF (then amplified with the
 * signal, so the output ASE is h·ν·B·NF·G; GNPy Edfa.noise_profile; the NF definition of
 * IEC 61290-3 with the signal-spontaneous term dominant). NF models by type (GNPy Edfa._nf):
 *   variable_gain  NF = NF1 + NF2/G1a, G1a = G − ΔP − max(Gflatmax − G, 0)
 *   fixed_gain     NF = nf0
 *   openroadm      NF = Pin₅₀ − OSNR(Pin₅₀) + 58, OSNR(P) = polynomial nf_coef (OpenROADM MSA
 *                  optical spec: ILA/preamp OSNR vs per-channel input power in 50 GHz; 58 dB =
 *                  −10·log10(h·ν·12.5 GHz / 1 mW) at 193.4 THz)
 *   openroadm_preamp  OSNR(P) = min((4P + 275)/7, 33)   (OpenROADM MW-MW preamp mask)
 *   openroadm_booster NF = −∞ (the booster's noise is counted in the ROADM mask)
 *   advanced_model NF = polynomial nf_fit_coeff of −max(Gflatmax − G, 0)
 *   dual_stage     NF = NF_pre ⊕ NF_boost/G_pre
 * Gains below gain_min are padded at the input: NF grows by the padding.
 */
import type { AmplifierType, NfModel } from './equipment.js';
import type { SpectralInformation } from './spectral-info.js';
import { PLANCK_J_S, dbToLin, interp, linToDb, linspace, wattToDbm } from './units.js';

/** Operational settings of one amplifier instance (gain_target etc. in GNPy's "operational"). */
export interface EdfaOperational {
  gainTargetDb: number | null;
  deltaPDb: number | null;
  tiltTargetDb: number | null;
  outVoaDb: number | null;
  inVoaDb: number | null;
}

/** Polynomial value, highest degree first (numpy.polyval). */
export function polyval(coef: readonly number[], x: number): number {
  let y = 0;
  for (const c of coef) y = y * x + c;
  return y;
}

/** Average NF (dB) of one stage at a gain, given the input conditions the OpenROADM masks need. */
export function stageNfDb(
  nf: NfModel,
  gainMinDb: number,
  gainFlatmaxDb: number,
  gainTargetDb: number,
  input: { pinDbm: number; nch: number; slotWidthHz: number },
): { nfDb: number; padDb: number } {
  const pad = Math.max(gainMinDb - gainTargetDb, 0);
  const g = gainTargetDb + pad;
  const dg = Math.max(gainFlatmaxDb - g, 0);
  // OpenROADM masks are per 50 GHz channel: scale the per-channel input power to a 50 GHz slot.
  const pin50 = input.pinDbm - linToDb(input.nch) + linToDb(50e9 / input.slotWidthHz);
  let nfDb: number;
  switch (nf.kind) {
    case 'variable_gain': {
      const g1a = g - nf.deltaPDb - dg;
      nfDb = linToDb(dbToLin(nf.nf1Db) + dbToLin(nf.nf2Db) / dbToLin(g1a));
      break;
    }
    case 'fixed_gain':
      nfDb = nf.nf0Db;
      break;
    case 'openroadm':
      nfDb = pin50 - polyval(nf.nfCoef, pin50) + 58;
      break;
    case 'openroadm_preamp':
      nfDb = pin50 - Math.min((4 * pin50 + 275) / 7, 33) + 58;
      break;
    case 'openroadm_booster':
      nfDb = -Infinity;
      break;
    case 'advanced_model':
      nfDb = polyval(nf.nfFitCoeff, -dg);
      break;
    case 'dual_stage':
      throw new Error('dual_stage is not a single stage');
  }
  return { nfDb: nfDb + pad, padDb: pad };
}

/** Average NF (dB) of an amplifier type at a gain (dual stage combined). */
export function amplifierNfDb(amp: AmplifierType, gainDb: number, input: { pinDbm: number; nch: number; slotWidthHz: number }): { nfDb: number; padDb: number } {
  if (amp.nf.kind === 'dual_stage') {
    const { preamp, booster } = amp.nf;
    const g1 = preamp.gainFlatmaxDb;
    const g2 = gainDb - g1;
    const nf1 = stageNfDb(preamp.nf, preamp.gainMinDb, preamp.gainFlatmaxDb, g1, input).nfDb;
    const nf2 = stageNfDb(booster.nf, booster.gainMinDb, booster.gainFlatmaxDb, g2, input).nfDb;
    return { nfDb: linToDb(dbToLin(nf1) + dbToLin(nf2 - g1)), padDb: 0 };
  }
  return stageNfDb(amp.nf, amp.gainMinDb, amp.gainFlatmaxDb, gainDb, input);
}

/**
 * NF used to rank amplifiers during design (GNPy network.edfa_nf): 88 channels of 50 GHz at 0 dBm
 * total input, the conditions GNPy fixes for the comparison.
 */
export function designNfDb(amp: AmplifierType, gainDb: number): number {
  return amplifierNfDb(amp, gainDb, { pinDbm: 0, nch: 88, slotWidthHz: 50e9 }).nfDb;
}

/** What one propagation through an amplifier did, for reporting. */
export interface EdfaState {
  effectiveGainDb: number;
  nfDb: Float64Array;
  pinDbm: number;
  poutDbm: number;
  padDb: number;
  gainProfileDb: Float64Array;
}

export class Edfa {
  readonly kind = 'Edfa' as const;
  /** Resolved during design (the amplifier type chosen or given). */
  type: AmplifierType | null;
  /** Design results: gain before the output VOA, per-channel power offset from the reference. */
  effectiveGainDb: number | null;
  deltaPDb: number | null;
  /** delta_p computed by the design even in gain mode. */
  designDeltaPDb: number | null = null;
  tiltTargetDb: number | null;
  outVoaDb: number | null;
  inVoaDb: number | null;
  targetPchOutDbm: number | null = null;
  /** Amplifier types this instance may take when the design chooses (null: any allowed). */
  varietyList: string[] | null = null;
  last: EdfaState | null = null;

  constructor(
    readonly uid: string,
    type: AmplifierType | null,
    readonly operational: EdfaOperational,
  ) {
    this.type = type;
    this.effectiveGainDb = operational.gainTargetDb;
    this.deltaPDb = operational.deltaPDb;
    this.tiltTargetDb = operational.tiltTargetDb;
    this.outVoaDb = operational.outVoaDb;
    this.inVoaDb = operational.inVoaDb;
  }

  private requireType(): AmplifierType {
    if (this.type === null) throw new Error(`amplifier ${this.uid} has no type: design the network first`);
    return this.type;
  }

  /**
   * Per-channel gain (dB) for a target average gain and tilt, from the amplifier's gain ripple and
   * dynamic gain tilt (DGT) tables: R. di Muro, "The Er3+ fiber gain coefficient derived from a
   * dynamic gain tilt technique", JLT 18(3), 2000 — GNPy Edfa._gain_profile: scale the DGT to the
   * asked slope, then solve for the DGT multiple whose mean output gain equals the target.
   */
  gainProfileDb(si: SpectralInformation, effGainDb: number, dgt: Float64Array, ripple: Float64Array, pinDbm: number): Float64Array {
    const amp = this.requireType();
    const n = si.n;
    if (n === 1) return new Float64Array(n).fill(effGainDb);
    // Slope of a linear fit of the DGT over the channels.
    let sx = 0, sy = 0, sxx = 0, sxy = 0; // prettier-ignore
    for (let i = 0; i < n; i++) {
      const x = si.frequencyHz[i];
      sx += x;
      sy += dgt[i];
      sxx += x * x;
      sxy += x * dgt[i];
    }
    const dgtSlope = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
    const tilt = this.tiltTargetDb ?? 0;
    const targSlope = -tilt / (amp.fMaxHz - amp.fMinHz);
    const dgts1 = dgtSlope !== 0 ? targSlope / dgtSlope : 0;
    const g1st = new Float64Array(n);
    let meanLin = 0;
    for (let i = 0; i < n; i++) {
      g1st[i] = ripple[i] + amp.gainFlatmaxDb + dgt[i] * dgts1;
      meanLin += dbToLin(g1st[i]);
    }
    const voa = linToDb(meanLin / n) - effGainDb;
    const avgGainFor = (x: number): number => {
      let p = 0;
      for (let i = 0; i < n; i++) p += si.pchW[i] * dbToLin(g1st[i] - voa + dgt[i] * x);
      return wattToDbm(p) - pinDbm;
    };
    let pOut = 0;
    for (let i = 0; i < n; i++) pOut += si.pchW[i] * dbToLin(g1st[i] - voa);
    const dgts2 = effGainDb - (wattToDbm(pOut) - pinDbm);
    const xcent = dgts2;
    const gavgCent = avgGainFor(xcent);
    let gmax = -Infinity;
    let gmin = Infinity;
    for (let i = 0; i < n; i++) {
      gmax = Math.max(gmax, g1st[i]);
      gmin = Math.min(gmin, g1st[i]);
    }
    const deltax = gmax - gmin;
    const out = new Float64Array(n);
    if (Math.abs(deltax) <= 0.05) {
      for (let i = 0; i < n; i++) out[i] = g1st[i] - voa;
      return out;
    }
    const xlow = dgts2 - deltax;
    const xhigh = dgts2 + deltax;
    const gavgLow = avgGainFor(xlow);
    const gavgHigh = avgGainFor(xhigh);
    const slope1 = (gavgLow - gavgCent) / (xlow - xcent);
    const slope2 = (gavgCent - gavgHigh) / (xcent - xhigh);
    let dgts3: number;
    if (Math.abs(effGainDb - gavgCent) <= 1e-11) dgts3 = xcent;
    else if (effGainDb < gavgCent) dgts3 = xcent - (gavgCent - effGainDb) / slope1;
    else dgts3 = xcent + (effGainDb - gavgCent) / slope2;
    for (let i = 0; i < n; i++) out[i] = g1st[i] - voa + dgt[i] * dgts3;
    return out;
  }

  /** Propagates the spectrum, in place. Returns what it did (gain, NF, powers). */
  propagate(si: SpectralInformation): EdfaState {
    const amp = this.requireType();
    if (this.effectiveGainDb === null) throw new Error(`amplifier ${this.uid} has no gain: design the network first`);
    if (this.inVoaDb) si.attenuateDb(this.inVoaDb);
    const n = si.n;
    const onGrid = (table: number[]): Float64Array => {
      const f = linspace(amp.fMinHz, amp.fMaxHz, table.length);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = interp(si.frequencyHz[i], f, table);
      return out;
    };
    const dgt = onGrid(amp.dgt);
    const ripple = onGrid(amp.gainRippleDb);
    const nfRipple = onGrid(amp.nfRippleDb);
    const pinDbm = wattToDbm(si.totalPowerW());
    const slotWidthHz = n > 1 ? si.frequencyHz[1] - si.frequencyHz[0] : si.slotWidthHz[0];
    // Output power saturation: the gain cannot take the total output above p_max.
    const effGain = Math.min(this.effectiveGainDb, amp.pMaxDbm - pinDbm);
    const { nfDb: nfAvg, padDb } = amplifierNfDb(amp, effGain, { pinDbm, nch: n, slotWidthHz });
    const nfDb = new Float64Array(n);
    for (let i = 0; i < n; i++) nfDb[i] = nfRipple[i] + nfAvg;
    const profile = this.gainProfileDb(si, effGain, dgt, ripple, pinDbm);
    const ase = new Float64Array(n);
    for (let i = 0; i < n; i++) ase[i] = PLANCK_J_S * si.baudRateHz[i] * si.frequencyHz[i] * dbToLin(nfDb[i]);
    let pout = 0;
    for (let i = 0; i < n; i++) pout += (si.pchW[i] + ase[i]) * dbToLin(profile[i]);
    si.addAse(ase);
    const outVoa = this.outVoaDb ?? 0;
    for (let i = 0; i < n; i++) si.pchW[i] *= dbToLin(profile[i] - outVoa);
    for (let i = 0; i < n; i++) {
      si.pmdS[i] = Math.sqrt(si.pmdS[i] ** 2 + amp.pmdS ** 2);
      si.pdlDb[i] = Math.sqrt(si.pdlDb[i] ** 2 + amp.pdlDb ** 2);
    }
    this.last = { effectiveGainDb: effGain, nfDb, pinDbm, poutDbm: wattToDbm(pout), padDb, gainProfileDb: profile };
    return this.last;
  }
}
