import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { EventsService, parseEventId, parseTypes, type Viewer } from '../../services/events.js';
import type { LightpathEvent } from '../../store/events.js';
import { globals, output, renderTable, withServices } from '../context.js';

/** The local CLI reaches the store directly, with an operator's view. */
export const CLI_VIEWER: Viewer = { tenantId: 'operator', role: 'operator' };

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
    .option('--after <id>', 'only events after this id')
    .option('--types <types>', 'comma-separated event types, e.g. order.completed,span.failed')
    .option('--limit <n>', 'page size (without --follow)', positiveInt, 100)
    .option('--follow', 'keep printing new events until interrupted (one JSON object per line with --json)')
    .action(async (opts: { after?: string; types?: string; limit: number; follow?: boolean }, cmd: Command) => {
      const after = parseEventId(opts.after, '/after');
      const types = parseTypes(opts.types);
      await withServices(cmd, async (s) => {
        const events = new EventsService(s.db);
        try {
          if (!opts.follow) {
            const page = await events.list(CLI_VIEWER, { after, limit: opts.limit, types });
            output(cmd, page, () =>
              renderTable(['id', 'occurredAt', 'type', 'subject', 'tenant'], page.items.map((e) => [e.id, e.occurredAt, e.type, `${e.subject.kind}/${e.subject.id}`, e.tenantId])),
            );
            return;
          }
          const ctl = new AbortController();
          const stop = (): void => ctl.abort();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          // the follower's timers are unref'd (they must not keep a server from exiting); here they must
          const keepAlive = setInterval(() => {}, 1 << 30);
          try {
            for await (const e of events.follow(CLI_VIEWER, { after, types }, ctl.signal)) {
              process.stdout.write((globals(cmd).json ? JSON.stringify(e) : line(e)) + '\n');
            }
          } finally {
            clearInterval(keepAlive);
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
        } finally {
          await events.close();
        }
      });
    });
}
