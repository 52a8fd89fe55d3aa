import { Type, type Static } from 'typebox';
import type { AppInstance } from '../app.js';
import type { PlanService } from '../../services/planning/index.js';
import type { JobWorker } from '../../services/jobs.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

const Protection = Type.Union([Type.Literal('none'), Type.Literal('1+1')]);
const PlanState = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const PlanCreate = Type.Object(
  {
    forecast: Type.Optional(
      Type.Array(
        Type.Object(
          {
            aSiteId: S.Id,
            zSiteId: S.Id,
            period: Type.Integer({ minimum: 1, maximum: 40 }),
            gbps: Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 }),
            protection: Type.Optional(Protection),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20_000, description: 'Gbps between site pairs per period (1-based); give this or growth' },
      ),
    ),
    growth: Type.Optional(
      Type.Object(
        {
          baseGbps: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'Gbps between every pair of data-center markets in period 1' }),
          defaultGrowth: Type.Number({ minimum: 0, maximum: 10, description: 'growth per period of metros not listed (0.25 = 25 %)' }),
          growthByMetro: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Number({ minimum: 0, maximum: 10 }))),
          metros: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: 200 })),
          protection: Type.Optional(Protection),
        },
        { additionalProperties: false, description: 'a forecast generated from growth between data-center markets; give this or forecast' },
      ),
    ),
    periods: Type.Optional(Type.Integer({ minimum: 1, maximum: 40, description: 'horizon in periods (default 3 with growth; with a forecast, its last period)' })),
    periodLabels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 40 })),
    fiberSupplyKm: Type.Optional(Type.Array(Type.Number({ minimum: 0 }), { minItems: 1, maxItems: 40, description: 'new fiber (strands × km) that can be bought per period; the last value repeats' })),
    proposeRoutesKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 5000, description: 'offer new routes between PoPs up to this great-circle distance' })),
    discountRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    newCableStrands: Type.Optional(Type.Integer({ minimum: 2, maximum: 1728 })),
    pathsPerDemand: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    pairsPerDemand: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    costs: Type.Optional(
      Type.Object(
        {
          transponderByRateGbps: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Number({ minimum: 0 }))),
          lineSystemFixed: Type.Optional(Type.Number({ minimum: 0 })),
          lineSystemPerKm: Type.Optional(Type.Number({ minimum: 0 })),
          cablePerRouteKm: Type.Optional(Type.Number({ minimum: 0 })),
          cablePerStrandKm: Type.Optional(Type.Number({ minimum: 0 })),
          newRoutePerKm: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false, description: 'capital costs (default: illustrative relative units, a 100G transponder = 1)' },
      ),
    ),
    timeLimitSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 60 })),
    mipRelGap: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'stop at this relative gap (0: prove optimality)' })),
    solver: Type.Optional(Type.Union([Type.Literal('highs'), Type.Literal('cbc')])),
    warmStart: Type.Optional(Type.Boolean({ description: 'seed the solver with the heuristic plan (default true)' })),
  },
  { additionalProperties: false },
);
export type PlanCreateBody = Static<typeof PlanCreate>;

const Capex = Type.Object({ transponders: Type.Number(), lineSystems: Type.Number(), cables: Type.Number(), routes: Type.Number(), total: Type.Number(), discounted: Type.Number() });

const Wave = Type.Object({
  aSiteId: Type.String(),
  zSiteId: Type.String(),
  protection: Protection,
  rateGbps: Type.Number(),
  format: Type.String(),
  slots: Type.Integer(),
  spanIds: Type.Array(Type.String()),
  lengthKm: Type.Number(),
  regenSiteIds: Type.Array(Type.String()),
  protectFormat: Type.Union([Type.String(), Type.Null()]),
  protectSlots: Type.Union([Type.Integer(), Type.Null()]),
  protectSpanIds: Type.Array(Type.String()),
  protectLengthKm: NullableNumber,
  protectRegenSiteIds: Type.Array(Type.String()),
  transpondersPerWave: Type.Integer(),
  count: Type.Integer(),
});

