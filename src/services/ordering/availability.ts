/**
 * Availability over time: when a circuit fits between two sites (consecutive intervals covering the
 * asked period, each feasible or not, with how many such circuits fit when asked), until when an
 * open-ended booking would fit, and (operators) a span's occupancy over time.
 *
 * Occupancy only changes where a reservation starts or ends, so the period is cut at those instants and
 * each piece is judged on what is held during it: in memory for waves and dark fiber (one read of the
 * candidate resources' reservations with their times; a plan that fits a longer window is carried over
 * every piece inside it), one planning read per piece for packet circuits (their trunks come and go
 * too). Waves are judged by GSNR against the channels lit during each piece (any instant of it:
 * conservative), as orders are.
 */
import { validationFailed, type FieldError } from '../../domain/errors.js';
import { MAX_ADVANCE_MS, parseIsoMs, type BookingWindow } from '../../domain/calendar.js';
import { isPacketProduct, type CircuitSpec } from '../../domain/products.js';
import type { Queryable } from '../../store/db.js';
import * as st from '../../store/ordering.js';
import { occupancyFrom, planningRequest, routeResources } from './common.js';
import { DEFAULT_QOT_POLICY, type QotPolicy } from '../../domain/optical.js';
import { checkSites, newTrunkId, parseSpec, planOptions, type OrderingContext } from './context.js';
import type { LineState, LineSystemState } from '../../engine/qot/index.js';
import { buildLitState } from './lit-channels.js';
import type { NetworkView } from './network-view.js';
import { cloneOccupancy, planCircuit, routeFor, routeSpanIds, type Occupancy, type Plan, type PlanOptions, type Route, type WaveShape } from './planner.js';
import { transceiverMode } from '../../domain/transceiver-modes.js';
import { loadQotPolicy } from './qot-policy.js';

/** One piece of the answer: [start, end) and whether (and how many) circuits fit throughout it. */
export interface AvailabilityInterval {
  start: string;
  end: string;
  feasible: boolean;
  /** Circuits that fit side by side throughout the piece (up to COUNT_CAP), when asked for. */
  count?: number;
}

/** The longest period one availability request may cover. */
export const MAX_AVAILABILITY_MS = 366 * 24 * 3_600_000;

/** Counting stops here: "at least this many". */
export const COUNT_CAP = 16;

const DEFAULT_PERIOD_MS = 30 * 24 * 3_600_000;

/** The longest window (in pieces) availability plans one plan for where the carried plan stops fitting. */
const WINDOW_PIECES_MAX = 64;

/** Ranges held at any instant of [fromMs, toMs). */
function heldDuring(ranges: readonly st.TimedRange[], fromMs: number, toMs: number | null): st.HeldRange[] {
  return ranges.filter((r) => (toMs === null || r.fromMs < toMs) && (r.toMs === null || r.toMs > fromMs));
}

/**
 * What judging waves over time needs: the process's held lit-channel state (every channel held from
 * now on, each with its interval, brought up to the store's latest occupancy) and the QoT policy; null
 * for dark fiber.
 */
interface Lit {
  state: LineSystemState;
  policy: QotPolicy;
  /** The last piece's window: the next one starts from its sums (LineSystemState.during). */
  last: LineState | null;
}

async function litOverTime(ctx: OrderingContext, q: Queryable, view: NetworkView, spec: CircuitSpec, near: ReadonlySet<string>): Promise<Lit | null> {
  if (spec.product === 'dark-fiber') return null;
  if (q !== ctx.db) {
    // Inside a transaction (an order's refusal, a change) the reads may see its own uncommitted writes,
    // which must not reach the process's shared state: a state of its own, built for the route.
    const r = await st.litChannelRows(q);
    return { state: buildLitState(view, r.rows, { fromMs: Date.parse(r.now), toMs: null }, near), policy: await loadQotPolicy(q), last: null };
  }
  await ctx.lit.ready(q, view);
  const since = ctx.lit.since(view);
  if (since === null || !ctx.lit.apply(view, await st.occupancyDelta(q, since), ctx.now())) await ctx.lit.reload(q, view);
  return { state: ctx.lit.stateOf(view), policy: await loadQotPolicy(q), last: null };
}

