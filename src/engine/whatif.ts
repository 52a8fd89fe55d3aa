/**
 * What-if failure analysis: for each scenario (a set of failed spans), what restoration would do to every
 * circuit it touches, computed on copies of the occupancy so nothing live changes. Also the capacity a
 * scenario lacks: the slots (strands) the circuits it loses for capacity would need on their shortest
 * healthy path.
 */
import type { Graph, Path } from './graph.js';
import { plansForPath } from './rsa.js';
import { shortestPath } from './paths.js';
import { SpanIndex } from './restore-index.js';
import type { DownReason, RestoreDemand, RestoreOptions, StrandPools } from './restore.js';
import { failedMask, planRestorationOn, prepareOccupancy } from './restore.js';
import type { SpectrumGrid } from './spectrum.js';

/** A named set of failed spans. */
export interface FailureScenario {
  name: string;
  spans: number[];
}

/** One scenario's outcome. */
export interface WhatIfReport {
  scenario: string;
  failedSpans: number[];
  /** Every circuit holding a failed span, sorted. */
  affected: string[];
  /** 1+1 circuits that switch to their standby. */
  protected: string[];
  /** 1+1 circuits that keep working but lose their standby. */
  degraded: string[];
  restorable: { id: string; path: Path; addedLatencyUs: number }[];
  lost: { id: string; reason: DownReason }[];
  /** Per span: what the circuits lost for capacity would need there. */
  shortfall: { span: number; slots: number; strands: number }[];
}

/** Spans failed by an event on the given spans, SRLGs (by index) and sites (by index), sorted. */
export function resolveFailedSpans(g: Graph, spans: readonly number[], srlgs: readonly number[], sites: readonly number[]): number[] {
  const out = new Set<number>(spans);
  if (srlgs.length > 0) {
    const want = new Set(srlgs);
    for (let e = 0; e < g.spanCount; e++) {
      for (let j = g.spanSrlgStart[e]; j < g.spanSrlgStart[e + 1]; j++) if (want.has(g.spanSrlg[j])) out.add(e);
    }
  }
  for (const v of sites) for (let j = g.adjStart[v]; j < g.adjStart[v + 1]; j++) out.add(g.adjSpan[j]);
  return [...out].sort((a, b) => a - b);
}

/** One scenario per span. */
export function allSingleSpans(g: Graph): FailureScenario[] {
  return g.spanIds.map((id, e) => ({ name: `span:${id}`, spans: [e] }));
}

/** One scenario per SRLG (all its spans together). */
export function allSingleSrlgs(g: Graph): FailureScenario[] {
  return g.srlgIds.map((id, k) => ({ name: `srlg:${id}`, spans: resolveFailedSpans(g, [], [k], []) }));
}

/** Reverse index of the spans every demand holds. */
export function indexDemands(demands: readonly RestoreDemand[]): SpanIndex {
  const idx = new SpanIndex();
  for (const d of demands) idx.set(d.id, d.paths.flatMap((p) => p.spans));
  return idx;
}

function shortfallOf(g: Graph, failed: Uint8Array, d: RestoreDemand, table: RestoreOptions['table']): { spans: number[]; slots: number; strands: number } | null {
  const filter = d.kind === 'strands' ? (e: number) => failed[e] === 0 : (e: number) => failed[e] === 0 && g.slotCount[e] > 0;
  const r = shortestPath(g, d.src, d.dst, { spanFilter: filter, ...(d.maxLatencyUs !== null ? { maxLatencyUs: d.maxLatencyUs } : {}) });
  if (r.status !== 'found') return null;
  if (d.kind === 'strands') return { spans: r.path.spans, slots: 0, strands: 2 };
  const plan = plansForPath(g, r.path, d.lineRateGbps, table)[0];
  return plan ? { spans: r.path.spans, slots: plan.mode.slots, strands: 0 } : null;
}

/**
 * Runs each scenario against the same starting occupancy (never modified) and reports what restoration
 * would do. The reverse index finds each scenario's circuits without scanning all demands.
 */
export function analyzeFailures(
  g: Graph,
  layers: readonly SpectrumGrid[],
  strands: StrandPools,
  demands: readonly RestoreDemand[],
  scenarios: readonly FailureScenario[],
  options: RestoreOptions & { index?: SpanIndex } = {},
): WhatIfReport[] {
  const index = options.index ?? indexDemands(demands);
  const byId = new Map(demands.map((d) => [d.id, d]));
  // Every scenario starts from the same occupancy: sort the strand lists and find free pairs once.
  const occ = prepareOccupancy(layers, strands);
  return scenarios.map((sc) => {
    const failed = failedMask(g, sc.spans);
    const affected = index.affected(sc.spans);
    const hit = affected.map((id) => byId.get(id)).filter((d): d is RestoreDemand => d !== undefined);
    const plan = planRestorationOn(g, occ, failed, hit, options);
    // Circuits with the same ends, bound and rate need the same thing: one search per such key.
    const shortfalls = new Map<string, ReturnType<typeof shortfallOf>>();
    const report: WhatIfReport = { scenario: sc.name, failedSpans: [...sc.spans], affected, protected: [], degraded: [], restorable: [], lost: [], shortfall: [] };
    const need = new Map<number, { slots: number; strands: number }>();
    for (const o of plan.outcomes) {
      if (o.action === 'switched') report.protected.push(o.id);
      else if (o.action === 'degraded') report.degraded.push(o.id);
      else if (o.action === 'rerouted') report.restorable.push({ id: o.id, path: o.path, addedLatencyUs: o.addedLatencyUs });
      else {
        report.lost.push({ id: o.id, reason: o.reason });
        if (o.reason !== 'no-capacity') continue;
        const d = byId.get(o.id) as RestoreDemand;
        const key = `${d.kind}:${d.src}:${d.dst}:${d.maxLatencyUs ?? ''}:${d.lineRateGbps}`;
        let s = shortfalls.get(key);
        if (s === undefined) {
          s = shortfallOf(g, failed, d, options.table);
          shortfalls.set(key, s);
        }
        if (!s) continue;
        for (const e of s.spans) {
          const n = need.get(e) ?? { slots: 0, strands: 0 };
          n.slots += s.slots;
          n.strands += s.strands;
          need.set(e, n);
        }
      }
    }
    report.protected.sort();
    report.degraded.sort();
    report.restorable.sort((a, b) => (a.id < b.id ? -1 : 1));
    report.lost.sort((a, b) => (a.id < b.id ? -1 : 1));
    report.shortfall = [...need].sort((a, b) => a[0] - b[0]).map(([span, n]) => ({ span, ...n }));
    return report;
  });
}
