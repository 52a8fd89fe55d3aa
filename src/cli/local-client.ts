/**
 * The CLI without a server: opens the store (taking the data directory's lock), builds the API in this
 * process and sends every request to it with `app.inject`, as the local operator or, with --tenant, as
 * that customer tenant (audited as `cli:<user>`). Nothing listens; no key is needed or created.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { buildApp, type LightpathApp } from '../api/app.js';
import { IN_PROCESS_HEADER } from '../api/access.js';
import { roundByUnit } from '../domain/units.js';
import { createServices, stopServices } from '../services/index.js';
import { EventsService, parseEventId, parseTypes } from '../services/events.js';
import { cliPrincipal } from '../services/ordering/principal.js';
import type { StoreConfig } from '../store/config.js';
import { latestEventId, type LightpathEvent } from '../store/events.js';
import { openStore } from '../store/open.js';
import { problemError, withQuery, type ApiClient, type RequestOptions } from './client.js';

/** The OS user running the command (recorded in the audit log). */
function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Opens the store and the API over it, in this process. */
export async function openLocalClient(config: StoreConfig, opts: { initialize: boolean; tenant?: string | undefined }): Promise<ApiClient> {
  const db = await openStore(config);
  const services = createServices(db);
  let app: LightpathApp | undefined;
  try {
    if (opts.initialize) await services.inventory.initialize();
    const principal = cliPrincipal(localUser(), opts.tenant);
    const token = crypto.randomBytes(24).toString('base64url');
    app = await buildApp({ services, logger: false, webDir: null, rateLimitPerMinute: 0, inProcessCaller: { token, principal } });
    await app.ready();
    const viewer = { tenantId: principal.tenantId, role: principal.role };
    const where = config.databaseUrl ? 'the PostgreSQL store' : `the store in ${config.dataDir}`;
    const inject = app.inject.bind(app);
    const client: ApiClient = {
      where,
      remote: false,
      services,
      async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
        const headers: Record<string, string> = { [IN_PROCESS_HEADER]: token, accept: 'application/json', ...o.headers };
        let payload: string | undefined;
        if (o.text !== undefined) {
          headers['content-type'] = 'application/octet-stream';
          payload = o.text;
        } else if (o.body !== undefined) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(o.body);
        }
        const res = await inject({ method: method as 'GET', url: withQuery(path, o.query), headers, ...(payload !== undefined ? { payload } : {}) });
        const type = String(res.headers['content-type'] ?? '');
        const json = type.includes('json') && res.body !== '' ? (JSON.parse(res.body) as unknown) : null;
        if (res.statusCode >= 400) throw problemError(res.statusCode, json as Parameters<typeof problemError>[1]);
        return (res.statusCode === 204 ? null : json) as T;
      },
      async *follow(query: { after?: string; types?: string }, signal: AbortSignal): AsyncIterable<LightpathEvent> {
        const events = new EventsService(db);
        // The follower's timers are unref'd (they must not keep a server from exiting); here they must.
        const keepAlive = setInterval(() => {}, 1 << 30);
        try {
          for await (const e of events.follow(viewer, { after: query.after === 'latest' ? await latestEventId(db) : parseEventId(query.after, '/after'), types: parseTypes(query.types) }, signal)) yield roundByUnit(e);
        } finally {
          clearInterval(keepAlive);
          await events.close();
        }
      },
      async settle(): Promise<void> {
        // A one-shot command has no background worker: do what is due now (activation, restoration).
        await services.worker.runOnce();
      },
      async close(): Promise<void> {
        await app?.close();
        await stopServices(services);
        await db.close();
      },
    };
    return client;
  } catch (err) {
    await app?.close();
    await stopServices(services);
    await db.close();
    throw err;
  }
}