/**
 * Plans circuits for [fromMs, toMs) against the channels lit at any instant of it (a window of the held
 * state: nothing is rebuilt per piece) and turns their waves off again: `plan` gets the options.
 */
function during<T>(lit: Lit | null, spec: CircuitSpec, fromMs: number, toMs: number | null, plan: (opts: PlanOptions, lit: (p: Plan) => void) => T): T {
  if (!lit) return plan(planOptions(null, DEFAULT_QOT_POLICY, 'availability'), () => {});
  // A packet circuit's waves are trunks, held open-ended from their start.
  const state = lit.state.during({ fromMs, toMs: isPacketProduct(spec.product) ? null : toMs }, lit.last);
  lit.last = state;
  const tried: Plan[] = [];
  try {
    return plan(planOptions(state, lit.policy, 'availability'), (p) => tried.push(p));
  } finally {
    for (const p of tried) for (const lp of p.lightpaths) state.remove(lp.id);
  }
}

/** How many circuits fit on this occupancy, up to cap (each one planned and occupied in turn). */
function countFitting(view: NetworkView, occ: Occupancy, spec: CircuitSpec, route: Route, cap: number, opts: PlanOptions, lit: (p: Plan) => void): number {
  const o = cloneOccupancy(occ);
  let n = 0;
  for (; n < cap; n++) {
    // Each circuit's waves stay lit for the next ones, under ids of their own.
    const plan = planCircuit(view, o, spec, route, newTrunkId, { ...opts, qot: { ...opts.qot, idPrefix: `${opts.qot.idPrefix}:${n}` } });
    if (!plan) break;
    lit(plan);
    // The plan consumed its ranges in `o` (planCircuit occupies what it assigns).
  }
  return n;
}

/** Whether one circuit fits on this occupancy (its waves lit only while judged, a lone wave's not at all). */
function fitsOn(view: NetworkView, occ: Occupancy, spec: CircuitSpec, route: Route, opts: PlanOptions, lit: (p: Plan) => void): Plan | null {
  const plan = planCircuit(view, cloneOccupancy(occ), spec, route, newTrunkId, { ...opts, tentative: true });
  if (plan) lit(plan);
  return plan;
}

/**
 * The latest time until which an open-ended booking starting at w.startMs fits on the route, when it
 * does not fit open-ended because of later reservations; null when it does not fit even briefly (or
 * for packet circuits, whose trunks make the answer a plan of its own). Reads through `q`: inside an
 * order's transaction, that transaction (a pool read there waits for a second connection).
 */
export async function fitsUntil(ctx: OrderingContext, q: Queryable, view: NetworkView, spec: CircuitSpec, route: Route, w: BookingWindow): Promise<string | null> {
  if (isPacketProduct(spec.product)) return null;
  const ranges = await st.heldWithTimes(q, routeResources(view, spec, route), new Date(w.startMs).toISOString(), null);
  const lit = await litOverTime(ctx, q, view, spec, new Set(routeSpanIds(view, route)));
  const fits = (toMs: number): boolean => during(lit, spec, w.startMs, toMs, (opts, tried) => fitsOn(view, occupancyFrom(view, spec, { held: heldDuring(ranges, w.startMs, toMs), trunks: [] }), spec, route, opts, tried)) !== null;
  const breaks = [...new Set(ranges.map((r) => r.fromMs).filter((t) => t > w.startMs))].sort((a, b) => a - b);
  if (breaks.length === 0 || !fits(breaks[0])) return null;
  // Feasibility only shrinks as the window grows: the answer is the last break that still fits.
  let lo = 0;
  let hi = breaks.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(breaks[mid])) lo = mid;
    else hi = mid - 1;
  }
  return new Date(breaks[lo]).toISOString();
}

