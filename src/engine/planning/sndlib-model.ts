/**
 * SNDlib's network design problem as a MILP (Orlowski et al., "SNDlib 1.0", Networks 55(3), 2010):
 * undirected links whose capacity is pre-installed capacity plus integer numbers of the link's
 * modules, undirected demands, routing over all paths, no hop limit, minimum total module cost +
 * setup (fixed-charge) cost + routing cost. Options select the routing and survivability variants:
 *
 * - routing 'splittable' (SNDlib "C", continuous): arc-flow aggregated by source node. Exact: any
 *   flow of the aggregated commodities decomposes into per-demand path flows (flow decomposition),
 *   and routing over all paths without a hop limit is what arc flows express; it needs |roots| x
 *   2|E| flow columns instead of one column per path of an exponential path set.
 * - routing 'single-path' (SNDlib "S"): one binary arc-flow per demand and arc; each demand uses
 *   exactly one path.
 * - survivable '1+1': dedicated protection against any single link failure. Single-path: each demand
 *   gets two link-disjoint paths, each carrying the full demand (binary flow of value 2, at most 1
 *   per link). Splittable: the demand pair sends 2h with at most h on any link (a "diversified" flow):
 *   by max-flow/min-cut, after any one link fails at least h still reaches the target, so this is
 *   exactly the set of flows that survive every single link failure with the demand carried twice;
 *   demands of one node pair are aggregated (exact: split the aggregate proportionally).
 * - capacity 'modular' (SNDlib "M", any number of each module) or 'explicit' (SNDlib "E", at most
 *   one module per link, as in MIPLIB's cost266-UUE).
 *
 * Setup cost: a link with setup cost > 0 carries flow only when opened, and then pays the setup
 * cost once. Pre-installed capacity, as SNDlib's format defines it (network schema, element
 * link/preInstalledModule: "a link with positive preinstalled capacity must be included in every
 * solution with at least that capacity"; its cost "is a constant term included in the cost of
 * every feasible solution"): a link with pre-installed capacity is always open (its setup cost,
 * if any, is paid), and the pre-installed capacity cost of all links is the objective's constant
 * offset, so the objective is SNDlib's total network cost. Hop limits and routing units in the
 * file are ignored (the standard problem has none); the builder reports them in `ignored`.
 */
import type { DesignInstance } from '../../domain/planning.js';
import { ModelBuilder, type MilpModel } from './model.js';

export type SndlibRouting = 'splittable' | 'single-path';
export type SndlibSurvivability = 'none' | '1+1';
export type SndlibCapacityModel = 'modular' | 'explicit';

export interface SndlibOptions {
  routing?: SndlibRouting;
  survivable?: SndlibSurvivability;
  capacityModel?: SndlibCapacityModel;
}

/** A commodity of the model: a source-aggregated root, a node pair, or one demand. */
interface Commodity {
  /** Node index the flow leaves. */
  root: number;
  /** Node index → amount (in demand units) the commodity must deliver there. */
  sinks: Map<number, number>;
  /** Demands (indices) it carries. */
  demands: number[];
  /** Flow columns, 2 per link (arc 2i: source→target of link i, arc 2i+1 reverse). */
  flowCol: Int32Array;
  /** Binary path choice: flows are fractions of `scale` (single-path). */
  binary: boolean;
  /** Demand units per unit of flow (1 for continuous commodities, h for binary ones). */
  scale: number;
  /** Times the demand is carried (2 for 1+1). */
  copies: number;
  /** Most flow one link may carry for this commodity (1+1: one copy), in flow units; Infinity without. */
  linkCap: number;
}

/** The built model with what decoding needs. */
export interface SndlibModel {
  instance: DesignInstance;
  options: Required<SndlibOptions>;
  model: MilpModel;
  /** Per link: the column of each module's count, and the setup column or -1. */
  moduleCol: Int32Array[];
  setupCol: Int32Array;
  commodities: Commodity[];
  nodeIndex: Map<string, number>;
  linkEnds: [number, number][];
  /** Things in the file the standard problem does not use (hop limits, routing units). */
  ignored: string[];
}

