/**
 * Turns a solution vector of the SNDlib model into a plan document: modules installed per link,
 * capacity and load, costs, and every demand's routing as paths (link ids) with the amount each
 * carries, recovered by flow decomposition of the commodity flows. JSON-serialisable.
 */
import type { SolveResult } from './solution.js';
import type { SndlibModel } from './sndlib-model.js';

export interface SndlibLinkPlan {
  linkId: string;
  /** Count of each module (in the file's module order). */
  modules: number[];
  opened: boolean;
  capacity: number;
  load: number;
  moduleCost: number;
  setupCost: number;
  routingCost: number;
}

export interface SndlibPathFlow {
  /** Link ids from the demand's source to its target. */
  links: string[];
  /** Node ids along the path, source first. */
  nodes: string[];
  value: number;
}

export interface SndlibDemandPlan {
  demandId: string;
  paths: SndlibPathFlow[];
}

export interface SndlibPlan {
  instance: string;
  routing: string;
  survivable: string;
  capacityModel: string;
  solver: Omit<SolveResult, 'x'>;
  /**
   * SNDlib's total network cost, the objective: module + setup + routing cost + the pre-installed
   * capacity cost (a constant every solution pays).
   */
  cost: number;
  moduleCost: number;
  setupCost: number;
  routingCost: number;
  /** Cost of the pre-installed capacity (a constant, included in cost). */
  preinstalledCapacityCost: number;
  links: SndlibLinkPlan[];
  demands: SndlibDemandPlan[];
  ignored: string[];
}

const EPS = 1e-7;

/**
 * Decomposes one commodity's arc flow into paths from the root to each sink. Paths are found by
 * breadth-first search in the arcs still carrying flow; cycles (flow with no purpose) are left over.
 */
function decompose(sm: SndlibModel, flow: Float64Array, root: number, sinks: Map<number, number>, scale: number): Map<number, { arcs: number[]; value: number }[]> {
  const n = sm.instance.nodes.length;
  const out: number[][] = Array.from({ length: n }, () => []);
  sm.linkEnds.forEach(([a, z], i) => {
    out[a].push(2 * i);
    out[z].push(2 * i + 1);
  });
  const head = (arc: number): number => (arc % 2 === 0 ? sm.linkEnds[arc >> 1][1] : sm.linkEnds[arc >> 1][0]);
  const total = [...sinks.values()].reduce((s, v) => s + v, 0);
  const tol = EPS * Math.max(1, total);
  const result = new Map<number, { arcs: number[]; value: number }[]>();
  for (const [t, need0] of [...sinks].sort((x, y) => x[0] - y[0])) {
    let need = need0 * (flow.length > 0 ? 1 : 0);
    const paths: { arcs: number[]; value: number }[] = [];
    while (need > tol) {
      const via = new Int32Array(n).fill(-1);
      const seen = new Uint8Array(n);
      seen[root] = 1;
      const queue = [root];
      for (let q = 0; q < queue.length && !seen[t]; q++) {
        const v = queue[q];
        for (const arc of out[v]) {
          const w = head(arc);
          if (seen[w] || flow[arc] * scale <= tol) continue;
          seen[w] = 1;
          via[w] = arc;
          queue.push(w);
        }
      }
      if (!seen[t]) break;
      const arcs: number[] = [];
      for (let v = t; v !== root; ) {
        const arc = via[v];
        arcs.push(arc);
        v = arc % 2 === 0 ? sm.linkEnds[arc >> 1][0] : sm.linkEnds[arc >> 1][1];
      }
      arcs.reverse();
      let value = need;
      for (const arc of arcs) value = Math.min(value, flow[arc] * scale);
      for (const arc of arcs) flow[arc] -= value / scale;
      need -= value;
      paths.push({ arcs, value });
    }
    result.set(t, paths);
  }
  return result;
}

