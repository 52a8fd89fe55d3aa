/**
 * What-if failure analysis on live data without touching it: load the occupancy and live services once
 * (read-only), run the engine's analysis per scenario, and translate trunk outcomes to the packet circuits
 * riding them.
 */
import { validationFailed, type FieldError } from '../../domain/errors.js';
import type { CircuitSpec } from '../../domain/products.js';
import { isPacketProduct } from '../../domain/products.js';
import { allSingleSpans, allSingleSrlgs, analyzeFailures, failedMask, pathHit, resolveFailedSpans, type FailureScenario, type RestoreDemand, type WhatIfReport } from '../../engine/index.js';
import type { Queryable } from '../../store/db.js';
import * as rs from '../../store/resilience.js';
import type { CircuitDesign } from '../ordering/design.js';
import type { NetworkView } from '../ordering/network-view.js';
import { activeFirst, heldPath, occupancyFrom, serviceDemand, trunkDemand } from './model.js';

/** A failure as named in the API: any mix of spans, SRLGs and sites. */
export interface FailureSpec {
  spans?: string[];
  srlgs?: string[];
  sites?: string[];
}

/** One scenario's outcome per service. */
export interface ServiceWhatIf {
  scenario: string;
  failedSpans: string[];
  affected: string[];
  protected: string[];
  degraded: string[];
  restorable: { id: string; spanIds: string[]; latencyUs: number; addedLatencyUs: number }[];
  lost: { id: string; reason: string }[];
  shortfall: { spanId: string; slots: number; strands: number }[];
  /** Bookings not started yet (held, scheduled, reserved) whose planned path the failure crosses. */
  scheduled: { id: string; state: string; start: string; end: string | null }[];
}

/** Resolves a failure spec to span indices; validation error naming every unknown id. */
export function resolveSpec(view: NetworkView, spec: FailureSpec, path = ''): number[] {
  const g = view.graph;
  const errors: FieldError[] = [];
  const spans = (spec.spans ?? []).map((id, i) => {
    const e = g.spanIndex(id);
    if (e < 0) errors.push({ path: `${path}/spans/${i}`, message: `unknown span ${id}` });
    return e;
  });
  const srlgs = (spec.srlgs ?? []).map((id, i) => {
    const k = g.srlgIds.indexOf(id);
    // An SRLG no span belongs to fails nothing, but a typo should not pass silently.
    if (k < 0 && !view.network.srlgs.some((s) => s.id === id)) errors.push({ path: `${path}/srlgs/${i}`, message: `unknown srlg ${id}` });
    return k;
  });
  const sites = (spec.sites ?? []).map((id, i) => {
    const v = g.nodeIndex(id);
    if (v < 0) errors.push({ path: `${path}/sites/${i}`, message: `unknown site ${id}` });
    return v;
  });
  if (spans.length + srlgs.length + sites.length === 0) errors.push({ path: path || '/', message: 'name at least one span, srlg or site' });
  if (errors.length > 0) throw validationFailed('invalid failure', errors);
  return resolveFailedSpans(g, spans, srlgs.filter((k) => k >= 0), sites);
}

/** Scenarios from the API's scenario field. */
export function scenariosOf(view: NetworkView, scenario: 'all-single-spans' | 'all-single-srlgs' | FailureSpec[]): FailureScenario[] {
  if (scenario === 'all-single-spans') return allSingleSpans(view.graph);
  if (scenario === 'all-single-srlgs') return allSingleSrlgs(view.graph);
  return scenario.map((s, i) => ({ name: `scenario:${i}`, spans: resolveSpec(view, s, `/scenario/${i}`) }));
}

/** Runs the what-if on the live state read through q (nothing is written). */
export async function analyzeLive(q: Queryable, view: NetworkView, scenarios: readonly FailureScenario[]): Promise<ServiceWhatIf[]> {
  const g = view.graph;
  const ids = (await q.query<{ id: string }>(`SELECT id FROM services WHERE state IN ('active', 'down') ORDER BY id`)).rows.map((r) => r.id);
  const rows = await rs.lockServices(q, ids, false);
  const occ = occupancyFrom(view, await rs.allHeld(q, 'spectrum'), await rs.allHeld(q, 'strand'));
  const riders = new Map<string, typeof rows>();
  for (const r of rows) for (const p of (r.design as CircuitDesign).paths) if (p.trunk) riders.set(p.trunk.trunkId, [...(riders.get(p.trunk.trunkId) ?? []), r]);
  const trunks = await rs.trunkPaths(q, [...riders.keys()].sort(), false);
  const demands: RestoreDemand[] = [];
  for (const r of rows) {
    const d = serviceDemand(view, r);
    if (d) demands.push(d);
  }
  for (const t of trunks) {
    const d = trunkDemand(view, t, riders.get(t.id) ?? []);
    if (d) demands.push(d);
  }
  const trunkPathOf = new Map(trunks.map((t) => [t.id, heldPath(view, t)]));
  const reports = analyzeFailures(g, occ.layers, occ.strands, demands, scenarios);
  const booked = await bookedNotStarted(q);
  return reports.map((rep) => {
    const out = toServiceReport(view, rep, rows, riders, trunkPathOf);
    const failed = new Set(out.failedSpans);
    out.scheduled = booked.filter((b) => b.spanIds.some((sid) => failed.has(sid))).map(({ spanIds: _s, ...b }) => b);
    return out;
  });
}

