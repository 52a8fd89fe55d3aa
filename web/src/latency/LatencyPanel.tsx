/**
 * The latency explorer's side panel: pick two sites, see the k best paths with their latency,
 * length and distance from the physical lower bound, and optionally an SRLG-diverse pair.
 */
import type { ApiPath, PathMetric, PathsResponse } from '../api/types.js';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { DIVERSE_COLOURS, pathColour } from '../map/palette.js';
import { formatKm, formatMs, formatStretch, formatUs } from '../ui/format.js';
import { SiteCombobox } from './SiteCombobox.js';
import type { LatencyResult } from './useLatency.js';
import type { ReachResult } from './useReach.js';
import { ReachSection } from './ReachSection.js';

/** What the user asked for. */
export interface LatencyForm {
  from: string | null;
  to: string | null;
  k: number;
  metric: PathMetric;
  diverse: boolean;
  /** "Within X ms" mode: the one-way latency budget in ms (null: paths between two sites). */
  within: number | null;
}

export interface LatencyPanelProps {
  model: NetworkModel;
  form: LatencyForm;
  onForm: (f: LatencyForm) => void;
  result: LatencyResult;
  selectedRank: number;
  onSelectRank: (rank: number) => void;
  reach: ReachResult;
}

function PathCard(props: { path: ApiPath; title: string; colour: string; lowerBoundUs: number; model: NetworkModel; selected: boolean; onSelect?: () => void }) {
  const { path, model } = props;
  const body = (
    <>
      <span className="path-swatch" style={{ background: props.colour }} aria-hidden="true" />
      <span className="path-main">
        <span className="path-title">{props.title}</span>
        <span className="path-latency">
          {formatMs(path.latencyUs)} <span className="muted">({formatUs(path.latencyUs)})</span>
        </span>
        <span className="path-meta">
          {formatKm(path.lengthKm)} · {path.hops} span{path.hops === 1 ? '' : 's'} · {formatStretch(path.latencyUs, props.lowerBoundUs)} over bound
        </span>
        <span className="path-route">{path.siteIds.map((id) => siteName(model, id)).join(' → ')}</span>
      </span>
    </>
  );
  if (props.onSelect === undefined) return <div className="path-card">{body}</div>;
  return (
    <button type="button" className={`path-card${props.selected ? ' selected' : ''}`} aria-pressed={props.selected} onClick={props.onSelect}>
      {body}
    </button>
  );
}

function DiverseSection({ response, model }: { response: PathsResponse; model: NetworkModel }) {
  const d = response.diverse;
  if (d === null) return null;
  const names = ['Working', 'Protection'];
  return (
    <section className="result-section" aria-labelledby="diverse-h">
      <h3 id="diverse-h">Diverse pair ({d.mode === 'srlg' ? 'SRLG' : 'link'}-disjoint)</h3>
      {d.status === 'found' && (
        <>
          <p className="muted small">{d.exact ? 'Proven best pair (lowest total).' : 'Best pair found; not proven optimal.'}</p>
          <ul className="path-list">
            {d.paths.map((p, i) => (
              <li key={i}>
                <PathCard path={p} title={names[i] ?? `Path ${i + 1}`} colour={DIVERSE_COLOURS[i % 2]} lowerBoundUs={response.lowerBoundLatencyUs} model={model} selected />
              </li>
            ))}
          </ul>
        </>
      )}
      {d.status === 'none' && (
        <p className="notice" role="status">
          No {d.mode === 'srlg' ? 'SRLG' : 'link'}-diverse pair exists between these sites: every pair of routes shares a risk.{d.detail !== '' && d.detail !== 'none' ? ` ${d.detail}` : ''}
        </p>
      )}
      {d.status === 'gave-up' && (
        <p className="notice" role="status">
          The search for a diverse pair stopped before finishing. {d.detail}
        </p>
      )}
    </section>
  );
}

