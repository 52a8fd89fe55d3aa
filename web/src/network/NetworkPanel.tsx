/** The network tab's side panel: what is in the network, and details of the selected site or span. */
import type { NetworkModel } from './model.js';
import { siteName } from './model.js';
import { siteFacts, spanFacts } from './facts.js';
import type { Fact } from './facts.js';
import { SITE_STYLE } from '../map/palette.js';
import type { SiteKind } from '../map/palette.js';
import { formatKm } from '../ui/format.js';

export type Selection = { kind: 'site'; id: string } | { kind: 'span'; id: string } | null;

export interface NetworkPanelProps {
  model: NetworkModel;
  selection: Selection;
  onSelect: (s: Selection) => void;
  onPathsFrom: (siteId: string) => void;
}

function Facts({ facts }: { facts: readonly Fact[] }) {
  return (
    <dl className="facts">
      {facts.map(([k, v]) => (
        <div key={k} className={k === 'State' ? 'fact failed' : 'fact'}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Summary({ model }: { model: NetworkModel }) {
  const byKind = new Map<SiteKind, number>();
  for (const s of model.sites) byKind.set(s.properties.kind, (byKind.get(s.properties.kind) ?? 0) + 1);
  const totalKm = model.spans.reduce((km, s) => km + s.properties.lengthKm, 0);
  const srlgs = model.raw.srlgs?.length ?? 0;
  return (
    <section aria-labelledby="summary-h">
      <h2 id="summary-h" className="panel-title">
        {model.name}
      </h2>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{model.sites.length}</span>
          <span className="stat-label">sites</span>
        </div>
        <div className="stat">
          <span className="stat-value">{model.spans.length}</span>
          <span className="stat-label">spans</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatKm(totalKm)}</span>
          <span className="stat-label">of fiber route</span>
        </div>
        <div className="stat">
          <span className="stat-value">{srlgs}</span>
          <span className="stat-label">SRLGs</span>
        </div>
      </div>
      <ul className="kind-counts">
        {[...byKind].map(([kind, n]) => (
          <li key={kind}>
            {SITE_STYLE[kind]?.label ?? kind}: <strong>{n}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Summary plus selected-item details. */
export function NetworkPanel({ model, selection, onSelect, onPathsFrom }: NetworkPanelProps) {
  const site = selection?.kind === 'site' ? model.siteById.get(selection.id) : undefined;
  const span = selection?.kind === 'span' ? model.spanById.get(selection.id) : undefined;
  const siteSpans = site === undefined ? [] : model.spans.filter((s) => s.properties.aSiteId === site.properties.id || s.properties.zSiteId === site.properties.id);
  return (
    <div className="panel-body">
      <Summary model={model} />
      <section className="details" aria-labelledby="details-h" aria-live="polite">
        <h3 id="details-h">{site !== undefined ? site.properties.name : span !== undefined ? `Span ${span.properties.id}` : 'Details'}</h3>
        {site === undefined && span === undefined && <p className="empty">Hover over the map for a quick look; click a site or span for its details here.</p>}
        {site !== undefined && (
          <>
            <Facts facts={siteFacts(site)} />
            <button type="button" className="primary" onClick={() => onPathsFrom(site.properties.id)}>
              Find paths from here
            </button>
            <h4>
              {siteSpans.length} span{siteSpans.length === 1 ? '' : 's'} at this site
            </h4>
            <ul className="link-list">
              {siteSpans.map((s) => {
                const other = s.properties.aSiteId === site.properties.id ? s.properties.zSiteId : s.properties.aSiteId;
                return (
                  <li key={s.properties.id}>
                    <button type="button" className="link" onClick={() => onSelect({ kind: 'span', id: s.properties.id })}>
                      to {siteName(model, other)}
                    </button>{' '}
                    <span className="muted">{formatKm(s.properties.lengthKm)}</span>
                  </li>
                );
              })}
            </ul>
          </>
        )}
        {span !== undefined && (
          <>
            <Facts facts={spanFacts(span, (id) => siteName(model, id))} />
            <div className="button-row">
              <button type="button" className="link" onClick={() => onSelect({ kind: 'site', id: span.properties.aSiteId })}>
                {siteName(model, span.properties.aSiteId)}
              </button>
              <button type="button" className="link" onClick={() => onSelect({ kind: 'site', id: span.properties.zSiteId })}>
                {siteName(model, span.properties.zSiteId)}
              </button>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
