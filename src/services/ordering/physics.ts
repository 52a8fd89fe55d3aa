/**
 * What the physics of a network view gives planning, computed once per view: each span's QoT model
 * (sections, amplifier huts, fiber constants), the wave planner's view of grids and ROADMs, and the
 * routing rules that follow from the sites (where circuits may pass, which spans are intercity).
 */
import { allowsTransit, hasRoadm, type Span } from '../../domain/network.js';
import type { Path } from '../../engine/index.js';
import { LineSystemState, planSpan, type AmplifierSite, type SpanModel } from '../../engine/qot/index.js';
import type { SpanGrid, WaveNetwork } from '../../engine/wave.js';
import type { NetworkView } from './network-view.js';

/** The physics of one network view. */
export interface ViewPhysics {
  net: WaveNetwork;
  /** QoT model per span index (null: no line system). */
  models: (SpanModel | null)[];
  /** Node indices circuits may not pass through (endpoints only). */
  noTransit: number[];
  /** Node indices of amplifier huts: dark fiber is never spliced through them. */
  amplifierHuts: number[];
  /** 1 per span index joining two metros (or sites without a metro): what makes routes different. */
  intercity: Uint8Array;
}

const cache = new WeakMap<NetworkView, ViewPhysics>();

/** The QoT model of a span (null without a line system). */
export function spanModel(span: Span): SpanModel | null {
  const ls = span.lineSystem;
  if (ls === null) return null;
  return planSpan({
    id: span.id,
    lengthKm: span.lengthKm,
    geometry: span.geometry,
    ...(span.fiberType !== undefined ? { fiberType: span.fiberType } : {}),
    ...(span.connectorLossDb !== undefined ? { connectorLossDb: span.connectorLossDb } : {}),
    ...(ls.launchPowerDbm !== undefined ? { launchPowerDbm: ls.launchPowerDbm } : {}),
    ...(ls.amplifierSitesKm ? { amplifierPositionsKm: ls.amplifierSitesKm } : {}),
  });
}

/** The amplifier sites of a span as the API and the map show them (booster and preamp at the ROADMs, in-line huts between). */
export function amplifierSites(span: Span): AmplifierSite[] {
  return spanModel(span)?.amplifiers ?? [];
}

/** The physics of a view (cached per view). */
export function physicsOf(view: NetworkView): ViewPhysics {
  const hit = cache.get(view);
  if (hit) return hit;
  const g = view.graph;
  const models = view.spans.map(spanModel);
  const grids: (SpanGrid | null)[] = view.spans.map((s) =>
    s.lineSystem === null ? null : { fiberPairs: s.lineSystem.fiberPairs, slotCount: s.lineSystem.slotCount, slotWidthGhz: s.lineSystem.slotWidthGhz, startFrequencyGhz: s.lineSystem.startFrequencyGhz },
  );
  const roadm = new Uint8Array(g.nodeCount);
  const noTransit: number[] = [];
  const amplifierHuts: number[] = [];
  g.nodeIds.forEach((id, v) => {
    const site = view.sites.get(id);
    if (!site) return;
    if (hasRoadm(site)) roadm[v] = 1;
    if (!allowsTransit(site)) noTransit.push(v);
    if (site.kind === 'amplifier') amplifierHuts.push(v);
  });
  const intercity = new Uint8Array(g.spanCount);
  view.spans.forEach((s, e) => {
    const a = view.sites.get(s.aSiteId)?.metro ?? null;
    const z = view.sites.get(s.zSiteId)?.metro ?? null;
    intercity[e] = a === null || z === null || a !== z ? 1 : 0;
  });
  const p: ViewPhysics = { net: { g, grids, roadm }, models, noTransit, amplifierHuts, intercity };
  cache.set(view, p);
  return p;
}

/** A state with every span of the view (or only the given spans) and nothing lit. */
export function emptyLineState(view: NetworkView, only: ReadonlySet<string> | null = null): LineSystemState {
  return new LineSystemState(physicsOf(view).models.filter((m): m is SpanModel => m !== null && (only === null || only.has(m.id))));
}

/** What makes two candidate paths different: their intercity spans (all spans for a path without one). */
export function intercityKey(view: NetworkView): (p: Path) => string {
  const { intercity } = physicsOf(view);
  return (p) => {
    const inter = p.spans.filter((e) => intercity[e] === 1);
    return (inter.length > 0 ? inter : p.spans).join(',');
  };
}

/** Sites (node indices) a circuit from a to z may not pass through, for a product. */
export function blockedSites(view: NetworkView, a: number, z: number, darkFiber: boolean): number[] {
  const p = physicsOf(view);
  const out = p.noTransit.filter((v) => v !== a && v !== z);
  if (darkFiber) for (const v of p.amplifierHuts) if (v !== a && v !== z && !out.includes(v)) out.push(v);
  return out;
}