export function sndlibOptions(o: SndlibOptions = {}): Required<SndlibOptions> {
  return { routing: o.routing ?? 'splittable', survivable: o.survivable ?? 'none', capacityModel: o.capacityModel ?? 'modular' };
}

/** Builds the MILP of the instance under the options. */
export function buildSndlibModel(inst: DesignInstance, opts: SndlibOptions = {}): SndlibModel {
  const options = sndlibOptions(opts);
  const nodeIndex = new Map(inst.nodes.map((n, i) => [n.id, i] as const));
  const n = inst.nodes.length;
  const linkEnds = inst.links.map((l) => [nodeIndex.get(l.source) as number, nodeIndex.get(l.target) as number] as [number, number]);
  const ignored: string[] = [];
  const hopLimited = inst.demands.filter((d) => d.maxPathLength !== null).length;
  if (hopLimited > 0) ignored.push(`hop limits of ${hopLimited} demands (the standard problem has none)`);
  const units = inst.demands.filter((d) => d.routingUnit !== 1).length;
  if (units > 0) ignored.push(`routing units of ${units} demands (routing is continuous)`);

  const b = new ModelBuilder(`${inst.name}-${options.routing}-${options.survivable}-${options.capacityModel}`);
  const totalDemand = inst.demands.reduce((s, d) => s + d.value, 0);
  const copies = options.survivable === '1+1' ? 2 : 1;
  const maxLoad = totalDemand * copies;

  // Capacity: modules and setup.
  const moduleCol: Int32Array[] = [];
  const setupCol = new Int32Array(inst.links.length).fill(-1);
  inst.links.forEach((l, i) => {
    const cols = new Int32Array(l.modules.length);
    l.modules.forEach((m, k) => {
      // No optimal plan installs more of one module than the whole demand needs.
      const ub = options.capacityModel === 'explicit' ? 1 : Math.max(1, Math.ceil(maxLoad / m.capacity));
      cols[k] = b.addVar(`y_${i}_${k}`, { cost: m.cost, type: options.capacityModel === 'explicit' ? 'binary' : 'integer', ub });
    });
    moduleCol.push(cols);
    // A link with pre-installed capacity is part of every solution (SNDlib), so it is open.
    if (l.setupCost > 0) setupCol[i] = b.addVar(`u_${i}`, { cost: l.setupCost, type: 'binary', lb: l.preinstalledCapacity > 0 ? 1 : 0 });
    b.addObjectiveOffset(l.preinstalledCapacityCost);
  });

  // Commodities.
  const commodities: Commodity[] = [];
  const addCommodity = (root: number, demands: number[], binary: boolean, scale: number, linkCap: number, tag: string): void => {
    const sinks = new Map<number, number>();
    for (const d of demands) {
      const dem = inst.demands[d];
      const t = nodeIndex.get(dem.source) === root ? (nodeIndex.get(dem.target) as number) : (nodeIndex.get(dem.source) as number);
      sinks.set(t, (sinks.get(t) ?? 0) + dem.value);
    }
    const flowCol = new Int32Array(2 * inst.links.length);
    inst.links.forEach((l, i) => {
      const cost = binary ? l.routingCost * scale : l.routingCost;
      const ub = Math.min(binary ? 1 : Infinity, linkCap);
      flowCol[2 * i] = b.addVar(`f_${tag}_${2 * i}`, { cost, ub, type: binary ? 'binary' : 'continuous' });
      flowCol[2 * i + 1] = b.addVar(`f_${tag}_${2 * i + 1}`, { cost, ub, type: binary ? 'binary' : 'continuous' });
    });
    commodities.push({ root, sinks, demands, flowCol, binary, scale, copies, linkCap });
  };
  const live = inst.demands.map((d, i) => i).filter((i) => inst.demands[i].value > 0);
  if (options.routing === 'single-path') {
    for (const d of live) addCommodity(nodeIndex.get(inst.demands[d].source) as number, [d], true, inst.demands[d].value, 1, `d${d}`);
  } else if (options.survivable === '1+1') {
    const byPair = new Map<string, number[]>();
    for (const d of live) {
      const s = nodeIndex.get(inst.demands[d].source) as number;
      const t = nodeIndex.get(inst.demands[d].target) as number;
      const key = s < t ? `${s}_${t}` : `${t}_${s}`;
      byPair.set(key, [...(byPair.get(key) ?? []), d]);
    }
    for (const [key, ds] of byPair) {
      const h = ds.reduce((s, d) => s + inst.demands[d].value, 0);
      addCommodity(Number(key.split('_')[0]), ds, false, 1, h, `p${key}`);
    }
  } else {
    // Source aggregation: orient each demand from its lower-numbered end so fewer roots are needed.
    const byRoot = new Map<number, number[]>();
    for (const d of live) {
      const s = nodeIndex.get(inst.demands[d].source) as number;
      const t = nodeIndex.get(inst.demands[d].target) as number;
      const r = Math.min(s, t);
      byRoot.set(r, [...(byRoot.get(r) ?? []), d]);
    }
    for (const [r, ds] of [...byRoot].sort((a, c) => a[0] - c[0])) addCommodity(r, ds, false, 1, Infinity, `r${r}`);
  }

  // Flow conservation: out - in = supply at the root, -sink elsewhere (in flow units).
  const incident: number[][] = Array.from({ length: n }, () => []);
  linkEnds.forEach(([a, z], i) => {
    incident[a].push(i);
    incident[z].push(i);
  });
  commodities.forEach((c, ci) => {
    const total = [...c.sinks.values()].reduce((s, v) => s + v, 0);
    for (let v = 0; v < n; v++) {
      const idx: number[] = [];
      const coef: number[] = [];
      for (const i of incident[v]) {
        const [a] = linkEnds[i];
        const out = a === v ? 2 * i : 2 * i + 1;
        idx.push(c.flowCol[out], c.flowCol[out ^ 1]);
        coef.push(1, -1);
      }
      let rhs: number;
      if (c.binary) rhs = v === c.root ? c.copies : c.sinks.has(v) ? -c.copies : 0;
      else rhs = v === c.root ? total * c.copies : -(c.sinks.get(v) ?? 0) * c.copies;
      if (idx.length === 0 && rhs === 0) continue;
      b.addRow(`cons_${ci}_${v}`, idx, coef, '=', rhs);
    }
    if (c.copies === 2) {
      // 1+1: the commodity uses a link in at most one direction, at most once (binary) or up to h (splittable).
      inst.links.forEach((_, i) => {
        b.addRow(`div_${ci}_${i}`, [c.flowCol[2 * i], c.flowCol[2 * i + 1]], [1, 1], '<=', c.linkCap);
      });
    }
  });

  // Capacity: load <= pre-installed (if open) + modules.
  inst.links.forEach((l, i) => {
    const idx: number[] = [];
    const coef: number[] = [];
    for (const c of commodities) {
      idx.push(c.flowCol[2 * i], c.flowCol[2 * i + 1]);
      coef.push(c.scale, c.scale);
    }
    l.modules.forEach((m, k) => {
      idx.push(moduleCol[i][k]);
      coef.push(-m.capacity);
    });
    const u = setupCol[i];
    if (u >= 0) {
      if (l.preinstalledCapacity > 0) {
        idx.push(u);
        coef.push(-l.preinstalledCapacity);
      }
      b.addRow(`cap_${i}`, idx, coef, '<=', 0);
      // Modules only on an opened link.
      l.modules.forEach((m, k) => {
        const ub = options.capacityModel === 'explicit' ? 1 : Math.max(1, Math.ceil(maxLoad / m.capacity));
        b.addRow(`open_${i}_${k}`, [moduleCol[i][k], u], [1, -ub], '<=', 0);
      });
    } else {
      b.addRow(`cap_${i}`, idx, coef, '<=', l.preinstalledCapacity);
    }
    if (options.capacityModel === 'explicit' && l.modules.length > 1) {
      b.addRow(`one_${i}`, Array.from(moduleCol[i]), l.modules.map(() => 1), '<=', 1);
    }
  });
  return { instance: inst, options, model: b.build(), moduleCol, setupCol, commodities, nodeIndex, linkEnds, ignored };
}
