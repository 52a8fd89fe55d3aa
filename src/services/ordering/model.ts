/** What the ordering use cases return (quotes, orders, services) and how stored rows become them. */
import type { OrderState, ServiceState } from '../../domain/calendar.js';
import type { Money } from '../../domain/pricing.js';
import type { CircuitSpec } from '../../domain/products.js';
import type * as st from '../../store/ordering.js';
import type { CircuitDesign, DesignPath } from './design.js';
import type { PathQotSummary } from './planner.js';

/** Price and availability of a circuit. */
export interface Pricing {
  monthly: Money;
  hourly: Money;
  availability: number;
}

/** One way to deliver a quoted circuit. */
export interface QuoteOption extends Pricing {
  id: string;
  paths: DesignPath[];
  /** 1+1: what the two legs share (empty lists when fully disjoint). */
  sharing?: CircuitDesign['sharing'];
  /** Waves: per path, the mode and its GSNR against the threshold. */
  qot?: PathQotSummary[];
  lengthKm: number;
  latencyUs: number;
  /** Straight-line fiber latency between the two sites: no route can beat it. */
  latencyLowerBoundUs: number;
  /** For a recurring booking: whether this option's capacity is free in each occurrence. */
  occurrences?: { start: string; end: string | null; feasible: boolean }[];
  /** For an open-ended window: the capacity is free only until this time (a later booking holds it). */
  availableUntil?: string;
}

/** The window a quote or an order books (CONVENTIONS: half-open, end null = open-ended). */
export interface WindowView {
  start: string;
  end: string | null;
}

/** A quote (CONVENTIONS: times ISO-8601 UTC). */
export interface Quote {
  id: string;
  tenantId: string;
  request: CircuitSpec;
  /** The windows quoted: one, or the occurrences of a recurring booking. */
  windows: WindowView[];
  options: QuoteOption[];
  createdAt: string;
  expiresAt: string;
}

/** An order (TMF641 states; `held` until committed or expired). */
export interface Order {
  id: string;
  tenantId: string;
  action: 'add' | 'modify' | 'delete';
  state: OrderState;
  serviceId: string;
  quoteId: string | null;
  optionId: string | null;
  spec: CircuitSpec;
  start: string | null;
  end: string | null;
  holdExpiresAt: string | null;
  seriesId: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** A service in the tenant's inventory. */
export interface Service extends CircuitSpec {
  id: string;
  tenantId: string;
  state: ServiceState;
  start: string;
  end: string | null;
  seriesId: string | null;
  design: CircuitDesign;
  price: { monthly: Money; hourly: Money };
  availability: number;
  createdAt: string;
  updatedAt: string;
}

/** What an add/modify order will install when activation completes (stored on the order). */
export interface OrderPayload {
  design: CircuitDesign;
  pricing: Pricing;
}

/** Converts a stored order to its API shape. */
export function toOrder(r: st.OrderRow): Order {
  return {
    id: r.id,
    tenantId: r.tenantId,
    action: r.action as Order['action'],
    state: r.state as Order['state'],
    serviceId: r.serviceId,
    quoteId: r.quoteId,
    optionId: r.optionId,
    spec: r.spec as CircuitSpec,
    start: r.startsAt,
    end: r.endsAt,
    holdExpiresAt: r.holdExpiresAt,
    seriesId: r.seriesId,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    completedAt: r.completedAt,
  };
}

/** Converts a stored service to its API shape. */
export function toService(r: st.ServiceRow): Service {
  const pricing = r.price as Pricing;
  return {
    id: r.id,
    tenantId: r.tenantId,
    ...(r.spec as CircuitSpec),
    state: r.state as Service['state'],
    start: r.startsAt,
    end: r.endsAt,
    seriesId: r.seriesId,
    design: r.design as CircuitDesign,
    price: { monthly: pricing.monthly, hourly: pricing.hourly },
    availability: pricing.availability,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Converts a stored quote to its API shape. */
export function toQuote(r: st.QuoteRow): Quote {
  const request = r.request as CircuitSpec & { windows?: WindowView[] };
  const { windows, ...spec } = request;
  return { id: r.id, tenantId: r.tenantId, request: spec as CircuitSpec, windows: windows ?? [{ start: r.createdAt, end: null }], options: r.options as QuoteOption[], createdAt: r.createdAt, expiresAt: r.expiresAt };
}
