/**
 * Walker/Vose alias table: O(1) draws from a fixed discrete distribution, used for source and
 * destination choice and discrete request sizes, so the hot loop never scans the weights.
 */
import type { Rng } from './rng.js';

export class AliasTable {
  readonly size: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  /** Builds the table; weights need not sum to 1 but must be finite, >= 0 and not all zero. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} must be finite and >= 0, got ${w}`);
      total += w;
    }
    if (n === 0 || total <= 0) throw new RangeError('weights must contain a positive entry');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // Leftovers are 1 up to rounding error.
    for (const i of large) { this.prob[i] = 1; this.alias[i] = i; }
    for (const i of small) { this.prob[i] = 1; this.alias[i] = i; }
  }

  /** Draws an index with probability proportional to its weight. */
  sample(rng: Rng): number {
    const u = rng.nextFloat() * this.size;
    const i = Math.floor(u);
    return u - i < this.prob[i] ? i : this.alias[i];
  }
}
