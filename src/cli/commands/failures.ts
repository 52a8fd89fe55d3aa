import type { Command } from 'commander';
import type { Failure } from '../../services/resilience/index.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { positiveInt } from './events.js';

/** `failures`: list recorded failures. */
export function registerFailuresCommand(program: Command): void {
  program
    .command('failures')
    .description('list recorded failures (--open: unrepaired only)')
    .option('--open', 'only failures not yet repaired')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { open?: boolean; limit: number }, cmd: Command) => {
      const page = await withClient(cmd, (c) => c.request<{ items: Failure[]; nextCursor: string | null }>('GET', '/v1/failures', { query: { open: opts.open ?? undefined, limit: opts.limit } }));
      output(cmd, page, () =>
        renderTable(['id', 'startedAt', 'repairedAt', 'failedSpans'], page.items.map((f) => [f.id, f.startedAt, f.repairedAt, f.failedSpans.join(',')])),
      );
    });
}
