import type { Command } from 'commander';
import type { BatchReport, FailureOutcome } from '../../services/resilience/index.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { us } from '../format.js';

/** What a failure or repair did, or that its restoration was left to the worker. */
export function outcomeText(b: BatchReport | null): string {
  return b ? batchTable(b) : 'restoration is pending: the background worker finishes it';
}

/** Table of what a restoration batch did, one row per service touched. */
export function batchTable(b: BatchReport): string {
  const rows: (string | number)[][] = [
    ...b.switched.map((id) => [id, 'protection-switched', '']),
    ...b.rerouted.map((r) => [r.id, 'rerouted', `+${us(r.addedLatencyUs)} µs`]),
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
      const r = await withClient(cmd, async (c) => {
        const out = await c.request<FailureOutcome>('POST', '/v1/failures', { body: { spans, srlgs: opts.srlg, sites: opts.site, ...(opts.note !== undefined ? { note: opts.note } : {}) } });
        // No background worker in a one-shot command without a server: finish a deferred restoration here.
        if (out.restoration === 'pending' && !c.remote) await c.settle();
        return out;
      });
      output(cmd, r, () => `failure ${r.failure.id}${r.created ? '' : ' (already recorded)'}: ${r.failure.failedSpans.length} spans down (${r.failure.failedSpans.join(', ')})\n${outcomeText(r.batch)}`);
    });
}
