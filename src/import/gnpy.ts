/**
 * GNPy's input formats (Telecom Infra Project oopt-gnpy, legacy JSON): the equipment library
 * (eqpt_config.json) and the topology (elements + connections). Two uses:
 *  - parseGnpyEquipment / parseGnpyTopology: the QoT engine's equipment and element graph
 *    (src/engine/qot), for `lightpath qot`;
 *  - parseGnpyNetwork: a Lightpath Network (sites = ROADMs and standalone transceivers, spans = the
 *    fiber chains between them) with a report of every element folded or skipped.
 * Pure: text in; errors are `file:line: field: problem`.
 */
import type { Site, Span } from '../domain/network.js';
import { DEFAULT_EDFA_CONFIG } from '../engine/qot/default-edfa-config.js';
import { Edfa } from '../engine/qot/edfa.js';
import type { EdfaOperational } from '../engine/qot/edfa.js';
import {
  DEFAULT_SPAN_RULES,
  DEFAULT_SPECTRUM,
  EquipmentConfigError,
  estimateVariableGainNf,
} from '../engine/qot/equipment.js';
import type { AmplifierType, Equipment, FiberType, NfModel, RoadmPathImpairment, RoadmType, SpanRules, SpectrumDefault, TransceiverMode, TransceiverType } from '../engine/qot/equipment.js';
import { FIBER_N2_M2_PER_W, FIBER_REF_WAVELENGTH_M, Fiber } from '../engine/qot/fiber.js';
import type { FiberParams, FrequencyTable } from '../engine/qot/fiber.js';
import { OpticalNetwork } from '../engine/qot/network.js';
import { DEFAULT_FUSED_LOSS_DB, Fused, Transceiver } from '../engine/qot/passive.js';
import { Roadm } from '../engine/qot/roadm.js';
import { SPEED_OF_LIGHT_M_S } from '../engine/qot/units.js';
import { IdAllocator, ImportContext, defaultCables, importedSite, nameFromFile, slugify } from './build.js';
import { FieldReader, isObject, parseJsonDoc } from './json-doc.js';
import type { JsonDoc, JsonObject, Seg } from './json-doc.js';
import type { ImportResult } from './types.js';
import { DEFAULT_LINE_SYSTEM } from '../domain/network.js';

/** An extra amplifier configuration file an equipment entry names (advanced_config_from_json / default_config_from_json). */
export interface NamedText {
  file: string;
  text: string;
}

function reader(file: string, text: string): { ctx: ImportContext; doc: JsonDoc; r: FieldReader; root: JsonObject } {
  const ctx = new ImportContext(file, 'gnpy');
  const doc = parseJsonDoc(ctx, text);
  const r = new FieldReader(ctx, doc);
  const root = r.object(doc.value(), []);
  ctx.throwIfIssues();
  return { ctx, doc, r, root: root as JsonObject };
}

function numbers(r: FieldReader, v: unknown, at: readonly Seg[]): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
    r.fail(at, 'must be an array of numbers');
    return [];
  }
  return v as number[];
}

const triple = (r: FieldReader, o: JsonObject, key: string, at: readonly Seg[], def: [number, number, number]): [number, number, number] => {
  if (o[key] === undefined || o[key] === null) return def;
  const a = numbers(r, o[key], [...at, key]);
  if (a.length !== 3) {
    r.fail([...at, key], 'must be [lower, upper, step]');
    return def;
  }
  return [a[0], a[1], a[2]];
};

interface AmpConfig {
  fMinHz: number;
  fMaxHz: number;
  nfRippleDb: number[];
  gainRippleDb: number[];
  dgt: number[];
  nfFitCoeff: number[] | null;
}

function readAmpConfig(nt: NamedText): AmpConfig {
  const { ctx, r, root } = reader(nt.file, nt.text);
  const listOr0 = (k: string): number[] => (root[k] === undefined || root[k] === 0 ? [0] : numbers(r, root[k], [k]));
  const cfg: AmpConfig = {
    fMinHz: r.number(root, 'f_min', []),
    fMaxHz: r.number(root, 'f_max', []),
    nfRippleDb: listOr0('nf_ripple'),
    gainRippleDb: listOr0('gain_ripple'),
    dgt: numbers(r, root.dgt, ['dgt']),
    nfFitCoeff: root.nf_fit_coeff === undefined ? null : numbers(r, root.nf_fit_coeff, ['nf_fit_coeff']),
  };
  ctx.throwIfIssues();
  return cfg;
}

const DEFAULT_AMP_CONFIG: AmpConfig = {
  fMinHz: DEFAULT_EDFA_CONFIG.fMinHz,
  fMaxHz: DEFAULT_EDFA_CONFIG.fMaxHz,
  nfRippleDb: [...DEFAULT_EDFA_CONFIG.nfRippleDb],
  gainRippleDb: [...DEFAULT_EDFA_CONFIG.gainRippleDb],
  dgt: [...DEFAULT_EDFA_CONFIG.dgt],
  nfFitCoeff: null,
};

