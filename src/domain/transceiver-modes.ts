/**
 * Transceiver operational modes and the choice of a mode for a path.
 *
 * OPENROADM_MODES transcribes the OpenROADM MSA optical specification 9.0 operational-modes catalog
 * (release 18.0, operational-modes-catalog-18_0-optical-spec-9_0.json): per mode its baud rate, line
 * rate, payload, modulation, channel width, minimum TX OSNR, minimum RX OSNR tolerance (0.1 nm) and
 * CD / PMD / PDL penalty steps; test/qot/modes.test.ts checks the transcription against the JSON.
 * It includes 800G modes (OR-W-800G-oFEC-118Gbd/124Gbd/131Gbd). PLUGGABLE_MODES adds the OIF 400ZR
 * and OpenZR+ pluggables.
 */

/** A penalty step: impairment values up to `upTo` cost `penaltyDb` of OSNR. */
export interface PenaltyStep {
  upTo: number;
  penaltyDb: number;
}

export interface TransceiverModeSpec {
  id: string;
  baudRateGbd: number;
  lineRateGbps: number;
  /** Client payload carried, Gb/s. */
  payloadGbps: number;
  modulation: string;
  /** Spectrum the channel needs, GHz. */
  channelWidthGhz: number;
  minTxOsnrDb: number | null;
  /** Back-to-back OSNR the receiver needs, dB in 0.1 nm. */
  minRxOsnrDb: number;
  /** Penalty steps by accumulated CD (ps/nm), PMD (ps, mean DGD), PDL (dB); beyond the last step the mode fails. */
  cdPenalty: PenaltyStep[];
  pmdPenalty: PenaltyStep[];
  pdlPenalty: PenaltyStep[];
  source: string;
}

const OPENROADM_SOURCE = 'OpenROADM MSA optical specification 9.0, operational-modes catalog (release 18.0)';

