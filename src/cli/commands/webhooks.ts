import type { Command } from 'commander';
import type { CreatedWebhook, WebhookPage } from '../../services/webhooks.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { positiveInt } from './events.js';

interface Delivery {
  eventId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** `webhooks list|add|rm|deliveries|deliver`. */
export function registerWebhooksCommand(program: Command): void {
  const hooks = program.command('webhooks').description('endpoints that receive signed event deliveries');

  hooks
    .command('list')
    .description('list webhooks')
    .option('--limit <n>', 'page size', positiveInt, 100)
    .action(async (opts: { limit: number }, cmd: Command) => {
      const page = await withClient(cmd, (c) => c.request<WebhookPage>('GET', '/v1/webhooks', { query: { limit: opts.limit } }));
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
      const body = { url, ...(types ? { types } : {}), ...(opts.secret !== undefined ? { secret: opts.secret } : {}) };
      const w = await withClient(cmd, (c) => c.request<CreatedWebhook>('POST', '/v1/webhooks', { body }));
      output(cmd, w, () => `created ${w.id} -> ${w.url}\nsigning secret (shown once): ${w.secret}`);
    });

  hooks
    .command('rm')
    .description('delete a webhook')
    .argument('<id>', 'webhook id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withClient(cmd, (c) => c.request<null>('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`));
      output(cmd, { deleted: id }, () => `deleted ${id}`);
    });

  hooks
    .command('deliveries')
    .description("a webhook's most recent deliveries")
    .argument('<id>', 'webhook id')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (id: string, opts: { limit: number }, cmd: Command) => {
      const out = await withClient(cmd, (c) => c.request<{ items: Delivery[] }>('GET', `/v1/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { limit: opts.limit } }));
      const items = out.items;
      output(cmd, { items }, () => renderTable(['event', 'status', 'attempts', 'last', 'next'], items.map((d) => [d.eventId, d.status, d.attempts, d.lastStatusCode ?? d.lastError, d.status === 'pending' ? d.nextAttemptAt : null])));
    });

  hooks
    .command('deliver')
    .description('send every delivery that is due now, once (a server does this continuously by itself)')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await withClient(cmd, async (c) => {
        if (!c.services) return null;
        const { WebhookWorker } = await import('../../services/webhooks-worker.js');
        return new WebhookWorker(c.services.db).runOnce();
      });
      if (!r) {
        output(cmd, { dispatched: 0, attempted: 0, delivered: 0, retrying: 0, failed: 0 }, () => 'the server delivers webhooks by itself; nothing to do');
        return;
      }
      output(cmd, r, () => `queued ${r.dispatched}, attempted ${r.attempted}: ${r.delivered} delivered, ${r.retrying} to retry, ${r.failed} failed`);
    });
}
