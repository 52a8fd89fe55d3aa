import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { AppInstance } from '../app.js';
import type { Services } from '../../services/index.js';
import { LightpathError } from '../../domain/errors.js';
import { EventsService, parseEventId, parseTypes, type Viewer } from '../../services/events.js';
import * as S from '../schemas.js';
import { latestEventId } from '../../store/events.js';
import { roundByUnit } from '../../domain/units.js';

/** Event as published (CONVENTIONS: events). */
export const EventSchema = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'Monotonic: resume after the last one seen' }),
  type: Type.String({ description: 'Dotted, past tense: order.completed, service.activated, span.failed ...' }),
  occurredAt: Type.String({ format: 'date-time' }),
  tenantId: Type.Union([Type.String(), Type.Null()], { description: 'null for operator-only system events' }),
  subject: Type.Object({ kind: Type.String(), id: Type.String() }),
  data: Type.Unknown(),
});

/**
 * The caller as the auth hook left it on the request (`request.principal`); without one the route
 * fails closed. Read structurally so this module does not depend on how auth declares it.
 */
export function viewerOf(req: FastifyRequest): Viewer {
  const p = (req as unknown as { principal?: { tenantId?: unknown; role?: unknown } }).principal;
  if (!p || typeof p.tenantId !== 'string' || (p.role !== 'operator' && p.role !== 'customer')) {
    throw new LightpathError('unauthorized', 'an API key is required');
  }
  return { tenantId: p.tenantId, role: p.role };
}

export interface EventsRouteOptions {
  /** Comment line sent on an idle stream so proxies and clients know it is alive. */
  heartbeatMs?: number;
  /** Followers' poll interval for events written by other processes. */
  pollMs?: number;
  /** Told the number of open streams whenever it changes (metrics, tests). */
  onStreamCount?: (open: number) => void;
}

/** Reconnection delay (SSE `retry:`) sent on streams ended by a shutdown. */
export const DRAIN_RETRY_MS = 500;

function wantsJson(req: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'json';
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/** GET /v1/events: Server-Sent Events, resumable with Last-Event-ID, or a JSON page for scripts. */
export async function eventsRoutes(app: AppInstance, services: Pick<Services, 'db'>, opts: EventsRouteOptions = {}): Promise<void> {
  // Events written by other replicas are found by this poll (one max(id) over the primary key, shared by
  // every stream of the process): 200 ms keeps delivery across replicas well under half a second.
  const events = new EventsService(services.db, { pollMs: opts.pollMs ?? 200 });
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  // open streams and a promise that settles when each has ended its response
  const streams = new Map<AbortController, Promise<void>>();
  // preClose runs before the HTTP server waits for open requests; open streams would hold it forever.
  // Waiting until they have ended lets the server close their then idle connections at once.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const s of streams.keys()) s.abort();
    await Promise.all(streams.values());
  });
  app.addHook('onClose', async () => {
    await events.close();
  });

  app.get(
    '/v1/events',
    {
      config: { access: 'any' },
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'Event stream (text/event-stream, resumable with Last-Event-ID) or, with ?format=json / Accept: application/json, a page',
        description:
          'SSE frames carry `id:` (event id), `event:` (type) and `data:` (the event as JSON); a comment line is sent every 15 s while idle. ' +
          'Customers receive their own tenant\'s events, operators every event.',
        querystring: Type.Object({
          ...S.PageQuery,
          after: Type.Optional(Type.String({ pattern: '^([0-9]{1,15}|latest)$', description: 'Resume after this event id (the Last-Event-ID header wins); `latest` = only events from now on' })),
          types: Type.Optional(Type.String({ maxLength: 4000, description: 'Comma-separated event types' })),
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('sse')])),
        }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 32 })) }),
        response: {
          200: {
            description: 'text/event-stream, or the JSON page below',
            content: {
              'text/event-stream': { schema: Type.String() },
              'application/json': { schema: S.PageOf(EventSchema) },
            },
          },
          ...S.errorResponses(400, 401),
        },
      },
    },
    async (req, reply) => {
      const viewer = viewerOf(req);
      const types = parseTypes(req.query.types);
      const header = req.headers['last-event-id'];
      const fromHeader = typeof header === 'string' && header !== '';
      // A new subscriber that wants only what happens from now on need not replay the whole history.
      const after =
        !fromHeader && req.query.after === 'latest'
          ? await latestEventId(services.db)
          : parseEventId(fromHeader ? header : req.query.after, fromHeader ? '/headers/last-event-id' : '/after');
      // HEAD answers with the headers a GET would send; it must not open a stream that never ends.
      if (req.method === 'HEAD') return reply.type(wantsJson(req, req.query.format) ? 'application/json' : 'text/event-stream; charset=utf-8').send('');
      if (wantsJson(req, req.query.format)) {
        return reply.type('application/json').send(await events.list(viewer, { after, cursor: req.query.cursor, limit: req.query.limit, types }));
      }

      const ctl = new AbortController();
      let ended = (): void => {};
      streams.set(ctl, new Promise<void>((resolve) => (ended = resolve)));
      opts.onStreamCount?.(streams.size);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx would otherwise buffer the stream
        'x-accel-buffering': 'no',
      });
      res.write(': lightpath events\nretry: 3000\n\n');
      // the response's close (not the request's, which fires once a body is read) means the client left
      res.on('close', () => ctl.abort());
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      try {
        for await (const e of events.follow(viewer, { after, types }, ctl.signal)) {
          const ok = res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(roundByUnit(e))}\n\n`);
          if (!ok && !ctl.signal.aborted) await drained(res, ctl.signal);
        }
      } catch (err) {
        // the status line is gone; all that is left is to log and end the stream
        req.log.error({ err }, 'event stream failed');
      } finally {
        clearInterval(heartbeat);
        streams.delete(ctl);
        opts.onStreamCount?.(streams.size);
        // Shutting down (drain): tell the client to come back soon; behind a load balancer it reconnects
        // to another replica and resumes from its Last-Event-ID, losing nothing.
        if (!res.writableEnded) res.end(closing && !res.destroyed ? `: server shutting down, reconnect\nretry: ${DRAIN_RETRY_MS}\n\n` : undefined);
        ended();
      }
    },
  );
}

function drained(res: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
