/**
 * Independent feasibility check of a build-out plan. It reads the planning input (network, forecast,
 * supply, modes, candidate routes, costs) and the plan document only, never the model or the
 * solver's vector, and recomputes: in every period the lit waves of each demand cover its forecast;
 * every wave's route is a real chain of spans (or opened new routes) between its ends, its mode
 * exists and reaches that route; 1+1 waves ride two routes that share no span and no SRLG; slots on
 * each span fit the lit fiber pairs; lit fiber pairs fit the free pairs of existing plus new cables;
 * cables on a new route only once the route is opened; fiber-km bought fits the period's supply;
 * waves, line systems, cables and routes never decrease; and the stated capex matches.
 */
import { DEFAULT_LINE_SYSTEM, type Network } from '../../domain/network.js';
import { DEFAULT_NEW_CABLE_STRANDS, DEFAULT_PLANNING_COSTS, defaultPlanningModes, type NetworkPlanInput } from './network-input.js';
import type { NetworkPlan, PlannedWave } from './network-plan.js';

export interface NetworkCheckResult {
  ok: boolean;
  problems: string[];
}

const REL = 1e-6;

interface Edge {
  a: string;
  z: string;
  km: number;
  srlgs: readonly string[];
  isNew: boolean;
  slotCount: number;
  litPairs: number;
  freePairs: number;
  used: number;
}

function edgesOf(net: Network, input: NetworkPlanInput): Map<string, Edge> {
  const m = new Map<string, Edge>();
  for (const s of net.spans) {
    let free = 0;
    for (const c of s.cables) free += Math.floor(Math.max(0, c.strandCount - c.strandsInUse) / 2);
    m.set(s.id, {
      a: s.aSiteId, z: s.zSiteId, km: s.lengthKm, srlgs: s.srlgIds, isNew: false,
      slotCount: s.lineSystem ? s.lineSystem.slotCount : DEFAULT_LINE_SYSTEM.slotCount,
      litPairs: s.lineSystem ? s.lineSystem.fiberPairs : 0, freePairs: free, used: input.usedSlotsBySpan?.[s.id] ?? 0,
    });
  }
  for (const r of input.candidateRoutes ?? []) {
    m.set(r.id, { a: r.aSiteId, z: r.zSiteId, km: r.lengthKm, srlgs: r.srlgIds, isNew: true, slotCount: DEFAULT_LINE_SYSTEM.slotCount, litPairs: 0, freePairs: 0, used: 0 });
  }
  return m;
}

/**
 * Walks the route from `from`, cutting it at the regenerator sites; returns the longest transparent
 * segment in km and the site it ends at, or a problem.
 */
function walk(edges: Map<string, Edge>, from: string, ids: readonly string[], regens: readonly string[]): { longestKm: number; end: string } | string {
  let at = from;
  let seg = 0;
  let longest = 0;
  let r = 0;
  const seen = new Set<string>([from]);
  for (const id of ids) {
    const e = edges.get(id);
    if (e === undefined) return `unknown span ${id}`;
    if (e.a === at) at = e.z;
    else if (e.z === at) at = e.a;
    else return `span ${id} does not touch ${at}`;
    if (seen.has(at)) return `route revisits ${at}`;
    seen.add(at);
    seg += e.km;
    longest = Math.max(longest, seg);
    if (r < regens.length && regens[r] === at) {
      seg = 0;
      r++;
    }
  }
  if (r < regens.length) return `regenerator site ${regens[r]} is not on the route (in order)`;
  return { longestKm: longest, end: at };
}

