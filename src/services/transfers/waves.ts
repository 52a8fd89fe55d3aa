/**
 * Waves lit for transfers (the Owan idea, issue 15): when spare trunk capacity does not carry a transfer
 * by its deadline, an express 400G wave between its two sites, on spectrum free for the whole of the
 * transfer's window, may be lit for the slots it needs. The wave is planned exactly as a wave order for
 * that window is (routes, transit policy, spectrum continuity, transceiver mode and GSNR against every
 * channel lit in the window, margin from the QoT policy), so a number shown for it is the one a wave
 * quote would show. The scheduler decides whether and when to light it (one integer per slot, at most
 * one wave per admission); its spectrum is then held, run by run, as time-bounded allocations owned by
 * the transfer, and counted by every later plan's QoT state (they carry their channel).
 *
 * A wave carries only its own transfer (its link is on no other transfer's paths). Re-optimisation
 * keeps it lit where it was (a moved transfer may use it less, never more than it carries); a cut across
 * one of its spans takes it from the next slot on.
 */
import { TRUNK_RATE_GBPS, type CircuitSpec } from '../../domain/products.js';
import type { TransferLink, TransferSpectrum, WaveOption } from '../../engine/transfers/index.js';
import type { Queryable } from '../../store/db.js';
import type { StoredTransferPath, StoredTransferWave } from '../../store/transfers.js';
import { loadOccupancy } from '../ordering/common.js';
import { freshLitState, newTrunkId, planOptions, routeLockKeys, type OrderingContext } from '../ordering/context.js';
import type { NetworkView } from '../ordering/network-view.js';
import { planCircuit, routeFor, routeSpanIds, type Plan, type Route } from '../ordering/planner.js';
import { loadQotPolicy } from '../ordering/qot-policy.js';

/** Prefix of the engine link (and stored path) of a wave lit for a transfer. */
export const WAVE_LINK_PREFIX = 'wave:';

/** Slots a new wave is lit before it carries traffic: lighting, power balancing, commissioning (15 minutes). */
export const WAVE_SETUP_SLOTS = 1;

/**
 * The operator's cost of a lit wave per slot, as a share of what its full capacity would earn at the
 * path's price (objective only, the customer pays per Gbit moved): trunk capacity, already lit, is used
 * first; a wave is lit when it admits what trunks cannot, or saves more than it costs. Lighting once
 * costs two slots' worth.
 */
const WAVE_COST_SHARE = 0.25;
const WAVE_SETUP_COST_SLOTS = 2;

/** The express wave a transfer may light, planned for its window. */
export interface WaveCandidate {
  /** What its allocations would hold (spectrum rows with their channels) and the lightpaths it lights. */
  plan: Plan;
  /** The stored form (runs filled in when the scheduler lights it). */
  wave: StoredTransferWave;
  /** Its path for the transfer (one link: the wave). */
  path: StoredTransferPath;
}

/** A wave product of the trunk rate between the transfer's sites (transit rules as for any wave). */
export function waveSpec(aSite: string, zSite: string): CircuitSpec {
  return { product: 'wave', aSite, zSite, bandwidthGbps: TRUNK_RATE_GBPS, protection: 'unprotected', maxLatencyUs: null };
}

/** The candidate routes of a transfer's wave, or null when the sites are not joined. */
export function waveRoute(ctx: OrderingContext, view: NetworkView, aSite: string, zSite: string): Route | null {
  if (!view.sites.has(aSite) || !view.sites.has(zSite)) return null;
  return routeFor(view, waveSpec(aSite, zSite), ctx.k);
}

/** Advisory-lock keys of the spectrum the wave's routes may use (none on PGlite). */
export function waveLockKeys(ctx: OrderingContext, view: NetworkView, aSite: string, zSite: string, route: Route): string[] {
  return routeLockKeys(ctx.db, view, waveSpec(aSite, zSite), route);
}

/**
 * Plans the wave inside the decision's transaction (which holds the inventory row and the route's
 * spectrum locks): spectrum free at every instant of [fromMs, toMs), GSNR judged against every channel
 * lit in that window (this process's in-flight waves included). Null when no route has spectrum or reach.
 */
