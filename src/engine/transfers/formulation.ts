/**
 * The time-expanded LP. One column per (transfer, candidate path, slot): the rate in Gbps. Rows:
 *
 * - capacity, per (link, slot) touched:  sum coef * x  -  sum capacityGbps * carrying(wave, slot)  <=  free
 * - volume, per transfer:                sum x over its paths and slots  >=  remaining volume  (Gbps-slots)
 *   (elastic: between 0 and the volume; optional: = volume * admit, admit in {0, 1})
 * - rate, per (transfer, slot) with a maxRate and several paths:  sum over paths x  <=  maxRate
 *   (a single path's cap is a column bound)
 * - price, per transfer with a budget:   sum x * slotSeconds * pricePerGbit  <=  budget
 * - waves (when optimised): held y[w,t] (integer), carrying z[w,t] <= y[w,t-k] for k = 0..setup,
 *   lightings s[w,t] >= y[w,t] - y[w,t-1], spectrum per (span, slot): sum slots * y <= free slots.
 *
 * Columns exist only inside each transfer's window [max(now, earliest), end), which is how earliest start
 * and deadline are enforced. Objectives: 'cost' (minimise path cost, a little more for later slots: prefer
 * cheap paths and early completion), 'max-volume' (maximise what the elastic transfers deliver) and
 * 'max-admitted' (maximise the admitted volume, admit binary: a MILP). The last two carry no cost term so
 * their optimum is exact; a cost pass can follow with the volume fixed.
 */
import { CscBuilder, type LpProblem } from './lp.js';
import type { Calendar, NormRequest } from './state.js';

export type ItemMode = 'required' | 'elastic' | 'optional';

/** One transfer in the LP: the columns it gets and what it must deliver in them. */
export interface LpItem {
  /** Stable id for warm-start keys (the plan's serial). */
  key: number;
  req: NormRequest;
  /** First slot with columns (>= now, >= earliest). */
  from: number;
  /** Exclusive end of its columns. */
  to: number;
  /** Quantum-slots to deliver in [from, to). */
  needQ: number;
  /** Money it may still cost in [from, to) (Infinity: no price row). */
  budget: number;
  mode: ItemMode;
  /** Multiplies the scope's earliness for this item (large = as early as possible, for late transfers). */
  urgency?: number;
}

/**
 * How lit waves enter: 'fixed' = today's lit waves as constant capacity; 'optimize' = the lit counts from
 * `now` on are variables (the past is history); 'additional' = today's lit waves stay, more may be lit.
 */
export type WaveMode = 'fixed' | 'optimize' | 'additional';

export interface LpScope {
  cal: Calendar;
  now: number;
  items: LpItem[];
  /** Quanta held per (link, slot) by transfers outside the LP (index e * H + t); null = none. */
  fixedUsageQ: Float64Array | null;
  waveMode: WaveMode;
  integerWaves: boolean;
  objective: 'cost' | 'max-volume' | 'max-admitted';
  /** Extra cost of the last slot of the planning span relative to the first (0.1 = 10 %). */
  earliness: number;
  /** Relax the admit binaries (the LP bound of 'max-admitted'). */
  relaxAdmission?: boolean;
  /**
   * Leave room for rounding up: every capacity, rate-cap and price row keeps back what raising each of its
   * rate columns by one quantum would add, so any rounding of the LP's rates to whole quanta still fits.
   */
  roundingMargin?: boolean;
  /**
   * Solve in whole quanta (`withIntegerRates`: rate columns integer, a MILP) instead of rounding an LP
   * solution; per-slot models only. The scheduler's last resort when rounding fails.
   */
  integerRates?: boolean;
  /**
   * Relaxation on time blocks of `size` slots (aligned to multiples of it; the first starts at `now`):
   * columns per (transfer, path, block) and one capacity row per (link, block) bounded by the sum of its
   * slots' capacities. Every per-slot schedule aggregates to a solution here, so infeasible here proves
   * infeasible per slot (for refusing at a fraction of the size). Its solutions are not schedules. Not with
   * wave variables.
   */
  blocks?: { size: number };
  /**
   * Items whose paths' wave options get variables (default all): with 'additional', e.g. only the new
   * transfer may light waves, the lit ones stay, which keeps the MILP small.
   */
  waveItems?: readonly number[];
}

