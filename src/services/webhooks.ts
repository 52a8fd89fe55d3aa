/**
 * Webhook endpoints: register (with Idempotency-Key), list, get, delete. The signing secret is
 * returned once, by the create call; it is stored because the worker needs it to sign, and never
 * appears in any other response or log line.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { newUlid as ulid } from './ids.js';
import { LightpathError, notFound, validationFailed, type FieldError } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import * as store from '../store/webhooks.js';
import type { Webhook } from '../store/webhooks.js';
import { parseTypes, type Viewer } from './events.js';
import { audit } from './audit.js';
import type { Principal } from './ordering/principal.js';

export type { Webhook } from '../store/webhooks.js';

export interface WebhookInput {
  url: string;
  types?: string[] | undefined;
  secret?: string | undefined;
}

/** The create response: the webhook plus its secret, shown this once. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface WebhookPage {
  items: Webhook[];
  nextCursor: string | null;
}

const MAX_LIMIT = 1000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** Checks a webhook target: absolute http(s), no credentials or fragment. Returns field errors. */
export function checkWebhookUrl(raw: unknown): FieldError[] {
  if (typeof raw !== 'string' || raw.length === 0) return [{ path: '/url', message: 'required' }];
  if (raw.length > 2048) return [{ path: '/url', message: 'at most 2048 characters' }];
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return [{ path: '/url', message: 'not an absolute URL' }];
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return [{ path: '/url', message: 'must be http or https' }];
  // credentials in a URL end up in logs and listings; the secret is how receivers authenticate us
  if (u.username || u.password) return [{ path: '/url', message: 'must not contain credentials' }];
  if (u.hash) return [{ path: '/url', message: 'must not contain a fragment' }];
  return [];
}

function v4Private(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224
  );
}

/**
 * True for hosts a customer must not point the server at: loopback, private, link-local (cloud
 * metadata), CGNAT, multicast and unspecified address literals, and localhost names. Names that merely
 * resolve to such addresses are not caught here (see the report: needs a checked DNS lookup at send).
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const kind = net.isIP(h);
  if (kind === 4) return v4Private(h);
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return v4Private(mapped[1]);
    if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(h)) {
      // WHATWG URL normalises ::ffff:127.0.0.1 to ::ffff:7f00:1
      const [hi, lo] = h.slice(7).split(':').map((x) => parseInt(x, 16));
      return v4Private(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || /^ff/.test(h);
  }
  return false;
}

/** A fresh signing secret: 32 random bytes. */
export function generateSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

function requestHash(input: WebhookInput): string {
  const canonical = JSON.stringify({ url: input.url, types: input.types ?? null, secret: input.secret ?? null });
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

export interface WebhookServiceOptions {
  /** Let customers target loopback/private addresses (development, tests). Operators always may. */
  allowPrivateTargets?: boolean;
}

/** Use cases on webhook endpoints. */
export class WebhookService {
  constructor(
    readonly db: Db,
    private readonly opts: WebhookServiceOptions = {},
  ) {}

  /**
   * Registers an endpoint for the viewer's tenant (an operator's receives every tenant's events).
   * With an Idempotency-Key, a repeat of the same body returns the first response.
   */
  async create(viewer: Principal, input: WebhookInput, idempotencyKey?: string): Promise<CreatedWebhook> {
    const errors = checkWebhookUrl(input.url);
    if (errors.length === 0 && viewer.role === 'customer' && !this.opts.allowPrivateTargets && isPrivateHost(new URL(input.url).hostname)) {
      errors.push({ path: '/url', message: 'must not point at a loopback, private or link-local address' });
    }
    if (input.secret !== undefined && (typeof input.secret !== 'string' || input.secret.length < 16 || input.secret.length > 256)) {
      errors.push({ path: '/secret', message: 'must be 16 to 256 characters' });
    }
    let types: string[] | undefined;
    try {
      types = input.types === undefined ? undefined : parseTypes(input.types);
      if (input.types !== undefined && input.types.length === 0) errors.push({ path: '/types', message: 'omit it to receive every type' });
    } catch (err) {
      if (err instanceof LightpathError && err.errors) errors.push(...err.errors);
      else throw err;
    }
    if (idempotencyKey !== undefined && !KEY_RE.test(idempotencyKey)) {
      errors.push({ path: '/headers/idempotency-key', message: '1 to 255 printable ASCII characters' });
    }
    if (errors.length > 0) throw validationFailed('invalid webhook', errors);

    const hash = requestHash(input);
    return this.db.transaction(async (tx) => {
      if (idempotencyKey !== undefined) {
        // serialises two requests racing with one key, so exactly one creates
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7310550004))', [JSON.stringify([viewer.tenantId, idempotencyKey])]);
        const prior = await store.getIdempotentResponse(tx, viewer.tenantId, idempotencyKey);
        if (prior) {
          if (prior.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'Idempotency-Key was used with a different request');
          return prior.response as CreatedWebhook;
        }
      }
      const created = await store.insertWebhook(tx, {
        id: `whk_${ulid()}`,
        tenantId: viewer.tenantId,
        allTenants: viewer.role === 'operator',
        url: input.url,
        types: types ?? null,
        secret: input.secret ?? generateSecret(),
      });
      if (idempotencyKey !== undefined) await store.putIdempotentResponse(tx, viewer.tenantId, idempotencyKey, hash, created);
      // Never the secret.
      await audit(tx, viewer, { action: 'webhook.create', subject: { kind: 'webhook', id: created.id }, tenantId: viewer.tenantId, after: { url: created.url, types: created.types, allTenants: created.allTenants } });
      return created;
    });
  }

  /** The viewer's webhooks (an operator's list holds every tenant's). */
  async list(viewer: Viewer, req: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<WebhookPage> {
    const limit = req.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw validationFailed('invalid limit', [{ path: '/limit', message: `must be an integer in [1, ${MAX_LIMIT}]` }]);
    }
    const after = req.cursor ? decodeCursor(req.cursor) : undefined;
    const rows = await store.listWebhooks(this.db, { tenantId: viewer.role === 'operator' ? undefined : viewer.tenantId, after, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? Buffer.from(JSON.stringify({ after: items[items.length - 1].id })).toString('base64url') : null };
  }

  /** One webhook; another tenant's is not-found. */
  async get(viewer: Viewer, id: string): Promise<Webhook> {
    const w = await store.getWebhook(this.db, id);
    if (!w || !visible(viewer, w)) throw notFound('webhook', id);
    return w;
  }

  /** Delivery records of one webhook, newest first. */
  async deliveries(viewer: Viewer, id: string, limit = 100): Promise<store.DeliveryRecord[]> {
    await this.get(viewer, id);
    return store.listDeliveries(this.db, id, Math.min(Math.max(1, limit), MAX_LIMIT));
  }

  /** Deletes a webhook and its pending deliveries; another tenant's is not-found. */
  async delete(viewer: Principal, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const w = await store.getWebhook(tx, id);
      if (!w || !visible(viewer, w)) throw notFound('webhook', id);
      await store.deleteWebhook(tx, id);
      await audit(tx, viewer, { action: 'webhook.delete', subject: { kind: 'webhook', id }, tenantId: w.tenantId, before: { url: w.url, types: w.types } });
    });
  }
}

function visible(viewer: Viewer, w: Webhook): boolean {
  return viewer.role === 'operator' || w.tenantId === viewer.tenantId;
}

function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through to the error below
  }
  throw validationFailed('invalid cursor', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
}
