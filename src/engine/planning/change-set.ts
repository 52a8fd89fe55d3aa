/**
 * A build-out plan as an inventory change set: what `plan apply` writes, computed from the plan
 * document and the network as it is now. Pure; the services layer previews it and applies it in one
 * transaction.
 *
 * - A new route the plan opens becomes a new span (id = the route's id, its length and geometry), with
 *   the cables laid on it and, when the plan lights pairs on it, a line system of that many fiber pairs.
 * - Cables laid on an existing span are appended to its cables (`strandsPerCable` strands each).
 * - Line systems added on a span light that many more fiber pairs (a span without a line system gets
 *   the default C-band one): each takes two strands, from the span's existing cables first, then from
 *   the new ones, so a later plan on the applied network sees those pairs as no longer free.
 * - Waves are not inventory: they are lit by orders; the change set only counts them.
 *
 * Cable ids are `<span>-<tag>-<k>` with the caller's tag (derived from the plan id), so two plans
 * never collide and the same plan always names the same cables.
 */
import { DEFAULT_LINE_SYSTEM, type Cable, type Network, type Span } from '../../domain/network.js';
import type { NetworkPlan } from './network-plan.js';

/** What one period of the plan contributes to a change. */
export interface ChangePeriod {
  period: number;
  label: string;
  cablesAdded: number;
  lineSystemsAdded: number;
  routeOpened: boolean;
}

/** One inventory change: a span created or updated. */
export interface InventoryChange {
  op: 'span.create' | 'span.update';
  spanId: string;
  /** The span as it is now (null for a new one). */
  before: Span | null;
  after: Span;
  /** Ids of the cables the change lays. */
  cablesAdded: string[];
  fiberPairsAdded: number;
  /** New fiber bought by the change, strands × km. */
  fiberKmAdded: number;
  periods: ChangePeriod[];
}

export interface ChangeSet {
  changes: InventoryChange[];
  /** Reasons the change set cannot be applied to this network (e.g. a span of the plan is gone). */
  conflicts: string[];
  /** Waves the plan lights (by orders, not by apply). */
  wavesPlanned: number;
}

interface Acc {
  cables: number;
  strandsPerCable: number;
  lineSystems: number;
  route: { aSiteId: string; zSiteId: string; lengthKm: number; geometry: Span['geometry'] } | null;
  periods: ChangePeriod[];
}

/** The change set that turns the plan's built capacity into inventory on `network`. */
export function planChangeSet(network: Network, plan: NetworkPlan, tag: string): ChangeSet {
  const acc = new Map<string, Acc>();
  const at = (spanId: string): Acc => {
    let a = acc.get(spanId);
    if (!a) acc.set(spanId, (a = { cables: 0, strandsPerCable: 0, lineSystems: 0, route: null, periods: [] }));
    return a;
  };
  const periodOf = (a: Acc, period: number, label: string): ChangePeriod => {
    let p = a.periods.find((x) => x.period === period);
    if (!p) a.periods.push((p = { period, label, cablesAdded: 0, lineSystemsAdded: 0, routeOpened: false }));
    return p;
  };
  let wavesPlanned = 0;
  for (const q of plan.periods) {
    wavesPlanned += q.build.waves.reduce((n, w) => n + w.count, 0);
    for (const r of q.build.newRoutes) {
      const a = at(r.routeId);
      a.route = { aSiteId: r.aSiteId, zSiteId: r.zSiteId, lengthKm: r.lengthKm, geometry: r.geometry };
      periodOf(a, q.period, q.label).routeOpened = true;
    }
    for (const c of q.build.cables) {
      const a = at(c.spanId);
      a.cables += c.added;
      a.strandsPerCable = c.strandsPerCable;
      periodOf(a, q.period, q.label).cablesAdded += c.added;
    }
    for (const l of q.build.lineSystems) {
      const a = at(l.spanId);
      a.lineSystems += l.added;
      periodOf(a, q.period, q.label).lineSystemsAdded += l.added;
    }
  }
  const spans = new Map(network.spans.map((s) => [s.id, s]));
  const sites = new Set(network.sites.map((s) => s.id));
  const cableIds = new Set(network.spans.flatMap((s) => s.cables.map((c) => c.id)));
  const changes: InventoryChange[] = [];
  const conflicts: string[] = [];
  for (const [spanId, a] of [...acc].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (a.cables === 0 && a.lineSystems === 0 && a.route === null) continue;
    const before = spans.get(spanId) ?? null;
    let base: Span;
    if (a.route !== null) {
      if (before) {
        conflicts.push(`span ${JSON.stringify(spanId)} already exists: the plan opens a new route of that id`);
        continue;
      }
      const missing = [a.route.aSiteId, a.route.zSiteId].filter((s) => !sites.has(s));
      if (missing.length > 0) {
        conflicts.push(`new route ${JSON.stringify(spanId)} ends at unknown site(s) ${missing.join(', ')}`);
        continue;
      }
      base = { id: spanId, aSiteId: a.route.aSiteId, zSiteId: a.route.zSiteId, lengthKm: a.route.lengthKm, measuredLatencyUs: null, geometry: a.route.geometry, srlgIds: [], cables: [], lineSystem: null };
    } else if (!before) {
      conflicts.push(`span ${JSON.stringify(spanId)} of the plan is no longer in the inventory`);
      continue;
    } else {
      base = before;
    }
    const newCables: Cable[] = [];
    for (let k = 1; k <= a.cables; k++) {
      const id = `${spanId}-${tag}-${k}`;
      if (cableIds.has(id)) conflicts.push(`cable ${JSON.stringify(id)} already exists`);
      newCables.push({ id, strandCount: a.strandsPerCable, strandsInUse: 0 });
    }
    const cables = [...base.cables.map((c) => ({ ...c })), ...newCables];
    // Each added line system lights one free fiber pair: two strands, existing cables first.
    let pairs = a.lineSystems;
    for (const c of cables) {
      while (pairs > 0 && c.strandCount - c.strandsInUse >= 2) {
        c.strandsInUse += 2;
        pairs--;
      }
    }
    if (pairs > 0) conflicts.push(`span ${JSON.stringify(spanId)} has no free fiber pair left for ${pairs} of the plan's ${a.lineSystems} line system(s)`);
    const lineSystem = a.lineSystems === 0 ? base.lineSystem : base.lineSystem === null ? { ...DEFAULT_LINE_SYSTEM, fiberPairs: a.lineSystems } : { ...base.lineSystem, fiberPairs: base.lineSystem.fiberPairs + a.lineSystems };
    changes.push({
      op: before ? 'span.update' : 'span.create',
      spanId,
      before,
      after: { ...base, cables, lineSystem },
      cablesAdded: newCables.map((c) => c.id),
      fiberPairsAdded: a.lineSystems,
      fiberKmAdded: newCables.reduce((n, c) => n + c.strandCount * base.lengthKm, 0),
      periods: a.periods.sort((x, y) => x.period - y.period),
    });
  }
  return { changes, conflicts, wavesPlanned };
}