export const OPENROADM_MODES: TransceiverModeSpec[] = [
  {
    id: 'OR-W-100G-SC',
    baudRateGbd: 28.0,
    lineRateGbps: 111.8,
    payloadGbps: 100,
    modulation: 'dp-qpsk',
    channelWidthGhz: 40.0,
    minTxOsnrDb: 33.0,
    minRxOsnrDb: 17.0,
    cdPenalty: [{ upTo: 18000.0, penaltyDb: 0.0 }],
    pmdPenalty: [{ upTo: 30.0, penaltyDb: 0.0 }],
    pdlPenalty: [{ upTo: 6.0, penaltyDb: 0.0 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-100G-oFEC-31.6Gbd',
    baudRateGbd: 31.6,
    lineRateGbps: 126.3,
    payloadGbps: 100,
    modulation: 'dp-qpsk',
    channelWidthGhz: 37.884,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 12.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 48000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 30.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }, { upTo: 6.0, penaltyDb: 4.0 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-200G-oFEC-31.6Gbd',
    baudRateGbd: 31.6,
    lineRateGbps: 252.6,
    payloadGbps: 200,
    modulation: 'dp-qam16',
    channelWidthGhz: 37.884,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 20.5,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 30.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }, { upTo: 6.0, penaltyDb: 4.0 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-200G-oFEC-63.1Gbd',
    baudRateGbd: 63.1,
    lineRateGbps: 252.6,
    payloadGbps: 200,
    modulation: 'dp-qpsk',
    channelWidthGhz: 75.72,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 16.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-300G-oFEC-63.1Gbd',
    baudRateGbd: 63.1,
    lineRateGbps: 378.8,
    payloadGbps: 300,
    modulation: 'dp-qam8',
    channelWidthGhz: 75.72,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 21.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 18000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-400G-oFEC-63.1Gbd',
    baudRateGbd: 63.1,
    lineRateGbps: 505.1,
    payloadGbps: 400,
    modulation: 'dp-qam16',
    channelWidthGhz: 75.72,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 24.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 12000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-400G-oFEC-124Gbd',
    baudRateGbd: 124.1,
    lineRateGbps: 422.6,
    payloadGbps: 400,
    modulation: 'dp-qpsk',
    channelWidthGhz: 148.92,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 17.4,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-400G-oFEC-118Gbd',
    baudRateGbd: 118.2,
    lineRateGbps: 422.6,
    payloadGbps: 400,
    modulation: 'dp-qpsk',
    channelWidthGhz: 141.84,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 17.2,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-400G-oFEC-124Gbd_type2',
    baudRateGbd: 124.1,
    lineRateGbps: 422.6,
    payloadGbps: 400,
    modulation: 'dp-qpsk',
    channelWidthGhz: 148.92,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 17.4,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-400G-oFEC-118Gbd_type2',
    baudRateGbd: 118.2,
    lineRateGbps: 422.6,
    payloadGbps: 400,
    modulation: 'dp-qpsk',
    channelWidthGhz: 141.84,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 17.2,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 24000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-124Gbd',
    baudRateGbd: 124.1,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'dp-qam16',
    channelWidthGhz: 148.92,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 27.2,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 12000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-118Gbd',
    baudRateGbd: 118.2,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'dp-qam16',
    channelWidthGhz: 141.84,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 27.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 12000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-124Gbd_type2',
    baudRateGbd: 124.1,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'dp-qam16',
    channelWidthGhz: 148.92,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 27.2,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 12000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-118Gbd_type2',
    baudRateGbd: 118.2,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'dp-qam16',
    channelWidthGhz: 141.84,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 27.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 12000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-600G-oFEC-124Gbd',
    baudRateGbd: 124.7,
    lineRateGbps: 633.9,
    payloadGbps: 600,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 149.64,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 22.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 22000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-600G-oFEC-118Gbd',
    baudRateGbd: 118.8,
    lineRateGbps: 633.9,
    payloadGbps: 600,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 142.56,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 21.8,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 22000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-131GbdE',
    baudRateGbd: 131.3,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 157.608,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 25.1,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 20000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-131GbdM',
    baudRateGbd: 131.4,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 157.62,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 26.1,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 20000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-600G-oFEC-124Gbd_type2',
    baudRateGbd: 124.7,
    lineRateGbps: 633.9,
    payloadGbps: 600,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 149.64,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 22.0,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 22000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-600G-oFEC-118Gbd_type2',
    baudRateGbd: 118.8,
    lineRateGbps: 633.9,
    payloadGbps: 600,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 142.56,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 21.8,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 22000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 25.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-131GbdE_type2',
    baudRateGbd: 131.3,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 157.608,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 25.1,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 20000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
  {
    id: 'OR-W-800G-oFEC-131GbdM_type2',
    baudRateGbd: 131.4,
    lineRateGbps: 845.1,
    payloadGbps: 800,
    modulation: 'pcs-dp-qam16',
    channelWidthGhz: 157.62,
    minTxOsnrDb: 37.0,
    minRxOsnrDb: 26.1,
    cdPenalty: [{ upTo: 4000.0, penaltyDb: 0.0 }, { upTo: 20000.0, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10.0, penaltyDb: 0.0 }, { upTo: 20.0, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1.0, penaltyDb: 0.5 }, { upTo: 2.0, penaltyDb: 1.0 }, { upTo: 4.0, penaltyDb: 2.5 }],
    source: OPENROADM_SOURCE,
  },
];

/**
 * Pluggable coherent modes outside the OpenROADM catalog:
 *  - 400ZR: OIF-400ZR-01.0 Implementation Agreement (2020): 400GBASE-R over DP-16QAM at
 *    59.84375 GBd with CFEC, required OSNR 26 dB (0.1 nm) for amplified links, CD tolerance
 *    2400 ps/nm, mean DGD 10 ps; 75 GHz channel.
 *  - OpenZR+ 400G: OpenZR+ MSA Technical Specification 1.0 (2020): DP-16QAM at 60.1385 GBd with
 *    oFEC — the oFEC and format of OpenROADM's OR-W-400G-oFEC-63.1Gbd, whose RX OSNR tolerance
 *    (24 dB) and CD/PMD steps it shares; 75 GHz channel.
 */
export const PLUGGABLE_MODES: TransceiverModeSpec[] = [
  {
    id: 'OIF-400ZR',
    baudRateGbd: 59.84375,
    lineRateGbps: 478.75,
    payloadGbps: 400,
    modulation: 'dp-qam16',
    channelWidthGhz: 75,
    minTxOsnrDb: null,
    minRxOsnrDb: 26,
    cdPenalty: [{ upTo: 2400, penaltyDb: 0 }],
    pmdPenalty: [{ upTo: 10, penaltyDb: 0 }],
    pdlPenalty: [],
    source: 'OIF-400ZR-01.0 Implementation Agreement',
  },
  {
    id: 'OpenZR+-400G',
    baudRateGbd: 60.1385,
    lineRateGbps: 481.1,
    payloadGbps: 400,
    modulation: 'dp-qam16',
    channelWidthGhz: 75,
    minTxOsnrDb: null,
    minRxOsnrDb: 24,
    cdPenalty: [{ upTo: 4000, penaltyDb: 0 }, { upTo: 12000, penaltyDb: 0.5 }],
    pmdPenalty: [{ upTo: 10, penaltyDb: 0 }, { upTo: 20, penaltyDb: 0.5 }],
    pdlPenalty: [{ upTo: 1, penaltyDb: 0.5 }, { upTo: 2, penaltyDb: 1 }, { upTo: 4, penaltyDb: 2.5 }],
    source: 'OpenZR+ MSA Technical Specification 1.0 (oFEC as OpenROADM OR-W-400G-oFEC-63.1Gbd)',
  },
];

export const TRANSCEIVER_MODES: TransceiverModeSpec[] = [...OPENROADM_MODES, ...PLUGGABLE_MODES];

const MODES_BY_ID = new Map(TRANSCEIVER_MODES.map((m) => [m.id, m]));

/** The catalog's mode with this id (as designs and channel rows store it), or undefined. */
export function transceiverMode(id: string): TransceiverModeSpec | undefined {
  return MODES_BY_ID.get(id);
}

/** Penalty (dB) of an impairment value; Infinity beyond the last step; 0 without steps. */
export function penaltyDb(steps: readonly PenaltyStep[], value: number): number {
  if (steps.length === 0) return 0;
  for (const s of steps) if (Math.abs(value) <= s.upTo) return s.penaltyDb;
  return Infinity;
}

/** A candidate mode with the quality its path gives it (GSNR for its own baud rate). */
export interface ModeCandidate {
  mode: TransceiverModeSpec;
  /** Path GSNR in 0.1 nm for this mode's channel, dB. */
  gsnr01nmDb: number;
  cdPsPerNm?: number;
  pmdPs?: number;
  pdlDb?: number;
}

export interface FeasibleMode {
  mode: TransceiverModeSpec;
  /** Carriers of this mode needed for the bandwidth. */
  carriers: number;
  /** Spectrum the carriers take, GHz. */
  spectrumGhz: number;
  /** Required OSNR including impairment penalties, dB (0.1 nm). */
  requiredOsnrDb: number;
  /** GSNR − required OSNR − the asked margin (≥ 0 for a feasible mode), dB. */
  marginDb: number;
}

/**
 * The modes that carry `bandwidthGbps` over their path with at least `marginDb` of GSNR to spare
 * over the mode's RX OSNR tolerance plus CD/PMD/PDL penalties — fewest carriers first, then least
 * spectrum, then highest payload per carrier, then most margin.
 */
export function chooseMode(candidates: readonly ModeCandidate[], bandwidthGbps: number, marginDb: number): FeasibleMode[] {
  if (!(bandwidthGbps > 0)) throw new RangeError('bandwidthGbps must be > 0');
  const out: FeasibleMode[] = [];
  for (const c of candidates) {
    const m = c.mode;
    const pen = penaltyDb(m.cdPenalty, c.cdPsPerNm ?? 0) + penaltyDb(m.pmdPenalty, c.pmdPs ?? 0) + penaltyDb(m.pdlPenalty, c.pdlDb ?? 0);
    const required = m.minRxOsnrDb + pen;
    const margin = c.gsnr01nmDb - required - marginDb;
    if (!(margin >= 0)) continue;
    const carriers = Math.ceil(bandwidthGbps / m.payloadGbps - 1e-9);
    out.push({ mode: m, carriers, spectrumGhz: carriers * m.channelWidthGhz, requiredOsnrDb: required, marginDb: margin });
  }
  return out.sort((a, b) => a.carriers - b.carriers || a.spectrumGhz - b.spectrumGhz || b.mode.payloadGbps - a.mode.payloadGbps || b.marginDb - a.marginDb);
}
