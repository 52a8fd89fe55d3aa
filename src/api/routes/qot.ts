import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

export const QotPolicy = Type.Object(
  {
    marginDb: Type.Number({ minimum: 0, maximum: 20, description: 'GSNR every new wave keeps above its mode\'s required OSNR (with CD/PMD penalties), dB (default 2)' }),
    maxUnamplifiedLossDb: Type.Number({ minimum: 0, maximum: 60, description: 'largest dark-fiber path loss offered without amplification, dB (default 22, ITU-T G.959.1 long-haul codes)' }),
  },
  { additionalProperties: false },
);

/** GET (any key) and PUT (operators) the QoT policy. */
export async function qotRoutes(app: AppInstance, { qotPolicy }: Pick<OrderingServices, 'qotPolicy'>): Promise<void> {
  app.get('/v1/qot/policy', { config: { access: 'any' },
    schema: { operationId: 'getQotPolicy', tags: ['ordering'], summary: 'The QoT policy: the GSNR margin waves are planned with, the unamplified dark-fiber maximum', response: { 200: QotPolicy, ...S.errorResponses(401) } },
  }, async () => qotPolicy.get());

  app.put('/v1/qot/policy', { config: { access: 'operator' },
    schema: { operationId: 'replaceQotPolicy', tags: ['ordering'], summary: 'Replace the QoT policy (operators; what fits changes like an inventory change)', body: QotPolicy, response: { 200: QotPolicy, ...S.errorResponses(400, 401, 403) } },
  }, async (req) => qotPolicy.put(principalOf(req), req.body));
}
