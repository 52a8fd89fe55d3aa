/**
 * How a CLI command reaches Lightpath. Every command speaks the HTTP API, through one of two clients:
 *
 * - the running server: when `--server URL` / LIGHTPATH_SERVER is given, or a server holds the data
 *   directory (its lock record names its URL). Requests carry a key: `--key` / LIGHTPATH_KEY, else the
 *   operator key the server's first start stored in `<dataDir>/operator-key`. Nothing heavy is loaded,
 *   so a command answers in a fraction of a second.
 * - the store itself, when no server holds it: the command opens the store and sends the same requests
 *   to the API in this process (`app.inject`), acting as the local operator (or a tenant, --tenant).
 *
 * Either way the answers are the API's own JSON (rounded by unit, same errors), so `--json` prints
 * exactly what the API returns (CONVENTIONS: CLI).
 */
import type { Command } from 'commander';
import { createParser } from 'eventsource-parser';
import { LightpathError, type ErrorCode, type FieldError } from '../domain/errors.js';
import { resolveStoreConfig, type StoreConfig } from '../store/config.js';
import { dataDirHolder, StoreLockedError, type LockHolder } from '../store/lock.js';
import type { LightpathEvent } from '../store/events.js';
import type { Services } from '../services/index.js';
import { operatorKeyPath, readOperatorKey } from './keyfile.js';

/** Options of one request. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A raw body (file imports), sent as application/octet-stream. */
  text?: string;
  headers?: Record<string, string>;
}

/** One way to reach the API. */
export interface ApiClient {
  /** Where requests go, for messages ("http://127.0.0.1:8080" or "the store in ./.lightpath"). */
  readonly where: string;
  /** True when a server answers (background work happens there). */
  readonly remote: boolean;
  /** Sends a request; resolves to the JSON answer (null for 204), or throws the problem as a LightpathError. */
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** Events after `after` (optionally of some types), as they happen, until the signal aborts. */
  follow(query: { after?: string; types?: string }, signal: AbortSignal): AsyncIterable<LightpathEvent>;
  /**
   * Runs the background work due now (activations, restorations) when no server is there to do it; a
   * no-op against a server.
   */
  settle(): Promise<void>;
  /** The services over the opened store (no server): for the maintenance a server does by itself. */
  readonly services?: Services;
  close(): Promise<void>;
}

/** Global options every command takes. */
export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  server?: string;
  key?: string;
  json?: boolean;
}

/** The global options as seen from any subcommand. */
export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Builds `path?query` (undefined and null values left out). */
export function withQuery(path: string, query: RequestOptions['query']): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) p.set(k, String(v));
  const s = p.toString();
  return s === '' ? path : `${path}?${s}`;
}

interface ProblemDoc {
  code?: string;
  detail?: string;
  title?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** The API's problem document as the error the CLI reports (same code, same detail). */
export function problemError(status: number, p: ProblemDoc | null): LightpathError {
  if (p && typeof p.code === 'string') {
    const { code, detail, errors, type: _t, title: _ti, status: _s, ...extra } = p;
    return new LightpathError(code as ErrorCode, detail ?? p.title ?? `HTTP ${status}`, errors, extra);
  }
  return new LightpathError(status >= 500 ? 'internal' : 'validation-failed', `the server answered HTTP ${status} without a problem document`);
}

/** The HTTP client of a running server. */
export class HttpClient implements ApiClient {
  readonly remote = true;
  readonly where: string;
  private readonly base: string;

  constructor(baseUrl: string, private readonly key: string) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.where = this.base;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, 'user-agent': 'lightpath-cli', ...extra };
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers = this.headers({ accept: 'application/json', ...opts.headers });
    let body: string | undefined;
    if (opts.text !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = opts.text;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(this.base + withQuery(path, opts.query), { method, headers, body });
    } catch (err) {
      throw unreachable(this.base, err);
    }
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const json = type.includes('json') && text !== '' ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) throw problemError(res.status, json as ProblemDoc | null);
    return (res.status === 204 ? null : json) as T;
  }

  async *follow(query: { after?: string; types?: string }, signal: AbortSignal): AsyncIterable<LightpathEvent> {
    // `latest` means "from now on": asked for once; after that the stream resumes after the last id seen.
    const latest = query.after === 'latest';
    let lastId = latest ? undefined : query.after;
    let retryMs = 3000;
    while (!signal.aborted) {
      const headers = this.headers({ accept: 'text/event-stream', ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) });
      let res: Response;
      try {
        res = await fetch(this.base + withQuery('/v1/events', { types: query.types, after: latest && lastId === undefined ? 'latest' : lastId }), { headers, signal });
      } catch (err) {
        if (signal.aborted) return;
        process.stderr.write(`lightpath: events: ${unreachable(this.base, err).detail}; retrying in ${retryMs / 1000} s\n`);
        await sleep(retryMs, signal);
        continue;
      }
      if (!res.ok) {
        const type = res.headers.get('content-type') ?? '';
        throw problemError(res.status, type.includes('json') ? ((await res.json()) as ProblemDoc) : null);
      }
      const queue: LightpathEvent[] = [];
      const parser = createParser({
        onEvent: (m) => {
          if (m.id !== undefined) lastId = m.id;
          queue.push(JSON.parse(m.data) as LightpathEvent);
        },
        onRetry: (ms) => (retryMs = ms),
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
          while (queue.length > 0) yield queue.shift() as LightpathEvent;
        }
      } catch (err) {
        if (signal.aborted) return;
        process.stderr.write(`lightpath: events: the stream broke (${(err as Error).message}); resuming\n`);
      }
      // The server ended the stream (restart, shutdown): resume after the last event seen.
      await sleep(retryMs, signal);
    }
  }

  async settle(): Promise<void> {}

  async close(): Promise<void> {}
}

