/**
 * Ends every live service at once, inside the caller's transaction: what a network replace with
 * `disconnectServices` does before the old network goes. Open orders are cancelled (their activation
 * jobs dropped), every allocation is released, trunks retired, open outages closed, each
 * service terminated with a `service.disconnected` event and an audit record, and a `service.teardown`
 * job queued so the driver removes the configuration from the devices.
 */
import type { Queryable } from '../../store/db.js';
import { closeOutages } from '../../store/failures.js';
import { appendEventsBulk } from '../../store/resilience.js';
import * as jobs from '../../store/jobs.js';
import * as st from '../../store/ordering.js';
import { auditRow } from '../audit.js';
import { insertAudit } from '../../store/audit.js';
import { ACTIVATE_ORDER, END_SERVICE, EXPIRE_HOLD, TEARDOWN_SERVICE } from '../../store/job-kinds.js';
import { toOrder } from './orders.js';
import type { Principal } from './principal.js';

/** Ids of services that hold or will hold capacity (booked, reserved, active or down). */
export async function liveServiceIds(q: Queryable): Promise<string[]> {
  return st.liveServiceIds(q);
}

/** Terminates every live service (see the module comment); returns their ids. */
export async function terminateLiveServices(tx: Queryable, p: Principal, reason: string): Promise<string[]> {
  const services = await st.lockLiveServices(tx);
  if (services.length === 0) return [];
  const ids = services.map((s) => s.id);
  const cancelled = await st.cancelOpenOrdersOf(tx, ids, reason);
  await jobs.deleteJobs(tx, ACTIVATE_ORDER, cancelled.map((o) => o.id));
  await jobs.deleteJobs(tx, EXPIRE_HOLD, cancelled.map((o) => o.id));
  await jobs.deleteJobs(tx, END_SERVICE, ids);
  await st.releaseServicesAllocations(tx, ids);
  await st.retireTrunksIfIdle(tx, await st.liveTrunkIds(tx));
  await st.terminateServices(tx, ids);
  await closeOutages(tx, ids);
  // Bookings that never started configured nothing on the devices.
  const configured = services.filter((s) => s.state === 'reserved' || s.state === 'active' || s.state === 'down');
  await jobs.enqueueJobs(tx, configured.map((s) => ({ kind: TEARDOWN_SERVICE, subject: s.id })));
  await insertAudit(
    tx,
    services.map((s) => auditRow(p, { action: 'service.disconnect', subject: { kind: 'service', id: s.id }, tenantId: s.tenantId, before: { state: s.state }, after: { state: 'terminated', reason } })),
  );
  await appendEventsBulk(tx, [
    ...cancelled.map((o) => ({ type: 'order.cancelled', tenantId: o.tenantId, subject: { kind: 'order', id: o.id }, data: toOrder(o) })),
    ...services.map((s) => ({ type: 'service.disconnected', tenantId: s.tenantId, subject: { kind: 'service', id: s.id }, data: { id: s.id, state: 'terminated', reason } })),
  ]);
  return ids;
}
