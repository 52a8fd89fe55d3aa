import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

/** Who the caller is: the portal asks this after sign-in to show what the role allows. */
export async function meRoutes(app: AppInstance): Promise<void> {
  app.get('/v1/me', { config: { access: 'any' },
    schema: {
      operationId: 'getMe',
      tags: ['auth'],
      summary: 'The tenant and role of the API key making the request',
      response: { 200: Type.Object({ tenantId: Type.String(), role: Type.Union([Type.Literal('operator'), Type.Literal('customer')]), keyId: Type.String() }), ...S.errorResponses(401) },
    },
  }, async (req) => {
    const p = principalOf(req);
    return { tenantId: p.tenantId, role: p.role, keyId: p.keyId };
  });
}
