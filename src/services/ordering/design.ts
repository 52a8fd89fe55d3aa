/** The shape of a circuit's design (what it holds), shared by quotes, orders and services. */
import type { LossBudget } from '../../domain/loss.js';

/** The quality of a transparent segment as planned (computed GSNR against the mode's threshold). */
export interface SegmentQotView {
  /** GSNR at the receiver, signal bandwidth and 0.1 nm, dB. */
  gsnrDb: number;
  gsnr01nmDb: number;
  /** The mode's required OSNR (0.1 nm) with its CD/PMD/PDL penalties on this segment, dB. */
  requiredOsnrDb: number;
  /** gsnr01nmDb − requiredOsnrDb, dB (at least the operator's margin when planned). */
  marginDb: number;
  /** The operator's margin the segment was planned with, dB. */
  policyMarginDb: number;
  cdPsPerNm: number;
  pmdPs: number;
  /** GSNR and OSNR-ASE (0.1 nm, transmitter and add/drop included) after each span: the chart along the path. */
  perSpan: { spanId: string; gsnr01nmDb: number; osnrAse01nmDb: number }[];
  /** The lit wave left closest to its own threshold when this one was planned (null: none shares a span). */
  worstNeighbour: { lightpathId: string; marginDb: number } | null;
}

/** A transparent wave segment between regenerators and the slots it occupies. */
export interface WaveSegment {
  spanIds: string[];
  /** Fiber pair, first slot and slot count on the first span (every span when the arrays below are absent). */
  fiberPair: number;
  startSlot: number;
  slots: number;
  /** Per span, when the wave changes fiber pair at a ROADM or crosses line systems with other grids. */
  fiberPairs?: number[];
  startSlots?: number[];
  slotCounts?: number[];
  /** Centre frequency of the channel on the flex grid. */
  centerFrequencyGhz: number;
  /** The lightpath id its allocations carry (the QoT state's key). */
  lightpathId?: string;
  qot?: SegmentQotView;
}

/** A wavelength on a path. */
export interface WaveDesign {
  lineRateGbps: number;
  format: string;
  slots: number;
  widthGhz: number;
  regeneratorSiteIds: string[];
  segments: WaveSegment[];
  /** Transceiver mode (OpenROADM catalog id, OIF-400ZR, OpenZR+-400G), chosen by GSNR. */
  modeId?: string;
  baudRateGbd?: number;
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

/** What the legs of a 1+1 circuit share (nothing when fully disjoint) and the availability it leaves. */
export interface PairSharing {
  /** The strongest disjointness the pair keeps (node-srlg: nothing shared but the two ends). */
  disjointness: 'node-srlg' | 'srlg' | 'node' | 'link';
  spanIds: string[];
  srlgIds: string[];
  siteIds: string[];
}

/** Everything a circuit holds. */
export interface CircuitDesign {
  paths: DesignPath[];
  /** 1+1: what the two legs share. */
  sharing?: PairSharing;
}
