import { InvalidArgumentError, type Command } from 'commander';
import type { Transfer } from '../../services/transfers/index.js';
import { allPages, withClient } from '../client.js';
import { output, renderTable } from '../context.js';

const byId = (id: string) => `/v1/transfers/${encodeURIComponent(id)}`;

const HEAD = ['id', 'tenant', 'state', 'ends', 'TB', 'delivered TB', 'deadline', 'expected completion', 'price'];

function row(t: Transfer): (string | number)[] {
  return [t.id, t.tenantId, t.state, `${t.aSite}-${t.zSite}`, t.volumeTB, Number(t.deliveredTB.toFixed(3)), t.deadline, t.expectedCompletion, `$${(t.price.amountMinor / 100).toFixed(2)}`];
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

/** The schedule as one line per slot: start, total rate, rate per path. */
function scheduleTable(t: Transfer): string {
  return renderTable(
    ['slot start', 'Gbps', 'paths'],
    t.schedule.map((s) => [s.start, s.rateGbps, s.paths.map((p) => `${p.rateGbps} on ${p.path}`).join('; ')]),
  );
}

/** Waves lit for the transfer (empty string when none). */
function wavesTable(t: Transfer): string {
  if (t.waves.length === 0) return '';
  return `\nWaves lit for this transfer:\n${renderTable(
    ['wave', 'route', 'Gbps', 'mode', 'GHz', 'GSNR dB', 'lit'],
    t.waves.map((w) => [w.path, w.sites.join('-'), w.capacityGbps, w.modeId ?? '', w.centerFrequencyGhz, w.gsnrDb ?? '', w.lit.map((r) => `${r.start}..${r.end}`).join(', ') || 'dark']),
  )}`;
}

/** `transfer create|list|show|cancel`: bulk transfers by deadline. */
export function registerTransferCommands(program: Command): void {
  const transfer = program.command('transfer').description('bulk transfers by deadline: "this many TB from A to B by then"');

  transfer
    .command('create')
    .description('admit a transfer with a schedule held in the calendar, or explain why not (earliest feasible deadline, most volume by the deadline)')
    .argument('<aSite>')
    .argument('<zSite>')
    .requiredOption('--volume <TB>', 'terabytes to move', positive)
    .requiredOption('--deadline <date-time>', 'RFC 3339, e.g. 2026-12-04T06:00:00Z')
    .option('--earliest-start <date-time>', 'not before this instant (default: now)')
    .option('--max-rate <Gbps>', 'never faster than this', positive)
    .option('--idempotency-key <key>', 'retry-safe key')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (aSite: string, zSite: string, opts: { volume: number; deadline: string; earliestStart?: string; maxRate?: number; idempotencyKey?: string; tenant?: string }, cmd: Command) => {
      const body = {
        aSite,
        zSite,
        volumeTB: opts.volume,
        deadline: opts.deadline,
        ...(opts.earliestStart ? { earliestStart: opts.earliestStart } : {}),
        ...(opts.maxRate !== undefined ? { maxRateGbps: opts.maxRate } : {}),
      };
      const t = await withClient(cmd, (c) => c.request<Transfer>('POST', '/v1/transfers', { body, headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {} }), { tenant: opts.tenant });
      output(cmd, t, () => `Transfer ${t.id} is ${t.state}: ${t.volumeTB} TB ${t.aSite}-${t.zSite}, expected completion ${t.expectedCompletion} (deadline ${t.deadline}), $${(t.price.amountMinor / 100).toFixed(2)}.\n${scheduleTable(t)}`);
    });

  transfer
    .command('list')
    .option('--tenant <tenant>', 'as this customer tenant')
    .option('--state <state>', 'scheduled, running, completed, late or cancelled')
    .action(async (opts: { tenant?: string; state?: string }, cmd: Command) => {
      const items = await withClient(cmd, (c) => allPages<Transfer>(c, '/v1/transfers', { state: opts.state }), { tenant: opts.tenant });
      output(cmd, { items, nextCursor: null }, () => renderTable(HEAD, items.map(row)));
    });

  transfer
    .command('show')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const t = await withClient(cmd, (c) => c.request<Transfer>('GET', byId(id)), { tenant: opts.tenant });
      output(cmd, t, () => `${renderTable(HEAD, [row(t)])}\n${scheduleTable(t)}${wavesTable(t)}`);
    });

  transfer
    .command('cancel')
    .description('cancel: the slots from now on are released')
    .argument('<id>')
    .option('--tenant <tenant>', 'as this customer tenant')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      const t = await withClient(cmd, (c) => c.request<Transfer>('DELETE', byId(id)), { tenant: opts.tenant });
      output(cmd, t, () => `Transfer ${t.id} is ${t.state}; ${t.deliveredTB.toFixed(3)} TB delivered.`);
    });
}
