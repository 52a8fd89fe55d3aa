/**
 * A held order: capacity is reserved until the hold runs out. Shows the time left and lets the
 * customer commit (the booking goes ahead) or release it.
 */
import { useState } from 'react';
import { errorMessage } from '../api/client.js';
import { cancelOrder, commitOrder } from '../api/ordering.js';
import type { Order } from '../api/ordering-types.js';
import { useNow } from './useNow.js';
import { formatCountdown, formatUtc } from './when.js';

export interface HeldOrderProps {
  order: Order;
  /** The order after commit or release. */
  onChanged: (o: Order) => void;
}

/** The hold card: countdown, Commit, Release. */
export function HeldOrder({ order, onChanged }: HeldOrderProps) {
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const expiresMs = order.holdExpiresAt === null || order.holdExpiresAt === undefined ? null : Date.parse(order.holdExpiresAt);
  const left = expiresMs === null ? null : expiresMs - now;
  const expired = left !== null && left <= 0;
  const act = async (fn: (id: string) => Promise<Order>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await fn(order.id));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const occurrences = order.occurrences?.length ?? 0;
  return (
    <section className="hold-card" aria-labelledby={`hold-${order.id}`} data-order-id={order.id}>
      <h3 id={`hold-${order.id}`}>Held{occurrences > 1 ? ` (${occurrences} occurrences)` : ''}</h3>
      <p>
        The capacity is yours until{' '}
        <strong>{expiresMs === null ? 'the hold ends' : formatUtc(expiresMs)}</strong>
        {left !== null && (
          <>
            {' '}
            <span className={`countdown${expired ? ' expired' : ''}`} role="timer" aria-live="off" data-testid="hold-countdown">
              {expired ? 'expired' : `${formatCountdown(left)} left`}
            </span>
          </>
        )}
        . Commit to book it; otherwise it is released.
      </p>
      <div className="button-row">
        <button type="button" className="primary" disabled={busy || expired} onClick={() => void act(commitOrder)}>
          Commit
        </button>
        <button type="button" className="secondary" disabled={busy || expired} onClick={() => void act(cancelOrder)}>
          Release
        </button>
      </div>
      {error !== null && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
