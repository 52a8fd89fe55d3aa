/**
 * The equipment library, as GNPy's eqpt_config.json describes it (gnpy.tools.json_io): amplifier
 * types with their noise-figure models, fiber types, the span design rules, ROADM types, the
 * reference spectrum (SI) and transceiver modes. SI units throughout (Hz, W-free dB/dBm values
 * named with their unit).
 */
import { dbToLin, linToDb } from './units.js';

/** Noise-figure models of a single-stage amplifier (GNPy's type_def). */
export type NfModel =
  /** Two-coil model fitted from nf_min/nf_max (GNPy estimate_nf_model). */
  | { kind: 'variable_gain'; nf1Db: number; nf2Db: number; deltaPDb: number; nfMinDb: number; nfMaxDb: number }
  | { kind: 'fixed_gain'; nf0Db: number }
  /** OpenROADM ILA / preamp: OSNR = polynomial of input power per 50 GHz channel. */
  | { kind: 'openroadm'; nfCoef: number[] }
  | { kind: 'openroadm_preamp' }
  | { kind: 'openroadm_booster' }
  /** Polynomial NF(−Δgain) fitted on measurements (nf_fit_coeff). */
  | { kind: 'advanced_model'; nfFitCoeff: number[] }
  /** Preamp then booster stage; gain_flatmax of the preamp goes to stage 1 (GNPy dual_stage). */
  | { kind: 'dual_stage'; preamp: AmplifierType; booster: AmplifierType };

export interface AmplifierType {
  typeVariety: string;
  nf: NfModel;
  fMinHz: number;
  fMaxHz: number;
  gainFlatmaxDb: number;
  gainMinDb: number;
  pMaxDbm: number;
  /** Per-frequency tables over [fMin, fMax] (evenly spaced): NF ripple, gain ripple (dB), dynamic gain tilt. */
  nfRippleDb: number[];
  gainRippleDb: number[];
  dgt: number[];
  outVoaAuto: boolean;
  allowedForDesign: boolean;
  raman: boolean;
  pmdS: number;
  pdlDb: number;
}

export interface FiberType {
  typeVariety: string;
  /** s/m². */
  dispersion: number | null;
  dispersionSlope: number | null;
  effectiveAreaM2: number | null;
  gamma: number | null;
  pmdCoefSPerSqrtM: number;
}

/** GNPy's Span section: rules of automatic design. */
export interface SpanRules {
  powerMode: boolean;
  /** [min, max, step] of the per-span power deviation (dB). */
  deltaPowerRangeDb: [number, number, number];
  maxFiberLineicLossForRamanDbPerKm: number;
  targetExtendedGainDb: number;
  maxLengthKm: number;
  maxLossDb: number | null;
  paddingDb: number;
  eolDb: number;
  conInDb: number;
  conOutDb: number;
  spanLossRefDb: number;
  powerSlope: number;
  voaMarginDb: number;
  voaStepDb: number;
}

export interface RoadmPathImpairment {
  pathType: 'express' | 'add' | 'drop';
  /** Impairments per frequency range (null bounds = whole band). */
  bands: { fMinHz: number | null; fMaxHz: number | null; maxLossDb: number; pmdS: number | null; pdlDb: number | null; osnrDb: number | null }[];
}

export interface RoadmType {
  typeVariety: string;
  /** Exactly one equalisation: per-channel power, PSD (mW/GHz) or power per slot width (mW/GHz). */
  equalization: { kind: 'power'; targetPchOutDbm: number } | { kind: 'psd'; mwPerGhz: number } | { kind: 'psw'; mwPerGhz: number };
  addDropOsnrDb: number;
  pmdS: number;
  pdlDb: number;
  preampVarietyList: string[];
  boosterVarietyList: string[];
  pathImpairments: Map<number, RoadmPathImpairment>;
}

export interface SpectrumDefault {
  fMinHz: number;
  fMaxHz: number;
  baudRateHz: number;
  spacingHz: number;
  powerDbm: number;
  powerRangeDb: [number, number, number];
  rollOff: number;
  txOsnrDb: number;
  sysMarginsDb: number;
  txPowerDbm: number | null;
  useSiChannelCountForDesign: boolean;
}

export interface TransceiverMode {
  format: string;
  baudRateHz: number;
  osnrDb: number | null;
  bitRateBps: number | null;
  rollOff: number | null;
  txOsnrDb: number | null;
  minSpacingHz: number | null;
  /** Penalty tables (impairment value → dB): chromatic_dispersion (ps/nm), pmd (ps), pdl (dB). */
  penalties: Record<string, { upTo: number[]; penaltyDb: number[] }>;
  equalizationOffsetDb: number;
}

export interface TransceiverType {
  typeVariety: string;
  fMinHz: number;
  fMaxHz: number;
  modes: TransceiverMode[];
}

