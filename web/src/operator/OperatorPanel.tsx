/**
 * Operations (operators only): utilisation heat, cut and repair spans and watch what the affected
 * services do, live service events, and the price book.
 */
import { useMemo, useState } from 'react';
import { errorMessage } from '../api/client.js';
import { cutSpans, repairFailure } from '../api/ordering.js';
import type { Batch, LightpathEvent, Service } from '../api/ordering-types.js';
import { useEventListener } from '../events/useEvents.js';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { formatShare, formatTime, formatUs } from '../ui/format.js';
import type { ServicesState } from '../services/useServices.js';
import { PriceBookEditor } from './PriceBookEditor.js';
import type { FailuresState } from './useFailures.js';

export interface OperatorPanelProps {
  model: NetworkModel;
  utilisation: ReadonlyMap<string, number> | null;
  /** True when the figures are the server's (all held spectrum), false when worked out from the services. */
  utilisationFromServer: boolean;
  services: ServicesState;
  failures: FailuresState;
  onFailuresChanged: () => void;
  selectedSpanId: string | null;
  onSelectSpan: (id: string | null) => void;
}

const SERVICE_EVENT_TEXT: Record<string, string> = {
  'service.down': 'went down',
  'service.restored': 'restored',
  'service.rerouted': 'rerouted',
  'service.reverted': 'reverted to its original path',
  'service.protection-switched': 'switched to protection',
  'service.activated': 'activated',
  'service.disconnected': 'disconnected',
  'service.modified': 'modified',
};

