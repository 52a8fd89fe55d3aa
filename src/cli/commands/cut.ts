import type { Command } from 'commander';
import { ResilienceService, type BatchReport } from '../../services/resilience/index.js';
import { output, renderTable, withServices } from '../context.js';

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
        const r = await new ResilienceService(s.db).cut({ spans, srlgs: opts.srlg, sites: opts.site, note: opts.note ?? null });
        output(cmd, r, () => `failure ${r.failure.id}: ${r.failure.failedSpans.length} spans down (${r.failure.failedSpans.join(', ')})\n${batchTable(r.batch)}`);
      });
    });
}
