import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';
import { Order } from './orders.js';
import { DesignPath, Money, PairSharing, Product, Protection } from './quotes.js';

// Spelled out (not mapped from SERVICE_STATES) so the static types stay literal; a test checks they agree.
export const ServiceState = Type.Union([
  Type.Literal('held'),
  Type.Literal('scheduled'),
  Type.Literal('reserved'),
  Type.Literal('active'),
  Type.Literal('down'),
  Type.Literal('ended'),
  Type.Literal('terminated'),
]);

export const Service = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  product: Product,
  aSite: Type.String(),
  zSite: Type.String(),
  bandwidthGbps: Type.Integer(),
  protection: Protection,
  maxLatencyUs: Type.Union([Type.Number(), Type.Null()]),
  state: ServiceState,
  start: Type.String({ format: 'date-time' }),
  end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null = open-ended' }),
  seriesId: Type.Union([Type.String(), Type.Null()]),
  design: Type.Object({ paths: Type.Array(DesignPath), sharing: Type.Optional(PairSharing) }),
  price: Type.Object({ monthly: Money, hourly: Money }),
  availability: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** The tenant's service inventory: read, change bandwidth, disconnect. */
export async function serviceRoutes(app: AppInstance, { ordering, worker }: Pick<OrderingServices, 'ordering' | 'worker'>): Promise<void> {
  app.get('/v1/services', { config: { access: 'any' },
    schema: {
      operationId: 'listServices',
      tags: ['ordering'],
      summary: 'List services',
      querystring: Type.Object({ ...S.PageQuery, state: Type.Optional(ServiceState), product: Type.Optional(Product) }),
      response: { 200: S.PageOf(Service), ...S.errorResponses(400, 401) },
    },
  }, async (req) => ordering.listServices(principalOf(req), req.query));

  app.get('/v1/services/:id', { config: { access: 'any' },
    schema: { operationId: 'getService', tags: ['ordering'], summary: 'Get a service', params: S.IdParams, response: { 200: Service, ...S.errorResponses(401, 404) } },
  }, async (req) => ordering.getService(principalOf(req), req.params.id));

  app.patch('/v1/services/:id', { config: { access: 'any' },
    schema: {
      operationId: 'modifyService',
      tags: ['ordering'],
      summary: 'Change bandwidth and/or the window: before the start the booking is planned again (returns its order); once started the end moves in place and a new bandwidth is a modify order (make-before-break)',
      params: S.IdParams,
      body: Type.Object(
        {
          bandwidthGbps: Type.Optional(Type.Integer({ minimum: 0, maximum: 800 })),
          start: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
          end: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()])),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 202: Order, ...S.errorResponses(400, 401, 404, 409) },
    },
  }, async (req, reply) => {
    const order = await ordering.modifyService(principalOf(req), req.params.id, req.body);
    worker.poke();
    return reply.code(202).header('location', `/v1/orders/${order.id}`).send(order);
  });

  app.delete('/v1/services/:id', { config: { access: 'any' },
    schema: {
      operationId: 'disconnectService',
      tags: ['ordering'],
      summary: 'Disconnect: releases everything the service holds; returns the delete order (a booking not yet started is cancelled: returns its cancelled order)',
      params: S.IdParams,
      response: { 202: Order, ...S.errorResponses(401, 404, 409) },
    },
  }, async (req, reply) => {
    const order = await ordering.disconnectService(principalOf(req), req.params.id);
    worker.poke();
    return reply.code(202).header('location', `/v1/orders/${order.id}`).send(order);
  });
}
