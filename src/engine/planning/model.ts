/**
 * A solver-neutral mixed-integer linear program: columns with bounds, costs and integrality, rows
 * as sparse linear constraints with a sense and a right-hand side, minimised. Built by the planning
 * model builders, written as a CPLEX LP file (lp-format.ts) or handed to a solver adapter as CSR
 * arrays (src/solver). Pure data, no I/O.
 */

export type VarType = 'continuous' | 'integer' | 'binary';
export type RowSense = '<=' | '>=' | '=';

/** A finished model. Rows are stored compressed (CSR): row i's terms are rowStart[i]..rowStart[i+1]. */
export interface MilpModel {
  name: string;
  /** Constant added to the objective (e.g. the cost of something every plan pays). */
  objectiveOffset: number;
  colNames: string[];
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  colType: VarType[];
  rowNames: string[];
  rowSense: RowSense[];
  rowRhs: Float64Array;
  rowStart: Int32Array;
  rowIndex: Int32Array;
  rowValue: Float64Array;
}

/** Counts, for logs and benchmarks. */
export function modelSize(m: MilpModel): { cols: number; integerCols: number; rows: number; nonzeros: number } {
  return {
    cols: m.colNames.length,
    integerCols: m.colType.filter((t) => t !== 'continuous').length,
    rows: m.rowNames.length,
    nonzeros: m.rowIndex.length,
  };
}

/** Column and row names the LP format accepts: a letter or underscore first, then [A-Za-z0-9_.]. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Builds a MilpModel column by column and row by row. */
export class ModelBuilder {
  private readonly cols: { name: string; cost: number; lb: number; ub: number; type: VarType }[] = [];
  private readonly colByName = new Map<string, number>();
  private readonly rows: { name: string; sense: RowSense; rhs: number }[] = [];
  private readonly rowStart: number[] = [0];
  private readonly rowIndex: number[] = [];
  private readonly rowValue: number[] = [];
  private offset = 0;

  constructor(readonly name: string) {}

  get colCount(): number {
    return this.cols.length;
  }

  get rowCount(): number {
    return this.rows.length;
  }

  /** Adds a column and returns its index. Names must be unique and LP-safe. */
  addVar(name: string, opts: { cost?: number; lb?: number; ub?: number; type?: VarType } = {}): number {
    if (!NAME.test(name)) throw new RangeError(`column name "${name}" is not LP-safe`);
    if (this.colByName.has(name)) throw new RangeError(`duplicate column name ${name}`);
    const type = opts.type ?? 'continuous';
    const lb = opts.lb ?? 0;
    const ub = opts.ub ?? (type === 'binary' ? 1 : Infinity);
    const cost = opts.cost ?? 0;
    if (!Number.isFinite(cost)) throw new RangeError(`column ${name}: cost must be finite, got ${cost}`);
    if (Number.isNaN(lb) || Number.isNaN(ub) || lb > ub) throw new RangeError(`column ${name}: bounds [${lb}, ${ub}] are empty`);
    this.colByName.set(name, this.cols.length);
    this.cols.push({ name, cost, lb, ub, type });
    return this.cols.length - 1;
  }

  /** Adds cost to an existing column's objective coefficient. */
  addCost(col: number, cost: number): void {
    this.cols[col].cost += cost;
  }

  addObjectiveOffset(c: number): void {
    this.offset += c;
  }

  /**
   * Adds the row sum(coef[k] * x[idx[k]]) sense rhs and returns its index. Repeated columns are
   * summed; zero coefficients are dropped.
   */
  addRow(name: string, idx: readonly number[], coef: readonly number[], sense: RowSense, rhs: number): number {
    if (!NAME.test(name)) throw new RangeError(`row name "${name}" is not LP-safe`);
    if (idx.length !== coef.length) throw new RangeError(`row ${name}: ${idx.length} columns but ${coef.length} coefficients`);
    if (!Number.isFinite(rhs)) throw new RangeError(`row ${name}: right-hand side must be finite, got ${rhs}`);
    const merged = new Map<number, number>();
    for (let k = 0; k < idx.length; k++) {
      const j = idx[k];
      if (!(j >= 0 && j < this.cols.length)) throw new RangeError(`row ${name}: unknown column ${j}`);
      if (!Number.isFinite(coef[k])) throw new RangeError(`row ${name}: coefficient of ${this.cols[j].name} must be finite`);
      merged.set(j, (merged.get(j) ?? 0) + coef[k]);
    }
    for (const [j, v] of [...merged].sort((a, b) => a[0] - b[0])) {
      if (v === 0) continue;
      this.rowIndex.push(j);
      this.rowValue.push(v);
    }
    this.rowStart.push(this.rowIndex.length);
    this.rows.push({ name, sense, rhs });
    return this.rows.length - 1;
  }

  build(): MilpModel {
    return {
      name: this.name,
      objectiveOffset: this.offset,
      colNames: this.cols.map((c) => c.name),
      colCost: Float64Array.from(this.cols, (c) => c.cost),
      colLower: Float64Array.from(this.cols, (c) => c.lb),
      colUpper: Float64Array.from(this.cols, (c) => c.ub),
      colType: this.cols.map((c) => c.type),
      rowNames: this.rows.map((r) => r.name),
      rowSense: this.rows.map((r) => r.sense),
      rowRhs: Float64Array.from(this.rows, (r) => r.rhs),
      rowStart: Int32Array.from(this.rowStart),
      rowIndex: Int32Array.from(this.rowIndex),
      rowValue: Float64Array.from(this.rowValue),
    };
  }
}

/** Objective of x under the model (offset included). */
export function objectiveOf(m: MilpModel, x: ArrayLike<number>): number {
  let z = m.objectiveOffset;
  for (let j = 0; j < m.colCost.length; j++) z += m.colCost[j] * x[j];
  return z;
}

/**
 * Largest violation of x against the model's bounds, rows and integrality (0 when x is feasible).
 * Used to validate warm starts and solver answers.
 */
export function maxViolation(m: MilpModel, x: ArrayLike<number>): { violation: number; where: string } {
  let worst = 0;
  let where = '';
  const note = (v: number, w: string): void => {
    if (v > worst) {
      worst = v;
      where = w;
    }
  };
  for (let j = 0; j < m.colNames.length; j++) {
    note(m.colLower[j] - x[j], `${m.colNames[j]} below its lower bound`);
    note(x[j] - m.colUpper[j], `${m.colNames[j]} above its upper bound`);
    if (m.colType[j] !== 'continuous') note(Math.abs(x[j] - Math.round(x[j])), `${m.colNames[j]} not integral`);
  }
  for (let i = 0; i < m.rowNames.length; i++) {
    let a = 0;
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) a += m.rowValue[k] * x[m.rowIndex[k]];
    const r = m.rowRhs[i];
    const s = m.rowSense[i];
    if (s !== '>=') note(a - r, `row ${m.rowNames[i]}`);
    if (s !== '<=') note(r - a, `row ${m.rowNames[i]}`);
  }
  return { violation: worst, where };
}