/** The query of GET /v1/availability. */
export interface AvailabilityQuery {
  aSite: string;
  zSite: string;
  product: string;
  bandwidthGbps?: number;
  protection?: string;
  maxLatencyUs?: number;
  from?: string;
  to?: string;
  count?: boolean;
}

/** Consecutive intervals covering [from, to) (default: the next 30 days), each feasible or not. */
export async function availabilityOverTime(ctx: OrderingContext, q: AvailabilityQuery): Promise<{ from: string; to: string; intervals: AvailabilityInterval[] }> {
  const nowMs = ctx.now();
  const errors: FieldError[] = [];
  const fromMs = q.from === undefined ? nowMs : parseIsoMs(q.from);
  if (fromMs === null) errors.push({ path: '/from', message: 'must be an ISO-8601 time with a zone' });
  const toMs = q.to === undefined ? (fromMs ?? nowMs) + DEFAULT_PERIOD_MS : parseIsoMs(q.to);
  if (toMs === null) errors.push({ path: '/to', message: 'must be an ISO-8601 time with a zone' });
  if (fromMs !== null && toMs !== null) {
    if (toMs <= fromMs) errors.push({ path: '/to', message: 'must be after from' });
    else if (toMs - fromMs > MAX_AVAILABILITY_MS) errors.push({ path: '/to', message: 'the period may be at most 366 days' });
    if (fromMs > nowMs + MAX_ADVANCE_MS) errors.push({ path: '/from', message: 'must be at most three years ahead' });
  }
  const { maxLatencyUs, bandwidthGbps, protection, product, aSite, zSite } = q;
  const spec = parseSpec({ product, aSite, zSite, ...(bandwidthGbps !== undefined ? { bandwidthGbps } : {}), ...(protection !== undefined ? { protection } : {}), ...(maxLatencyUs !== undefined ? { maxLatencyUs } : {}) });
  if (errors.length > 0) throw validationFailed('invalid availability request', errors);
  const start = Math.max(fromMs as number, nowMs);
  const end = toMs as number;
  const view = await ctx.views.get(ctx.db);
  checkSites(view, spec);
  const route = routeFor(view, spec, ctx.k);
  const iso = (ms: number) => new Date(ms).toISOString();
  const pieces: AvailabilityInterval[] = [];
  if ((fromMs as number) < start) pieces.push({ start: iso(fromMs as number), end: iso(start), feasible: false });
  if (!route) {
    pieces.push({ start: iso(start), end: iso(end), feasible: false, ...(q.count ? { count: 0 } : {}) });
    return { from: iso(fromMs as number), to: iso(end), intervals: merge(pieces) };
  }
  const lit = await litOverTime(ctx, ctx.db, view, spec, new Set(routeSpanIds(view, route)));
  if (isPacketProduct(spec.product)) {
    // Trunks are lit and retired over time too: one planning read per piece, cut at every change of
    // what the candidate spans and the pair's trunks hold.
    const spans = await st.heldWithTimes(ctx.db, routeResources(view, spec, route), iso(start), iso(end));
    const trunkIds = (await st.trunksBetween(ctx.db, spec.aSite, spec.zSite)).map((t) => t.id);
    const units = await st.heldWithTimes(ctx.db, { kind: 'trunk', ids: trunkIds, subs: 1 }, iso(start), iso(end));
    for (const [a, b] of cuts(start, end, [...spans, ...units])) {
      const snap = await st.planningSnapshot(ctx.db, planningRequest(view, spec, route, null, { start: iso(a), end: iso(b) }));
      const occ = occupancyFrom(view, spec, snap);
      const ok = during(lit, spec, a, b, (opts, tried) => fitsOn(view, occ, spec, route, opts, tried)) !== null;
      pieces.push({ start: iso(a), end: iso(b), feasible: ok, ...(q.count ? { count: ok ? during(lit, spec, a, b, (opts, tried) => countFitting(view, occ, spec, route, COUNT_CAP, opts, tried)) : 0 } : {}) });
    }
    return { from: iso(fromMs as number), to: iso(end), intervals: merge(pieces) };
  }
  const res = routeResources(view, spec, route);
  // Spectrum: the ranges this process keeps, just brought up to the store's occupancy (litOverTime),
  // instead of the store scanning the allocations again (a fifth of a call on the filled calendar).
  const ranges = lit !== null && res.kind === 'spectrum' ? ctx.lit.heldOn(view, res.ids, { fromMs: start, toMs: end }) : await st.heldWithTimes(ctx.db, res, iso(start), iso(end));
  const timed: { startMs: number; endMs: number; feasible: boolean; count?: number }[] = [];
  const physical = lit !== null;
  const cut = cuts(start, end, ranges);
  // Every instant a piece may end at, in order.
  const ends = cut.map(([, b]) => b);
  // The ranges on each resource: a plan meets only those on its own spans.
  const byResource = new Map<string, st.TimedRange[]>();
  for (const r of ranges) {
    const xs = byResource.get(r.resourceId);
    if (xs) xs.push(r);
    else byResource.set(r.resourceId, [r]);
  }
  /**
   * The latest piece end c (after `from`) such that `plan` fits throughout [from, c), or `from` when it
   * does not fit even the first piece. A plan fits a window when no range held in it takes one of its
   * slots and its waves pass the planner's tests among the channels lit at any instant of it; both
   * only get harder as the window grows (more ranges, more channels: GSNR only falls), so a plan
   * that fits [from, c) fits every piece inside it, and the answer is found by galloping over the
   * piece ends (a few evaluations for a run of pieces instead of one per piece). `known`: the index of
   * a piece end the plan was planned through (it fits up to there by construction), or -1.
   */
  const fitsThrough = (plan: Plan, from: number, known: number): number => {
    // The first instant a range taking one of the plan's slots is held.
    let clash = end;
    for (const x of plan.allocations) {
      for (const r of byResource.get(x.resourceId) ?? []) {
        if ((r.toMs === null || r.toMs > from) && r.fromMs < clash && x.sub === r.sub && x.lo < r.hi && r.lo < x.hi) clash = Math.max(r.fromMs, from);
      }
    }
    if (clash <= from) return from;
    const first = ends.findIndex((b) => b > from);
    let last = first;
    while (last + 1 < ends.length && ends[last + 1] <= clash) last++;
    if (ends[last] > clash) return from;
    // A plan fits the window it was planned for, so no range takes its slots there: known ≤ last.
    if (known >= last) return ends[last];
    const passes = (i: number): boolean => !physical || during(lit, spec, from, ends[i], (opts) => stillFits(plan, opts));
    if (passes(last)) return ends[last];
    if (known < first && (last === first || !passes(first))) return from;
    // passes(lo) and not passes(hi): gallop from the last piece known to fit, then bisect.
    let lo = Math.max(first, known);
    let step = 1;
    let hi = last;
    while (lo + step < hi) {
      if (!passes(lo + step)) {
        hi = lo + step;
        break;
      }
      lo += step;
      step *= 2;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (passes(mid)) lo = mid;
      else hi = mid;
    }
    return ends[lo];
  };
  // Feasibility is monotone in what is held: a plan that fits keeps fitting while nothing added
  // meets it, and where nothing fits, nothing fits until some range is released. So a plan found for
  // one piece is carried as far as it provably fits (fitsThrough), and a piece is planned again only
  // where it stops fitting, or where something was released after an infeasible piece (with a count
  // asked for, every piece is counted). Waves are judged by GSNR, which falls with every channel lit
  // on their spans (never rises: test/qot). Where the carried plan stops fitting, it is not carried
  // again from a later start (where a range took its slots it cannot be; where its GSNR fell short
  // over a longer window, a plan made for a window, its shape first, costs less than galloping again
  // over the pieces ahead).
  /** A plan that fits throughout [a, b) (everything held at any instant of it, every channel lit in it), or null. */
  const planFor = (a: number, b: number, like: Shaped | null = null): Plan | null =>
    during(lit, spec, a, b, (opts, tried) => fitsOn(view, occupancyFrom(view, spec, { held: heldDuring(ranges, a, b), trunks: [] }), spec, like?.route ?? route, like ? { ...opts, shape: like.shape } : opts, tried));
  let prev: boolean | null = null;
  let witness: Plan | null = null;
  let fitsTo = -Infinity;
  /** Pieces the last plan was made for. */
  let lastFit = WINDOW_PIECES_MAX / 2;
  for (const piece of sweep(start, ranges, cut, q.count === true)) {
    let feasible: boolean;
    let count: number | undefined;
    if (!q.count && witness && piece.b <= fitsTo) feasible = true;
    else if (!q.count && prev === false && !piece.removed) feasible = false;
    else if (q.count) {
      const occ = occupancyFrom(view, spec, { held: piece.held?.() ?? heldDuring(ranges, piece.a, piece.b), trunks: [] });
      count = during(lit, spec, piece.a, piece.b, (opts, tried) => countFitting(view, occ, spec, route, COUNT_CAP, opts, tried));
      feasible = count > 0;
    } else {
      // Planned again here: for the longest window a plan fits, tried longest first. A plan made for
      // a window (everything held at any instant of it, every channel lit in it) fits each piece
      // inside it and is not soon met by a range that starts later; a plan for the piece alone takes
      // the lowest frequency free now, which a later booking soon takes, and was planned again a
      // few pieces on (a feasible month of a busy route was fifty plans). A window that fits is
      // planned once (planning stops at the first fit); one that does not tries every candidate,
      // mode and frequency, so the lengths start from twice the last that fitted and halve
      // (bench:calendar: a little faster than quartering, and than longer or shorter longest windows).
      const first = ends.indexOf(piece.b);
      const left = ends.length - first;
      const lengths: number[] = [];
      for (let n = Math.min(WINDOW_PIECES_MAX, lastFit * 2); n > 1; n = Math.floor(n / 2)) if (n <= left) lengths.push(n);
      lengths.push(1);
      // The carried plan's shape (path, mode, regenerator sites) is tried first, at every length: it
      // was placed here just before, mostly lost only its frequency to a later booking, and is placed
      // again without probing the other paths, modes and regenerator sites (fewer GSNR evaluations).
      const like = witness && physical ? shapeOf(view, route, witness) : null;
      witness = null;
      for (const shaped of like ? [like, null] : [null]) {
        // Unshaped, a window that does not fit tries every candidate, mode and frequency (a few ms on
        // a busy route). Once the longest has failed, the piece alone is tried next: when it fails too,
        // no longer window can fit (feasibility only shrinks as the window grows), and the piece is
        // infeasible after two such searches instead of one per length.
        let alone: Plan | null = null;
        for (const [i, n] of lengths.entries()) {
          if (alone !== null && n === 1) break;
          witness = planFor(piece.a, ends[first + n - 1], shaped);
          if (witness) {
            fitsTo = ends[first + n - 1];
            lastFit = n;
            break;
          }
          if (shaped !== null || i !== 0 || n === 1) continue;
          alone = planFor(piece.a, piece.b, null);
          if (alone === null) break;
        }
        if (!witness && alone) {
          witness = alone;
          fitsTo = piece.b;
          lastFit = 1;
        }
        if (witness) break;
      }
      feasible = witness !== null;
      if (witness) fitsTo = Math.max(fitsTo, fitsThrough(witness, piece.a, first + lastFit - 1));
    }
    prev = feasible;
    const last = timed[timed.length - 1];
    if (last && last.feasible === feasible && last.count === count) last.endMs = piece.b;
    else timed.push({ startMs: piece.a, endMs: piece.b, feasible, ...(count !== undefined ? { count } : {}) });
  }
  for (const t of timed) pieces.push({ start: iso(t.startMs), end: iso(t.endMs), feasible: t.feasible, ...(t.count !== undefined ? { count: t.count } : {}) });
  return { from: iso(fromMs as number), to: iso(end), intervals: merge(pieces) };
}

