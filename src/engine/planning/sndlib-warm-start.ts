/**
 * Heuristic warm start for the SNDlib model (splittable or single-path, not 1+1): every demand on
 * one path, every link equipped with the cheapest module mix that covers its load.
 *
 * 1. Route the demands one by one, largest first, on a least-cost path, in two ways:
 *    - linearised: a link costs its routing cost plus, unless its pre-installed capacity still fits
 *      the demand, its cheapest module cost per unit of capacity (the cost the LP relaxation sees);
 *      under explicit capacities a link whose largest module cannot take the load is closed;
 *    - marginal: a link costs what adding the demand to its current load adds to the link's cost
 *      (cheapest module cover, setup cost when it opens, routing cost).
 * 2. Improve each by rip-up and reroute: take each demand off its path and put it back on the path
 *    of least marginal cost given all the others; the total never increases (the old path is one of
 *    the candidates); repeat until a pass gains nothing or `passes` is reached.
 * 3. Keep the cheaper, equip links with their cheapest cover, and return the model's column vector
 *    if it satisfies every row (checked with maxViolation), else null.
 *
 * Pure and deterministic (fixed orders, no randomness). The solver takes it as a MIP start: the
 * branch and bound begins with an incumbent and prunes against it; bench/plan.ts measures the
 * effect. The cheapest cover of a load is an exact unbounded knapsack-cover dynamic program in
 * units of the gcd of the link's module capacities.
 */
import { DepartureHeap } from '../sim/event-heap.js';
import { maxViolation } from './model.js';
import type { SndlibModel } from './sndlib-model.js';

/** Largest cover table one link may need (units of its capacity gcd); beyond it the heuristic gives up. */
const MAX_UNITS = 2_000_000;

function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}

/** Unit of a link's cover table: the gcd of integer capacities, else the smallest capacity. */
function coverUnit(caps: readonly number[]): number {
  return caps.length === 0 ? 1 : caps.every(Number.isInteger) ? caps.reduce(gcd) : Math.min(...caps);
}

/** Entries of a link's cover table for loads up to maxLoad (0 without modules: only pre-installed capacity). */
function coverUnits(caps: readonly number[], preinstalled: number, maxLoad: number): number {
  return caps.length === 0 ? 0 : Math.max(0, Math.ceil((maxLoad - preinstalled) / coverUnit(caps) - 1e-9));
}

/** Cheapest way to give one link a load: module counts and cost (modules, setup, routing). */
class LinkCover {
  private readonly unit: number;
  private readonly unitsOf: Int32Array;
  private readonly best: Float64Array;
  private readonly choice: Int32Array;

  constructor(
    private readonly caps: readonly number[],
    costs: readonly number[],
    private readonly preinstalled: number,
    private readonly setupCost: number,
    private readonly routingCost: number,
    explicit: boolean,
    maxLoad: number,
    /** Loads at or below this are no load (sums of floating-point flows leave crumbs). */
    private readonly eps: number,
  ) {
    // Integer capacities: units of their gcd, exact. Otherwise units of the smallest capacity,
    // each module counted as the whole units it holds: never more capacity than it has.
    this.unit = coverUnit(caps);
    this.unitsOf = Int32Array.from(caps, (c) => Math.floor(c / this.unit + 1e-9));
    const U = coverUnits(caps, preinstalled, maxLoad);
    this.best = new Float64Array(U + 1).fill(Infinity);
    this.choice = new Int32Array(U + 1).fill(-1);
    this.best[0] = 0;
    for (let u = 1; u <= U; u++) {
      for (let k = 0; k < caps.length; k++) {
        const rest = Math.max(0, u - this.unitsOf[k]);
        if (explicit && rest > 0) continue;
        const c = costs[k] + this.best[rest];
        if (c < this.best[u]) {
          this.best[u] = c;
          this.choice[u] = k;
        }
      }
    }
  }

  private units(load: number): number {
    return Math.max(0, Math.ceil((load - this.preinstalled) / this.unit - 1e-9));
  }

  /** Cost of carrying load (Infinity if no module mix can). A link with pre-installed capacity is always open. */
  cost(load: number): number {
    if (load <= this.eps) return 0;
    const u = this.units(load);
    if (u >= this.best.length) return Infinity;
    const setup = this.setupCost > 0 && this.preinstalled === 0 ? this.setupCost : 0;
    return this.best[u] + setup + this.routingCost * load;
  }

  modules(load: number): number[] {
    const n = this.caps.map(() => 0);
    for (let u = load <= this.eps ? 0 : this.units(load); u > 0; ) {
      const k = this.choice[u];
      n[k]++;
      u = Math.max(0, u - this.unitsOf[k]);
    }
    return n;
  }
}

/** One routed amount: a commodity's flow from its root to one sink. */
interface Item {
  commodity: number;
  root: number;
  sink: number;
  value: number;
  /** Arcs (2i = link i source→target, 2i+1 reverse) from root to sink. */
  arcs: number[];
}