export interface Equipment {
  edfa: Map<string, AmplifierType>;
  fiber: Map<string, FiberType>;
  span: SpanRules;
  roadm: Map<string, RoadmType>;
  si: SpectrumDefault;
  transceiver: Map<string, TransceiverType>;
}

/** GNPy's Span defaults (gnpy.tools.json_io.Span.default_values). */
export const DEFAULT_SPAN_RULES: SpanRules = {
  powerMode: true,
  deltaPowerRangeDb: [0, 0, 0],
  maxFiberLineicLossForRamanDbPerKm: 0.25,
  targetExtendedGainDb: 2.5,
  maxLengthKm: 150,
  maxLossDb: null,
  paddingDb: 10,
  eolDb: 0,
  conInDb: 0,
  conOutDb: 0,
  spanLossRefDb: 20,
  powerSlope: 0.3,
  voaMarginDb: 1,
  voaStepDb: 0.5,
};

/** GNPy's SI defaults (gnpy.tools.json_io.SI.default_values). */
export const DEFAULT_SPECTRUM: SpectrumDefault = {
  fMinHz: 191.35e12,
  fMaxHz: 196.1e12,
  baudRateHz: 32e9,
  spacingHz: 50e9,
  powerDbm: 0,
  powerRangeDb: [0, 0, 0.5],
  rollOff: 0.15,
  txOsnrDb: 45,
  sysMarginsDb: 0,
  txPowerDbm: null,
  useSiChannelCountForDesign: false,
};

export class EquipmentConfigError extends Error {}

/**
 * The two-coil variable-gain NF model from the amplifier's nf_min (at gain_flatmax) and nf_max
 * (at gain_min): NF = NF1 + NF2/G1a with the first-stage gain G1a = G − ΔP − (Gmax − G)
 * (GNPy science_utils.estimate_nf_model; Augé, Curri, Le Rouzic, "Open design for multi-vendor
 * optical networks", OFC 2019). ΔP = 5 dB between coils; NF2 kept within NF1 + [0.3, 2] dB.
 */
export function estimateVariableGainNf(typeVariety: string, gainMinDb: number, gainMaxDb: number, nfMinDb: number, nfMaxDb: number): { nf1Db: number; nf2Db: number; deltaPDb: number } {
  if (nfMinDb < -10) throw new EquipmentConfigError(`invalid nf_min ${nfMinDb} for amplifier ${typeVariety}`);
  if (nfMaxDb < -10) throw new EquipmentConfigError(`invalid nf_max ${nfMaxDb} for amplifier ${typeVariety}`);
  let deltaP = 5;
  let g1aMin = gainMinDb - (gainMaxDb - gainMinDb) - deltaP;
  let g1aMax = gainMaxDb - deltaP;
  let nf2 = linToDb((dbToLin(nfMinDb) - dbToLin(nfMaxDb)) / (1 / dbToLin(g1aMax) - 1 / dbToLin(g1aMin)));
  const nf1 = linToDb(dbToLin(nfMinDb) - dbToLin(nf2) / dbToLin(g1aMax));
  if (nf1 < 4) throw new EquipmentConfigError(`first coil NF too low (${nf1.toFixed(2)} dB) for amplifier ${typeVariety}`);
  if (!(nf1 + 0.3 < nf2 && nf2 < nf1 + 2)) {
    nf2 = Math.min(Math.max(nf2, nf1 + 0.3), nf1 + 2);
    g1aMax = linToDb(dbToLin(nf2) / (dbToLin(nfMinDb) - dbToLin(nf1)));
    deltaP = gainMaxDb - g1aMax;
    g1aMin = gainMinDb - (gainMaxDb - gainMinDb) - deltaP;
    if (!(1 < deltaP && deltaP < 11)) throw new EquipmentConfigError(`computed ΔP ${deltaP.toFixed(2)} dB between coils of amplifier ${typeVariety} is not valid: revise nf_min/nf_max`);
  }
  const calcMin = linToDb(dbToLin(nf1) + dbToLin(nf2) / dbToLin(g1aMax));
  if (Math.abs(nfMinDb - calcMin) > 0.01) throw new EquipmentConfigError(`nf_min does not match the two-coil model (${nfMinDb} vs ${calcMin.toFixed(3)}) for amplifier ${typeVariety}`);
  const calcMax = linToDb(dbToLin(nf1) + dbToLin(nf2) / dbToLin(g1aMin));
  if (Math.abs(nfMaxDb - calcMax) > 0.01) throw new EquipmentConfigError(`nf_max does not match the two-coil model (${nfMaxDb} vs ${calcMax.toFixed(3)}) for amplifier ${typeVariety}`);
  return { nf1Db: nf1, nf2Db: nf2, deltaPDb: deltaP };
}
