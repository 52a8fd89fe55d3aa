/**
 * Optical loss budget of a dark-fiber strand pair end to end. Figures used (planning values, stated in
 * every quote so a customer can redo the arithmetic with their own):
 * - Fiber attenuation 0.25 dB/km at 1550 nm: typical cabled ITU-T G.652.D single-mode fiber; the
 *   recommendation's cabled maximum at 1550 nm is 0.3 dB/km, so this is a realistic mid value.
 * - One fusion splice per 5 km cable reel section, plus one where strands are spliced through at each
 *   intermediate site: 0.1 dB per splice (typical fusion splice; TIA-568 allows up to 0.3 dB).
 * - One connector pair at each end (customer handoff patch panel): 0.5 dB each (typical; TIA-568 allows
 *   up to 0.75 dB per mated pair).
 */

export const ATTENUATION_DB_PER_KM_1550 = 0.25;
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
  assumptions: {
    attenuationDbPerKm: number;
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

/** Loss budget of a strand path made of spans of the given lengths, spliced through at intermediate sites. */
export function lossBudget(spanLengthsKm: readonly number[]): LossBudget {
  const totalKm = spanLengthsKm.reduce((a, b) => a + b, 0);
  let splices = Math.max(0, spanLengthsKm.length - 1);
  for (const km of spanLengthsKm) splices += splicesInSpan(km);
  const fiberLossDb = totalKm * ATTENUATION_DB_PER_KM_1550;
  const spliceLossDb = splices * SPLICE_LOSS_DB;
  const connectorLossDb = END_CONNECTORS * CONNECTOR_LOSS_DB;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    lossDb: round(fiberLossDb + spliceLossDb + connectorLossDb),
    fiberLossDb: round(fiberLossDb),
    spliceLossDb: round(spliceLossDb),
    connectorLossDb: round(connectorLossDb),
    splices,
    connectors: END_CONNECTORS,
    assumptions: {
      attenuationDbPerKm: ATTENUATION_DB_PER_KM_1550,
      wavelengthNm: 1550,
      spliceLossDb: SPLICE_LOSS_DB,
      reelLengthKm: REEL_LENGTH_KM,
      connectorLossDb: CONNECTOR_LOSS_DB,
      source: 'ITU-T G.652.D cabled fiber (typical 0.25 dB/km, max 0.3 dB/km at 1550 nm); TIA-568 splice/connector limits, typical values used',
    },
  };
}
