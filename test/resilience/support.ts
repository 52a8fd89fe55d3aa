/** Shared checks for the resilience tests: database invariants after every failure event. */
import assert from 'node:assert/strict';
import type { Db, Queryable } from '../../src/store/db.js';
import type { CircuitDesign, DesignPath } from '../../src/services/ordering/design.js';
import type { CircuitSpec, Product, Protection } from '../../src/domain/products.js';
import { checkInvariants } from '../ordering/support.js';

/** A live service as the tests read it from the database. */
export interface Live {
  id: string;
  state: string;
  product: Product;
  protection: Protection;
  spec: CircuitSpec;
  design: CircuitDesign;
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Every service that is not terminated, by id. */
export async function services(q: Queryable): Promise<Live[]> {
  const r = await q.query<{ id: string; state: string; spec: unknown; design: unknown }>(`SELECT id, state, spec, design FROM services WHERE state <> 'terminated' ORDER BY id`);
  return r.rows.map((x) => {
    const spec = json<CircuitSpec>(x.spec);
    return { id: x.id, state: x.state, product: spec.product, protection: spec.protection, spec, design: json<CircuitDesign>(x.design) };
  });
}

/** The spans a design path really uses: its own, or its trunk's current path for packet circuits. */
export async function realSpans(q: Queryable, p: DesignPath): Promise<string[]> {
  if (!p.trunk) return p.spanIds;
  const r = await q.query<{ path_spans: unknown }>('SELECT path_spans FROM trunks WHERE id = $1', [p.trunk.trunkId]);
  return json<{ spanIds: string[] }>(r.rows[0].path_spans).spanIds;
}

/** The path carrying traffic. */
export function working(d: CircuitDesign): DesignPath {
  return d.paths.find((p) => p.role === 'working') as DesignPath;
}

/** Spans held down by unrepaired failures. */
export async function failedNow(q: Queryable): Promise<Set<string>> {
  return new Set((await q.query<{ id: string }>('SELECT DISTINCT unnest(failed_spans) AS id FROM failures WHERE repaired_at IS NULL')).rows.map((r) => r.id));
}

/**
 * Resilience invariants checked against the database: the ordering invariants (no overlapping ranges,
 * every live service holds exactly its design), active services only on healthy spans, down services only
 * with a failed working path, and an open outage exactly while down.
 */
export async function checkResilience(db: Db): Promise<void> {
  await checkInvariants(db);
  const failed = await failedNow(db);
  for (const s of await services(db)) {
    if (s.state === 'active') {
      const spans = await realSpans(db, working(s.design));
      assert.ok(!spans.some((e) => failed.has(e)), `active service ${s.id} (${s.product} ${s.protection}) is on healthy spans`);
    }
    if (s.state === 'down') {
      const spans = await realSpans(db, working(s.design));
      assert.ok(spans.some((e) => failed.has(e)), `down service ${s.id} has a failed working path`);
    }
    const open = await db.query(`SELECT 1 FROM service_outages WHERE service_id = $1 AND ended_at IS NULL`, [s.id]);
    assert.equal(open.rows.length, s.state === 'down' ? 1 : 0, `${s.id}: an open outage exactly while down`);
  }
}
