import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { UsageService } from '../../services/usage.js';
import * as S from '../schemas.js';
import { viewerOf } from './events.js';

export const UsageRecordSchema = Type.Object({
  serviceId: Type.String(),
  tenantId: Type.String(),
  product: Type.String(),
  hour: Type.String({ format: 'date-time', description: 'Start of the UTC hour; the record covers [hour, hour + 1 h)' }),
  bandwidthGbps: Type.Union([Type.Number(), Type.Null()], { description: 'Peak during the hour; null for dark fiber' }),
  activeSeconds: Type.Integer({ minimum: 1, maximum: 3600, description: 'Seconds of the hour the service was active (so far, for the hour in progress)' }),
  partial: Type.Boolean({ description: 'true for the hour in progress, counted up to now; it is closed (and final) after the hour ends' }),
});

/** GET /v1/usage: hourly usage records of the caller's services (operators: all). */
export async function usageRoutes(app: AppInstance, services: Pick<Services, 'db'>): Promise<void> {
  const usage = new UsageService(services.db);
  app.get('/v1/usage', { config: { access: 'any' },
    schema: {
      operationId: 'listUsage',
      tags: ['usage'],
      summary: 'Hourly usage records, one per service per started hour while active; the hour in progress is included, marked partial',
      querystring: Type.Object({
        ...S.PageQuery,
        serviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        from: Type.Optional(Type.String({ maxLength: 40, description: 'Hours starting at or after (ISO-8601 UTC)' })),
        to: Type.Optional(Type.String({ maxLength: 40, description: 'Hours starting before (ISO-8601 UTC)' })),
      }),
      response: { 200: S.PageOf(UsageRecordSchema), ...S.errorResponses(400, 401) },
    },
  }, async (req) => usage.list(viewerOf(req), req.query));
}