/** Bookings that have not started, with the spans their planned paths cross. */
async function bookedNotStarted(q: Queryable): Promise<{ id: string; state: string; start: string; end: string | null; spanIds: string[] }[]> {
  const r = await q.query<{ id: string; state: string; starts_at: unknown; ends_at: unknown; design: unknown }>(
    `SELECT id, state, starts_at, ends_at, design FROM services WHERE state IN ('held', 'scheduled', 'reserved') AND (ends_at IS NULL OR ends_at > now()) ORDER BY starts_at, id`,
  );
  return r.rows.map((x) => {
    const design = (typeof x.design === 'string' ? JSON.parse(x.design) : x.design) as CircuitDesign;
    return { id: x.id, state: x.state, start: new Date(x.starts_at as string).toISOString(), end: x.ends_at ? new Date(x.ends_at as string).toISOString() : null, spanIds: design.paths.flatMap((p) => p.spanIds) };
  });
}

function toServiceReport(
  view: NetworkView,
  rep: WhatIfReport,
  rows: rs.RestorableServiceRow[],
  riders: Map<string, rs.RestorableServiceRow[]>,
  trunkPathOf: Map<string, ReturnType<typeof heldPath>>,
): ServiceWhatIf {
  const g = view.graph;
  const mask = failedMask(g, rep.failedSpans);
  const trunkIds = new Set(riders.keys());
  const out: ServiceWhatIf = {
    scenario: rep.scenario,
    failedSpans: rep.failedSpans.map((e) => g.spanIds[e]),
    affected: [],
    protected: [...rep.protected.filter((id) => !trunkIds.has(id))],
    degraded: [...rep.degraded.filter((id) => !trunkIds.has(id))],
    restorable: [],
    lost: rep.lost.filter((l) => !trunkIds.has(l.id)),
    shortfall: rep.shortfall.map((s) => ({ spanId: g.spanIds[s.span], slots: s.slots, strands: s.strands })),
    scheduled: [],
  };
  const rerouted = new Map(rep.restorable.map((r) => [r.id, r]));
  for (const r of rep.restorable) {
    if (trunkIds.has(r.id)) continue;
    out.restorable.push({ id: r.id, spanIds: r.path.spans.map((e) => g.spanIds[e]), latencyUs: r.path.latencyUs, addedLatencyUs: r.addedLatencyUs });
  }
  const affected = new Set(rep.affected.filter((id) => !trunkIds.has(id)));
  // Packet circuits follow their trunks: healthy when the trunk is untouched or restored.
  for (const row of rows) {
    const spec = row.spec as CircuitSpec;
    if (!isPacketProduct(spec.product)) continue;
    const paths = activeFirst(row.design as CircuitDesign);
    const hit = paths.map((p) => {
      const hp = p.trunk ? trunkPathOf.get(p.trunk.trunkId) : heldPath(view, p);
      return !hp || pathHit(hp, mask);
    });
    if (!hit.some((h) => h)) continue;
    affected.add(row.id);
    const moved = paths.map((p, i) => (hit[i] && p.trunk ? rerouted.get(p.trunk.trunkId) : undefined));
    if (!hit[0]) out.degraded.push(row.id);
    else if (moved[0]) {
      const m = moved[0];
      out.restorable.push({ id: row.id, spanIds: m.path.spans.map((e) => g.spanIds[e]), latencyUs: m.path.latencyUs, addedLatencyUs: m.addedLatencyUs });
    } else if (spec.protection === 'protected-1+1' && paths.length > 1 && (!hit[1] || moved[1])) out.protected.push(row.id);
    else out.lost.push({ id: row.id, reason: spec.protection === 'protected-1+1' ? 'both-paths-failed' : spec.protection === 'restorable' ? 'no-capacity' : 'unprotected' });
  }
  out.affected = [...affected].sort();
  out.protected.sort();
  out.degraded.sort();
  out.restorable.sort((a, b) => (a.id < b.id ? -1 : 1));
  out.lost.sort((a, b) => (a.id < b.id ? -1 : 1));
  return out;
}
