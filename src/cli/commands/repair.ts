import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { FailureOutcome } from '../../services/resilience/index.js';
import { withClient } from '../client.js';
import { output } from '../context.js';
import { outcomeText } from './cut.js';

/** `repair ID`: mark a failure repaired; services come back and revert per policy. */
export function registerRepairCommand(program: Command): void {
  program
    .command('repair')
    .description('mark a failure repaired: services come back up, rerouted ones revert to their original path (--revert manual to keep them)')
    .argument('<id>', 'failure id (flt_...)')
    .option('--revert <policy>', 'auto | manual', (v: string) => {
      if (v !== 'auto' && v !== 'manual') throw new InvalidArgumentError('must be auto or manual');
      return v;
    }, 'auto')
    .action(async (id: string, opts: { revert: 'auto' | 'manual' }, cmd: Command) => {
      const r = await withClient(cmd, async (c) => {
        const out = await c.request<FailureOutcome>('DELETE', `/v1/failures/${encodeURIComponent(id)}`, { query: { revert: opts.revert } });
        if (out.restoration === 'pending' && !c.remote) await c.settle();
        return out;
      });
      output(cmd, r, () => `failure ${r.failure.id} repaired at ${r.failure.repairedAt ?? '?'}\n${outcomeText(r.batch)}`);
    });
}
