/** The loaded network indexed for lookups by id, built once per fetch. */
import type { NetworkCollection, SiteFeature, SpanFeature } from '../api/types.js';

export interface NetworkModel {
  /** Changes with each fetch, not with live state (utilisation, failures), so the map refits only on new data. */
  generation: number;
  name: string;
  raw: NetworkCollection;
  sites: SiteFeature[];
  spans: SpanFeature[];
  siteById: ReadonlyMap<string, SiteFeature>;
  spanById: ReadonlyMap<string, SpanFeature>;
}

let generations = 0;

/** True when both collections hold the same features in the same order (live state aside). */
function sameInventory(a: NetworkCollection, b: NetworkCollection): boolean {
  return a.features.length === b.features.length && a.features.every((f, i) => f.id === b.features[i].id);
}

/**
 * Split the collection into sites and spans and index both by id. Given the model it replaces, a
 * fetch that only refreshed live state keeps that model's generation, so the map does not refit.
 */
export function buildModel(raw: NetworkCollection, previous?: NetworkModel): NetworkModel {
  const sites: SiteFeature[] = [];
  const spans: SpanFeature[] = [];
  for (const f of raw.features) {
    if (f.properties.featureType === 'site') sites.push(f as SiteFeature);
    else spans.push(f as SpanFeature);
  }
  return {
    generation: previous !== undefined && sameInventory(previous.raw, raw) ? previous.generation : ++generations,
    name: raw.name,
    raw,
    sites,
    spans,
    siteById: new Map(sites.map((s) => [s.properties.id, s])),
    spanById: new Map(spans.map((s) => [s.properties.id, s])),
  };
}

/** Display name of a site id (the id itself when unknown). */
export function siteName(model: NetworkModel, id: string): string {
  return model.siteById.get(id)?.properties.name ?? id;
}

/** Live state laid over the inventory: utilisation (operators only; null hides it) and failed spans. */
export interface LiveState {
  utilisation: ReadonlyMap<string, number> | null;
  failedSpans: ReadonlySet<string>;
}

/**
 * The live state the server put in the span properties; each part null when this server does not
 * report it (an older server), so the caller can fall back to working it out itself.
 */
export function serverLiveState(model: NetworkModel): { utilisation: Map<string, number> | null; failedSpans: Set<string> | null } {
  const reportsUse = model.spans.some((s) => s.properties.utilisation !== undefined);
  const reportsFailed = model.spans.some((s) => typeof s.properties.failed === 'boolean');
  const utilisation = new Map<string, number>();
  const failedSpans = new Set<string>();
  for (const s of model.spans) {
    const p = s.properties;
    // Prefer the exact slot counts; null marks a dark span, which has no utilisation.
    if (typeof p.usedSlots === 'number' && typeof p.totalSlots === 'number' && p.totalSlots > 0) utilisation.set(p.id, p.usedSlots / p.totalSlots);
    else if (typeof p.utilisation === 'number') utilisation.set(p.id, p.utilisation);
    if (p.failed === true) failedSpans.add(p.id);
  }
  return { utilisation: reportsUse ? utilisation : null, failedSpans: reportsFailed ? failedSpans : null };
}

/** The model with exactly this live state in each span's properties (same generation). */
export function withLiveState(model: NetworkModel, live: LiveState): NetworkModel {
  const features = model.raw.features.map((f) => {
    if (f.properties.featureType !== 'span') return f;
    const id = f.properties.id;
    const u = live.utilisation?.get(id);
    const props = { ...f.properties, failed: live.failedSpans.has(id) };
    if (u === undefined) delete props.utilisation;
    else props.utilisation = u;
    return { ...f, properties: props } as SpanFeature;
  });
  return buildModel({ ...model.raw, features }, model);
}
