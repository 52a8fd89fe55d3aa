/**
 * Automatic design of a GNPy topology, following GNPy's default power mode
 * (gnpy.core.network: add_missing_elements_in_network, add_missing_fiber_attributes,
 * set_egress_amplifier, set_one_amplifier, select_edfa, set_roadm_input_powers):
 *
 * 1. Split fibers longer than Span.max_length into equal spans near 90 km; put a preamp before and a
 *    booster after every ROADM degree and an in-line amplifier between consecutive fibers.
 * 2. Default connector losses (+ end-of-life margin); pad spans below Span.padding at their input.
 * 3. Walk every OMS from its ROADM (or transceiver): each amplifier's per-channel output offset
 *    delta_p follows the next span's loss (Augé, Curri, Le Rouzic, "Open design for multi-vendor
 *    optical networks", OFC 2019, eq. 4: Δp = (loss − loss_ref)·slope, clamped and stepped), its gain
 *    compensates the previous span and the change of delta_p, and an amplifier without a type takes
 *    the lowest-NF type that reaches the gain and power.
 *
 * Raman fibers, multi-band amplifiers and SRS tilt estimation are not modelled (refused at import).
 */
import { designNfDb, Edfa } from './edfa.js';
import type { AmplifierType, Equipment } from './equipment.js';
import { Fiber } from './fiber.js';
import type { OpticalNetwork, QotElement } from './network.js';
import { Roadm, defaultPathImpairment } from './roadm.js';
import type { RoadmPathType } from './roadm.js';
import { linToDb, roundToStep } from './units.js';

/** The reference channel of the design (GNPy's reference PathRequest). */
export interface DesignReference {
  /** Per-channel launch power in spans, dBm. */
  powerDbm: number;
  /** Channel count for total-power checks; null: from the design band and spacing. */
  nbChannel: number | null;
  baudRateHz: number;
  spacingHz: number;
}

export class DesignError extends Error {}

/** Python's float floor division a // b for positive operands (GNPy's automatic_nch uses it). */
export function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  const div = (a - mod) / b;
  let fd = Math.floor(div);
  if (div - fd > 0.5) fd += 1;
  return fd;
}

const isFiberOrFused = (el: QotElement) => el.kind === 'Fiber' || el.kind === 'Fused';

/** Fused/fiber chain before an element (GNPy prev_node_generator). */
function prevChain(net: OpticalNetwork, uid: string): QotElement[] {
  const out: QotElement[] = [];
  let cur = net.get(uid);
  for (;;) {
    const p = net.predecessors(cur.uid)[0];
    if (p === undefined) return out;
    const prev = net.get(p);
    if ((prev.kind === 'Fused' && isFiberOrFused(cur)) || (isFiberOrFused(prev) && cur.kind === 'Fused')) {
      out.push(prev);
      cur = prev;
    } else return out;
  }
}

/** Fused/fiber chain after an element (GNPy next_node_generator). */
function nextChain(net: OpticalNetwork, uid: string): QotElement[] {
  const out: QotElement[] = [];
  let cur = net.get(uid);
  for (;;) {
    const s = net.successors(cur.uid)[0];
    if (s === undefined) return out;
    const next = net.get(s);
    if ((next.kind === 'Fused' && isFiberOrFused(cur)) || (isFiberOrFused(next) && cur.kind === 'Fused')) {
      out.push(next);
      cur = next;
    } else return out;
  }
}

function passiveLoss(el: QotElement): number {
  if (el.kind === 'Fiber') return el.lossDb;
  if (el.kind === 'Fused') return el.lossDb;
  return 0; // ROADMs are passive with loss 0 for design; transceivers and amplifiers are not passive.
}

/** Loss of the span (fibers and fused elements between amplifiers) an element belongs to. */
export function spanLossDb(net: OpticalNetwork, uid: string): number {
  const el = net.get(uid);
  if (el.kind === 'Fiber' && el.designSpanLossDb !== null) return el.designSpanLossDb;
  let loss = passiveLoss(el);
  for (const p of prevChain(net, uid)) loss += passiveLoss(p);
  for (const n of nextChain(net, uid)) loss += passiveLoss(n);
  return loss;
}

function firstOfChain(net: OpticalNetwork, uid: string): QotElement {
  const chain = prevChain(net, uid);
  return chain.length > 0 ? chain[chain.length - 1] : net.get(uid);
}