function BatchSummary({ title, batch, name }: { title: string; batch: Batch; name: (id: string) => string }) {
  const rows: [string, string[]][] = [
    ['Switched to protection', batch.switched.map(name)],
    ['Rerouted', batch.rerouted.map((r) => `${name(r.id)} (+${formatUs(r.addedLatencyUs)})`)],
    ['Down', batch.down.map((d) => `${name(d.id)} (${d.reason})`)],
    ['Restored', batch.restored.map(name)],
    ['Reverted', batch.reverted.map(name)],
  ];
  const any = rows.some(([, v]) => v.length > 0);
  return (
    <section className="batch" aria-label={title} data-testid="batch">
      <h4>{title}</h4>
      <p className="muted small">
        {batch.failedSpans.length} span{batch.failedSpans.length === 1 ? '' : 's'} down now · {batch.examined} service{batch.examined === 1 ? '' : 's'} examined
      </p>
      {!any && <p className="muted">No service was affected.</p>}
      <dl className="facts">
        {rows
          .filter(([, v]) => v.length > 0)
          .map(([k, v]) => (
            <div className="fact" key={k}>
              <dt>{k}</dt>
              <dd data-batch-row={k}>{v.join(', ')}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}

/** The operations screen. */
export function OperatorPanel({ model, utilisation, utilisationFromServer, services, failures, onFailuresChanged, selectedSpanId, onSelectSpan }: OperatorPanelProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [last, setLast] = useState<{ title: string; batch: Batch | null } | null>(null);
  const [feed, setFeed] = useState<LightpathEvent[]>([]);

  useEventListener((e) => {
    if (e.type.startsWith('service.') || e.type.startsWith('span.')) setFeed((f) => [e, ...f].slice(0, 12));
  });

  const byId = useMemo(() => new Map<string, Service>(services.state === 'ready' ? services.services.map((s) => [s.id, s]) : []), [services]);
  const serviceName = (id: string) => {
    const s = byId.get(id);
    return s === undefined ? id : `${siteName(model, s.aSite)} – ${siteName(model, s.zSite)}`;
  };
  const spanName = (id: string) => {
    const s = model.spanById.get(id);
    return s === undefined ? id : `${siteName(model, s.properties.aSiteId)} – ${siteName(model, s.properties.zSiteId)}`;
  };

  const sortedSpans = useMemo(() => [...model.spans].sort((a, b) => spanLabel(a.properties.id).localeCompare(spanLabel(b.properties.id))), [model]);
  function spanLabel(id: string): string {
    return `${spanName(id)} (${id})`;
  }

  const hot = useMemo(() => {
    if (utilisation === null) return [];
    return [...utilisation].filter(([, u]) => u > 0).sort((a, b) => b[1] - a[1]).slice(0, 6);
  }, [utilisation]);
  const meanUse = utilisation === null || utilisation.size === 0 ? null : [...utilisation.values()].reduce((a, b) => a + b, 0) / utilisation.size;

  const open = failures.state === 'ready' ? failures.failures : [];
  const failedNow = new Set(open.flatMap((f) => f.failedSpans));

  const run = async (title: string, fn: () => Promise<{ batch: Batch | null }>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      setLast({ title, batch: r.batch });
      onFailuresChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel-body">
      <h2 className="panel-title">Operations</h2>

      <section aria-labelledby="util-h">
        <h3 id="util-h">Spectrum utilisation</h3>
        {utilisation === null ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading services…
          </p>
        ) : (
          <>
            <p className="muted small">
              Share of each span's slots held by waves, shown as colour on the map{meanUse !== null ? `; network mean ${formatShare(meanUse)}` : ''}.
              {utilisationFromServer ? ' Packet trunk waves included.' : ' Packet trunk waves are not included.'}
            </p>
            {hot.length === 0 ? (
              <p className="empty">No spectrum is in use yet.</p>
            ) : (
              <ul className="link-list" aria-label="Busiest spans">
                {hot.map(([id, u]) => (
                  <li key={id}>
                    <button type="button" className="link" onClick={() => onSelectSpan(id)}>
                      {spanName(id)}
                    </button>{' '}
                    <span className="muted">{formatShare(u)}</span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      {failures.state !== 'missing' && (
        <section aria-labelledby="fail-h">
          <h3 id="fail-h">Failures</h3>
          <div className="cut-form">
            <label htmlFor="cut-span">Span</label>
            <select id="cut-span" value={selectedSpanId ?? ''} onChange={(e) => onSelectSpan(e.target.value === '' ? null : e.target.value)}>
              <option value="">Choose a span, or click one on the map</option>
              {sortedSpans.map((s) => (
                <option key={s.properties.id} value={s.properties.id}>
                  {spanLabel(s.properties.id)}
                  {failedNow.has(s.properties.id) ? ' — failed' : ''}
                </option>
              ))}
            </select>
            <label htmlFor="cut-note">Note (optional)</label>
            <input id="cut-note" type="text" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} placeholder="e.g. backhoe at mile 212" />
            <button
              type="button"
              className="danger"
              disabled={busy || selectedSpanId === null || failedNow.has(selectedSpanId)}
              onClick={() => {
                if (selectedSpanId !== null) void run(`Cut ${spanName(selectedSpanId)}`, () => cutSpans([selectedSpanId], note.trim() === '' ? undefined : note.trim()));
              }}
            >
              Cut span
            </button>
          </div>
          {error !== null && (
            <p className="error-box" role="alert">
              {error}
            </p>
          )}
          {failures.state === 'loading' && <p className="muted">Loading failures…</p>}
          {failures.state === 'error' && (
            <p className="error-box" role="alert">
              {failures.message}
            </p>
          )}
          {failures.state === 'ready' && open.length === 0 && <p className="empty">No open failures: every span is up.</p>}
          {open.length > 0 && (
            <ul className="failure-list" aria-label="Open failures">
              {open.map((f) => (
                <li key={f.id} className="failure-item">
                  <div>
                    <strong>{f.failedSpans.map(spanName).join(', ')}</strong>
                    <div className="muted small">
                      since {formatTime(f.startedAt)}
                      {f.note !== null ? ` · ${f.note}` : ''}
                    </div>
                  </div>
                  <button type="button" className="secondary" disabled={busy} onClick={() => void run(`Repair ${f.failedSpans.map(spanName).join(', ')}`, () => repairFailure(f.id))}>
                    Repair
                  </button>
                </li>
              ))}
            </ul>
          )}
          {last !== null && last.batch !== null && <BatchSummary title={last.title} batch={last.batch} name={serviceName} />}
          {last !== null && last.batch === null && (
            <p className="notice" role="status">
              {last.title}: recorded; restoration is pending and the server finishes it in the background.
            </p>
          )}
        </section>
      )}
      {failures.state === 'missing' && <p className="notice">This server has no resilience API, so spans cannot be cut or repaired here.</p>}

      <section aria-labelledby="feed-h">
        <h3 id="feed-h">Live service events</h3>
        {feed.length === 0 ? (
          <p className="empty">Service and span events appear here as they happen.</p>
        ) : (
          <ol className="event-feed" aria-live="polite">
            {feed.map((e) => (
              <li key={e.id}>
                <span className="muted small">{new Date(e.occurredAt).toLocaleTimeString('en-US')}</span>{' '}
                {e.subject.kind === 'service' ? `${serviceName(e.subject.id)} ${SERVICE_EVENT_TEXT[e.type] ?? e.type}` : `Span ${spanName(e.subject.id)} ${e.type === 'span.failed' ? 'failed' : e.type === 'span.repaired' ? 'repaired' : e.type}`}
              </li>
            ))}
          </ol>
        )}
      </section>

      <PriceBookEditor />
    </div>
  );
}
