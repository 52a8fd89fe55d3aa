import type { Command } from 'commander';
import type { Order, Service } from '../../services/ordering/orders.js';
import { allPages, settledOrder, withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { ends, usd } from '../format.js';
import { num } from './quote.js';

function serviceRow(s: Service): (string | number)[] {
  return [s.id, s.tenantId, s.product, s.state, ends(s.aSite, s.zSite), s.bandwidthGbps, s.protection, s.design.paths[0]?.spanIds.join(',') ?? '', usd(s.price.monthly.amountMinor)];
}

const HEAD = ['id', 'tenant', 'product', 'state', 'ends', 'Gbps', 'protection', 'working spans', 'monthly'];

/** `services list|show|modify|delete`. */
export function registerServicesCommands(program: Command): void {
  const services = program.command('services').description('the service inventory: list, show, change bandwidth, disconnect');

  services
    .command('list')
    .option('--tenant <tenant>', 'as this customer tenant')
    .option('--state <state>', 'reserved, active or terminated')
    .action(async (opts: { tenant?: string; state?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Service>(c, '/v1/services', { state: opts.state }), { tenant: opts.tenant });
      output(cmd, { items, nextCursor: null }, () => renderTable(HEAD, items.map(serviceRow)));
    });

  services
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const s = await withClient(cmd, (c) => c.request<Service>('GET', `/v1/services/${encodeURIComponent(id)}`), { tenant: opts.tenant });
      output(cmd, s, () => renderTable(HEAD, [serviceRow(s)]));
    });

  const run = async (cmd: Command, tenant: string | undefined, method: 'PATCH' | 'DELETE', id: string, body?: unknown): Promise<Order> =>
    withClient(cmd, async (c) => settledOrder(c, await c.request<Order>(method, `/v1/services/${encodeURIComponent(id)}`, body !== undefined ? { body } : {})), { tenant });

  services
    .command('modify')
    .description('change bandwidth (make-before-break) and activate')
    .argument('<id>')
    .requiredOption('--bandwidth <gbps>', 'new bandwidth', num)
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { bandwidth: number; tenant?: string }, cmd: Command) => {
      const o = await run(cmd, opts.tenant, 'PATCH', id, { bandwidthGbps: opts.bandwidth });
      output(cmd, o, () => `Modify order ${o.id} is ${o.state}${o.failureReason ? ` (${o.failureReason})` : ''}.`);
    });

  services
    .command('delete')
    .description('disconnect and release everything the service holds')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await run(cmd, opts.tenant, 'DELETE', id);
      output(cmd, o, () => `Disconnect order ${o.id} is ${o.state}.`);
    });
}