/** Span count and length for a fiber longer than the bounds (GNPy calculate_new_length). */
export function splitLength(lengthM: number, minM: number, maxM: number, targetM: number): { lengthM: number; spans: number } {
  if (lengthM < maxM) return { lengthM, spans: 1 };
  const n2 = Math.floor(lengthM / targetM);
  const n1 = n2 + 1;
  const l1 = lengthM / n1;
  const l2 = lengthM / n2;
  const in1 = minM <= l1 && l1 <= maxM;
  const in2 = minM <= l2 && l2 <= maxM;
  if (in1 && !in2) return { lengthM: l1, spans: n1 };
  if (in2 && !in1) return { lengthM: l2, spans: n2 };
  if (l2 - targetM <= targetM - l1 && l2 <= maxM) return { lengthM: l2, spans: n2 };
  return { lengthM: l1, spans: n1 };
}

function newAmplifier(uid: string): Edfa {
  return new Edfa(uid, null, { gainTargetDb: null, deltaPDb: null, tiltTargetDb: 0, outVoaDb: null, inVoaDb: 0 });
}

/** What the design added, for reports ("placed by default"). */
export interface DesignAdditions {
  splitFibers: { original: string; spans: string[] }[];
  amplifiers: string[];
}

/** Splits long fibers and inserts boosters, preamps and in-line amplifiers where missing. */
export function addMissingElements(net: OpticalNetwork, eq: Equipment): DesignAdditions {
  const added: DesignAdditions = { splitFibers: [], amplifiers: [] };
  const rules = eq.span;
  const maxM = Math.trunc(rules.maxLengthKm * 1e3);
  const minM = Math.max(Math.trunc((rules.paddingDb / 0.2) * 1e3), 50_000);
  const targetM = Math.max(minM, Math.min(maxM, 90_000));
  for (const fiber of net.ofKind('Fiber')) {
    const { lengthM, spans } = splitLength(fiber.params.lengthM, minM, maxM, targetM);
    if (spans === 1) continue;
    const next = net.successors(fiber.uid)[0];
    const prev = net.predecessors(fiber.uid)[0];
    if (next === undefined || prev === undefined) throw new DesignError(`fiber ${fiber.uid} is not properly connected`);
    const pl = net.location.get(prev)!;
    const nl = net.location.get(next)!;
    const fl = net.location.get(fiber.uid)!;
    net.remove(fiber.uid);
    let last = prev;
    const names: string[] = [];
    for (let k = 0; k < spans; k++) {
      const uid = `${fiber.uid}_(${k + 1}/${spans})`;
      const span = new Fiber(uid, fiber.typeVariety, { ...fiber.params, lengthM, lumpedLosses: [...fiber.params.lumpedLosses] });
      net.add(span, {
        latitude: pl.latitude + ((nl.latitude - pl.latitude) * (k + 0.5)) / spans,
        longitude: pl.longitude + ((nl.longitude - pl.longitude) * (k + 0.5)) / spans,
        city: fl.city,
        region: fl.region,
      });
      net.addEdge(last, uid);
      last = uid;
      names.push(uid);
    }
    net.addEdge(last, next);
    added.splitFibers.push({ original: fiber.uid, spans: names });
  }
  const blocks = (el: QotElement) => el.kind === 'Transceiver' || el.kind === 'Fused' || el.kind === 'Edfa';
  for (const roadm of net.ofKind('Roadm')) {
    const loc = net.location.get(roadm.uid)!;
    for (const p of net.predecessors(roadm.uid)) {
      if (blocks(net.get(p))) continue;
      net.removeEdge(p, roadm.uid);
      const amp = newAmplifier(`Edfa_preamp_${roadm.uid}_from_${p}`);
      net.add(amp, { ...loc });
      net.addEdge(p, amp.uid);
      net.addEdge(amp.uid, roadm.uid);
      added.amplifiers.push(amp.uid);
    }
    for (const s of net.successors(roadm.uid)) {
      if (blocks(net.get(s))) continue;
      net.removeEdge(roadm.uid, s);
      const amp = newAmplifier(`Edfa_booster_${roadm.uid}_to_${s}`);
      net.add(amp, { ...loc });
      net.addEdge(roadm.uid, amp.uid);
      net.addEdge(amp.uid, s);
      added.amplifiers.push(amp.uid);
    }
  }
  for (const fiber of net.ofKind('Fiber')) {
    const next = net.successors(fiber.uid)[0];
    if (next === undefined || net.get(next).kind !== 'Fiber') continue;
    const a = net.location.get(fiber.uid)!;
    const b = net.location.get(next)!;
    net.removeEdge(fiber.uid, next);
    const amp = newAmplifier(`Edfa_${fiber.uid}`);
    net.add(amp, { latitude: (a.latitude + b.latitude) / 2, longitude: (a.longitude + b.longitude) / 2, city: a.city, region: a.region });
    net.addEdge(fiber.uid, amp.uid);
    net.addEdge(amp.uid, next);
    added.amplifiers.push(amp.uid);
  }
  return added;
}

