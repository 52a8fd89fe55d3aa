/** SQL for API keys (stored hashed) and the price book document. */
import type { Queryable } from './db.js';

/** An API key as stored: never the key itself, only its hash and a short display prefix. */
export interface ApiKeyRow {
  id: string;
  tenantId: string;
  role: 'operator' | 'customer';
  prefix: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

function toKey(r: Record<string, unknown>): ApiKeyRow {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    role: r.role as ApiKeyRow['role'],
    prefix: r.prefix as string,
    name: (r.name as string | null) ?? null,
    createdAt: new Date(r.created_at as string).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string).toISOString() : null,
  };
}

/** Stores a key record. */
export async function insertApiKey(q: Queryable, k: { id: string; tenantId: string; role: string; keyHash: string; prefix: string; name: string | null }): Promise<ApiKeyRow> {
  const r = await q.query<Record<string, unknown>>(
    'INSERT INTO api_keys (id, tenant_id, role, key_hash, prefix, name) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
    [k.id, k.tenantId, k.role, k.keyHash, k.prefix, k.name],
  );
  return toKey(r.rows[0]);
}

/** The live (not revoked) key with this hash, or null. */
export async function apiKeyByHash(q: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [keyHash]);
  return r.rows[0] ? toKey(r.rows[0]) : null;
}

/** Keys, optionally of one tenant, in id order. */
export async function listApiKeys(q: Queryable, f: { tenantId?: string | undefined; after?: string | undefined; limit: number }): Promise<ApiKeyRow[]> {
  const r = await q.query<Record<string, unknown>>(
    'SELECT * FROM api_keys WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3',
    [f.tenantId ?? null, f.after ?? null, f.limit],
  );
  return r.rows.map(toKey);
}

/** Revokes a key; false when no live key has this id (in the tenant, when given). */
export async function revokeApiKey(q: Queryable, id: string, tenantId?: string): Promise<boolean> {
  const r = await q.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR tenant_id = $2)', [id, tenantId ?? null]);
  return r.rowCount > 0;
}

/** Number of live operator keys (first start creates one when there is none). */
export async function operatorKeyCount(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number | string }>(`SELECT count(*)::int AS n FROM api_keys WHERE role = 'operator' AND revoked_at IS NULL`);
  return Number(r.rows[0].n);
}

/** The stored price book document, or null before an operator set one. */
export async function getPriceBook(q: Queryable): Promise<{ book: unknown; updatedAt: string } | null> {
  const r = await q.query<Record<string, unknown>>('SELECT book, updated_at FROM price_book WHERE id = 1');
  if (!r.rows[0]) return null;
  const b = r.rows[0].book;
  return { book: typeof b === 'string' ? JSON.parse(b) : b, updatedAt: new Date(r.rows[0].updated_at as string).toISOString() };
}

/** Replaces the price book. */
export async function putPriceBook(q: Queryable, book: unknown): Promise<void> {
  await q.query(
    `INSERT INTO price_book (id, book) VALUES (1, $1::jsonb) ON CONFLICT (id) DO UPDATE SET book = EXCLUDED.book, updated_at = now()`,
    [JSON.stringify(book)],
  );
}
