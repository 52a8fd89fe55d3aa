/**
 * API-key authentication and the coarse role rule. Every /v1 route needs `Authorization: Bearer <key>`;
 * health, metrics, OpenAPI, docs and the portal's files do not. Writes are operator-only except on the
 * resources customers own (quotes, orders, services, their keys, webhooks); inventory reads are open to
 * any valid key. Finer rules (tenant scoping) live in the services. Keys are never logged: the app's
 * logger redacts the authorization header.
 */
import type { FastifyRequest } from 'fastify';
import { LightpathError } from '../domain/errors.js';
import type { Queryable } from '../store/db.js';
import { authenticate } from '../services/ordering/keys.js';
import type { Principal } from '../services/ordering/principal.js';
import type { AppInstance } from './app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /v1 request. */
    principal?: Principal;
  }
}

/** Path prefixes under /v1 where customers may write (their own objects). */
export const CUSTOMER_WRITABLE = ['/v1/quotes', '/v1/orders', '/v1/services', '/v1/keys', '/v1/webhooks', '/v1/events'];

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

/** True when a request needs a key (everything under /v1). */
export function needsKey(url: string): boolean {
  return under(pathOf(url), '/v1');
}

/** True when only operators may make this request. */
export function operatorOnly(method: string, url: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const path = pathOf(url);
  return !CUSTOMER_WRITABLE.some((p) => under(path, p));
}

/** Adds the onRequest hook that sets `request.principal` (register before the /v1 routes). */
export function registerAuth(app: AppInstance, services: { db: Queryable }): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    if (!needsKey(req.url)) return;
    const principal = await authenticate(services.db, req.headers.authorization);
    if (principal.role !== 'operator' && operatorOnly(req.method, req.url)) {
      throw new LightpathError('forbidden', 'this operation needs an operator key');
    }
    req.principal = principal;
  });
}

/** The caller of a /v1 request; fails closed when the hook did not run. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new LightpathError('unauthorized', 'an API key is required');
  return req.principal;
}
