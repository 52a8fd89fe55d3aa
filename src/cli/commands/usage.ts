import type { Command } from 'commander';
import { UsageService } from '../../services/usage.js';
import { output, renderTable, withServices } from '../context.js';
import { CLI_VIEWER, positiveInt } from './events.js';

/** `usage [list]` and `usage close-hours`. */
export function registerUsageCommand(program: Command): void {
  const usage = program.command('usage').description('hourly usage records per service');

  usage
    .command('list', { isDefault: true })
    .description('list usage records (closed hours)')
    .option('--service-id <id>', 'one service')
    .option('--from <time>', 'hours starting at or after (ISO-8601 UTC)')
    .option('--to <time>', 'hours starting before (ISO-8601 UTC)')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { serviceId?: string; from?: string; to?: string; limit: number }, cmd: Command) => {
      const page = await withServices(cmd, (s) => new UsageService(s.db).list(CLI_VIEWER, opts));
      output(cmd, page, () =>
        renderTable(['hour', 'service', 'tenant', 'product', 'Gbps', 'active s'], page.items.map((r) => [r.hour, r.serviceId, r.tenantId, r.product, r.bandwidthGbps, r.activeSeconds])),
      );
    });

  usage
    .command('close-hours')
    .description('roll up every finished hour now (idempotent; the server does this hourly)')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await withServices(cmd, (s) => new UsageService(s.db).closeHours());
      output(cmd, r, () => `closed hours through ${r.closedThrough}: ${r.rowsChanged} records written`);
    });
}
