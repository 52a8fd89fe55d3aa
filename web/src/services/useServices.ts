/** The caller's services, reloaded after each burst of service and order events. */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client.js';
import { fetchServices } from '../api/ordering.js';
import type { Service } from '../api/ordering-types.js';
import { useRefreshOn } from '../events/useEvents.js';

export type ServicesState = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; services: Service[] };

const RELOAD_ON = /^(service|order)\./;

/** Services (when enabled), newest first, and a retry function. */
export function useServices(enabled: boolean): [ServicesState, () => void] {
  const [state, setState] = useState<ServicesState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const tick = useRefreshOn((e) => RELOAD_ON.test(e.type));
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    fetchServices(ctl.signal)
      .then((list) => setState({ state: 'ready', services: [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) }))
      .catch((e: unknown) => {
        // Keep showing the last list when a background reload fails; show the error only at first.
        if (!ctl.signal.aborted) setState((cur) => (cur.state === 'ready' ? cur : { state: 'error', message: errorMessage(e) }));
      });
    return () => ctl.abort();
  }, [enabled, attempt, tick]);
  const retry = useCallback(() => {
    setState({ state: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return [state, retry];
}