const PeriodPlan = Type.Object({
  period: Type.Integer(),
  label: Type.String(),
  build: Type.Object({
    waves: Type.Array(Wave),
    lineSystems: Type.Array(Type.Object({ spanId: Type.String(), added: Type.Integer() })),
    cables: Type.Array(Type.Object({ spanId: Type.String(), added: Type.Integer(), strandsPerCable: Type.Integer(), fiberKm: Type.Number(), onNewRoute: Type.Boolean() })),
    newRoutes: Type.Array(Type.Object({ routeId: Type.String(), aSiteId: Type.String(), zSiteId: Type.String(), lengthKm: Type.Number(), geometry: S.LineString })),
  }),
  capex: Capex,
  lit: Type.Array(Wave),
  utilisation: Type.Array(
    Type.Object({ spanId: Type.String(), slotsUsed: Type.Integer(), slotsLit: Type.Integer(), utilisation: NullableNumber, fiberPairsLit: Type.Integer(), cablesAdded: Type.Integer() }),
  ),
  kpis: Type.Object({
    routeKm: Type.Number(),
    routeMiles: Type.Number(),
    fiberMiles: Type.Number(),
    litCapacityGbps: Type.Number(),
    demandGbps: Type.Number(),
    fiberKmBought: Type.Number(),
    fiberKmSupply: NullableNumber,
    wavesLit: Type.Integer(),
  }),
});

export const PlanDocument = Type.Object(
  {
    network: Type.String(),
    periods: Type.Array(PeriodPlan),
    solver: Type.Object({
      solver: Type.String(),
      status: Type.String({ description: 'optimal, time-limit, node-limit, interrupted, infeasible, unbounded or error' }),
      objective: NullableNumber,
      bound: NullableNumber,
      gap: NullableNumber,
      seconds: Type.Number(),
      nodes: Type.Union([Type.Integer(), Type.Null()]),
      message: Type.Optional(Type.String()),
    }),
    capex: Capex,
    exhaustion: Type.Array(
      Type.Object({ spanId: Type.String(), slotsAvailable: Type.Integer(), slotsNeeded: Type.Array(Type.Integer()), exhaustedInPeriod: Type.Union([Type.Integer(), Type.Null()]), label: Type.Union([Type.String(), Type.Null()]) }),
    ),
    assumptions: Type.Object({ newCableStrands: Type.Integer(), discountRate: Type.Number(), pathsPerDemand: Type.Integer(), pairsPerDemand: Type.Integer() }),
  },
  { description: 'The build-out plan (src/engine/planning/network-plan.ts): builds, capex, utilisation and KPIs per period, span exhaustion without the plan' },
);

export const Plan = Type.Object({
  id: Type.String(),
  state: PlanState,
  request: PlanCreate,
  progress: Type.Union([Type.Object({ seconds: Type.Number(), primal: NullableNumber, dual: NullableNumber, gap: NullableNumber, nodes: Type.Union([Type.Integer(), Type.Null()]) }), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), detail: Type.String() }), Type.Null()]),
  inventoryVersion: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  appliedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  document: Type.Union([PlanDocument, Type.Null()], { description: 'the plan once done (null in lists)' }),
});

// A span as the inventory stores it (the change set's before and after), without the derived fields of S.Span.
const ChangeSpan = Type.Object({
  ...Type.Omit(S.Span, ['latencyUs', 'amplifiers', 'fiberType', 'connectorLossDb', 'geometry']).properties,
  // Positions as plain arrays: the serializer's check of a nullable union does not read prefixItems.
  geometry: Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })) }),
  fiberType: Type.Optional(Type.String()),
  connectorLossDb: Type.Optional(Type.Number()),
});

