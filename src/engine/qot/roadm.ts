/**
 * ROADM: per-path maximum loss, then per-channel equalisation to the egress degree's target
 * (power, PSD or power per slot width), never amplifying (a channel below its target passes at its
 * input power); PMD and PDL of the crossed path. GNPy gnpy.core.elements.Roadm.propagate.
 * Add/drop OSNR contributions are applied at the receiver (see path.ts), as GNPy does.
 */
import type { RoadmPathImpairment, RoadmType } from './equipment.js';
import type { SpectralInformation } from './spectral-info.js';
import { linToDb, psdToPowerDbm, wattToDbm } from './units.js';

export type RoadmPathType = 'express' | 'add' | 'drop';

/** The impairments of one internal path (from a degree to a degree). */
export interface RoadmInternalPath {
  from: string;
  to: string;
  type: RoadmPathType;
  impairment: RoadmPathImpairment;
}

export interface RoadmTargets {
  /** One of the three equalisations, ROADM-wide. */
  equalization: RoadmType['equalization'];
  /** Per egress degree (uid of the next element) overrides, dBm or mW/GHz. */
  perDegreePchOutDbm: Map<string, number>;
  perDegreePsd: Map<string, number>;
  perDegreePsw: Map<string, number>;
}

export interface RoadmState {
  refPchOutDbm: number;
  refEffectiveLossDb: number;
  lossDb: Float64Array;
  pchOutDbm: Float64Array;
}

export class Roadm {
  readonly kind = 'Roadm' as const;
  /** Reference-channel power reaching the ROADM from each ingress degree (set by the design). */
  readonly refPchInDbm = new Map<string, number>();
  readonly paths: RoadmInternalPath[] = [];
  /** Reference carrier of the design (baud rate and slot width), for PSD / PSW targets. */
  refCarrier = { baudRateHz: 32e9, slotWidthHz: 50e9 };
  last: RoadmState | null = null;

  constructor(
    readonly uid: string,
    readonly type: RoadmType,
    readonly targets: RoadmTargets,
    /** Per (from-to) degree pair, the impairment profile id chosen in the topology. */
    readonly perDegreeImpairmentIds: Map<string, number>,
  ) {}

  /** Reference-channel target power (dBm) out of an egress degree. */
  refTargetDbm(degree: string): number {
    const t = this.targets;
    const pd = t.perDegreePchOutDbm.get(degree);
    if (pd !== undefined) return pd;
    const psd = t.perDegreePsd.get(degree);
    if (psd !== undefined) return psdToPowerDbm(psd, this.refCarrier.baudRateHz);
    const psw = t.perDegreePsw.get(degree);
    if (psw !== undefined) return psdToPowerDbm(psw, this.refCarrier.slotWidthHz);
    return equalizationPowerDbm(t.equalization, this.refCarrier.baudRateHz, this.refCarrier.slotWidthHz);
  }

  /** Target power (dBm) of channel i of the spectrum out of an egress degree. */
  channelTargetDbm(degree: string, si: SpectralInformation, i: number): number {
    const t = this.targets;
    const pd = t.perDegreePchOutDbm.get(degree);
    if (pd !== undefined) return pd;
    const psd = t.perDegreePsd.get(degree);
    if (psd !== undefined) return psdToPowerDbm(psd, si.baudRateHz[i]);
    const psw = t.perDegreePsw.get(degree);
    if (psw !== undefined) return psdToPowerDbm(psw, si.slotWidthHz[i]);
    return equalizationPowerDbm(t.equalization, si.baudRateHz[i], si.slotWidthHz[i]);
  }

  path(from: string, to: string): RoadmInternalPath {
    const p = this.paths.find((x) => x.from === from && x.to === to);
    if (p === undefined) throw new Error(`ROADM ${this.uid} has no internal path ${from} → ${to}`);
    return p;
  }

