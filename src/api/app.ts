/**
 * The HTTP API: Fastify with JSON-schema validation at the edge, OpenAPI 3.1 at /openapi.json (docs at
 * /docs), problem+json errors, Prometheus metrics, and the web portal's static files at /.
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
// JSON Schema 2020-12, the dialect of OpenAPI 3.1: what is validated is what is published.
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import rateLimit from '@fastify/rate-limit';
import { LightpathError } from '../domain/errors.js';
import { roundByUnit } from '../domain/units.js';
import type { Services } from '../services/index.js';
import { newUlid } from '../services/ids.js';
import { createMetrics } from './metrics.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { normalizeRequestUrl, registerAccessControl, underApi, type InProcessCaller, type RegisteredRoute } from './access.js';
import { parseJsonBody, refuseNul } from './input-guards.js';
import * as S from './schemas.js';
import { healthRoutes } from './routes/health.js';
import { inventoryRoutes } from './routes/inventory.js';
import { networkRoutes } from './routes/network.js';
import { pathRoutes } from './routes/paths.js';
import { meRoutes } from './routes/me.js';
import { quoteRoutes } from './routes/quotes.js';
import { orderRoutes } from './routes/orders.js';
import { serviceRoutes } from './routes/services.js';
import { priceBookRoutes } from './routes/pricebook.js';
import { qotRoutes } from './routes/qot.js';
import { keyRoutes } from './routes/keys.js';
import { eventsRoutes } from './routes/events.js';
import { failureRoutes } from './routes/failures.js';
import { analysisRoutes } from './routes/analysis.js';
import { availabilityRoutes } from './routes/availability.js';
import { webhookRoutes } from './routes/webhooks.js';
import { usageRoutes } from './routes/usage.js';
import { auditRoutes } from './routes/audit.js';
import { transferRoutes } from './routes/transfers.js';
import { planRoutes } from './routes/plans.js';
import { calendarRoutes } from './routes/calendar.js';
import { deviceRoutes } from './routes/devices.js';

export type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppOptions {
  services: Services;
  /** Fastify/pino logger options; false (tests) silences it. */
  logger?: boolean | Record<string, unknown>;
  /** Built web portal to serve at / (default web/dist when it exists). */
  webDir?: string | null;
  version?: string;
  /**
   * Requests per key (per client address for public routes) per minute; 0 turns the limit off
   * (default: LIGHTPATH_RATE_LIMIT_PER_MINUTE or 6000).
   */
  rateLimitPerMinute?: number;
  /**
   * Only for an app that is never listened on (the CLI without a server): requests carrying this
   * caller's token act as its principal (api/access.ts).
   */
  inProcessCaller?: InProcessCaller;
  /**
   * Set `draining` when the process starts shutting down: /readyz answers 503 at once, so a load balancer
   * stops sending requests here before the listener closes.
   */
  lifecycle?: Lifecycle;
}

/** What the server process tells the app about its own life (serve's shutdown sets it). */
export interface Lifecycle {
  draining: boolean;
}

