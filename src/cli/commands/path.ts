import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { PathAnswer, PathView } from '../../services/paths.js';
import { withClient } from '../client.js';
import { output, renderTable } from '../context.js';
import { km } from '../format.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

const list = (v: string) => v.split(',').filter((x) => x.length > 0);

function describe(a: PathAnswer): string {
  // The API gives µs to 0.1; in ms that is four decimals, shown as given.
  const ms = (us: number) => `${(us / 1000).toFixed(4)} ms`;
  const rows = (ps: PathView[], label: (p: PathView) => string) =>
    ps.map((p) => [label(p), ms(p.latencyUs), km(p.lengthKm), p.hops, p.siteIds.join(' → ')]);
  const head = ['#', 'latency', 'km', 'hops', 'route'];
  const parts = [
    `${a.from} → ${a.to}: great-circle ${km(a.greatCircleKm)} km, physical lower bound ${ms(a.lowerBoundLatencyUs)}`,
    a.paths.length ? renderTable(head, rows(a.paths, (p) => String(p.rank))) : 'no path satisfies the constraints',
  ];
  if (a.diverse) {
    parts.push(`diverse (${a.diverse.mode}): ${a.diverse.status} — ${a.diverse.detail}`);
    if (a.diverse.paths.length) parts.push(renderTable(head, rows(a.diverse.paths, (p) => (p.rank === 1 ? 'work' : 'protect'))));
  }
  return parts.join('\n');
}

/** `path A Z`: k best paths and diverse pairs. */
export function registerPathCommand(program: Command): void {
  program
    .command('path')
    .description('k best paths between two sites, and optionally a diverse pair')
    .argument('<from>', 'site id')
    .argument('<to>', 'site id')
    .option('-k, --k <n>', 'number of paths', positiveInt, 3)
    .option('--metric <metric>', 'latency, length, hops or cost', 'latency')
    .option('--max-latency-us <us>', 'only paths at most this latency', positiveNumber)
    .option('--max-hops <n>', 'only paths with at most this many spans', positiveInt)
    .option('--avoid-srlgs <ids>', 'comma-separated SRLG ids to avoid', list)
    .option('--avoid-sites <ids>', 'comma-separated site ids to avoid', list)
    .option('--avoid-spans <ids>', 'comma-separated span ids to avoid', list)
    .option('--via <ids>', 'comma-separated site ids to pass through, in order', list)
    .option('--diverse <mode>', 'link, node or srlg: also find the best disjoint pair')
    .action(async (from: string, to: string, o: Record<string, unknown>, cmd: Command) => {
      const metric = o.metric as string;
      if (!['latency', 'length', 'hops', 'cost'].includes(metric)) throw new InvalidArgumentError('--metric must be latency, length, hops or cost');
      if (o.diverse !== undefined && !['link', 'node', 'srlg'].includes(o.diverse as string)) {
        throw new InvalidArgumentError('--diverse must be link, node or srlg');
      }
      const csv = (v: unknown) => (v as string[] | undefined)?.join(',');
      const answer = await withClient(cmd, (c) =>
        c.request<PathAnswer>('GET', '/v1/paths', {
          query: {
            from,
            to,
            k: o.k as number,
            metric,
            maxLatencyUs: o.maxLatencyUs as number | undefined,
            maxHops: o.maxHops as number | undefined,
            avoidSrlgs: csv(o.avoidSrlgs),
            avoidSites: csv(o.avoidSites),
            avoidSpans: csv(o.avoidSpans),
            via: csv(o.via),
            diverse: o.diverse as string | undefined,
          },
        }),
      );
      output(cmd, answer, () => describe(answer));
    });
}
