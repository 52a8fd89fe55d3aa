/**
 * Deny by default. Every route declares who may call it in its own definition (`config.access`):
 *
 * - `public`: anyone (health probes, the OpenAPI document and docs, the portal's files);
 * - `any`: any valid API key (what a customer key may then see or touch is the services' tenant rule);
 * - `operator`: operator keys only.
 *
 * The decision is made on the route the router matched (`request.routeOptions.config`), never on the
 * URL text, so no spelling of a path (percent-encoding, `//`, `/./`, a trailing slash, upper case) can
 * reach a handler without its own rule. A route registered without a declaration stops the server from
 * starting (checked when the app becomes ready). A request that matches no route under /v1 still needs
 * a key, so unknown paths reveal nothing to anonymous callers.
 */
import type { FastifyRequest, RouteOptions } from 'fastify';
import { LightpathError } from '../domain/errors.js';
import type { Queryable } from '../store/db.js';
import { authenticate } from '../services/ordering/keys.js';
import type { Principal } from '../services/ordering/principal.js';
import type { AppInstance } from './app.js';

/** Who may call a route. */
export type Access = 'public' | 'any' | 'operator';
export const ACCESS_LEVELS: readonly Access[] = ['public', 'any', 'operator'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (required on every route; see api/access.ts). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The caller, set before the handler on every route that needs a key. */
    principal?: Principal;
  }
}

/** A registered route and what it declared (the route-access test enumerates these). */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access | undefined;
}

/**
 * Removes `.` and `..` segments and repeated slashes from a request path (RFC 3986 §5.2.4), keeping
 * the query as sent; the router then sees one spelling of each path.
 */
export function normalizeRequestUrl(url: string): string {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const out: string[] = [];
  for (const seg of rawPath.split('/')) {
    // %2e is a dot too (RFC 3986 §2.3: unreserved characters are equivalent when percent-encoded).
    const s = seg.replace(/%2e/gi, '.');
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(seg);
  }
  const trailing = rawPath.length > 1 && rawPath.endsWith('/') && out.length > 0 ? '/' : '';
  return '/' + out.join('/') + trailing + query;
}

function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path).toLowerCase();
  } catch {
    return path.toLowerCase();
  }
}

/** True when a path (any spelling) lies under /v1: unmatched requests there need a key too. */
export function underApi(url: string): boolean {
  const p = decodedPath(normalizeRequestUrl(url));
  return p === '/v1' || p.startsWith('/v1/');
}

/**
 * Installs the access rule: collects every route as it is registered, refuses to become ready while
 * any lacks a declaration, and authenticates each request per its matched route's declaration.
 * Returns the live list of registered routes.
 */
/**
 * The caller of an app that never listens: the CLI without a server (src/cli/local-client.ts) sends
 * its requests through `app.inject` carrying `token`, and acts as `principal` (the local operator, or
 * a tenant with --tenant). Requests without the token are authenticated as always.
 */
export interface InProcessCaller {
  token: string;
  principal: Principal;
}

/** The header the in-process caller's token travels in. */
export const IN_PROCESS_HEADER = 'x-lightpath-in-process';

export function registerAccessControl(app: AppInstance, services: { db: Queryable }, inProcess?: InProcessCaller): RegisteredRoute[] {
  const routes: { method: string | string[]; url: string; options: RouteOptions }[] = [];
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (r) => {
    routes.push({ method: r.method, url: r.url, options: r as RouteOptions });
  });
  const registered: RegisteredRoute[] = [];
  app.addHook('onReady', async () => {
    registered.length = 0;
    const missing: string[] = [];
    for (const r of routes) {
      const access = (r.options.config as { access?: Access } | undefined)?.access;
      for (const m of Array.isArray(r.method) ? r.method : [r.method]) {
        registered.push({ method: m, url: r.url, access });
        if (!access || !ACCESS_LEVELS.includes(access)) missing.push(`${m} ${r.url}`);
      }
    }
    if (missing.length > 0) throw new Error(`routes without an access declaration (config.access): ${missing.join(', ')}`);
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    if (access === undefined) {
      // No route matched (the not-found handler), or a route that slipped past the startup check.
      if (req.routeOptions.url !== undefined) throw new LightpathError('forbidden', 'this route declares no access rule');
      if (!underApi(req.url)) return;
    }
    const principal =
      inProcess && req.headers[IN_PROCESS_HEADER] === inProcess.token ? inProcess.principal : await authenticate(services.db, req.headers.authorization);
    if (access === 'operator' && principal.role !== 'operator') throw new LightpathError('forbidden', 'this operation needs an operator key');
    req.principal = principal;
  });
  return registered;
}

/** The caller of a keyed route; fails closed when the hook did not run. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new LightpathError('unauthorized', 'an API key is required');
  // The request id goes with the caller into audit records and orders.
  return { ...req.principal, via: req.principal.via ?? 'api', requestId: req.id };
}