/** The app plus what the route-access test and the server need to know about it. */
export type LightpathApp = AppInstance & { registeredRoutes: RegisteredRoute[] };

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as sent, for imports that report line numbers. */
    rawBody?: string;
  }
}

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function ajvFor(part: 'body' | 'other'): Ajv {
  const ajv = new Ajv({
    // Bodies are taken as sent: a string where a number belongs is an error, not a guess.
    coerceTypes: part === 'body' ? false : 'array',
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    // Errors carry their schema, so an unknown field can be answered with the fields allowed there.
    verbose: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const TEXT_TYPES = ['text/plain', 'text/xml', 'application/xml', 'application/gml+xml', 'application/octet-stream', 'application/geo+json'];

/** Builds the API over the given services. */
export async function buildApp(opts: AppOptions): Promise<LightpathApp> {
  const app = Fastify({
    logger:
      opts.logger === undefined || opts.logger === true
        ? { level: 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'] }
        : opts.logger,
    bodyLimit: 1024 * 1024,
    // One spelling per path before the router sees it (dot segments, repeated slashes); the router
    // also ignores case and a trailing slash, so every spelling reaches the route and its access rule.
    rewriteUrl: (req) => normalizeRequestUrl(req.url ?? '/'),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Every request gets a server-side id (logged, audited, returned as X-Request-Id); a client's
    // header is not trusted for it.
    genReqId: () => `req_${newUlid()}`,
    requestIdHeader: false,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Deny by default: from here on every route must declare its access (api/access.ts).
  const registeredRoutes = registerAccessControl(app, opts.services, opts.inProcessCaller);
  const lifecycle = opts.lifecycle;
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Draining: answer, then close the connection, so clients and the balancer open their next one to
    // another replica instead of reusing this one until it is cut.
    if (lifecycle?.draining) reply.header('connection', 'close');
  });
  // Every route's OpenAPI entry lists the problems any request of its kind can meet (401, 429, 503, ...).
  app.addHook('onRoute', (r) => {
    const schema = r.schema as { response?: Record<string, unknown>; body?: unknown; hide?: boolean; operationId?: string } | undefined;
    if (!schema || schema.hide) return;
    // Generated clients name their methods after operationId: every published operation states one.
    if (r.method !== 'HEAD' && !schema.operationId) throw new Error(`route ${String(r.method)} ${r.url} is published in the OpenAPI document without an operationId`);
    const access = (r.config as { access?: 'public' | 'any' | 'operator' } | undefined)?.access;
    const response = schema.response ?? {};
    const extra = S.errorResponses(...S.commonErrorStatuses(access, schema.body !== undefined).filter((st) => !(st in response)));
    schema.response = { ...response, ...extra };
  });

  const bodyAjv = ajvFor('body');
  const otherAjv = ajvFor('other');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema));

  // JSON bodies are kept raw as well, so an import can point at the line of a problem.
  app.addContentTypeParser(['application/json'], { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as LightpathError, undefined);
    }
  });
  app.addContentTypeParser(TEXT_TYPES, { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = body as string;
    done(null, body);
  });
  // U+0000 cannot be stored; refuse it at the edge, naming the field, whichever route it was sent to.
  app.addHook('preValidation', async (req) => {
    refuseNul('params', req.params);
    refuseNul('querystring', req.query);
    refuseNul('body', req.body);
  });

  const perMinute = opts.rateLimitPerMinute ?? Number(process.env.LIGHTPATH_RATE_LIMIT_PER_MINUTE ?? 6000);
  if (perMinute > 0) {
    // Runs after the access hook, so a keyed request is counted against its key.
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => (req.principal ? `key:${req.principal.keyId}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) =>
        new LightpathError('rate-limited', `more than ${ctx.max} requests in ${ctx.after}; slow down`, undefined, { retryAfterSeconds: Math.max(1, Math.ceil(ctx.ttl / 1000)) }),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lightpath API',
        version: opts.version ?? '0.1.0',
        description: 'Control plane for a fiber backbone sold as on-demand services. Errors are application/problem+json (RFC 9457) with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // Relative: the server that serves this document (wherever it listens).
      servers: [{ url: '/', description: 'this Lightpath server' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(async (scope) => {
    declareAll(scope as AppInstance, 'public');
    await scope.register(swaggerUi, { routePrefix: '/docs' });
  });

  const { services } = opts;
  const webDir = opts.webDir === undefined ? defaultWebDir() : opts.webDir;
  const metrics = createMetrics(
    () => services.inventory.counts(),
    () => services.devices.list(),
  );
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Numbers leave the API rounded once, by the unit their field name carries (src/domain/units.ts).
  app.addHook('preSerialization', async (req, _reply, payload: unknown) => (underApi(req.url) ? roundByUnit(payload) : payload));

  app.setErrorHandler((err, request, reply) => sendProblem(reply, toProblem(err, request)));
  app.setNotFoundHandler((request, reply) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && !underApi(request.url) && webDir) {
      // The portal is a single-page app: unknown page paths get its index.
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(fs.createReadStream(path.join(webDir, 'index.html')));
    }
    return sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  // The whole network's load and the process's internals are the operator's business.
  app.get('/metrics', { schema: { hide: true }, config: { access: 'operator' } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  await app.register(async (scope) => healthRoutes(scope as AppInstance, services, opts.lifecycle));
  await app.register(async (scope) => meRoutes(scope as AppInstance));
  await app.register(async (scope) => inventoryRoutes(scope as AppInstance, services));
  await app.register(async (scope) => networkRoutes(scope as AppInstance, services));
  await app.register(async (scope) => pathRoutes(scope as AppInstance, services));
  await app.register(async (scope) => quoteRoutes(scope as AppInstance, services));
  await app.register(async (scope) => orderRoutes(scope as AppInstance, services));
  await app.register(async (scope) => serviceRoutes(scope as AppInstance, services));
  await app.register(async (scope) => priceBookRoutes(scope as AppInstance, services));
  await app.register(async (scope) => qotRoutes(scope as AppInstance, services));
  await app.register(async (scope) => keyRoutes(scope as AppInstance, services));
  await app.register(async (scope) => eventsRoutes(scope as AppInstance, services));
  await app.register(async (scope) => webhookRoutes(scope as AppInstance, services));
  await app.register(async (scope) => usageRoutes(scope as AppInstance, services));
  await app.register(async (scope) => failureRoutes(scope as AppInstance, services));
  await app.register(async (scope) => analysisRoutes(scope as AppInstance, services));
  await app.register(async (scope) => availabilityRoutes(scope as AppInstance, services));
  await app.register(async (scope) => auditRoutes(scope as AppInstance, services));
  await app.register(async (scope) => transferRoutes(scope as AppInstance, services));
  await app.register(async (scope) => planRoutes(scope as AppInstance, services));
  await app.register(async (scope) => calendarRoutes(scope as AppInstance, services));
  await app.register(async (scope) => deviceRoutes(scope as AppInstance, services));

  if (webDir) {
    await app.register(async (scope) => {
      declareAll(scope as AppInstance, 'public');
      await scope.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false, index: 'index.html' });
    });
  }

  return Object.assign(app, { registeredRoutes });
}

/** Declares the access of every route a third-party plugin registers inside this scope. */
function declareAll(scope: AppInstance, access: 'public'): void {
  scope.addHook('onRoute', (r) => {
    r.config = { ...(r.config ?? {}), access };
  });
}

function defaultWebDir(): string | null {
  const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'web', 'dist');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : null;
}