  /** An impairment of the internal path at a frequency (first matching band). */
  impairmentAt(path: RoadmInternalPath, f: number, key: 'maxLossDb' | 'pmdS' | 'pdlDb' | 'osnrDb'): number | null {
    for (const b of path.impairment.bands) {
      if (b.fMinHz === null || b.fMaxHz === null || (b.fMinHz <= f && f <= b.fMaxHz)) {
        const v = b[key];
        if (v !== null) return v;
        if (key === 'maxLossDb') return 0;
        return null;
      }
    }
    return key === 'maxLossDb' ? 0 : null;
  }

  /** Propagates from an ingress degree to an egress degree, in place. */
  propagate(si: SpectralInformation, from: string, to: string): RoadmState {
    const path = this.path(from, to);
    const n = si.n;
    const inDbm = new Float64Array(n);
    for (let i = 0; i < n; i++) inDbm[i] = wattToDbm(si.pchW[i]);
    let maxLossMax = 0;
    for (let i = 0; i < n; i++) {
      const l = this.impairmentAt(path, si.frequencyHz[i], 'maxLossDb') ?? 0;
      maxLossMax = Math.max(maxLossMax, l);
      si.pchW[i] *= 10 ** (-l / 10);
    }
    const refIn = this.refPchInDbm.get(from);
    const refTarget = this.refTargetDbm(to);
    const refOut = refIn === undefined ? refTarget : Math.min(refIn - maxLossMax, refTarget);
    for (let i = 0; i < n; i++) {
      const target = this.channelTargetDbm(to, si, i) + si.deltaPdb[i];
      const net = wattToDbm(si.pchW[i]);
      // A ROADM only attenuates: channels already below their target keep their power.
      const att = Math.max(net - target, 0);
      si.pchW[i] *= 10 ** (-att / 10);
      const pmd = this.impairmentAt(path, si.frequencyHz[i], 'pmdS') ?? 0;
      const pdl = this.impairmentAt(path, si.frequencyHz[i], 'pdlDb') ?? 0;
      si.pmdS[i] = Math.sqrt(si.pmdS[i] ** 2 + pmd ** 2);
      si.pdlDb[i] = Math.sqrt(si.pdlDb[i] ** 2 + pdl ** 2);
    }
    const pchOut = new Float64Array(n);
    const loss = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      pchOut[i] = wattToDbm(si.pchW[i]);
      loss[i] = inDbm[i] - pchOut[i];
    }
    this.last = { refPchOutDbm: refOut, refEffectiveLossDb: (refIn ?? refOut) - refOut, lossDb: loss, pchOutDbm: pchOut };
    return this.last;
  }

  /** The OSNR contribution (0.1 nm, dB) of the internal path at f, if it has one (add/drop). */
  osnrDb(from: string, to: string, f: number): number | null {
    return this.impairmentAt(this.path(from, to), f, 'osnrDb');
  }
}

/** Power (dBm) the equalisation gives a channel of this baud rate and slot width. */
export function equalizationPowerDbm(eq: RoadmType['equalization'], baudRateHz: number, slotWidthHz: number): number {
  switch (eq.kind) {
    case 'power':
      return eq.targetPchOutDbm;
    case 'psd':
      return psdToPowerDbm(eq.mwPerGhz, baudRateHz);
    case 'psw':
      return psdToPowerDbm(eq.mwPerGhz, slotWidthHz);
  }
}

/**
 * The impairment profile of a path type when the ROADM type has no detailed one: the type's PMD and
 * PDL, no loss, and for add and drop the add/drop OSNR split evenly (GNPy set_roadm_paths:
 * roadm-osnr = add_drop_osnr + 10·log10(2), since add and drop each count once).
 */
export function defaultPathImpairment(type: RoadmType, pathType: RoadmPathType): RoadmPathImpairment {
  return {
    pathType,
    bands: [
      {
        fMinHz: null,
        fMaxHz: null,
        maxLossDb: 0,
        pmdS: type.pmdS,
        pdlDb: type.pdlDb,
        osnrDb: pathType === 'express' ? null : type.addDropOsnrDb + linToDb(2),
      },
    ],
  };
}
