import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ReachAnswer } from '../../services/paths.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { km, us } from '../format.js';

/** A latency budget: `5000` (µs) or `5ms`. */
export function latencyBudgetUs(v: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|µs|ms)?\s*$/.exec(v);
  if (!m) throw new InvalidArgumentError('must be a latency such as 5000 (µs) or 5ms');
  const n = Number(m[1]) * (m[2] === 'ms' ? 1000 : 1);
  if (!(n > 0)) throw new InvalidArgumentError('must be greater than 0');
  return n;
}

/** `reach SITE --within 5ms`: the latency catchment of a site. */
export function registerReachCommand(program: Command): void {
  program
    .command('reach')
    .description('every site reachable from a site within a one-way latency over the network, nearest first')
    .argument('<from>', 'site id')
    .requiredOption('--within <latency>', 'one-way latency budget: µs (5000) or ms (5ms)', latencyBudgetUs)
    .option('--kinds <kinds>', 'only list these site kinds, e.g. datacenter,cloud-onramp')
    .action(async (from: string, opts: { within: number; kinds?: string }, cmd: Command) => {
      const a = await withClient(cmd, (c) => c.request<ReachAnswer>('GET', '/v1/reach', { query: { from, maxLatencyUs: opts.within, kinds: opts.kinds } }));
      output(cmd, a, () =>
        `${a.sites.length} sites within ${us(a.maxLatencyUs)} µs of ${a.from}${a.kinds ? ` (${a.kinds.join(', ')})` : ''}\n` +
        renderTable(['site', 'kind', 'latency µs', 'km', 'hops', 'route'], a.sites.map((s) => [s.siteId, s.kind, us(s.latencyUs), km(s.lengthKm), s.hops, s.siteIds.join(' → ')])),
      );
    });
}
