import { Type } from 'typebox';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { normalizeSpan, spanLatencyUs, type Span } from '../../domain/network.js';
import { DEFAULT_CONNECTOR_LOSS_DB, DEFAULT_FIBER_TYPE } from '../../domain/optical.js';
import type { AmplifierSite } from '../../engine/qot/index.js';
import { amplifierSites } from '../../services/ordering/physics.js';
import * as S from '../schemas.js';
import { principalOf } from '../access.js';

/** A span as the API shows it: with its effective latency (rounded with every response, by unit) and its amplifiers as the QoT model places them. */
export function spanView(span: Span): Span & { latencyUs: number; amplifiers: AmplifierSite[]; fiberType: string; connectorLossDb: number } {
  const s = normalizeSpan(span);
  return { ...s, fiberType: s.fiberType ?? DEFAULT_FIBER_TYPE, connectorLossDb: s.connectorLossDb ?? DEFAULT_CONNECTOR_LOSS_DB, latencyUs: spanLatencyUs(span), amplifiers: amplifierSites(span) };
}

/** CRUD for sites, spans and SRLGs. */
export async function inventoryRoutes(app: AppInstance, { inventory }: Services): Promise<void> {
  const ok = (schema: unknown, ...errors: number[]) => ({ 200: schema, ...S.errorResponses(...errors) });

  app.get('/v1/sites', { config: { access: 'any' },
    schema: {
      operationId: 'listSites',
      tags: ['inventory'],
      summary: 'List sites',
      querystring: Type.Object({ ...S.PageQuery, kind: Type.Optional(S.SiteKind), metro: Type.Optional(Type.String({ maxLength: 200 })) }),
      response: ok(S.PageOf(S.Site), 400, 401),
    },
  }, async (req) => inventory.listSites(req.query));

  app.get('/v1/sites/:id', { config: { access: 'any' },
    schema: { operationId: 'getSite', tags: ['inventory'], summary: 'Get a site', params: S.IdParams, response: ok(S.Site, 401, 404) },
  }, async (req) => inventory.getSite(req.params.id));

  app.post('/v1/sites', { config: { access: 'operator' },
    schema: { operationId: 'createSite', tags: ['inventory'], summary: 'Create a site', body: S.SiteCreate, response: { 201: S.Site, ...S.errorResponses(400, 401, 403, 409) } },
  }, async (req, reply) => reply.code(201).send(await inventory.createSite(principalOf(req), req.body)));

  app.patch('/v1/sites/:id', { config: { access: 'operator' },
    schema: { operationId: 'updateSite', tags: ['inventory'], summary: 'Change a site', params: S.IdParams, body: S.SitePatch, response: ok(S.Site, 400, 401, 403, 404, 409) },
  }, async (req) => inventory.updateSite(principalOf(req), req.params.id, req.body));

  app.delete('/v1/sites/:id', { config: { access: 'operator' },
    schema: { operationId: 'deleteSite', tags: ['inventory'], summary: 'Delete a site (refused while spans end there)', params: S.IdParams, response: { 204: Type.Null(), ...S.errorResponses(401, 403, 404, 409) } },
  }, async (req, reply) => {
    await inventory.deleteSite(principalOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/v1/spans', { config: { access: 'any' },
    schema: {
      operationId: 'listSpans',
      tags: ['inventory'],
      summary: 'List spans',
      querystring: Type.Object({ ...S.PageQuery, siteId: Type.Optional(S.Id), srlgId: Type.Optional(S.Id) }),
      response: ok(S.PageOf(S.Span), 400, 401),
    },
  }, async (req) => {
    const page = await inventory.listSpans(req.query);
    return { items: page.items.map(spanView), nextCursor: page.nextCursor };
  });

  app.get('/v1/spans/:id', { config: { access: 'any' },
    schema: { operationId: 'getSpan', tags: ['inventory'], summary: 'Get a span', params: S.IdParams, response: ok(S.Span, 401, 404) },
  }, async (req) => spanView(await inventory.getSpan(req.params.id)));

  app.post('/v1/spans', { config: { access: 'operator' },
    schema: {
      operationId: 'createSpan',
      tags: ['inventory'],
      summary: 'Create a span (length defaults to great-circle × 1.25, geometry to a straight line)',
      body: S.SpanCreate,
      response: { 201: S.Span, ...S.errorResponses(400, 401, 403, 409) },
    },
  }, async (req, reply) => reply.code(201).send(spanView(await inventory.createSpan(principalOf(req), req.body))));

  app.patch('/v1/spans/:id', { config: { access: 'operator' },
    schema: { operationId: 'updateSpan', tags: ['inventory'], summary: 'Change a span', params: S.IdParams, body: S.SpanPatch, response: ok(S.Span, 400, 401, 403, 404, 409) },
  }, async (req) => spanView(await inventory.updateSpan(principalOf(req), req.params.id, req.body)));

  app.delete('/v1/spans/:id', { config: { access: 'operator' },
    schema: { operationId: 'deleteSpan', tags: ['inventory'], summary: 'Delete a span (refused while in use)', params: S.IdParams, response: { 204: Type.Null(), ...S.errorResponses(401, 403, 404, 409) } },
  }, async (req, reply) => {
    await inventory.deleteSpan(principalOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/v1/srlgs', { config: { access: 'any' },
    schema: {
      operationId: 'listSrlgs',
      tags: ['inventory'],
      summary: 'List shared-risk link groups',
      querystring: Type.Object({ ...S.PageQuery, kind: Type.Optional(S.SrlgKind) }),
      response: ok(S.PageOf(S.Srlg), 400, 401),
    },
  }, async (req) => inventory.listSrlgs(req.query));

  app.get('/v1/srlgs/:id', { config: { access: 'any' },
    schema: { operationId: 'getSrlg', tags: ['inventory'], summary: 'Get an SRLG', params: S.IdParams, response: ok(S.Srlg, 401, 404) },
  }, async (req) => inventory.getSrlg(req.params.id));

  app.post('/v1/srlgs', { config: { access: 'operator' },
    schema: { operationId: 'createSrlg', tags: ['inventory'], summary: 'Create an SRLG', body: S.Srlg, response: { 201: S.Srlg, ...S.errorResponses(400, 401, 403, 409) } },
  }, async (req, reply) => reply.code(201).send(await inventory.createSrlg(principalOf(req), req.body)));

  app.patch('/v1/srlgs/:id', { config: { access: 'operator' },
    schema: { operationId: 'updateSrlg', tags: ['inventory'], summary: 'Change an SRLG', params: S.IdParams, body: S.SrlgPatch, response: ok(S.Srlg, 400, 401, 403, 404) },
  }, async (req) => inventory.updateSrlg(principalOf(req), req.params.id, req.body));

  app.delete('/v1/srlgs/:id', { config: { access: 'operator' },
    schema: { operationId: 'deleteSrlg', tags: ['inventory'], summary: 'Delete an SRLG (refused while spans belong to it)', params: S.IdParams, response: { 204: Type.Null(), ...S.errorResponses(401, 403, 404, 409) } },
  }, async (req, reply) => {
    await inventory.deleteSrlg(principalOf(req), req.params.id);
    return reply.code(204).send(null);
  });
}
