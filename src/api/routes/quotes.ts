import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { OrderingServices } from '../../services/ordering/index.js';
import { principalOf } from '../access.js';
import * as S from '../schemas.js';

// Schemas shared by the ordering routes (quotes, orders, services).

export const Product = Type.Union([Type.Literal('dark-fiber'), Type.Literal('wave'), Type.Literal('ethernet'), Type.Literal('cloud-connect')]);
export const Protection = Type.Union([Type.Literal('unprotected'), Type.Literal('protected-1+1'), Type.Literal('restorable')]);
export const Money = Type.Object({ currency: Type.Literal('USD'), amountMinor: Type.Integer() }, { additionalProperties: false });

const specFields = {
  product: Product,
  aSite: S.Id,
  zSite: S.Id,
  bandwidthGbps: Type.Integer({ minimum: 0, maximum: 800, description: 'wave: 100, 400 or 800; ethernet/cloud-connect: 1..400; dark-fiber: omit or 0' }),
  protection: Protection,
  maxLatencyUs: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }), Type.Null()]),
  disjointness: Type.Optional(
    Type.Union([Type.Literal('node-srlg'), Type.Literal('srlg'), Type.Literal('node'), Type.Literal('link')], {
      description: 'protected-1+1 only: what the two legs may not share, promised (absent: node-and-SRLG-disjoint pairs first, then SRLG-disjoint ones; each option says what its legs share)',
    }),
  ),
};

const Time = Type.String({ format: 'date-time', maxLength: 40 });

/** The booking fields of a quote or inline order: when (one window, a recurrence or a list of windows). */
export const bookingFields = {
  start: Type.Optional(Type.Union([Time, Type.Null()], { description: 'ISO-8601 with a zone; default now' })),
  end: Type.Optional(Type.Union([Time, Type.Null()], { description: 'ISO-8601 with a zone; half-open [start, end); null or absent = open-ended' })),
  recurrence: Type.Optional(
    Type.Object(
      {
        rrule: Type.String({ maxLength: 500, description: 'RFC 5545 RRULE with COUNT or UNTIL, e.g. FREQ=WEEKLY;BYDAY=SA;COUNT=12; DTSTART is `start`' }),
        durationSeconds: Type.Integer({ minimum: 60, maximum: 366 * 24 * 3600 }),
      },
      { additionalProperties: false },
    ),
  ),
  windows: Type.Optional(Type.Array(Type.Object({ start: Time, end: Time }, { additionalProperties: false }), { minItems: 1, maxItems: 366, description: 'An explicit series of windows' })),
  partial: Type.Optional(Type.Boolean({ description: 'Recurring: book the feasible occurrences instead of all or nothing' })),
};

/** A quote request: what the customer wants, and when. */
export const CircuitSpecBody = Type.Object(
  {
    product: specFields.product,
    aSite: specFields.aSite,
    zSite: specFields.zSite,
    bandwidthGbps: Type.Optional(specFields.bandwidthGbps),
    protection: Type.Optional(specFields.protection),
    maxLatencyUs: Type.Optional(specFields.maxLatencyUs),
    disjointness: specFields.disjointness,
    ...bookingFields,
  },
  { additionalProperties: false },
);

/** What the two legs of a 1+1 circuit share (empty lists: nothing but the ends). */
export const PairSharing = Type.Object({
  disjointness: Type.String({ description: 'the strongest disjointness the pair keeps: node-srlg, srlg, node or link' }),
  spanIds: Type.Array(Type.String()),
  srlgIds: Type.Array(Type.String()),
  siteIds: Type.Array(Type.String()),
});
/** A window (CONVENTIONS: half-open, end null = open-ended). */
export const WindowSchema = Type.Object({ start: Type.String({ format: 'date-time' }), end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) });

/** A circuit spec as stored (every field present). */
export const CircuitSpec = Type.Object(specFields);

