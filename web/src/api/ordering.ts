/** Calls of the ordering and resilience API: quotes, orders, services, price book, failures. */
import { getJson, isMissingRoute, requestJson } from './client.js';
import type { Availability, AvailabilityOverTime, Failure, FailureWithBatch, Order, OrderOptions, Page, PriceBook, Product, Protection, Quote, QuoteRequest, Service } from './ordering-types.js';

/** Price ways to deliver a circuit for a window or each occurrence of a series (reserves nothing). */
export function createQuote(request: QuoteRequest, signal?: AbortSignal): Promise<Quote> {
  return requestJson<Quote>('POST', '/v1/quotes', { body: request, signal });
}

/** A fresh idempotency key: one per user action, so a double click or a retry cannot order twice. */
export function newIdempotencyKey(): string {
  return `portal-${crypto.randomUUID()}`;
}

/** Order one option of a quote under the given idempotency key. */
export function placeOrder(quoteId: string, optionId: string, idempotencyKey: string, options: OrderOptions = {}): Promise<Order> {
  return requestJson<Order>('POST', '/v1/orders', { body: { quoteId, optionId, ...options }, headers: { 'idempotency-key': idempotencyKey } });
}

/** Commit a held order (every held occurrence of its series). */
export function commitOrder(id: string): Promise<Order> {
  return requestJson<Order>('POST', `/v1/orders/${encodeURIComponent(id)}/commit`);
}

/** Cancel a held or acknowledged order: what it holds is released. */
export function cancelOrder(id: string): Promise<Order> {
  return requestJson<Order>('POST', `/v1/orders/${encodeURIComponent(id)}/cancel`);
}

/** Query of GET /v1/availability. */
export interface AvailabilityQuery {
  aSite: string;
  zSite: string;
  product: Product;
  bandwidthGbps: number;
  protection: Protection;
  maxLatencyUs: number | null;
  /** Default: the server's now and 30 days on. */
  from?: string;
  to?: string;
}

/** When a circuit fits between two sites over [from, to), with how many fit in each interval. */
export function fetchAvailabilityOverTime(q: AvailabilityQuery, signal?: AbortSignal): Promise<AvailabilityOverTime> {
  const p = new URLSearchParams({ aSite: q.aSite, zSite: q.zSite, product: q.product, protection: q.protection, count: 'true' });
  if (q.maxLatencyUs !== null) p.set('maxLatencyUs', String(q.maxLatencyUs));
  if (q.from !== undefined) p.set('from', q.from);
  if (q.to !== undefined) p.set('to', q.to);
  if (q.product !== 'dark-fiber') p.set('bandwidthGbps', String(q.bandwidthGbps));
  return getJson<AvailabilityOverTime>(`/v1/availability?${p.toString()}`, signal);
}

/** One order. */
export function fetchOrder(id: string, signal?: AbortSignal): Promise<Order> {
  return getJson<Order>(`/v1/orders/${encodeURIComponent(id)}`, signal);
}

/** Every page of a paged list (bounded, so a runaway cursor cannot loop forever). */
async function allPages<T>(path: string, signal?: AbortSignal, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await getJson<Page<T>>(`${path}${sep}limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, signal);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return out;
}

/** The caller's orders in a state (operators: every tenant's), e.g. the held ones of a service. */
export function fetchOrders(query: { state?: Order['state']; serviceId?: string }, signal?: AbortSignal): Promise<Order[]> {
  const p = new URLSearchParams();
  if (query.state !== undefined) p.set('state', query.state);
  if (query.serviceId !== undefined) p.set('serviceId', query.serviceId);
  return allPages<Order>(`/v1/orders?${p.toString()}`, signal);
}

/** The caller's services (operators: every tenant's). */
export function fetchServices(signal?: AbortSignal): Promise<Service[]> {
  return allPages<Service>('/v1/services', signal);
}

/** One service. */
export function fetchService(id: string, signal?: AbortSignal): Promise<Service> {
  return getJson<Service>(`/v1/services/${encodeURIComponent(id)}`, signal);
}

/** Change a service's bandwidth; returns the modify order. */
export function modifyBandwidth(id: string, bandwidthGbps: number): Promise<Order> {
  return requestJson<Order>('PATCH', `/v1/services/${encodeURIComponent(id)}`, { body: { bandwidthGbps } });
}

/** Disconnect a service; returns the delete order. */
export function disconnectService(id: string): Promise<Order> {
  return requestJson<Order>('DELETE', `/v1/services/${encodeURIComponent(id)}`);
}

/** Measured availability of a service; null when the server has no availability route. */
export async function fetchAvailability(id: string, signal?: AbortSignal): Promise<Availability | null> {
  try {
    return await getJson<Availability>(`/v1/services/${encodeURIComponent(id)}/availability`, signal);
  } catch (e) {
    if (isMissingRoute(e)) return null;
    throw e;
  }
}

/** The price book. */
export function fetchPriceBook(signal?: AbortSignal): Promise<PriceBook> {
  return getJson<PriceBook>('/v1/pricebook', signal);
}

/** Replace the price book (operators). */
export function savePriceBook(book: PriceBook): Promise<PriceBook> {
  return requestJson<PriceBook>('PUT', '/v1/pricebook', { body: book });
}

/** Unrepaired failures; null when the server has no failures route (resilience not installed). */
export async function fetchOpenFailures(signal?: AbortSignal): Promise<Failure[] | null> {
  try {
    return await allPages<Failure>('/v1/failures?open=true', signal);
  } catch (e) {
    if (isMissingRoute(e)) return null;
    throw e;
  }
}

/** Cut spans: records the failure and restores what it affects. */
export function cutSpans(spans: string[], note?: string): Promise<FailureWithBatch> {
  return requestJson<FailureWithBatch>('POST', '/v1/failures', { body: note === undefined ? { spans } : { spans, note } });
}

/** Repair a failure: services come back. */
export function repairFailure(id: string): Promise<FailureWithBatch> {
  return requestJson<FailureWithBatch>('DELETE', `/v1/failures/${encodeURIComponent(id)}`);
}
