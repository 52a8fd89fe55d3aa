import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { problem, sendProblem } from '../problem.js';

/** Liveness and readiness probes. */
export async function healthRoutes(app: AppInstance, services: Services): Promise<void> {
  app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Liveness: the process serves requests', security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Readiness: the store answers', security: [] } }, async (req, reply) => {
    try {
      await services.db.query('SELECT 1');
      return { status: 'ready', store: services.db.kind };
    } catch (err) {
      req.log.warn({ err }, 'store not ready');
      return sendProblem(reply, problem('store-locked', 'the store does not answer'));
    }
  });
}
