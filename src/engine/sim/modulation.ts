/**
 * Modulation formats and request sizes: how many spectrum slots a request needs on a path.
 */

/** A modulation format: capacity of one slot and the longest path it reaches. */
export interface Modulation {
  name: string;
  /** Capacity of one 12.5 GHz slot with this format. */
  capacityGbpsPerSlot: number;
  /** Longest transparent path the format reaches. */
  maxReachKm: number;
}

/**
 * DeepRMSA's table (Chen et al., JLT 2019), used by Optical RL-Gym: BPSK reaches any length here
 * (100,000 km stands for "unlimited").
 */
export const DEEPRMSA_MODULATIONS: readonly Modulation[] = Object.freeze([
  { name: 'BPSK', capacityGbpsPerSlot: 12.5, maxReachKm: 100_000 },
  { name: 'QPSK', capacityGbpsPerSlot: 25, maxReachKm: 2_000 },
  { name: '8QAM', capacityGbpsPerSlot: 37.5, maxReachKm: 1_250 },
  { name: '16QAM', capacityGbpsPerSlot: 50, maxReachKm: 625 },
]);

/** Per-slot capacity of the most efficient format that reaches lengthKm; 0 when none does. */
export function capacityForLength(lengthKm: number, modulations: readonly Modulation[]): number {
  let best = 0;
  for (const m of modulations) if (lengthKm <= m.maxReachKm && m.capacityGbpsPerSlot > best) best = m.capacityGbpsPerSlot;
  return best;
}

/**
 * How big requests are. Bit-rate sizes go through the path's modulation (slots = ceil(rate / capacity)
 * + guard slots); `slots` sizes take a fixed number of slots on any path, with no guard (the
 * textbook circuit-switched case behind Erlang-B).
 */
export type RequestSize =
  | { kind: 'uniform-gbps'; minGbps: number; maxGbps: number }
  | { kind: 'discrete-gbps'; valuesGbps: number[]; weights?: number[] }
  | { kind: 'slots'; slots: number };

/** Checks a request-size model; throws a RangeError that says what is wrong. */
export function validateRequestSize(size: RequestSize): void {
  if (size.kind === 'uniform-gbps') {
    if (!Number.isInteger(size.minGbps) || !Number.isInteger(size.maxGbps) || size.minGbps <= 0 || size.maxGbps < size.minGbps) {
      throw new RangeError('uniform-gbps needs integers 0 < minGbps <= maxGbps');
    }
  } else if (size.kind === 'discrete-gbps') {
    if (size.valuesGbps.length === 0 || size.valuesGbps.some((v) => !(v > 0))) throw new RangeError('discrete-gbps needs positive values');
    if (size.weights && size.weights.length !== size.valuesGbps.length) throw new RangeError('discrete-gbps weights must match values');
  } else if (!Number.isInteger(size.slots) || size.slots < 1) {
    throw new RangeError('slots size must be an integer >= 1');
  }
}
