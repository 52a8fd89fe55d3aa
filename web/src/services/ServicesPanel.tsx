/**
 * My services: the tenant's services (operators: everyone's) with state, path on the map, estimated
 * and measured availability; change bandwidth or disconnect, followed live like a new order.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import { disconnectService, fetchAvailability, fetchOrders, modifyBandwidth } from '../api/ordering.js';
import type { Availability, Order, Service } from '../api/ordering-types.js';
import { BookingTimeline } from '../calendar/BookingTimeline.js';
import { HeldOrder } from '../calendar/HeldOrder.js';
import { formatUtc } from '../calendar/when.js';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { OrderTracker, useOrderTracking } from '../order/OrderTracker.js';
import { PRODUCT_CHOICES, PROTECTION_CHOICES, bandwidthChoices } from '../order/form.js';
import { formatAvailability, formatDuration, formatKm, formatMoney, formatMs, formatTime, formatUs } from '../ui/format.js';
import { conditionLabel, type Condition } from './conditions.js';
import { useServiceConditions } from './useConditions.js';
import type { ServicesState } from './useServices.js';

export interface ServicesPanelProps {
  model: NetworkModel;
  services: ServicesState;
  onRetry: () => void;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  showTenant: boolean;
  onOrderNew: () => void;
}

const STATE_LABEL: Record<Service['state'], string> = { held: 'Held', scheduled: 'Scheduled', reserved: 'Activating', active: 'Active', down: 'Down', ended: 'Ended', terminated: 'Disconnected' };

/** Services that hold nothing any more. */
function isOver(s: Service): boolean {
  return s.state === 'terminated' || s.state === 'ended';
}

function productLabel(p: Service['product']): string {
  return PRODUCT_CHOICES.find((c) => c.id === p)?.label ?? p;
}

function bandwidthText(s: Service): string {
  return s.product === 'dark-fiber' ? 'strand pair' : `${s.bandwidthGbps} Gbps`;
}

function StateBadge({ state, condition }: { state: Service['state']; condition?: Condition | undefined }) {
  // During a failure an active service says how it is carried (switched, rerouted); down is down.
  if (condition !== undefined && (state === 'active' || state === 'down')) {
    const c: Condition = state === 'down' ? { kind: 'down', reason: null } : condition;
    return (
      <span className={`state-badge state-${c.kind === 'down' ? 'down' : c.kind}`} data-condition={c.kind}>
        {conditionLabel(c, formatUs)}
      </span>
    );
  }
  return <span className={`state-badge state-${state}`}>{STATE_LABEL[state]}</span>;
}

function useAvailability(id: string, refresh: string): { state: 'loading' } | { state: 'missing' } | { state: 'error'; message: string } | { state: 'done'; value: Availability } {
  const [a, setA] = useState<ReturnType<typeof useAvailability>>({ state: 'loading' });
  useEffect(() => {
    const ctl = new AbortController();
    fetchAvailability(id, ctl.signal)
      .then((v) => setA(v === null ? { state: 'missing' } : { state: 'done', value: v }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setA({ state: 'error', message: errorMessage(e) });
      });
    return () => ctl.abort();
  }, [id, refresh]);
  return a;
}

/** The held order of a held service (to commit or release it here), or null. */
function useHeldOrder(service: Service): [Order | null, (o: Order | null) => void] {
  const [held, setHeld] = useState<Order | null>(null);
  useEffect(() => {
    setHeld(null);
    if (service.state !== 'held') return;
    const ctl = new AbortController();
    fetchOrders({ state: 'held', serviceId: service.id }, ctl.signal)
      .then((list) => setHeld(list[0] ?? null))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) console.warn('held order lookup failed', errorMessage(e));
      });
    return () => ctl.abort();
  }, [service.id, service.state]);
  return [held, setHeld];
}

