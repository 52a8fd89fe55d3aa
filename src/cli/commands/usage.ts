import type { Command } from 'commander';
import type { UsagePage } from '../../services/usage.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { positiveInt } from './events.js';

/** `usage [list]` and `usage close-hours`. */
export function registerUsageCommand(program: Command): void {
  const usage = program.command('usage').description('hourly usage records per service');

  usage
    .command('list', { isDefault: true })
    .description('list usage records (the hour in progress is included, marked partial)')
    .option('--service-id <id>', 'one service')
    .option('--from <time>', 'hours starting at or after (ISO-8601 UTC)')
    .option('--to <time>', 'hours starting before (ISO-8601 UTC)')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { serviceId?: string; from?: string; to?: string; limit: number }, cmd: Command) => {
      const page = await withClient(cmd, (c) => c.request<UsagePage>('GET', '/v1/usage', { query: { serviceId: opts.serviceId, from: opts.from, to: opts.to, limit: opts.limit } }));
      output(cmd, page, () =>
        renderTable(
          ['hour', 'service', 'tenant', 'product', 'Gbps', 'active s', ''],
          page.items.map((r) => [r.hour, r.serviceId, r.tenantId, r.product, r.bandwidthGbps, r.activeSeconds, r.partial ? 'partial (hour in progress)' : '']),
        ),
      );
    });

  usage
    .command('close-hours')
    .description('roll up every finished hour now (idempotent; a server does this hourly by itself)')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await withClient(cmd, async (c) => {
        if (!c.services) return null;
        const { UsageService } = await import('../../services/usage.js');
        return new UsageService(c.services.db).closeHours();
      });
      if (!r) {
        output(cmd, { closedThrough: null, rowsChanged: 0 }, () => 'the server closes finished hours by itself; nothing to do');
        return;
      }
      output(cmd, r, () => `closed hours through ${r.closedThrough}: ${r.rowsChanged} records written`);
    });
}
