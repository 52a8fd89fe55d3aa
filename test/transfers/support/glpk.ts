/**
 * Exact oracle: the test's own time-expanded formulation, written as a CPLEX-LP file and solved by
 * Debian's GLPK (`glpsol`). Written from the problem statement, not from the engine's LP writer: variables
 * in Gbps, volumes in Gbit (rate x slot seconds), waves with the setup rule "carrying in slot t only if lit
 * in t and each of the setupSlots slots before".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface OracleTransfer {
  paths: readonly { links: readonly number[]; pricePerGbitMinor: number }[];
  /** Slots it may use: [from, to). */
  from: number;
  to: number;
  /** Gbit it must (required), may (elastic) or, if admitted, must (optional) deliver in the window. */
  volumeGbit: number;
  maxRateGbps?: number;
  /** Most it may cost in the window (minor units). */
  budget?: number;
  mode: 'required' | 'elastic' | 'optional';
}

export interface OracleWave {
  carries: readonly number[];
  capacityGbps: number;
  holds: readonly { spectrum: number; slots: number }[];
  setupSlots: number;
  maxWaves?: number;
}

export interface OracleProblem {
  slotSeconds: number;
  /** Free capacity [link][slot] in Gbps (already net of anything held outside the problem). */
  freeGbps: readonly (readonly number[])[];
  transfers: readonly OracleTransfer[];
  objective: 'feasibility' | 'max-elastic' | 'max-admitted';
  waves?: readonly OracleWave[];
  /** Free spectrum [spectrum][slot], 12.5 GHz slots. */
  spectrumFree?: readonly (readonly number[])[];
  /** Rates in whole Gbps (integer variables: a MILP), for schedules booked in 1 Gbps quanta. */
  wholeRates?: boolean;
}

export interface OracleResult {
  status: 'optimal' | 'infeasible' | 'other';
  objective: number;
  values: Map<string, number>;
}

/** Write the LP text (exported for debugging a failing case). */
export function oracleLp(p: OracleProblem): { text: string; columns: string[]; integer: boolean } {
  const H = p.freeGbps[0]?.length ?? 0;
  const cols: string[] = [];
  const objTerms: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const ints: string[] = [];
  const capTerms = p.freeGbps.map(() => Array.from({ length: H }, () => [] as string[]));
  const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(17));
  p.transfers.forEach((tr, i) => {
    const volTerms: string[] = [];
    const priceTerms: string[] = [];
    for (let t = tr.from; t < tr.to; t++) {
      const slotTerms: string[] = [];
      tr.paths.forEach((pa, k) => {
        const x = `x${i}_${k}_${t}`;
        cols.push(x);
        if (p.wholeRates) ints.push(x);
        const mult = new Map<number, number>();
        for (const l of pa.links) mult.set(l, (mult.get(l) ?? 0) + 1);
        for (const [l, m] of mult) capTerms[l][t].push(`${num(m)} ${x}`);
        volTerms.push(`${num(p.slotSeconds)} ${x}`);
        priceTerms.push(`${num(p.slotSeconds * pa.pricePerGbitMinor)} ${x}`);
        slotTerms.push(x);
        objTerms.push(`${p.objective === 'max-elastic' && tr.mode === 'elastic' ? num(p.slotSeconds) : '0'} ${x}`);
      });
      if (tr.maxRateGbps !== undefined && slotTerms.length > 0) rows.push(` rate${i}_${t}: ${slotTerms.join(' + ')} <= ${num(tr.maxRateGbps)}`);
    }
    if (tr.mode === 'optional') {
      const u = `u${i}`;
      cols.push(u);
      ints.push(u);
      bounds.push(` 0 <= ${u} <= 1`);
      objTerms.push(`${p.objective === 'max-admitted' ? num(tr.volumeGbit) : '0'} ${u}`);
      rows.push(` vol${i}: ${volTerms.length > 0 ? volTerms.join(' + ') + ' - ' : ''}${num(tr.volumeGbit)} ${u} = 0`);
    } else if (volTerms.length === 0) {
      if (tr.mode === 'required' && tr.volumeGbit > 0) rows.push(` vol${i}: 0 dummy >= ${num(tr.volumeGbit)}`);
    } else if (tr.mode === 'required') rows.push(` vol${i}: ${volTerms.join(' + ')} >= ${num(tr.volumeGbit)}`);
    else rows.push(` vol${i}: ${volTerms.join(' + ')} <= ${num(tr.volumeGbit)}`);
    if (tr.budget !== undefined && priceTerms.length > 0) rows.push(` price${i}: ${priceTerms.join(' + ')} <= ${num(tr.budget)}`);
  });
  (p.waves ?? []).forEach((w, i) => {
    for (let t = 0; t < H; t++) {
      const y = `y${i}_${t}`;
      const z = `z${i}_${t}`;
      cols.push(y, z);
      ints.push(y);
      objTerms.push(`0 ${y}`, `0 ${z}`);
      bounds.push(` 0 <= ${y} <= ${w.maxWaves ?? 1000}`);
      for (let k = 0; k <= w.setupSlots; k++) {
        if (t - k < 0) bounds.push(` ${z} = 0`);
        else rows.push(` carry${i}_${t}_${k}: ${z} - y${i}_${t - k} <= 0`);
      }
      for (const l of new Set(w.carries)) capTerms[l][t].push(`- ${num(w.capacityGbps)} ${z}`);
    }
  });
  if (p.waves && p.spectrumFree) {
    p.spectrumFree.forEach((free, s) => {
      for (let t = 0; t < H; t++) {
        const terms: string[] = [];
        p.waves?.forEach((w, i) => {
          for (const h of w.holds) if (h.spectrum === s) terms.push(`${num(h.slots)} y${i}_${t}`);
        });
        if (terms.length > 0) rows.push(` spec${s}_${t}: ${terms.join(' + ')} <= ${num(free[t])}`);
      }
    });
  }
  p.freeGbps.forEach((free, l) => {
    for (let t = 0; t < H; t++) {
      const terms = capTerms[l][t];
      if (terms.length === 0) continue;
      const text = terms.join(' + ').replace(/\+ -/g, '-');
      rows.push(` cap${l}_${t}: ${text} <= ${num(free[t])}`);
    }
  });
  if (rows.some((r) => r.includes('0 dummy'))) {
    cols.push('dummy');
    objTerms.push('0 dummy');
    bounds.push(' dummy = 0');
  }
  if (objTerms.length === 0) objTerms.push('0 dummy0');
  const sense = p.objective === 'feasibility' ? 'Minimize' : 'Maximize';
  const lines = [sense, ` obj: ${objTerms.join(' + ')}`, 'Subject To', ...(rows.length > 0 ? rows : [' none: 0 dummy0 >= 0']), 'Bounds', ...bounds];
  if (ints.length > 0) lines.push('General', ...ints.map((v) => ` ${v}`));
  lines.push('End', '');
  return { text: lines.join('\n'), columns: cols, integer: ints.length > 0 };
}

