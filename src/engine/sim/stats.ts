/**
 * Confidence intervals by the method of batch means, and the Erlang-B formula that anchors the
 * simulator's correctness on a single link.
 */

/** A point estimate with a symmetric 95% confidence interval. */
export interface Estimate {
  mean: number;
  /** Half-width of the 95% confidence interval: the interval is mean +- halfWidth. */
  halfWidth: number;
  /** Number of batches the interval rests on. */
  batches: number;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pLow) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Student-t quantile by the Cornish-Fisher expansion around the normal quantile (Abramowitz &
 * Stegun 26.7.5); accurate to about 1e-3 for df >= 5, which is all batch means ever needs.
 */
export function studentTQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** Mean of per-batch values with a 95% Student-t interval (batches treated as independent). */
export function batchMeansEstimate(batchValues: ArrayLike<number>): Estimate {
  const n = batchValues.length;
  if (n === 0) return { mean: NaN, halfWidth: NaN, batches: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += batchValues[i];
  const mean = sum / n;
  if (n < 2) return { mean, halfWidth: Infinity, batches: n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (batchValues[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, halfWidth: studentTQuantile(0.975, n - 1) * sd / Math.sqrt(n), batches: n };
}

/** Erlang-B blocking B(A, W) by the stable recursion B(A, 0) = 1, B(A, w) = A B / (w + A B). */
export function erlangB(loadErlang: number, servers: number): number {
  let b = 1;
  for (let w = 1; w <= servers; w++) b = (loadErlang * b) / (w + loadErlang * b);
  return b;
}
