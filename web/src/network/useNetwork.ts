/**
 * Loads /v1/network once the user is known, with a retry for the error state, and reloads it after
 * events that change its live state (utilisation, failed spans) without a loading state in between.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage, fetchNetwork } from '../api/client.js';
import { useRefreshOn } from '../events/useEvents.js';
import { buildModel } from './model.js';
import type { NetworkModel } from './model.js';

export type NetworkState =
  | { state: 'loading' }
  | { state: 'error'; message: string; unauthorised: boolean }
  | { state: 'ready'; model: NetworkModel };

/** Events after which spans may hold more or less spectrum, or be down or back up. */
const RELOAD_ON = /^(service|order|span|failure)\./;

/** The network (when enabled) and a function to load it again. */
export function useNetwork(enabled: boolean): [NetworkState, () => void] {
  const [state, setState] = useState<NetworkState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const tick = useRefreshOn((e) => RELOAD_ON.test(e.type));
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    setState({ state: 'loading' });
    fetchNetwork(ctl.signal)
      .then((raw) => setState({ state: 'ready', model: buildModel(raw) }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setState({ state: 'error', message: errorMessage(e), unauthorised: e instanceof ApiError && e.status === 401 });
      });
    return () => ctl.abort();
  }, [enabled, attempt]);
  // Live refresh: the same inventory keeps its generation, so the map updates in place without refitting.
  useEffect(() => {
    if (!enabled || tick === 0) return;
    const ctl = new AbortController();
    fetchNetwork(ctl.signal)
      .then((raw) => setState((cur) => (cur.state === 'ready' ? { state: 'ready', model: buildModel(raw, cur.model) } : cur)))
      .catch((e: unknown) => {
        // Keep showing the last state; the next event tries again.
        if (!ctl.signal.aborted) console.warn('network refresh failed', errorMessage(e));
      });
    return () => ctl.abort();
  }, [enabled, tick]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, retry];
}