/** A carried plan's path (as a route of its own) and wave shape, for planning it again elsewhere in time. */
interface Shaped {
  route: Route;
  shape: WaveShape;
}

/** The shape of a one-wave plan on one of the route's candidates, or null (a pair, strands, a trunk). */
function shapeOf(view: NetworkView, route: Route, plan: Plan): Shaped | null {
  if (route.kind !== 'single' || plan.design.paths.length !== 1) return null;
  const dp = plan.design.paths[0];
  const mode = dp.wave?.modeId === undefined ? undefined : transceiverMode(dp.wave.modeId);
  if (!dp.wave || mode === undefined) return null;
  const g = view.graph;
  const key = dp.spanIds.join(',');
  const path = route.candidates.find((p) => p.spans.map((e) => g.spanIds[e]).join(',') === key);
  if (path === undefined) return null;
  return { route: { kind: 'single', candidates: [path] }, shape: { mode, regenSites: new Set(dp.wave.regeneratorSiteIds.map((id) => g.nodeIndex(id))) } };
}

/**
 * Whether a plan's waves still pass the planner's tests (planWave's: GSNR at least the threshold plus the
 * policy's margin, no lit neighbour pushed below its threshold) in the options' state, each lit for the
 * next as the planner lit them, and all turned off again. Its spectrum is the caller's to check.
 */
