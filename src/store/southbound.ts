/**
 * SQL for the southbound side (migration 008): the device inventory, the device transactions the
 * NETCONF driver records per service, and the add/drop ports and transponders they hold. Port choice
 * happens here, under a per-site advisory lock, so that every controller process picks the same
 * port for the same transaction and no two transactions ever get one port.
 */
import type { Queryable } from './db.js';

/** Where one site's device answers. */
export interface DeviceRow {
  siteId: string;
  nodeId: string;
  kind: 'roadm' | 'xpdr';
  host: string;
  port: number;
  model: string | null;
}

function toDevice(r: Record<string, unknown>): DeviceRow {
  return { siteId: r.site_id as string, nodeId: r.node_id as string, kind: r.kind as DeviceRow['kind'], host: r.host as string, port: Number(r.port), model: (r.model as string | null) ?? null };
}

/** Every device, by site id. */
export async function listDevices(q: Queryable): Promise<DeviceRow[]> {
  const r = await q.query<Record<string, unknown>>('SELECT * FROM devices ORDER BY site_id');
  return r.rows.map(toDevice);
}

/** Replaces the device inventory with these devices (one statement each way). */
export async function replaceDevices(q: Queryable, devices: readonly DeviceRow[]): Promise<void> {
  await q.query('DELETE FROM devices');
  if (devices.length === 0) return;
  await q.query(
    `INSERT INTO devices (site_id, node_id, kind, host, port, model)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[])`,
    [devices.map((d) => d.siteId), devices.map((d) => d.nodeId), devices.map((d) => d.kind), devices.map((d) => d.host), devices.map((d) => d.port), devices.map((d) => d.model)],
  );
}

/** One device transaction of a service. */
export interface DeviceConfigRow {
  serviceId: string;
  txnId: string;
  /** The design it installs (CircuitDesign). */
  design: unknown;
  sites: string[];
  state: 'configuring' | 'active';
}

function toConfig(r: Record<string, unknown>): DeviceConfigRow {
  return { serviceId: r.service_id as string, txnId: r.txn_id as string, design: r.design, sites: r.sites as string[], state: r.state as DeviceConfigRow['state'] };
}

/** A service's device transactions (any state). */
export async function configsOf(q: Queryable, serviceId: string): Promise<DeviceConfigRow[]> {
  return (await configsOfMany(q, [serviceId])).get(serviceId) ?? [];
}

/** configsOf for many services in one query: service id → its transactions (every id present). */
export async function configsOfMany(q: Queryable, serviceIds: readonly string[]): Promise<Map<string, DeviceConfigRow[]>> {
  const out = new Map<string, DeviceConfigRow[]>(serviceIds.map((id) => [id, []]));
  if (serviceIds.length === 0) return out;
  const r = await q.query<Record<string, unknown>>('SELECT * FROM device_configs WHERE service_id = ANY($1::text[]) ORDER BY created_at, txn_id', [[...serviceIds]]);
  for (const row of r.rows.map(toConfig)) out.get(row.serviceId)?.push(row);
  return out;
}

/** Every active device transaction (what the devices should carry). */
export async function activeConfigs(q: Queryable): Promise<DeviceConfigRow[]> {
  const r = await q.query<Record<string, unknown>>(`SELECT * FROM device_configs WHERE state = 'active' ORDER BY service_id`);
  return r.rows.map(toConfig);
}

/** Records transactions about to be configured (idempotent: an existing row is kept). */
export async function beginConfigs(q: Queryable, cs: readonly Omit<DeviceConfigRow, 'state'>[]): Promise<void> {
  if (cs.length === 0) return;
  await q.query(
    `INSERT INTO device_configs (service_id, txn_id, design, sites, state)
     SELECT x->>'serviceId', x->>'txnId', x->'design', ARRAY(SELECT jsonb_array_elements_text(x->'sites')), 'configuring'
       FROM jsonb_array_elements($1::jsonb) AS x
     ON CONFLICT (service_id, txn_id) DO NOTHING`,
    [JSON.stringify(cs.map((c) => ({ serviceId: c.serviceId, txnId: c.txnId, design: c.design, sites: c.sites })))],
  );
}

/** The service's configuration is now exactly `txnId` (or nothing): other transactions go, with their ports. */
export async function settleConfig(q: Queryable, serviceId: string, txnId: string | null): Promise<void> {
  await settleConfigs(q, [{ serviceId, txnId }]);
}

/** settleConfig for many services in two statements (a restoration's moves): each service's configuration is now exactly its txnId (or nothing). */
export async function settleConfigs(q: Queryable, settled: readonly { serviceId: string; txnId: string | null }[]): Promise<void> {
  if (settled.length === 0) return;
  const params = [settled.map((s) => s.serviceId), settled.map((s) => s.txnId)];
  await q.query(
    `DELETE FROM device_configs d USING unnest($1::text[], $2::text[]) AS x(service_id, txn_id)
      WHERE d.service_id = x.service_id AND d.txn_id IS DISTINCT FROM x.txn_id`,
    params,
  );
  await q.query(
    `UPDATE device_configs d SET state = 'active' FROM unnest($1::text[], $2::text[]) AS x(service_id, txn_id)
      WHERE d.service_id = x.service_id AND d.txn_id = x.txn_id`,
    params,
  );
}

