import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { output, withServices } from '../context.js';
import { outcomeText } from './cut.js';
import { cliPrincipal } from './quote.js';

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
      await withServices(cmd, async (s) => {
        const r = await s.resilience.repair(cliPrincipal(undefined), id, { revert: opts.revert });
        if (r.restoration === 'pending') await s.worker.runOnce();
        output(cmd, r, () => `failure ${r.failure.id} repaired at ${r.failure.repairedAt ?? '?'}\n${outcomeText(r.batch)}`);
      });
    });
}