function stillFits(plan: Plan, opts: PlanOptions): boolean {
  const state = opts.qot.state;
  const lit: string[] = [];
  try {
    for (const [i, lp] of plan.lightpaths.entries()) {
      if (lp.thresholdDb === undefined) return false;
      const eff = state.evaluate(lp, { neighbours: 'worst' });
      if (eff.gsnrDb < lp.thresholdDb + opts.qot.marginDb || (eff.worst !== null && eff.worst.marginDb < 0)) return false;
      // Lit for the next one; the last is judged alone (lighting it would only be undone).
      if (i + 1 === plan.lightpaths.length) break;
      state.add(lp);
      lit.push(lp.id);
    }
    return true;
  } finally {
    for (const id of lit) state.remove(id);
  }
}

/** One piece of a sweep: [a, b), the ranges held throughout it, and how it differs from the previous piece. */
interface SweepPiece {
  a: number;
  b: number;
  /** The ranges held throughout the piece, when the sweep tracks them. */
  held?: () => st.TimedRange[];
  /** Some range ends at a. */
  removed: boolean;
}

/**
 * Walks the pieces of [start, end) (cuts: cut at every instant a range starts or ends inside it).
 * With `track`, keeps the set held throughout each piece up to date (each range enters and leaves
 * once) instead of filtering every range for every piece; without, says only where a range ends
 * (a sort and a set per call less: most calls ask no count).
 */