/** Solve with glpsol. */
export function glpkSolve(p: OracleProblem): OracleResult {
  const { text, columns, integer } = oracleLp(p);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-oracle-'));
  try {
    const lpFile = path.join(dir, 'model.lp');
    const solFile = path.join(dir, 'model.sol');
    fs.writeFileSync(lpFile, text);
    // --nopresol: report infeasibility as a status (the presolver only says "undefined").
    const r = spawnSync('glpsol', ['--lp', lpFile, '--nopresol', '-w', solFile], { encoding: 'utf8' });
    if (r.error) throw r.error;
    const sol = fs.readFileSync(solFile, 'utf8').split('\n');
    const s = sol.find((l) => l.startsWith('s '))?.split(/\s+/) ?? [];
    let status: OracleResult['status'] = 'other';
    let objective = NaN;
    if (integer) {
      // s mip ROWS COLS STATUS OBJ
      status = s[4] === 'o' ? 'optimal' : s[4] === 'n' ? 'infeasible' : 'other';
      objective = Number(s[5]);
    } else {
      // s bas ROWS COLS PRIMAL DUAL OBJ
      status = s[4] === 'f' && s[5] === 'f' ? 'optimal' : s[4] === 'n' || s[4] === 'i' ? 'infeasible' : 'other';
      objective = Number(s[6]);
    }
    // With a failed LP relaxation the MIP solver writes nothing useful: look at glpsol's own words.
    if (status === 'other' && /NO (PRIMAL )?FEASIBLE SOLUTION|PROBLEM HAS NO INTEGER FEASIBLE SOLUTION|INTEGER EMPTY/i.test(r.stdout)) status = 'infeasible';
    const values = new Map<string, number>();
    for (const l of sol) {
      if (!l.startsWith('j ')) continue;
      const f = l.split(/\s+/);
      const j = Number(f[1]) - 1;
      values.set(columns[j], Number(integer ? f[2] : f[3]));
    }
    return { status, objective, values };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An admitted transfer as the oracle sees it: its request and the schedule it holds. */
interface AdmittedTransfer {
  volumeGbit: number;
  earliestSlot: number;
  deadlineSlot: number;
  maxRateGbps?: number;
  paths: readonly { links: readonly number[]; pricePerGbitMinor: number }[];
}

/**
 * What remains at `now` of an admitted transfer under re-optimisation: a required row for its undelivered
 * volume, within what it was quoted less what its started slots cost (null: nothing left to plan). With
 * `free`, its started slots also keep their capacity (taken from `free[link][slot]`).
 */
export function remainingRow(
  r: AdmittedTransfer,
  entries: readonly { slot: number; path: number; rateGbps: number; volumeGbit: number }[],
  quotedMinor: number,
  now: number,
  free?: number[][],
): OracleTransfer | null {
  let past = 0;
  let pastPrice = 0;
  for (const e of entries) {
    if (e.slot >= now) continue;
    past += e.volumeGbit;
    pastPrice += e.volumeGbit * r.paths[e.path].pricePerGbitMinor;
    if (free) for (const l of r.paths[e.path].links) free[l][e.slot] -= e.rateGbps;
  }
  if (r.volumeGbit - past <= 1e-9 || r.deadlineSlot <= now) return null;
  return {
    paths: r.paths,
    from: Math.max(now, r.earliestSlot),
    to: r.deadlineSlot,
    volumeGbit: r.volumeGbit - past,
    ...(r.maxRateGbps !== undefined ? { maxRateGbps: r.maxRateGbps } : {}),
    // Re-planning may not make a transfer cost more than it was quoted at admission.
    budget: quotedMinor - pastPrice,
    mode: 'required',
  };
}
