/** Request and response schemas (JSON Schema via TypeBox): validated at the edge and published as OpenAPI. */
import { Type, type Static, type TSchema } from 'typebox';
import { ERROR_CODES } from '../domain/errors.js';
import { FIBER_TYPES, LAUNCH_POWER_RANGE_DBM, MAX_CONNECTOR_LOSS_DB } from '../domain/optical.js';
import { CODE_DESCRIPTIONS, STATUS_BY_CODE } from './problem.js';

export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$', description: 'Stable readable id' });
const NullableString = Type.Union([Type.String({ maxLength: 200 }), Type.Null()]);

// Spelled out (not mapped from SITE_KINDS) so the static types stay literal; a test checks they agree.
export const SiteKind = Type.Union([Type.Literal('datacenter'), Type.Literal('pop'), Type.Literal('cloud-onramp'), Type.Literal('amplifier')]);
export const SrlgKind = Type.Union([
  Type.Literal('conduit'),
  Type.Literal('trench'),
  Type.Literal('bridge'),
  Type.Literal('building'),
  Type.Literal('duct'),
  Type.Literal('right-of-way'),
  Type.Literal('other'),
]);

export const Site = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: SiteKind,
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    metro: NullableString,
    cloudProvider: NullableString,
    cloudRegion: NullableString,
    transit: Type.Optional(Type.Boolean({ description: 'circuits may pass through (default: POPs and amplifier huts yes; data centers and cloud on-ramps are endpoints only)' })),
  },
  { additionalProperties: false },
);

export const SiteCreate = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: SiteKind,
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    metro: Type.Optional(NullableString),
    cloudProvider: Type.Optional(NullableString),
    cloudRegion: Type.Optional(NullableString),
    transit: Type.Optional(Type.Boolean({ description: 'default: true for pop and amplifier, false for datacenter and cloud-onramp' })),
  },
  { additionalProperties: false },
);

export const SitePatch = Type.Partial(Type.Omit(Site, ['id']), { additionalProperties: false, minProperties: 1 });

export const Srlg = Type.Object(
  { id: Id, name: Type.String({ minLength: 1, maxLength: 200 }), kind: SrlgKind },
  { additionalProperties: false },
);
export const SrlgPatch = Type.Partial(Type.Omit(Srlg, ['id']), { additionalProperties: false, minProperties: 1 });