function* sweep(start: number, ranges: readonly st.TimedRange[], pieces: readonly [number, number][], track: boolean): Generator<SweepPiece> {
  if (!track) {
    const endsAt = new Set<number>();
    for (const r of ranges) if (r.toMs !== null) endsAt.add(r.toMs);
    // Every range ending inside the period ends at a cut, and was held in the piece before it.
    for (const [a, b] of pieces) yield { a, b, removed: a > start && endsAt.has(a) };
    return;
  }
  const byStart = [...ranges].sort((x, y) => x.fromMs - y.fromMs);
  const byEnd = ranges.filter((r) => r.toMs !== null).sort((x, y) => (x.toMs as number) - (y.toMs as number));
  const active = new Set<st.TimedRange>();
  let nextStart = 0;
  let nextEnd = 0;
  for (const [a, b] of pieces) {
    let removed = false;
    for (; nextEnd < byEnd.length && (byEnd[nextEnd].toMs as number) <= a; nextEnd++) removed = active.delete(byEnd[nextEnd]) || removed;
    for (; nextStart < byStart.length && byStart[nextStart].fromMs < b; nextStart++) {
      const r = byStart[nextStart];
      if (r.toMs !== null && r.toMs <= a) continue;
      active.add(r);
    }
    yield { a, b, held: () => [...active], removed };
  }
}

