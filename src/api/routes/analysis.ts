/** What-if failure analysis (operator): the effect of failures on every live service, nothing changed. */
import { Type } from 'typebox';
import type { ResilienceService } from '../../services/resilience/index.js';
import type { AppInstance } from '../app.js';
import { principalOf } from '../access.js';
import { LightpathError } from '../../domain/errors.js';
import * as S from '../schemas.js';

const Ids = Type.Array(S.Id, { maxItems: 10_000 });
const FailureSpec = Type.Object({ spans: Type.Optional(Ids), srlgs: Type.Optional(Ids), sites: Type.Optional(Ids) }, { additionalProperties: false });

const ScenarioResult = Type.Object({
  scenario: Type.String(),
  failedSpans: Type.Array(Type.String()),
  affected: Type.Array(Type.String()),
  protected: Type.Array(Type.String(), { description: '1+1 services that switch to their disjoint path' }),
  degraded: Type.Array(Type.String(), { description: '1+1 services that keep working but lose their standby' }),
  restorable: Type.Array(Type.Object({ id: Type.String(), spanIds: Type.Array(Type.String()), latencyUs: Type.Number(), addedLatencyUs: Type.Number() })),
  lost: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
  shortfall: Type.Array(Type.Object({ spanId: Type.String(), slots: Type.Integer(), strands: Type.Integer() })),
  scheduled: Type.Array(Type.Object({ id: Type.String(), state: Type.String(), start: Type.String({ format: 'date-time' }), end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }), { description: 'Bookings not started yet whose planned path the failure crosses (restoration would re-plan them for their window)' }),
});

/** POST /v1/analysis/failures. */
export async function analysisRoutes(app: AppInstance, { resilience }: { resilience: ResilienceService }): Promise<void> {
  app.post('/v1/analysis/failures', { config: { access: 'operator' },
    schema: {
      operationId: 'analyzeFailures',
      tags: ['resilience'],
      summary: 'What-if: for each failure, services affected, protected, restorable (would-be paths, added latency) and lost; capacity shortfall per span; bookings not started yet that it would hit',
      body: Type.Object(
        { scenario: Type.Union([Type.Literal('all-single-spans'), Type.Literal('all-single-srlgs'), Type.Array(FailureSpec, { minItems: 1, maxItems: 1000 })]) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ items: Type.Array(ScenarioResult) }), ...S.errorResponses(400, 401, 403) },
    },
  }, async (req) => {
    if (principalOf(req).role !== 'operator') throw new LightpathError('forbidden', 'what-if analysis needs an operator key');
    return { items: await resilience.analyze(req.body) };
  });
}