// A [lon, lat] pair as JSON Schema 2020-12 (and so OpenAPI 3.1) writes a tuple: prefixItems, no more items.
const Position = Type.Unsafe<[number, number]>({
  type: 'array',
  prefixItems: [Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })],
  items: false,
  minItems: 2,
  maxItems: 2,
  description: '[longitude, latitude] in degrees',
});
export const LineString = Type.Object(
  { type: Type.Literal('LineString'), coordinates: Type.Array(Position, { minItems: 2, maxItems: 10000 }) },
  { additionalProperties: false },
);
export const Cable = Type.Object(
  {
    id: Id,
    strandCount: Type.Integer({ minimum: 1, maximum: 1728 }),
    strandsInUse: Type.Integer({ minimum: 0, maximum: 1728 }),
  },
  { additionalProperties: false },
);
export const LineSystem = Type.Object(
  {
    fiberPairs: Type.Integer({ minimum: 1, maximum: 1000 }),
    slotCount: Type.Integer({ minimum: 1, maximum: 4096 }),
    slotWidthGhz: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
    startFrequencyGhz: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
    launchPowerDbm: Type.Optional(Type.Number({ minimum: LAUNCH_POWER_RANGE_DBM[0], maximum: LAUNCH_POWER_RANGE_DBM[1], description: 'per-channel launch power into each fiber section, dBm (default 0)' })),
    amplifierSitesKm: Type.Optional(
      Type.Union([Type.Array(Type.Number({ exclusiveMinimum: 0 }), { maxItems: 1000 }), Type.Null()], {
        description: 'in-line amplifier huts, km from the A end, ascending; null = unknown (placed every ≤ 80 km and shown with placedByDefault)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** An amplifier of a span as the QoT model has it (booster and preamp at the ROADMs, in-line huts between). */
export const AmplifierSite = Type.Object(
  {
    role: Type.Union([Type.Literal('booster'), Type.Literal('in-line'), Type.Literal('preamp')]),
    positionKm: Type.Number(),
    lat: Type.Union([Type.Number(), Type.Null()]),
    lon: Type.Union([Type.Number(), Type.Null()]),
    placedByDefault: Type.Boolean({ description: 'true: the inventory does not say where it is; placed evenly along the route' }),
    type: Type.String(),
    gainDb: Type.Number(),
    nfDb: Type.Number(),
  },
  { additionalProperties: false },
);

// The keys of FIBER_TYPES (a string enum: the catalog is data, so its names are not literal types).
const FiberType = Type.Unsafe<string>({ type: 'string', enum: Object.keys(FIBER_TYPES), description: 'ITU-T fiber type (default G.652.D)' });

const spanFields = {
  aSiteId: Id,
  zSiteId: Id,
  lengthKm: Type.Number({ exclusiveMinimum: 0, maximum: 40000 }),
  measuredLatencyUs: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }), Type.Null()]),
  geometry: LineString,
  srlgIds: Type.Array(Id, { maxItems: 100, uniqueItems: true }),
  cables: Type.Array(Cable, { maxItems: 100 }),
  lineSystem: Type.Union([LineSystem, Type.Null()]),
  fiberType: FiberType,
  connectorLossDb: Type.Number({ minimum: 0, maximum: MAX_CONNECTOR_LOSS_DB, description: 'loss of the connector pair at each end of an amplified section, dB (default 0.5)' }),
};

export const Span = Type.Object(
  {
    id: Id,
    ...spanFields,
    latencyUs: Type.Number({ description: 'Measured latency, else lengthKm × 4.9 µs/km' }),
    amplifiers: Type.Array(AmplifierSite, { description: 'the line system\'s amplifiers as the QoT model places them (empty without a line system)' }),
  },
  { additionalProperties: false },
);
export const SpanCreate = Type.Object(
  {
    id: Id,
    aSiteId: Id,
    zSiteId: Id,
    lengthKm: Type.Optional(spanFields.lengthKm),
    measuredLatencyUs: Type.Optional(spanFields.measuredLatencyUs),
    geometry: Type.Optional(spanFields.geometry),
    srlgIds: Type.Optional(spanFields.srlgIds),
    cables: Type.Optional(spanFields.cables),
    lineSystem: Type.Optional(spanFields.lineSystem),
    fiberType: Type.Optional(spanFields.fiberType),
    connectorLossDb: Type.Optional(spanFields.connectorLossDb),
  },
  { additionalProperties: false },
);
export const SpanPatch = Type.Partial(Type.Object(spanFields, { additionalProperties: false }), { additionalProperties: false, minProperties: 1 });

export const IdParams = Type.Object({ id: Id });
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};

/** A page of items (CONVENTIONS: lists). */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c)), { description: 'Stable error code (see the response descriptions for what each means)' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String(), file: Type.Optional(Type.String()), line: Type.Optional(Type.Integer()) }))),
    retryAfterSeconds: Type.Optional(Type.Number({ description: 'busy, rate-limited, store-unavailable: also sent as the Retry-After header' })),
    services: Type.Optional(Type.Array(Type.String(), { description: 'in-use: the live services holding what the change would remove or shrink' })),
    trunks: Type.Optional(Type.Array(Type.String(), { description: 'in-use: the trunks concerned' })),
    orderId: Type.Optional(Type.String({ description: 'store-unavailable on an order: the id to look up once the store answers' })),
    earliestFeasibleDeadline: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'deadline-infeasible: the earliest deadline by which the whole volume fits (null: none within the horizon)' })),
    mostVolumeTB: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'deadline-infeasible: the most volume that fits by the requested deadline' })),
  },
  { additionalProperties: true },
);

/** The description of a problem response: which codes it carries and what each means. */
function problemDescription(status: number): string {
  const codes = ERROR_CODES.filter((c) => STATUS_BY_CODE[c] === status);
  return `Problem details (RFC 9457). ${codes.map((c) => `\`${c}\`: ${CODE_DESCRIPTIONS[c]}`).join(' ')}`;
}

/** Standard error responses for OpenAPI. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { ...ProblemSchema, description: problemDescription(s) }]));

/**
 * The problem responses every keyed route can give whatever it does (no or bad key, too many
 * requests, the store away or too busy), and every operator route (wrong role); added to each route's
 * schema when it is registered, so the OpenAPI document lists every code a client can meet.
 */
export function commonErrorStatuses(access: 'public' | 'any' | 'operator' | undefined, hasBody: boolean): number[] {
  // Public routes are rate-limited per address too.
  const out = access === 'public' ? [429] : [401, 429, 500, 503];
  if (access === 'operator') out.push(403);
  if (hasBody) out.push(400, 413, 415);
  return out;
}

export type SiteCreateBody = Static<typeof SiteCreate>;
