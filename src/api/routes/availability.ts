/** SLA accounting: a service's downtime and availability over a window (customers see their own). */
import { Type } from 'typebox';
import type { ResilienceService } from '../../services/resilience/index.js';
import type { AppInstance } from '../app.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

const Availability = Type.Object({
  serviceId: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  downtimeSeconds: Type.Number(),
  availability: Type.Number({ description: '1 - downtime / window over [from, to)' }),
  outages: Type.Array(Type.Object({ startedAt: Type.String(), endedAt: Type.Union([Type.String(), Type.Null()]), cause: Type.Union([Type.String(), Type.Null()]) })),
});

/** GET /v1/services/{id}/availability. */
export async function availabilityRoutes(app: AppInstance, { resilience }: { resilience: ResilienceService }): Promise<void> {
  app.get('/v1/services/:id/availability', { config: { access: 'any' },
    schema: {
      operationId: 'getServiceAvailability',
      tags: ['resilience'],
      summary: 'Downtime and availability over [from, to) (default: since creation, until now)',
      params: S.IdParams,
      querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }),
      response: { 200: Availability, ...S.errorResponses(400, 401, 404) },
    },
  }, async (req) => {
    const range: { from?: string; to?: string } = {};
    if (req.query.from) range.from = req.query.from;
    if (req.query.to) range.to = req.query.to;
    return resilience.availability(principalOf(req), req.params.id, range);
  });
}