/** Forgets one transaction (a refused configuration that was undone), with its ports. */
export async function dropConfig(q: Queryable, serviceId: string, txnId: string): Promise<void> {
  await q.query('DELETE FROM device_configs WHERE service_id = $1 AND txn_id = $2', [serviceId, txnId]);
}

/** A port need: at a site, the k-th port of a path's use ("<path index>:<k>"), among candidate ports in preference order. */
export interface PortNeed {
  siteId: string;
  use: string;
  candidates: readonly string[];
}

/** A port that could not be had (every candidate held). */
export class PortsExhaustedError extends Error {
  constructor(readonly siteId: string) {
    super(`every port at ${siteId} is held`);
    this.name = 'PortsExhaustedError';
  }
}

/** One transaction's port claim. */
export interface PortClaim {
  serviceId: string;
  txnId: string;
  needs: readonly PortNeed[];
}

/**
 * Claims ports for a transaction: a need the transaction already holds keeps its port (a re-run
 * converges); a need the service's other transaction holds at the same site and use shares that port
 * (the customer stays on the same transponder or add/drop port when a restoration or modify moves the
 * line side; at a regenerator site the same port is reused); any other gets the first candidate no
 * service holds. Sites are locked in order (advisory, transaction-scoped), so concurrent claims at one
 * site queue instead of colliding, and no two services ever hold one port. Returns site → use → port.
 */
export async function claimPorts(tx: Queryable, serviceId: string, txnId: string, needs: readonly PortNeed[]): Promise<Map<string, Map<string, string>>> {
  const [got] = await claimPortsMany(tx, [{ serviceId, txnId, needs }]);
  if (got instanceof PortsExhaustedError) throw got;
  return got;
}

/**
 * claimPorts for many transactions in one go (a restoration's moves): the sites locked and read once,
 * the claims taken in order, the ports written in one statement. One result per claim: its ports, or
 * PortsExhaustedError (that claim takes nothing; the others are not affected).
 */
export async function claimPortsMany(tx: Queryable, claims: readonly PortClaim[]): Promise<(Map<string, Map<string, string>> | PortsExhaustedError)[]> {
  const sites = [...new Set(claims.flatMap((c) => c.needs.map((n) => n.siteId)))].sort();
  if (sites.length === 0) return claims.map(() => new Map());
  for (const s of sites) await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('lightpath-device-ports:' || $1, 0))`, [s]);
  const held = await tx.query<{ site_id: string; port: string; service_id: string; txn_id: string; use: string }>(
    'SELECT site_id, port, service_id, txn_id, use FROM device_ports WHERE site_id = ANY($1::text[]) ORDER BY txn_id',
    [sites],
  );
  const taken = new Map<string, Set<string>>();
  const byService = new Map<string, typeof held.rows>();
  for (const r of held.rows) {
    const t = taken.get(r.site_id) ?? new Set<string>();
    t.add(r.port);
    taken.set(r.site_id, t);
    const mine = byService.get(r.service_id) ?? [];
    mine.push(r);
    byService.set(r.service_id, mine);
  }
  const rows: { site: string; port: string; use: string; serviceId: string; txnId: string }[] = [];
  const results = claims.map(({ serviceId, txnId, needs }) => {
    const out = new Map<string, Map<string, string>>();
    /** The service's ports in its other transactions: site → use → port. */
    const sibling = new Map<string, Map<string, string>>();
    for (const r of byService.get(serviceId) ?? []) {
      const into = r.txn_id === txnId ? out : sibling;
      const m = into.get(r.site_id) ?? new Map<string, string>();
      if (!m.has(r.use)) m.set(r.use, r.port);
      into.set(r.site_id, m);
    }
    const mine: typeof rows = [];
    const isTaken = (site: string, port: string) => taken.get(site)?.has(port) === true || mine.some((r) => r.site === site && r.port === port);
    for (const n of needs) {
      const m = out.get(n.siteId) ?? new Map<string, string>();
      out.set(n.siteId, m);
      if (m.has(n.use)) continue;
      const own = new Set(m.values());
      const shared = sibling.get(n.siteId)?.get(n.use);
      const port = shared !== undefined && !own.has(shared) && n.candidates.includes(shared) ? shared : n.candidates.find((c) => !isTaken(n.siteId, c));
      if (port === undefined) return new PortsExhaustedError(n.siteId);
      m.set(n.use, port);
      mine.push({ site: n.siteId, port, use: n.use, serviceId, txnId });
    }
    // Taken only once the whole claim fits: a claim that fails holds nothing.
    for (const r of mine) {
      const t = taken.get(r.site) ?? new Set<string>();
      t.add(r.port);
      taken.set(r.site, t);
    }
    rows.push(...mine);
    return out;
  });
  if (rows.length) {
    await tx.query(
      `INSERT INTO device_ports (site_id, port, service_id, txn_id, use)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [rows.map((r) => r.site), rows.map((r) => r.port), rows.map((r) => r.serviceId), rows.map((r) => r.txnId), rows.map((r) => r.use)],
    );
  }
  return results;
}

