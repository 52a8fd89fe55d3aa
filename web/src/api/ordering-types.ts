/**
 * Shapes of the ordering, events and resilience API as the portal reads them (see the server's
 * src/api/routes/{quotes,orders,services,pricebook,events,failures,availability}.ts).
 */

export type Product = 'dark-fiber' | 'wave' | 'ethernet' | 'cloud-connect';
export type Protection = 'unprotected' | 'protected-1+1' | 'restorable';

/** Money in integer minor units (cents). */
export interface Money {
  currency: 'USD';
  amountMinor: number;
}

/** What the customer asks for. */
export interface CircuitSpec {
  product: Product;
  aSite: string;
  zSite: string;
  bandwidthGbps: number;
  protection: Protection;
  maxLatencyUs: number | null;
}

/** One wave segment between regenerators (only what the portal reads). */
export interface WaveSegment {
  spanIds: string[];
  fiberPair: number;
  startSlot: number;
  slots: number;
}

/** A working or protect path of a design. */
export interface DesignPath {
  role: 'working' | 'protect';
  siteIds: string[];
  spanIds: string[];
  lengthKm: number;
  latencyUs: number;
  wave?: { lineRateGbps: number; segments: WaveSegment[] };
  trunk?: { trunkId: string; units: [number, number]; lit: boolean };
}

/** A half-open window [start, end) in ISO-8601 UTC; end null = open-ended. */
export interface TimeWindow {
  start: string;
  end: string | null;
}

/** When a quote or inline order books: one window, a weekly recurrence (RRULE) or explicit windows. */
export interface BookingRequest {
  start?: string | null;
  end?: string | null;
  recurrence?: { rrule: string; durationSeconds: number };
  windows?: { start: string; end: string }[];
}

/** What the customer asks a quote for: the circuit and when. */
export type QuoteRequest = CircuitSpec & BookingRequest;

/** How an order from a quote is placed: straight away or held, all occurrences or the feasible ones. */
export interface OrderOptions {
  hold?: boolean;
  holdSeconds?: number;
  partial?: boolean;
}

export interface QuoteOption {
  id: string;
  paths: DesignPath[];
  lengthKm: number;
  latencyUs: number;
  latencyLowerBoundUs: number;
  availability: number;
  monthly: Money;
  hourly: Money;
  /** Recurring: whether this option fits each occurrence. */
  occurrences?: { start: string; end: string | null; feasible: boolean }[];
}

export interface Quote {
  id: string;
  tenantId: string;
  request: CircuitSpec;
  /** The windows quoted (servers without the calendar omit it). */
  windows?: TimeWindow[];
  options: QuoteOption[];
  createdAt: string;
  expiresAt: string;
}

export type OrderState = 'held' | 'acknowledged' | 'inProgress' | 'completed' | 'failed' | 'cancelled';

export interface Order {
  id: string;
  tenantId: string;
  action: 'add' | 'modify' | 'delete';
  state: OrderState;
  serviceId: string;
  quoteId: string | null;
  optionId: string | null;
  spec: CircuitSpec;
  /** The window the order books (servers without the calendar omit these). */
  start?: string | null;
  end?: string | null;
  /** A held order: commit before this or it is cancelled (hold-expired). */
  holdExpiresAt?: string | null;
  seriesId?: string | null;
  /** A recurring booking just placed: every occurrence. */
  occurrences?: { orderId: string; serviceId: string; start: string | null; end: string | null; state: OrderState }[];
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export type ServiceState = 'held' | 'scheduled' | 'reserved' | 'active' | 'down' | 'ended' | 'terminated';

export interface Service {
  id: string;
  tenantId: string;
  product: Product;
  aSite: string;
  zSite: string;
  bandwidthGbps: number;
  protection: Protection;
  maxLatencyUs: number | null;
  state: ServiceState;
  /** The booked window (servers without the calendar omit these; end null = open-ended). */
  start?: string;
  end?: string | null;
  seriesId?: string | null;
  design: { paths: DesignPath[] };
  price: { monthly: Money; hourly: Money };
  availability: number;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ProductPrice {
  fixedMonthlyMinor: number;
  perKmMonthlyMinor: number;
  perGbpsMonthlyMinor: number;
}

export interface PriceBook {
  currency: 'USD';
  products: Record<Product, ProductPrice>;
  protectPathPercent: number;
  restorableSurchargePercent: number;
  hoursPerMonth: number;
}

/** One event of GET /v1/events. */
export interface LightpathEvent {
  id: number;
  type: string;
  occurredAt: string;
  tenantId: string | null;
  subject: { kind: string; id: string };
  data: unknown;
}

export interface Failure {
  id: string;
  spans: string[];
  srlgs: string[];
  sites: string[];
  failedSpans: string[];
  note: string | null;
  startedAt: string;
  repairedAt: string | null;
}

/** What one restoration batch did (POST /v1/failures, DELETE /v1/failures/{id}). */
export interface Batch {
  batchId: string;
  failedSpans: string[];
  examined: number;
  switched: string[];
  rerouted: { id: string; addedLatencyUs: number }[];
  down: { id: string; reason: string }[];
  restored: string[];
  reverted: string[];
  trunksRerouted: string[];
}

export interface FailureWithBatch {
  failure: Failure;
  batch: Batch;
}

export interface Availability {
  serviceId: string;
  from: string;
  to: string;
  downtimeSeconds: number;
  availability: number;
  outages: { startedAt: string; endedAt: string | null; cause: string | null }[];
}

/** GET /v1/availability: consecutive intervals covering [from, to), each feasible or not. */
export interface AvailabilityOverTime {
  from: string;
  to: string;
  intervals: { start: string; end: string; feasible: boolean; count?: number }[];
}
