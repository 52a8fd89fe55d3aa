/**
 * The portal shell: header with the screens, a side panel for the current screen, and the map
 * filling the rest. Also decides whether to show the sign-in screen.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage, fetchMe } from './api/client.js';
import type { Quote } from './api/ordering-types.js';
import type { Me } from './api/types.js';
import { setApiKey } from './auth/session.js';
import { SignIn } from './auth/SignIn.js';
import { LatencyPanel } from './latency/LatencyPanel.js';
import type { LatencyForm } from './latency/LatencyPanel.js';
import { useLatency } from './latency/useLatency.js';
import { useReach } from './latency/useReach.js';
import { EventStream } from './events/stream.js';
import { EventsContext, useStreamStatus } from './events/useEvents.js';
import { linesBounds } from './map/bounds.js';
import { designOverlays } from './map/designOverlays.js';
import type { PathOverlay } from './map/layers.js';
import { Legend } from './map/Legend.js';
import { NetworkMap } from './map/NetworkMap.js';
import type { EndpointPin } from './map/NetworkMap.js';
import { DIVERSE_COLOURS, REACH_COLOUR, pathColour } from './map/palette.js';
import type { SiteKind } from './map/palette.js';
import { serverLiveState, withLiveState } from './network/model.js';
import { NetworkPanel } from './network/NetworkPanel.js';
import type { Selection } from './network/NetworkPanel.js';
import { useNetwork } from './network/useNetwork.js';
import { OperatorPanel } from './operator/OperatorPanel.js';
import { useFailures } from './operator/useFailures.js';
import { spectrumUtilisation } from './operator/utilisation.js';
import type { OrderForm } from './order/form.js';
import { OrderPanel } from './order/OrderPanel.js';
import { routesFor, useLocation } from './routes.js';
import type { RouteId } from './routes.js';
import { ServicesPanel } from './services/ServicesPanel.js';
import { useServices } from './services/useServices.js';
import { TransfersPanel } from './transfers/TransfersPanel.js';
import { PlansPanel } from './plans/PlansPanel.js';

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
    within: withinMs(p.get('within')),
  };
}

/** The "within X ms" budget from the URL, or null (paths between two sites). */
function withinMs(raw: string | null): number | null {
  if (raw === null) return null;
  const v = Number(raw);
  return Number.isFinite(v) && v > 0 && v <= 1000 ? v : null;
}