/** Fibers without connector losses get the Span defaults (+ EOL margin); short spans are padded. */
export function addMissingFiberAttributes(net: OpticalNetwork, eq: Equipment, missingConnectors: Set<string>): void {
  const rules = eq.span;
  const fibers = net.ofKind('Fiber');
  for (const f of fibers) {
    const next = net.get(net.successors(f.uid)[0]);
    if (missingConnectors.has(`${f.uid}\u0000in`)) f.params = { ...f.params, conInDb: rules.conInDb };
    if (missingConnectors.has(`${f.uid}\u0000out`)) f.params = { ...f.params, conOutDb: rules.conOutDb };
    if (next.kind !== 'Fused') f.params = { ...f.params, conOutDb: f.params.conOutDb + rules.eolDb };
  }
  for (const f of fibers) {
    const next = net.get(net.successors(f.uid)[0]);
    if (next.kind === 'Fused') continue;
    const loss = spanLossDb(net, f.uid);
    f.designSpanLossDb = loss;
    if (loss < rules.paddingDb) {
      const first = firstOfChain(net, f.uid);
      if (first.kind === 'Fiber') {
        first.params = { ...first.params, attInDb: first.params.attInDb + rules.paddingDb - loss };
        f.designSpanLossDb += first.params.attInDb;
      }
    }
  }
}

/** Per-channel target offset of the amplifier feeding a span (OFC 2019 eq. 4; GNPy target_power). */
function targetDeltaP(net: OpticalNetwork, nextUid: string, eq: Equipment): number {
  const next = net.get(nextUid);
  if (next.kind === 'Roadm') return 0;
  const [lo, hi, step] = eq.span.deltaPowerRangeDb;
  const loss = spanLossDb(net, nextUid);
  const dp = roundToStep((loss - eq.span.spanLossRefDb) * eq.span.powerSlope, step);
  return Math.min(hi, Math.max(lo, dp));
}

interface Candidate {
  variety: string;
  power: number;
  gainMin: number;
  nf: number;
}

/** Chooses an amplifier type for a gain and output power (GNPy select_edfa). */
export function selectAmplifier(
  ramanAllowed: boolean,
  gainTargetDb: number,
  powerTargetDbm: number,
  candidates: AmplifierType[],
  targetExtendedGainDb: number,
  uid: string,
): { variety: string; powerReductionDb: number } {
  const pin = powerTargetDbm - gainTargetDb;
  const cand = (a: AmplifierType, raman: boolean): Candidate => ({
    variety: a.typeVariety,
    power: Math.min(pin + a.gainFlatmaxDb + targetExtendedGainDb, a.pMaxDbm) - powerTargetDbm,
    // 3 dB of extended minimum gain allowed for EDFAs, none for Raman (GNPy select_edfa).
    gainMin: raman ? gainTargetDb - a.gainMinDb : gainTargetDb + 3 - a.gainMinDb,
    nf: designNfDb(a, gainTargetDb),
  });
  const edfas = candidates.filter((a) => !a.raman).map((a) => cand(a, false));
  const ramans = ramanAllowed ? candidates.filter((a) => a.raman).map((a) => cand(a, true)) : [];
  let ok = [...edfas, ...ramans].filter((x) => x.gainMin > 0);
  if (ok.length === 0) {
    if (edfas.length === 0) throw new DesignError(`${uid}: no amplifier satisfies the minimum gain requirement: increase span padding`);
    ok = edfas;
  }
  let pw = ok.filter((x) => x.power > 0);
  if (pw.length === 0) {
    const pmax = Math.max(...ok.map((x) => x.power));
    pw = ok.filter((x) => x.power - pmax > -0.3);
  }
  let best = pw[0];
  for (const x of pw) if (x.nf < best.nf) best = x;
  return { variety: best.variety, powerReductionDb: Math.min(best.power, 0) };
}

