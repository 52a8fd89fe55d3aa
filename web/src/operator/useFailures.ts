/** Open failures (the operations screen; the map's failed spans on servers whose /v1/network lacks them), reloaded after span and service events. */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client.js';
import { fetchOpenFailures } from '../api/ordering.js';
import type { Failure } from '../api/ordering-types.js';
import { useRefreshOn } from '../events/useEvents.js';

/** missing: the server has no failures route (resilience not installed), so the UI hides it. */
export type FailuresState = { state: 'loading' } | { state: 'missing' } | { state: 'error'; message: string } | { state: 'ready'; failures: Failure[] };

const RELOAD_ON = /^(span\.|failure\.|service\.(down|restored|rerouted|reverted|protection-switched))/;

/** Open failures (when enabled) and a reload function. */
export function useFailures(enabled: boolean): [FailuresState, () => void] {
  const [state, setState] = useState<FailuresState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const tick = useRefreshOn((e) => RELOAD_ON.test(e.type));
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    fetchOpenFailures(ctl.signal)
      .then((list) => setState(list === null ? { state: 'missing' } : { state: 'ready', failures: list }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setState((cur) => (cur.state === 'ready' ? cur : { state: 'error', message: errorMessage(e) }));
      });
    return () => ctl.abort();
  }, [enabled, attempt, tick]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, reload];
}