function ServiceDetails({ service, model, showTenant, condition }: { service: Service; model: NetworkModel; showTenant: boolean; condition: Condition | undefined }) {
  const availability = useAvailability(service.id, service.updatedAt + service.state);
  const [held, setHeld] = useHeldOrder(service);
  const [order, setOrder] = useState<Order | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [bw, setBw] = useState(String(service.bandwidthGbps));
  const tracking = useOrderTracking(order);

  useEffect(() => {
    setOrder(null);
    setError(null);
    setConfirming(false);
    setBw(String(service.bandwidthGbps));
    // Only a different service resets the actions; updates to this one keep the tracker visible.
  }, [service.id]);

  const act = async (fn: () => Promise<Order>) => {
    setBusy(true);
    setError(null);
    try {
      setOrder(await fn());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const submitBw = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(bw);
    if (!Number.isInteger(n) || n <= 0) {
      setError('Enter a whole number of Gbps.');
      return;
    }
    void act(() => modifyBandwidth(service.id, n));
  };

  const working = service.design.paths.find((p) => p.role === 'working') ?? service.design.paths[0];
  const protect = service.design.paths.find((p) => p.role === 'protect');
  const live = !isOver(service);
  const started = service.state === 'reserved' || service.state === 'active' || service.state === 'down';
  const pending = tracking !== null && tracking.order.state !== 'completed' && tracking.order.state !== 'failed' && tracking.order.state !== 'cancelled';
  const choices = bandwidthChoices(service.product);

  return (
    <section className="details" aria-labelledby="svc-h">
      <h3 id="svc-h">
        {siteName(model, service.aSite)} – {siteName(model, service.zSite)}
      </h3>
      <dl className="facts">
        <div className="fact">
          <dt>State</dt>
          <dd>
            <StateBadge state={service.state} condition={condition} />
          </dd>
        </div>
        <div className="fact">
          <dt>Id</dt>
          <dd>{service.id}</dd>
        </div>
        {showTenant && (
          <div className="fact">
            <dt>Tenant</dt>
            <dd>{service.tenantId}</dd>
          </div>
        )}
        <div className="fact">
          <dt>Product</dt>
          <dd>
            {productLabel(service.product)}, {bandwidthText(service)}
          </dd>
        </div>
        <div className="fact">
          <dt>Protection</dt>
          <dd>{PROTECTION_CHOICES.find((p) => p.id === service.protection)?.label ?? service.protection}</dd>
        </div>
        {working !== undefined && (
          <div className="fact">
            <dt>Latency</dt>
            <dd>
              {formatMs(working.latencyUs)} over {formatKm(working.lengthKm)}
              {protect !== undefined ? ` (protect ${formatMs(protect.latencyUs)})` : ''}
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Price</dt>
          <dd>{formatMoney(service.price.monthly.amountMinor)} / month</dd>
        </div>
        <div className="fact">
          <dt>Designed for</dt>
          <dd>{formatAvailability(service.availability)} availability</dd>
        </div>
        <div className="fact">
          <dt>Measured</dt>
          <dd data-testid="measured-availability">
            {availability.state === 'loading' && 'loading…'}
            {availability.state === 'missing' && 'not recorded by this server'}
            {availability.state === 'error' && availability.message}
            {availability.state === 'done' &&
              `${formatAvailability(availability.value.availability)}, ${formatDuration(availability.value.downtimeSeconds)} down, ${availability.value.outages.length} outage${availability.value.outages.length === 1 ? '' : 's'}`}
          </dd>
        </div>
        {service.start !== undefined && (
          <div className="fact">
            <dt>Window</dt>
            <dd data-testid="service-window">
              {formatUtc(Date.parse(service.start))} → {service.end === null || service.end === undefined ? 'open-ended' : formatUtc(Date.parse(service.end))}
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Ordered</dt>
          <dd>{formatTime(service.createdAt)}</dd>
        </div>
      </dl>
      {working !== undefined && <p className="path-route">{working.siteIds.map((id) => siteName(model, id)).join(' → ')}</p>}

      {held !== null && held.state === 'held' && (
        <HeldOrder
          order={held}
          onChanged={(o) => {
            setHeld(null);
            setOrder(o);
          }}
        />
      )}
      {live && service.state !== 'held' && service.product !== 'dark-fiber' && (
        <form className="inline-form" onSubmit={submitBw}>
          <label>
            New bandwidth (Gbps)
            {service.product === 'wave' ? (
              <select value={bw} onChange={(e) => setBw(e.target.value)}>
                {choices.map((g) => (
                  <option key={g} value={String(g)}>
                    {g}
                  </option>
                ))}
              </select>
            ) : (
              <input type="number" min={1} max={400} step={1} value={bw} onChange={(e) => setBw(e.target.value)} />
            )}
          </label>
          <button type="submit" className="secondary" disabled={busy || pending || bw === String(service.bandwidthGbps)}>
            Change bandwidth
          </button>
        </form>
      )}
      {live && service.state !== 'held' && !confirming && (
        <button type="button" className="danger" disabled={busy || pending} onClick={() => setConfirming(true)}>
          {started ? 'Disconnect…' : 'Cancel booking…'}
        </button>
      )}
      {live && confirming && (
        <div className="confirm" role="group" aria-label="Confirm disconnect">
          <p>{started ? 'Disconnect this service? Its capacity is released and billing stops.' : 'Cancel this booking before it starts? Everything it holds is released.'}</p>
          <div className="button-row">
            <button type="button" className="danger" disabled={busy} onClick={() => void act(() => disconnectService(service.id))}>
              {started ? 'Yes, disconnect' : 'Yes, cancel it'}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      )}
      {error !== null && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {tracking !== null && <OrderTracker tracking={tracking} />}
    </section>
  );
}

/** The services screen. */
export function ServicesPanel({ model, services, onRetry, selectedId, onSelect, showTenant, onOrderNew }: ServicesPanelProps) {
  const [showEnded, setShowEnded] = useState(false);
  const conditions = useServiceConditions(true);
  const title = showTenant ? 'Services' : 'My services';
  if (services.state === 'loading') {
    return (
      <div className="panel-body">
        <h2 className="panel-title">{title}</h2>
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading services…
        </p>
      </div>
    );
  }
  if (services.state === 'error') {
    return (
      <div className="panel-body">
        <h2 className="panel-title">{title}</h2>
        <div className="error-box" role="alert">
          <strong>Services could not be loaded.</strong> {services.message}
        </div>
        <button type="button" className="primary" onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  const all = services.services;
  const shown = all.filter((s) => showEnded || !isOver(s) || s.id === selectedId);
  const selected = all.find((s) => s.id === selectedId) ?? null;
  const ended = all.filter(isOver).length;
  return (
    <div className="panel-body">
      <h2 className="panel-title">{title}</h2>
      <p className="muted small">
        {all.length - ended} in service or booked{ended > 0 ? `, ${ended} ended or disconnected` : ''}. Select one to see its path on the map.
      </p>
      <BookingTimeline services={shown} label={(s) => `${siteName(model, s.aSite)} – ${siteName(model, s.zSite)}`} selectedId={selectedId} onSelect={(id) => onSelect(id)} />
      {ended > 0 && (
        <label className="toggle small-toggle">
          <input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} /> Show ended and disconnected
        </label>
      )}
      {shown.length === 0 ? (
        <div className="empty">
          <p>No services yet.</p>
          <button type="button" className="primary" onClick={onOrderNew}>
            Get a quote
          </button>
        </div>
      ) : (
        <ul className="service-list" aria-label={title}>
          {shown.map((s) => (
            <li key={s.id}>
              <button type="button" className={`service-item${s.id === selectedId ? ' selected' : ''}`} aria-pressed={s.id === selectedId} onClick={() => onSelect(s.id === selectedId ? null : s.id)} data-service-id={s.id}>
                <span className="service-ends">
                  {siteName(model, s.aSite)} – {siteName(model, s.zSite)}
                </span>
                <span className="service-meta">
                  <StateBadge state={s.state} condition={conditions.get(s.id)} /> {productLabel(s.product)} · {bandwidthText(s)}
                  {showTenant ? ` · ${s.tenantId}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected !== null && <ServiceDetails service={selected} model={model} showTenant={showTenant} condition={conditions.get(selected.id)} />}
    </div>
  );
}
