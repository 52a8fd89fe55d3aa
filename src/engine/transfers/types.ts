/**
 * Inputs and outputs of the bulk-transfer scheduler. Time is a grid of equal slots counted from the
 * calendar's epoch (slot t covers [t, t+1) x slotSeconds); the service converts instants to slots.
 */

/** A capacity the calendar can lend to transfers: a trunk, a directed span's spare capacity, an express wave. */
export interface TransferLink {
  id: string;
  /** Free capacity per slot for slots [0, horizonSlots), Gbps: what the calendar has not given to services. */
  freeGbps: ArrayLike<number>;
}

/** Spectrum that waves lit for transfers may hold (one fiber pair of one span), in 12.5 GHz slots. */
export interface TransferSpectrum {
  id: string;
  /** Free 12.5 GHz slots per time slot, for slots [0, horizonSlots). */
  freeSlots: ArrayLike<number>;
}

/**
 * A wave that may be lit for transfers on free spectrum (the Owan idea): while lit it holds `holds` on the
 * spectrum resources, and after `setupSlots` slots of commissioning each lit wave adds capacityGbps to every
 * link in `carries` (usually the two directions of an express link between two sites).
 */
export interface WaveOption {
  id: string;
  carries: readonly number[];
  capacityGbps: number;
  holds: readonly { spectrum: number; slots: number }[];
  /** Slots a wave is held before it carries traffic (lighting, power balancing, commissioning). */
  setupSlots: number;
  /** Operator cost per lit wave per slot and per lighting (objective only; not charged to the customer). */
  costPerSlot: number;
  setupCost: number;
  /** At most this many waves of this option at once (default: as many as the spectrum allows). */
  maxWaves?: number;
}

/** Everything the calendar says, for one planning horizon. */
export interface TransferNetwork {
  slotSeconds: number;
  horizonSlots: number;
  /** Schedules are whole multiples of this rate (default 0.001 Gbps = 1 Mbps): exact integer bookkeeping. */
  quantumGbps?: number;
  links: readonly TransferLink[];
  spectrum?: readonly TransferSpectrum[];
  waves?: readonly WaveOption[];
}

/** One candidate path of a transfer, as the links it uses (a link listed twice is used twice). */
export interface TransferPath {
  id: string;
  links: readonly number[];
  latencyUs: number;
  /** What the customer pays per Gbit moved on this path, minor currency units (fractions allowed). */
  pricePerGbitMinor: number;
  /** What the operator minimises per Gbit on this path (default: pricePerGbitMinor). */
  costPerGbit?: number;
}

/** "This many Gbit from A to B between earliestSlot and deadlineSlot, at most maxRateGbps." */
export interface TransferRequest {
  id: string;
  volumeGbit: number;
  /** First slot it may use. */
  earliestSlot: number;
  /** Exclusive: the transfer must be complete at the start of this slot. */
  deadlineSlot: number;
  maxRateGbps?: number;
  /** Candidate paths, best first (e.g. k shortest by latency). */
  paths: readonly TransferPath[];
}

/** The rate of one transfer on one path in one slot. */
export interface ScheduleEntry {
  slot: number;
  path: number;
  pathId: string;
  rateGbps: number;
  volumeGbit: number;
}

/** A transfer's plan: positive-rate entries by slot then path. */
export interface TransferSchedule {
  id: string;
  entries: ScheduleEntry[];
  deliveredGbit: number;
  /** Exclusive end of the last slot with traffic: the transfer is complete at the start of this slot. */
  completionSlot: number;
  /** Price of this schedule, minor units, full precision (the service rounds once when it shows it). */
  priceMinor: number;
}

/** A run of equal held capacity on one link: what the calendar stores as one time-bounded allocation. */
export interface LinkHold {
  link: number;
  linkId: string;
  fromSlot: number;
  /** Exclusive. */
  toSlot: number;
  gbps: number;
}

/** A run of lit waves of one option (each holding its spectrum for the whole run). */
export interface WaveHold {
  wave: number;
  waveId: string;
  fromSlot: number;
  toSlot: number;
  count: number;
}

/** Which method produced an answer. */
export type SolvedBy = 'lp-fit' | 'lp-reoptimized' | 'milp' | 'greedy';

/** Size and effort of the solver call behind an answer. */
export interface SolveInfo {
  solvedBy: SolvedBy;
  columns: number;
  rows: number;
  iterations: number;
  /** Why the greedy path answered instead of the LP (size, limit, solver error, rounding). */
  fallbackReason?: string;
}

export type AdmissionResult =
  | {
      admitted: true;
      schedule: TransferSchedule;
      /** Already-admitted transfers whose not-yet-started slots moved (their new schedules). */
      moved: TransferSchedule[];
      solve: SolveInfo;
    }
  | {
      admitted: false;
      reason: 'deadline-infeasible';
      /** True when an LP proved that no schedule exists; false when only the greedy fallback looked. */
      proven: boolean;
      /** Most volume that fits by the requested deadline (everything already admitted still on time). */
      mostVolumeGbit: number | null;
      /** Earliest deadline slot (exclusive) by which the full volume fits; null if none within the horizon. */
      earliestDeadlineSlot: number | null;
      solve: SolveInfo;
    };

/** Outcome of re-planning after capacity was removed. */
export interface CutResult {
  /** Transfers that used the removed capacity in a slot not yet started. */
  affected: string[];
  /** Transfers whose schedules changed and that still complete by their deadlines. */
  replanned: TransferSchedule[];
  /** Transfers that can no longer make their deadline: their new plan and ETA (null: not within the horizon). */
  late: { id: string; etaSlot: number | null; schedule: TransferSchedule; deliveredByDeadlineGbit: number }[];
  solve: SolveInfo;
}