/**
 * Reads GNPy's equipment library. Amplifier configuration files named by entries are looked up in
 * `configs` by base name; GNPy's default configuration is built in. Sections: Edfa (variable_gain,
 * fixed_gain, openroadm, openroadm_preamp, openroadm_booster, advanced_model, dual_stage), Fiber,
 * Span, Roadm, SI, Transceiver; RamanFiber is read and ignored (Raman is not modelled); multi_band
 * amplifiers are refused.
 */
export function parseGnpyEquipment(text: string, file: string, configs: readonly NamedText[] = []): Equipment {
  const { ctx, r, root } = reader(file, text);
  const configByName = new Map(configs.map((c) => [c.file.split(/[\\/]/).pop() as string, c]));
  const section = (key: string): { o: JsonObject; at: Seg[] }[] => {
    const v = root[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      r.fail([key], 'must be an array');
      return [];
    }
    return v.flatMap((e, i) => {
      const o = r.object(e, [key, i]);
      return o === null ? [] : [{ o, at: [key, i] }];
    });
  };
  for (const k of Object.keys(root)) {
    if (!['Edfa', 'Fiber', 'RamanFiber', 'Span', 'Roadm', 'SI', 'Transceiver', 'library-information'].includes(k)) r.fail([k], 'unknown equipment section');
  }

  const edfa = new Map<string, AmplifierType>();
  const dual: { amp: AmplifierType; pre: string; boost: string; at: Seg[] }[] = [];
  for (const { o, at } of section('Edfa')) {
    const typeVariety = r.string(o, 'type_variety', at);
    const typeDef = r.string(o, 'type_def', at, 'variable_gain');
    let cfg = DEFAULT_AMP_CONFIG;
    const cfgName = typeof o.advanced_config_from_json === 'string' ? o.advanced_config_from_json : typeof o.default_config_from_json === 'string' ? o.default_config_from_json : null;
    if (cfgName !== null && (typeDef === 'advanced_model' || typeDef === 'variable_gain' || typeDef === 'fixed_gain')) {
      const nt = configByName.get(cfgName.split(/[\\/]/).pop() as string);
      if (nt === undefined) {
        r.fail([...at, typeDef === 'advanced_model' ? 'advanced_config_from_json' : 'default_config_from_json'], `configuration file ${JSON.stringify(cfgName)} not given (pass it next to the equipment file)`);
        continue;
      }
      cfg = readAmpConfig(nt);
    } else if (typeDef === 'advanced_model') {
      r.fail([...at, 'advanced_config_from_json'], 'missing (advanced_model needs its configuration file)');
      continue;
    }
    const gainFlatmax = r.nullableNumber(o, 'gain_flatmax', at);
    const gainMin = r.number(o, 'gain_min', at);
    const pMax = r.nullableNumber(o, 'p_max', at);
    let nf: NfModel;
    try {
      switch (typeDef) {
        case 'variable_gain': {
          const m = estimateVariableGainNf(typeVariety, gainMin, gainFlatmax ?? NaN, r.number(o, 'nf_min', at), r.number(o, 'nf_max', at));
          nf = { kind: 'variable_gain', ...m, nfMinDb: o.nf_min as number, nfMaxDb: o.nf_max as number };
          break;
        }
        case 'fixed_gain':
          nf = { kind: 'fixed_gain', nf0Db: r.number(o, 'nf0', at) };
          break;
        case 'openroadm':
          nf = { kind: 'openroadm', nfCoef: numbers(r, o.nf_coef, [...at, 'nf_coef']) };
          break;
        case 'openroadm_preamp':
          nf = { kind: 'openroadm_preamp' };
          break;
        case 'openroadm_booster':
          nf = { kind: 'openroadm_booster' };
          break;
        case 'advanced_model':
          if (cfg.nfFitCoeff === null) {
            r.fail([...at, 'advanced_config_from_json'], 'configuration has no nf_fit_coeff');
            continue;
          }
          nf = { kind: 'advanced_model', nfFitCoeff: cfg.nfFitCoeff };
          break;
        case 'dual_stage':
          nf = { kind: 'openroadm_booster' }; // replaced once both stages are known
          break;
        case 'multi_band':
          r.fail([...at, 'type_def'], 'multi_band amplifiers are not supported');
          continue;
        default:
          r.fail([...at, 'type_def'], `unknown amplifier type_def ${JSON.stringify(typeDef)}`);
          continue;
      }
    } catch (e) {
      if (e instanceof EquipmentConfigError) {
        r.fail([...at, 'nf_min'], e.message);
        continue;
      }
      throw e;
    }
    const fMin = typeof o.f_min === 'number' ? o.f_min : cfg.fMinHz;
    const fMax = typeof o.f_max === 'number' ? o.f_max : cfg.fMaxHz;
    const amp: AmplifierType = {
      typeVariety,
      nf,
      fMinHz: fMin,
      fMaxHz: fMax,
      gainFlatmaxDb: gainFlatmax ?? NaN,
      gainMinDb: gainMin,
      pMaxDbm: pMax ?? NaN,
      nfRippleDb: cfg.nfRippleDb,
      gainRippleDb: cfg.gainRippleDb,
      dgt: cfg.dgt,
      outVoaAuto: o.out_voa_auto === true,
      allowedForDesign: o.allowed_for_design === true,
      raman: o.raman === true,
      pmdS: r.number(o, 'pmd', at, 0),
      pdlDb: r.number(o, 'pdl', at, 0),
    };
    const names = [typeVariety, ...(Array.isArray(o.other_name) ? (o.other_name as unknown[]).map(String) : [])];
    for (const name of names) {
      const copy = { ...amp, typeVariety: name };
      edfa.set(name, copy);
      if (typeDef === 'dual_stage') dual.push({ amp: copy, pre: r.string(o, 'preamp_variety', at), boost: r.string(o, 'booster_variety', at), at });
    }
  }
  for (const d of dual) {
    const pre = edfa.get(d.pre);
    const boost = edfa.get(d.boost);
    if (pre === undefined || boost === undefined) {
      r.fail([...d.at, pre === undefined ? 'preamp_variety' : 'booster_variety'], 'names no amplifier of the library');
      continue;
    }
    d.amp.nf = { kind: 'dual_stage', preamp: pre, booster: boost };
    d.amp.pMaxDbm = boost.pMaxDbm;
    d.amp.gainFlatmaxDb = boost.gainFlatmaxDb + pre.gainFlatmaxDb;
    if (d.amp.gainMinDb < pre.gainMinDb) r.fail([...d.at, 'gain_min'], 'dual stage minimal gain is lower than its preamp minimal gain');
  }

  const fiber = new Map<string, FiberType>();
  for (const { o, at } of section('Fiber')) {
    const t: FiberType = {
      typeVariety: r.string(o, 'type_variety', at, ''),
      dispersion: r.nullableNumber(o, 'dispersion', at),
      dispersionSlope: null,
      effectiveAreaM2: r.nullableNumber(o, 'effective_area', at),
      gamma: r.nullableNumber(o, 'gamma', at),
      pmdCoefSPerSqrtM: r.number(o, 'pmd_coef', at, 0),
    };
    fiber.set(t.typeVariety, t);
  }
  if (section('RamanFiber').length > 0) ctx.warnings.push('RamanFiber equipment ignored: Raman amplification is not modelled');

  let span: SpanRules = { ...DEFAULT_SPAN_RULES };
  for (const { o, at } of section('Span').slice(0, 1)) {
    const d = DEFAULT_SPAN_RULES;
    const units = r.string(o, 'length_units', at, 'km');
    const maxLength = r.number(o, 'max_length', at, d.maxLengthKm);
    span = {
      powerMode: o.power_mode === undefined ? d.powerMode : o.power_mode === true,
      deltaPowerRangeDb: triple(r, o, 'delta_power_range_db', at, d.deltaPowerRangeDb),
      maxFiberLineicLossForRamanDbPerKm: r.number(o, 'max_fiber_lineic_loss_for_raman', at, d.maxFiberLineicLossForRamanDbPerKm),
      targetExtendedGainDb: r.number(o, 'target_extended_gain', at, d.targetExtendedGainDb),
      maxLengthKm: units === 'm' ? maxLength / 1e3 : maxLength,
      maxLossDb: r.nullableNumber(o, 'max_loss', at),
      paddingDb: r.number(o, 'padding', at, d.paddingDb),
      eolDb: r.number(o, 'EOL', at, d.eolDb),
      conInDb: r.number(o, 'con_in', at, d.conInDb),
      conOutDb: r.number(o, 'con_out', at, d.conOutDb),
      spanLossRefDb: r.number(o, 'span_loss_ref', at, d.spanLossRefDb),
      powerSlope: r.number(o, 'power_slope', at, d.powerSlope),
      voaMarginDb: r.number(o, 'voa_margin', at, d.voaMarginDb),
      voaStepDb: r.number(o, 'voa_step', at, d.voaStepDb),
    };
  }

  const roadm = new Map<string, RoadmType>();
  for (const { o, at } of section('Roadm')) {
    const t = readRoadmType(r, o, at, null);
    if (t !== null) roadm.set(t.typeVariety, t);
  }
  for (const t of roadm.values()) {
    for (const a of [...t.preampVarietyList, ...t.boosterVarietyList]) {
      if (!edfa.has(a)) ctx.error(1, 'Roadm.restrictions', `ROADM ${t.typeVariety} restriction ${a} names no amplifier of the library`);
    }
  }

  let si: SpectrumDefault = { ...DEFAULT_SPECTRUM };
  const sis = section('SI');
  if (sis.length > 0) {
    const { o, at } = sis.find((s) => s.o.type_variety === 'default') ?? sis[0];
    const d = DEFAULT_SPECTRUM;
    si = {
      fMinHz: r.number(o, 'f_min', at, d.fMinHz),
      fMaxHz: r.number(o, 'f_max', at, d.fMaxHz),
      baudRateHz: r.number(o, 'baud_rate', at, d.baudRateHz),
      spacingHz: r.number(o, 'spacing', at, d.spacingHz),
      powerDbm: r.number(o, 'power_dbm', at, d.powerDbm),
      powerRangeDb: triple(r, o, 'power_range_db', at, d.powerRangeDb),
      rollOff: r.number(o, 'roll_off', at, d.rollOff),
      txOsnrDb: r.number(o, 'tx_osnr', at, d.txOsnrDb),
      sysMarginsDb: r.number(o, 'sys_margins', at, d.sysMarginsDb),
      txPowerDbm: r.nullableNumber(o, 'tx_power_dbm', at),
      useSiChannelCountForDesign: o.use_si_channel_count_for_design === true,
    };
  }

  const transceiver = new Map<string, TransceiverType>();
  for (const { o, at } of section('Transceiver')) {
    const freq = isObject(o.frequency) ? o.frequency : {};
    const modes: TransceiverMode[] = [];
    r.array(o, 'mode', at, []).forEach((mv, i) => {
      const m = r.object(mv, [...at, 'mode', i]);
      if (m === null) return;
      const mat = [...at, 'mode', i];
      const penalties: TransceiverMode['penalties'] = {};
      const list = Array.isArray(m.penalties) ? (m.penalties as JsonObject[]) : [];
      for (const imp of ['chromatic_dispersion', 'pmd', 'pdl']) {
        const rows = list.filter((p) => isObject(p) && typeof p[imp] === 'number').map((p) => ({ x: p[imp] as number, y: Number(p.penalty_value) }));
        if (rows.length === 0) continue;
        if (rows.every((p) => p.x > 0)) rows.unshift({ x: 0, y: 0 });
        rows.sort((a, b) => a.x - b.x);
        penalties[imp] = { upTo: rows.map((p) => p.x), penaltyDb: rows.map((p) => p.y) };
      }
      const mode: TransceiverMode = {
        format: r.string(m, 'format', mat),
        baudRateHz: r.number(m, 'baud_rate', mat),
        osnrDb: r.nullableNumber(m, 'OSNR', mat),
        bitRateBps: r.nullableNumber(m, 'bit_rate', mat),
        rollOff: r.nullableNumber(m, 'roll_off', mat),
        txOsnrDb: r.nullableNumber(m, 'tx_osnr', mat),
        minSpacingHz: r.nullableNumber(m, 'min_spacing', mat),
        penalties,
        equalizationOffsetDb: r.number(m, 'equalization_offset_db', mat, 0),
      };
      modes.push(mode);
      if (Array.isArray(m.other_name)) for (const n of m.other_name) modes.push({ ...mode, format: String(n) });
    });
    const t: TransceiverType = {
      typeVariety: r.string(o, 'type_variety', at),
      fMinHz: typeof freq.min === 'number' ? freq.min : si.fMinHz,
      fMaxHz: typeof freq.max === 'number' ? freq.max : si.fMaxHz,
      modes,
    };
    for (const name of [t.typeVariety, ...(Array.isArray(o.other_name) ? (o.other_name as unknown[]).map(String) : [])]) transceiver.set(name, { ...t, typeVariety: name });
  }
  ctx.throwIfIssues();
  return { edfa, fiber, span, roadm, si, transceiver };
}

