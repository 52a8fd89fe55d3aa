/** State of the latency explorer: the query, and the server's answer fetched whenever it changes. */
import { useEffect, useState } from 'react';
import { errorMessage, fetchPaths } from '../api/client.js';
import type { PathsQuery } from '../api/client.js';
import type { PathsResponse } from '../api/types.js';

export type LatencyResult =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; response: PathsResponse };

/** Fetch paths for the query (null = nothing to ask), aborting a stale request when it changes. */
export function useLatency(query: PathsQuery | null): LatencyResult {
  const [result, setResult] = useState<LatencyResult>({ state: 'idle' });
  const key = query === null ? null : JSON.stringify(query);
  useEffect(() => {
    if (key === null) {
      setResult({ state: 'idle' });
      return;
    }
    const q = JSON.parse(key) as PathsQuery;
    const ctl = new AbortController();
    setResult({ state: 'loading' });
    fetchPaths(q, ctl.signal)
      .then((response) => setResult({ state: 'done', response }))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setResult({ state: 'error', message: errorMessage(e) });
      });
    return () => ctl.abort();
  }, [key]);
  return result;
}
