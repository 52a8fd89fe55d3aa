/**
 * Live status of one order: follows the event stream (catching up on events that came before the
 * order's response did), and polls only while the stream is down.
 */
import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client.js';
import { fetchOrder, fetchService } from '../api/ordering.js';
import type { Order } from '../api/ordering-types.js';
import { useEventListener, useEventStream, useStreamStatus } from '../events/useEvents.js';
import { formatUtc } from '../calendar/when.js';
import { applyEvent, isSettled, startTracking } from './progress.js';
import type { Tracking } from './progress.js';

const POLL_MS = 3000;

/** Tracking state for an order (null = nothing to follow). */
export function useOrderTracking(order: Order | null): Tracking | null {
  const stream = useEventStream();
  const status = useStreamStatus();
  const [t, setT] = useState<Tracking | null>(null);

  useEffect(() => {
    if (order === null) {
      setT(null);
      return;
    }
    let next = startTracking(order);
    for (const e of stream?.recent() ?? []) next = applyEvent(next, e);
    setT(next);
  }, [order, stream]);

  useEventListener((e) => setT((cur) => (cur === null ? cur : applyEvent(cur, e))));

  // Without a live stream, ask now and then; stop as soon as the order settles.
  const settled = t === null || isSettled(t);
  const orderId = order?.id ?? null;
  useEffect(() => {
    if (orderId === null || settled || status === 'open') return;
    const ctl = new AbortController();
    const timer = setInterval(() => {
      fetchOrder(orderId, ctl.signal)
        .then(async (o) => {
          const svc = o.state === 'completed' ? await fetchService(o.serviceId, ctl.signal) : null;
          setT((cur) => (cur === null || cur.order.id !== o.id ? cur : { ...cur, order: o, serviceState: svc?.state ?? cur.serviceState }));
        })
        .catch((e: unknown) => {
          if (!ctl.signal.aborted) console.warn('order poll failed', errorMessage(e));
        });
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      ctl.abort();
    };
  }, [orderId, settled, status]);

  return t;
}

const ACTION_TEXT: Record<Order['action'], string> = { add: 'New service', modify: 'Bandwidth change', delete: 'Disconnect' };

/** What the tracker shows as the headline for the current state. */
export function trackingHeadline(t: Tracking): string {
  const o = t.order;
  if (o.state === 'failed') return `Failed${o.failureReason === null ? '' : `: ${o.failureReason}`}`;
  if (o.state === 'cancelled') return o.failureReason === 'hold-expired' ? 'Hold expired: the capacity was released' : 'Cancelled';
  if (o.state === 'held') return 'Held: commit to book it';
  if (o.state === 'completed') {
    if (o.action === 'delete') return t.serviceState === 'terminated' ? 'Disconnected' : 'Completed';
    return t.serviceState === 'active' ? 'Service active' : 'Completed, activating…';
  }
  if (o.state === 'inProgress') return 'Activating…';
  // A booking for later stays acknowledged (its service scheduled) until its start.
  const startMs = o.start === undefined || o.start === null ? NaN : Date.parse(o.start);
  return startMs > Date.now() + 60_000 ? `Scheduled: starts ${formatUtc(startMs)}` : 'Acknowledged, waiting to start…';
}

/** A status card for an order with its event log. */
export function OrderTracker({ tracking }: { tracking: Tracking }) {
  const o = tracking.order;
  const done = isSettled(tracking);
  const headline = trackingHeadline(tracking);
  // Held or scheduled for later: waiting on the customer or the calendar, not on the network.
  const waitingLong = o.state === 'held' || headline.startsWith('Scheduled');
  const bad = o.state === 'failed' || o.state === 'cancelled';
  return (
    <section className={`tracker${bad ? ' bad' : done ? ' done' : ''}`} aria-labelledby={`tracker-${o.id}`}>
      <div className="tracker-head">
        <h3 id={`tracker-${o.id}`}>{ACTION_TEXT[o.action]}</h3>
        <span className="muted small">{o.id}</span>
      </div>
      <p className="tracker-status" role="status" aria-live="polite" data-order-state={o.state} data-service-state={tracking.serviceState ?? ''}>
        {!done && !waitingLong && <span className="spinner" aria-hidden="true" />} {headline}
      </p>
      {tracking.log.length > 0 && (
        <ol className="tracker-log">
          {tracking.log.map((l) => (
            <li key={l.eventId}>
              <span>{l.text}</span> <span className="muted small">{new Date(l.at).toLocaleTimeString('en-US')}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
