/**
 * What is in the ground on each span of the built-in backbone: cables with strand counts and the
 * DWDM line system. Strand counts follow the industry range (12 to 1,728): new AI-corridor builds
 * pull 1,728-strand cable beside an older 864, trunk routes carry 864, older long-haul 432, thin
 * rural routes 288; metro spans to data-center campuses 864 and to on-ramps 432.
 *
 * Strands in use vary per cable but must not change between runs, so the fill is drawn from a hash
 * of the cable id rather than a random generator.
 */
import { DEFAULT_LINE_SYSTEM } from '../domain/network.js';
import type { Cable, LineSystem } from '../domain/network.js';

export type CableTier = 'ai' | 'core' | 'standard' | 'regional';

/** A cable type on a route: strand count and the share of strands in use, as a [low, high] range. */
interface CableSpec {
  strandCount: number;
  fillLow: number;
  fillHigh: number;
}

const TIER_CABLES: Readonly<Record<CableTier, readonly CableSpec[]>> = {
  // A new build is mostly dark; the older cable beside it carries the legacy traffic.
  ai: [{ strandCount: 1728, fillLow: 0.1, fillHigh: 0.25 }, { strandCount: 864, fillLow: 0.3, fillHigh: 0.55 }],
  core: [{ strandCount: 864, fillLow: 0.2, fillHigh: 0.45 }],
  standard: [{ strandCount: 432, fillLow: 0.3, fillHigh: 0.6 }],
  regional: [{ strandCount: 288, fillLow: 0.15, fillHigh: 0.4 }],
};

const TIER_FIBER_PAIRS: Readonly<Record<CableTier, number>> = { ai: 2, core: 2, standard: 1, regional: 1 };

/** FNV-1a 32-bit hash mapped to [0, 1): a stable per-id pseudo-random number. */
export function stableFraction(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

function cableFrom(id: string, spec: CableSpec): Cable {
  // Strands are lit and spliced in pairs, so the count in use is an even number of pairs picked
  // from those whose share lies within the spec's range.
  const lowPairs = Math.ceil((spec.strandCount * spec.fillLow) / 2);
  const highPairs = Math.floor((spec.strandCount * spec.fillHigh) / 2);
  const pairs = Math.min(highPairs, lowPairs + Math.floor(stableFraction(id) * (highPairs - lowPairs + 1)));
  return { id, strandCount: spec.strandCount, strandsInUse: 2 * pairs };
}

/** Cables on an intercity span of the given tier; ids are `${spanId}-c1`, `-c2`, ... */
export function intercityCables(spanId: string, tier: CableTier): Cable[] {
  return TIER_CABLES[tier].map((spec, i) => cableFrom(`${spanId}-c${i + 1}`, spec));
}

/** The C-band line system of an intercity span: the default grid, one or two fiber pairs by tier. */
export function intercityLineSystem(tier: CableTier): LineSystem {
  return { ...DEFAULT_LINE_SYSTEM, fiberPairs: TIER_FIBER_PAIRS[tier] };
}

/** The single cable on a metro span: 864 strands to a campus, 432 to an on-ramp. */
export function metroCables(spanId: string, toCampus: boolean): Cable[] {
  const spec: CableSpec = { strandCount: toCampus ? 864 : 432, fillLow: 0.2, fillHigh: 0.5 };
  return [cableFrom(`${spanId}-c1`, spec)];
}

/**
 * Metro spans carry a one-pair line system too: wavelength services from the backbone end at the
 * campuses and on-ramps, so the path engine must find spectrum all the way there.
 */
export function metroLineSystem(): LineSystem {
  return { ...DEFAULT_LINE_SYSTEM, fiberPairs: 1 };
}