export function checkNetworkPlan(input: NetworkPlanInput, plan: NetworkPlan): NetworkCheckResult {
  const problems: string[] = [];
  const edges = edgesOf(input.network, input);
  const modes = input.modes ?? defaultPlanningModes();
  const costs = input.costs ?? DEFAULT_PLANNING_COSTS;
  const strands = input.newCableStrands ?? DEFAULT_NEW_CABLE_STRANDS;
  const T = input.periods;
  if (plan.periods.length !== T) problems.push(`plan has ${plan.periods.length} periods, the horizon is ${T}`);
  // Forecast per unordered pair and class.
  const need = new Map<string, number[]>();
  for (const f of input.forecast) {
    const key = [f.aSiteId, f.zSiteId].sort().join('|') + '|' + f.protection;
    const arr = need.get(key) ?? new Array<number>(T).fill(0);
    arr[f.period - 1] += f.gbps;
    need.set(key, arr);
  }
  const waveKey = (w: PlannedWave): string => `${w.aSiteId}|${w.zSiteId}|${w.protection}|${w.rateGbps}|${w.spanIds.join(',')}|${w.protectSpanIds.join(',')}`;
  let prevWaves = new Map<string, number>();
  const lsTotal = new Map<string, number>();
  const cbTotal = new Map<string, number>();
  const opened = new Set<string>();
  let capexSum = 0;
  plan.periods.forEach((p, t) => {
    const where = `period ${p.label}`;
    // Builds accumulate into the state; the state must equal previous state plus builds.
    for (const l of p.build.lineSystems) {
      if (!(Number.isInteger(l.added) && l.added > 0)) problems.push(`${where}: line systems added on ${l.spanId} must be a whole number > 0`);
      lsTotal.set(l.spanId, (lsTotal.get(l.spanId) ?? 0) + l.added);
    }
    for (const r of p.build.newRoutes) {
      if (!edges.get(r.routeId)?.isNew) problems.push(`${where}: ${r.routeId} is not a candidate route`);
      if (opened.has(r.routeId)) problems.push(`${where}: route ${r.routeId} opened twice`);
      opened.add(r.routeId);
    }
    let fiberKm = 0;
    let capex = 0;
    for (const c of p.build.cables) {
      const e = edges.get(c.spanId);
      if (e === undefined) {
        problems.push(`${where}: cable on unknown span ${c.spanId}`);
        continue;
      }
      if (!(Number.isInteger(c.added) && c.added > 0)) problems.push(`${where}: cables added on ${c.spanId} must be a whole number > 0`);
      if (e.isNew && !opened.has(c.spanId)) problems.push(`${where}: cable on route ${c.spanId} before the route is opened`);
      cbTotal.set(c.spanId, (cbTotal.get(c.spanId) ?? 0) + c.added);
      fiberKm += c.added * strands * e.km;
      capex += c.added * e.km * (costs.cablePerRouteKm + strands * costs.cablePerStrandKm);
    }
    for (const l of p.build.lineSystems) {
      const e = edges.get(l.spanId);
      if (e) capex += l.added * (costs.lineSystemFixed + costs.lineSystemPerKm * e.km);
    }
    for (const r of p.build.newRoutes) capex += costs.newRoutePerKm * (edges.get(r.routeId)?.km ?? 0);
    const supply = input.fiberSupplyKm?.[t];
    if (supply !== undefined && fiberKm > supply * (1 + REL) + REL) problems.push(`${where}: buys ${fiberKm} fiber-km, supply is ${supply}`);
    // Lit waves: monotone, consistent with the builds, valid routes and modes.
    const now = new Map<string, number>();
    const capacity = new Map<string, number>();
    const slots = new Map<string, number>();
    for (const w of p.lit) {
      const k = waveKey(w);
      now.set(k, (now.get(k) ?? 0) + w.count);
      const mode = modes.find((m) => m.lineRateGbps === w.rateGbps && m.format === w.format && m.slots === w.slots);
      if (mode === undefined) problems.push(`${where}: wave ${k}: no ${w.rateGbps}G ${w.format} mode of ${w.slots} slots`);
      const r = walk(edges, w.aSiteId, w.spanIds, w.regenSiteIds);
      if (typeof r === 'string') problems.push(`${where}: wave ${k}: ${r}`);
      else {
        if (r.end !== w.zSiteId) problems.push(`${where}: wave ${k}: route ends at ${r.end}, not ${w.zSiteId}`);
        if (mode && r.longestKm > mode.reachKm * (1 + REL)) problems.push(`${where}: wave ${k}: a transparent segment of ${r.longestKm} km is beyond the ${mode.reachKm} km reach of ${w.format}`);
      }
      for (const id of w.spanIds) slots.set(id, (slots.get(id) ?? 0) + w.slots * w.count);
      if (w.protection === '1+1') {
        const pm = modes.find((m) => m.lineRateGbps === w.rateGbps && m.format === w.protectFormat && m.slots === w.protectSlots);
        if (pm === undefined) problems.push(`${where}: wave ${k}: protection mode unknown`);
        const q = walk(edges, w.aSiteId, w.protectSpanIds, w.protectRegenSiteIds);
        if (typeof q === 'string') problems.push(`${where}: wave ${k}: protection ${q}`);
        else {
          if (q.end !== w.zSiteId) problems.push(`${where}: wave ${k}: protection route ends at ${q.end}`);
          if (pm && q.longestKm > pm.reachKm * (1 + REL)) problems.push(`${where}: wave ${k}: protection segment beyond reach`);
        }
        const ws = new Set(w.spanIds);
        const wSrlg = new Set(w.spanIds.flatMap((id) => edges.get(id)?.srlgs ?? []));
        if (w.protectSpanIds.some((id) => ws.has(id) || (edges.get(id)?.srlgs ?? []).some((s) => wSrlg.has(s)))) problems.push(`${where}: wave ${k}: working and protection routes share a span or SRLG`);
        for (const id of w.protectSpanIds) slots.set(id, (slots.get(id) ?? 0) + (w.protectSlots ?? 0) * w.count);
      } else if (w.protectSpanIds.length > 0) problems.push(`${where}: wave ${k}: unprotected wave with a protection route`);
      const ck = [w.aSiteId, w.zSiteId].sort().join('|') + '|' + w.protection;
      capacity.set(ck, (capacity.get(ck) ?? 0) + w.rateGbps * w.count);
    }
    for (const [k, n] of prevWaves) if ((now.get(k) ?? 0) < n) problems.push(`${where}: wave ${k} count drops from ${n} to ${now.get(k) ?? 0}`);
    const builtWaves = new Map<string, number>();
    for (const w of p.build.waves) {
      builtWaves.set(waveKey(w), (builtWaves.get(waveKey(w)) ?? 0) + w.count);
      // Two transponders per transparent segment of each route (regenerators are back-to-back pairs).
      const transponders = 2 * (1 + w.regenSiteIds.length) + (w.protection === '1+1' ? 2 * (1 + w.protectRegenSiteIds.length) : 0);
      capex += w.count * transponders * (costs.transponderByRateGbps[w.rateGbps] ?? NaN);
    }
    for (const [k, n] of now) if (n - (prevWaves.get(k) ?? 0) !== (builtWaves.get(k) ?? 0)) problems.push(`${where}: wave ${k}: lit ${n} but built ${builtWaves.get(k) ?? 0} on ${prevWaves.get(k) ?? 0}`);
    prevWaves = now;
    for (const [key, arr] of need) {
      const have = capacity.get(key) ?? 0;
      if (have < arr[t] * (1 - REL) - REL) problems.push(`${where}: demand ${key}: ${have} Gbps lit for ${arr[t]} Gbps forecast`);
    }
    for (const [id, e] of edges) {
      const pairs = e.litPairs + (lsTotal.get(id) ?? 0);
      const used = (slots.get(id) ?? 0) + e.used;
      if ((slots.get(id) ?? 0) > 0 && used > pairs * e.slotCount) problems.push(`${where}: span ${id}: ${used} slots on ${pairs} lit fiber pairs of ${e.slotCount}`);
      const added = lsTotal.get(id) ?? 0;
      const free = e.freePairs + Math.floor(((cbTotal.get(id) ?? 0) * strands) / 2);
      if (added > free) problems.push(`${where}: span ${id}: ${added} new line systems but ${free} free fiber pairs`);
      if (e.isNew && (slots.get(id) ?? 0) > 0 && !opened.has(id)) problems.push(`${where}: waves on route ${id} that is not opened`);
    }
    if (Math.abs(capex - p.capex.total) > REL * Math.max(1, capex)) problems.push(`${where}: capex stated ${p.capex.total}, recomputed ${capex}`);
    capexSum += capex;
  });
  if (Math.abs(capexSum - plan.capex.total) > REL * Math.max(1, capexSum)) problems.push(`total capex stated ${plan.capex.total}, recomputed ${capexSum}`);
  return { ok: problems.length === 0, problems };
}
