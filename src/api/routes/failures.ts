/** Failure events (operator): record a cut / SRLG event / site loss, list them, repair; manual revert. */
import { Type } from 'typebox';
import type { ResilienceService } from '../../services/resilience/index.js';
import type { AppInstance } from '../app.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

const Ids = Type.Array(S.Id, { maxItems: 10_000 });

export const Failure = Type.Object({
  id: Type.String(),
  spans: Type.Array(Type.String()),
  srlgs: Type.Array(Type.String()),
  sites: Type.Array(Type.String()),
  failedSpans: Type.Array(Type.String(), { description: 'Every span the event holds down (spans + SRLG members + spans at lost sites)' }),
  note: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String({ format: 'date-time' }),
  repairedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const Batch = Type.Object({
  batchId: Type.String(),
  failedSpans: Type.Array(Type.String()),
  examined: Type.Integer(),
  switched: Type.Array(Type.String()),
  rerouted: Type.Array(Type.Object({ id: Type.String(), addedLatencyUs: Type.Number() })),
  down: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
  restored: Type.Array(Type.String()),
  reverted: Type.Array(Type.String()),
  trunksRerouted: Type.Array(Type.String()),
  timings: Type.Object({ identifyMs: Type.Number(), loadMs: Type.Number(), planMs: Type.Number(), writeMs: Type.Number() }),
  bookings: Type.Optional(Type.Object({
    replanned: Type.Array(Type.Object({ id: Type.String(), start: Type.String({ format: 'date-time' }), spanIds: Type.Array(Type.String()) }), { description: 'Bookings not started yet, planned again around the failure for their window' }),
    atRisk: Type.Array(Type.Object({ id: Type.String(), start: Type.String({ format: 'date-time' }), reason: Type.String() }), { description: 'Bookings not started yet that no longer fit while the failure lasts (kept; restored if it is repaired in time)' }),
  }, { description: 'What the failure did to bookings that have not started yet' })),
});

const FailureWithBatch = Type.Object({
  failure: Failure,
  created: Type.Boolean({ description: 'false when the same failure was already open (the post was a repeat)' }),
  batch: Type.Union([Batch, Type.Null()], { description: 'The restoration pass run at once; null while it is pending (the background worker retries it)' }),
  restoration: Type.Union([Type.Literal('done'), Type.Literal('pending')]),
});

/** Routes for failures and manual revert. */
export async function failureRoutes(app: AppInstance, { resilience }: { resilience: ResilienceService }): Promise<void> {
  app.post('/v1/failures', { config: { access: 'operator' },
    schema: {
      operationId: 'recordFailure',
      tags: ['resilience'],
      summary: 'Record a failure (fiber cut, SRLG event, site loss), then restore every affected service',
      description: 'The failure is recorded first, on its own and idempotently: posting the same failure while it is open returns it (200) instead of recording a second. Restoration follows; when it cannot finish at once it is retried in the background (`restoration: pending`).',
      body: Type.Object({ spans: Type.Optional(Ids), srlgs: Type.Optional(Ids), sites: Type.Optional(Ids), note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
      response: { 201: FailureWithBatch, 200: FailureWithBatch, ...S.errorResponses(400, 401, 403) },
    },
  }, async (req, reply) => {
    const r = await resilience.cut(principalOf(req), req.body);
    return reply.code(r.created ? 201 : 200).header('location', `/v1/failures/${r.failure.id}`).send(r);
  });

  app.get('/v1/failures', { config: { access: 'operator' },
    schema: {
      operationId: 'listFailures',
      tags: ['resilience'],
      summary: 'List failures (open=true: unrepaired only)',
      querystring: Type.Object({ ...S.PageQuery, open: Type.Optional(Type.Boolean()) }),
      response: { 200: S.PageOf(Failure), ...S.errorResponses(400, 401) },
    },
  }, async (req) => {
    principalOf(req);
    return resilience.listFailures(req.query);
  });

  app.get('/v1/failures/:id', { config: { access: 'operator' },
    schema: { operationId: 'getFailure', tags: ['resilience'], summary: 'Get a failure', params: S.IdParams, response: { 200: Failure, ...S.errorResponses(401, 404) } },
  }, async (req) => {
    principalOf(req);
    return resilience.getFailure(req.params.id);
  });

  app.delete('/v1/failures/:id', { config: { access: 'operator' },
    schema: {
      operationId: 'repairFailure',
      tags: ['resilience'],
      summary: 'Repair: services come back; rerouted ones revert to their original path per policy (make-before-break)',
      params: S.IdParams,
      querystring: Type.Object({ revert: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('manual')])) }),
      response: { 200: FailureWithBatch, ...S.errorResponses(401, 403, 404, 409) },
    },
  }, async (req) => {
    return resilience.repair(principalOf(req), req.params.id, req.query.revert ? { revert: req.query.revert } : {});
  });

  app.post('/v1/services/:id/revert', { config: { access: 'operator' },
    schema: {
      operationId: 'revertService',
      tags: ['resilience'],
      summary: 'Move a rerouted service back to its original path now (manual revert policy)',
      params: S.IdParams,
      response: { 200: Batch, ...S.errorResponses(401, 403, 404) },
    },
  }, async (req) => {
    return resilience.revert(principalOf(req), req.params.id);
  });
}
