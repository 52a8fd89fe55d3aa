/**
 * What the portal says about a site or span, as label/value rows. Shared by the map's hover card
 * and the details panel so both always show the same facts.
 */
import type { SiteFeature, SpanFeature } from '../api/types.js';
import { formatKm, formatMs, formatPercent, formatUs } from '../ui/format.js';
import { SITE_STYLE } from '../map/palette.js';

export type Fact = [label: string, value: string];

/** Facts about a site. */
export function siteFacts(site: SiteFeature): Fact[] {
  const p = site.properties;
  const rows: Fact[] = [
    ['Id', p.id],
    ['Kind', SITE_STYLE[p.kind]?.label ?? p.kind],
  ];
  if (p.metro !== null) rows.push(['Metro', p.metro]);
  if (p.cloudProvider !== null) rows.push(['Cloud', p.cloudRegion === null ? p.cloudProvider : `${p.cloudProvider} ${p.cloudRegion}`]);
  const [lon, lat] = site.geometry.coordinates;
  rows.push(['Location', `${lat.toFixed(4)}, ${lon.toFixed(4)}`]);
  return rows;
}

/** Strands in use / total over all cables of a span. */
export function strandSummary(span: SpanFeature): string {
  const cables = span.properties.cables;
  if (cables.length === 0) return 'no cable data';
  let used = 0;
  let total = 0;
  for (const c of cables) {
    used += c.strandsInUse;
    total += c.strandCount;
  }
  return `${used} / ${total} in use (${cables.length} cable${cables.length === 1 ? '' : 's'})`;
}

/** Facts about a span; site names come from the lookup. */
export function spanFacts(span: SpanFeature, siteName: (id: string) => string): Fact[] {
  const p = span.properties;
  const rows: Fact[] = [
    ['Id', p.id],
    ['Between', `${siteName(p.aSiteId)} – ${siteName(p.zSiteId)}`],
    ['Length', formatKm(p.lengthKm)],
    ['Latency', `${formatMs(p.latencyUs)} (${formatUs(p.latencyUs)})${p.measuredLatencyUs === null ? '' : ' measured'}`],
    ['Strands', strandSummary(span)],
    ['SRLGs', p.srlgIds.length === 0 ? 'none' : p.srlgIds.join(', ')],
  ];
  if (typeof p.utilisation === 'number') rows.push(['Utilisation', formatPercent(p.utilisation)]);
  if (p.lineSystem !== null) rows.push(['Line system', `${p.lineSystem.fiberPairs} FP × ${p.lineSystem.slotCount} slots of ${p.lineSystem.slotWidthGhz} GHz`]);
  if (p.failed === true) rows.push(['State', 'FAILED']);
  return rows;
}

/** A small definition list element for a popup (built with DOM calls so names are never parsed as HTML). */
export function factsElement(title: string, facts: readonly Fact[]): HTMLElement {
  const root = document.createElement('div');
  root.className = 'map-card';
  const h = document.createElement('div');
  h.className = 'map-card-title';
  h.textContent = title;
  root.appendChild(h);
  const dl = document.createElement('dl');
  for (const [label, value] of facts) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
  root.appendChild(dl);
  return root;
}
