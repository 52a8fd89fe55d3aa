/**
 * Propagation of a spectrum along a path of elements and the receiver's view of it (GNPy
 * gnpy.topology.request.propagate and Transceiver): per element a snapshot (powers, GSNR so far,
 * CD, PMD, latency), and at the end per channel GSNR / OSNR-ASE / SNR-NLI in the signal bandwidth
 * and in 0.1 nm, with the transmitter OSNR and the ROADM add/drop OSNRs added at the receiver.
 */
import type { OpticalNetwork, QotElement } from './network.js';
import { SpectralInformation, addSnrContributions } from './spectral-info.js';
import { OSNR_REF_BANDWIDTH_HZ, wattToDbm } from './units.js';

/** Per-channel quality at one point (arrays over the path's channels). */
export interface ChannelQuality {
  frequencyHz: Float64Array;
  baudRateHz: Float64Array;
  /** Channel power out of the element, dBm. */
  powerDbm: Float64Array;
  gsnrDb: Float64Array;
  gsnr01nmDb: Float64Array;
  osnrAseDb: Float64Array;
  osnrAse01nmDb: Float64Array;
  snrNliDb: Float64Array;
  /** Accumulated chromatic dispersion, ps/nm. */
  cdPsPerNm: Float64Array;
  pmdPs: Float64Array;
  pdlDb: Float64Array;
  latencyUs: Float64Array;
}

export interface ElementSnapshot {
  uid: string;
  kind: QotElement['kind'];
  quality: ChannelQuality;
}

export interface PathResult {
  path: string[];
  elements: ElementSnapshot[];
  /** At the receiver, including transmitter and add/drop OSNR. */
  receiver: ChannelQuality;
  spectrum: SpectralInformation;
}

/** Snapshot of a spectrum; `added01nm` are extra SNR terms in 0.1 nm per channel (receiver only). */
export function qualityOf(si: SpectralInformation, added01nm: (i: number) => number[] = () => []): ChannelQuality {
  const n = si.n;
  const a = () => new Float64Array(n);
  const q: ChannelQuality = {
    frequencyHz: Float64Array.from(si.frequencyHz),
    baudRateHz: Float64Array.from(si.baudRateHz),
    powerDbm: a(),
    gsnrDb: a(),
    gsnr01nmDb: a(),
    osnrAseDb: a(),
    osnrAse01nmDb: a(),
    snrNliDb: a(),
    cdPsPerNm: a(),
    pmdPs: a(),
    pdlDb: a(),
    latencyUs: a(),
  };
  for (let i = 0; i < n; i++) {
    const extra = added01nm(i);
    const b = si.baudRateHz[i];
    const gsnr = si.gsnrDb(i);
    const osnr = si.osnrAseDb(i);
    q.powerDbm[i] = wattToDbm(si.pchW[i]);
    q.gsnrDb[i] = addSnrContributions(gsnr, b, extra);
    q.osnrAseDb[i] = addSnrContributions(osnr, b, extra);
    q.gsnr01nmDb[i] = addSnrContributions(si.to01nm(gsnr, i), OSNR_REF_BANDWIDTH_HZ, extra);
    q.osnrAse01nmDb[i] = addSnrContributions(si.to01nm(osnr, i), OSNR_REF_BANDWIDTH_HZ, extra);
    q.snrNliDb[i] = si.snrNliDb(i);
    // s/m → ps/nm: 1 s/m = 1e12 ps / 1e9 nm.
    q.cdPsPerNm[i] = si.cdSPerM[i] * 1e3;
    q.pmdPs[i] = si.pmdS[i] * 1e12;
    q.pdlDb[i] = si.pdlDb[i];
    q.latencyUs[i] = si.latencyS[i] * 1e6;
  }
  return q;
}

/** Common band of the path's amplifiers (GNPy find_elements_common_range), or null without amplifiers. */
export function pathBand(net: OpticalNetwork, path: readonly string[]): { fMinHz: number; fMaxHz: number } | null {
  let band: { fMinHz: number; fMaxHz: number } | null = null;
  for (const uid of path) {
    const el = net.get(uid);
    if (el.kind === 'Edfa' && el.type !== null) {
      band = band === null ? { fMinHz: el.type.fMinHz, fMaxHz: el.type.fMaxHz } : { fMinHz: Math.max(band.fMinHz, el.type.fMinHz), fMaxHz: Math.min(band.fMaxHz, el.type.fMaxHz) };
    }
  }
  return band;
}

/**
 * Propagates `launch` (cloned) from path[0] (a transceiver) to path[last] (a transceiver), keeping
 * only channels inside the path's amplifier band.
 */
export function propagatePath(net: OpticalNetwork, path: readonly string[], launch: SpectralInformation): PathResult {
  const band = pathBand(net, path);
  let si = launch.clone();
  if (band !== null) si = si.select((i) => si.frequencyHz[i] - si.slotWidthHz[i] / 2 >= band.fMinHz && si.frequencyHz[i] + si.slotWidthHz[i] / 2 <= band.fMaxHz);
  if (si.n === 0) throw new RangeError('no channel of the spectrum lies in the band of the path\'s amplifiers');
  const roadmOsnr: Float64Array[] = [];
  const elements: ElementSnapshot[] = [];
  for (let k = 0; k < path.length; k++) {
    const el = net.get(path[k]);
    switch (el.kind) {
      case 'Transceiver':
        break;
      case 'Fiber':
      case 'Fused':
      case 'Edfa':
        el.propagate(si);
        break;
      case 'Roadm': {
        const from = path[k - 1];
        const to = path[k + 1];
        el.propagate(si, from, to);
        const o = new Float64Array(si.n);
        for (let i = 0; i < si.n; i++) o[i] = el.osnrDb(from, to, si.frequencyHz[i]) ?? Infinity;
        roadmOsnr.push(o);
        break;
      }
    }
    elements.push({ uid: el.uid, kind: el.kind, quality: qualityOf(si, k === 0 ? (i) => [si.txOsnrDb[i]] : undefined) });
  }
  const receiver = qualityOf(si, (i) => [...roadmOsnr.map((o) => o[i]), si.txOsnrDb[i]]);
  elements[elements.length - 1] = { ...elements[elements.length - 1], quality: receiver };
  return { path: [...path], elements, receiver, spectrum: si };
}

/** Mean of an array (GNPy reports the per-channel mean). */
export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
