/**
 * Writes a MilpModel in the CPLEX LP file format, which HiGHS, CBC (CoinLpIO) and GLPK (glpsol --lp)
 * all read, so one model can be solved by any of them. Numbers are printed with JavaScript's
 * shortest round-trip form (full precision). Lines are wrapped well below the 255-character limit
 * some readers keep.
 */
import type { MilpModel } from './model.js';

const WRAP = 200;

function num(x: number): string {
  return String(x);
}

/** Appends terms "+ 3 x" / "- 2 y" to lines, wrapping long rows. */
function terms(out: string[], head: string, idx: ArrayLike<number>, val: ArrayLike<number>, names: readonly string[]): void {
  let line = head;
  let first = true;
  for (let k = 0; k < idx.length; k++) {
    const v = val[k];
    if (v === 0) continue;
    const sign = v < 0 ? '-' : first ? '' : '+';
    const mag = Math.abs(v);
    const t = `${sign}${sign ? ' ' : ''}${mag === 1 ? '' : num(mag) + ' '}${names[idx[k]]}`;
    if (line.length + t.length + 1 > WRAP) {
      out.push(line);
      line = '   ';
    }
    line += (line.endsWith(' ') ? '' : ' ') + t;
    first = false;
  }
  if (first) line += ' 0 ' + names[0];
  out.push(line);
}

/** The model as CPLEX LP text. */
export function writeLp(m: MilpModel): string {
  const out: string[] = [`\\ ${m.name}`, 'Minimize'];
  const objIdx: number[] = [];
  const objVal: number[] = [];
  for (let j = 0; j < m.colCost.length; j++) {
    if (m.colCost[j] !== 0) {
      objIdx.push(j);
      objVal.push(m.colCost[j]);
    }
  }
  if (m.colNames.length === 0) throw new RangeError('a model needs at least one column');
  terms(out, ' obj:', objIdx, objVal, m.colNames);
  // The LP format has no objective constant every reader accepts; the offset is added back by the caller.
  out.push('Subject To');
  for (let i = 0; i < m.rowNames.length; i++) {
    const s = m.rowStart[i];
    const e = m.rowStart[i + 1];
    terms(out, ` ${m.rowNames[i]}:`, m.rowIndex.subarray(s, e), m.rowValue.subarray(s, e), m.colNames);
    out[out.length - 1] += ` ${m.rowSense[i]} ${num(m.rowRhs[i])}`;
  }
  out.push('Bounds');
  for (let j = 0; j < m.colNames.length; j++) {
    const lb = m.colLower[j];
    const ub = m.colUpper[j];
    const n = m.colNames[j];
    if (m.colType[j] === 'binary' && lb === 0 && ub === 1) continue;
    if (lb === ub) out.push(` ${n} = ${num(lb)}`);
    else if (lb === -Infinity && ub === Infinity) out.push(` ${n} free`);
    else if (lb === 0 && ub === Infinity) continue;
    else out.push(` ${lb === -Infinity ? '-inf' : num(lb)} <= ${n} <= ${ub === Infinity ? '+inf' : num(ub)}`);
  }
  const generals = m.colNames.filter((_, j) => m.colType[j] === 'integer');
  const binaries = m.colNames.filter((_, j) => m.colType[j] === 'binary');
  for (const [head, list] of [['Generals', generals], ['Binaries', binaries]] as const) {
    if (list.length === 0) continue;
    out.push(head);
    for (let k = 0; k < list.length; k += 10) out.push(' ' + list.slice(k, k + 10).join(' '));
  }
  out.push('End', '');
  return out.join('\n');
}