function paramsOfForm(f: LatencyForm): string {
  const p = new URLSearchParams();
  if (f.from !== null) p.set('from', f.from);
  if (f.to !== null) p.set('to', f.to);
  if (f.k !== 3) p.set('k', String(f.k));
  if (f.metric !== 'latency') p.set('metric', f.metric);
  if (f.diverse) p.set('diverse', 'srlg');
  if (f.within !== null) p.set('within', String(f.within));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

const EMPTY_ORDER_FORM: OrderForm = { product: 'wave', from: null, to: null, bandwidthGbps: '100', protection: 'unprotected', maxLatencyMs: '' };

const PANEL_LABEL: Record<RouteId, string> = {
  network: 'Network details',
  latency: 'Latency explorer',
  order: 'Quote and order',
  services: 'Services',
  transfers: 'Bulk transfers',
  operator: 'Operations',
  plans: 'Capacity planning',
};

/** The whole portal. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
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

  // One event stream per signed-in session, shared by every screen.
  const me = session.state === 'ready' ? session.me : null;
  const stream = useMemo(() => (me === null ? null : new EventStream()), [me]);
  useEffect(() => {
    if (stream === null) return;
    stream.start();
    return () => stream.stop();
  }, [stream]);

  if (session.state === 'signin') {
    return <SignIn reason={session.reason} onSignedIn={(signedIn) => setSession({ state: 'ready', me: signedIn })} />;
  }
  return (
    <EventsContext.Provider value={stream}>
      <Portal session={session} onRetrySession={checkSession} onSignOut={(reason) => setSession({ state: 'signin', reason })} />
    </EventsContext.Provider>
  );
}

function Portal({ session, onRetrySession, onSignOut }: { session: Exclude<Session, { state: 'signin' }>; onRetrySession: () => void; onSignOut: (reason: string) => void }) {
  const { route, params, navigate } = useLocation();
  const ready = session.state === 'ready';
  const role = session.state === 'ready' ? session.me.role : 'customer';
  const operator = role === 'operator';
  const streamStatus = useStreamStatus();

  const [net, retryNetwork] = useNetwork(ready);
  useEffect(() => {
    if (net.state === 'error' && net.unauthorised) {
      setApiKey(null);
      onSignOut('Your session has ended. Sign in again.');
    }
  }, [net, onSignOut]);

  const [services, retryServices] = useServices(ready);
  // The failures API is for operators (the operations screen; the map's fallback on older servers).
  const [failures, reloadFailures] = useFailures(ready && operator);

  const baseModel = net.state === 'ready' ? net.model : null;
  // Live state comes with /v1/network; servers that do not report it are worked out here instead.
  const serverLive = useMemo(() => (baseModel === null ? null : serverLiveState(baseModel)), [baseModel]);
  const serverUse = serverLive?.utilisation ?? null;
  const serverFailed = serverLive?.failedSpans ?? null;
  const utilisation = useMemo(() => {
    if (!operator || baseModel === null) return null;
    if (serverUse !== null) return serverUse;
    return services.state === 'ready' ? spectrumUtilisation(baseModel.spans, services.services) : null;
  }, [operator, baseModel, serverUse, services]);
  const failedSpans = useMemo(
    () => serverFailed ?? new Set(failures.state === 'ready' ? failures.failures.flatMap((f) => f.failedSpans) : []),
    [serverFailed, failures],
  );
  // The first draw waits for the live state, so the map does not flash from plain to heat colours.
  const liveKnown =
    (serverFailed !== null || !operator || failures.state !== 'loading') && (!operator || serverUse !== null || services.state !== 'loading');
  const model = useMemo(
    () => (baseModel === null || !liveKnown ? null : withLiveState(baseModel, { utilisation, failedSpans })),
    [baseModel, liveKnown, utilisation, failedSpans],
  );

  const [selection, setSelection] = useState<Selection>(null);
  // Each screen opens at its top: the panel is one scroll container shared by every screen.
  const panelRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (panelRef.current !== null) panelRef.current.scrollTop = 0;
  }, [route]);
  const [selectedRank, setSelectedRank] = useState(1);

  // The latency form lives in the URL so a view can be shared or bookmarked.
  const paramsKey = params.toString();
  const form = useMemo(() => formFromParams(new URLSearchParams(paramsKey)), [paramsKey]);
  const setForm = useCallback((f: LatencyForm) => {
    setSelectedRank(1);
    navigate(`/latency${paramsOfForm(f)}`, true);
  }, [navigate]);
  const query = route === 'latency' && form.within === null && model !== null && form.from !== null && form.to !== null && form.from !== form.to
    ? { from: form.from, to: form.to, k: form.k, metric: form.metric, diverse: form.diverse ? ('srlg' as const) : null }
    : null;
  const result = useLatency(query);
  const reach = useReach(route === 'latency' && form.within !== null && model !== null && form.from !== null ? { from: form.from, maxLatencyUs: Math.round(form.within * 1000) } : null);
  const shadedSiteIds = useMemo(() => (route === 'latency' && form.within !== null && reach.state === 'done' ? reach.response.sites.map((x) => x.siteId) : []), [route, form.within, reach]);

  const [orderForm, setOrderForm] = useState<OrderForm>(EMPTY_ORDER_FORM);
  const [shownOption, setShownOption] = useState<{ quote: Quote; optionId: string } | null>(null);
  const [planOverlays, setPlanOverlays] = useState<PathOverlay[]>([]);
  const onShowOption = useCallback((quote: Quote | null, optionId: string | null) => {
    setShownOption(quote === null || optionId === null ? null : { quote, optionId });
  }, []);
  const serviceId = route === 'services' ? new URLSearchParams(paramsKey).get('id') : null;
  const selectService = useCallback((id: string | null) => navigate(id === null ? '/services' : `/services?id=${encodeURIComponent(id)}`, true), [navigate]);
  const shownService = serviceId !== null && services.state === 'ready' ? (services.services.find((s) => s.id === serviceId) ?? null) : null;

  const overlays = useMemo<PathOverlay[]>(() => {
    if (route === 'plans') return planOverlays;
    if (route === 'order') {
      const opt = shownOption?.quote.options.find((o) => o.id === shownOption.optionId);
      return opt === undefined ? [] : designOverlays(`option-${opt.id}`, opt.paths);
    }
    if (route === 'services') return shownService === null ? [] : designOverlays(`service-${shownService.id}`, shownService.design.paths);
    if (route === 'latency' && form.within !== null) {
      return reach.state === 'done' && reach.response.spanIds.length > 0 ? [{ key: 'reach', spanIds: reach.response.spanIds, colour: REACH_COLOUR, emphasised: true }] : [];
    }
    if (route !== 'latency' || result.state !== 'done') return [];
    const r = result.response;
    if (form.diverse && r.diverse !== null) {
      return r.diverse.paths.map((p, i) => ({ key: `diverse-${i}`, spanIds: p.spanIds, colour: DIVERSE_COLOURS[i % 2], emphasised: true }));
    }
    return r.paths.map((p) => ({ key: `path-${p.rank}`, spanIds: p.spanIds, colour: pathColour(p.rank), emphasised: p.rank === selectedRank }));
  }, [route, result, form.diverse, form.within, reach, selectedRank, shownOption, shownService, planOverlays]);

  const spanSelected = (route === 'network' || route === 'operator') && selection?.kind === 'span' ? selection.id : null;
  // On the operations screen the map goes to the span picked (to cut it) or, with none picked, to
  // the spans a failure holds down: a cut is a few pixels at national zoom.
  const operatorSpans = route !== 'operator' ? [] : spanSelected !== null ? [spanSelected] : [...failedSpans].sort();
  // Where the map flies: the drawn paths' bounds, keyed so it moves only when the subject changes.
  const focusSubject =
    route === 'latency' && form.within !== null && reach.state === 'done'
      ? `reach:${reach.response.from}:${reach.response.maxLatencyUs}`
      : route === 'latency' && result.state === 'done'
      ? `paths:${result.response.from}:${result.response.to}:${form.diverse}:${form.k}:${form.metric}`
      : route === 'order' && shownOption !== null
        ? `option:${shownOption.quote.id}:${shownOption.optionId}`
        : route === 'services' && shownService !== null
          ? `service:${shownService.id}:${shownService.design.paths.map((p) => p.spanIds.join(',')).join('|')}`
          : operatorSpans.length > 0
            ? `spans:${operatorSpans.join(',')}`
            : null;
  const focus = useMemo(() => {
    const spanIds = overlays.length > 0 ? overlays.flatMap((o) => o.spanIds) : focusSubject?.startsWith('spans:') ? focusSubject.slice(6).split(',') : [];
    if (model === null || spanIds.length === 0 || focusSubject === null) return { key: `net:${route}`, bounds: null };
    const lines = spanIds.flatMap((id) => {
      const s = model.spanById.get(id);
      return s === undefined ? [] : [s.geometry];
    });
    return { key: focusSubject, bounds: linesBounds(lines) };
  }, [model, overlays, route, focusSubject]);
  const pins = useMemo<EndpointPin[]>(() => {
    const ends = (a: string | null, z: string | null): EndpointPin[] => [...(a === null ? [] : [{ label: 'A', siteId: a }]), ...(z === null ? [] : [{ label: 'Z', siteId: z }])];
    if (route === 'latency') return form.within !== null ? ends(form.from, null) : ends(form.from, form.to);
    if (route === 'order') return ends(orderForm.from, orderForm.to);
    if (route === 'services' && shownService !== null) return ends(shownService.aSite, shownService.zSite);
    return [];
  }, [route, form.from, form.to, orderForm.from, orderForm.to, shownService]);

  const onSiteClick = useCallback((id: string) => {
    if (route === 'latency') {
      // Within X ms: a click picks the site to measure from.
      if (form.within !== null) setForm({ ...form, from: id });
      else if (form.from === null) setForm({ ...form, from: id });
      else if (id === form.from) return;
      // After A and Z are set, further clicks move Z: exploring from one fixed site is the common case.
      else setForm({ ...form, to: id });
    } else if (route === 'order') {
      setOrderForm((f) => (f.from === null ? { ...f, from: id } : id === f.from ? f : { ...f, to: id }));
    } else if (route === 'network') setSelection({ kind: 'site', id });
  }, [route, form, setForm]);
  const onSpanClick = useCallback((id: string) => {
    if (route === 'network' || route === 'operator') setSelection({ kind: 'span', id });
  }, [route]);

  const kinds = new Set<SiteKind>(model?.sites.map((s) => s.properties.kind) ?? []);
  const hasUtilisation = model?.spans.some((s) => typeof s.properties.utilisation === 'number') ?? false;
  const hasFailures = model?.spans.some((s) => s.properties.failed === true) ?? false;
  const amplifiers = { given: 0, placed: 0 };
  for (const s of model?.spans ?? []) for (const a of s.properties.amplifiers ?? []) if (a.role === 'in-line') amplifiers[a.placedByDefault ? 'placed' : 'given'] += 1;
  const forbidden = ready && (route === 'operator' || route === 'plans') && !operator;

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
          {(ready ? routesFor(role) : []).map((r) => (
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
              {r.id === 'services' && operator ? 'Services' : r.label}
            </a>
          ))}
        </nav>
        <div className="header-right">
          {session.state === 'ready' && (
            <>
              <span className={`live-dot live-${streamStatus}`} role="status" aria-label={`Live updates: ${streamStatus}`} title={`Live updates: ${streamStatus}`}>
                {streamStatus === 'open' ? 'Live' : streamStatus === 'closed' ? 'Offline' : 'Reconnecting…'}
              </span>
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
                    onSignOut('You have signed out.');
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
        <aside id="side-panel" ref={panelRef} className="side-panel" tabIndex={-1} aria-label={PANEL_LABEL[route]}>
          {session.state === 'checking' && <PanelStatus text="Connecting to Lightpath…" />}
          {session.state === 'error' && <PanelError message={session.message} onRetry={onRetrySession} />}
          {ready && (net.state === 'loading' || (net.state === 'ready' && model === null)) && <PanelStatus text="Loading network…" />}
          {ready && net.state === 'error' && <PanelError message={net.message} onRetry={retryNetwork} />}
          {forbidden && (
            <div className="panel-body">
              <h2 className="panel-title">Operators only</h2>
              <p className="notice">Your key is a customer key: this screen is for the network operator.</p>
            </div>
          )}
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
            <LatencyPanel model={model} form={form} onForm={setForm} result={result} selectedRank={selectedRank} onSelectRank={setSelectedRank} reach={reach} />
          )}
          {model !== null && model.sites.length > 0 && route === 'order' && (
            <OrderPanel model={model} form={orderForm} onForm={setOrderForm} onShowOption={onShowOption} onViewService={(id) => navigate(`/services?id=${encodeURIComponent(id)}`)} />
          )}
          {model !== null && route === 'services' && (
            <ServicesPanel model={model} services={services} onRetry={retryServices} selectedId={serviceId} onSelect={selectService} showTenant={operator} onOrderNew={() => navigate('/order')} />
          )}
          {route === 'transfers' && <TransfersPanel selectedId={new URLSearchParams(paramsKey).get('id')} onSelect={(id) => navigate(`/transfers?id=${encodeURIComponent(id)}`, true)} />}
          {route === 'plans' && operator && <PlansPanel selectedId={new URLSearchParams(paramsKey).get('id')} onSelect={(id) => navigate(`/plans?id=${encodeURIComponent(id)}`, true)} onOverlays={setPlanOverlays} />}
          {model !== null && route === 'operator' && operator && (
            <OperatorPanel
              model={model}
              utilisation={utilisation}
              utilisationFromServer={serverUse !== null}
              services={services}
              failures={failures}
              onFailuresChanged={reloadFailures}
              selectedSpanId={spanSelected}
              onSelectSpan={(id) => setSelection(id === null ? null : { kind: 'span', id })}
            />
          )}
        </aside>
        <main className="map-main" aria-label="Map">
          <NetworkMap
            model={model}
            paths={overlays}
            pins={pins}
            selectedSpanId={spanSelected}
            shadedSiteIds={shadedSiteIds}
            focus={focus}
            onSiteClick={onSiteClick}
            onSpanClick={onSpanClick}
          />
          {model !== null && <Legend kinds={kinds} hasUtilisation={hasUtilisation} hasFailures={hasFailures} amplifiers={amplifiers} />}
          {(session.state === 'checking' || (ready && (net.state === 'loading' || (net.state === 'ready' && model === null)))) && (
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
