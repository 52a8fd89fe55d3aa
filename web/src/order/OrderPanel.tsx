/**
 * Quote & order: product, ends, bandwidth, protection and when (a window, a weekly recurrence) ->
 * priced options with latency and availability, drawn on the map -> order one, or hold it and
 * commit -> follow it live until the service is active (or scheduled for its start).
 */
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import { createQuote, newIdempotencyKey, placeOrder } from '../api/ordering.js';
import type { Order, Quote, QuoteOption } from '../api/ordering-types.js';
import { AvailabilityStrip } from '../calendar/AvailabilityStrip.js';
import { HeldOrder } from '../calendar/HeldOrder.js';
import { WhenPicker } from '../calendar/WhenPicker.js';
import { EMPTY_WHEN, bookingOfWhen, formatUtc, parseUtcInput, toUtcInput } from '../calendar/when.js';
import type { WhenForm } from '../calendar/when.js';
import { SiteCombobox } from '../latency/SiteCombobox.js';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { GsnrChart } from '../qot/GsnrChart.js';
import { formatAvailability, formatDb, formatKm, formatMoney, formatMs, formatStretch, formatTime } from '../ui/format.js';
import { PRODUCT_CHOICES, PROTECTION_CHOICES, bandwidthChoices, bandwidthFor, specOfForm } from './form.js';
import type { OrderForm } from './form.js';
import { OrderTracker, useOrderTracking } from './OrderTracker.js';

export interface OrderPanelProps {
  model: NetworkModel;
  form: OrderForm;
  onForm: (f: OrderForm) => void;
  /** Tell the map which option to draw (null = none). */
  onShowOption: (quote: Quote | null, optionId: string | null) => void;
  onViewService: (serviceId: string) => void;
}

/** A quote with the hold asked for alongside it (holds are placed with the order, not the quote). */
type QuoteState = { state: 'idle' } | { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; quote: Quote; holdSeconds: number | null };

/** The quoted window(s) in words, e.g. "Mon 2026-12-07 09:00 UTC → open-ended". */
function windowsText(q: Quote): string | null {
  const ws = q.windows ?? [];
  if (ws.length === 0) return null;
  const one = (w: { start: string; end: string | null }) => `${formatUtc(Date.parse(w.start))} → ${w.end === null ? 'open-ended' : formatUtc(Date.parse(w.end))}`;
  return ws.length === 1 ? one(ws[0]) : `${ws.length} occurrences, first ${one(ws[0])}`;
}

