import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import * as S from '../schemas.js';
import type { Services } from '../../services/index.js';
import { problem, sendProblem } from '../problem.js';

/** Liveness and readiness probes. */
export async function healthRoutes(app: AppInstance, services: Services): Promise<void> {
  app.get('/healthz', { config: { access: 'public' }, schema: { operationId: 'getHealth', tags: ['health'], summary: 'Liveness: the process serves requests', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { access: 'public' }, schema: { operationId: 'getReadiness', tags: ['health'], summary: 'Readiness: the store answers', security: [], response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String({ description: 'pglite or postgres' }) }), ...S.errorResponses(503) } } }, async (req, reply) => {
    try {
      await services.db.query('SELECT 1');
      return { status: 'ready' as const, store: services.db.kind };
    } catch (err) {
      req.log.warn({ err }, 'store not ready');
      return sendProblem(reply, problem('store-locked', 'the store does not answer'));
    }
  });
}
