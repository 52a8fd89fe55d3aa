import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { WebhookService, type WebhookServiceOptions } from '../../services/webhooks.js';
import * as S from '../schemas.js';
import { viewerOf } from './events.js';
import { principalOf } from '../access.js';

const EventType = Type.String({ pattern: '^[a-z][A-Za-z0-9_-]*([.][a-z][A-Za-z0-9_-]*)+$', maxLength: 128 });

export const WebhookSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  allTenants: Type.Boolean({ description: "An operator's endpoint receives every tenant's events" }),
  url: Type.String(),
  types: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'null = every type' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const CreatedWebhook = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'Signing secret, shown only in this response' }),
});

const WebhookCreate = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) endpoint that receives POSTed events' }),
    types: Type.Optional(Type.Array(EventType, { minItems: 1, maxItems: 50, uniqueItems: true })),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256, description: 'Generated when omitted' })),
  },
  { additionalProperties: false },
);

const Delivery = Type.Object({
  webhookId: Type.String(),
  eventId: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const WebhookId = Type.Object({ id: Type.String({ pattern: '^whk_[0-9A-Z]{26}$' }) });

/** Webhook endpoints: register, list, get, delete, and their delivery records. */
export async function webhookRoutes(app: AppInstance, services: Pick<Services, 'db'>, opts: WebhookServiceOptions = {}): Promise<void> {
  // LIGHTPATH_WEBHOOK_ALLOW_PRIVATE=1 lets customers target private addresses (development only)
  const webhooks = new WebhookService(services.db, { allowPrivateTargets: opts.allowPrivateTargets ?? process.env.LIGHTPATH_WEBHOOK_ALLOW_PRIVATE === '1' });
  const tags = ['webhooks'];

  app.post('/v1/webhooks', { config: { access: 'any' },
    schema: {
      operationId: 'createWebhook',
      tags,
      summary: 'Register an endpoint for signed event deliveries (Lightpath-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">)',
      body: WebhookCreate,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
      response: { 201: CreatedWebhook, ...S.errorResponses(400, 401, 409) },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const created = await webhooks.create(principalOf(req), req.body, typeof key === 'string' ? key : undefined);
    return reply.code(201).send(created);
  });

  app.get('/v1/webhooks', { config: { access: 'any' },
    schema: { operationId: 'listWebhooks', tags, summary: 'List webhooks', querystring: Type.Object({ ...S.PageQuery }), response: { 200: S.PageOf(WebhookSchema), ...S.errorResponses(400, 401) } },
  }, async (req) => webhooks.list(viewerOf(req), req.query));

  app.get('/v1/webhooks/:id', { config: { access: 'any' },
    schema: { operationId: 'getWebhook', tags, summary: 'Get a webhook', params: WebhookId, response: { 200: WebhookSchema, ...S.errorResponses(401, 404) } },
  }, async (req) => webhooks.get(viewerOf(req), req.params.id));

  app.get('/v1/webhooks/:id/deliveries', { config: { access: 'any' },
    schema: {
      operationId: 'listWebhookDeliveries',
      tags,
      summary: "A webhook's most recent deliveries",
      params: WebhookId,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
      response: { 200: Type.Object({ items: Type.Array(Delivery) }), ...S.errorResponses(401, 404) },
    },
  }, async (req) => ({ items: await webhooks.deliveries(viewerOf(req), req.params.id, req.query.limit) }));

  app.delete('/v1/webhooks/:id', { config: { access: 'any' },
    schema: { operationId: 'deleteWebhook', tags, summary: 'Delete a webhook (pending deliveries are dropped)', params: WebhookId, response: { 204: Type.Null(), ...S.errorResponses(401, 404) } },
  }, async (req, reply) => {
    await webhooks.delete(principalOf(req), req.params.id);
    return reply.code(204).send(null);
  });
}
