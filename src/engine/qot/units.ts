/**
 * Physical constants and unit conversions of the QoT engine. Internally everything is SI (W, Hz, m,
 * s, dB for ratios); names carry the unit at the edges (`powerDbm`, `lengthKm`).
 */

/** Planck constant, J·s (CODATA 2018 exact value, SI brochure 9th ed.; the value scipy.constants.h gives GNPy). */
export const PLANCK_J_S = 6.62607015e-34;

/** Speed of light in vacuum, m/s (exact, SI definition). */
export const SPEED_OF_LIGHT_M_S = 299_792_458;

/** Reference bandwidth of OSNR: 0.1 nm at 1550 nm ≈ 12.5 GHz (ITU-T G.697 Appendix; GNPy's 12.5e9). */
export const OSNR_REF_BANDWIDTH_HZ = 12.5e9;

/** 10·log10(x). */
export function linToDb(x: number): number {
  return 10 * Math.log10(x);
}

/** 10^(x/10). */
export function dbToLin(x: number): number {
  return 10 ** (x / 10);
}

/** Watts → dBm. */
export function wattToDbm(w: number): number {
  return 10 * Math.log10(w * 1e3);
}

/** dBm → watts. */
export function dbmToWatt(dbm: number): number {
  return 10 ** (dbm / 10) * 1e-3;
}

/** Power in dBm of a carrier with the given power spectral density (mW/GHz) over bandwidthHz. */
export function psdToPowerDbm(psdMwPerGhz: number, bandwidthHz: number): number {
  return linToDb(bandwidthHz * psdMwPerGhz * 1e-9);
}

/**
 * Rounds to a step as GNPy's round2float does (steps below 0.01 are 0.01; Python's round-half-even
 * on the quotient), used where GNPy's design quantises delta_p and VOA settings.
 */
export function roundToStep(x: number, step: number): number {
  const s = Math.round(step * 10) / 10;
  if (s >= 0.01) return roundHalfEven(roundHalfEven(x / s, 0) * s, 1);
  return roundHalfEven(x, 2);
}

/** Round half to even at the given number of decimals (Python's round()). */
export function roundHalfEven(x: number, decimals: number): number {
  const m = 10 ** decimals;
  const y = x * m;
  const r = Math.round(y);
  // Math.round rounds .5 up; Python rounds to even. Only exact halves differ.
  if (Math.abs(y - Math.trunc(y)) === 0.5 && r % 2 !== 0) return (r - 1) / m;
  return r / m;
}

/** Linear interpolation of y(x) at xq (x ascending), clamped to the end values like numpy.interp. */
export function interp(xq: number, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n === 1 || xq <= x[0]) return y[0];
  if (xq >= x[n - 1]) return y[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= xq) lo = mid;
    else hi = mid;
  }
  const t = (xq - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}

/** n evenly spaced values from start to stop inclusive (numpy.linspace). */
export function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  out[n - 1] = stop;
  return out;
}
