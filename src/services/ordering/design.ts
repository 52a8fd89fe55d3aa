/** The shape of a circuit's design (what it holds), shared by quotes, orders and services. */
import type { LossBudget } from '../../domain/loss.js';

/** A transparent wave segment between regenerators and the slots it occupies. */
export interface WaveSegment {
  spanIds: string[];
  fiberPair: number;
  startSlot: number;
  slots: number;
  /** Centre frequency of the channel on the flex grid. */
  centerFrequencyGhz: number;
}

/** A wavelength on a path. */
export interface WaveDesign {
  lineRateGbps: number;
  format: string;
  slots: number;
  widthGhz: number;
  regeneratorSiteIds: string[];
  segments: WaveSegment[];
}

/** The strand pair used on one span. */
export interface StrandUse {
  spanId: string;
  cableId: string;
  /** Two strand indices (0-based) in the cable. */
  strands: [number, number];
}

/** Capacity held on a packet trunk. */
export interface TrunkUse {
  trunkId: string;
  /** Half-open Gbps-unit range [lo, hi) within the trunk's capacity. */
  units: [number, number];
  /** True when this order lit the trunk (a new wave). */
  lit: boolean;
}

/** One path of a circuit: working or protect. */
export interface DesignPath {
  role: 'working' | 'protect';
  siteIds: string[];
  spanIds: string[];
  lengthKm: number;
  latencyUs: number;
  wave?: WaveDesign;
  strands?: StrandUse[];
  trunk?: TrunkUse;
  /** Dark fiber: optical loss of the strand path. */
  lossBudget?: LossBudget;
}

/** Everything a circuit holds. */
export interface CircuitDesign {
  paths: DesignPath[];
}
