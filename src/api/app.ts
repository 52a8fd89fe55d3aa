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
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LightpathError } from '../domain/errors.js';
import type { Services } from '../services/index.js';
import { createMetrics } from './metrics.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { inventoryRoutes } from './routes/inventory.js';
import { networkRoutes } from './routes/network.js';
import { pathRoutes } from './routes/paths.js';
import { registerAuth } from './auth.js';
import { meRoutes } from './routes/me.js';
import { quoteRoutes } from './routes/quotes.js';
import { orderRoutes } from './routes/orders.js';
import { serviceRoutes } from './routes/services.js';
import { priceBookRoutes } from './routes/pricebook.js';
import { keyRoutes } from './routes/keys.js';
import { eventsRoutes } from './routes/events.js';
import { failureRoutes } from './routes/failures.js';
import { analysisRoutes } from './routes/analysis.js';
import { availabilityRoutes } from './routes/availability.js';
import { webhookRoutes } from './routes/webhooks.js';
import { usageRoutes } from './routes/usage.js';

export type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppOptions {
  services: Services;
  /** Fastify/pino logger options; false (tests) silences it. */
  logger?: boolean | Record<string, unknown>;
  /** Built web portal to serve at / (default web/dist when it exists). */
  webDir?: string | null;
  version?: string;
}

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
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const TEXT_TYPES = ['text/plain', 'text/xml', 'application/xml', 'application/gml+xml', 'application/octet-stream', 'application/geo+json'];

/** Builds the API over the given services. */
export async function buildApp(opts: AppOptions): Promise<AppInstance> {
  const app = Fastify({
    logger:
      opts.logger === undefined || opts.logger === true
        ? { level: 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] }
        : opts.logger,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const bodyAjv = ajvFor('body');
  const otherAjv = ajvFor('other');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema));

  // JSON bodies are kept raw as well, so an import can point at the line of a problem.
  app.addContentTypeParser(['application/json'], { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new LightpathError('validation-failed', `body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser(TEXT_TYPES, { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = body as string;
    done(null, body);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lightpath API',
        version: opts.version ?? '0.1.0',
        description: 'Control plane for a fiber backbone sold as on-demand services. Errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const { services } = opts;
  const webDir = opts.webDir === undefined ? defaultWebDir() : opts.webDir;
  const metrics = createMetrics(() => services.inventory.counts());
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((err, request, reply) => sendProblem(reply, toProblem(err, request)));
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/v1/') && webDir && reply.sendFile) {
      // The portal is a single-page app: unknown page paths get its index.
      return reply.sendFile('index.html');
    }
    return sendProblem(reply, problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  // Every /v1 request needs an API key; the hook sets request.principal before any route runs.
  registerAuth(app, services);
  await app.register(async (scope) => healthRoutes(scope as AppInstance, services));
  await app.register(async (scope) => meRoutes(scope as AppInstance));
  await app.register(async (scope) => inventoryRoutes(scope as AppInstance, services));
  await app.register(async (scope) => networkRoutes(scope as AppInstance, services));
  await app.register(async (scope) => pathRoutes(scope as AppInstance, services));
  await app.register(async (scope) => quoteRoutes(scope as AppInstance, services));
  await app.register(async (scope) => orderRoutes(scope as AppInstance, services));
  await app.register(async (scope) => serviceRoutes(scope as AppInstance, services));
  await app.register(async (scope) => priceBookRoutes(scope as AppInstance, services));
  await app.register(async (scope) => keyRoutes(scope as AppInstance, services));
  await app.register(async (scope) => eventsRoutes(scope as AppInstance, services));
  await app.register(async (scope) => webhookRoutes(scope as AppInstance, services));
  await app.register(async (scope) => usageRoutes(scope as AppInstance, services));
  await app.register(async (scope) => failureRoutes(scope as AppInstance, services));
  await app.register(async (scope) => analysisRoutes(scope as AppInstance, services));
  await app.register(async (scope) => availabilityRoutes(scope as AppInstance, services));

  if (webDir) await app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false, index: 'index.html' });

  return app;
}

function defaultWebDir(): string | null {
  const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'web', 'dist');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : null;
}