const EQUALIZATIONS = ['target_pch_out_db', 'target_psd_out_mWperGHz', 'target_out_mWperSlotWidth'] as const;

/** A ROADM type from an equipment entry, optionally overridden by an element's params. */
function readRoadmType(r: FieldReader, o: JsonObject, at: readonly Seg[], base: RoadmType | null): RoadmType | null {
  const eqs = EQUALIZATIONS.filter((k) => typeof o[k] === 'number');
  if (eqs.length > 1) {
    r.fail([...at, eqs[1]], `only one equalization may be set, found ${eqs.join(', ')}`);
    return null;
  }
  let equalization: RoadmType['equalization'];
  if (eqs.length === 1) {
    const v = o[eqs[0]] as number;
    equalization = eqs[0] === 'target_pch_out_db' ? { kind: 'power', targetPchOutDbm: v } : eqs[0] === 'target_psd_out_mWperGHz' ? { kind: 'psd', mwPerGhz: v } : { kind: 'psw', mwPerGhz: v };
  } else if (base !== null) equalization = base.equalization;
  else {
    r.fail([...at, 'target_pch_out_db'], 'no equalization set (target_pch_out_db, target_psd_out_mWperGHz or target_out_mWperSlotWidth)');
    return null;
  }
  const restr = isObject(o.restrictions) ? o.restrictions : {};
  const list = (k: string, def: string[]): string[] => (Array.isArray(restr[k]) ? (restr[k] as unknown[]).map(String) : def);
  const pathImpairments = new Map<number, RoadmPathImpairment>(base?.pathImpairments ?? []);
  if (Array.isArray(o['roadm-path-impairments'])) {
    pathImpairments.clear();
    (o['roadm-path-impairments'] as unknown[]).forEach((pv, i) => {
      const p = r.object(pv, [...at, 'roadm-path-impairments', i]);
      if (p === null) return;
      const id = Number(p['roadm-path-impairments-id']);
      const kinds: [string, RoadmPathImpairment['pathType']][] = [
        ['roadm-express-path', 'express'],
        ['roadm-add-path', 'add'],
        ['roadm-drop-path', 'drop'],
      ];
      const found = kinds.find(([k]) => Array.isArray(p[k]));
      if (found === undefined) {
        r.fail([...at, 'roadm-path-impairments', i], 'needs roadm-express-path, roadm-add-path or roadm-drop-path');
        return;
      }
      const bands = (p[found[0]] as JsonObject[]).map((b) => {
        const fr = isObject(b['frequency-range']) ? b['frequency-range'] : {};
        const num = (k: string): number | null => (typeof b[k] === 'number' ? (b[k] as number) : null);
        return {
          fMinHz: typeof fr['lower-frequency'] === 'number' ? (fr['lower-frequency'] as number) : null,
          fMaxHz: typeof fr['upper-frequency'] === 'number' ? (fr['upper-frequency'] as number) : null,
          maxLossDb: num('roadm-maxloss') ?? 0,
          pmdS: num('roadm-pmd'),
          pdlDb: num('roadm-pdl'),
          osnrDb: num('roadm-osnr'),
        };
      });
      pathImpairments.set(id, { pathType: found[1], bands });
    });
  }
  return {
    typeVariety: typeof o.type_variety === 'string' ? o.type_variety : (base?.typeVariety ?? 'default'),
    equalization,
    addDropOsnrDb: r.number(o, 'add_drop_osnr', at, base?.addDropOsnrDb ?? 100),
    pmdS: r.number(o, 'pmd', at, base?.pmdS ?? 0),
    pdlDb: r.number(o, 'pdl', at, base?.pdlDb ?? 0),
    preampVarietyList: list('preamp_variety_list', base?.preampVarietyList ?? []),
    boosterVarietyList: list('booster_variety_list', base?.boosterVarietyList ?? []),
    pathImpairments,
  };
}

