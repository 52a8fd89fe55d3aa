/**
 * One transmission between two transceivers of a GNPy topology, as GNPy's
 * gnpy-transmission-example does: design the network for the reference channel of the equipment's
 * SI (optionally with another per-channel power), pick the shortest path, launch the SI comb from
 * the source transceiver and report every element and the receiver.
 */
import { addMissingElements, buildNetwork, DesignError, pyFloorDiv } from './design.js';
import type { DesignAdditions } from './design.js';
import type { Equipment } from './equipment.js';
import type { OpticalNetwork } from './network.js';
import { propagatePath } from './path.js';
import type { PathResult } from './path.js';
import { SpectralInformation } from './spectral-info.js';
import { dbmToWatt } from './units.js';

export interface TransmissionOptions {
  from?: string;
  to?: string;
  /** Per-channel launch power in spans (dBm); default: the SI's power_dbm. */
  powerDbm?: number;
  /** Skip fiber splitting and amplifier insertion (GNPy --no-insert-edfas). */
  noInsertEdfas?: boolean;
  /** Connector losses the topology left open (from the importer). */
  missingConnectors: Set<string>;
}

export interface TransmissionResult extends PathResult {
  source: string;
  destination: string;
  referencePowerDbm: number;
  referenceChannels: number | null;
  additions: DesignAdditions;
}

/** Designs `net` in place and propagates the SI comb from source to destination. */
export function runTransmission(net: OpticalNetwork, eq: Equipment, opts: TransmissionOptions): TransmissionResult {
  const trx = net.ofKind('Transceiver').map((t) => t.uid);
  if (trx.length < 2) throw new DesignError('the network needs at least two transceivers');
  const pick = (want: string | undefined, exclude: string | null): string => {
    if (want !== undefined) {
      if (trx.includes(want)) return want;
      const partial = trx.find((u) => u !== exclude && u.toLowerCase().includes(want.toLowerCase()));
      if (partial === undefined) throw new DesignError(`no transceiver matches ${JSON.stringify(want)}`);
      return partial;
    }
    const first = trx.find((u) => u !== exclude);
    return first as string;
  };
  const source = pick(opts.from, null);
  const destination = pick(opts.to, source);
  const additions: DesignAdditions = opts.noInsertEdfas ? { splitFibers: [], amplifiers: [] } : addMissingElements(net, eq);
  const si = eq.si;
  const powerDbm = opts.powerDbm ?? si.powerDbm;
  const nbChannel = si.useSiChannelCountForDesign ? pyFloorDiv(si.fMaxHz - si.fMinHz, si.spacingHz) : null;
  buildNetwork(net, eq, { powerDbm, nbChannel, baudRateHz: si.baudRateHz, spacingHz: si.spacingHz }, opts.missingConnectors);
  const path = net.shortestPath(source, destination);
  if (path === null) throw new DesignError(`no path from ${source} to ${destination}`);
  // The transceivers launch SI tx_power when the library sets it, else the span reference power.
  const txPowerDbm = si.txPowerDbm ?? powerDbm;
  const launch = SpectralInformation.uniform({
    fMinHz: si.fMinHz,
    fMaxHz: si.fMaxHz,
    spacingHz: si.spacingHz,
    baudRateHz: si.baudRateHz,
    rollOff: si.rollOff,
    powerW: dbmToWatt(txPowerDbm),
    txOsnrDb: si.txOsnrDb,
  });
  const result = propagatePath(net, path, launch);
  return { ...result, source, destination, referencePowerDbm: powerDbm, referenceChannels: nbChannel, additions };
}
