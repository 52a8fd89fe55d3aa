/** The loaded network indexed for lookups by id, built once per fetch. */
import type { NetworkCollection, SiteFeature, SpanFeature } from '../api/types.js';

export interface NetworkModel {
  name: string;
  raw: NetworkCollection;
  sites: SiteFeature[];
  spans: SpanFeature[];
  siteById: ReadonlyMap<string, SiteFeature>;
  spanById: ReadonlyMap<string, SpanFeature>;
}

/** Split the collection into sites and spans and index both by id. */
export function buildModel(raw: NetworkCollection): NetworkModel {
  const sites: SiteFeature[] = [];
  const spans: SpanFeature[] = [];
  for (const f of raw.features) {
    if (f.properties.featureType === 'site') sites.push(f as SiteFeature);
    else spans.push(f as SpanFeature);
  }
  return {
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
