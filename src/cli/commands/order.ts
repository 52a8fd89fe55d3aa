import type { Command } from 'commander';
import type { Order } from '../../services/ordering/orders.js';
import { allPages, settledOrder, withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { ends } from '../format.js';
import { circuitOptions, specFrom } from './quote.js';

function orderRow(o: Order): (string | null)[] {
  return [o.id, o.action, o.state, o.serviceId, `${o.spec.product} ${ends(o.spec.aSite, o.spec.zSite)}`, o.failureReason];
}

/** `order create|show|list|cancel`. */
export function registerOrderCommands(program: Command): void {
  const order = program.command('order').description('place and follow orders');

  circuitOptions(
    order
      .command('create')
      .description('order from a quote (--quote, --option) or inline (<product> <aSite> <zSite>); activates before returning unless --no-activate')
      .argument('[product]')
      .argument('[aSite]')
      .argument('[zSite]')
      .option('--quote <id>', 'quote id')
      .option('--option <id>', 'option id of the quote', 'opt-1')
      .option('--idempotency-key <key>', 'retry-safe key')
      .option('--no-activate', 'return once placed; do not wait for (or, without a server, run) the activation'),
  ).action(async (product: string | undefined, aSite: string | undefined, zSite: string | undefined, opts: { quote?: string; option: string; idempotencyKey?: string; activate: boolean; bandwidth?: number; protection: string; maxLatencyUs?: number; tenant?: string }, cmd: Command) => {
    const body = opts.quote ? { quoteId: opts.quote, optionId: opts.option } : specFrom(product ?? '', aSite ?? '', zSite ?? '', opts);
    const out = await withClient(cmd, async (c) => {
      const placed = await c.request<Order>('POST', '/v1/orders', { body, headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {} });
      // Without a server, nothing activates the order unless this command does; with one, wait for it.
      return opts.activate ? settledOrder(c, placed) : placed;
    }, { tenant: opts.tenant });
    output(cmd, out, () => `Order ${out.id} is ${out.state}${out.failureReason ? ` (${out.failureReason})` : ''}; service ${out.serviceId}.`);
  });

  order
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withClient(cmd, (c) => c.request<Order>('GET', `/v1/orders/${encodeURIComponent(id)}`), { tenant: opts.tenant });
      output(cmd, o, () => renderTable(['id', 'action', 'state', 'service', 'circuit', 'failure'], [orderRow(o)]));
    });

  order
    .command('list')
    .option('--tenant <tenant>', 'as this customer tenant')
    .option('--state <state>', 'only orders in this state')
    .action(async (opts: { tenant?: string; state?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Order>(c, '/v1/orders', { state: opts.state }), { tenant: opts.tenant });
      output(cmd, { items, nextCursor: null }, () => renderTable(['id', 'action', 'state', 'service', 'circuit', 'failure'], items.map(orderRow)));
    });

  order
    .command('cancel')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withClient(cmd, (c) => c.request<Order>('POST', `/v1/orders/${encodeURIComponent(id)}/cancel`), { tenant: opts.tenant });
      output(cmd, o, () => `Order ${o.id} cancelled.`);
    });
}