function table(r: FieldReader, v: unknown, at: readonly Seg[], scale: number): FrequencyTable | null {
  if (!isObject(v)) return null;
  const value = numbers(r, v.value, [...at, 'value']).map((x) => x * scale);
  const frequencyHz = numbers(r, v.frequency, [...at, 'frequency']);
  if (value.length !== frequencyHz.length || value.length < 2) r.fail(at, 'value and frequency must be arrays of the same length (≥ 2)');
  return { frequencyHz, value };
}

/** Fiber params from an element's params merged over its type (element values first, as GNPy). */
function readFiberParams(r: FieldReader, p: JsonObject, at: readonly Seg[], type: FiberType | null, missing: (end: 'in' | 'out') => void): FiberParams {
  const units = r.string(p, 'length_units', at, 'km');
  if (units !== 'km' && units !== 'm') r.fail([...at, 'length_units'], 'must be "km" or "m"');
  const length = r.number(p, 'length', at);
  const lengthM = units === 'km' ? length * 1e3 : length;
  if (!(lengthM > 0)) r.fail([...at, 'length'], 'must be > 0');
  const lossCoef = isObject(p.loss_coef) ? table(r, p.loss_coef, [...at, 'loss_coef'], 1e-3) : r.number(p, 'loss_coef', at) * 1e-3;
  let refFrequencyHz = SPEED_OF_LIGHT_M_S / FIBER_REF_WAVELENGTH_M;
  if (typeof p.ref_wavelength === 'number') refFrequencyHz = SPEED_OF_LIGHT_M_S / p.ref_wavelength;
  else if (typeof p.ref_frequency === 'number') refFrequencyHz = p.ref_frequency;
  const refWavelength = SPEED_OF_LIGHT_M_S / refFrequencyHz;
  const dispersionTable = table(r, p.dispersion_per_frequency, [...at, 'dispersion_per_frequency'], 1);
  const disp = typeof p.dispersion === 'number' ? p.dispersion : (type?.dispersion ?? 1.67e-5);
  const aeffGiven = typeof p.effective_area === 'number' ? p.effective_area : type?.effectiveAreaM2 ?? null;
  const gammaGiven = typeof p.gamma === 'number' ? p.gamma : type?.gamma ?? null;
  // Aeff from γ when only γ is given: γ = 2π n₂ / (λ Aeff) (GNPy FiberParams); 83 µm² otherwise (SSMF, ITU-T G.652).
  const aeff = aeffGiven ?? (gammaGiven !== null ? (2 * Math.PI * FIBER_N2_M2_PER_W) / (refWavelength * gammaGiven) : 83e-12);
  const conIn = r.nullableNumber(p, 'con_in', at);
  const conOut = r.nullableNumber(p, 'con_out', at);
  if (conIn === null) missing('in');
  if (conOut === null) missing('out');
  const lumped = Array.isArray(p.lumped_losses)
    ? (p.lumped_losses as JsonObject[]).map((l, i) => {
        const pos = r.number(l, 'position', [...at, 'lumped_losses', i]) * 1e3;
        if (!(pos > 0 && pos < lengthM)) r.fail([...at, 'lumped_losses', i, 'position'], `must be between 0 and the fiber length (${lengthM / 1e3} km), boundaries excluded`);
        return { positionM: pos, lossDb: r.number(l, 'loss', [...at, 'lumped_losses', i]) };
      })
    : [];
  return {
    lengthM,
    lossCoefDbPerM: lossCoef ?? NaN,
    conInDb: conIn ?? 0,
    conOutDb: conOut ?? 0,
    attInDb: r.number(p, 'att_in', at, 0),
    refFrequencyHz,
    dispersion: dispersionTable ?? disp,
    dispersionSlope: typeof p.dispersion_slope === 'number' ? p.dispersion_slope : null,
    effectiveAreaM2: aeff,
    pmdCoefSPerSqrtM: typeof p.pmd_coef === 'number' && p.pmd_coef !== 0 ? p.pmd_coef : (type?.pmdCoefSPerSqrtM ?? 0),
    lumpedLosses: lumped,
  };
}

