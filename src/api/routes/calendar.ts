import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import * as S from '../schemas.js';
import { Product, Protection } from './quotes.js';

const Interval = Type.Object({
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  feasible: Type.Boolean(),
  count: Type.Optional(Type.Integer({ description: 'How many such circuits fit side by side throughout the interval (at most 16: "16 or more")' })),
});

/** The calendar's reads: when a circuit fits between two sites; a span's occupancy over time (operators). */
export async function calendarRoutes(app: AppInstance, { ordering }: Pick<OrderingServices, 'ordering'>): Promise<void> {
  app.get('/v1/availability', { config: { access: 'any' },
    schema: {
      operationId: 'findAvailability',
      tags: ['calendar'],
      summary: 'When a circuit fits: consecutive intervals covering [from, to) (default the next 30 days), each feasible or not',
      querystring: Type.Object({
        aSite: S.Id,
        zSite: S.Id,
        product: Product,
        bandwidthGbps: Type.Optional(Type.Integer({ minimum: 0, maximum: 800 })),
        protection: Type.Optional(Protection),
        maxLatencyUs: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
        from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
        to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
        count: Type.Optional(Type.Boolean({ description: 'Also say how many such circuits fit in each interval' })),
      }),
      response: { 200: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), intervals: Type.Array(Interval) }), ...S.errorResponses(400, 401) },
    },
  }, async (req) => ordering.availability(req.query));

  app.get('/v1/spans/:id/occupancy', { config: { access: 'operator' },
    schema: {
      operationId: 'getSpanOccupancy',
      tags: ['calendar'],
      summary: 'A span\'s occupancy over [from, to) (default the next 30 days): slots held in each interval',
      params: S.IdParams,
      querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })), to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })) }),
      response: {
        200: Type.Object({
          spanId: Type.String(),
          totalSlots: Type.Integer(),
          intervals: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), end: Type.String({ format: 'date-time' }), usedSlots: Type.Integer(), utilisation: Type.Number() })),
        }),
        ...S.errorResponses(400, 401, 403),
      },
    },
  }, async (req) => ordering.spanOccupancy(req.params.id, req.query));
}