/** The plan of a solved SNDlib model. x must be the solution the solver returned. */
export function decodeSndlibPlan(sm: SndlibModel, result: SolveResult): SndlibPlan {
  const x = result.x;
  if (x === null) throw new RangeError(`no solution to decode (solver status ${result.status})`);
  const inst = sm.instance;
  const round = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-6 ? Math.round(v) : v);
  const load = new Float64Array(inst.links.length);
  const demands: SndlibDemandPlan[] = inst.demands.map((d) => ({ demandId: d.id, paths: [] }));
  for (const c of sm.commodities) {
    const flow = Float64Array.from(c.flowCol, (j) => (c.binary ? Math.round(x[j]) : Math.max(0, x[j])));
    // Binary commodities carry `copies` unit paths of the demand; others deliver sinks (x copies).
    const sinks = new Map([...c.sinks].map(([t, v]) => [t, c.binary ? c.copies : v * c.copies] as const));
    const bySink = decompose(sm, flow, c.root, sinks, 1);
    // Hand each sink's paths to the demands ending there, in proportion to their values.
    for (const [t, paths] of bySink) {
      const ds = c.demands.filter((d) => {
        const dem = inst.demands[d];
        const s = sm.nodeIndex.get(dem.source);
        const z = sm.nodeIndex.get(dem.target);
        return (s === c.root && z === t) || (z === c.root && s === t);
      });
      const sinkTotal = ds.reduce((s, d) => s + inst.demands[d].value, 0);
      for (const d of ds) {
        const share = c.binary ? inst.demands[d].value : inst.demands[d].value / sinkTotal;
        const dem = inst.demands[d];
        const forward = sm.nodeIndex.get(dem.source) === c.root;
        for (const p of paths) {
          const nodes = [c.root];
          for (const arc of p.arcs) nodes.push(arc % 2 === 0 ? sm.linkEnds[arc >> 1][1] : sm.linkEnds[arc >> 1][0]);
          const linkIds = p.arcs.map((arc) => inst.links[arc >> 1].id);
          const nodeIds = nodes.map((v) => inst.nodes[v].id);
          if (!forward) {
            linkIds.reverse();
            nodeIds.reverse();
          }
          demands[d].paths.push({ links: linkIds, nodes: nodeIds, value: p.value * share });
          // Load counts routed paths only: circulations a zero routing cost lets the solver leave are dropped.
          for (const arc of p.arcs) load[arc >> 1] += p.value * share;
        }
      }
    }
  }
  let moduleCost = 0;
  let setupCost = 0;
  let routingCost = 0;
  const links: SndlibLinkPlan[] = inst.links.map((l, i) => {
    const modules = Array.from(sm.moduleCol[i], (j) => Math.round(x[j]));
    const mc = modules.reduce((s, k, m) => s + k * l.modules[m].cost, 0);
    const opened = sm.setupCol[i] < 0 ? true : Math.round(x[sm.setupCol[i]]) === 1;
    const sc = sm.setupCol[i] < 0 ? 0 : opened ? l.setupCost : 0;
    const rc = l.routingCost * load[i];
    moduleCost += mc;
    setupCost += sc;
    routingCost += rc;
    const capacity = (opened ? l.preinstalledCapacity : 0) + modules.reduce((s, k, m) => s + k * l.modules[m].capacity, 0);
    return { linkId: l.id, modules, opened, capacity, load: round(load[i]), moduleCost: mc, setupCost: sc, routingCost: rc };
  });
  const preinstalledCapacityCost = inst.links.reduce((s, l) => s + l.preinstalledCapacityCost, 0);
  const { x: _x, ...solver } = result;
  return {
    instance: inst.name,
    routing: sm.options.routing,
    survivable: sm.options.survivable,
    capacityModel: sm.options.capacityModel,
    solver,
    cost: moduleCost + setupCost + routingCost + preinstalledCapacityCost,
    moduleCost,
    setupCost,
    routingCost,
    preinstalledCapacityCost,
    links,
    demands,
    ignored: sm.ignored,
  };
}
