/**
 * What the planning view draws from a plan document, as pure functions (no DOM), so the portal's logic
 * tests check them against the document: a colour per period; the map overlays (spans that get cables
 * or line systems, solid, and the new routes a plan opens, dashed along their own geometry, each in
 * the colour of the first period that builds there); the per-period series of the charts (fiber miles,
 * capex, mean utilisation of lit links) and their bars; the spans that run out without the plan.
 */
import type { PlanDocument } from '../api/ordering-types.js';
import { niceCeil } from '../transfers/chart.js';

import type { PathOverlay } from '../map/overlay.js';

/** Period colours, first year to last (distinct from the utilisation ramp's greens and reds). */
export const PERIOD_COLOURS: readonly string[] = ['#2563eb', '#7c3aed', '#db2777', '#ea580c', '#0e9aa7', '#4b5563'];

export function periodColour(index: number): string {
  return PERIOD_COLOURS[index % PERIOD_COLOURS.length];
}

/** One built link: where, in which period first, what. */
export interface BuiltLink {
  spanId: string;
  period: number;
  label: string;
  cablesAdded: number;
  lineSystemsAdded: number;
  newRoute: boolean;
}

/** Every link the plan builds on, with the first period that builds there. */
export function builtLinks(doc: PlanDocument): BuiltLink[] {
  const out = new Map<string, BuiltLink>();
  const at = (spanId: string, period: number, label: string): BuiltLink => {
    let b = out.get(spanId);
    if (!b) out.set(spanId, (b = { spanId, period, label, cablesAdded: 0, lineSystemsAdded: 0, newRoute: false }));
    return b;
  };
  for (const p of doc.periods) {
    for (const r of p.build.newRoutes) at(r.routeId, p.period, p.label).newRoute = true;
    for (const c of p.build.cables) at(c.spanId, p.period, p.label).cablesAdded += c.added;
    for (const l of p.build.lineSystems) at(l.spanId, p.period, p.label).lineSystemsAdded += l.added;
  }
  return [...out.values()].sort((a, b) => a.period - b.period || (a.spanId < b.spanId ? -1 : 1));
}

/**
 * Map overlays: one per period with the existing spans first built on in it (drawn on the spans'
 * geometry), and one per new route (its own geometry, dashed). Later periods draw above earlier ones.
 */
export function planOverlays(doc: PlanDocument): PathOverlay[] {
  const links = builtLinks(doc);
  const out: PathOverlay[] = [];
  doc.periods.forEach((p, i) => {
    const spanIds = links.filter((l) => l.period === p.period && !l.newRoute).map((l) => l.spanId);
    if (spanIds.length > 0) out.push({ key: `plan-${p.period}`, spanIds, colour: periodColour(i), emphasised: true });
    for (const r of p.build.newRoutes) out.push({ key: `plan-route-${r.routeId}`, spanIds: [], colour: periodColour(i), emphasised: true, lines: [r.geometry], dashed: true });
  });
  return out;
}

export interface PeriodPoint {
  label: string;
  fiberMiles: number;
  capex: number;
  /** Mean utilisation of the links lit after the period (0..1); null when nothing is lit. */
  utilisation: number | null;
}

export function periodSeries(doc: PlanDocument): PeriodPoint[] {
  return doc.periods.map((p) => {
    const lit = p.utilisation.filter((u) => u.utilisation !== null);
    return {
      label: p.label,
      fiberMiles: p.kpis.fiberMiles,
      capex: p.capex.total,
      utilisation: lit.length === 0 ? null : lit.reduce((s, u) => s + (u.utilisation ?? 0), 0) / lit.length,
    };
  });
}

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
}

/** Bars for a series in a width × height plot area, on an axis from 0 to a round top (`top`, or 1 for shares). */
export function bars(values: readonly { label: string; value: number }[], width: number, height: number, top?: number): { top: number; bars: Bar[] } {
  const max = top ?? niceCeil(Math.max(0, ...values.map((v) => v.value)));
  const slot = width / Math.max(1, values.length);
  const w = slot * 0.6;
  return {
    top: max,
    bars: values.map((v, i) => {
      const h = max > 0 ? (Math.max(0, v.value) / max) * height : 0;
      return { label: v.label, value: v.value, x: i * slot + (slot - w) / 2, y: height - h, width: w, height: h, colour: periodColour(i) };
    }),
  };
}

/** Spans that run out within the horizon without the plan, soonest first. */
export function exhaustionRows(doc: PlanDocument): { spanId: string; label: string; slotsAvailable: number; slotsNeeded: number[] }[] {
  return doc.exhaustion
    .filter((e) => e.exhaustedInPeriod !== null)
    .sort((a, b) => (a.exhaustedInPeriod ?? 0) - (b.exhaustedInPeriod ?? 0) || (a.spanId < b.spanId ? -1 : 1))
    .map((e) => ({ spanId: e.spanId, label: e.label ?? String(e.exhaustedInPeriod), slotsAvailable: e.slotsAvailable, slotsNeeded: e.slotsNeeded }));
}
