/**
 * API keys: `lp_` + 32 random bytes (base64url). Only a SHA-256 of the key is stored. A plain fast hash
 * is right here, unlike for passwords: the key has 256 bits of entropy, so brute force over the hash is
 * hopeless however fast each guess is, and a slow KDF would only add latency to every request.
 */
import crypto from 'node:crypto';
import { ulid } from 'ulid';
import { LightpathError, validationFailed, type FieldError } from '../../domain/errors.js';
import type { Queryable } from '../../store/db.js';
import * as t from '../../store/tenancy.js';
import type { Principal } from './principal.js';

export type { ApiKeyRow } from '../../store/tenancy.js';

const KEY_PATTERN = /^lp_[A-Za-z0-9_-]{43}$/;
const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The tenant that first-start operator keys belong to. */
export const OPERATOR_TENANT = 'operator';

/** A fresh random key. */
export function generateKey(): string {
  return `lp_${crypto.randomBytes(32).toString('base64url')}`;
}

/** Hex SHA-256 of a key (what the database stores). */
export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Checks tenant id and role of a key request. */
export function keyRequestIssues(tenantId: unknown, role: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof tenantId !== 'string' || !TENANT_PATTERN.test(tenantId)) errors.push({ path: '/tenantId', message: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' });
  if (role !== 'operator' && role !== 'customer') errors.push({ path: '/role', message: 'must be operator or customer' });
  return errors;
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller's hands. */
export async function createKey(
  q: Queryable,
  input: { tenantId: string; role: 'operator' | 'customer'; name?: string | null },
): Promise<{ key: string; record: t.ApiKeyRow }> {
  const errors = keyRequestIssues(input.tenantId, input.role);
  if (input.name !== undefined && input.name !== null && (typeof input.name !== 'string' || input.name.length > 200)) errors.push({ path: '/name', message: 'must be a string of at most 200 characters' });
  if (errors.length > 0) throw validationFailed('invalid key request', errors);
  const key = generateKey();
  const record = await t.insertApiKey(q, {
    id: `key_${ulid()}`,
    tenantId: input.tenantId,
    role: input.role,
    keyHash: hashKey(key),
    prefix: key.slice(0, 10),
    name: input.name ?? null,
  });
  return { key, record };
}

/** First start: creates an operator key when no live one exists and returns it (else null). */
export async function ensureOperatorKey(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }): Promise<string | null> {
  return db.transaction(async (tx) => {
    // Serializes concurrent first starts so exactly one creates the key.
    await tx.query('SELECT pg_advisory_xact_lock(7310550004)');
    if ((await t.operatorKeyCount(tx)) > 0) return null;
    const { key } = await createKey(tx, { tenantId: OPERATOR_TENANT, role: 'operator', name: 'first-start operator key' });
    return key;
  });
}

/** Resolves an Authorization header to a principal, or throws `unauthorized`. */
export async function authenticate(q: Queryable, authorization: string | undefined): Promise<Principal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw new LightpathError('unauthorized', 'missing or malformed Authorization: Bearer <key> header');
  const key = m[1];
  // Shape check first: garbage never reaches the database.
  const row = KEY_PATTERN.test(key) ? await t.apiKeyByHash(q, hashKey(key)) : null;
  if (!row) throw new LightpathError('unauthorized', 'unknown or revoked API key');
  return { tenantId: row.tenantId, role: row.role, keyId: row.id };
}

/** Key management for operators (every tenant) and customers (their own keys). */
export class KeyService {
  constructor(private readonly db: Queryable) {}

  /** Creates a key; customers may only create customer keys for their own tenant. */
  async create(p: Principal, input: { tenantId?: string; role?: 'operator' | 'customer'; name?: string | null }): Promise<{ key: string; record: t.ApiKeyRow }> {
    const tenantId = input.tenantId ?? p.tenantId;
    const role = input.role ?? 'customer';
    if (p.role !== 'operator' && (tenantId !== p.tenantId || role !== 'customer')) {
      throw new LightpathError('forbidden', 'customers can only create customer keys for their own tenant');
    }
    return createKey(this.db, { tenantId, role, name: input.name ?? null });
  }

  /** Lists keys (never the secrets). */
  async list(p: Principal, f: { tenantId?: string | undefined; after?: string | undefined; limit: number }): Promise<t.ApiKeyRow[]> {
    const tenantId = p.role === 'operator' ? f.tenantId : p.tenantId;
    return t.listApiKeys(this.db, { tenantId, after: f.after, limit: f.limit });
  }

  /** Revokes a key (404 for another tenant's key). */
  async revoke(p: Principal, id: string): Promise<void> {
    const ok = await t.revokeApiKey(this.db, id, p.role === 'operator' ? undefined : p.tenantId);
    if (!ok) throw new LightpathError('not-found', `key ${JSON.stringify(id)} does not exist`);
  }
}