export const COL_RATE = 0;
export const COL_WAVE_HELD = 1;
export const COL_WAVE_CARRY = 2;
export const COL_WAVE_LIGHT = 3;
export const COL_ADMIT = 4;

/** The LP and the maps from its columns and rows back to the schedule. */
export interface BuiltLp {
  problem: LpProblem;
  colKind: Uint8Array;
  /** Rate/admit columns: the item; wave columns: the wave option. */
  colOwner: Int32Array;
  colPath: Int32Array;
  colSlot: Int32Array;
  /** Rate columns: the slots the rate is held over, [colSlot, colSlot + colSpan) (1 without blocks). */
  colSpan: Int32Array;
  /** Keys that stay equal across rebuilds (for warm-starting from the last basis). */
  colKey: Float64Array;
  rowKey: Float64Array;
  volumeRow: Int32Array;
  /** Rate columns per item (0 = nothing can carry it: a required item with volume owed is infeasible). */
  itemColumns: Int32Array;
  /** Wave options with variables, and the slots they span. */
  waveOptions: number[];
  waveFrom: number;
  waveTo: number;
}

/**
 * Warm-start keys: payload * 16 + kind, stable across rebuilds (transfer serials, link/slot indices), so a
 * basis from the last solve can be mapped onto the next model. Kinds 0-4 are columns, 5-11 rows.
 */
const K_RATE = 0;
const K_HELD = 1;
const K_CARRY = 2;
const K_LIGHT = 3;
const K_ADMIT = 4;
const R_CAP = 5;
const R_VOLUME = 6;
const R_PRICE = 7;
const R_RATE = 8;
const R_SPECTRUM = 9;
const R_CARRY = 10;
const R_LIGHT = 11;
function key(payload: number, kind: number): number {
  return payload * 16 + kind;
}

