import type { Command } from 'commander';
import { createOrderingServices } from '../../services/ordering/index.js';
import type { Order } from '../../services/ordering/orders.js';
import { output, renderTable, withServices } from '../context.js';
import { circuitOptions, cliPrincipal, specFrom } from './quote.js';

function orderRow(o: Order): (string | null)[] {
  return [o.id, o.action, o.state, o.serviceId, `${o.spec.product} ${o.spec.aSite}-${o.spec.zSite}`, o.failureReason];
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
      .option('--no-activate', 'leave activation to a running server'),
  ).action(async (product: string | undefined, aSite: string | undefined, zSite: string | undefined, opts: { quote?: string; option: string; idempotencyKey?: string; activate: boolean; bandwidth?: number; protection: string; maxLatencyUs?: number; tenant?: string }, cmd: Command) => {
    const body = opts.quote ? { quoteId: opts.quote, optionId: opts.option } : specFrom(product ?? '', aSite ?? '', zSite ?? '', opts);
    const out = await withServices(cmd, async (s) => {
      const o = createOrderingServices(s.db);
      const p = cliPrincipal(opts.tenant);
      const placed = await o.ordering.placeOrder(p, body, opts.idempotencyKey);
      if (!opts.activate) return placed.order;
      // A one-shot command has no background worker: activate here so the order finishes.
      await o.worker.runOnce();
      return o.ordering.getOrder(p, placed.order.id);
    });
    output(cmd, out, () => `Order ${out.id} is ${out.state}${out.failureReason ? ` (${out.failureReason})` : ''}; service ${out.serviceId}.`);
  });

  order
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withServices(cmd, (s) => createOrderingServices(s.db).ordering.getOrder(cliPrincipal(opts.tenant), id));
      output(cmd, o, () => renderTable(['id', 'action', 'state', 'service', 'circuit', 'failure'], [orderRow(o)]));
    });

  order
    .command('list')
    .option('--tenant <tenant>', 'as this customer tenant')
    .option('--state <state>', 'only orders in this state')
    .action(async (opts: { tenant?: string; state?: string }, cmd: Command) => {
      const page = await withServices(cmd, (s) => createOrderingServices(s.db).ordering.listOrders(cliPrincipal(opts.tenant), { limit: 1000, ...(opts.state ? { state: opts.state } : {}) }));
      output(cmd, page, () => renderTable(['id', 'action', 'state', 'service', 'circuit', 'failure'], page.items.map(orderRow)));
    });

  order
    .command('cancel')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await withServices(cmd, (s) => createOrderingServices(s.db).ordering.cancelOrder(cliPrincipal(opts.tenant), id));
      output(cmd, o, () => `Order ${o.id} cancelled.`);
    });
}
