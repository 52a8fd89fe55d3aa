import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
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
export function specFrom(product: string, aSite: string, zSite: string, o: { bandwidth?: number; protection: string; maxLatencyUs?: number } & BookingOpts): Record<string, unknown> {
  return {
    product,
    aSite,
    zSite,
    ...(o.bandwidth !== undefined ? { bandwidthGbps: o.bandwidth } : {}),
    protection: o.protection,
    ...(o.maxLatencyUs !== undefined ? { maxLatencyUs: o.maxLatencyUs } : {}),
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.end !== undefined ? { end: o.end } : {}),
    ...(o.rrule !== undefined ? { recurrence: { rrule: o.rrule, durationSeconds: o.duration } } : {}),
    ...(o.partial ? { partial: true } : {}),
  };
}

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
    o.paths[0].lossBudget ? `${o.paths[0].lossBudget.lossDb} dB` : (o.paths[0].wave ? `${o.paths[0].wave.format}, ${o.paths[0].wave.slots} slots` : ''),
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
  ).action(async (product: string, aSite: string, zSite: string, opts: { bandwidth?: number; protection: string; maxLatencyUs?: number; tenant?: string }, cmd: Command) => {
    const q = await withClient(cmd, (c) => c.request<Quote>('POST', '/v1/quotes', { body: specFrom(product, aSite, zSite, opts) }), { tenant: opts.tenant });
    output(cmd, q, () => renderQuote(q));
  });
}