/** The OMS from an egress element: (element, next) pairs down to the next ROADM or transceiver. */
function omsEdges(net: OpticalNetwork, start: string): [string, string][] {
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  let cur = start;
  while (!['Roadm', 'Transceiver'].includes(net.get(cur).kind)) {
    const next = net.successors(cur)[0];
    if (next === undefined) throw new DesignError(`${net.get(cur).kind} ${cur} is not properly connected`);
    seen.add(cur);
    if (seen.has(next)) throw new DesignError(`loop detected at ${cur}`);
    edges.push([cur, next]);
    cur = next;
  }
  return edges;
}

/** Channel count of an OMS's design band: the SI band intersected with its typed amplifiers' bands. */
function designChannelCount(net: OpticalNetwork, edges: [string, string][], eq: Equipment): { nch: number; fMinHz: number; fMaxHz: number } {
  let fMin = eq.si.fMinHz;
  let fMax = eq.si.fMaxHz;
  for (const [uid] of edges) {
    const el = net.get(uid);
    if (el.kind === 'Edfa' && el.type !== null) {
      fMin = Math.max(fMin, el.type.fMinHz);
      fMax = Math.min(fMax, el.type.fMaxHz);
    }
  }
  return { nch: pyFloorDiv(fMax - fMin, eq.si.spacingHz), fMinHz: fMin, fMaxHz: fMax };
}

function eligibleTypes(net: OpticalNetwork, amp: Edfa, prevUid: string, nextUid: string, eq: Equipment, band: { fMinHz: number; fMaxHz: number }): string[] {
  if (amp.type !== null) return [amp.type.typeVariety];
  let restrictions: string[] = [];
  const prev = net.get(prevUid);
  const next = net.get(nextUid);
  if (amp.varietyList !== null) restrictions = amp.varietyList;
  else if (prev.kind === 'Roadm' && prev.type.boosterVarietyList.length > 0) restrictions = prev.type.boosterVarietyList;
  else if (next.kind === 'Roadm' && next.type.preampVarietyList.length > 0) restrictions = next.type.preampVarietyList;
  const out: string[] = [];
  for (const [name, a] of eq.edfa) {
    if (a.fMinHz <= band.fMinHz && a.fMaxHz >= band.fMaxHz && (restrictions.includes(name) || (restrictions.length === 0 && a.allowedForDesign))) out.push(name);
  }
  return out;
}

