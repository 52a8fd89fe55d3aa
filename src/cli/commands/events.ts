import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { LightpathEvent } from '../../store/events.js';
import { withClient } from '../client.js';
import { globals, output, renderTable } from '../context.js';

/** Parses a positive integer option. */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function line(e: LightpathEvent): string {
  return `${e.id}\t${e.occurredAt}\t${e.type}\t${e.subject.kind}/${e.subject.id}\t${e.tenantId ?? '-'}`;
}

/** `events`: list the outbox, or follow it. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('list events (oldest first) or follow new ones with --follow')
    .option('--after <id>', 'only events after this id (`latest`: from now on)')
    .option('--types <types>', 'comma-separated event types, e.g. order.completed,span.failed')
    .option('--limit <n>', 'page size (without --follow)', positiveInt, 100)
    .option('--follow', 'keep printing new events until interrupted (one JSON object per line with --json)')
    .action(async (opts: { after?: string; types?: string; limit: number; follow?: boolean }, cmd: Command) => {
      await withClient(cmd, async (c) => {
        if (!opts.follow) {
          const page = await c.request<{ items: LightpathEvent[]; nextCursor: string | null }>('GET', '/v1/events', { query: { format: 'json', after: opts.after, types: opts.types, limit: opts.limit } });
          output(cmd, page, () =>
            renderTable(['id', 'occurredAt', 'type', 'subject', 'tenant'], page.items.map((e) => [e.id, e.occurredAt, e.type, `${e.subject.kind}/${e.subject.id}`, e.tenantId])),
          );
          return;
        }
        const ctl = new AbortController();
        const stop = (): void => ctl.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          for await (const e of c.follow({ after: opts.after, types: opts.types }, ctl.signal)) {
            process.stdout.write((globals(cmd).json ? JSON.stringify(e) : line(e)) + '\n');
          }
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
    });
}