/** The explorer's controls and results. */
export function LatencyPanel({ model, form, onForm, result, selectedRank, onSelectRank, reach }: LatencyPanelProps) {
  const modeSwitch = (
    <div className="mode-switch" role="radiogroup" aria-label="What to explore">
      <label>
        <input type="radio" name="latency-mode" checked={form.within === null} onChange={() => onForm({ ...form, within: null })} /> Between two sites
      </label>
      <label>
        <input type="radio" name="latency-mode" checked={form.within !== null} onChange={() => onForm({ ...form, within: form.within ?? 5 })} /> Within a latency
      </label>
    </div>
  );
  if (form.within !== null) {
    return (
      <div className="panel-body">
        <h2 className="panel-title">Latency explorer</h2>
        {modeSwitch}
        <ReachSection model={model} form={form} onForm={onForm} reach={reach} />
      </div>
    );
  }
  const a = form.from === null ? null : (model.siteById.get(form.from) ?? null);
  const z = form.to === null ? null : (model.siteById.get(form.to) ?? null);
  const response = result.state === 'done' ? result.response : null;
  const kBest = response === null ? null : (
    <ul className="path-list">
      {response.paths.map((p) => (
        <li key={p.rank}>
          <PathCard
            path={p}
            title={`Path ${p.rank}`}
            colour={pathColour(p.rank)}
            lowerBoundUs={response.lowerBoundLatencyUs}
            model={model}
            selected={!form.diverse && p.rank === selectedRank}
            onSelect={form.diverse ? undefined : () => onSelectRank(p.rank)}
          />
        </li>
      ))}
    </ul>
  );
  return (
    <div className="panel-body">
      <h2 className="panel-title">Latency explorer</h2>
      {modeSwitch}
      <p className="muted small">Choose two sites here or click them on the map.</p>
      <form className="latency-form" onSubmit={(e) => e.preventDefault()}>
        <SiteCombobox label="From" badge="A" sites={model.sites} value={a} onChange={(id) => onForm({ ...form, from: id })} />
        <button
          type="button"
          className="swap-button"
          aria-label="Swap from and to"
          title="Swap"
          disabled={form.from === null && form.to === null}
          onClick={() => onForm({ ...form, from: form.to, to: form.from })}
        >
          ⇅
        </button>
        <SiteCombobox label="To" badge="Z" sites={model.sites} value={z} onChange={(id) => onForm({ ...form, to: id })} />
        <div className="form-row">
          <label>
            Optimise
            <select value={form.metric} onChange={(e) => onForm({ ...form, metric: e.target.value as PathMetric })}>
              <option value="latency">Latency</option>
              <option value="length">Length</option>
              <option value="hops">Hops</option>
            </select>
          </label>
          <label>
            Paths
            <select value={form.k} onChange={(e) => onForm({ ...form, k: Number(e.target.value) })}>
              {[1, 2, 3, 4, 5, 8, 10].map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="toggle">
          <input type="checkbox" checked={form.diverse} onChange={(e) => onForm({ ...form, diverse: e.target.checked })} />
          Diverse pair (SRLG)
        </label>
      </form>

      <div className="results" aria-live="polite" aria-busy={result.state === 'loading'}>
        {result.state === 'idle' && (form.from === null || form.to === null) && <p className="empty">Pick {form.from === null ? 'a start site (A)' : 'an end site (Z)'} to see paths.</p>}
        {form.from !== null && form.from === form.to && <p className="empty">A and Z are the same site: choose two different sites.</p>}
        {result.state === 'loading' && (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Computing paths…
          </p>
        )}
        {result.state === 'error' && (
          <p className="error-box" role="alert">
            <strong>Paths could not be computed.</strong> {result.message}
          </p>
        )}
        {response !== null && (
          <>
            <section className="bound-card" aria-label="Physical lower bound">
              <div className="bound-label">Physical lower bound</div>
              <div className="bound-value" data-testid="lower-bound">
                {formatMs(response.lowerBoundLatencyUs)} <span className="muted">({formatUs(response.lowerBoundLatencyUs)})</span>
              </div>
              <div className="muted small">Straight fiber over {formatKm(response.greatCircleKm)} great-circle at 4.9 µs/km</div>
            </section>
            <DiverseSection response={response} model={model} />
            {response.paths.length === 0 ? (
              <p className="notice" role="status">
                No path connects {siteName(model, response.from)} and {siteName(model, response.to)}.
              </p>
            ) : form.diverse ? (
              <details className="result-section">
                <summary>
                  {response.paths.length} best path{response.paths.length === 1 ? '' : 's'} by {response.metric}
                </summary>
                {kBest}
              </details>
            ) : (
              <section className="result-section" aria-labelledby="kbest-h">
                <h3 id="kbest-h">
                  {response.paths.length} best path{response.paths.length === 1 ? '' : 's'} by {response.metric}
                </h3>
                {kBest}
              </section>
            )}
          </>
        )}
      </div>
    </div>
  );
}
