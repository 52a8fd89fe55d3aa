import { DEFAULT_FIBER_TYPE, DEFAULT_MAX_UNAMPLIFIED_LOSS_DB, FIBER_TYPES } from './optical.js';

/**
 * Optical loss budget of a dark-fiber strand pair end to end. Figures used (planning values, stated in
 * every quote so a customer can redo the arithmetic with their own):
 * - Fiber attenuation 0.25 dB/km at 1550 nm: typical cabled ITU-T G.652.D single-mode fiber; the
 *   recommendation's cabled maximum at 1550 nm is 0.3 dB/km, so this is a realistic mid value. Spans
 *   of another fiber type use that type's cabled attenuation (optical.ts FIBER_TYPES).
 * - One fusion splice per 5 km cable reel section, plus one where strands are spliced through at each
 *   intermediate site: 0.1 dB per splice (typical fusion splice; TIA-568 allows up to 0.3 dB).
 * - One connector pair at each end (customer handoff patch panel): 0.5 dB each (typical; TIA-568 allows
 *   up to 0.75 dB per mated pair).
 */

export const ATTENUATION_DB_PER_KM_1550 = FIBER_TYPES[DEFAULT_FIBER_TYPE].cabledAttenuationDbPerKm;
export const SPLICE_LOSS_DB = 0.1;
export const REEL_LENGTH_KM = 5;
export const CONNECTOR_LOSS_DB = 0.5;
export const END_CONNECTORS = 2;

/** The budget and the figures it was computed from. */
export interface LossBudget {
  lossDb: number;
  fiberLossDb: number;
  spliceLossDb: number;
  connectorLossDb: number;
  splices: number;
  connectors: number;
  /** The largest loss unamplified optics are planned for (the operator's QoT policy), dB. */
  maxUnamplifiedLossDb: number;
  /** True when lossDb exceeds maxUnamplifiedLossDb: the path works only with amplification (not included). */
  needsAmplification: boolean;
  assumptions: {
    /** Cabled attenuation, dB/km (length-weighted over the path's fiber types). */
    attenuationDbPerKm: number;
    /** Fiber type and km of each distinct fiber type on the path. */
    fibers: { fiberType: string; km: number; attenuationDbPerKm: number }[];
    wavelengthNm: 1550;
    spliceLossDb: number;
    reelLengthKm: number;
    connectorLossDb: number;
    source: string;
  };
}

/** Splices inside one span: one between consecutive reels. */
export function splicesInSpan(lengthKm: number): number {
  return Math.max(0, Math.ceil(lengthKm / REEL_LENGTH_KM) - 1);
}

/** A span of a strand path: its length and (absent = G.652.D) fiber type. */
export interface StrandSpan {
  lengthKm: number;
  fiberType?: string;
}

/**
 * Loss budget of a strand path made of spans (lengths in km, or spans with their fiber type), spliced
 * through at intermediate sites, judged against the largest loss unamplified optics are planned for.
 */
export function lossBudget(spans: readonly (number | StrandSpan)[], maxUnamplifiedLossDb = DEFAULT_MAX_UNAMPLIFIED_LOSS_DB): LossBudget {
  const list = spans.map((s) => (typeof s === 'number' ? { lengthKm: s, fiberType: DEFAULT_FIBER_TYPE } : { lengthKm: s.lengthKm, fiberType: s.fiberType ?? DEFAULT_FIBER_TYPE }));
  const totalKm = list.reduce((a, b) => a + b.lengthKm, 0);
  let splices = Math.max(0, list.length - 1);
  let fiberLossDb = 0;
  const byType = new Map<string, number>();
  for (const s of list) {
    const spec = FIBER_TYPES[s.fiberType];
    if (spec === undefined) throw new RangeError(`unknown fiber type ${JSON.stringify(s.fiberType)}`);
    splices += splicesInSpan(s.lengthKm);
    fiberLossDb += s.lengthKm * spec.cabledAttenuationDbPerKm;
    byType.set(s.fiberType, (byType.get(s.fiberType) ?? 0) + s.lengthKm);
  }
  const spliceLossDb = splices * SPLICE_LOSS_DB;
  const connectorLossDb = END_CONNECTORS * CONNECTOR_LOSS_DB;
  const round = (x: number) => Math.round(x * 100) / 100;
  const lossDb = fiberLossDb + spliceLossDb + connectorLossDb;
  return {
    lossDb: round(lossDb),
    fiberLossDb: round(fiberLossDb),
    spliceLossDb: round(spliceLossDb),
    connectorLossDb: round(connectorLossDb),
    splices,
    connectors: END_CONNECTORS,
    maxUnamplifiedLossDb,
    needsAmplification: lossDb > maxUnamplifiedLossDb,
    assumptions: {
      attenuationDbPerKm: totalKm > 0 ? Math.round((fiberLossDb / totalKm) * 1e4) / 1e4 : ATTENUATION_DB_PER_KM_1550,
      fibers: [...byType].map(([fiberType, km]) => ({ fiberType, km: Math.round(km * 1000) / 1000, attenuationDbPerKm: FIBER_TYPES[fiberType].cabledAttenuationDbPerKm })),
      wavelengthNm: 1550,
      spliceLossDb: SPLICE_LOSS_DB,
      reelLengthKm: REEL_LENGTH_KM,
      connectorLossDb: CONNECTOR_LOSS_DB,
      source:
        'ITU-T G.652.D cabled fiber (typical 0.25 dB/km, max 0.3 dB/km at 1550 nm; other fiber types their cabled maximum); TIA-568 splice/connector limits, typical values used; unamplified maximum: ITU-T G.959.1 long-haul application codes (22 dB) unless the operator set another',
    },
  };
}
