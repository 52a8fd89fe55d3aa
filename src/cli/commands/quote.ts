import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DEFAULT_PAIR_DISJOINTNESS, PAIR_DISJOINTNESS } from '../../domain/products.js';
import type { Quote } from '../../services/ordering/orders.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { km, us, usd } from '../format.js';

/** Parses a non-negative number option. */
export function num(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

/** Circuit options shared by `quote` and `order create`. */
export function circuitOptions(cmd: Command): Command {
  return cmd
    .option('--bandwidth <gbps>', 'wave: 100/400/800; ethernet/cloud-connect: 1..400', num)
    .option('--protection <p>', 'unprotected, protected-1+1 or restorable', 'unprotected')
    .option('--max-latency-us <us>', 'one-way latency bound', num)
    .option('--disjointness <d>', `protected-1+1: how disjoint the legs must be, one of ${PAIR_DISJOINTNESS.join(', ')} (default ${DEFAULT_PAIR_DISJOINTNESS})`, (v: string) => {
      if (!(PAIR_DISJOINTNESS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${PAIR_DISJOINTNESS.join(', ')}`);
      return v;
    })
    .option('--start <time>', 'window start, ISO-8601 UTC (default: now)')
    .option('--end <time>', 'window end, ISO-8601 UTC, half-open (default: open-ended)')
    .option('--rrule <rule>', 'recurring booking, RFC 5545 RRULE from --start (e.g. FREQ=WEEKLY;BYDAY=SA;COUNT=12); needs --duration')
    .option('--duration <seconds>', 'length of each occurrence of --rrule, in seconds', num)
    .option('--partial', 'recurring: book the feasible occurrences instead of all or nothing')
    .option('--tenant <tenant>', 'without a server: act for this customer tenant (default: operator); with one, the key decides');
}

/** Booking options as the CLI takes them. */
export interface BookingOpts {
  start?: string;
  end?: string;
  rrule?: string;
  duration?: number;
  partial?: boolean;
}

/** The inline spec from positional arguments and options. */
export function specFrom(product: string, aSite: string, zSite: string, o: { bandwidth?: number; protection: string; maxLatencyUs?: number; disjointness?: string } & BookingOpts): Record<string, unknown> {
  return {
    product,
    aSite,
    zSite,
    ...(o.bandwidth !== undefined ? { bandwidthGbps: o.bandwidth } : {}),
    protection: o.protection,
    ...(o.maxLatencyUs !== undefined ? { maxLatencyUs: o.maxLatencyUs } : {}),
    ...(o.disjointness !== undefined ? { disjointness: o.disjointness } : {}),
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.end !== undefined ? { end: o.end } : {}),
    ...(o.rrule !== undefined ? { recurrence: { rrule: o.rrule, durationSeconds: o.duration } } : {}),
    ...(o.partial ? { partial: true } : {}),
  };
}

/** What decides an option: a wave's mode, GSNR and margin; dark fiber's loss budget; what 1+1 legs share. */
function detail(o: Quote['options'][number]): string {
  const parts: string[] = [];
  const p = o.paths[0];
  if (p.lossBudget) parts.push(`${db(p.lossBudget.lossDb)} loss${p.lossBudget.needsAmplification ? ' (needs amplification)' : ''}`);
  for (const q of o.qot ?? []) parts.push(`${o.paths.length > 1 ? `${q.role}: ` : ''}${q.modeId}, GSNR ${db(q.gsnr01nmDb)}, margin ${db(q.marginDb)}${q.regeneratorSiteIds.length > 0 ? `, regen at ${q.regeneratorSiteIds.join(' ')}` : ''}`);
  if (!o.qot && p.wave) parts.push(`${p.wave.format}, ${p.wave.slots} slots`);
  if (o.sharing) parts.push(`legs ${o.sharing.disjointness}-disjoint${o.sharing.siteIds.length + o.sharing.srlgIds.length + o.sharing.spanIds.length > 0 ? ` (share ${[...o.sharing.siteIds, ...o.sharing.srlgIds, ...o.sharing.spanIds].join(' ')})` : ''}`);
  return parts.join('; ');
}

const db = (x: number) => `${x.toFixed(2)} dB`;

/** Human rendering of a quote. */
export function renderQuote(q: Quote): string {
  if (q.options.length === 0) return `Quote ${q.id}: no option meets the request (no path, or no capacity left).`;
  const rows = q.options.map((o) => [
    o.id,
    o.paths.map((p) => p.siteIds.join('>')).join(' | '),
    km(o.lengthKm),
    us(o.latencyUs),
    us(o.latencyLowerBoundUs),
    (o.availability * 100).toFixed(4) + '%',
    usd(o.monthly.amountMinor),
    usd(o.hourly.amountMinor),
    detail(o),
  ]);
  return `Quote ${q.id} (expires ${q.expiresAt})\n` + renderTable(['option', 'path(s)', 'km', 'latency µs', 'floor µs', 'availability', 'monthly', 'hourly', 'detail'], rows);
}

/** `quote <product> <aSite> <zSite>`: price options for a circuit (reserves nothing). */
export function registerQuoteCommand(program: Command): void {
  circuitOptions(
    program
      .command('quote')
      .description('quote a circuit: options with path, latency, availability and price (reserves nothing)')
      .argument('<product>', 'dark-fiber, wave, ethernet or cloud-connect')
      .argument('<aSite>', 'A-end site id')
      .argument('<zSite>', 'Z-end site id'),
  ).action(async (product: string, aSite: string, zSite: string, opts: { bandwidth?: number; protection: string; maxLatencyUs?: number; disjointness?: string; tenant?: string }, cmd: Command) => {
    const q = await withClient(cmd, (c) => c.request<Quote>('POST', '/v1/quotes', { body: specFrom(product, aSite, zSite, opts) }), { tenant: opts.tenant });
    output(cmd, q, () => renderQuote(q));
  });
}
