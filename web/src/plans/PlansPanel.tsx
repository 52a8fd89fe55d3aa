/**
 * Capacity planning (operators): the stored plans and, for the one picked, what it builds and when. The
 * map shows the build (spans that get cables or line systems in the colour of their period, new routes
 * dashed); charts give fiber miles, capex and mean utilisation of lit links per period; a table lists
 * the spans that run out without the plan. The change set apply would make is listed before applying.
 * Reloaded on `plan.*` events, so a plan that finishes (or progresses) shows up by itself.
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage, getJson, requestJson } from '../api/client.js';
import type { Plan, PlanChanges, PlanDocument } from '../api/ordering-types.js';
import { useRefreshOn } from '../events/useEvents.js';
import type { PathOverlay } from '../map/layers.js';
import { bars, builtLinks, exhaustionRows, periodColour, periodSeries, planOverlays } from './planView.js';

const W = 300;
const H = 110;
const LEFT = 46;
const BOTTOM = 16;

type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

function useLoaded<T>(path: string | null, tick: number): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    getJson<T>(path, ctl.signal)
      .then((value) => setState({ state: 'ready', value }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setState((cur) => (cur.state === 'ready' ? cur : { state: 'error', message: errorMessage(e) }));
      });
    return () => ctl.abort();
  }, [path, tick]);
  return state;
}

function compact(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function BarChart({ id, title, values, top, format }: { id: string; title: string; values: { label: string; value: number }[]; top?: number; format: (v: number) => string }) {
  const layout = useMemo(() => bars(values, W - LEFT, H - BOTTOM, top), [values, top]);
  return (
    <figure className="plan-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${title} by period`} data-testid={`plan-chart-${id}`} data-top={layout.top}>
        <text x={LEFT - 4} y={9} className="strip-label" textAnchor="end">
          {format(layout.top)}
        </text>
        <text x={LEFT - 4} y={H - BOTTOM} className="strip-label" textAnchor="end">
          0
        </text>
        <g transform={`translate(${LEFT} 0)`}>
          <line x1={0} x2={W - LEFT} y1={H - BOTTOM} y2={H - BOTTOM} className="tl-grid" />
          {layout.bars.map((b) => (
            <g key={b.label}>
              <rect className="plan-bar" data-label={b.label} data-value={b.value} x={b.x} y={b.y} width={b.width} height={b.height} fill={b.colour}>
                <title>{`${b.label}: ${format(b.value)}`}</title>
              </rect>
              <text x={b.x + b.width / 2} y={H - 3} className="strip-label" textAnchor="middle">
                {b.label}
              </text>
            </g>
          ))}
        </g>
      </svg>
    </figure>
  );
}

function PlanDetail({ plan, doc, onApplied }: { plan: Plan; doc: PlanDocument; onApplied: () => void }) {
  const series = useMemo(() => periodSeries(doc), [doc]);
  const links = useMemo(() => builtLinks(doc), [doc]);
  const exhaustion = useMemo(() => exhaustionRows(doc), [doc]);
  const [changes, setChanges] = useState<Loaded<PlanChanges> | null>(null);
  const [applying, setApplying] = useState<string | null>(null);
  const review = () => {
    setChanges({ state: 'loading' });
    getJson<PlanChanges>(`/v1/plans/${encodeURIComponent(plan.id)}/changes`)
      .then((value) => setChanges({ state: 'ready', value }))
      .catch((e: unknown) => setChanges({ state: 'error', message: errorMessage(e) }));
  };
  // Applies exactly the change set reviewed: refused (409) if the inventory changed since.
  const apply = (reviewed: PlanChanges) => {
    setApplying('applying');
    requestJson<PlanChanges>('POST', `/v1/plans/${encodeURIComponent(plan.id)}/apply?inventoryVersion=${reviewed.inventoryVersion}`)
      .then((value) => {
        setChanges({ state: 'ready', value });
        setApplying(null);
        onApplied();
      })
      .catch((e: unknown) => setApplying(errorMessage(e)));
  };
  return (
    <div className="plan-detail" data-testid="plan-detail" data-plan-id={plan.id}>
      <dl>
        <dt>Solver</dt>
        <dd>
          {doc.solver.status}, gap {doc.solver.gap === null ? '–' : `${(doc.solver.gap * 100).toFixed(2)} %`}, {doc.solver.seconds.toFixed(1)} s
        </dd>
        <dt>Total capex</dt>
        <dd data-testid="plan-capex">{compact(doc.capex.total)}</dd>
        <dt>Applied</dt>
        <dd>{plan.appliedAt ?? 'not yet'}</dd>
      </dl>
      <ul className="plan-legend" aria-label="Periods">
        {doc.periods.map((p, i) => (
          <li key={p.period}>
            <span className="swatch" style={{ background: periodColour(i) }} /> {p.label}: {p.build.lineSystems.reduce((n, l) => n + l.added, 0)} line systems, {p.build.cables.reduce((n, c) => n + c.added, 0)} cables,{' '}
            {p.build.newRoutes.length} new routes{p.build.newRoutes.length > 0 && <span className="swatch-dashed" style={{ borderColor: periodColour(i) }} title="new routes: dashed" />}
          </li>
        ))}
      </ul>
      <BarChart id="fiber-miles" title="Fiber miles" values={series.map((s) => ({ label: s.label, value: s.fiberMiles }))} format={compact} />
      <BarChart id="capex" title="Capex" values={series.map((s) => ({ label: s.label, value: s.capex }))} format={compact} />
      <BarChart id="utilisation" title="Mean utilisation of lit links" values={series.map((s) => ({ label: s.label, value: s.utilisation ?? 0 }))} top={1} format={(v) => `${Math.round(v * 100)} %`} />
      <h3>Built</h3>
      {links.length === 0 ? (
        <p>Nothing to build: the network carries the forecast as it is.</p>
      ) : (
        <table className="plan-built" data-testid="plan-built">
          <thead>
            <tr>
              <th>Span</th>
              <th>First in</th>
              <th>Line systems</th>
              <th>Cables</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr key={l.spanId} data-span-id={l.spanId}>
                <td>
                  {l.spanId}
                  {l.newRoute ? ' (new route)' : ''}
                </td>
                <td>{l.label}</td>
                <td>{l.lineSystemsAdded}</td>
                <td>{l.cablesAdded}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Exhaustion without the plan</h3>
      {exhaustion.length === 0 ? (
        <p>No span runs out within the horizon.</p>
      ) : (
        <table className="plan-exhaustion" data-testid="plan-exhaustion">
          <thead>
            <tr>
              <th>Span</th>
              <th>Runs out in</th>
              <th>Slots free</th>
              <th>Slots needed</th>
            </tr>
          </thead>
          <tbody>
            {exhaustion.map((e) => (
              <tr key={e.spanId} data-span-id={e.spanId}>
                <td>{e.spanId}</td>
                <td>{e.label}</td>
                <td>{e.slotsAvailable}</td>
                <td>{e.slotsNeeded.join(' → ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Inventory changes</h3>
      {changes === null && (
        <button type="button" onClick={review}>
          Review changes
        </button>
      )}
      {changes?.state === 'loading' && <p>Loading changes…</p>}
      {changes?.state === 'error' && <p role="alert">Could not load the changes: {changes.message}</p>}
      {changes?.state === 'ready' && (
        <div data-testid="plan-changes">
          <ul>
            {changes.value.changes.map((c) => (
              <li key={c.spanId} data-span-id={c.spanId}>
                {c.op === 'span.create' ? 'new span' : 'span'} {c.spanId}: +{c.cablesAdded.length} cables, +{c.fiberPairsAdded} fiber pairs lit
              </li>
            ))}
          </ul>
          {changes.value.conflicts.length > 0 && (
            <p role="alert">
              Cannot be applied: {changes.value.conflicts.join('; ')}
            </p>
          )}
          {changes.value.applied ? (
            <p data-testid="plan-applied">Applied {changes.value.appliedAt}.</p>
          ) : (
            changes.value.conflicts.length === 0 && (
              <button type="button" className="primary" onClick={() => apply(changes.value)} disabled={applying === 'applying'}>
                Apply {changes.value.changes.length} changes
              </button>
            )
          )}
          {applying !== null && applying !== 'applying' && <p role="alert">{applying}</p>}
        </div>
      )}
    </div>
  );
}

export function PlansPanel({ selectedId, onSelect, onOverlays }: { selectedId: string | null; onSelect: (id: string) => void; onOverlays: (o: PathOverlay[]) => void }) {
  const tick = useRefreshOn((e) => e.type.startsWith('plan.'));
  const [applied, setApplied] = useState(0);
  const list = useLoaded<{ items: Plan[] }>('/v1/plans?limit=200', tick + applied);
  const items = list.state === 'ready' ? list.value.items : [];
  const shownId = items.find((p) => p.id === selectedId)?.id ?? items.at(-1)?.id ?? null;
  const detail = useLoaded<Plan>(shownId === null ? null : `/v1/plans/${encodeURIComponent(shownId)}`, tick + applied);
  const shown = detail.state === 'ready' && detail.value.id === shownId ? detail.value : null;
  const doc = shown?.document ?? null;
  useEffect(() => {
    onOverlays(doc === null ? [] : planOverlays(doc));
  }, [doc, onOverlays]);
  useEffect(() => () => onOverlays([]), [onOverlays]);
  if (list.state === 'loading') return <p>Loading plans…</p>;
  if (list.state === 'error') return <p role="alert">Could not load plans: {list.message}</p>;
  return (
    <section className="plans" aria-labelledby="plans-h">
      <h2 id="plans-h">Capacity planning</h2>
      {items.length === 0 && <p>No plans yet. Plan with POST /v1/plans or `lightpath plan --submit`.</p>}
      <ul className="plan-list">
        {items.map((p) => (
          <li key={p.id}>
            <button type="button" className={p.id === shownId ? 'plan-item selected' : 'plan-item'} data-plan-id={p.id} aria-pressed={p.id === shownId} onClick={() => onSelect(p.id)}>
              {p.id.slice(0, 14)}… {p.createdAt.slice(0, 16).replace('T', ' ')} <span className={`state-badge state-${p.state}`}>{p.state}</span>
              {p.appliedAt !== null && <span className="state-badge state-applied">applied</span>}
            </button>
          </li>
        ))}
      </ul>
      {shown !== null && shown.state !== 'done' && (
        <p data-testid="plan-status">
          {shown.state === 'failed'
            ? `Failed: ${shown.error?.detail ?? 'unknown'}`
            : `${shown.state}${shown.progress ? `: ${shown.progress.seconds.toFixed(0)} s, gap ${shown.progress.gap === null ? '–' : `${(shown.progress.gap * 100).toFixed(2)} %`}` : ''}`}
        </p>
      )}
      {shown !== null && doc !== null && <PlanDetail key={shown.id} plan={shown} doc={doc} onApplied={() => setApplied((n) => n + 1)} />}
    </section>
  );
}