/** A path of a design (free-form detail: wave slots, strands or trunk share; see the design docs). */
export const DesignPath = Type.Object(
  {
    role: Type.Union([Type.Literal('working'), Type.Literal('protect')]),
    siteIds: Type.Array(Type.String()),
    spanIds: Type.Array(Type.String()),
    lengthKm: Type.Number(),
    latencyUs: Type.Number(),
    wave: Type.Optional(
      Type.Object(
        {
          lineRateGbps: Type.Integer(),
          format: Type.String({ description: 'Modulation format chosen for the reach, e.g. DP-16QAM' }),
          slots: Type.Integer({ description: 'Spectrum slots (12.5 GHz) the channel takes' }),
          widthGhz: Type.Optional(Type.Number()),
          regeneratorSiteIds: Type.Optional(Type.Array(Type.String())),
          segments: Type.Array(
            Type.Object(
              {
                spanIds: Type.Array(Type.String()),
                fiberPair: Type.Integer(),
                startSlot: Type.Integer(),
                slots: Type.Integer(),
                centerFrequencyGhz: Type.Optional(Type.Number()),
                qot: Type.Optional(
                  Type.Object(
                    {
                      gsnrDb: Type.Number({ description: 'GSNR at the receiver in the signal bandwidth, dB' }),
                      gsnr01nmDb: Type.Number({ description: 'GSNR at the receiver in 0.1 nm, dB' }),
                      requiredOsnrDb: Type.Number({ description: 'the mode\'s required OSNR (0.1 nm) with CD/PMD penalties on this segment, dB' }),
                      marginDb: Type.Number({ description: 'gsnr01nmDb − requiredOsnrDb, dB' }),
                      policyMarginDb: Type.Number(),
                      perSpan: Type.Array(
                        Type.Object({ spanId: Type.String(), gsnr01nmDb: Type.Number(), osnrAse01nmDb: Type.Number() }, { additionalProperties: true }),
                        { description: 'GSNR and OSNR-ASE (0.1 nm) after each span of the segment: the chart along the path' },
                      ),
                    },
                    { additionalProperties: true, description: 'The segment\'s computed quality (waves planned by GSNR)' },
                  ),
                ),
              },
              { additionalProperties: true },
            ),
          ),
        },
        { additionalProperties: true, description: 'A wave: its format and, per regenerated segment, the fiber pair and slots it holds' },
      ),
    ),
    strands: Type.Optional(Type.Unknown()),
    trunk: Type.Optional(
      Type.Object(
        { trunkId: Type.String(), units: Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: 'Half-open Gbps range [lo, hi) within the trunk' }), lit: Type.Boolean() },
        { additionalProperties: true, description: 'Ethernet: the share of a packet trunk wave' },
      ),
    ),
    lossBudget: Type.Optional(Type.Unknown()),
  },
);

const QuoteOption = Type.Object({
  id: Type.String(),
  paths: Type.Array(DesignPath),
  lengthKm: Type.Number(),
  latencyUs: Type.Number(),
  latencyLowerBoundUs: Type.Number({ description: 'straight-line fiber latency between the sites: the physical floor' }),
  availability: Type.Number({ description: 'estimated fraction of time up (fiber cuts ~1 per 1,000 route-miles per year, 12 h MTTR; 1+1: what the legs share counts once)' }),
  sharing: Type.Optional(PairSharing),
  qot: Type.Optional(
    Type.Array(
      Type.Object({
        role: Type.String(),
        modeId: Type.String({ description: 'transceiver mode chosen by GSNR' }),
        gsnr01nmDb: Type.Number({ description: 'lowest GSNR (0.1 nm) of its transparent segments, dB' }),
        requiredOsnrDb: Type.Number({ description: 'the mode\'s required OSNR with CD/PMD penalties on that segment, dB' }),
        marginDb: Type.Number({ description: 'gsnr01nmDb − requiredOsnrDb, dB (at least the policy margin)' }),
        policyMarginDb: Type.Number(),
        regeneratorSiteIds: Type.Array(Type.String()),
      }),
      { description: 'waves: per path, the mode and its GSNR against the threshold (details per span in paths[].wave.segments[].qot)' },
    ),
  ),
  monthly: Money,
  hourly: Money,
  occurrences: Type.Optional(Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), feasible: Type.Boolean() }), { description: 'Recurring: whether this option fits each occurrence' })),
});

export const Quote = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  request: CircuitSpec,
  windows: Type.Array(WindowSchema),
  options: Type.Array(QuoteOption),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** POST/GET /v1/quotes: price ways to deliver a circuit; quoting reserves nothing. */
export async function quoteRoutes(app: AppInstance, { ordering }: Pick<OrderingServices, 'ordering'>): Promise<void> {
  app.post('/v1/quotes', { config: { access: 'any' },
    schema: {
      operationId: 'createQuote',
      tags: ['ordering'],
      summary: 'Quote a circuit for a window (or each occurrence of a recurrence): up to k options with paths, latency, availability, price and expiry (reserves nothing)',
      body: CircuitSpecBody,
      response: { 201: Quote, ...S.errorResponses(400, 401) },
    },
  }, async (req, reply) => reply.code(201).send(await ordering.quote(principalOf(req), req.body)));

  app.get('/v1/quotes', { config: { access: 'any' },
    schema: { operationId: 'listQuotes', tags: ['ordering'], summary: 'List quotes', querystring: Type.Object({ ...S.PageQuery }), response: { 200: S.PageOf(Quote), ...S.errorResponses(400, 401) } },
  }, async (req) => ordering.listQuotes(principalOf(req), req.query));

  app.get('/v1/quotes/:id', { config: { access: 'any' },
    schema: { operationId: 'getQuote', tags: ['ordering'], summary: 'Get a quote', params: S.IdParams, response: { 200: Quote, ...S.errorResponses(401, 404) } },
  }, async (req) => ordering.getQuote(principalOf(req), req.params.id));
}