/** One Fiber element given alone (GNPy's test fiber configurations): its params are complete. */
export function parseGnpyFiberElement(text: string, file: string): Fiber {
  const { ctx, r, root } = reader(file, text);
  const p = r.object(root.params, ['params']) ?? {};
  const params = readFiberParams(r, p, ['params'], null, () => undefined);
  ctx.throwIfIssues();
  return new Fiber(r.string(root, 'uid', [], 'fiber'), r.string(p, 'type_variety', ['params'], ''), params);
}

export interface GnpyTopology {
  network: OpticalNetwork;
  /** `${fiberUid}\0in|out` for fiber connectors the file leaves to the Span defaults. */
  missingConnectors: Set<string>;
  warnings: string[];
}

const SUPPORTED = ['Transceiver', 'Roadm', 'Fiber', 'Edfa', 'Fused'];

/** Reads a GNPy topology into the QoT engine's element graph, resolving types from the equipment. */
export function parseGnpyTopology(text: string, file: string, eq: Equipment): GnpyTopology {
  const { ctx, r, root } = reader(file, text);
  const net = new OpticalNetwork(typeof root.network_name === 'string' ? root.network_name : null);
  const missingConnectors = new Set<string>();
  const elements = r.array(root, 'elements', []);
  elements.forEach((ev, i) => {
    const at: Seg[] = ['elements', i];
    const e = r.object(ev, at);
    if (e === null) return;
    const uid = r.string(e, 'uid', at);
    const type = r.string(e, 'type', at);
    if (!SUPPORTED.includes(type)) {
      r.fail([...at, 'type'], type === 'RamanFiber' || type === 'Multiband_amplifier' ? `${type} is not supported (Raman and multi-band are not modelled)` : `unknown element type ${JSON.stringify(type)}`);
      return;
    }
    if (net.elements.has(uid)) {
      r.fail([...at, 'uid'], `duplicate uid ${JSON.stringify(uid)}`);
      return;
    }
    const meta = isObject(e.metadata) ? e.metadata : {};
    const loc = isObject(meta.location) ? meta.location : {};
    const location = {
      latitude: typeof loc.latitude === 'number' ? loc.latitude : 0,
      longitude: typeof loc.longitude === 'number' ? loc.longitude : 0,
      city: typeof loc.city === 'string' ? loc.city : null,
      region: typeof loc.region === 'string' ? loc.region : null,
    };
    const variety = typeof e.type_variety === 'string' ? e.type_variety : 'default';
    const params = isObject(e.params) ? e.params : {};
    const pat: Seg[] = [...at, 'params'];
    switch (type) {
      case 'Transceiver':
        net.add(new Transceiver(uid), location);
        break;
      case 'Fused':
        net.add(new Fused(uid, r.number(params, 'loss', pat, DEFAULT_FUSED_LOSS_DB)), location);
        break;
      case 'Fiber': {
        const ft = eq.fiber.get(variety);
        if (ft === undefined) {
          r.fail([...at, 'type_variety'], `fiber type ${JSON.stringify(variety)} is not in the equipment library`);
          return;
        }
        const fp = readFiberParams(r, params, pat, ft, (end) => missingConnectors.add(`${uid}\u0000${end}`));
        net.add(new Fiber(uid, variety, fp), location);
        break;
      }
      case 'Roadm': {
        const base = eq.roadm.get(variety);
        if (base === undefined) {
          r.fail([...at, 'type_variety'], `ROADM type ${JSON.stringify(variety)} is not in the equipment library`);
          return;
        }
        const t = readRoadmType(r, { ...params, type_variety: variety }, pat, base);
        if (t === null) return;
        const perDegree = (k: string) => new Map(Object.entries(isObject(params[k]) ? (params[k] as Record<string, number>) : {}));
        const impIds = new Map<string, number>();
        if (Array.isArray(params.per_degree_impairments)) {
          for (const d of params.per_degree_impairments as JsonObject[]) impIds.set(`${String(d.from_degree)}\u0000${String(d.to_degree)}`, Number(d.impairment_id));
        }
        const roadm = new Roadm(uid, t, { equalization: t.equalization, perDegreePchOutDbm: perDegree('per_degree_pch_out_db'), perDegreePsd: perDegree('per_degree_psd_out_mWperGHz'), perDegreePsw: perDegree('per_degree_psd_out_mWperSlotWidth') }, impIds);
        net.add(roadm, location);
        break;
      }
      case 'Edfa': {
        const v = typeof e.type_variety === 'string' ? e.type_variety : '';
        const at2 = v === '' || v === 'default' ? null : eq.edfa.get(v);
        if (at2 === undefined) {
          r.fail([...at, 'type_variety'], `amplifier type ${JSON.stringify(v)} is not in the equipment library`);
          return;
        }
        const op = isObject(e.operational) ? e.operational : {};
        const num = (k: string, def: number | null): number | null => (typeof op[k] === 'number' ? (op[k] as number) : def);
        const operational: EdfaOperational = { gainTargetDb: num('gain_target', null), deltaPDb: num('delta_p', null), tiltTargetDb: num('tilt_target', null), outVoaDb: num('out_voa', null), inVoaDb: num('in_voa', 0) };
        const amp = new Edfa(uid, at2, operational);
        if (Array.isArray(e.variety_list)) amp.varietyList = (e.variety_list as unknown[]).map(String);
        net.add(amp, location);
        break;
      }
    }
  });
  r.array(root, 'connections', []).forEach((cv, i) => {
    const at: Seg[] = ['connections', i];
    const c = r.object(cv, at);
    if (c === null) return;
    const from = r.string(c, 'from_node', at);
    const to = r.string(c, 'to_node', at);
    if (!net.elements.has(from)) r.fail([...at, 'from_node'], `unknown element ${JSON.stringify(from)}`);
    else if (!net.elements.has(to)) r.fail([...at, 'to_node'], `unknown element ${JSON.stringify(to)}`);
    else net.addEdge(from, to);
  });
  ctx.throwIfIssues();
  return { network: net, missingConnectors, warnings: ctx.warnings };
}