/** Build the LP for a scope. Columns whose every link is already full are left out. */
export function buildLp(scope: LpScope): BuiltLp {
  const { cal, now, items } = scope;
  const H = cal.H;
  const q = cal.q;
  const b = new CscBuilder();
  const colKind: number[] = [];
  const colOwner: number[] = [];
  const colPath: number[] = [];
  const colSlot: number[] = [];
  const colSpan: number[] = [];
  const colKey: number[] = [];
  const rowKey: number[] = [];
  const pushCol = (kind: number, owner: number, slot: number, key: number): void => {
    colKind.push(kind);
    colOwner.push(owner);
    colPath.push(-1);
    colSlot.push(slot);
    colSpan.push(0);
    colKey.push(key);
  };

  let spanEnd = now + 1;
  for (const it of items) if (it.to > spanEnd) spanEnd = it.to;
  const span = Math.max(1, spanEnd - now);

  // Links fed by wave variables cannot take a capacity column bound (their capacity is itself a variable).
  const waveVars = scope.waveMode === 'optimize' || scope.waveMode === 'additional';
  const touchedWave = new Uint8Array(cal.W);
  if (waveVars) {
    const lighters = scope.waveItems ?? items.map((_, i) => i);
    for (const i of lighters) for (const p of items[i].req.paths) for (const e of p.links) for (const w of cal.wavesOfLink[e]) touchedWave[w] = 1;
  }
  const waveOptions: number[] = [];
  for (let w = 0; w < cal.W; w++) if (touchedWave[w]) waveOptions.push(w);
  const linkHasWaveVar = new Uint8Array(cal.R);
  for (const w of waveOptions) for (const e of cal.waves[w].carries) linkHasWaveVar[e] = 1;

  /** Constant capacity of (e,t) for the scope, quanta. */
  const capConst = (e: number, t: number): number => {
    let c = cal.linkFreeQ[e * H + t];
    if (scope.waveMode === 'fixed' || scope.waveMode === 'additional') {
      for (const w of cal.wavesOfLink[e]) c += cal.waves[w].capQ * cal.carrying(w, t);
    }
    if (scope.fixedUsageQ) c -= scope.fixedUsageQ[e * H + t];
    return c;
  };

  // Time cells: single slots, or blocks [b0, b1) of the block grid (the first starting at `now`).
  const blockSize = scope.blocks?.size ?? 1;
  if (scope.blocks && (blockSize < 1 || !Number.isInteger(blockSize))) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  if (scope.blocks && waveVars) throw new RangeError('time blocks do not combine with wave variables');
  const blockStart = (t: number): number => (blockSize === 1 ? t : Math.max(now, t - (t % blockSize)));
  const blockEnd = (t: number): number => (blockSize === 1 ? t + 1 : Math.min(H, t - (t % blockSize) + blockSize));
  const relaxBlocks = scope.blocks !== undefined;
  /** Capacity of link e in the row starting at slot b0: one slot, or the sum over a relaxed block (Gbps-slots). */
  const blockCap = (e: number, b0: number): number => {
    if (!relaxBlocks) return capConst(e, b0) * q;
    let sum = 0;
    for (let t = b0; t < blockEnd(b0); t++) sum += capConst(e, t);
    return sum * q;
  };

  // Capacity rows are created on first use (one per link and slot, or per link and relaxed block).
  const capRow = new Int32Array(cal.R * H).fill(-1);
  const capRowOf = (e: number, t: number): number => {
    const i = e * H + t;
    let r = capRow[i];
    if (r < 0) {
      r = b.addRow(-Infinity, blockCap(e, t));
      capRow[i] = r;
      rowKey.push(key(i, R_CAP));
    }
    return r;
  };

  let costScale = 0;
  for (const it of items) for (const p of it.req.paths) if (p.costPerGbit > costScale) costScale = p.costPerGbit;
  if (!(costScale > 0)) costScale = 1;
  const pureVolume = scope.objective !== 'cost';

  const volumeRow = new Int32Array(items.length);
  const itemColumns = new Int32Array(items.length);
  items.forEach((it, i) => {
    const needGbpsSlots = it.needQ * q;
    const K = it.req.paths.length;
    // Volume row first so the columns can refer to it.
    let vRow: number;
    if (it.mode === 'required') vRow = b.addRow(needGbpsSlots, Infinity);
    else if (it.mode === 'elastic') vRow = b.addRow(0, needGbpsSlots);
    else vRow = b.addRow(0, 0);
    rowKey.push(key(it.key, R_VOLUME));
    volumeRow[i] = vRow;

    let priceRow = -1;
    let priceScale = 1;
    if (Number.isFinite(it.budget)) {
      priceScale = 0;
      for (const p of it.req.paths) priceScale = Math.max(priceScale, p.priceRate / q);
      if (!(priceScale > 0)) priceScale = 1;
      priceRow = b.addRow(-Infinity, Math.max(0, it.budget) / priceScale);
      rowKey.push(key(it.key, R_PRICE));
    }

    const maxRateGbps = it.req.maxRateQ === Infinity ? Infinity : it.req.maxRateQ * q;
    const needRateRows = maxRateGbps !== Infinity && K > 1;
    for (let t = it.from; t < it.to; ) {
      // One cell: slots [t, t + a) of the block starting at b0 (a single slot without blocks). Its column
      // is the volume over the cell in Gbps-slots (per slot: the rate).
      const b0 = blockStart(t);
      const a = Math.min(blockEnd(t), it.to) - t;
      let rateRow = -1;
      for (let p = 0; p < K; p++) {
        const path = it.req.paths[p];
        let upper = Math.min(maxRateGbps * a, needGbpsSlots);
        let waveFed = false;
        for (let j = 0; j < path.links.length; j++) {
          const e = path.links[j];
          if (linkHasWaveVar[e]) {
            waveFed = true;
            continue;
          }
          const c = blockCap(e, b0) / path.coef[j];
          if (c < upper) upper = c;
        }
        if (!waveFed && !(upper > 0)) continue;
        let cost = 0;
        const mid = t + (a - 1) / 2;
        if (!pureVolume) cost = (path.costPerGbit / costScale + 0.01 * path.hops) * (1 + ((it.urgency ?? 1) * scope.earliness * (mid - now)) / span);
        else if (it.mode === 'elastic' && scope.objective === 'max-volume') cost = -1;
        b.addCol(cost, 0, upper);
        itemColumns[i]++;
        for (let j = 0; j < path.links.length; j++) b.entry(capRowOf(path.links[j], b0), path.coef[j]);
        b.entry(vRow, 1);
        if (priceRow >= 0) b.entry(priceRow, path.priceRate / q / priceScale);
        if (needRateRows) {
          if (rateRow < 0) {
            rateRow = b.addRow(-Infinity, maxRateGbps * a);
            rowKey.push(key(it.key * H + t, R_RATE));
          }
          b.entry(rateRow, 1);
        }
        colKind.push(COL_RATE);
        colOwner.push(i);
        colPath.push(p);
        colSlot.push(t);
        colSpan.push(a);
        colKey.push(key((it.key * 64 + p) * H + t, K_RATE));
      }
      t += a;
    }
    if (it.mode === 'optional') {
      // admit in {0,1}: delivered = need * admit. Objective: the admitted volume (Gbps-slots).
      b.addCol(scope.objective === 'max-admitted' ? -needGbpsSlots : 0, 0, 1, !scope.relaxAdmission);
      b.entry(vRow, -needGbpsSlots);
      colKind.push(COL_ADMIT);
      colOwner.push(i);
      colPath.push(-1);
      colSlot.push(-1);
      colSpan.push(0);
      colKey.push(key(it.key, K_ADMIT));
    }
  });

  // Waves: held y, carrying z, lightings s, for slots [now, spanEnd).
  const waveFrom = now;
  const waveTo = spanEnd;
  if (waveOptions.length > 0) {
    const spectrumRow = new Int32Array(cal.S * H).fill(-1);
    const specRowOf = (s: number, t: number): number => {
      const i = s * H + t;
      let r = spectrumRow[i];
      if (r < 0) {
        let free = cal.spectrumFree[i];
        // Waves that stay lit keep their spectrum: all of today's in 'additional' mode, else those of
        // options outside the LP.
        for (let w = 0; w < cal.W; w++) {
          if (scope.waveMode !== 'additional' && touchedWave[w]) continue;
          const lit = cal.lit[w * H + t];
          if (lit === 0) continue;
          const wave = cal.waves[w];
          for (let k = 0; k < wave.holdSpectrum.length; k++) if (wave.holdSpectrum[k] === s) free -= lit * wave.holdSlots[k];
        }
        r = b.addRow(-Infinity, Math.max(0, free));
        spectrumRow[i] = r;
        rowKey.push(key(i, R_SPECTRUM));
      }
      return r;
    };
    const objScale = costScale * cal.slotSeconds;
    const n = waveTo - waveFrom;
    for (const w of waveOptions) {
      const wave = cal.waves[w];
      const L = wave.setup;
      // Lit counts before the LP's first slot are history (none for the extra waves of 'additional').
      const history = (t: number): number => (t < 0 || scope.waveMode === 'additional' ? 0 : cal.lit[w * H + t]);
      // Rows first (CSC adds entries column by column): carry rows z[t] - y[t-k] <= 0 for t-k inside the
      // LP, lighting rows s[t] - y[t] + y[t-1] >= 0 (y[t-1] before the LP is the history constant).
      const carryRow = new Int32Array(n * (L + 1)).fill(-1);
      const lightRow = new Int32Array(n);
      for (let t = waveFrom; t < waveTo; t++) {
        for (let k = 0; k <= L; k++) {
          if (t - k < waveFrom) continue;
          carryRow[(t - waveFrom) * (L + 1) + k] = b.addRow(-Infinity, 0);
          rowKey.push(key((w * H + t) * 32 + k, R_CARRY));
        }
        lightRow[t - waveFrom] = b.addRow(t === waveFrom ? -history(t - 1) : 0, Infinity);
        rowKey.push(key(w * H + t, R_LIGHT));
      }
      for (let t = waveFrom; t < waveTo; t++) {
        b.addCol(pureVolume ? 0 : wave.costPerSlot / objScale, 0, wave.maxWaves, scope.integerWaves);
        for (let k = 0; k < wave.holdSpectrum.length; k++) b.entry(specRowOf(wave.holdSpectrum[k], t), wave.holdSlots[k]);
        for (let k = 0; k <= L && t + k < waveTo; k++) b.entry(carryRow[(t + k - waveFrom) * (L + 1) + k], -1);
        b.entry(lightRow[t - waveFrom], -1);
        if (t + 1 < waveTo) b.entry(lightRow[t + 1 - waveFrom], 1);
        pushCol(COL_WAVE_HELD, w, t, key(w * H + t, K_HELD));
      }
      for (let t = waveFrom; t < waveTo; t++) {
        let upper = wave.maxWaves;
        for (let k = 0; k <= L; k++) if (t - k < waveFrom) upper = Math.min(upper, history(t - k));
        b.addCol(0, 0, upper);
        for (const e of wave.carries) {
          // Links no rate column uses have no capacity row, and need none.
          const r = capRow[e * H + t];
          if (r >= 0) b.entry(r, -wave.capacityGbps);
        }
        for (let k = 0; k <= L; k++) if (t - k >= waveFrom) b.entry(carryRow[(t - waveFrom) * (L + 1) + k], 1);
        pushCol(COL_WAVE_CARRY, w, t, key(w * H + t, K_CARRY));
      }
      for (let t = waveFrom; t < waveTo; t++) {
        b.addCol(pureVolume ? 0 : wave.setupCost / objScale, 0, Infinity);
        b.entry(lightRow[t - waveFrom], 1);
        pushCol(COL_WAVE_LIGHT, w, t, key(w * H + t, K_LIGHT));
      }
    }
  }

  const problem = b.build('minimize');
  if (scope.roundingMargin) {
    // Capacity and rate-cap rows keep back one quantum per rate column in them, so raising any set of
    // columns by one quantum still fits. Price rows need no reserve: rounding per path total and giving
    // the quanta still owed to the cheapest paths never costs more than the LP's plan (quantize.ts); they
    // keep back a hair (1e-8 of the budget) for the solver's feasibility tolerance.
    const keep = new Float64Array(problem.numRows);
    for (let c = 0; c < problem.numCols; c++) {
      if (colKind[c] !== COL_RATE) continue;
      for (let k = problem.starts[c]; k < problem.starts[c + 1]; k++) {
        const r = problem.indices[k];
        const v = problem.values[k];
        if (v <= 0) continue;
        keep[r] += v * q;
      }
    }
    for (let r = 0; r < problem.numRows; r++) {
      const kind = rowKey[r] % 16;
      if (kind === R_CAP || kind === R_RATE) problem.rowUpper[r] -= keep[r];
    }
    for (let r = 0; r < problem.numRows; r++) if (rowKey[r] % 16 === R_PRICE) problem.rowUpper[r] *= 1 - 1e-8;
  }
  const built: BuiltLp = {
    problem,
    colKind: Uint8Array.from(colKind),
    colOwner: Int32Array.from(colOwner),
    colPath: Int32Array.from(colPath),
    colSlot: Int32Array.from(colSlot),
    colSpan: Int32Array.from(colSpan),
    colKey: Float64Array.from(colKey),
    rowKey: Float64Array.from(rowKey),
    volumeRow,
    itemColumns,
    waveOptions,
    waveFrom,
    waveTo,
  };
  return built;
}

