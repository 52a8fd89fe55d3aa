import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ensureOperatorKey } from '../../services/ordering/keys.js';
import { listApiKeys } from '../../store/tenancy.js';
import { output, renderTable, withServices } from '../context.js';
import { cliPrincipal } from './quote.js';

function role(v: string): 'operator' | 'customer' {
  if (v !== 'operator' && v !== 'customer') throw new InvalidArgumentError('must be operator or customer');
  return v;
}

/** `keys create|list|revoke`: API keys, with direct store access (the local administrator's tool). */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('manage API keys (stored hashed; a key is shown once, at creation)');

  keys
    .command('create')
    .description('create an API key and print it once')
    .requiredOption('--tenant <tenant>', 'tenant the key acts for (lowercase letters, digits, dashes)')
    .option('--role <role>', 'operator or customer', role, 'customer')
    .option('--name <name>', 'a label to recognise the key by')
    .action(async (opts: { tenant: string; role: 'operator' | 'customer'; name?: string }, cmd: Command) => {
      const out = await withServices(cmd, (s) => s.keys.create(cliPrincipal(undefined), { tenantId: opts.tenant, role: opts.role, name: opts.name ?? null }));
      output(cmd, out, () => `Created ${out.record.role} key ${out.record.id} for tenant ${out.record.tenantId}. Store it now; it will not be shown again:\n${out.key}`);
    });

  keys
    .command('list')
    .description('list API keys (never the secrets)')
    .option('--tenant <tenant>', 'only this tenant')
    .action(async (opts: { tenant?: string }, cmd: Command) => {
      const items = await withServices(cmd, (s) => listApiKeys(s.db, { tenantId: opts.tenant, limit: 1000 }));
      output(cmd, { items, nextCursor: null }, () =>
        renderTable(['id', 'tenant', 'role', 'prefix', 'name', 'created', 'revoked'], items.map((k) => [k.id, k.tenantId, k.role, k.prefix + '…', k.name, k.createdAt, k.revokedAt])),
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withServices(cmd, (s) => s.keys.revoke(cliPrincipal(undefined), id));
      output(cmd, { id, revoked: true }, () => `Revoked key ${id}.`);
    });
}

/**
 * First start of `serve`: creates an operator key when none exists and prints it once to stderr (never
 * to the log). Returns true when a key was created.
 */
export async function printFirstStartOperatorKey(db: Parameters<typeof ensureOperatorKey>[0], write: (s: string) => void = (s) => process.stderr.write(s)): Promise<boolean> {
  const key = await ensureOperatorKey(db);
  if (!key) return false;
  write(`\nNo operator API key existed, so one was created. It is shown only this once; store it now:\n\n  ${key}\n\nUse it as "Authorization: Bearer <key>". Create more with: lightpath keys create --tenant <t> --role operator|customer\n\n`);
  return true;
}
