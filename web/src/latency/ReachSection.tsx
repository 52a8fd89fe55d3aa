/**
 * The latency explorer's "within X ms" mode: one site and a one-way latency budget; every site
 * reachable over the network within it, nearest first, shaded on the map with the spans used.
 */
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { formatMs } from '../ui/format.js';
import type { LatencyForm } from './LatencyPanel.js';
import { SiteCombobox } from './SiteCombobox.js';
import type { ReachResult } from './useReach.js';

const KIND_LABEL: Record<string, string> = { datacenter: 'Data center', pop: 'POP', 'cloud-onramp': 'Cloud on-ramp', amplifier: 'Amplifier' };

export function ReachSection({ model, form, onForm, reach }: { model: NetworkModel; form: LatencyForm; onForm: (f: LatencyForm) => void; reach: ReachResult }) {
  const a = form.from === null ? null : (model.siteById.get(form.from) ?? null);
  const r = reach.state === 'done' ? reach.response : null;
  return (
    <>
      <p className="muted small">Every site within a one-way latency of a site, over the fiber.</p>
      <form className="latency-form" onSubmit={(e) => e.preventDefault()}>
        <SiteCombobox label="From" badge="A" sites={model.sites} value={a} onChange={(id) => onForm({ ...form, from: id })} />
        <div className="form-row">
          <label>
            Within (ms, one way)
            <input
              type="number"
              min={0.1}
              max={1000}
              step={0.1}
              value={form.within ?? ''}
              aria-label="Within milliseconds"
              onChange={(e) => {
                const v = Number(e.target.value);
                if (Number.isFinite(v) && v > 0 && v <= 1000) onForm({ ...form, within: v });
              }}
            />
          </label>
        </div>
      </form>
      <div className="results" aria-live="polite" aria-busy={reach.state === 'loading'}>
        {form.from === null && <p className="empty">Pick a site (A) here or on the map.</p>}
        {reach.state === 'loading' && (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Finding sites…
          </p>
        )}
        {reach.state === 'error' && (
          <p className="error-box" role="alert">
            <strong>The catchment could not be computed.</strong> {reach.message}
          </p>
        )}
        {r !== null && (
          <section className="result-section" aria-labelledby="reach-h">
            <h3 id="reach-h" data-testid="reach-count">
              {r.sites.length} site{r.sites.length === 1 ? '' : 's'} within {formatMs(r.maxLatencyUs)} of {siteName(model, r.from)}
            </h3>
            <ul className="reach-list">
              {r.sites.map((x) => (
                <li key={x.siteId} data-site-id={x.siteId}>
                  <span className="reach-name">{siteName(model, x.siteId)}</span>
                  <span className="muted small">
                    {KIND_LABEL[x.kind] ?? x.kind} · {formatMs(x.latencyUs)} · {x.hops} span{x.hops === 1 ? '' : 's'}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </>
  );
}
