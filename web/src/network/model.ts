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

/** Split the collection into sites and spans and index both by id. */
export function buildModel(raw: NetworkCollection): NetworkModel {
  const sites: SiteFeature[] = [];
  const spans: SpanFeature[] = [];
  for (const f of raw.features) {
    if (f.properties.featureType === 'site') sites.push(f as SiteFeature);
    else spans.push(f as SpanFeature);
  }
  return {
    generation: ++generations,
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

/** Live state laid over the inventory: utilisation (operators) and failed spans. */
export interface LiveState {
  utilisation: ReadonlyMap<string, number> | null;
  failedSpans: ReadonlySet<string>;
}

/** The model with live state in each span's properties; the same model when there is none. */
export function withLiveState(model: NetworkModel, live: LiveState): NetworkModel {
  if (live.utilisation === null && live.failedSpans.size === 0) return model;
  const features = model.raw.features.map((f) => {
    if (f.properties.featureType !== 'span') return f;
    const id = f.properties.id;
    const u = live.utilisation?.get(id);
    const props = { ...f.properties, ...(u === undefined ? {} : { utilisation: u }), ...(live.failedSpans.has(id) ? { failed: true } : {}) };
    return { ...f, properties: props } as SpanFeature;
  });
  const next = buildModel({ ...model.raw, features });
  return { ...next, generation: model.generation };
}
