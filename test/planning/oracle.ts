/**
 * Independent oracle for SNDlib design optima: the test's own MILP formulation, written here as LP
 * text from the instance (not from the engine's model or LP writer) and solved by Debian's CBC
 * (coinor-cbc) or GLPK (glpk-utils, glpsol).
 * Formulation: arc flow aggregated by destination (every demand flows from one end into the end that
 * comes later in the file's node order, one commodity per such sink; the engine aggregates by
 * source at the earlier end), both directions of every link, integer module counts, binary link
 * opening for setup costs, capacity shared by both directions. For 1+1 the commodity is each
 * demand alone (flow 2h, at most h per link). Same optimum as the engine's model, different model.
 * Pre-installed capacity as SNDlib's network schema defines it (element link/preInstalledModule): a
 * link with pre-installed capacity is in every solution (so its opening is fixed to 1), and the
 * pre-installed capacity cost is a constant of every solution's cost (added after the solve: the LP
 * text carries no objective constant).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DesignInstance } from '../../src/domain/planning.js';

/** The oracle's MILP: LP text and the objective constant the text leaves out. */
export interface OracleProblem {
  lp: string;
  constant: number;
}

export function oracleLp(inst: DesignInstance, survivable = false): OracleProblem {
  const lines: string[] = ['Minimize', ' cost:'];
  const obj: string[] = [];
  const cons: string[] = [];
  const generals: string[] = [];
  const binaries: string[] = [];
  const bounds: string[] = [];
  const live = inst.demands.filter((d) => d.value > 0);
  const total = live.reduce((s, d) => s + d.value, 0) * (survivable ? 2 : 1);
  const order = new Map(inst.nodes.map((n, i) => [n.id, i] as const));
  // Commodities: sink node -> supplies per node (amount leaving each other end).
  const sinkOf = (d: (typeof live)[number]): string => ((order.get(d.source) as number) > (order.get(d.target) as number) ? d.source : d.target);
  const groups: { sink: string; supply: Map<string, number>; cap: number }[] = [];
  if (survivable) {
    for (const d of live) {
      const sink = sinkOf(d);
      groups.push({ sink, supply: new Map([[sink === d.source ? d.target : d.source, 2 * d.value]]), cap: d.value });
    }
  } else {
    const bySink = new Map<string, Map<string, number>>();
    for (const d of live) {
      const sink = sinkOf(d);
      const from = sink === d.source ? d.target : d.source;
      const m = bySink.get(sink) ?? new Map<string, number>();
      m.set(from, (m.get(from) ?? 0) + d.value);
      bySink.set(sink, m);
    }
    for (const [sink, supply] of bySink) groups.push({ sink, supply, cap: Infinity });
  }
  const D = groups;
  inst.links.forEach((l, i) => {
    l.modules.forEach((m, k) => {
      obj.push(`+ ${m.cost} M${i}x${k}`);
      generals.push(`M${i}x${k}`);
    });
    if (l.setupCost > 0) {
      obj.push(`+ ${l.setupCost} O${i}`);
      binaries.push(`O${i}`);
    }
    if (l.routingCost > 0) D.forEach((_, d) => obj.push(`+ ${l.routingCost} F${d}L${i}p + ${l.routingCost} F${d}L${i}n`));
  });
  // Flow conservation per demand and node: p = source->target direction of the link, n = reverse.
  D.forEach((g, d) => {
    const inflow = [...g.supply.values()].reduce((a, b) => a + b, 0);
    for (const node of inst.nodes) {
      const t: string[] = [];
      inst.links.forEach((l, i) => {
        if (l.source === node.id) t.push(`+ F${d}L${i}p - F${d}L${i}n`);
        if (l.target === node.id) t.push(`+ F${d}L${i}n - F${d}L${i}p`);
      });
      if (t.length === 0) continue;
      const rhs = node.id === g.sink ? -inflow : g.supply.get(node.id) ?? 0;
      cons.push(` c${d}_${node.id.replace(/[^A-Za-z0-9]/g, '_')}: ${t.join(' ')} = ${rhs}`);
    }
    if (survivable) inst.links.forEach((_, i) => cons.push(` s${d}_${i}: F${d}L${i}p + F${d}L${i}n <= ${g.cap}`));
  });
  inst.links.forEach((l, i) => {
    const load = D.map((_, d) => `+ F${d}L${i}p + F${d}L${i}n`).join(' ');
    const mods = l.modules.map((m, k) => `- ${m.capacity} M${i}x${k}`).join(' ');
    if (l.setupCost > 0) {
      if (l.preinstalledCapacity > 0) bounds.push(` O${i} = 1`);
      cons.push(` k${i}: ${load} ${mods} - ${l.preinstalledCapacity} O${i} <= 0`);
      cons.push(` o${i}: ${load} - ${total} O${i} <= 0`);
      l.modules.forEach((m, k) => cons.push(` q${i}_${k}: M${i}x${k} - ${Math.ceil(total / m.capacity)} O${i} <= 0`));
    } else cons.push(` k${i}: ${load} ${mods} <= ${l.preinstalledCapacity}`);
  });
  for (let k = 0; k < obj.length; k += 8) lines.push('  ' + obj.slice(k, k + 8).join(' '));
  lines.push('Subject To', ...cons.flatMap((c) => wrap(c)), 'Bounds', ...bounds, 'Generals', ...chunk(generals), 'Binaries', ...chunk(binaries), 'End', '');
  return { lp: lines.join('\n'), constant: inst.links.reduce((s, l) => s + l.preinstalledCapacityCost, 0) };
}

