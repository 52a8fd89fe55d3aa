/** The latency explorer's "within X ms" mode: the catchment of a site, fetched when the query changes. */
import { useEffect, useState } from 'react';
import { errorMessage, getJson } from '../api/client.js';
import type { ReachResponse } from '../api/types.js';

export type ReachResult = { state: 'idle' } | { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; response: ReachResponse };

/** Sites within maxLatencyUs of from (null = nothing to ask). */
export function useReach(query: { from: string; maxLatencyUs: number } | null): ReachResult {
  const [result, setResult] = useState<ReachResult>({ state: 'idle' });
  const from = query?.from ?? null;
  const budget = query?.maxLatencyUs ?? null;
  useEffect(() => {
    if (from === null || budget === null) {
      setResult({ state: 'idle' });
      return;
    }
    const ctl = new AbortController();
    setResult({ state: 'loading' });
    getJson<ReachResponse>(`/v1/reach?${new URLSearchParams({ from, maxLatencyUs: String(budget) }).toString()}`, ctl.signal)
      .then((response) => setResult({ state: 'done', response }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setResult({ state: 'error', message: errorMessage(e) });
      });
    return () => ctl.abort();
  }, [from, budget]);
  return result;
}
