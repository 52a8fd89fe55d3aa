/**
 * Nonlinear interference (NLI) of one fiber span, GN model closed form: Poggiolini et al.,
 * "The GN model of non-linear propagation in uncompensated coherent optical systems",
 * arXiv:1209.0394 (JLT 30(24), 2012), eq. 120 (NLI PSD as a sum over channel pairs) with eq. 123
 * (the ψ term for a pump channel at a frequency offset), incoherent accumulation over spans.
 * This is GNPy's default method "gn_model_analytic" (gnpy.core.science_utils.NliSolver).
 *
 * For the channel under test i and every channel j (pump) at Δf = f_j − f_i:
 *   ψ_ij = Leff_j² / (2π |β̄₂| La_j) · ½ [asinh(π² La_j |β̄₂| B_i (Δf + B_j/2)) − asinh(π² La_j |β̄₂| B_i (Δf − B_j/2))]
 *   with β̄₂ = (β₂(f_i) + β₂(f_j))/2, Leff = (1 − e^{−αL})/α, La = 1/α (α in Np/m),
 *   η_ij = γ_i² · w_ij · ψ_ij / B_j²,  w_ii = 16/27 (SPM), w_ij = 32/27 (XPM, dual polarisation),
 *   P_NLI,i = Σ_j P_i P_j² η_ij   (W, referred to the span input, in the channel's baud-rate bandwidth).
 */

/** Dual-polarisation SPM weight 16/27 (arXiv:1209.0394 eq. 120; GNPy NliSolver.SPM_WEIGHT). */
export const SPM_WEIGHT = 16 / 27;
/** XPM weight, twice the SPM one (GNPy NliSolver.XPM_WEIGHT). */
export const XPM_WEIGHT = 32 / 27;

/** Per-channel fiber quantities the closed form needs, evaluated at each channel's frequency. */
export interface NliFiberTerms {
  /** Power attenuation coefficient α (Np/m) per channel. */
  alphaNpPerM: ArrayLike<number>;
  /** β₂ (s²/m) per channel. */
  beta2: ArrayLike<number>;
  /** γ (1/(W·m)) per channel. */
  gamma: ArrayLike<number>;
  lengthM: number;
}

/** ψ_ij of eq. 123 (no weight, no γ). */
export function psi(dfHz: number, cutBaudHz: number, pumpBaudHz: number, beta2Abs: number, effLengthM: number, asymLengthM: number): number {
  const k = Math.PI ** 2 * asymLengthM * beta2Abs * cutBaudHz;
  const s = (Math.asinh(k * (dfHz + pumpBaudHz / 2)) - Math.asinh(k * (dfHz - pumpBaudHz / 2))) / 2;
  return (s * effLengthM ** 2) / (2 * Math.PI * beta2Abs * asymLengthM);
}

/**
 * NLI power (W) generated on each channel by the whole comb in one span, referred to the span
 * input. Channels are given by frequency (Hz), baud rate (Hz) and input power (W). O(n²).
 */
export function gnNliW(
  frequencyHz: ArrayLike<number>,
  baudRateHz: ArrayLike<number>,
  powerW: ArrayLike<number>,
  fiber: NliFiberTerms,
  out: Float64Array = new Float64Array(frequencyHz.length),
): Float64Array {
  const n = frequencyHz.length;
  const leff = new Float64Array(n);
  const la = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const a = fiber.alphaNpPerM[j];
    leff[j] = (1 - Math.exp(-a * fiber.lengthM)) / a;
    la[j] = 1 / a;
  }
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) {
      const b2 = Math.abs((fiber.beta2[i] + fiber.beta2[j]) / 2);
      const p = psi(frequencyHz[j] - frequencyHz[i], baudRateHz[i], baudRateHz[j], b2, leff[j], la[j]);
      const w = i === j ? SPM_WEIGHT : XPM_WEIGHT;
      acc += (w * p * powerW[j] * powerW[j]) / (baudRateHz[j] * baudRateHz[j]);
    }
    out[i] = fiber.gamma[i] * fiber.gamma[i] * powerW[i] * acc;
  }
  return out;
}
