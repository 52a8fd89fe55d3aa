/**
 * How full each span is right now: spectrum slots held by allocations whose time interval contains
 * the present, against the span's line-system capacity (fiber pairs × slots).
 */
import type { Queryable } from './db.js';

export interface SpanUtilisation {
  spanId: string;
  usedSlots: number;
  totalSlots: number;
  /** usedSlots / totalSlots, 0 for dark spans. */
  utilisation: number;
}

/** Utilisation of every span with a line system, ordered by span id. */
export async function spanUtilisation(q: Queryable): Promise<SpanUtilisation[]> {
  const r = await q.query<{ span_id: string; used: number; total: number }>(
    `SELECT s.id AS span_id,
            COALESCE((SELECT sum(upper(a.units) - lower(a.units))
                      FROM allocations a
                      WHERE a.kind = 'spectrum' AND a.resource_id = s.id AND a.during @> now()), 0)::int AS used,
            (s.fiber_pairs * s.slot_count)::int AS total
     FROM spans s
     WHERE s.slot_count IS NOT NULL
     ORDER BY s.id`,
  );
  return r.rows.map((x) => ({ spanId: x.span_id, usedSlots: x.used, totalSlots: x.total, utilisation: x.total > 0 ? x.used / x.total : 0 }));
}