function Occurrences({ option }: { option: QuoteOption }) {
  const occ = option.occurrences ?? [];
  if (occ.length <= 1) return null;
  const ok = occ.filter((o) => o.feasible).length;
  return (
    <details className="occurrences" open={ok < occ.length}>
      <summary>
        Fits {ok} of {occ.length} occurrences
      </summary>
      <ul className="occurrence-list" aria-label="Occurrences">
        {occ.map((o) => (
          <li key={o.start} data-feasible={o.feasible} className={o.feasible ? 'occ-ok' : 'occ-no'}>
            <span aria-hidden="true">{o.feasible ? '✓' : '✗'}</span> {formatUtc(Date.parse(o.start))}
            <span className="visually-hidden">{o.feasible ? ' fits' : ' does not fit'}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function OptionCard({ option, index, selected, onSelect, model }: { option: QuoteOption; index: number; selected: boolean; onSelect: () => void; model: NetworkModel }) {
  const working = option.paths.find((p) => p.role === 'working') ?? option.paths[0];
  return (
    <button type="button" className={`path-card option-card${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onSelect}>
      <span className="path-main">
        <span className="path-title">
          Option {index + 1}
          {option.paths.length > 1 ? ' · working + protect' : ''}
        </span>
        <span className="option-price">
          {formatMoney(option.monthly.amountMinor)}
          <span className="muted"> / month</span>
        </span>
        <span className="path-latency option-latency">
          {formatMs(option.latencyUs)} <span className="muted">latency</span>
        </span>
        <span className="path-meta">
          {formatKm(option.lengthKm)} · {formatStretch(option.latencyUs, option.latencyLowerBoundUs)} over bound · {formatAvailability(option.availability)} est. availability
        </span>
        {option.qot !== undefined && option.qot.length > 0 && (
          <span className="path-meta option-qot">
            {option.qot.map((q) => `${option.qot!.length > 1 ? `${q.role}: ` : ''}${q.modeId} · GSNR ${formatDb(q.gsnr01nmDb)} · margin ${formatDb(q.marginDb)}${q.regeneratorSiteIds.length > 0 ? ` · ${q.regeneratorSiteIds.length} regen` : ''}`).join('; ')}
          </span>
        )}
        {working !== undefined && <span className="path-route">{working.siteIds.map((id) => siteName(model, id)).join(' → ')}</span>}
        <span className="muted small">{formatMoney(option.hourly.amountMinor)} / hour</span>
        {(option.occurrences?.length ?? 0) > 1 && (
          <span className="muted small">
            fits {option.occurrences?.filter((o) => o.feasible).length} of {option.occurrences?.length} occurrences
          </span>
        )}
      </span>
    </button>
  );
}

/** The quote and order screen. */
export function OrderPanel({ model, form, onForm, onShowOption, onViewService }: OrderPanelProps) {
  const [quote, setQuote] = useState<QuoteState>({ state: 'idle' });
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [optionId, setOptionId] = useState<string | null>(null);
  const [ordering, setOrdering] = useState(false);
  const [orderError, setOrderError] = useState<string | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [when, setWhen] = useState<WhenForm>(EMPTY_WHEN);
  const [partial, setPartial] = useState(false);
  // One idempotency key per quote option: clicking Order twice (or retrying after a dropped
  // response) sends the same key, so the server places the order once.
  const keys = useRef(new Map<string, string>());
  const tracking = useOrderTracking(order);
  const trackerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (order !== null) trackerRef.current?.scrollIntoView({ block: 'nearest' });
  }, [order]);

  const a = form.from === null ? null : (model.siteById.get(form.from) ?? null);
  const z = form.to === null ? null : (model.siteById.get(form.to) ?? null);
  const done = quote.state === 'done' ? quote.quote : null;

  useEffect(() => {
    onShowOption(done, optionId);
  }, [done, optionId, onShowOption]);
  useEffect(() => () => onShowOption(null, null), [onShowOption]);

  // A changed request (here or by a click on the map) makes the old quote stale.
  const formKey = JSON.stringify([form, when]);
  useEffect(() => {
    setQuote({ state: 'idle' });
    setOptionId(null);
    setFormErrors([]);
    setPartial(false);
  }, [formKey]);
  const update = onForm;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = specOfForm(form);
    const w = bookingOfWhen(when, Date.now());
    if ('errors' in r || 'errors' in w) {
      setFormErrors([...('errors' in r ? r.errors : []), ...('errors' in w ? w.errors : [])]);
      return;
    }
    setFormErrors([]);
    setQuote({ state: 'loading' });
    setOptionId(null);
    setOrder(null);
    setOrderError(null);
    try {
      const q = await createQuote({ ...r.spec, ...w.booking });
      setQuote({ state: 'done', quote: q, holdSeconds: w.holdSeconds });
      setOptionId(q.options[0]?.id ?? null);
    } catch (err) {
      setQuote({ state: 'error', message: errorMessage(err) });
    }
  };

  const holdSeconds = quote.state === 'done' ? quote.holdSeconds : null;
  const orderOption = async () => {
    if (done === null || optionId === null || ordering) return;
    const k = `${done.id}/${optionId}/${holdSeconds ?? ''}/${partial}`;
    let idem = keys.current.get(k);
    if (idem === undefined) {
      idem = newIdempotencyKey();
      keys.current.set(k, idem);
    }
    setOrdering(true);
    setOrderError(null);
    try {
      const opts = { ...(holdSeconds !== null ? { hold: true, holdSeconds } : {}), ...(partial ? { partial: true } : {}) };
      setOrder(await placeOrder(done.id, optionId, idem, opts));
    } catch (err) {
      setOrderError(errorMessage(err));
    } finally {
      setOrdering(false);
    }
  };

  const bwChoices = bandwidthChoices(form.product);
  const packet = form.product === 'ethernet' || form.product === 'cloud-connect';
  const expired = done !== null && Date.parse(done.expiresAt) < Date.now();
  // The strip asks about exactly the circuit the form describes, once the form describes one.
  const stripSpec = (() => {
    const r = specOfForm(form);
    return 'spec' in r ? r.spec : null;
  })();
  const chosen = done?.options.find((o) => o.id === optionId) ?? null;
  const someInfeasible = chosen !== null && (chosen.occurrences ?? []).some((o) => !o.feasible);
  const verb = holdSeconds !== null ? 'Hold' : 'Order';

  return (
    <div className="panel-body">
      <h2 className="panel-title">Quote &amp; order</h2>
      <p className="muted small">Choose the ends here or click sites on the map, then get priced options.</p>
      <form className="latency-form order-form" onSubmit={submit} noValidate aria-describedby={formErrors.length > 0 ? 'order-form-errors' : undefined}>
        <SiteCombobox label="A end" badge="A" sites={model.sites} value={a} onChange={(id) => update({ ...form, from: id })} />
        <SiteCombobox label="Z end" badge="Z" sites={model.sites} value={z} onChange={(id) => update({ ...form, to: id })} />
        <div className="form-row">
          <label>
            Product
            <select value={form.product} onChange={(e) => {
              const product = e.target.value as OrderForm['product'];
              update({ ...form, product, bandwidthGbps: bandwidthFor(product, form.bandwidthGbps) });
            }}>
              {PRODUCT_CHOICES.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          {form.product === 'wave' && (
            <label>
              Bandwidth
              <select value={form.bandwidthGbps} onChange={(e) => update({ ...form, bandwidthGbps: e.target.value })}>
                {bwChoices.map((g) => (
                  <option key={g} value={String(g)}>
                    {g} Gbps
                  </option>
                ))}
              </select>
            </label>
          )}
          {packet && (
            <label>
              Bandwidth (Gbps)
              <input type="number" inputMode="numeric" min={1} max={400} step={1} list="bw-choices" value={form.bandwidthGbps} onChange={(e) => update({ ...form, bandwidthGbps: e.target.value })} />
              <datalist id="bw-choices">
                {bwChoices.map((g) => (
                  <option key={g} value={g} />
                ))}
              </datalist>
            </label>
          )}
        </div>
        <p className="muted small">{PRODUCT_CHOICES.find((p) => p.id === form.product)?.hint}</p>
        <div className="form-row">
          <label>
            Protection
            <select value={form.protection} onChange={(e) => update({ ...form, protection: e.target.value as OrderForm['protection'] })}>
              {PROTECTION_CHOICES.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Max latency (ms)
            <input type="text" inputMode="decimal" placeholder="none" value={form.maxLatencyMs} onChange={(e) => update({ ...form, maxLatencyMs: e.target.value })} />
          </label>
        </div>
        <p className="muted small">{PROTECTION_CHOICES.find((p) => p.id === form.protection)?.hint}</p>
        {stripSpec !== null && (
          <AvailabilityStrip
            aSite={stripSpec.aSite}
            zSite={stripSpec.zSite}
            product={stripSpec.product}
            bandwidthGbps={stripSpec.bandwidthGbps}
            protection={stripSpec.protection}
            maxLatencyUs={stripSpec.maxLatencyUs}
            startMs={parseUtcInput(when.start)}
            onPickStart={(ms) => setWhen({ ...when, start: ms === null ? '' : toUtcInput(ms) })}
          />
        )}
        <WhenPicker value={when} onChange={setWhen} />
        {formErrors.length > 0 && (
          <ul id="order-form-errors" className="error-box form-errors" role="alert">
            {formErrors.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <button type="submit" className="primary" disabled={quote.state === 'loading'}>
          {quote.state === 'loading' ? 'Pricing…' : 'Get quote'}
        </button>
      </form>

      <div className="results" aria-live="polite" aria-busy={quote.state === 'loading'}>
        {quote.state === 'idle' && order === null && <p className="empty">Options with price, latency and availability appear here.</p>}
        {quote.state === 'loading' && (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Pricing options…
          </p>
        )}
        {quote.state === 'error' && (
          <p className="error-box" role="alert">
            <strong>No quote.</strong> {quote.message}
          </p>
        )}
        {done !== null && done.options.length === 0 && (
          <p className="notice" role="status">
            No way to deliver this circuit right now: no path meets the request with capacity free. Try another protection, bandwidth or latency bound.
          </p>
        )}
        {done !== null && done.options.length > 0 && (
          <section className="result-section" aria-labelledby="options-h" data-quote-id={done.id}>
            <h3 id="options-h">
              {done.options.length} option{done.options.length === 1 ? '' : 's'}
            </h3>
            {windowsText(done) !== null && (
              <p className="when-quoted" data-testid="quoted-window">
                {windowsText(done)}
              </p>
            )}
            <p className="muted small">
              Quote {done.id}, valid until {formatTime(done.expiresAt)}. Quoting reserves nothing.
            </p>
            <ul className="path-list">
              {done.options.map((o, i) => (
                <li key={o.id}>
                  <OptionCard option={o} index={i} selected={o.id === optionId} onSelect={() => setOptionId(o.id)} model={model} />
                </li>
              ))}
            </ul>
            {chosen !== null && chosen.paths.some((p) => p.wave?.segments.some((sg) => sg.qot !== undefined)) && (
              <details className="qot-details" open>
                <summary>GSNR along option {done.options.findIndex((o) => o.id === optionId) + 1}</summary>
                {chosen.paths.map((p) => (
                  <GsnrChart key={p.role} path={p} model={model} label={`GSNR along the ${p.role} path`} />
                ))}
              </details>
            )}
            {chosen !== null && <Occurrences option={chosen} />}
            {someInfeasible && (
              <label className="toggle">
                <input type="checkbox" checked={partial} onChange={(e) => setPartial(e.target.checked)} /> Book only the occurrences that fit
              </label>
            )}
            {expired && (
              <p className="notice" role="status">
                This quote has expired: get a new one.
              </p>
            )}
            <button type="button" className="primary" onClick={orderOption} disabled={ordering || optionId === null || expired || (order !== null && tracking !== null && tracking.order.quoteId === done.id)}>
              {ordering ? `${verb === 'Hold' ? 'Holding' : 'Ordering'}…` : `${verb} option ${done.options.findIndex((o) => o.id === optionId) + 1}`}
            </button>
          </section>
        )}
        {orderError !== null && (
          <p className="error-box" role="alert">
            <strong>The order was not placed.</strong> {orderError}
          </p>
        )}
        {tracking !== null && (
          <div ref={trackerRef}>
            {tracking.order.state === 'held' && <HeldOrder order={tracking.order} onChanged={setOrder} />}
            <OrderTracker tracking={tracking} />
            {tracking.serviceState === 'active' && (
              <button type="button" className="primary" onClick={() => onViewService(tracking.order.serviceId)}>
                View in my services
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