/** Sets gain, delta_p, VOA (and type when open) of one amplifier (GNPy set_one_amplifier). */
function setOneAmplifier(
  net: OpticalNetwork,
  amp: Edfa,
  prevUid: string,
  nextUid: string,
  prevVoa: number,
  prevDp: number,
  prefChDbm: number,
  prefTotalDbm: number,
  eligible: string[],
  eq: Equipment,
): { dp: number; voa: number } {
  const powerMode = eq.span.powerMode;
  const nodeLoss = spanLossDb(net, prevUid);
  const voa = amp.outVoaDb ? amp.outVoaDb : 0;
  const inVoa = amp.inVoaDb ? amp.inVoaDb : 0;
  let dp = amp.operational.deltaPDb === null ? targetDeltaP(net, nextUid, eq) + voa : amp.operational.deltaPDb;
  let gain: number;
  if (amp.effectiveGainDb === null || powerMode) gain = nodeLoss + dp - prevDp + prevVoa + inVoa;
  else {
    gain = amp.effectiveGainDb;
    dp = prevDp - nodeLoss - prevVoa + gain - inVoa;
  }
  const tilt = amp.operational.tiltTargetDb === null ? 0 : amp.operational.tiltTargetDb;
  const powerTarget = prefTotalDbm + dp;
  const prev = net.get(prevUid);
  const ramanAllowed = prev.kind === 'Fiber' && typeof prev.params.lossCoefDbPerM === 'number' && prev.params.lossCoefDbPerM < eq.span.maxFiberLineicLossForRamanDbPerKm * 1e-3;
  if (amp.type === null) {
    const cands = eligible.map((n) => eq.edfa.get(n)!);
    const sel = selectAmplifier(ramanAllowed, gain, powerTarget, cands, eq.span.targetExtendedGainDb, amp.uid);
    amp.type = eq.edfa.get(sel.variety)!;
    dp += sel.powerReductionDb;
    gain += sel.powerReductionDb;
  } else {
    const pMax = amp.type.pMaxDbm;
    const reduction = powerMode ? Math.min(0, pMax - (prefTotalDbm + dp)) : Math.min(0, pMax - (prefTotalDbm + prevDp - nodeLoss - prevVoa + gain));
    dp += reduction;
    gain += reduction;
  }
  amp.deltaPDb = powerMode ? dp : null;
  amp.effectiveGainDb = gain;
  amp.tiltTargetDb = tilt;
  if (amp.outVoaDb === null) {
    let v = 0;
    if (powerMode && amp.type.outVoaAuto) {
      v = Math.min(amp.type.pMaxDbm - powerTarget, amp.type.gainFlatmaxDb - gain);
      v = Math.max(roundToStep(v, eq.span.voaStepDb) - eq.span.voaMarginDb, 0);
      amp.deltaPDb = (amp.deltaPDb ?? 0) + v;
      amp.effectiveGainDb = gain + v;
    }
    amp.outVoaDb = v;
  }
  if (amp.inVoaDb === null) amp.inVoaDb = 0;
  amp.designDeltaPDb = powerMode ? amp.deltaPDb : dp;
  if (amp.deltaPDb !== null && amp.operational.deltaPDb !== null) amp.targetPchOutDbm = Math.round((amp.operational.deltaPDb + prefChDbm) * 100) / 100;
  else if (amp.deltaPDb !== null) amp.targetPchOutDbm = Math.round((amp.deltaPDb + prefChDbm) * 100) / 100;
  else amp.targetPchOutDbm = null;
  return { dp, voa };
}

/** Designs every OMS leaving a ROADM or a transceiver (GNPy set_egress_amplifier). */
function setEgressAmplifiers(net: OpticalNetwork, start: QotElement, eq: Equipment, ref: DesignReference): void {
  const prefCh = ref.powerDbm;
  for (const oms of net.successors(start.uid)) {
    if (net.get(oms).kind === 'Transceiver') continue;
    const edges = omsEdges(net, oms);
    const band = designChannelCount(net, edges, eq);
    let outPower: number;
    if (start.kind === 'Transceiver') outPower = eq.si.txPowerDbm ?? prefCh;
    else if (start.kind === 'Roadm') outPower = start.refTargetDbm(oms);
    else throw new DesignError(`OMS must start at a ROADM or transceiver, not ${start.uid}`);
    let prevDp = outPower - prefCh;
    let dp = prevDp;
    let prevVoa = 0;
    let voa = 0;
    const nb = ref.nbChannel ?? band.nch;
    const prefTotal = prefCh + linToDb(nb);
    let prevUid = start.uid;
    for (const [uid, nextUid] of edges) {
      const el = net.get(uid);
      if (el.kind === 'Edfa') {
        const eligible = eligibleTypes(net, el, prevUid, nextUid, eq, band);
        if (eligible.length === 0) throw new DesignError(`${uid}: no amplifier in the library matches the design band and the restrictions`);
        ({ dp, voa } = setOneAmplifier(net, el, prevUid, nextUid, prevVoa, prevDp, prefCh, prefTotal, eligible, eq));
      }
      prevDp = dp;
      prevVoa = voa;
      prevUid = uid;
    }
  }
}

/** Reference-channel power reaching each ROADM ingress (GNPy set_roadm_input_powers). */
function setRoadmInputPowers(net: OpticalNetwork, roadm: Roadm, prefCh: number): void {
  roadm.refPchInDbm.clear();
  for (const first of net.predecessors(roadm.uid)) {
    let uid = first;
    let prevUid = roadm.uid;
    let loss = 0;
    let el = net.get(uid);
    while (el.kind === 'Fiber' || el.kind === 'Fused') {
      loss += el.lossDb;
      prevUid = uid;
      uid = net.predecessors(uid)[0];
      el = net.get(uid);
    }
    if (el.kind === 'Edfa') roadm.refPchInDbm.set(first, prefCh + (el.designDeltaPDb ?? 0) - (el.outVoaDb ?? 0) - loss);
    else if (el.kind === 'Roadm') roadm.refPchInDbm.set(first, el.refTargetDbm(prevUid) - loss);
    else if (el.kind === 'Transceiver') roadm.refPchInDbm.set(first, prefCh - loss);
  }
}

