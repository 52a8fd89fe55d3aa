import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { TransferService } from '../../services/transfers/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

const TransferState = Type.Union([Type.Literal('scheduled'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('late'), Type.Literal('cancelled')]);

export const Transfer = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  aSite: Type.String(),
  zSite: Type.String(),
  volumeTB: Type.Number(),
  earliestStart: Type.String({ format: 'date-time' }),
  deadline: Type.String({ format: 'date-time' }),
  maxRateGbps: Type.Union([Type.Integer(), Type.Null()]),
  state: TransferState,
  slotSeconds: Type.Integer(),
  schedule: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date-time' }),
      end: Type.String({ format: 'date-time' }),
      rateGbps: Type.Number(),
      paths: Type.Array(Type.Object({ path: Type.String(), rateGbps: Type.Number() })),
    }),
  ),
  paths: Type.Array(Type.Object({ id: Type.String(), trunks: Type.Array(Type.String()), sites: Type.Array(Type.String()), latencyUs: Type.Number() })),
  waves: Type.Array(
    Type.Object({
      id: Type.String(),
      path: Type.String(),
      sites: Type.Array(Type.String()),
      spans: Type.Array(Type.String()),
      lengthKm: Type.Number(),
      latencyUs: Type.Number(),
      capacityGbps: Type.Integer(),
      modeId: Type.Union([Type.String(), Type.Null()]),
      centerFrequencyGhz: Type.Number(),
      gsnrDb: Type.Union([Type.Number(), Type.Null()]),
      regeneratorSites: Type.Array(Type.String()),
      lit: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), end: Type.String({ format: 'date-time' }) })),
      setupSeconds: Type.Integer(),
    }),
    { description: 'Waves lit for this transfer on free spectrum for the hours it needs (Owan-like); each is the only trunk of one of its paths' },
  ),
  expectedCompletion: Type.String({ format: 'date-time' }),
  deliveredTB: Type.Number(),
  price: Type.Object({ amountMinor: Type.Integer(), currency: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  cancelledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const TransferCreate = Type.Object(
  {
    aSite: S.Id,
    zSite: S.Id,
    volumeTB: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    deadline: Type.String({ format: 'date-time' }),
    earliestStart: Type.Optional(Type.String({ format: 'date-time' })),
    maxRateGbps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/** Bulk transfers by deadline: admit with a schedule (or 409 deadline-infeasible), read, cancel. */
export async function transferRoutes(app: AppInstance, { transfers }: { transfers: TransferService }): Promise<void> {
  app.post('/v1/transfers', { config: { access: 'any' },
    schema: {
      operationId: 'createTransfer',
      tags: ['transfers'],
      summary: 'Move volumeTB from aSite to zSite by the deadline: admitted with a schedule held in the calendar, or 409 deadline-infeasible with the earliest feasible deadline and the most volume that fits',
      headers: IdempotencyHeaders,
      body: TransferCreate,
      response: { 201: Transfer, 200: Transfer, ...S.errorResponses(400, 401, 409) },
    },
  }, async (req, reply) => {
    const { transfer, created } = await transfers.create(principalOf(req), req.body, req.headers['idempotency-key']);
    return reply.code(created ? 201 : 200).header('location', `/v1/transfers/${transfer.id}`).send(transfer);
  });

  app.get('/v1/transfers', { config: { access: 'any' },
    schema: {
      operationId: 'listTransfers',
      tags: ['transfers'],
      summary: 'List transfers',
      querystring: Type.Object({ ...S.PageQuery, state: Type.Optional(TransferState) }),
      response: { 200: S.PageOf(Transfer), ...S.errorResponses(400, 401) },
    },
  }, async (req) => transfers.list(principalOf(req), req.query));

  app.get('/v1/transfers/:id', { config: { access: 'any' },
    schema: { operationId: 'getTransfer', tags: ['transfers'], summary: 'Get a transfer: schedule, volume delivered so far, expected completion', params: S.IdParams, response: { 200: Transfer, ...S.errorResponses(401, 404) } },
  }, async (req) => transfers.get(principalOf(req), req.params.id));

  app.delete('/v1/transfers/:id', { config: { access: 'any' },
    schema: { operationId: 'cancelTransfer', tags: ['transfers'], summary: 'Cancel a transfer: the slots from now on are released', params: S.IdParams, response: { 200: Transfer, ...S.errorResponses(401, 404, 409) } },
  }, async (req) => transfers.cancel(principalOf(req), req.params.id));
}
