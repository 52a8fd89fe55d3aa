/** Loads /v1/network once the user is known, with a retry for the error state. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage, fetchNetwork } from '../api/client.js';
import { buildModel } from './model.js';
import type { NetworkModel } from './model.js';

export type NetworkState =
  | { state: 'loading' }
  | { state: 'error'; message: string; unauthorised: boolean }
  | { state: 'ready'; model: NetworkModel };

/** The network (when enabled) and a function to load it again. */
export function useNetwork(enabled: boolean): [NetworkState, () => void] {
  const [state, setState] = useState<NetworkState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
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
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, retry];
}
