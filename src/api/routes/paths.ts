import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { MAX_K } from '../../services/paths.js';
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

/** Path computation: k best paths and diverse pairs between two sites. */
export async function pathRoutes(app: AppInstance, { paths }: Services): Promise<void> {
  app.get('/v1/paths', { config: { access: 'any' },
    schema: {
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
}