/**
 * The same model with every rate column counted in whole quanta and integer: a MILP whose solutions are
 * integer plans as they stand (for when rounding an LP solution to whole quanta failed: the LP's optimum
 * may be fractional where no rounding of it fits, while an integer plan of the same model exists). Column
 * c's value v is then v × q Gbps (`rateValuesToGbps`); rows, bounds and costs are scaled to match, so the
 * feasible set is exactly the LP's restricted to whole quanta.
 */
export function withIntegerRates(built: BuiltLp, q: number): LpProblem {
  const src = built.problem;
  const values = src.values.slice();
  const colCost = src.colCost.slice();
  const colLower = src.colLower.slice();
  const colUpper = src.colUpper.slice();
  const integer = src.integer ? src.integer.slice() : new Uint8Array(src.numCols);
  for (let c = 0; c < src.numCols; c++) {
    if (built.colKind[c] !== COL_RATE) continue;
    if (built.colSpan[c] !== 1) throw new RangeError('integer rates need per-slot columns');
    for (let k = src.starts[c]; k < src.starts[c + 1]; k++) values[k] *= q;
    colCost[c] *= q;
    colLower[c] /= q;
    // Whole quanta only: a bound like 7.9999999 (float noise) stays 8, a true 7.5 becomes 7.
    colUpper[c] = Math.floor(colUpper[c] / q + 1e-9);
    integer[c] = 1;
  }
  return { ...src, values, colCost, colLower, colUpper, integer };
}

/** A `withIntegerRates` solution in the original model's units (rate columns back to Gbps). */
export function rateValuesToGbps(built: BuiltLp, x: Float64Array, q: number): Float64Array {
  const out = x.slice();
  for (let c = 0; c < out.length; c++) if (built.colKind[c] === COL_RATE) out[c] = Math.round(out[c]) * q;
  return out;
}
