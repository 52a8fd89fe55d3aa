import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import { pageArgs, toPage } from '../../services/ordering/common.js';
import * as S from '../schemas.js';

const Role = Type.Union([Type.Literal('operator'), Type.Literal('customer')]);
const TenantId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' });

export const ApiKey = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  role: Role,
  prefix: Type.String({ description: 'first characters of the key, for recognising it; not a secret' }),
  name: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** API keys: create (the secret is returned once), list, revoke. */
export async function keyRoutes(app: AppInstance, { keys }: Pick<OrderingServices, 'keys'>): Promise<void> {
  app.post('/v1/keys', { config: { access: 'any' },
    schema: {
      operationId: 'createKey',
      tags: ['auth'],
      summary: 'Create an API key; the key is in this response only',
      body: Type.Object({ tenantId: Type.Optional(TenantId), role: Type.Optional(Role), name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      response: { 201: Type.Object({ key: Type.String(), record: ApiKey }), ...S.errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => reply.code(201).send(await keys.create(principalOf(req), req.body)));

  app.get('/v1/keys', { config: { access: 'any' },
    schema: {
      operationId: 'listKeys',
      tags: ['auth'],
      summary: 'List API keys (never the secrets)',
      querystring: Type.Object({ ...S.PageQuery, tenantId: Type.Optional(TenantId) }),
      response: { 200: S.PageOf(ApiKey), ...S.errorResponses(400, 401) },
    },
  }, async (req) => {
    const { limit, after } = pageArgs(req.query);
    return toPage(await keys.list(principalOf(req), { tenantId: req.query.tenantId, after, limit: limit + 1 }), limit);
  });

  app.delete('/v1/keys/:id', { config: { access: 'any' },
    schema: { operationId: 'revokeKey', tags: ['auth'], summary: 'Revoke an API key', params: S.IdParams, response: { 204: Type.Null(), ...S.errorResponses(401, 404) } },
  }, async (req, reply) => {
    await keys.revoke(principalOf(req), req.params.id);
    return reply.code(204).send(null);
  });
}
