/**
 * API keys: `lp_` + 32 random bytes (base64url). Only a SHA-256 of the key is stored. A plain fast hash
 * is right here, unlike for passwords: the key has 256 bits of entropy, so brute force over the hash is
 * hopeless however fast each guess is, and a slow KDF would only add latency to every request.
 */
import crypto from 'node:crypto';
import { newUlid as ulid } from '../ids.js';
import { LightpathError, validationFailed, type FieldError } from '../../domain/errors.js';
import type { Db, Queryable } from '../../store/db.js';
import { audit } from '../audit.js';
import * as t from '../../store/tenancy.js';
import { SYSTEM_PRINCIPAL, type Principal } from './principal.js';

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
  if (role !== 'operator' && role !== 'customer') errors.push({ path: '/role', message: 'must be one of operator, customer' });
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
    const { key, record } = await createKey(tx, { tenantId: OPERATOR_TENANT, role: 'operator', name: 'first-start operator key' });
    await audit(tx, SYSTEM_PRINCIPAL, { action: 'key.create', subject: { kind: 'key', id: record.id }, tenantId: OPERATOR_TENANT, after: record });
    return key;
  });
}

/**
 * Principals of recently seen keys, by key hash, so most requests cost no lookup round trip. Entries
 * live `ttlMs`; a key revoked through this process is forgotten at once, one revoked elsewhere (another
 * replica, SQL) stops working within the TTL. Unknown keys are never cached, so a flood of bad keys
 * cannot fill it, and a new key works at once.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    readonly ttlMs = 5_000,
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached principal for a key hash, if still fresh. */
  get(keyHash: string): Principal | undefined {
    const e = this.entries.get(keyHash);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return e.principal;
  }

  /** Remembers a key's principal for ttlMs. */
  set(keyHash: string, principal: Principal): void {
    this.entries.delete(keyHash);
    // Maps iterate in insertion order, so the first entry is the oldest.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { principal, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets a key by id (after revoking it). */
  forgetKey(keyId: string): void {
    for (const [h, e] of this.entries) if (e.principal.keyId === keyId) this.entries.delete(h);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }

  /** Number of cached keys. */
  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide cache authenticate uses by default (keys are random, so one cache serves every database). */
export const principalCache = new PrincipalCache();

/** Resolves an Authorization header to a principal, or throws `unauthorized`. */
export async function authenticate(q: Queryable, authorization: string | undefined, cache: PrincipalCache | null = principalCache): Promise<Principal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw new LightpathError('unauthorized', 'missing or malformed Authorization: Bearer <key> header');
  const key = m[1];
  // Shape check first: garbage never reaches the database (or the cache).
  if (!KEY_PATTERN.test(key)) throw new LightpathError('unauthorized', 'unknown or revoked API key');
  const hash = hashKey(key);
  const cached = cache?.get(hash);
  if (cached) return cached;
  const row = await t.apiKeyByHash(q, hash);
  if (!row) throw new LightpathError('unauthorized', 'unknown or revoked API key');
  const principal: Principal = { tenantId: row.tenantId, role: row.role, keyId: row.id };
  cache?.set(hash, principal);
  return principal;
}

/** Key management for operators (every tenant) and customers (their own keys). */
export class KeyService {
  constructor(private readonly db: Db) {}

  /** Creates a key; customers may only create customer keys for their own tenant. */
  async create(p: Principal, input: { tenantId?: string; role?: 'operator' | 'customer'; name?: string | null }): Promise<{ key: string; record: t.ApiKeyRow }> {
    const tenantId = input.tenantId ?? p.tenantId;
    const role = input.role ?? 'customer';
    if (p.role !== 'operator' && (tenantId !== p.tenantId || role !== 'customer')) {
      throw new LightpathError('forbidden', 'customers can only create customer keys for their own tenant');
    }
    return this.db.transaction(async (tx) => {
      const made = await createKey(tx, { tenantId, role, name: input.name ?? null });
      // The record only: the secret never leaves this response.
      await audit(tx, p, { action: 'key.create', subject: { kind: 'key', id: made.record.id }, tenantId, after: made.record });
      return made;
    });
  }

  /** Lists keys (never the secrets). */
  async list(p: Principal, f: { tenantId?: string | undefined; after?: string | undefined; limit: number }): Promise<t.ApiKeyRow[]> {
    const tenantId = p.role === 'operator' ? f.tenantId : p.tenantId;
    return t.listApiKeys(this.db, { tenantId, after: f.after, limit: f.limit });
  }

  /** Revokes a key (404 for another tenant's key). */
  async revoke(p: Principal, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const ok = await t.revokeApiKey(tx, id, p.role === 'operator' ? undefined : p.tenantId);
      if (!ok) throw new LightpathError('not-found', `key ${JSON.stringify(id)} does not exist`);
      await audit(tx, p, { action: 'key.revoke', subject: { kind: 'key', id }, tenantId: p.role === 'operator' ? null : p.tenantId });
    });
    principalCache.forgetKey(id);
  }
}
