import type { Command } from 'commander';
import type { AvailabilityInterval } from '../../services/ordering/availability.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { num } from './quote.js';
import { windowText } from './order.js';

/** One character per step of [from, to): '█' feasible throughout, '░' not at some instant of it. */
export function availabilityStrip(intervals: readonly AvailabilityInterval[], fromMs: number, toMs: number, steps: number): string {
  const step = (toMs - fromMs) / steps;
  let out = '';
  for (let i = 0; i < steps; i++) {
    const a = fromMs + i * step;
    const b = a + step;
    const ok = intervals.filter((x) => Date.parse(x.start) < b && Date.parse(x.end) > a).every((x) => x.feasible);
    out += ok ? '█' : '░';
  }
  return out;
}

/** `availability <aSite> <zSite>`: when a circuit fits, over the next days. */
export function registerAvailabilityCommand(program: Command): void {
  program
    .command('availability')
    .description('when a circuit fits between two sites: consecutive intervals (default the next 30 days), feasible or not, with how many fit')
    .argument('<aSite>', 'A-end site id')
    .argument('<zSite>', 'Z-end site id')
    .option('--product <p>', 'dark-fiber, wave, ethernet or cloud-connect', 'wave')
    .option('--bandwidth <gbps>', 'wave: 100/400/800; ethernet/cloud-connect: 1..400', num)
    .option('--protection <p>', 'unprotected, protected-1+1 or restorable', 'unprotected')
    .option('--from <time>', 'ISO-8601 UTC (default: now)')
    .option('--to <time>', 'ISO-8601 UTC (default: 30 days after --from)')
    .action(async (aSite: string, zSite: string, opts: { product: string; bandwidth?: number; protection: string; from?: string; to?: string }, cmd: Command) => {
      const res = await withClient(cmd, (c) =>
        c.request<{ from: string; to: string; intervals: AvailabilityInterval[] }>('GET', '/v1/availability', {
          query: { aSite, zSite, product: opts.product, protection: opts.protection, count: true, bandwidthGbps: opts.bandwidth, from: opts.from, to: opts.to },
        }),
      );
      output(cmd, res, () => {
        const rows = res.intervals.map((x) => [windowText(x.start, x.end), x.feasible ? 'yes' : 'no', x.count === undefined ? '' : x.count >= 16 ? '16+' : String(x.count)]);
        const strip = availabilityStrip(res.intervals, Date.parse(res.from), Date.parse(res.to), 60);
        return `${opts.product} ${aSite} -> ${zSite}, ${res.from} .. ${res.to}\n${strip}  (█ fits, ░ does not)\n` + renderTable(['interval (UTC)', 'fits', 'how many'], rows);
      });
    });
}
