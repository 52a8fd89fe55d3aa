/**
 * Optical line-system facts Lightpath uses when a span's own data is missing: fiber types, connector
 * loss, amplifier types, ROADM settings and launch power. Each value names its source. Pure data.
 */

/** A fiber type's transmission constants at 1550 nm. */
export interface FiberTypeSpec {
  id: string;
  name: string;
  /** Attenuation, dB/km. */
  attenuationDbPerKm: number;
  /** Chromatic dispersion D, ps/(nm·km). */
  dispersionPsPerNmKm: number;
  /** Dispersion slope S at 1550 nm, ps/(nm²·km). */
  dispersionSlopePsPerNm2Km: number;
  /** Effective area, µm². */
  effectiveAreaUm2: number;
  /** PMD link design value, ps/√km. */
  pmdPsPerSqrtKm: number;
  /**
   * Attenuation of the cabled fiber at 1550 nm that dark-fiber loss budgets use, dB/km: installed
   * fiber with its aging, bends and repair splices, above the bare fiber's attenuationDbPerKm.
   */
  cabledAttenuationDbPerKm: number;
  source: string;
}

/** Nonlinear refractive index of silica, m²/W (Agrawal, Nonlinear Fiber Optics 6th ed. §2.3; GNPy n2 = 2.6e-20). */
export const SILICA_N2_M2_PER_W = 2.6e-20;

/**
 * Dispersion slope at λ of a G.652 fiber from the standard's model D(λ) = S0/4·(λ − λ0⁴/λ³):
 * S(λ) = S0/4·(1 + 3λ0⁴/λ⁴) (ITU-T G.652 (11/2016) §6.9 and Appendix I). With S0 = 0.092 ps/(nm²·km)
 * and λ0 = 1312 nm, the limits of Table A.4 (G.652.D), S(1550 nm) = 0.058 ps/(nm²·km).
 */
export function g652SlopePsPerNm2Km(lambdaNm: number, s0 = 0.092, lambda0Nm = 1312): number {
  return (s0 / 4) * (1 + (3 * lambda0Nm ** 4) / lambdaNm ** 4);
}

/**
 * Fiber types. G.652.D is the default (standard single-mode fiber). Attenuation, D and Aeff follow
 * GNPy's equipment library (example-data/eqpt_config.json: SSMF 16.7 ps/nm/km, 83 µm²; LOF
 * 22 ps/nm/km, 125 µm²; NZDF 5 ps/nm/km, 72 µm²) with 0.2 dB/km (GNPy's examples) — all within the
 * ITU-T recommendations: G.652.D (11/2016) Table A.4: α ≤ 0.3 dB/km cabled at 1550 nm, PMDQ ≤
 * 0.20 ps/√km; G.654.E (03/2020): Aeff 110–135 µm², α ≤ 0.23 dB/km cabled, D ≤ 23 ps/nm/km;
 * G.655.D (11/2009): D 5–10 ps/nm/km at 1550. PMD: 0.1 ps/√km, half the G.652.D/G.654.E/G.655
 * link design value PMDQ, the typical measured value of modern fibers (GNPy uses 0.04).
 */
export const FIBER_TYPES: Record<string, FiberTypeSpec> = {
  'G.652.D': {
    id: 'G.652.D',
    name: 'standard single-mode fiber (SSMF)',
    attenuationDbPerKm: 0.2,
    dispersionPsPerNmKm: 16.7,
    dispersionSlopePsPerNm2Km: g652SlopePsPerNm2Km(1550),
    effectiveAreaUm2: 83,
    pmdPsPerSqrtKm: 0.1,
    // The typical cabled value loss.ts has always used; the recommendation's cabled maximum is 0.3.
    cabledAttenuationDbPerKm: 0.25,
    source: 'ITU-T G.652 (11/2016) Table A.4; GNPy eqpt_config.json SSMF',
  },
  'G.654.E': {
    id: 'G.654.E',
    name: 'large effective area, cut-off shifted fiber',
    attenuationDbPerKm: 0.17,
    dispersionPsPerNmKm: 22,
    dispersionSlopePsPerNm2Km: 0.06,
    effectiveAreaUm2: 125,
    pmdPsPerSqrtKm: 0.1,
    // G.654.E's cabled maximum at 1550 nm.
    cabledAttenuationDbPerKm: 0.23,
    source: 'ITU-T G.654 (03/2020) Table E; GNPy eqpt_config.json LOF (D 22 ps/nm/km, 125 µm²)',
  },
  'G.655': {
    id: 'G.655',
    name: 'non-zero dispersion-shifted fiber (NZDSF)',
    attenuationDbPerKm: 0.2,
    dispersionPsPerNmKm: 5,
    dispersionSlopePsPerNm2Km: 0.045,
    effectiveAreaUm2: 72,
    pmdPsPerSqrtKm: 0.1,
    // G.655.D's cabled maximum at 1550 nm.
    cabledAttenuationDbPerKm: 0.35,
    source: 'ITU-T G.655 (11/2009) Table D.1; GNPy eqpt_config.json NZDF (5 ps/nm/km, 72 µm²)',
  },
};

export const DEFAULT_FIBER_TYPE = 'G.652.D';

/** Loss of one connector pair at each end of an amplified section, dB (GNPy's examples: con_in = con_out = 0.5 dB). */
export const DEFAULT_CONNECTOR_LOSS_DB = 0.5;

/**
 * Longest amplified section placed by default, km: in-line amplifier huts are placed every ≤ 80 km
 * when a span's sites are unknown (the classic 80 km span of terrestrial DWDM, ITU-T G.692 Annex A
 * long-haul "L" spans of 80 km / 22 dB; GNPy's test and example spans are 80 km).
 */
