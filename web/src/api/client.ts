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

/** Options of requestJson. */
export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Call the API with the session's key and a JSON body; throws ApiError or a network TypeError. 204 gives null. */
export async function requestJson<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const key = getApiKey();
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, signal: opts.signal, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
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
  if (res.status === 204) return null as T;
  return (await res.json()) as T;
}

/** GET a JSON resource under /v1 with the session's key; throws ApiError or a network TypeError. */
export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return requestJson<T>('GET', path, { signal });
}

/** True for the server's answer to a route it does not have (a feature not installed), not a missing object. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && (e.problem?.detail ?? '').startsWith('no route');
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
    // Validation problems name the fields; the first few say more than the title alone.
    const fields = e.problem?.errors?.slice(0, 3).map((x) => (x.path !== undefined && x.path !== '' ? `${x.path}: ${x.message}` : x.message)) ?? [];
    return fields.length > 0 ? `${e.message} (${fields.join('; ')})` : e.message;
  }
  if (e instanceof TypeError) return 'Cannot reach the Lightpath server.';
  return e instanceof Error ? e.message : String(e);
}
