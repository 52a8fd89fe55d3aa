/**
 * The portal shell: header with the screens, a side panel for the current screen, and the map
 * filling the rest. Also decides whether to show the sign-in screen.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, errorMessage, fetchMe } from './api/client.js';
import type { Me } from './api/types.js';
import { setApiKey } from './auth/session.js';
import { SignIn } from './auth/SignIn.js';
import { LatencyPanel } from './latency/LatencyPanel.js';
import type { LatencyForm } from './latency/LatencyPanel.js';
import { useLatency } from './latency/useLatency.js';
import { linesBounds } from './map/bounds.js';
import type { PathOverlay } from './map/layers.js';
import { Legend } from './map/Legend.js';
import { NetworkMap } from './map/NetworkMap.js';
import type { EndpointPin } from './map/NetworkMap.js';
import { DIVERSE_COLOURS, pathColour } from './map/palette.js';
import type { SiteKind } from './map/palette.js';
import { NetworkPanel } from './network/NetworkPanel.js';
import type { Selection } from './network/NetworkPanel.js';
import { useNetwork } from './network/useNetwork.js';
import { ROUTES, useLocation } from './routes.js';

type Session = { state: 'checking' } | { state: 'signin'; reason: string | null } | { state: 'error'; message: string } | { state: 'ready'; me: Me };

const METRICS = new Set(['latency', 'length', 'hops']);

function formFromParams(p: URLSearchParams): LatencyForm {
  const k = Number(p.get('k') ?? 3);
  const metric = p.get('metric') ?? 'latency';
  return {
    from: p.get('from'),
    to: p.get('to'),
    k: Number.isInteger(k) && k >= 1 && k <= 10 ? k : 3,
    metric: METRICS.has(metric) ? (metric as LatencyForm['metric']) : 'latency',
    diverse: p.get('diverse') === 'srlg',
  };
}

function paramsOfForm(f: LatencyForm): string {
  const p = new URLSearchParams();
  if (f.from !== null) p.set('from', f.from);
  if (f.to !== null) p.set('to', f.to);
  if (f.k !== 3) p.set('k', String(f.k));
  if (f.metric !== 'latency') p.set('metric', f.metric);
  if (f.diverse) p.set('diverse', 'srlg');
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/** The whole portal. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const { route, params, navigate } = useLocation();

  const checkSession = useCallback(() => {
    setSession({ state: 'checking' });
    fetchMe()
      .then((me) => setSession({ state: 'ready', me }))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setSession({ state: 'signin', reason: null });
        else setSession({ state: 'error', message: errorMessage(e) });
      });
  }, []);
  useEffect(checkSession, [checkSession]);

  const [net, retryNetwork] = useNetwork(session.state === 'ready');
  useEffect(() => {
    if (net.state === 'error' && net.unauthorised) {
      setApiKey(null);
      setSession({ state: 'signin', reason: 'Your session has ended. Sign in again.' });
    }
  }, [net]);

  const model = net.state === 'ready' ? net.model : null;
  const [selection, setSelection] = useState<Selection>(null);
  const [selectedRank, setSelectedRank] = useState(1);

  // The latency form lives in the URL so a view can be shared or bookmarked.
  const paramsKey = params.toString();
  const form = useMemo(() => formFromParams(new URLSearchParams(paramsKey)), [paramsKey]);
  const setForm = useCallback((f: LatencyForm) => {
    setSelectedRank(1);
    navigate(`/latency${paramsOfForm(f)}`, true);
  }, [navigate]);
  const query = route === 'latency' && model !== null && form.from !== null && form.to !== null && form.from !== form.to
    ? { from: form.from, to: form.to, k: form.k, metric: form.metric, diverse: form.diverse ? ('srlg' as const) : null }
    : null;
  const result = useLatency(query);

  const overlays = useMemo<PathOverlay[]>(() => {
    if (route !== 'latency' || result.state !== 'done') return [];
    const r = result.response;
    if (form.diverse && r.diverse !== null) {
      return r.diverse.paths.map((p, i) => ({ key: `diverse-${i}`, spanIds: p.spanIds, colour: DIVERSE_COLOURS[i % 2], emphasised: true }));
    }
    return r.paths.map((p) => ({ key: `path-${p.rank}`, spanIds: p.spanIds, colour: pathColour(p.rank), emphasised: p.rank === selectedRank }));
  }, [route, result, form.diverse, selectedRank]);

  const focus = useMemo(() => {
    if (model === null || overlays.length === 0 || result.state !== 'done') return { key: `net:${route}`, bounds: null };
    const lines = overlays.flatMap((o) => o.spanIds.flatMap((id) => {
      const s = model.spanById.get(id);
      return s === undefined ? [] : [s.geometry];
    }));
    return { key: `paths:${result.response.from}:${result.response.to}:${form.diverse}:${form.k}:${form.metric}`, bounds: linesBounds(lines) };
  }, [model, overlays, result, route, form.diverse, form.k, form.metric]);

  const pins = useMemo<EndpointPin[]>(() => {
    if (route !== 'latency') return [];
    const out: EndpointPin[] = [];
    if (form.from !== null) out.push({ label: 'A', siteId: form.from });
    if (form.to !== null) out.push({ label: 'Z', siteId: form.to });
    return out;
  }, [route, form.from, form.to]);

  const onSiteClick = useCallback((id: string) => {
    if (route === 'latency') {
      if (form.from === null) setForm({ ...form, from: id });
      else if (id === form.from) return;
      // After A and Z are set, further clicks move Z: exploring from one fixed site is the common case.
      else setForm({ ...form, to: id });
    } else setSelection({ kind: 'site', id });
  }, [route, form, setForm]);
  const onSpanClick = useCallback((id: string) => {
    if (route === 'network') setSelection({ kind: 'span', id });
  }, [route]);

  if (session.state === 'signin') {
    return <SignIn reason={session.reason} onSignedIn={(me) => setSession({ state: 'ready', me })} />;
  }

  const kinds = new Set<SiteKind>(model?.sites.map((s) => s.properties.kind) ?? []);
  const hasUtilisation = model?.spans.some((s) => s.properties.utilisation !== undefined) ?? false;
  const hasFailures = model?.spans.some((s) => s.properties.failed === true) ?? false;

  return (
    <div className="app">
      <a className="skip-link" href="#side-panel">
        Skip to panel
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Lightpath
        </div>
        <nav aria-label="Screens" className="tabs">
          {ROUTES.map((r) => (
            <a
              key={r.id}
              href={r.id === 'latency' ? `/latency${paramsOfForm(form)}` : r.path}
              className={route === r.id ? 'tab active' : 'tab'}
              aria-current={route === r.id ? 'page' : undefined}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                e.preventDefault();
                navigate(e.currentTarget.getAttribute('href') ?? r.path);
              }}
            >
              {r.label}
            </a>
          ))}
        </nav>
        <div className="header-right">
          {session.state === 'ready' && (
            <>
              <span className="role-badge" title={session.me.tenantId ?? undefined}>
                {session.me.role === 'operator' ? 'Operator' : 'Customer'}
                {session.me.tenantId !== null ? ` · ${session.me.tenantId}` : ''}
                {!session.me.authEnabled ? ' · no auth' : ''}
              </span>
              {session.me.authEnabled && (
                <button
                  type="button"
                  className="ghost"
                  onClick={() => {
                    setApiKey(null);
                    setSession({ state: 'signin', reason: 'You have signed out.' });
                  }}
                >
                  Sign out
                </button>
              )}
            </>
          )}
        </div>
      </header>
      <div className="app-body">
        <aside id="side-panel" className="side-panel" tabIndex={-1} aria-label={route === 'latency' ? 'Latency explorer' : 'Network details'}>
          {session.state === 'checking' && <PanelStatus text="Connecting to Lightpath…" />}
          {session.state === 'error' && <PanelError message={session.message} onRetry={checkSession} />}
          {session.state === 'ready' && net.state === 'loading' && <PanelStatus text="Loading network…" />}
          {session.state === 'ready' && net.state === 'error' && <PanelError message={net.message} onRetry={retryNetwork} />}
          {model !== null && model.sites.length === 0 && (
            <div className="panel-body">
              <h2 className="panel-title">No network yet</h2>
              <p className="empty">
                The inventory is empty. Import a topology with <code>lightpath import</code>, then reload.
              </p>
            </div>
          )}
          {model !== null && model.sites.length > 0 && route === 'network' && (
            <NetworkPanel
              model={model}
              selection={selection}
              onSelect={setSelection}
              onPathsFrom={(id) => navigate(`/latency${paramsOfForm({ ...form, from: id, to: form.to === id ? null : form.to })}`)}
            />
          )}
          {model !== null && model.sites.length > 0 && route === 'latency' && (
            <LatencyPanel model={model} form={form} onForm={setForm} result={result} selectedRank={selectedRank} onSelectRank={setSelectedRank} />
          )}
        </aside>
        <main className="map-main" aria-label="Map">
          <NetworkMap
            model={model}
            paths={overlays}
            pins={pins}
            selectedSpanId={route === 'network' && selection?.kind === 'span' ? selection.id : null}
            focus={focus}
            onSiteClick={onSiteClick}
            onSpanClick={onSpanClick}
          />
          {model !== null && <Legend kinds={kinds} hasUtilisation={hasUtilisation} hasFailures={hasFailures} />}
          {(session.state === 'checking' || (session.state === 'ready' && net.state === 'loading')) && (
            <div className="map-overlay" role="status">
              <span className="spinner" aria-hidden="true" /> Loading network…
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

function PanelStatus({ text }: { text: string }) {
  return (
    <div className="panel-body">
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> {text}
      </p>
    </div>
  );
}

function PanelError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="panel-body">
      <div className="error-box" role="alert">
        <strong>Something went wrong.</strong> {message}
      </div>
      <button type="button" className="primary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
