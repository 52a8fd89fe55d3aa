/**
 * The ordering use cases behind one object (what the API, CLI and other services hold): quotes
 * (quote.ts), placing orders (place.ts), changing bookings (changes.ts), availability over time
 * (availability.ts), and reads. Activation happens later, in leased jobs (activation.ts).
 */
import { notFound } from '../../domain/errors.js';
import type { Db } from '../../store/db.js';
import * as st from '../../store/ordering.js';
import { availabilityOverTime, spanOccupancy, type AvailabilityQuery } from './availability.js';
import { cancelOrder, changeService, commitOrder, disconnectService } from './changes.js';
import { pageArgs, toPage, type Page } from './common.js';
import { createOrderingContext, type OrderingContext, type OrderingOptions } from './context.js';
import { toOrder, toQuote, toService, type Order, type Quote, type Service } from './model.js';
import { placeOrder, type Placed } from './place.js';
import { quote } from './quote.js';
import { tenantScope, type Principal } from './principal.js';

export type { OrderingOptions } from './context.js';
export type { Order, OrderPayload, Pricing, Quote, QuoteOption, Service, WindowView } from './model.js';
export { toOrder, toService } from './model.js';
export { releaseOrder, trunksOf } from './changes.js';
export type { Placed } from './place.js';

/** Quotes, orders and services. */
export class OrderingService {
  readonly ctx: OrderingContext;

  constructor(db: Db, opts: OrderingOptions = {}) {
    this.ctx = createOrderingContext(db, opts);
  }

  get db(): Db {
    return this.ctx.db;
  }

  get views(): OrderingContext['views'] {
    return this.ctx.views;
  }

  get inflight(): OrderingContext['inflight'] {
    return this.ctx.inflight;
  }

  /** The channels lit on every span from now on (the QoT check's input), kept current per view. */
  get lit(): OrderingContext['lit'] {
    return this.ctx.lit;
  }

  get writer(): OrderingContext['writer'] {
    return this.ctx.writer;
  }

  get reader(): OrderingContext['reader'] {
    return this.ctx.reader;
  }

  // ---- quotes ----------------------------------------------------------------------------------

  /** Prices up to k ways to deliver a circuit in a window (or each occurrence of a recurrence). Reserves nothing. */
  quote(p: Principal, input: unknown): Promise<Quote> {
    return quote(this.ctx, p, input);
  }

  /** A quote (404 for another tenant's). */
  async getQuote(p: Principal, id: string): Promise<Quote> {
    const r = await st.getQuote(this.db, id, tenantScope(p));
    if (!r) throw notFound('quote', id);
    return toQuote(r);
  }

  /** The caller's quotes (every tenant's for operators). */
  async listQuotes(p: Principal, req: { limit?: number; cursor?: string }): Promise<Page<Quote>> {
    const { limit, after } = pageArgs(req);
    return toPage((await st.listQuotes(this.db, { tenantId: tenantScope(p), after, limit: limit + 1 })).map(toQuote), limit);
  }

  // ---- orders ----------------------------------------------------------------------------------

  /** Places an order (see place.ts); idempotent with a key. */
  placeOrder(p: Principal, input: unknown, idempotencyKey?: string): Promise<Placed> {
    return placeOrder(this.ctx, p, input, idempotencyKey);
  }

  /** An order (404 for another tenant's). */
  async getOrder(p: Principal, id: string): Promise<Order> {
    const r = await st.getOrder(this.db, id, tenantScope(p));
    if (!r) throw notFound('order', id);
    return toOrder(r);
  }

  /** The orders of a series (recurring booking), in window order (404 for another tenant's). */
  async seriesOrders(p: Principal, seriesId: string): Promise<Order[]> {
    const rows = (await st.ordersOfSeries(this.db, seriesId)).filter((r) => tenantScope(p) === undefined || r.tenantId === p.tenantId);
    if (rows.length === 0) throw notFound('series', seriesId);
    return rows.map(toOrder);
  }

  /** The caller's orders, optionally by state or service. */
  async listOrders(p: Principal, req: { limit?: number; cursor?: string; state?: string; serviceId?: string }): Promise<Page<Order>> {
    const { limit, after } = pageArgs(req);
    const rows = await st.listOrders(this.db, { tenantId: tenantScope(p), after, limit: limit + 1, state: req.state, serviceId: req.serviceId });
    return toPage(rows.map(toOrder), limit);
  }

  /** Commits a held order (its whole series when recurring). */
  commitOrder(p: Principal, id: string): Promise<Order> {
    return commitOrder(this.ctx, p, id);
  }

  /** Cancels an order not yet in progress, releasing what it held. */
  cancelOrder(p: Principal, id: string): Promise<Order> {
    return cancelOrder(this.ctx, p, id);
  }

  // ---- services --------------------------------------------------------------------------------

  /** A service (404 for another tenant's). */
  async getService(p: Principal, id: string): Promise<Service> {
    const r = await st.getService(this.db, id, tenantScope(p));
    if (!r) throw notFound('service', id);
    return toService(r);
  }

  /** The caller's services, optionally by state or product. */
  async listServices(p: Principal, req: { limit?: number; cursor?: string; state?: string; product?: string }): Promise<Page<Service>> {
    const { limit, after } = pageArgs(req);
    const rows = await st.listServices(this.db, { tenantId: tenantScope(p), after, limit: limit + 1, state: req.state, product: req.product });
    return toPage(rows.map(toService), limit);
  }

  /** Changes a service's bandwidth and/or window (see changes.ts). */
  modifyService(p: Principal, id: string, input: unknown): Promise<Order> {
    return changeService(this.ctx, p, id, input);
  }

  /** Disconnects a service (or cancels its booking when not started yet). */
  disconnectService(p: Principal, id: string): Promise<Order> {
    return disconnectService(this.ctx, p, id);
  }

  // ---- time ------------------------------------------------------------------------------------

  /** When a circuit fits between two sites over a period (see availability.ts). */
  availability(q: AvailabilityQuery): ReturnType<typeof availabilityOverTime> {
    return availabilityOverTime(this.ctx, q);
  }

  /** A span's occupancy over time (operators). */
  spanOccupancy(spanId: string, q: { from?: string; to?: string }): ReturnType<typeof spanOccupancy> {
    return spanOccupancy(this.ctx, spanId, q);
  }
}
