/**
 * COIN-OR CBC (Debian's coinor-cbc, the `cbc` binary) as a second MILP solver: the model is written
 * as a CPLEX LP file (engine/planning/lp-format.ts), solved with the same time and gap limits, and
 * the solution file read back by column name. Used by the benchmark as the peer of HiGHS and
 * available to `lightpath plan --solver cbc` where cbc is installed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MilpModel } from '../engine/planning/model.js';
import { writeLp } from '../engine/planning/lp-format.js';
import { relativeGap, type SolveOptions, type SolveResult, type SolveStatus } from '../engine/planning/solution.js';

/** Reads CBC's log and solution file; exported for tests. */
export function readCbcAnswer(m: MilpModel, log: string, solution: string | null): Omit<SolveResult, 'seconds' | 'solver'> {
  const result = /Result - (.*)/.exec(log)?.[1] ?? '';
  let status: SolveStatus = 'error';
  if (/Optimal solution found/i.test(result)) status = 'optimal';
  else if (/infeasible/i.test(result)) status = 'infeasible';
  else if (/unbounded/i.test(result)) status = 'unbounded';
  else if (/time limit/i.test(result)) status = 'time-limit';
  else if (/node limit/i.test(result)) status = 'node-limit';
  else if (/Stopped/i.test(result)) status = 'interrupted';
  const num = (re: RegExp): number | null => {
    const v = re.exec(log)?.[1];
    return v === undefined ? null : Number(v);
  };
  let x: Float64Array | null = null;
  let objective: number | null = null;
  // Stopped before finding an integer solution, CBC still writes the LP relaxation's values, headed
  // "Stopped on time (no integer solution - continuous used)": that is no plan.
  const noIncumbent = /No feasible solution found/.test(log) || (solution !== null && /no integer solution/i.test(solution.split('\n')[0]));
  if (solution !== null && status !== 'infeasible' && !noIncumbent && !/^Infeasible/.test(solution)) {
    const byName = new Map(m.colNames.map((n, j) => [n, j] as const));
    x = new Float64Array(m.colNames.length);
    let any = false;
    for (const line of solution.split('\n').slice(1)) {
      const parts = line.trim().split(/\s+/);
      if (parts.length < 3) continue;
      const j = byName.get(parts[1]);
      if (j === undefined) continue;
      x[j] = Number(parts[2]);
      any = true;
    }
    const head = /objective value\s+(\S+)/.exec(solution);
    if (any || head) objective = head ? Number(head[1]) + m.objectiveOffset : null;
    else x = null;
  }
  const nodes = num(/Enumerated nodes:\s+(\d+)/);
  let bound = num(/Lower bound:\s+(\S+)/);
  if (bound !== null) bound += m.objectiveOffset;
  if (status === 'optimal' && objective !== null) bound = objective;
  return { status, objective, bound, gap: status === 'optimal' ? 0 : relativeGap(objective, bound), x, nodes };
}

/** Solves the model with the cbc binary; rejects if cbc cannot be started. */
export async function solveWithCbc(m: MilpModel, o: SolveOptions = {}, cbcPath = 'cbc'): Promise<SolveResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightpath-cbc-'));
  try {
    const lp = path.join(dir, 'model.lp');
    const sol = path.join(dir, 'model.sol');
    fs.writeFileSync(lp, writeLp(m));
    const args = [lp];
    // CBC counts CPU seconds by default; HiGHS's time_limit is wall-clock: count elapsed time for the same limit.
    if (o.timeLimitSec !== undefined) args.push('timeMode', 'elapsed', 'sec', String(o.timeLimitSec));
    args.push('ratio', String(o.mipRelGap ?? 0));
    if (o.maxNodes !== undefined) args.push('maxN', String(o.maxNodes));
    args.push('solve', 'solu', sol);
    const started = performance.now();
    const log = await new Promise<string>((resolve, reject) => {
      const child = spawn(cbcPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (o.verbose) process.stderr.write(d);
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    const seconds = (performance.now() - started) / 1000;
    const solution = fs.existsSync(sol) ? fs.readFileSync(sol, 'utf8') : null;
    const version = /Version:\s+(\S+)/.exec(log)?.[1] ?? '';
    return { solver: `cbc ${version}`.trim(), seconds, ...readCbcAnswer(m, log, solution) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
