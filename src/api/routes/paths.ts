import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { MAX_K } from '../../services/paths.js';
import { MAX_LATENCY_BOUND_US } from '../../domain/products.js';
import { SITE_KINDS } from '../../domain/network.js';
import * as S from '../schemas.js';

const idList = Type.String({ maxLength: 4000, pattern: '^[A-Za-z0-9._:,-]*$', description: 'Comma-separated ids' });
const split = (s: string | undefined) => (s ? s.split(',').filter((x) => x.length > 0) : undefined);

const PathView = Type.Object({
  rank: Type.Integer(),
  siteIds: Type.Array(Type.String()),
  spanIds: Type.Array(Type.String()),
  lengthKm: Type.Number(),
  latencyUs: Type.Number(),
  hops: Type.Integer(),
});

const ReachedSite = Type.Object({
  siteId: Type.String(),
  kind: S.SiteKind,
  latencyUs: Type.Number({ description: 'One-way latency of the lowest-latency path' }),
  lengthKm: Type.Number(),
  hops: Type.Integer(),
  siteIds: Type.Array(Type.String()),
  spanIds: Type.Array(Type.String()),
});

/** Path computation: k best paths and diverse pairs between two sites; latency catchment of a site. */
export async function pathRoutes(app: AppInstance, { paths }: Services): Promise<void> {
  app.get('/v1/paths', { config: { access: 'any' },
    schema: {
      operationId: 'findPaths',
      tags: ['paths'],
      summary: 'k best paths between two sites, optionally a link- or SRLG-disjoint pair',
      querystring: Type.Object({
        from: S.Id,
        to: S.Id,
        k: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_K, default: 3 })),
        metric: Type.Optional(Type.Union([Type.Literal('latency'), Type.Literal('length'), Type.Literal('hops'), Type.Literal('cost')])),
        maxLatencyUs: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9 })),
        maxHops: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        avoidSrlgs: Type.Optional(idList),
        avoidSites: Type.Optional(idList),
        avoidSpans: Type.Optional(idList),
        via: Type.Optional(idList),
        diverse: Type.Optional(Type.Union([Type.Literal('link'), Type.Literal('node'), Type.Literal('srlg')])),
      }),
      response: {
        200: Type.Object({
          from: Type.String(),
          to: Type.String(),
          metric: Type.String(),
          greatCircleKm: Type.Number(),
          lowerBoundLatencyUs: Type.Number({ description: 'Great-circle distance at 4.9 µs/km: no fiber route can beat it' }),
          paths: Type.Array(PathView),
          complete: Type.Boolean(),
          failedSpansAvoided: Type.Array(Type.String(), { description: 'Spans held down by an unrepaired failure, which no path uses' }),
          diverse: Type.Union([
            Type.Null(),
            Type.Object({
              mode: Type.String(),
              status: Type.String(),
              exact: Type.Boolean(),
              detail: Type.String(),
              paths: Type.Array(PathView),
            }),
          ]),
        }),
        ...S.errorResponses(400, 401, 404),
      },
    },
  }, async (req) =>
    paths.findPaths({
      ...req.query,
      avoidSrlgs: split(req.query.avoidSrlgs),
      avoidSites: split(req.query.avoidSites),
      avoidSpans: split(req.query.avoidSpans),
      via: split(req.query.via),
    }),
  );

  app.get('/v1/reach', { config: { access: 'any' },
    schema: {
      operationId: 'findReachableSites',
      tags: ['paths'],
      summary: 'Latency catchment: every site reachable from a site within a one-way latency, with the latency and path (failed spans avoided)',
      querystring: Type.Object({
        from: S.Id,
        maxLatencyUs: Type.Number({ exclusiveMinimum: 0, maximum: MAX_LATENCY_BOUND_US, description: 'One-way latency budget (inclusive), e.g. 5000 for 5 ms' }),
        kinds: Type.Optional(Type.String({ maxLength: 200, pattern: '^[a-z,-]*$', description: `Comma-separated site kinds to list (${SITE_KINDS.join(', ')}); paths may pass through any site` })),
      }),
      response: {
        200: Type.Object({
          from: Type.String(),
          maxLatencyUs: Type.Number(),
          kinds: Type.Union([Type.Array(S.SiteKind), Type.Null()]),
          sites: Type.Array(ReachedSite, { description: 'Nearest first; the source itself is not listed' }),
          spanIds: Type.Array(Type.String(), { description: 'Every span on the listed paths: the catchment on a map' }),
          failedSpansAvoided: Type.Array(Type.String()),
        }),
        ...S.errorResponses(400, 401, 404),
      },
    },
  }, async (req) => paths.reach({ from: req.query.from, maxLatencyUs: req.query.maxLatencyUs, kinds: split(req.query.kinds) }));
}
