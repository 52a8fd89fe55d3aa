import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { toGeoJson } from '../../export/geojson.js';
import { toProjectJson } from '../../export/json.js';
import { IMPORT_FORMATS } from '../../import/index.js';
import { LightpathError } from '../../domain/errors.js';
import * as S from '../schemas.js';
import { spanUtilisation } from '../../store/utilisation.js';
import { principalOf } from '../access.js';
import { allowsTransit, hasRoadm } from '../../domain/network.js';
import { amplifierSites } from '../../services/ordering/physics.js';

/** The whole network: GeoJSON / project JSON export, and file import. */
export async function networkRoutes(app: AppInstance, { inventory, db }: Services): Promise<void> {
  app.get('/v1/network', { config: { access: 'any' },
    schema: {
      operationId: 'getNetwork',
      tags: ['network'],
      summary: 'The whole network as a GeoJSON FeatureCollection (or the project JSON with format=json)',
      description: 'Span features carry their amplifier sites (`amplifiers`: role, position along the span, lat/lon, `placedByDefault` when the QoT model placed them because the inventory gives none) and site features whether the site has a ROADM and allows transit (`roadm`, `transit`). Span features also carry live state: `failed` (an unrepaired failure holds the span down), `utilisation` (held spectrum slots ÷ fiber pairs × slots; null for dark spans), `usedSlots`, `totalSlots` (operators only).',
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('geojson'), Type.Literal('json')])) }),
      response: {
        200: {
          description: 'GeoJSON FeatureCollection (sites as Points, spans as LineStrings), or the project JSON with format=json',
          content: {
            'application/geo+json': { schema: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) }, { additionalProperties: true }) },
            'application/json': { schema: Type.Object({ sites: Type.Array(Type.Unknown()), spans: Type.Array(Type.Unknown()) }, { additionalProperties: true }) },
          },
        },
        ...S.errorResponses(400, 401),
      },
    },
  }, async (req, reply) => {
    const net = await inventory.getNetwork();
    if (req.query.format === 'json') return reply.type('application/json').send(toProjectJson(net));
    // The map's live layer: whether a failure holds a span down (everyone), and how full it is
    // (operators only: the load of the whole network is the operator's business, not a customer's).
    const operator = principalOf(req).role === 'operator';
    const [used, failed] = await Promise.all([operator ? spanUtilisation(db) : Promise.resolve([]), inventory.failedSpans()]);
    const usage = new Map(used.map((u) => [u.spanId, u]));
    const down = new Set(failed);
    const fc = toGeoJson(net);
    const siteById = new Map(net.sites.map((s) => [s.id, s]));
    const spanById = new Map(net.spans.map((s) => [s.id, s]));
    for (const f of fc.features) {
      if (f.properties.featureType === 'site') {
        const site = siteById.get(f.properties.id);
        if (site) Object.assign(f.properties, { roadm: hasRoadm(site), transit: allowsTransit(site) });
        continue;
      }
      const span = spanById.get(f.properties.id);
      if (span) {
        const amplifiers = amplifierSites(span).map((a) => ({ role: a.role, positionKm: a.positionKm, lat: a.lat, lon: a.lon, placedByDefault: a.placedByDefault, type: a.type }));
        Object.assign(f.properties, { amplifiers });
      }
      const u = usage.get(f.properties.id);
      Object.assign(
        f.properties,
        { failed: down.has(f.properties.id) },
        operator ? { utilisation: u ? u.utilisation : null, usedSlots: u ? u.usedSlots : null, totalSlots: u ? u.totalSlots : null } : {},
      );
    }
    return reply.type('application/geo+json').send(fc);
  });

  app.post('/v1/network/import', { config: { access: 'operator' },
    bodyLimit: 64 * 1024 * 1024,
    schema: {
      operationId: 'importNetwork',
      tags: ['network'],
      summary: 'Import a network file (GML, SNDlib, Net2Plan, GeoJSON, project JSON) into an empty store, or replace the network',
      description: 'Send the file as the request body. Errors name file, line and field.',
      querystring: Type.Object({
        format: Type.Optional(Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f)))),
        fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        replace: Type.Optional(Type.Boolean({ default: false })),
        disconnectServices: Type.Optional(Type.Boolean({ default: false, description: 'With replace: first disconnect every live service (events, teardown); without it a replace under live services is refused with in-use' })),
      }),
      response: { 201: Type.Object({ report: Type.Any(), counts: Type.Object({ sites: Type.Integer(), spans: Type.Integer(), srlgs: Type.Integer() }), disconnectedServices: Type.Array(Type.String()) }), ...S.errorResponses(400, 401, 403, 409, 413) },
    },
  }, async (req, reply) => {
    const text = req.rawBody;
    if (typeof text !== 'string' || text.length === 0) {
      throw new LightpathError('validation-failed', 'send the network file as the request body');
    }
    const out = await inventory.importNetwork(principalOf(req), {
      fileName: req.query.fileName ?? `upload.${req.query.format ?? 'json'}`,
      text,
      format: req.query.format,
      replace: req.query.replace ?? false,
      disconnectServices: req.query.disconnectServices ?? false,
    });
    return reply.code(201).send(out);
  });
}