export const DEFAULT_MAX_SECTION_KM = 80;

/** Per-channel launch power into each fiber section, dBm (GNPy eqpt_config.json SI power_dbm = 0). */
export const DEFAULT_LAUNCH_POWER_DBM = 0;

/** Transmitter OSNR in 0.1 nm when the transceiver mode gives none, dB (GNPy eqpt_config.json SI tx_osnr = 40). */
export const DEFAULT_TX_OSNR_DB = 40;

/**
 * ROADM defaults at PoP sites: per-channel output target −20 dBm and add/drop OSNR 38 dB
 * (GNPy example-data/eqpt_config.json Roadm "default": target_pch_out_db −20, add_drop_osnr 38).
 */
export const DEFAULT_ROADM = {
  targetPchOutDbm: -20,
  addDropOsnrDb: 38,
  source: 'GNPy example-data/eqpt_config.json Roadm default',
} as const;

/** A variable-gain EDFA type: gain range, maximum output power and NF at the range ends. */
export interface AmplifierSpec {
  id: string;
  gainMinDb: number;
  gainFlatmaxDb: number;
  pMaxDbm: number;
  nfMinDb: number;
  nfMaxDb: number;
}

/**
 * Amplifier types Lightpath's line model chooses from, transcribed from GNPy
 * example-data/eqpt_config.json (oopt-gnpy d65865b8) "std_low_gain", "std_medium_gain",
 * "std_high_gain" (variable_gain, allowed_for_design); test/qot/line-system.test.ts checks them.
 */
export const AMPLIFIER_TYPES: AmplifierSpec[] = [
  { id: 'std_high_gain', gainMinDb: 25, gainFlatmaxDb: 35, pMaxDbm: 21, nfMinDb: 5.5, nfMaxDb: 7 },
  { id: 'std_medium_gain', gainMinDb: 15, gainFlatmaxDb: 26, pMaxDbm: 23, nfMinDb: 6, nfMaxDb: 10 },
  { id: 'std_low_gain', gainMinDb: 8, gainFlatmaxDb: 16, pMaxDbm: 23, nfMinDb: 6.5, nfMaxDb: 11 },
];

/**
 * Largest end-to-end loss unamplified optics are planned for, dB: the maximum attenuation of the
 * ITU-T G.959.1 (07/2018) long-haul single-channel application codes (e.g. P1L1-2D2, 10G over 80 km:
 * 11–22 dB). A dark-fiber path beyond it needs amplification; operators change it in the QoT policy.
 */
export const DEFAULT_MAX_UNAMPLIFIED_LOSS_DB = 22;

/**
 * System margin a new wave must keep above its mode's required OSNR (incl. CD/PMD/PDL penalties),
 * dB: covers aging, repair splices and model error (GNPy's examples plan with 0; operators usually
 * keep 1–3 dB). Operator-set in the QoT policy.
 */
export const DEFAULT_QOT_MARGIN_DB = 2;

/** What the operator decides about optical feasibility (GET/PUT /v1/qot/policy). */
export interface QotPolicy {
  /** GSNR a new wave must keep above its mode's threshold, dB. */
  marginDb: number;
  /** Largest dark-fiber path loss offered without amplification, dB. */
  maxUnamplifiedLossDb: number;
}

export const DEFAULT_QOT_POLICY: QotPolicy = Object.freeze({ marginDb: DEFAULT_QOT_MARGIN_DB, maxUnamplifiedLossDb: DEFAULT_MAX_UNAMPLIFIED_LOSS_DB });

/** Field problems of an untrusted QoT policy (every field required: a PUT replaces it). */
export function qotPolicyIssues(input: unknown): { path: string; message: string }[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ path: '', message: 'must be an object' }];
  const o = input as Record<string, unknown>;
  const out: { path: string; message: string }[] = [];
  for (const k of Object.keys(o)) if (k !== 'marginDb' && k !== 'maxUnamplifiedLossDb') out.push({ path: `/${k}`, message: 'unknown field' });
  const num = (k: string, lo: number, hi: number): void => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) out.push({ path: `/${k}`, message: `must be a number in [${lo}, ${hi}]` });
  };
  num('marginDb', 0, 20);
  num('maxUnamplifiedLossDb', 0, 60);
  return out;
}

/** Largest gain of any amplifier type: an amplified section may not lose more than this, dB. */
export const MAX_SECTION_LOSS_DB = Math.max(...AMPLIFIER_TYPES.map((a) => a.gainFlatmaxDb));

/** Range of per-channel launch powers accepted on a line system, dBm (GNPy's power sweeps stay within it). */
export const LAUNCH_POWER_RANGE_DBM: readonly [number, number] = [-10, 10];

/** Largest connector loss accepted per section end, dB (TIA-568 allows 0.75 dB per mated pair; 3 leaves room for patch panels). */
export const MAX_CONNECTOR_LOSS_DB = 3;

/** The policy as stored (anything malformed falls back to the defaults field by field). */
export function qotPolicyFrom(stored: unknown): QotPolicy {
  const o = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const num = (v: unknown, def: number) => (typeof v === 'number' && Number.isFinite(v) ? v : def);
  return { marginDb: num(o.marginDb, DEFAULT_QOT_POLICY.marginDb), maxUnamplifiedLossDb: num(o.maxUnamplifiedLossDb, DEFAULT_QOT_POLICY.maxUnamplifiedLossDb) };
}