export const PlanChanges = Type.Object({
  planId: Type.String(),
  applied: Type.Boolean(),
  appliedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  inventoryVersion: Type.Integer(),
  changes: Type.Array(
    Type.Object({
      op: Type.Union([Type.Literal('span.create'), Type.Literal('span.update')]),
      spanId: Type.String(),
      before: Type.Union([ChangeSpan, Type.Null()]),
      after: ChangeSpan,
      cablesAdded: Type.Array(Type.String()),
      fiberPairsAdded: Type.Integer(),
      fiberKmAdded: Type.Number(),
      periods: Type.Array(Type.Object({ period: Type.Integer(), label: Type.String(), cablesAdded: Type.Integer(), lineSystemsAdded: Type.Integer(), routeOpened: Type.Boolean() })),
    }),
  ),
  conflicts: Type.Array(Type.String(), { description: 'why the change set cannot be applied to the inventory as it is (apply answers 409)' }),
  wavesPlanned: Type.Integer({ description: 'waves the plan lights: by orders, not by apply' }),
});

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/** Capacity plans (operators): background build-out solves, their documents and change sets. */
export async function planRoutes(app: AppInstance, { plans, worker }: { plans: PlanService; worker: JobWorker }): Promise<void> {
  app.post('/v1/plans', { config: { access: 'operator' },
    schema: {
      operationId: 'createPlan',
      tags: ['plans'],
      summary: 'Plan the build-out of the store\'s network for a forecast (a background job: 202 with the queued plan; plan.started, plan.progress, plan.completed or plan.failed events follow)',
      headers: IdempotencyHeaders,
      body: PlanCreate,
      response: { 202: Plan, 200: Plan, ...S.errorResponses(400, 409) },
    },
  }, async (req, reply) => {
    const { plan, created } = await plans.create(principalOf(req), req.body, req.headers['idempotency-key']);
    if (created) worker.poke();
    return reply.code(created ? 202 : 200).header('location', `/v1/plans/${plan.id}`).send(plan);
  });

  app.get('/v1/plans', { config: { access: 'operator' },
    schema: {
      operationId: 'listPlans',
      tags: ['plans'],
      summary: 'List plans (documents left out: get one plan for its document)',
      querystring: Type.Object({ ...S.PageQuery, state: Type.Optional(PlanState) }),
      response: { 200: S.PageOf(Plan), ...S.errorResponses(400) },
    },
  }, async (req) => plans.list(req.query));

  app.get('/v1/plans/:id', { config: { access: 'operator' },
    schema: { operationId: 'getPlan', tags: ['plans'], summary: 'Get a plan: its state, progress and, once done, its document', params: S.IdParams, response: { 200: Plan, ...S.errorResponses(404) } },
  }, async (req) => plans.get(req.params.id));

  app.get('/v1/plans/:id/changes', { config: { access: 'operator' },
    schema: {
      operationId: 'getPlanChanges',
      tags: ['plans'],
      summary: 'The inventory change set the plan would apply (spans created, cables laid, fiber pairs lit), computed on the inventory as it is now; the applied one once applied',
      params: S.IdParams,
      response: { 200: PlanChanges, ...S.errorResponses(404, 409) },
    },
  }, async (req) => plans.changes(req.params.id));

  app.post('/v1/plans/:id/apply', { config: { access: 'operator' },
    schema: {
      operationId: 'applyPlan',
      tags: ['plans'],
      summary: 'Apply the plan\'s change set to the inventory in one transaction (all or nothing, audited); a plan is applied once (409 conflict after)',
      params: S.IdParams,
      querystring: Type.Object({
        inventoryVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'the inventoryVersion of the reviewed change set: apply only if the inventory has not changed since (else 409 conflict)' })),
      }),
      response: { 200: PlanChanges, ...S.errorResponses(404, 409) },
    },
  }, async (req) => plans.apply(principalOf(req), req.params.id, { inventoryVersion: req.query.inventoryVersion }));
}