/** Ports held by active transactions: service → txn → site → use → port (for audits). */
export async function activePorts(q: Queryable): Promise<Map<string, Map<string, Map<string, string>>>> {
  const r = await q.query<{ service_id: string; site_id: string; port: string; use: string }>(
    `SELECT p.service_id, p.site_id, p.port, p.use FROM device_ports p JOIN device_configs c USING (service_id, txn_id) WHERE c.state = 'active'`,
  );
  const out = new Map<string, Map<string, Map<string, string>>>();
  for (const x of r.rows) {
    const s = out.get(x.service_id) ?? new Map<string, Map<string, string>>();
    const site = s.get(x.site_id) ?? new Map<string, string>();
    site.set(x.use, x.port);
    s.set(x.site_id, site);
    out.set(x.service_id, s);
  }
  return out;
}

/** Ports in use per site: held by a transaction, or needed by a booking not configured yet. */
export async function portsInUse(q: Queryable): Promise<Map<string, number>> {
  // A port shared by a service's transactions (a restoration's old and new) has a row for each: count it once.
  // Bookings not configured yet (no port claimed) need theirs too: one at each end of each wave path
  // and two at each regenerator (the driver's portNeeds); counted from their designs, so an order
  // placed now cannot count on a port an earlier order will claim when it activates. A site that is a
  // transponder shelf is counted here and ignored by the caller.
  const r = await q.query<{ site_id: string; n: string | number }>(
    `SELECT site_id, sum(n) AS n FROM (
       SELECT site_id, count(DISTINCT port) AS n FROM device_ports GROUP BY site_id
       UNION ALL
       SELECT x.site_id, sum(x.n) AS n
         FROM services s
         CROSS JOIN LATERAL jsonb_array_elements(s.design->'paths') p
         CROSS JOIN LATERAL (
           SELECT p->'siteIds'->>0 AS site_id, 1 AS n
           UNION ALL SELECT p->'siteIds'->>(jsonb_array_length(p->'siteIds') - 1), 1
           UNION ALL SELECT g, 2 FROM jsonb_array_elements_text(p->'wave'->'regeneratorSiteIds') g
                      WHERE g <> p->'siteIds'->>0 AND g <> p->'siteIds'->>(jsonb_array_length(p->'siteIds') - 1)
         ) x
        WHERE s.state IN ('held', 'scheduled', 'reserved', 'active', 'down') AND p ? 'wave'
          AND NOT EXISTS (SELECT 1 FROM device_ports d WHERE d.service_id = s.id)
        GROUP BY x.site_id
     ) t GROUP BY site_id`,
  );
  return new Map(r.rows.map((x) => [x.site_id, Number(x.n)]));
}

/** Ports one transaction holds: site → use → port. */
export async function portsOf(q: Queryable, serviceId: string, txnId: string): Promise<Map<string, Map<string, string>>> {
  const r = await q.query<{ site_id: string; port: string; use: string }>('SELECT site_id, port, use FROM device_ports WHERE service_id = $1 AND txn_id = $2', [serviceId, txnId]);
  const out = new Map<string, Map<string, string>>();
  for (const x of r.rows) {
    const m = out.get(x.site_id) ?? new Map<string, string>();
    m.set(x.use, x.port);
    out.set(x.site_id, m);
  }
  return out;
}

/** The services, among these, with an order still open (their activation jobs own their device configuration). */
export async function withOpenOrder(q: Queryable, serviceIds: readonly string[]): Promise<Set<string>> {
  const r = await q.query<{ service_id: string }>(`SELECT DISTINCT service_id FROM orders WHERE service_id = ANY($1::text[]) AND state IN ('acknowledged', 'inProgress')`, [[...serviceIds]]);
  return new Set(r.rows.map((x) => x.service_id));
}


/** Services that carry traffic or will again (active, down) with their designs: what the devices should carry. */
export async function liveDesigns(q: Queryable): Promise<{ id: string; state: string; design: unknown }[]> {
  const r = await q.query<{ id: string; state: string; design: unknown }>(`SELECT id, state, design FROM services WHERE state IN ('active', 'down') ORDER BY id`);
  return r.rows;
}

/** The services' designs and states in one query (designForShare for many; absent: no such service). */
export async function designsOf(q: Queryable, serviceIds: readonly string[]): Promise<Map<string, { state: string; design: unknown }>> {
  const r = await q.query<{ id: string; state: string; design: unknown }>('SELECT id, state, design FROM services WHERE id = ANY($1::text[])', [[...serviceIds]]);
  return new Map(r.rows.map((x) => [x.id, { state: x.state, design: x.design }]));
}

/** The service's design and state, the row share-locked (a restoration rewriting it waits, or is seen). */
export async function designForShare(q: Queryable, serviceId: string): Promise<{ state: string; design: unknown } | null> {
  const r = await q.query<{ state: string; design: unknown }>('SELECT state, design FROM services WHERE id = $1 FOR SHARE', [serviceId]);
  return r.rows[0] ?? null;
}

