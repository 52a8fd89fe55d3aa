/** Prometheus metrics: process defaults, HTTP request durations, inventory sizes and device reachability read on scrape. */
import client from 'prom-client';
import { allocationStats } from '../services/ordering/common.js';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
}

/** A registry of its own per app, so several apps (tests) never clash on metric names. */
export function createMetrics(
  inventoryCounts: () => Promise<{ sites: number; spans: number; srlgs: number }>,
  deviceReachability: () => Promise<readonly { reachable: boolean | null }[]> = async () => [],
): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'lightpath_' });
  const httpDuration = new client.Histogram({
    name: 'lightpath_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'lightpath_inventory_objects',
    help: 'Objects in the network inventory by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const c = await inventoryCounts();
      this.set({ kind: 'site' }, c.sites);
      this.set({ kind: 'span' }, c.spans);
      this.set({ kind: 'srlg' }, c.srlgs);
    },
  });
  new client.Gauge({
    name: 'lightpath_devices',
    help: 'Registered devices by reachability as this server last saw it (unknown: it does not drive devices, or has not tried yet)',
    labelNames: ['reachability'] as const,
    registers: [registry],
    async collect() {
      const ds = await deviceReachability();
      this.set({ reachability: 'reachable' }, ds.filter((d) => d.reachable === true).length);
      this.set({ reachability: 'unreachable' }, ds.filter((d) => d.reachable === false).length);
      this.set({ reachability: 'unknown' }, ds.filter((d) => d.reachable === null).length);
    },
  });
  // The allocation retry loop's own tallies (process-wide), read on scrape: how often writers lost a
  // race for capacity, and why. Counters only grow, so each scrape adds what happened since the last.
  const tally = (name: string, help: string, read: () => number): void => {
    let seen = 0;
    new client.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read();
        this.inc(now - seen);
        seen = now;
      },
    });
  };
  tally('lightpath_allocation_attempts_total', 'Attempts to plan and write an allocation (orders, changes, restorations, transfers)', () => allocationStats.transactions);
  tally('lightpath_allocation_gave_up_total', 'Allocations refused busy after every attempt lost a race', () => allocationStats.gaveUp);
  const seenByCause: Record<string, number> = {};
  new client.Counter({
    name: 'lightpath_allocation_retries_total',
    help: 'Allocation attempts made again, by cause (SQLSTATE of the conflict, retry-requested, needs-locks, outcome-unknown, own-ids)',
    labelNames: ['cause'] as const,
    registers: [registry],
    collect() {
      for (const [cause, n] of Object.entries(allocationStats.byCause)) {
        this.inc({ cause }, n - (seenByCause[cause] ?? 0));
        seenByCause[cause] = n;
      }
    },
  });
  return { registry, httpDuration };
}