/** GNPy equipment-library fiber varieties and the fiber type of optical.ts each one is (see FIBER_TYPES). */
const GNPY_FIBER_TYPES: Record<string, string> = { SSMF: 'G.652.D', LOF: 'G.654.E', NZDF: 'G.655' };

/**
 * A GNPy topology as a Lightpath Network: ROADMs become PoP sites, and so do transceivers not
 * attached to a ROADM (a transceiver beside its ROADM is folded into that site); each directed chain
 * of line elements (fibers, amplifiers, fused) from one site to another becomes a span whose length
 * is the sum of its fibers, whose geometry passes through the elements' locations, whose in-line
 * amplifier sites are its EDFAs (km along the chain) and whose fiber type is its fibers' variety. The reverse
 * direction of a pair is merged into the first one; every folded element is listed in the report.
 */
export function parseGnpyNetwork(fileName: string, text: string): ImportResult {
  const ctx = new ImportContext(fileName, 'gnpy');
  const doc = parseJsonDoc(ctx, text);
  const r = new FieldReader(ctx, doc);
  const root = r.object(doc.value(), []) ?? {};
  ctx.throwIfIssues();
  interface El {
    uid: string;
    type: string;
    line: number;
    lat: number;
    lon: number;
    city: string | null;
    lengthKm: number;
    variety: string | null;
  }
  const els = new Map<string, El>();
  const elements = r.array(root, 'elements', []);
  elements.forEach((ev, i) => {
    const e = r.object(ev, ['elements', i]);
    if (e === null) return;
    const uid = r.string(e, 'uid', ['elements', i]);
    const type = r.string(e, 'type', ['elements', i]);
    const loc = isObject(e.metadata) && isObject(e.metadata.location) ? e.metadata.location : {};
    let lengthKm = 0;
    if (type === 'Fiber' || type === 'RamanFiber') {
      const p = isObject(e.params) ? e.params : {};
      const len = r.number(p, 'length', ['elements', i, 'params']);
      lengthKm = p.length_units === 'm' ? len / 1e3 : len;
    }
    if (els.has(uid)) r.fail(['elements', i, 'uid'], `duplicate uid ${JSON.stringify(uid)}`);
    const variety = typeof e.type_variety === 'string' ? e.type_variety : null;
    els.set(uid, { uid, type, line: doc.lineOf(['elements', i]), lat: typeof loc.latitude === 'number' ? loc.latitude : NaN, lon: typeof loc.longitude === 'number' ? loc.longitude : NaN, city: typeof loc.city === 'string' ? loc.city : null, lengthKm, variety });
  });
  const succ = new Map<string, string[]>();
  const pred = new Map<string, string[]>();
  const connections = r.array(root, 'connections', []);
  connections.forEach((cv, i) => {
    const c = r.object(cv, ['connections', i]);
    if (c === null) return;
    const from = r.string(c, 'from_node', ['connections', i]);
    const to = r.string(c, 'to_node', ['connections', i]);
    if (!els.has(from)) r.fail(['connections', i, 'from_node'], `unknown element ${JSON.stringify(from)}`);
    else if (!els.has(to)) r.fail(['connections', i, 'to_node'], `unknown element ${JSON.stringify(to)}`);
    else {
      succ.set(from, [...(succ.get(from) ?? []), to]);
      pred.set(to, [...(pred.get(to) ?? []), from]);
    }
  });
  ctx.throwIfIssues();

  // Sites: ROADMs, and transceivers not attached to a ROADM.
  const ids = new IdAllocator();
  const siteOf = new Map<string, Site>();
  const sites: Site[] = [];
  const siteLines: number[] = [];
  const attachedRoadm = (uid: string): string | undefined => [...(succ.get(uid) ?? []), ...(pred.get(uid) ?? [])].find((n) => els.get(n)?.type === 'Roadm');
  for (const el of els.values()) {
    if (el.type !== 'Roadm' && el.type !== 'Transceiver') continue;
    if (el.type === 'Transceiver' && attachedRoadm(el.uid) !== undefined) continue;
    if (!Number.isFinite(el.lat) || !Number.isFinite(el.lon)) {
      ctx.error(el.line, 'metadata.location', `${el.type} ${el.uid} has no latitude/longitude`);
      continue;
    }
    const id = ids.take(slugify(el.uid), 'site');
    const s = importedSite(id, el.city ?? el.uid, el.lat, el.lon);
    siteOf.set(el.uid, s);
    sites.push(s);
    siteLines.push(el.line);
  }
  for (const el of els.values()) {
    if (el.type === 'Transceiver' && !siteOf.has(el.uid)) {
      const roadmUid = attachedRoadm(el.uid) as string;
      ctx.merged.push({ line: el.line, kind: 'node', id: el.uid, reason: `transceiver of ROADM ${roadmUid}: folded into site ${siteOf.get(roadmUid)?.id ?? roadmUid}` });
    }
  }

  // Spans: follow each line chain leaving a site.
  const spans: Span[] = [];
  const spanLines: number[] = [];
  const byPair = new Map<string, Span>();
  const folded = new Set<string>();
  const lineTypes = new Set(['Fiber', 'RamanFiber', 'Edfa', 'Fused', 'Multiband_amplifier']);
  for (const [startUid, a] of siteOf) {
    const starts = (succ.get(startUid) ?? []).filter((u) => lineTypes.has(els.get(u)!.type));
    for (const first of starts) {
      const chain: El[] = [];
      let cur = first;
      const seen = new Set<string>();
      while (lineTypes.has(els.get(cur)!.type) && !seen.has(cur)) {
        seen.add(cur);
        chain.push(els.get(cur)!);
        const next = succ.get(cur)?.[0];
        if (next === undefined) break;
        cur = next;
      }
      const endEl = els.get(cur)!;
      const endUid = endEl.type === 'Transceiver' && !siteOf.has(cur) ? (attachedRoadm(cur) as string) : cur;
      const z = siteOf.get(endUid);
      if (z === undefined || z === a) {
        for (const c of chain) {
          if (!folded.has(c.uid)) ctx.skipped.push({ line: c.line, kind: 'link', id: c.uid, reason: z === a ? 'line chain loops back to its own site' : 'line chain does not reach a ROADM or transceiver' });
          folded.add(c.uid);
        }
        continue;
      }
      const lengthKm = chain.reduce((s, c) => s + c.lengthKm, 0);
      const key = a.id < z.id ? `${a.id}\u0000${z.id}` : `${z.id}\u0000${a.id}`;
      const existing = byPair.get(key);
      const id = existing?.id ?? ids.take(slugify(`${a.id}--${z.id}`), 'span');
      for (const c of chain) {
        if (folded.has(c.uid)) continue;
        folded.add(c.uid);
        ctx.merged.push({ line: c.line, kind: c.type === 'Fiber' || c.type === 'RamanFiber' ? 'link' : 'other', id: c.uid, reason: `${c.type} folded into span ${id}${existing ? ' (reverse direction)' : ''}` });
      }
      if (existing !== undefined) continue;
      const coords: [number, number][] = [[a.lon, a.lat]];
      for (const c of chain) if (Number.isFinite(c.lat) && Number.isFinite(c.lon)) coords.push([c.lon, c.lat]);
      coords.push([z.lon, z.lat]);
      // In-line amplifiers: the chain's EDFAs strictly between its first and last fiber, at the
      // fiber length before them; the fiber type when every fiber of the chain has the same known one.
      const amplifierSitesKm: number[] = [];
      let km = 0;
      for (const c of chain) {
        km += c.lengthKm;
        if (c.type === 'Edfa' && km > 0 && km < lengthKm && !amplifierSitesKm.some((x) => Math.abs(x - km) < 1e-9)) amplifierSitesKm.push(km);
      }
      const fiberTypes = new Set(chain.filter((c) => c.type === 'Fiber').map((c) => GNPY_FIBER_TYPES[c.variety ?? ''] ?? null));
      const fiberType = fiberTypes.size === 1 ? [...fiberTypes][0] : null;
      const span: Span = {
        id,
        aSiteId: a.id,
        zSiteId: z.id,
        lengthKm: lengthKm > 0 ? lengthKm : 1,
        measuredLatencyUs: null,
        geometry: { type: 'LineString', coordinates: coords },
        srlgIds: [],
        cables: defaultCables(id),
        lineSystem: { ...DEFAULT_LINE_SYSTEM, ...(amplifierSitesKm.length > 0 ? { amplifierSitesKm } : {}) },
        ...(fiberType !== null ? { fiberType } : {}),
      };
      byPair.set(key, span);
      spans.push(span);
      spanLines.push(chain[0]?.line ?? 1);
    }
  }
  for (const el of els.values()) {
    if (lineTypes.has(el.type) && !folded.has(el.uid)) ctx.skipped.push({ line: el.line, kind: 'link', id: el.uid, reason: 'not on a chain leaving a ROADM or transceiver' });
  }
  const network = { name: typeof root.network_name === 'string' ? root.network_name : nameFromFile(fileName), sites, spans, srlgs: [] };
  return ctx.finish(network, { sites: siteLines, spans: spanLines, srlgs: [] }, { nodesInFile: elements.length, edgesInFile: connections.length });
}