/** [start, end) cut at every instant a range starts or ends inside it. */
function cuts(start: number, end: number, ranges: readonly st.TimedRange[]): [number, number][] {
  const t = new Set<number>([start, end]);
  for (const r of ranges) {
    if (r.fromMs > start && r.fromMs < end) t.add(r.fromMs);
    if (r.toMs !== null && r.toMs > start && r.toMs < end) t.add(r.toMs);
  }
  const sorted = Float64Array.from(t).sort();
  const out: [number, number][] = [];
  for (let i = 1; i < sorted.length; i++) out.push([sorted[i - 1], sorted[i]]);
  return out;
}

/** Joins neighbouring pieces that say the same. */
function merge(pieces: AvailabilityInterval[]): AvailabilityInterval[] {
  const out: AvailabilityInterval[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.feasible === p.feasible && last.count === p.count) last.end = p.end;
    else out.push({ ...p });
  }
  return out;
}

/** A span's occupancy over [from, to): intervals with the slots held (all fiber pairs) and the total. */
export async function spanOccupancy(ctx: OrderingContext, spanId: string, q: { from?: string; to?: string }): Promise<{ spanId: string; totalSlots: number; intervals: { start: string; end: string; usedSlots: number; utilisation: number }[] }> {
  const nowMs = ctx.now();
  const fromMs = q.from === undefined ? nowMs : parseIsoMs(q.from);
  const toMs = q.to === undefined ? (fromMs ?? nowMs) + DEFAULT_PERIOD_MS : parseIsoMs(q.to);
  if (fromMs === null || toMs === null || toMs <= fromMs || toMs - fromMs > MAX_AVAILABILITY_MS) {
    throw validationFailed('invalid period', [{ path: '/to', message: 'from and to must be ISO-8601 times with from < to, at most 366 days apart' }]);
  }
  const view = await ctx.views.get(ctx.db);
  const e = view.graph.spanIndex(spanId);
  if (e < 0) throw validationFailed('unknown span', [{ path: '/id', message: `no span ${JSON.stringify(spanId)}` }]);
  const ls = view.spans[e].lineSystem;
  const total = ls ? ls.fiberPairs * ls.slotCount : 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ranges = await st.heldWithTimes(ctx.db, { kind: 'spectrum', ids: [spanId], subs: view.maxFiberPairs }, iso(fromMs), iso(toMs));
  const out: { start: string; end: string; usedSlots: number; utilisation: number }[] = [];
  for (const [a, b] of cuts(fromMs, toMs, ranges)) {
    // Slots held in the piece, counted once per (fiber pair, slot) however many reservations share it.
    const used = new Set<string>();
    for (const r of heldDuring(ranges, a, b)) for (let s = r.lo; s < r.hi; s++) used.add(`${r.sub}:${s}`);
    const last = out[out.length - 1];
    if (last && last.usedSlots === used.size) last.end = iso(b);
    else out.push({ start: iso(a), end: iso(b), usedSlots: used.size, utilisation: total > 0 ? used.size / total : 0 });
  }
  return { spanId, totalSlots: total, intervals: out };
}
