import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { AuditService } from '../../services/audit.js';
import * as S from '../schemas.js';

export const AuditRecord = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorKeyId: Type.Union([Type.String(), Type.Null()], { description: 'API key id; `cli:<user>` for the local CLI; `system` for background work' }),
  actorTenantId: Type.Union([Type.String(), Type.Null()]),
  actorRole: Type.Union([Type.Literal('operator'), Type.Literal('customer'), Type.Literal('system')]),
  actorVia: Type.Union([Type.Literal('api'), Type.Literal('cli'), Type.Literal('system')]),
  requestId: Type.Union([Type.String(), Type.Null()], { description: 'X-Request-Id of the request that made the change' }),
  action: Type.String({ description: 'Dotted: site.create, span.update, network.replace, order.place, failure.record, key.create, ...' }),
  subjectKind: Type.String(),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.Union([Type.String(), Type.Null()], { description: 'Whose object changed (null for the operator inventory)' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

/** GET /v1/audit: the append-only trail of state changes (operators). */
export async function auditRoutes(app: AppInstance, { audit }: { audit: AuditService }): Promise<void> {
  app.get('/v1/audit', {
    config: { access: 'operator' },
    schema: {
      operationId: 'listAuditRecords',
      tags: ['audit'],
      summary: 'Audit trail: who changed what, when, with a before/after summary (oldest first)',
      querystring: Type.Object({
        ...S.PageQuery,
        actorKeyId: Type.Optional(Type.String({ maxLength: 200 })),
        tenantId: Type.Optional(Type.String({ maxLength: 128 })),
        action: Type.Optional(Type.String({ maxLength: 128 })),
        subjectKind: Type.Optional(Type.String({ maxLength: 64 })),
        subjectId: Type.Optional(Type.String({ maxLength: 256 })),
        requestId: Type.Optional(Type.String({ maxLength: 64 })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
      }),
      response: { 200: S.PageOf(AuditRecord), ...S.errorResponses(400, 401, 403) },
    },
  }, async (req) => audit.list(req.query));
}
