/**
 * Independent feasibility check of an SNDlib plan against the instance: it reads only the instance
 * and the plan document (never the model or the solver's vector) and recomputes everything:
 * every demand is fully routed on paths that really join its ends, each link's load fits the
 * capacity the plan installs, module counts are whole (at most one module per link for 'explicit'),
 * a link that carries flow or modules and has a setup cost is opened, single-path demands use one
 * path (two link-disjoint ones under 1+1), splittable 1+1 demands survive every single link
 * failure, a link with pre-installed capacity is open (SNDlib: part of every solution), and the
 * plan's stated costs equal the recomputed ones (pre-installed capacity cost included).
 */
import type { DesignInstance } from '../../domain/planning.js';
import type { SndlibPlan } from './sndlib-plan.js';

export interface CheckResult {
  ok: boolean;
  problems: string[];
  /** Recomputed module + setup + routing + pre-installed capacity cost. */
  cost: number;
}

/** Relative tolerance for flows and costs coming back from a floating-point solver. */
const REL = 1e-6;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL * Math.max(1, Math.abs(a), Math.abs(b));
}

export function checkSndlibPlan(inst: DesignInstance, plan: SndlibPlan): CheckResult {
  const problems: string[] = [];
  const linkById = new Map(inst.links.map((l, i) => [l.id, i] as const));
  const load = new Float64Array(inst.links.length);
  const planLinks = new Map(plan.links.map((l) => [l.linkId, l] as const));
  const planDemands = new Map(plan.demands.map((d) => [d.demandId, d] as const));
  for (const d of inst.demands) {
    const dp = planDemands.get(d.id);
    if (dp === undefined) {
      if (d.value > 0) problems.push(`demand ${d.id}: not in the plan`);
      continue;
    }
    const copies = plan.survivable === '1+1' ? 2 : 1;
    let delivered = 0;
    const perLink = new Map<number, number>();
    for (const p of dp.paths) {
      if (!(p.value >= -REL)) problems.push(`demand ${d.id}: negative path flow ${p.value}`);
      if (p.nodes[0] !== d.source || p.nodes[p.nodes.length - 1] !== d.target) problems.push(`demand ${d.id}: path ${p.nodes.join('-')} does not join ${d.source} and ${d.target}`);
      if (p.nodes.length !== p.links.length + 1) problems.push(`demand ${d.id}: path has ${p.nodes.length} nodes for ${p.links.length} links`);
      for (let k = 0; k < p.links.length; k++) {
        const i = linkById.get(p.links[k]);
        if (i === undefined) {
          problems.push(`demand ${d.id}: unknown link ${p.links[k]}`);
          continue;
        }
        const l = inst.links[i];
        const u = p.nodes[k];
        const v = p.nodes[k + 1];
        if (!((l.source === u && l.target === v) || (l.source === v && l.target === u))) problems.push(`demand ${d.id}: link ${l.id} does not join ${u} and ${v}`);
        load[i] += p.value;
        perLink.set(i, (perLink.get(i) ?? 0) + p.value);
      }
      delivered += p.value;
    }
    if (!close(delivered, d.value * copies)) problems.push(`demand ${d.id}: routes ${delivered}, needs ${d.value * copies}`);
    if (plan.routing === 'single-path') {
      if (dp.paths.length !== copies) problems.push(`demand ${d.id}: ${dp.paths.length} paths, single-path routing needs ${copies}`);
      for (const p of dp.paths) if (!close(p.value, d.value)) problems.push(`demand ${d.id}: a single path must carry the whole demand ${d.value}, carries ${p.value}`);
      if (copies === 2 && dp.paths.length === 2) {
        const first = new Set(dp.paths[0].links);
        if (dp.paths[1].links.some((l) => first.has(l))) problems.push(`demand ${d.id}: working and protection paths share a link`);
      }
    } else if (copies === 2) {
      // Survives any single link failure: what is left after removing one link still covers the demand.
      for (const [i, v] of perLink) {
        if (delivered - v < d.value * (1 - REL) - REL) problems.push(`demand ${d.id}: losing link ${inst.links[i].id} leaves ${delivered - v} < ${d.value}`);
      }
    }
  }
  let moduleCost = 0;
  let setupCost = 0;
  let routingCost = 0;
  inst.links.forEach((l, i) => {
    const lp = planLinks.get(l.id);
    const modules = lp?.modules ?? l.modules.map(() => 0);
    if (modules.length !== l.modules.length) problems.push(`link ${l.id}: ${modules.length} module counts for ${l.modules.length} modules`);
    for (const k of modules) if (!Number.isInteger(k) || k < 0) problems.push(`link ${l.id}: module count ${k} is not a whole number >= 0`);
    if (plan.capacityModel === 'explicit' && modules.reduce((s, k) => s + k, 0) > 1) problems.push(`link ${l.id}: explicit capacity allows one module`);
    const moduleCap = modules.reduce((s, k, m) => s + k * (l.modules[m]?.capacity ?? 0), 0);
    const used = load[i] > REL || moduleCap > 0;
    const opened = l.setupCost > 0 ? lp?.opened === true : true;
    if (l.setupCost > 0 && used && !opened) problems.push(`link ${l.id}: used but not opened (setup cost ${l.setupCost})`);
    if (l.setupCost > 0 && l.preinstalledCapacity > 0 && !opened) problems.push(`link ${l.id}: has pre-installed capacity, so it is part of every solution, but the plan does not open it`);
    const capacity = (opened ? l.preinstalledCapacity : 0) + moduleCap;
    if (load[i] > capacity + REL * Math.max(1, capacity)) problems.push(`link ${l.id}: load ${load[i]} exceeds capacity ${capacity}`);
    if (lp !== undefined && !close(lp.load, load[i])) problems.push(`link ${l.id}: plan states load ${lp.load}, paths give ${load[i]}`);
    moduleCost += modules.reduce((s, k, m) => s + k * (l.modules[m]?.cost ?? 0), 0);
    if (l.setupCost > 0 && opened) setupCost += l.setupCost;
    routingCost += l.routingCost * load[i];
  });
  const cost = moduleCost + setupCost + routingCost + inst.links.reduce((s, l) => s + l.preinstalledCapacityCost, 0);
  if (!close(cost, plan.cost)) problems.push(`plan states cost ${plan.cost}, recomputed ${cost}`);
  return { ok: problems.length === 0, problems, cost };
}
