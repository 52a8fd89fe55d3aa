/**
 * Following one order through the event stream: order.* events carry the order itself, service.*
 * events say what happened to its service. Replayed or duplicated events (a reconnect resumes with
 * Last-Event-ID, but the page may also fetch the order directly) must not move the state backwards.
 */
import type { LightpathEvent, Order, ServiceState } from '../api/ordering-types.js';

export interface Tracking {
  order: Order;
  /** What the service events last said (null until one arrives). */
  serviceState: ServiceState | null;
  /** Highest event id applied; older ones are ignored. */
  lastEventId: number;
  /**
   * True once an event about the order itself has been seen. Service events before that belong to
   * the service's earlier life (its activation, when this order is a disconnect) and are ignored.
   */
  orderSeen: boolean;
  /** Human-readable steps, oldest first. */
  log: { eventId: number; at: string; text: string }[];
}

/** How far along each order state is, so an older snapshot never overwrites a newer one. */
const ORDER_RANK: Record<Order['state'], number> = { held: 0, acknowledged: 1, inProgress: 2, completed: 3, failed: 3, cancelled: 3 };

const SERVICE_EVENTS: Record<string, ServiceState | undefined> = {
  'service.activated': 'active',
  'service.modified': 'active',
  'service.disconnected': 'terminated',
  'service.ended': 'ended',
  'service.down': 'down',
  'service.restored': 'active',
  'service.rerouted': 'active',
  'service.reverted': 'active',
  'service.protection-switched': 'active',
};

const STEP_TEXT: Record<string, string> = {
  'order.held': 'Capacity held',
  'order.acknowledged': 'Order acknowledged',
  'order.inProgress': 'Activation in progress',
  'order.completed': 'Order completed',
  'order.failed': 'Order failed',
  'order.cancelled': 'Order cancelled',
  'service.activated': 'Service active',
  'service.modified': 'Service modified',
  'service.disconnected': 'Service disconnected',
  'service.ended': 'Booking ended',
};

/** Start following an order the API just returned. */
export function startTracking(order: Order): Tracking {
  return { order, serviceState: null, lastEventId: 0, orderSeen: false, log: [] };
}

function isOrder(v: unknown): v is Order {
  return typeof v === 'object' && v !== null && typeof (v as Order).id === 'string' && typeof (v as Order).state === 'string';
}

/** Apply one event; events about other orders and services, and ones already applied, change nothing. */
export function applyEvent(t: Tracking, e: LightpathEvent): Tracking {
  if (e.id <= t.lastEventId) return t;
  const aboutOrder = e.subject.kind === 'order' && e.subject.id === t.order.id;
  const aboutService = e.subject.kind === 'service' && e.subject.id === t.order.serviceId;
  if (!aboutOrder && !(aboutService && t.orderSeen)) return t;
  let { order, serviceState } = t;
  if (aboutOrder && isOrder(e.data) && ORDER_RANK[e.data.state] >= ORDER_RANK[order.state]) order = e.data;
  if (aboutService) serviceState = SERVICE_EVENTS[e.type] ?? serviceState;
  const text = STEP_TEXT[e.type] ?? e.type;
  return { order, serviceState, lastEventId: e.id, orderSeen: true, log: [...t.log, { eventId: e.id, at: e.occurredAt, text }] };
}

/** True once nothing more will happen to the order. */
export function isSettled(t: Tracking): boolean {
  return t.order.state === 'failed' || t.order.state === 'cancelled' || (t.order.state === 'completed' && t.serviceState !== null);
}
