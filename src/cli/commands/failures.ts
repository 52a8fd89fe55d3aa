import type { Command } from 'commander';
import { ResilienceService } from '../../services/resilience/index.js';
import { output, renderTable, withServices } from '../context.js';
import { positiveInt } from './events.js';

/** `failures`: list recorded failures. */
export function registerFailuresCommand(program: Command): void {
  program
    .command('failures')
    .description('list recorded failures (--open: unrepaired only)')
    .option('--open', 'only failures not yet repaired')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { open?: boolean; limit: number }, cmd: Command) => {
      await withServices(cmd, async (s) => {
        const page = await new ResilienceService(s.db).listFailures({ open: opts.open ?? false, limit: opts.limit });
        output(cmd, page, () =>
          renderTable(['id', 'startedAt', 'repairedAt', 'failedSpans'], page.items.map((f) => [f.id, f.startedAt, f.repairedAt, f.failedSpans.join(',')])),
        );
      });
    });
}
