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

export interface QuoteOption {
  id: string;
  paths: DesignPath[];
  lengthKm: number;
  latencyUs: number;
  latencyLowerBoundUs: number;
  availability: number;
  monthly: Money;
  hourly: Money;
}

export interface Quote {
  id: string;
  tenantId: string;
  request: CircuitSpec;
  options: QuoteOption[];
  createdAt: string;
  expiresAt: string;
}

export type OrderState = 'acknowledged' | 'inProgress' | 'completed' | 'failed' | 'cancelled';

export interface Order {
  id: string;
  tenantId: string;
  action: 'add' | 'modify' | 'delete';
  state: OrderState;
  serviceId: string;
  quoteId: string | null;
  optionId: string | null;
  spec: CircuitSpec;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export type ServiceState = 'reserved' | 'active' | 'down' | 'terminated';

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
