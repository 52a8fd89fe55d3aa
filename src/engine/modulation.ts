/**
 * Modulation choice by transparent reach, and regenerator placement when a path is longer than any reach.
 * The default table and its sources are documented in MODULATION.md beside this file.
 */

/** One transponder mode: a line rate carried with a modulation format in a number of 12.5 GHz slots. */
export interface ModulationMode {
  lineRateGbps: number;
  format: string;
  /** Spectrum width in 12.5 GHz flex-grid slots. */
  slots: number;
  /** Longest transparent (unregenerated) path, km. */
  reachKm: number;
}

/**
 * Default planning table (see MODULATION.md): reach per format from the academic EON table used by
 * Optical RL-Gym / XLRON (QPSK 2000 km, 8QAM 1000 km, 16QAM 500 km, 32QAM 250 km); width from
 * baud = rate x 1.25 (FEC + framing) / (2 polarisations x bits per symbol), channel = 1.2 x baud,
 * rounded up to 12.5 GHz slots, with 100G QPSK on the usual 50 GHz.
 */
export const DEFAULT_MODULATIONS: readonly ModulationMode[] = Object.freeze([
  { lineRateGbps: 100, format: 'DP-QPSK', slots: 4, reachKm: 2000 },
  { lineRateGbps: 100, format: 'DP-16QAM', slots: 2, reachKm: 500 },
  { lineRateGbps: 200, format: 'DP-QPSK', slots: 6, reachKm: 2000 },
  { lineRateGbps: 200, format: 'DP-8QAM', slots: 4, reachKm: 1000 },
  { lineRateGbps: 200, format: 'DP-16QAM', slots: 3, reachKm: 500 },
  { lineRateGbps: 400, format: 'DP-QPSK', slots: 12, reachKm: 2000 },
  { lineRateGbps: 400, format: 'DP-8QAM', slots: 8, reachKm: 1000 },
  { lineRateGbps: 400, format: 'DP-16QAM', slots: 6, reachKm: 500 },
  { lineRateGbps: 800, format: 'DP-16QAM', slots: 12, reachKm: 500 },
  { lineRateGbps: 800, format: 'DP-32QAM', slots: 10, reachKm: 250 },
]);

/** Modes of the table for a line rate, fewest slots first (ties: longest reach first). */
export function modesFor(lineRateGbps: number, table: readonly ModulationMode[] = DEFAULT_MODULATIONS): ModulationMode[] {
  return table
    .filter((m) => m.lineRateGbps === lineRateGbps)
    .sort((a, b) => a.slots - b.slots || b.reachKm - a.reachKm);
}

/** The narrowest mode for the line rate whose reach covers lengthKm without regeneration; null if none. */
export function chooseModulation(lineRateGbps: number, lengthKm: number, table: readonly ModulationMode[] = DEFAULT_MODULATIONS): ModulationMode | null {
  return modesFor(lineRateGbps, table).find((m) => m.reachKm >= lengthKm) ?? null;
}

/**
 * Regenerator sites for a path whose consecutive span lengths are spanKm, with transparent reach reachKm:
 * the positions i (1..spans-1, meaning the path's i-th node) where a regenerator goes. Greedy: extend each
 * transparent segment as far as the reach allows, regenerate at the last site reached. This is minimal
 * (any placement has, by induction, its k-th regenerator no further along than the greedy one's k-th).
 * Returns null when a single span exceeds the reach (no placement at sites can help).
 */
export function placeRegenerators(spanKm: ArrayLike<number>, reachKm: number): number[] | null {
  const at: number[] = [];
  let acc = 0;
  for (let i = 0; i < spanKm.length; i++) {
    const len = spanKm[i];
    if (len > reachKm) return null;
    if (acc + len > reachKm) {
      at.push(i);
      acc = 0;
    }
    acc += len;
  }
  return at;
}
