/**
 * Quotes: up to k priced ways to deliver a circuit in a window, given what the calendar holds during
 * that window (a unit held at any instant of it is taken). Reserves nothing. A recurring booking is
 * quoted occurrence by occurrence: each option (a path) says in which occurrences its capacity is free.
 * Waves are checked by GSNR against the channels lit during the window (lit-channels.ts).
 */
import { newUlid as ulid } from '../ids.js';
import type { BookingWindow } from '../../domain/calendar.js';
import { latencyLowerBoundUs } from '../../domain/network.js';
import type { CircuitSpec } from '../../domain/products.js';
import * as st from '../../store/ordering.js';
import { parseBooking, windowIso } from './booking.js';
import { occupancyFrom, planningRequest } from './common.js';
import { addDropFor, checkSites, litState, litWindow, newTrunkId, parseSpec, planOptions, policyOf, pricingOf, sitesKnown, withLoss, type OrderingContext } from './context.js';
import type { CircuitDesign } from './design.js';
import { toQuote, type Quote, type QuoteOption } from './model.js';
import type { NetworkView } from './network-view.js';
import { cloneOccupancy, planCircuit, qotSummary, routeFor, type Route } from './planner.js';
import { priceBookFrom } from './pricebook.js';
import type { Principal } from './principal.js';

/** Times a statement may find the inventory moved past the cached view before the caller gives up. */
const MAX_VIEW_ATTEMPTS = 3;

/** The routes a quote prices separately: each unprotected candidate on its own, a protected pair as one. */
function optionRoutes(route: Route): Route[] {
  return route.kind === 'pair' ? route.pairs.map((pair) => ({ kind: 'pair', pairs: [pair], disjointness: route.disjointness })) : route.candidates.map((c) => ({ kind: 'single', candidates: [c] }));
}

/** The key that tells two options apart: their paths. */
function designKey(design: CircuitDesign): string {
  return design.paths.map((x) => x.spanIds.join(',')).join('|');
}

/**
 * Plans for one window: the view, the route and the snapshot read for it (re-read if the inventory
 * moved). `heldSpans`: the spans whose held spectrum the snapshot did not read (see below), else null.
 */
async function planningRead(ctx: OrderingContext, spec: CircuitSpec, w: BookingWindow): Promise<{ view: NetworkView; route: Route | null; snap: st.PlanningSnapshot; heldSpans: readonly string[] | null }> {
  // Plan on the cached view and read version, price book, QoT policy, occupancy and what changed in the
  // lit channels in one statement; only when the inventory moved meanwhile is the view rebuilt and the
  // read repeated. A quote reserves nothing, so when the inventory keeps changing the last route and
  // snapshot (read for the same view) still do.
  let view = await ctx.views.cached(ctx.db);
  const optical = spec.product !== 'dark-fiber';
  for (let attempt = 1; ; attempt++) {
    const route = sitesKnown(view, spec) ? routeFor(view, spec, ctx.k) : null;
    if (optical && route) await ctx.lit.ready(ctx.db, view);
    const since = optical && route ? ctx.lit.since(view) : null;
    const req = planningRequest(view, spec, route, null, windowIso(w), since);
    // Spectrum held on the route: the lit channels this process keeps are every spectrum allocation,
    // brought up to this snapshot by the delta it reads, so the store need not scan them again.
    const heldSpans = since !== null && req.kind === 'spectrum' ? req.resourceIds : null;
    const snap = await st.planningSnapshot(ctx.db, heldSpans ? { ...req, resourceIds: [] } : req);
    if (snap.inventoryVersion === view.version || attempt >= MAX_VIEW_ATTEMPTS) return { view, route, snap, heldSpans };
    view = await ctx.views.at(ctx.db, snap.inventoryVersion);
  }
}

/** Prices up to k ways to deliver a circuit in the requested window(s). Reserves nothing. */
export async function quote(ctx: OrderingContext, p: Principal, input: unknown): Promise<Quote> {
  const { circuit, booking } = parseBooking(input, ctx.now(), { allowHold: false });
  const spec = parseSpec(circuit);
  const options: QuoteOption[] = [];
  const byKey = new Map<string, QuoteOption>();
  const windows = booking.windows;
  for (const [wi, w] of windows.entries()) {
    const { view, route, snap, heldSpans } = await planningRead(ctx, spec, w);
    if (wi === 0) checkSites(view, spec);
    if (!route) continue;
    const book = priceBookFrom(snap.priceBook);
    const policy = policyOf(snap);
    const optical = spec.product !== 'dark-fiber';
    const lw = litWindow(spec, w, Date.parse(snap.now));
    const state = optical ? await litState(ctx, ctx.db, view, snap, lw) : null;
    // litState applied the snapshot's delta: the rows kept now are what the snapshot would have read.
    const occ = occupancyFrom(view, spec, heldSpans ? { ...snap, held: ctx.lit.heldOn(view, heldSpans, lw) } : snap);
    const free = await addDropFor(ctx, ctx.db, view, spec);
    if (free) occ.addDrop = free;
    const a = view.sites.get(spec.aSite);
    const z = view.sites.get(spec.zSite);
    const lowerBound = a && z ? latencyLowerBoundUs(a, z) : 0;
    const seenHere = new Set<string>();
    for (const r of optionRoutes(route)) {
      if (seenHere.size >= ctx.k) break;
      const plan = planCircuit(view, cloneOccupancy(occ), spec, r, newTrunkId, planOptions(state, policy, `quote:${wi}:${seenHere.size}`, { tentative: true }));
      // A quote lights nothing: the waves it tried go dark again (a lone wave's last segment was never lit).
      if (plan && state) for (const lp of plan.lightpaths) state.remove(lp.id);
      if (!plan) continue;
      const design = withLoss(view, spec, plan.design, policy);
      const key = designKey(design);
      // Packet circuits may groom several candidates onto one trunk.
      if (seenHere.has(key)) continue;
      seenHere.add(key);
      let option = byKey.get(key);
      if (!option) {
        const working = design.paths[0];
        option = {
          id: `opt-${options.length + 1}`,
          paths: design.paths,
          ...(design.sharing ? { sharing: design.sharing } : {}),
          ...(optical && qotSummary(design).length > 0 ? { qot: qotSummary(design) } : {}),
          lengthKm: working.lengthKm,
          latencyUs: working.latencyUs,
          latencyLowerBoundUs: lowerBound,
          ...pricingOf(book, spec, design, view),
          ...(booking.recurring ? { occurrences: windows.map((x) => ({ ...windowIso(x), feasible: false })) } : {}),
        };
        byKey.set(key, option);
        options.push(option);
      }
      if (option.occurrences) option.occurrences[wi].feasible = true;
    }
  }
  const row = await st.insertQuote(ctx.db, {
    id: `quo_${ulid()}`,
    tenantId: p.tenantId,
    request: { ...spec, windows: windows.map(windowIso) },
    options,
    expiresAt: new Date(ctx.now() + ctx.quoteTtlMs).toISOString(),
  });
  return toQuote(row);
}
