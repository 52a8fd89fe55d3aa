import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';
import { CircuitSpec, Product, Protection } from './quotes.js';

export const OrderState = Type.Union([
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
  failureReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
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
  },
  { additionalProperties: false, minProperties: 1 },
);

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/** Orders: place (idempotent with Idempotency-Key), read, cancel. */
export async function orderRoutes(app: AppInstance, { ordering, worker }: Pick<OrderingServices, 'ordering' | 'worker'>): Promise<void> {
  app.post('/v1/orders', { config: { access: 'any' },
    schema: {
      tags: ['ordering'],
      summary: 'Place an order from a quote option or an inline spec; resources are allocated now, activation follows asynchronously',
      headers: IdempotencyHeaders,
      body: OrderCreate,
      response: { 201: Order, 200: Order, ...S.errorResponses(400, 401, 404, 409) },
    },
  }, async (req, reply) => {
    const { order, created } = await ordering.placeOrder(principalOf(req), req.body, req.headers['idempotency-key']);
    if (created) worker.poke();
    return reply.code(created ? 201 : 200).header('location', `/v1/orders/${order.id}`).send(order);
  });

  app.get('/v1/orders', { config: { access: 'any' },
    schema: {
      tags: ['ordering'],
      summary: 'List orders',
      querystring: Type.Object({ ...S.PageQuery, state: Type.Optional(OrderState), serviceId: Type.Optional(S.Id) }),
      response: { 200: S.PageOf(Order), ...S.errorResponses(400, 401) },
    },
  }, async (req) => ordering.listOrders(principalOf(req), req.query));

  app.get('/v1/orders/:id', { config: { access: 'any' },
    schema: { tags: ['ordering'], summary: 'Get an order', params: S.IdParams, response: { 200: Order, ...S.errorResponses(401, 404) } },
  }, async (req) => ordering.getOrder(principalOf(req), req.params.id));

  app.post('/v1/orders/:id/cancel', { config: { access: 'any' },
    schema: { tags: ['ordering'], summary: 'Cancel an order not yet in progress (releases what it held)', params: S.IdParams, response: { 200: Order, ...S.errorResponses(401, 404, 409) } },
  }, async (req) => ordering.cancelOrder(principalOf(req), req.params.id));
}
