/**
 * Keyset pagination shared by every collection (CONVENTIONS: lists): `?limit=` (default 100, max 1000)
 * and an opaque `?cursor=` that encodes the last id of the previous page.
 */
import { validationFailed } from '../domain/errors.js';

/** A page of a collection. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** Validated limit and decoded cursor of a list request. */
export function pageArgs(req: PageRequest): { limit: number; after: string | undefined } {
  const limit = req.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw validationFailed('invalid limit', [{ path: '/limit', message: `must be an integer in [1, ${MAX_PAGE_LIMIT}]` }]);
  }
  let after: string | undefined;
  if (req.cursor !== undefined && req.cursor !== '') {
    try {
      const v = JSON.parse(Buffer.from(req.cursor, 'base64url').toString('utf8')) as { after?: unknown };
      if (typeof v.after === 'string') after = v.after;
    } catch {
      // reported below
    }
    if (after === undefined) throw validationFailed('invalid cursor', [{ path: '/cursor', message: 'not a cursor returned by this API' }]);
  }
  return { limit, after };
}

/** Builds a page from limit+1 fetched rows (the extra row says whether another page follows). */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string = (r) => (r as { id: string }).id): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ after: keyOf(last) }), 'utf8').toString('base64url') : null };
}

/** Fetches one page with limit+1 rows after the cursor. */
export async function page<T extends { id: string }>(req: PageRequest, fetch: (limit: number, after: string | undefined) => Promise<T[]>): Promise<Page<T>> {
  const { limit, after } = pageArgs(req);
  return toPage(await fetch(limit + 1, after), limit);
}