/** The warm start's column vector, or null (1+1, or no feasible plan found this way). */
export function sndlibWarmStart(sm: SndlibModel, passes = 10): Float64Array | null {
  if (sm.commodities.some((c) => c.copies !== 1)) return null;
  const inst = sm.instance;
  const n = inst.nodes.length;
  const L = inst.links.length;
  const explicit = sm.options.capacityModel === 'explicit';
  const maxLoad = inst.demands.reduce((s, d) => s + d.value, 0);
  const eps = 1e-12 * Math.max(1, maxLoad);
  for (const l of inst.links) if (coverUnits(l.modules.map((m) => m.capacity), l.preinstalledCapacity, maxLoad) > MAX_UNITS) return null;
  const cover = inst.links.map((l) => new LinkCover(l.modules.map((m) => m.capacity), l.modules.map((m) => m.cost), l.preinstalledCapacity, l.setupCost, l.routingCost, explicit, maxLoad, eps));
  const perUnit = inst.links.map((l) => (l.modules.length === 0 ? Infinity : Math.min(...l.modules.map((m) => m.cost / m.capacity))));
  const maxCap = inst.links.map((l) => l.preinstalledCapacity + (explicit ? Math.max(0, ...l.modules.map((m) => m.capacity)) : l.modules.length > 0 ? Infinity : 0));
  const out: number[][] = Array.from({ length: n }, () => []);
  sm.linkEnds.forEach(([a, z], i) => {
    out[a].push(2 * i);
    out[z].push(2 * i + 1);
  });
  const head = (arc: number): number => sm.linkEnds[arc >> 1][arc & 1 ? 0 : 1];
  const tail = (arc: number): number => sm.linkEnds[arc >> 1][arc & 1 ? 1 : 0];

  const template: Item[] = [];
  sm.commodities.forEach((c, ci) => {
    for (const [sink, value] of c.sinks) if (value > 0) template.push({ commodity: ci, root: c.root, sink, value, arcs: [] });
  });
  template.sort((a, b) => b.value - a.value || a.commodity - b.commodity || a.sink - b.sink);

  const heap = new DepartureHeap(2 * L + 1);
  const dist = new Float64Array(n);
  const via = new Int32Array(n);
  const arcCost = new Float64Array(L);
  /** Least-cost path for it under arcCost; null if the sink cannot be reached. */
  const route = (it: Item): number[] | null => {
    dist.fill(Infinity);
    via.fill(-1);
    heap.clear();
    dist[it.root] = 0;
    heap.push(0, it.root);
    while (heap.size > 0) {
      const d = heap.peekTime();
      const v = heap.pop();
      if (d > dist[v]) continue;
      if (v === it.sink) break;
      for (const arc of out[v]) {
        const w = head(arc);
        const nd = d + arcCost[arc >> 1];
        if (nd < dist[w]) {
          dist[w] = nd;
          via[w] = arc;
          heap.push(nd, w);
        }
      }
    }
    if (!Number.isFinite(dist[it.sink])) return null;
    const arcs: number[] = [];
    for (let v = it.sink; v !== it.root; v = tail(via[v])) arcs.push(via[v]);
    return arcs.reverse();
  };
  const total = (load: Float64Array): number => cover.reduce((s, c, i) => s + c.cost(load[i]), 0);

  const run = (linearised: boolean): { items: Item[]; load: Float64Array; cost: number } | null => {
    const items = template.map((t) => ({ ...t, arcs: [] as number[] }));
    const load = new Float64Array(L);
    const place = (it: Item, linear: boolean): boolean => {
      for (let i = 0; i < L; i++) {
        const l = inst.links[i];
        if (linear) arcCost[i] = load[i] + it.value > maxCap[i] ? Infinity : l.routingCost + (l.preinstalledCapacity - load[i] >= it.value ? 0 : perUnit[i]);
        else arcCost[i] = cover[i].cost(load[i] + it.value) - cover[i].cost(load[i]);
      }
      const arcs = route(it);
      if (arcs === null) return false;
      it.arcs = arcs;
      for (const a of arcs) load[a >> 1] += it.value;
      return true;
    };
    for (const it of items) if (!place(it, linearised)) return null;
    let cost = total(load);
    for (let p = 0; p < passes; p++) {
      for (const it of items) {
        for (const a of it.arcs) load[a >> 1] -= it.value;
        if (!place(it, false)) return null;
      }
      const now = total(load);
      const gained = now < cost - 1e-9 * Math.max(1, cost);
      cost = Math.min(cost, now);
      if (!gained) break;
    }
    return Number.isFinite(cost) ? { items, load, cost } : null;
  };

  const candidates = [run(true), run(false)].filter((r): r is NonNullable<typeof r> => r !== null);
  if (candidates.length === 0) return null;
  const best = candidates.reduce((a, b) => (b.cost < a.cost ? b : a));
  const x = new Float64Array(sm.model.colNames.length);
  for (const it of best.items) {
    const c = sm.commodities[it.commodity];
    for (const a of it.arcs) x[c.flowCol[a]] += c.binary ? 1 : it.value;
  }
  inst.links.forEach((l, i) => {
    cover[i].modules(best.load[i]).forEach((k, m) => (x[sm.moduleCol[i][m]] = k));
    if (sm.setupCol[i] >= 0) x[sm.setupCol[i]] = best.load[i] > eps || l.preinstalledCapacity > 0 ? 1 : 0;
  });
  return maxViolation(sm.model, x).violation <= 1e-6 ? x : null;
}
