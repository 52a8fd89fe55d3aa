import { Type } from 'typebox';
import type { AppInstance, Lifecycle } from '../app.js';
import * as S from '../schemas.js';
import type { Services } from '../../services/index.js';
import { problem, sendProblem } from '../problem.js';

// A probe must answer within a load balancer's check timeout even when the database hangs (a dropped
// network path answers nothing rather than refusing): past this the replica counts as not ready.
const READY_TIMEOUT_MS = 2_000;

/**
 * Liveness and readiness probes. Readiness is what a load balancer routes on (deploy/haproxy.cfg): not
 * ready while the database does not answer, and from the moment a SIGTERM starts draining the replica.
 */
export async function healthRoutes(app: AppInstance, services: Services, lifecycle?: Lifecycle): Promise<void> {
  app.get('/healthz', { config: { access: 'public' }, schema: { operationId: 'getHealth', tags: ['health'], summary: 'Liveness: the process serves requests', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { access: 'public' }, schema: { operationId: 'getReadiness', tags: ['health'], summary: 'Readiness: the store answers', security: [], response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String({ description: 'pglite or postgres' }) }), ...S.errorResponses(503) } } }, async (req, reply) => {
    if (lifecycle?.draining) {
      return sendProblem(reply, problem('store-unavailable', 'this replica is shutting down; another one answers', undefined, undefined, { retryAfterSeconds: 1 }));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        services.db.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the store did not answer in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS))),
      ]);
      return { status: 'ready' as const, store: services.db.kind };
    } catch (err) {
      req.log.warn({ err }, 'store not ready');
      return sendProblem(reply, problem('store-unavailable', 'the store does not answer', undefined, undefined, { retryAfterSeconds: 2 }));
    } finally {
      clearTimeout(timer);
    }
  });
}
