/**
 * Regenerator placement along a path: sites 0…n (0 and n are the terminals), each intermediate site
 * able to host a regenerator or not (a ROADM site can, an amplifier hut never), and a test of
 * whether a transparent segment between two sites closes (GSNR ≥ threshold + margin). The fewest
 * regenerators making every segment close, by dynamic programming over sites (O(n²) tests).
 */

export interface RegenPlan {
  /** Sites hosting a regenerator, ascending. */
  sites: number[];
  /** Transparent segments as [from, to] site pairs. */
  segments: [number, number][];
}

/**
 * Minimum regenerators for a path of `n + 1` sites; `canRegen[i]` for i in 1…n−1; `closes(i, j)`
 * tells whether sites i < j can be joined transparently. Null when no placement works.
 */
export function placeRegenerators(n: number, canRegen: (i: number) => boolean, closes: (i: number, j: number) => boolean): RegenPlan | null {
  const best = new Array<number>(n + 1).fill(Infinity);
  const prev = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    if (j < n && !canRegen(j)) continue;
    for (let i = 0; i < j; i++) {
      if (best[i] === Infinity || (i > 0 && !canRegen(i))) continue;
      if (best[i] + 1 < best[j] && closes(i, j)) {
        best[j] = best[i] + 1;
        prev[j] = i;
      }
    }
  }
  if (best[n] === Infinity) return null;
  const segments: [number, number][] = [];
  for (let j = n; j > 0; j = prev[j]) segments.unshift([prev[j], j]);
  return { sites: segments.slice(1).map(([i]) => i), segments };
}

/**
 * The common case where each hop (site k → k+1) adds an inverse SNR (linear, ASE + NLI, as
 * line-system.ts gives per span) and the terminals add `terminalInverse`: a segment closes when
 * −10·log10(terminal + Σ hops) ≥ thresholdDb + marginDb.
 */
export function placeRegeneratorsByInverseSnr(hopInverse: readonly number[], canRegen: readonly boolean[], terminalInverse: number, thresholdDb: number, marginDb: number): RegenPlan | null {
  const n = hopInverse.length;
  const prefix = [0];
  for (const h of hopInverse) prefix.push(prefix[prefix.length - 1] + h);
  const limit = 10 ** (-(thresholdDb + marginDb) / 10);
  return placeRegenerators(
    n,
    (i) => canRegen[i] === true,
    (i, j) => terminalInverse + prefix[j] - prefix[i] <= limit,
  );
}
