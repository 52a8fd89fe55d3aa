import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';
import { bookingFields, CircuitSpec, Product, Protection } from './quotes.js';

export const OrderState = Type.Union([
  Type.Literal('held'),
  Type.Literal('acknowledged'),
  Type.Literal('inProgress'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

export const Order = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  action: Type.Union([Type.Literal('add'), Type.Literal('modify'), Type.Literal('delete')]),
  state: OrderState,
  serviceId: Type.String(),
  quoteId: Type.Union([Type.String(), Type.Null()]),
  optionId: Type.Union([Type.String(), Type.Null()]),
  spec: CircuitSpec,
  start: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'The window the order books: [start, end)' }),
  end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  holdExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'A held order: commit before this or it is cancelled (hold-expired)' }),
  seriesId: Type.Union([Type.String(), Type.Null()], { description: 'A recurring booking: the series every occurrence belongs to' }),
  failureReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  occurrences: Type.Optional(Type.Array(Type.Object({ orderId: Type.String(), serviceId: Type.String(), start: Type.Union([Type.String(), Type.Null()]), end: Type.Union([Type.String(), Type.Null()]), state: OrderState }), { description: 'A recurring booking placed now: every occurrence' })),
});

// One object schema for both forms ({quoteId, optionId} or an inline spec); the service rejects mixes.
const OrderCreate = Type.Object(
  {
    quoteId: Type.Optional(Type.String({ maxLength: 64 })),
    optionId: Type.Optional(Type.String({ maxLength: 16 })),
    product: Type.Optional(Product),
    aSite: Type.Optional(S.Id),
    zSite: Type.Optional(S.Id),
    bandwidthGbps: Type.Optional(Type.Integer({ minimum: 0, maximum: 800 })),
    protection: Type.Optional(Protection),
    maxLatencyUs: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }), Type.Null()])),
    ...bookingFields,
    hold: Type.Optional(Type.Boolean({ description: 'Hold the capacity until committed (POST /v1/orders/{id}/commit) or expired' })),
    holdSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, default: undefined, description: 'How long a hold lasts (default 600)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/** Orders: place (idempotent with Idempotency-Key), read, cancel. */
export async function orderRoutes(app: AppInstance, { ordering, worker }: Pick<OrderingServices, 'ordering' | 'worker'>): Promise<void> {
  app.post('/v1/orders', { config: { access: 'any' },
    schema: {
      operationId: 'placeOrder',
      tags: ['ordering'],
      summary: 'Place an order from a quote option or an inline spec, for a window (start, end), a recurrence or a list of windows; held (hold) or straight away. Capacity is allocated now for exactly the window; activation follows at its start',
      headers: IdempotencyHeaders,
      body: OrderCreate,
      response: { 201: Order, 200: Order, ...S.errorResponses(400, 401, 404, 409) },
    },
  }, async (req, reply) => {
    const { order, created, series } = await ordering.placeOrder(principalOf(req), req.body, req.headers['idempotency-key']);
    if (created) worker.poke();
    const body = series ? { ...order, occurrences: series.map((o) => ({ orderId: o.id, serviceId: o.serviceId, start: o.start, end: o.end, state: o.state })) } : order;
    return reply.code(created ? 201 : 200).header('location', `/v1/orders/${order.id}`).send(body);
  });

  app.get('/v1/orders', { config: { access: 'any' },
    schema: {
      operationId: 'listOrders',
      tags: ['ordering'],
      summary: 'List orders',
      querystring: Type.Object({ ...S.PageQuery, state: Type.Optional(OrderState), serviceId: Type.Optional(S.Id) }),
      response: { 200: S.PageOf(Order), ...S.errorResponses(400, 401) },
    },
  }, async (req) => ordering.listOrders(principalOf(req), req.query));

  app.get('/v1/orders/:id', { config: { access: 'any' },
    schema: { operationId: 'getOrder', tags: ['ordering'], summary: 'Get an order', params: S.IdParams, response: { 200: Order, ...S.errorResponses(401, 404) } },
  }, async (req) => ordering.getOrder(principalOf(req), req.params.id));

  app.post('/v1/orders/:id/cancel', { config: { access: 'any' },
    schema: { operationId: 'cancelOrder', tags: ['ordering'], summary: 'Cancel a held or acknowledged order (releases what it held); before a booking starts this releases everything', params: S.IdParams, response: { 200: Order, ...S.errorResponses(401, 404, 409) } },
  }, async (req) => ordering.cancelOrder(principalOf(req), req.params.id));

  app.post('/v1/orders/:id/commit', { config: { access: 'any' },
    schema: {
      operationId: 'commitOrder',
      tags: ['ordering'],
      summary: 'Commit a held order (every held occurrence of its series): it moves on to activation at its window\'s start',
      params: S.IdParams,
      response: { 200: Order, ...S.errorResponses(401, 404, 409) },
    },
  }, async (req) => {
    const order = await ordering.commitOrder(principalOf(req), req.params.id);
    worker.poke();
    return order;
  });
}
