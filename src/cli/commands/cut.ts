import type { Command } from 'commander';
import type { BatchReport } from '../../services/resilience/index.js';
import { output, renderTable, withServices } from '../context.js';
import { cliPrincipal } from './quote.js';

/** What a failure or repair did, or that its restoration was left to the worker. */
export function outcomeText(b: BatchReport | null): string {
  return b ? batchTable(b) : 'restoration is pending: the background worker finishes it';
}

/** Table of what a restoration batch did, one row per service touched. */
export function batchTable(b: BatchReport): string {
  const rows: (string | number)[][] = [
    ...b.switched.map((id) => [id, 'protection-switched', '']),
    ...b.rerouted.map((r) => [r.id, 'rerouted', `+${r.addedLatencyUs.toFixed(0)} us`]),
    ...b.down.map((d) => [d.id, 'down', d.reason]),
    ...b.restored.map((id) => [id, 'restored', '']),
    ...b.reverted.map((id) => [id, 'reverted', '']),
    ...b.trunksRerouted.map((id) => [id, 'trunk rerouted', '']),
  ];
  const t = b.timings;
  const summary = `batch ${b.batchId}: ${b.examined} services examined; identify ${t.identifyMs.toFixed(1)} ms, plan ${t.planMs.toFixed(1)} ms, write ${t.writeMs.toFixed(1)} ms`;
  return `${rows.length > 0 ? renderTable(['service', 'outcome', 'detail'], rows) + '\n' : ''}${summary}`;
}

function list(v: string, prev: string[]): string[] {
  return [...prev, ...v.split(',').filter((s) => s !== '')];
}

/** `cut SPAN...`: record a failure and restore what it affects. */
export function registerCutCommand(program: Command): void {
  program
    .command('cut')
    .description('record a failure (fiber cut of the given spans, or --srlg / --site events) and restore every affected service')
    .argument('[spans...]', 'span ids that are cut')
    .option('--srlg <ids>', 'SRLG ids that failed (comma-separated, repeatable)', list, [])
    .option('--site <ids>', 'site ids that were lost (comma-separated, repeatable)', list, [])
    .option('--note <text>', 'free text stored with the failure')
    .action(async (spans: string[], opts: { srlg: string[]; site: string[]; note?: string }, cmd: Command) => {
      await withServices(cmd, async (s) => {
        const r = await s.resilience.cut(cliPrincipal(undefined), { spans, srlgs: opts.srlg, sites: opts.site, note: opts.note ?? null });
        // No background worker in a one-shot command: finish a deferred restoration here.
        if (r.restoration === 'pending') await s.worker.runOnce();
        output(cmd, r, () => `failure ${r.failure.id}${r.created ? '' : ' (already recorded)'}: ${r.failure.failedSpans.length} spans down (${r.failure.failedSpans.join(', ')})\n${outcomeText(r.batch)}`);
      });
    });
}
