import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Db } from '../../store/db.js';
import type { ApiKeyRow } from '../../store/tenancy.js';
import { allPages, withClient } from '../client.js';
import { writeOperatorKey } from '../keyfile.js';
import { output, renderTable } from '../context.js';

function role(v: string): 'operator' | 'customer' {
  if (v !== 'operator' && v !== 'customer') throw new InvalidArgumentError('must be operator or customer');
  return v;
}

/** `keys create|list|revoke`: API keys (POST/GET/DELETE /v1/keys). */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('manage API keys (stored hashed; a key is shown once, at creation)');

  keys
    .command('create')
    .description('create an API key and print it once')
    .requiredOption('--tenant <tenant>', 'tenant the key acts for (lowercase letters, digits, dashes)')
    .option('--role <role>', 'operator or customer', role, 'customer')
    .option('--name <name>', 'a label to recognise the key by')
    .action(async (opts: { tenant: string; role: 'operator' | 'customer'; name?: string }, cmd: Command) => {
      const out = await withClient(cmd, (c) =>
        c.request<{ key: string; record: ApiKeyRow }>('POST', '/v1/keys', { body: { tenantId: opts.tenant, role: opts.role, ...(opts.name !== undefined ? { name: opts.name } : {}) } }),
      );
      output(cmd, out, () => `Created ${out.record.role} key ${out.record.id} for tenant ${out.record.tenantId}. Store it now; it will not be shown again:\n${out.key}`);
    });

  keys
    .command('list')
    .description('list API keys (never the secrets)')
    .option('--tenant <tenant>', 'only this tenant')
    .action(async (opts: { tenant?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<ApiKeyRow>(c, '/v1/keys', { tenantId: opts.tenant }));
      output(cmd, { items, nextCursor: null }, () =>
        renderTable(['id', 'tenant', 'role', 'prefix', 'name', 'created', 'revoked'], items.map((k) => [k.id, k.tenantId, k.role, k.prefix + '…', k.name, k.createdAt, k.revokedAt])),
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withClient(cmd, (c) => c.request<null>('DELETE', `/v1/keys/${encodeURIComponent(id)}`));
      output(cmd, { id, revoked: true }, () => `Revoked key ${id}.`);
    });
}

/**
 * First start of `serve`: creates an operator key when none exists and prints it once to stderr (never
 * to the log). With an embedded data directory the key is also kept in `<dataDir>/operator-key`, readable
 * by the owner only, and the message says where: the CLI beside the server uses it from there (cli/client.ts).
 * Returns true when a key was created.
 */
export async function printFirstStartOperatorKey(
  db: Pick<Db, 'transaction'>,
  write: (s: string) => void = (s) => process.stderr.write(s),
  opts: { dataDir?: string | undefined } = {},
): Promise<boolean> {
  const { ensureOperatorKey } = await import('../../services/ordering/keys.js');
  const key = await ensureOperatorKey(db);
  if (!key) return false;
  const file = opts.dataDir ? writeOperatorKey(opts.dataDir, key) : undefined;
  const where = file
    ? `It is kept in ${file} (readable only by you), where the lightpath CLI beside this server finds it; in a shell: export KEY=$(cat ${file})`
    : 'It is shown only this once; store it now.';
  write(`\nNo operator API key existed, so one was created. ${where}\n\n  ${key}\n\nUse it as "Authorization: Bearer <key>". Create more with: lightpath keys create --tenant <t> --role operator|customer\n\n`);
  return true;
}
