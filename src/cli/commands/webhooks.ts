import type { Command } from 'commander';
import { WebhookService } from '../../services/webhooks.js';
import { WebhookWorker } from '../../services/webhooks-worker.js';
import { output, renderTable, withServices } from '../context.js';
import { CLI_VIEWER, positiveInt } from './events.js';
import { cliPrincipal } from './quote.js';

/** `webhooks list|add|rm|deliveries|deliver`. */
export function registerWebhooksCommand(program: Command): void {
  const hooks = program.command('webhooks').description('endpoints that receive signed event deliveries');

  hooks
    .command('list')
    .description('list webhooks')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { limit: number }, cmd: Command) => {
      const page = await withServices(cmd, (s) => new WebhookService(s.db).list(CLI_VIEWER, { limit: opts.limit }));
      output(cmd, page, () => renderTable(['id', 'url', 'types', 'tenant', 'created'], page.items.map((w) => [w.id, w.url, w.types?.join(',') ?? '*', w.allTenants ? '*' : w.tenantId, w.createdAt])));
    });

  hooks
    .command('add')
    .description('register an endpoint; prints its signing secret once')
    .argument('<url>', 'http(s) URL that receives POSTed events')
    .option('--types <types>', 'comma-separated event types (default: every type)')
    .option('--secret <secret>', 'signing secret (default: generated)')
    .action(async (url: string, opts: { types?: string; secret?: string }, cmd: Command) => {
      const types = opts.types?.split(',').map((t) => t.trim()).filter((t) => t !== '');
      const w = await withServices(cmd, (s) => new WebhookService(s.db).create(cliPrincipal(undefined), { url, types, secret: opts.secret }));
      output(cmd, w, () => `created ${w.id} -> ${w.url}\nsigning secret (shown once): ${w.secret}`);
    });

  hooks
    .command('rm')
    .description('delete a webhook')
    .argument('<id>', 'webhook id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withServices(cmd, (s) => new WebhookService(s.db).delete(cliPrincipal(undefined), id));
      output(cmd, { deleted: id }, () => `deleted ${id}`);
    });

  hooks
    .command('deliveries')
    .description("a webhook's most recent deliveries")
    .argument('<id>', 'webhook id')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (id: string, opts: { limit: number }, cmd: Command) => {
      const items = await withServices(cmd, (s) => new WebhookService(s.db).deliveries(CLI_VIEWER, id, opts.limit));
      output(cmd, { items }, () => renderTable(['event', 'status', 'attempts', 'last', 'next'], items.map((d) => [d.eventId, d.status, d.attempts, d.lastStatusCode ?? d.lastError, d.status === 'pending' ? d.nextAttemptAt : null])));
    });

  hooks
    .command('deliver')
    .description('send every delivery that is due now, once (the server does this continuously)')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await withServices(cmd, (s) => new WebhookWorker(s.db).runOnce());
      output(cmd, r, () => `queued ${r.dispatched}, attempted ${r.attempted}: ${r.delivered} delivered, ${r.retrying} to retry, ${r.failed} failed`);
    });
}
