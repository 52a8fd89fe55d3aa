import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ResilienceService } from '../../services/resilience/index.js';
import { output, withServices } from '../context.js';
import { batchTable } from './cut.js';

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
        const r = await new ResilienceService(s.db).repair(id, { revert: opts.revert });
        output(cmd, r, () => `failure ${r.failure.id} repaired at ${r.failure.repairedAt ?? '?'}\n${batchTable(r.batch)}`);
      });
    });
}
