/** Site search for the combobox: case-insensitive match on name, id or metro, best matches first. */
import type { SiteFeature } from '../api/types.js';

/** Sites matching the query, prefix matches before substring matches, at most `limit`. */
export function searchSites(sites: readonly SiteFeature[], query: string, limit = 50): SiteFeature[] {
  const q = query.trim().toLowerCase();
  if (q === '') return sites.slice(0, limit);
  const scored: [number, SiteFeature][] = [];
  for (const s of sites) {
    const p = s.properties;
    const fields = [p.name, p.id, p.metro ?? ''].map((f) => f.toLowerCase());
    let score = -1;
    if (fields.some((f) => f.startsWith(q))) score = 0;
    else if (fields.some((f) => f.split(/[\s\-_/]+/).some((w) => w.startsWith(q)))) score = 1;
    else if (fields.some((f) => f.includes(q))) score = 2;
    if (score >= 0) scored.push([score, s]);
  }
  // POPs first among equals: they are what an operator usually means by a city name.
  const kindRank = (s: SiteFeature) => (s.properties.kind === 'pop' ? 0 : 1);
  scored.sort((a, b) => a[0] - b[0] || kindRank(a[1]) - kindRank(b[1]) || a[1].properties.name.localeCompare(b[1].properties.name));
  return scored.slice(0, limit).map(([, s]) => s);
}
