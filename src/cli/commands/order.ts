import type { Command } from 'commander';
import type { Order } from '../../services/ordering/orders.js';
import { allPages, settledOrder, withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { ends } from '../format.js';
import { circuitOptions, num, specFrom, type BookingOpts } from './quote.js';

function orderRow(o: Order): (string | null)[] {
  return [o.id, o.action, o.state, o.serviceId, `${o.spec.product} ${ends(o.spec.aSite, o.spec.zSite)}`, windowText(o.start, o.end), o.failureReason];
}

const ORDER_COLUMNS = ['id', 'action', 'state', 'service', 'circuit', 'window (UTC)', 'failure'];

/** A window as one cell: "now -> open", "2026-12-08 09:00 -> 2026-12-08 17:00". */
export function windowText(start: string | null, end: string | null): string {
  const t = (iso: string | null, none: string): string => (iso ? iso.replace('T', ' ').replace(/:00(\.000)?Z$/, '').replace(/\.\d+Z$/, '').replace(/Z$/, '') : none);
  return `${t(start, 'now')} -> ${t(end, 'open')}`;
}

function orderSentence(o: Order): string {
  const when = o.state === 'held' ? ` until ${o.holdExpiresAt} (commit with: lightpath order commit ${o.id})` : '';
  return `Order ${o.id} is ${o.state}${when}${o.failureReason ? ` (${o.failureReason})` : ''}; service ${o.serviceId}; window ${windowText(o.start, o.end)}.`;
}

const byId = (id: string) => `/v1/orders/${encodeURIComponent(id)}`;

/** `order create|commit|show|list|cancel`. */
export function registerOrderCommands(program: Command): void {
  const order = program.command('order').description('place and follow orders');

  circuitOptions(
    order
      .command('create')
      .description('order from a quote (--quote, --option) or inline (<product> <aSite> <zSite>); waits for the activation unless --no-activate')
      .argument('[product]')
      .argument('[aSite]')
      .argument('[zSite]')
      .option('--quote <id>', 'quote id')
      .option('--option <id>', 'option id of the quote', 'opt-1')
      .option('--idempotency-key <key>', 'retry-safe key')
      .option('--hold', 'hold the capacity until committed (order commit ID) or expired')
      .option('--hold-seconds <s>', 'how long a hold lasts (default 600)', num)
      .option('--no-activate', 'return once placed; do not wait for (or, without a server, run) the activation'),
  ).action(async (product: string | undefined, aSite: string | undefined, zSite: string | undefined, opts: { quote?: string; option: string; idempotencyKey?: string; activate: boolean; bandwidth?: number; protection: string; maxLatencyUs?: number; tenant?: string; hold?: boolean; holdSeconds?: number } & BookingOpts, cmd: Command) => {
    const booking = { ...(opts.hold || opts.holdSeconds !== undefined ? { hold: true } : {}), ...(opts.holdSeconds !== undefined ? { holdSeconds: opts.holdSeconds } : {}) };
    const body = opts.quote
      ? { quoteId: opts.quote, optionId: opts.option, ...(opts.start ? { start: opts.start } : {}), ...(opts.end ? { end: opts.end } : {}), ...booking }
      : { ...specFrom(product ?? '', aSite ?? '', zSite ?? '', opts), ...booking };
    const out = await withClient(cmd, async (c) => {
      const placed = await c.request<Order>('POST', '/v1/orders', { body, headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {} });
      // Without a server, nothing activates the order unless this command does; with one, wait for it
      // (a booking in the future is activated at its start, by a running server).
      return opts.activate ? settledOrder(c, placed) : placed;
    }, { tenant: opts.tenant });
    output(cmd, out, () => orderSentence(out));
  });

  order
    .command('commit')
    .description('commit a held order (every held occurrence of a recurring one): it goes on to activation at its start')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withClient(cmd, (c) => c.request<Order>('POST', `${byId(id)}/commit`), { tenant: opts.tenant });
      output(cmd, o, () => orderSentence(o));
    });

  order
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withClient(cmd, (c) => c.request<Order>('GET', byId(id)), { tenant: opts.tenant });
      output(cmd, o, () => renderTable(ORDER_COLUMNS, [orderRow(o)]));
    });

  order
    .command('list')
    .option('--tenant <tenant>', 'as this customer tenant')
    .option('--state <state>', 'only orders in this state')
    .action(async (opts: { tenant?: string; state?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Order>(c, '/v1/orders', { state: opts.state }), { tenant: opts.tenant });
      output(cmd, { items, nextCursor: null }, () => renderTable(ORDER_COLUMNS, items.map(orderRow)));
    });

  order
    .command('cancel')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withClient(cmd, (c) => c.request<Order>('POST', `${byId(id)}/cancel`), { tenant: opts.tenant });
      output(cmd, o, () => `Order ${o.id} cancelled.`);
    });
}
