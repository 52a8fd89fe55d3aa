import type { Command } from 'commander';
import { createOrderingServices } from '../../services/ordering/index.js';
import type { Order, Service } from '../../services/ordering/orders.js';
import { output, renderTable, withServices } from '../context.js';
import { cliPrincipal, num } from './quote.js';

function serviceRow(s: Service): (string | number)[] {
  return [s.id, s.tenantId, s.product, s.state, `${s.aSite}-${s.zSite}`, s.bandwidthGbps, s.protection, s.design.paths[0]?.spanIds.join(',') ?? '', `$${(s.price.monthly.amountMinor / 100).toFixed(2)}`];
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
      const page = await withServices(cmd, (s) => createOrderingServices(s.db).ordering.listServices(cliPrincipal(opts.tenant), { limit: 1000, ...(opts.state ? { state: opts.state } : {}) }));
      output(cmd, page, () => renderTable(HEAD, page.items.map(serviceRow)));
    });

  services
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const s = await withServices(cmd, (x) => createOrderingServices(x.db).ordering.getService(cliPrincipal(opts.tenant), id));
      output(cmd, s, () => renderTable(HEAD, [serviceRow(s)]));
    });

  const run = async (cmd: Command, tenant: string | undefined, fn: (o: ReturnType<typeof createOrderingServices>) => Promise<Order>): Promise<Order> =>
    withServices(cmd, async (s) => {
      const o = createOrderingServices(s.db);
      const placed = await fn(o);
      await o.worker.runOnce();
      return o.ordering.getOrder(cliPrincipal(tenant), placed.id);
    });

  services
    .command('modify')
    .description('change bandwidth (make-before-break) and activate')
    .argument('<id>')
    .requiredOption('--bandwidth <gbps>', 'new bandwidth', num)
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { bandwidth: number; tenant?: string }, cmd: Command) => {
      const o = await run(cmd, opts.tenant, (x) => x.ordering.modifyService(cliPrincipal(opts.tenant), id, { bandwidthGbps: opts.bandwidth }));
      output(cmd, o, () => `Modify order ${o.id} is ${o.state}${o.failureReason ? ` (${o.failureReason})` : ''}.`);
    });

  services
    .command('delete')
    .description('disconnect and release everything the service holds')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const o = await run(cmd, opts.tenant, (x) => x.ordering.disconnectService(cliPrincipal(opts.tenant), id));
      output(cmd, o, () => `Disconnect order ${o.id} is ${o.state}.`);
    });
}