function unreachable(base: string, err: unknown): LightpathError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new LightpathError('store-unavailable', `cannot reach the server at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** How long a command waits for a server that holds the directory but is still starting. */
const SERVER_START_WAIT_MS = 60_000;

/**
 * Who holds the data directory, waiting while it is a server that has not said where it listens yet
 * (it is still loading the store).
 */
async function holderOf(dataDir: string): Promise<LockHolder | null> {
  const deadline = Date.now() + SERVER_START_WAIT_MS;
  let said = false;
  for (;;) {
    const holder = await dataDirHolder(dataDir);
    if (!holder || holder.url || !/\bserve\b/.test(holder.command) || Date.now() > deadline) return holder;
    if (!said) {
      process.stderr.write(`lightpath: waiting for the server (process ${holder.pid}) to start listening…\n`);
      said = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The key for a server: --key, LIGHTPATH_KEY, else the operator key the data directory's first start stored. */
function keyFor(g: GlobalOptions, config: StoreConfig, url: string): string {
  const key = g.key ?? (process.env.LIGHTPATH_KEY || undefined) ?? (config.dataDir ? readOperatorKey(config.dataDir) : undefined);
  if (key) return key;
  throw new LightpathError(
    'unauthorized',
    `no API key for the server at ${url}: pass --key or set LIGHTPATH_KEY (a server's first start stores its operator key in ${config.dataDir ? operatorKeyPath(config.dataDir) : '<data-dir>/operator-key'})`,
  );
}

export interface ConnectOptions {
  /** Load the built-in network into a never-initialised store first (default true; import: false). */
  initialize?: boolean;
  /** Act as this customer tenant (the store only; against a server the key decides). */
  tenant?: string;
}

/**
 * The client for a command: the server named by --server / LIGHTPATH_SERVER or the one holding the
 * data directory, else the store opened in this process.
 */
export async function connect(cmd: Command, opts: ConnectOptions = {}): Promise<ApiClient> {
  const g = globals(cmd);
  const config = resolveStoreConfig(g, `lightpath ${cmd.parent && cmd.parent.parent ? `${cmd.parent.name()} ` : ''}${cmd.name()}`);
  const named = g.server ?? (process.env.LIGHTPATH_SERVER || undefined);
  let url = named;
  if (!url && !config.databaseUrl && config.dataDir) {
    const holder = await holderOf(config.dataDir);
    if (holder && !holder.url) throw new StoreLockedError(config.dataDir, holder);
    url = holder?.url;
  }
  if (url) {
    if (opts.tenant !== undefined) {
      cmd.error(`error: --tenant acts on the store directly; the server at ${url} decides the tenant by the key: use that tenant's key (--key or LIGHTPATH_KEY)`, { exitCode: 2 });
    }
    return new HttpClient(url, keyFor(g, config, url));
  }
  const { openLocalClient } = await import('./local-client.js');
  return openLocalClient(config, { initialize: opts.initialize ?? true, tenant: opts.tenant });
}

/** Connects, runs fn, and always closes. */
export async function withClient<T>(cmd: Command, fn: (client: ApiClient) => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  const client = await connect(cmd, opts);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Every item of a paged list (CONVENTIONS: lists), following nextCursor. */
export async function allPages<T>(client: ApiClient, path: string, query: RequestOptions['query'] = {}, max = 100_000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await client.request('GET', path, { query: { ...query, limit: 1000, ...(cursor ? { cursor } : {}) } });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** Order states from which an order still moves on by itself. */
const MOVING_ORDER_STATES = new Set(['acknowledged', 'inProgress']);

/** How long a command waits for a server to activate an order before printing it as it is. */
const ORDER_WAIT_MS = 30_000;

/**
 * The order once it has settled: without a server, the background work due now is done here (no
 * worker runs in a one-shot command); with one, the order is read again until its worker is done.
 */
export async function settledOrder<T extends { id: string; state: string; start?: string | null }>(client: ApiClient, placed: T): Promise<T> {
  // A booking that starts later is activated at its start: nothing to wait for now.
  if (placed.start && Date.parse(placed.start) > Date.now() + 1000) return placed;
  if (!client.remote) {
    await client.settle();
    return client.request<T>('GET', `/v1/orders/${encodeURIComponent(placed.id)}`);
  }
  let o = placed;
  const deadline = Date.now() + ORDER_WAIT_MS;
  while (MOVING_ORDER_STATES.has(o.state) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    o = await client.request<T>('GET', `/v1/orders/${encodeURIComponent(placed.id)}`);
  }
  return o;
}
