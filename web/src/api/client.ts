/**
 * The one place the portal talks to the server: same-origin fetch, bearer key from the session,
 * problem+json errors turned into ApiError with a message fit to show.
 */
import type { Me, NetworkCollection, PathMetric, PathsResponse, Problem, DiverseMode } from './types.js';
import { getApiKey } from '../auth/session.js';

/** An HTTP error from the API, carrying the server's problem details when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `Request failed with HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** GET a JSON resource under /v1 with the session's key; throws ApiError or a network TypeError. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = getApiKey();
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(path, { headers, signal });
  if (!res.ok) {
    let problem: Problem | null = null;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        problem = (await res.json()) as Problem;
      } catch {
        problem = null;
      }
    }
    throw new ApiError(res.status, problem);
  }
  return (await res.json()) as T;
}

/** The whole network as GeoJSON. */
export function fetchNetwork(signal?: AbortSignal): Promise<NetworkCollection> {
  return getJson<NetworkCollection>('/v1/network', signal);
}

/** Who the key belongs to; a 404 means the server has no auth yet, which is an operator session. */
export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  try {
    const me = await getJson<Omit<Me, 'authEnabled'>>('/v1/me', signal);
    return { ...me, authEnabled: true };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { tenantId: null, role: 'operator', authEnabled: false };
    throw e;
  }
}

/** Query of the latency explorer. */
export interface PathsQuery {
  from: string;
  to: string;
  k: number;
  metric: PathMetric;
  diverse: DiverseMode | null;
  maxLatencyUs?: number;
  avoidSrlgs?: string[];
}

/** Build the /v1/paths URL for a query. */
export function pathsUrl(q: PathsQuery): string {
  const p = new URLSearchParams({ from: q.from, to: q.to, k: String(q.k), metric: q.metric });
  if (q.diverse !== null) p.set('diverse', q.diverse);
  if (q.maxLatencyUs !== undefined) p.set('maxLatencyUs', String(q.maxLatencyUs));
  if (q.avoidSrlgs !== undefined && q.avoidSrlgs.length > 0) p.set('avoidSrlgs', q.avoidSrlgs.join(','));
  return `/v1/paths?${p.toString()}`;
}

/** The k best paths (and optionally a diverse pair) between two sites. */
export function fetchPaths(q: PathsQuery, signal?: AbortSignal): Promise<PathsResponse> {
  return getJson<PathsResponse>(pathsUrl(q), signal);
}

/** A message for any error a fetch can throw, for showing in the UI. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return 'Your API key was not accepted. Sign in again.';
    if (e.status === 403) return 'Your key does not allow this.';
    return e.message;
  }
  if (e instanceof TypeError) return 'Cannot reach the Lightpath server.';
  return e instanceof Error ? e.message : String(e);
}