/** Express, add and drop internal paths of a ROADM with their impairment profiles (GNPy set_roadm_internal_paths). */
function setRoadmInternalPaths(net: OpticalNetwork, roadm: Roadm): void {
  roadm.paths.length = 0;
  const isTrx = (u: string) => net.get(u).kind === 'Transceiver';
  const nextOms = net.successors(roadm.uid).filter((u) => !isTrx(u));
  const prevOms = net.predecessors(roadm.uid).filter((u) => !isTrx(u));
  const drops = net.successors(roadm.uid).filter(isTrx);
  const adds = net.predecessors(roadm.uid).filter(isTrx);
  const set = (from: string, to: string, type: RoadmPathType) => {
    const id = roadm.perDegreeImpairmentIds.get(`${from}\u0000${to}`);
    let impairment = defaultPathImpairment(roadm.type, type);
    if (id !== undefined) {
      const chosen = roadm.type.pathImpairments.get(id);
      if (chosen === undefined) throw new DesignError(`ROADM ${roadm.uid}: impairment profile id ${id} is not defined in the library`);
      if (chosen.pathType !== type) throw new DesignError(`ROADM ${roadm.uid}: path ${from} → ${to} is ${type}, profile ${id} is ${chosen.pathType}`);
      impairment = chosen;
    } else {
      for (const p of roadm.type.pathImpairments.values()) {
        if (p.pathType === type) {
          impairment = p;
          break;
        }
      }
    }
    roadm.paths.push({ from, to, type, impairment });
  };
  for (const f of prevOms) {
    for (const t of nextOms) set(f, t, 'express');
    for (const d of drops) set(f, d, 'drop');
  }
  for (const t of nextOms) for (const a of adds) set(a, t, 'add');
}

/** Reference input power of each fiber, for reports (GNPy set_fiber_input_power). */
function setFiberInputPower(net: OpticalNetwork, fiber: Fiber, prefCh: number): number {
  if (fiber.refPchInDbm !== null) return fiber.refPchInDbm;
  let loss = 0;
  let prevUid = fiber.uid;
  let uid = net.predecessors(fiber.uid)[0];
  let el = net.get(uid);
  while (el.kind === 'Fused') {
    loss += el.lossDb;
    prevUid = uid;
    uid = net.predecessors(uid)[0];
    el = net.get(uid);
  }
  let p: number;
  if (el.kind === 'Fiber') p = setFiberInputPower(net, el, prefCh) - loss - el.lossDb;
  else if (el.kind === 'Roadm') p = el.refTargetDbm(prevUid) - loss;
  else if (el.kind === 'Edfa') p = prefCh + (el.designDeltaPDb ?? 0) - (el.outVoaDb ?? 0) - loss;
  else p = prefCh - loss;
  fiber.refPchInDbm = p;
  return p;
}

/**
 * Designs the network for a reference channel: connector defaults and padding (once), then ROADM
 * reference carriers, amplifier settings on every OMS, ROADM input powers and internal paths.
 */
export function buildNetwork(net: OpticalNetwork, eq: Equipment, ref: DesignReference, missingConnectors: Set<string> | null): void {
  if (missingConnectors !== null) addMissingFiberAttributes(net, eq, missingConnectors);
  const roadms = net.ofKind('Roadm');
  for (const r of roadms) r.refCarrier = { baudRateHz: ref.baudRateHz, slotWidthHz: ref.spacingHz };
  for (const el of [...roadms, ...net.ofKind('Transceiver')]) setEgressAmplifiers(net, el, eq, ref);
  for (const r of roadms) {
    setRoadmInputPowers(net, r, ref.powerDbm);
    setRoadmInternalPaths(net, r);
  }
  for (const f of net.ofKind('Fiber')) f.refPchInDbm = null;
  for (const f of net.ofKind('Fiber')) setFiberInputPower(net, f, ref.powerDbm);
}