function chunk(xs: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < xs.length; k += 10) out.push(' ' + xs.slice(k, k + 10).join(' '));
  return out;
}

function wrap(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const tok of line.split(' ')) {
    if (cur.length + tok.length > 200) {
      out.push(cur);
      cur = '  ';
    }
    cur += (cur.endsWith(' ') || cur === '' ? '' : ' ') + tok;
  }
  out.push(cur);
  return out;
}

export type OracleSolver = 'cbc' | 'glpk';

export interface OracleAnswer {
  solver: OracleSolver;
  /** True only when the solver proved optimality within the time limit. */
  optimal: boolean;
  /** The solver's own status words, for failure messages. */
  status: string;
  /** Optimum (objective constant included), or null. */
  objective: number | null;
  seconds: number;
}

/**
 * Solves the oracle's problem to proven optimality (relative gap 0) with CBC or GLPK under a
 * wall-clock time limit; an answer that is not proven optimal has optimal = false.
 */
export function exactOptimum(p: OracleProblem, solver: OracleSolver, timeLimitSec = 60): OracleAnswer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-oracle-'));
  const started = performance.now();
  try {
    const lp = path.join(dir, 'o.lp');
    const sol = path.join(dir, 'o.sol');
    fs.writeFileSync(lp, p.lp);
    let status: string;
    let value: string | undefined;
    let optimal: boolean;
    if (solver === 'cbc') {
      const r = spawnSync('cbc', [lp, 'timeMode', 'elapsed', 'sec', String(timeLimitSec), 'ratio', '0', 'solve'], { encoding: 'utf8' });
      status = /Result - (.*)/.exec(r.stdout)?.[1] ?? `cbc failed: ${r.stderr || r.error?.message}`;
      optimal = /^Optimal solution found/.test(status);
      value = /Objective value:\s+(\S+)/.exec(r.stdout)?.[1];
    } else {
      // glpsol -w writes the solution in GLPK's plain format: "s mip ROWS COLS STATUS OBJECTIVE", status o = optimal.
      const r = spawnSync('glpsol', ['--lp', lp, '--tmlim', String(timeLimitSec), '--mipgap', '0', '-w', sol], { encoding: 'utf8' });
      const head = fs.existsSync(sol) ? /^s mip \d+ \d+ (\S) (\S+)/m.exec(fs.readFileSync(sol, 'utf8')) : null;
      status = head ? `glpk status ${head[1]}` : `glpsol failed: ${r.stderr || r.stdout.split('\n').slice(-3).join(' ') || r.error?.message}`;
      optimal = head?.[1] === 'o';
      value = head?.[2];
    }
    const objective = value === undefined ? null : Number(value) + p.constant;
    return { solver, optimal, status, objective, seconds: (performance.now() - started) / 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