export async function planTransferWave(
  ctx: OrderingContext,
  tx: Queryable,
  view: NetworkView,
  req: { transferId: string; aSite: string; zSite: string; fromMs: number; toMs: number },
  route: Route,
  pricePerGbit: (lengthKm: number) => number,
): Promise<WaveCandidate | null> {
  const spec = waveSpec(req.aSite, req.zSite);
  const window = { start: new Date(req.fromMs).toISOString(), end: new Date(req.toMs).toISOString() };
  const occ = await loadOccupancy(tx, view, spec, route, window);
  const policy = await loadQotPolicy(tx);
  const state = await freshLitState(ctx, tx, view, (nowMs) => ({ fromMs: Math.max(req.fromMs, nowMs), toMs: req.toMs }), new Set(routeSpanIds(view, route)));
  const plan = planCircuit(view, occ, spec, route, newTrunkId, planOptions(state, policy, `${req.transferId}:wave`));
  const dp = plan?.design.paths[0];
  const w = dp?.wave;
  if (!plan || !dp || !w) return null;
  const id = w.segments[0]?.lightpathId ?? `${req.transferId}:wave`;
  const linkId = `${WAVE_LINK_PREFIX}${id}`;
  const worst = w.segments.reduce<number | null>((m, s) => (s.qot ? (m === null ? s.qot.gsnrDb : Math.min(m, s.qot.gsnrDb)) : m), null);
  return {
    plan,
    wave: {
      id,
      lightpathIds: w.segments.map((s, i) => s.lightpathId ?? `${id}#${i}`),
      linkId,
      spanIds: dp.spanIds,
      siteIds: dp.siteIds,
      lengthKm: dp.lengthKm,
      latencyUs: dp.latencyUs,
      capacityGbps: w.lineRateGbps,
      modeId: w.modeId ?? null,
      centerFrequencyGhz: w.segments[0]?.centerFrequencyGhz ?? 0,
      gsnrDb: worst,
      regeneratorSiteIds: w.regeneratorSiteIds,
      setupSlots: WAVE_SETUP_SLOTS,
      runs: [],
    },
    path: { id: linkId, trunkIds: [linkId], siteIds: dp.siteIds, latencyUs: dp.latencyUs, lengthKm: dp.lengthKm, pricePerGbitMinor: pricePerGbit(dp.lengthKm) },
  };
}

/**
 * The engine's wave option for a candidate added as link `link`: one wave at most, its spectrum free in
 * the slots of the transfer's window (the plan checked every instant of it), none outside.
 */
export function waveOption(c: WaveCandidate, link: number, spectrum: number, fromSlot: number, toSlot: number, horizonSlots: number, slotSeconds: number): { option: WaveOption; spectrum: TransferSpectrum; link: TransferLink } {
  const free = new Float64Array(horizonSlots);
  free.fill(1, Math.max(0, fromSlot), Math.min(horizonSlots, toSlot));
  const perSlot = WAVE_COST_SHARE * c.wave.capacityGbps * slotSeconds * c.path.pricePerGbitMinor;
  return {
    link: { id: c.wave.linkId, freeGbps: new Float64Array(horizonSlots) },
    spectrum: { id: c.wave.linkId, freeSlots: free },
    option: {
      id: c.wave.linkId,
      carries: [link],
      capacityGbps: c.wave.capacityGbps,
      holds: [{ spectrum, slots: 1 }],
      setupSlots: c.wave.setupSlots,
      costPerSlot: perSlot,
      setupCost: WAVE_SETUP_COST_SLOTS * perSlot,
      maxWaves: 1,
    },
  };
}

/**
 * A stored wave as an engine link: its capacity in the slots it carries traffic (lit, past its setup),
 * nothing elsewhere. Slots are relative to `baseSlot`.
 */
export function storedWaveLink(w: StoredTransferWave, baseSlot: number, horizonSlots: number): TransferLink {
  const free = new Float64Array(horizonSlots);
  for (const r of w.runs) free.fill(w.capacityGbps, Math.max(0, r.fromSlot + w.setupSlots - baseSlot), Math.max(0, Math.min(horizonSlots, r.toSlot - baseSlot)));
  return { id: w.linkId, freeGbps: free };
}

/** Whether an engine link (or stored path trunk id) is a wave lit for a transfer rather than a trunk. */
export function isWaveLink(id: string): boolean {
  return id.startsWith(WAVE_LINK_PREFIX);
}

/** The spectrum rows of a lit wave's runs (absolute slots), with its channels. */
export function waveHoldRows(transferId: string, c: WaveCandidate, runs: readonly { fromSlot: number; toSlot: number }[], slotStartIso: (slot: number) => string) {
  return runs.flatMap((r) =>
    c.plan.allocations
      .filter((a) => a.kind === 'spectrum')
      .map((a) => ({ transferId, spanId: a.resourceId, sub: a.sub, lo: a.lo, hi: a.hi, fromIso: slotStartIso(r.fromSlot), toIso: slotStartIso(r.toSlot), channel: a.channel ?? null })),
  );
}
