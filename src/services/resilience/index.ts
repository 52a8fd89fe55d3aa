/**
 * Resilience use cases: record a failure (cut, SRLG event, site loss) and restore every affected service
 * in the same transaction; repair it and bring services back (reverting when the policy says so); manual
 * revert; SLA availability; what-if analysis on live data.
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, notFound, validationFailed } from '../../domain/errors.js';
import type { Db, Queryable } from '../../store/db.js';
import * as fs from '../../store/failures.js';
import * as st from '../../store/ordering.js';
import { appendEventsBulk } from '../../store/resilience.js';
import { withAllocationRetry, pageArgs, toPage, type Page } from '../ordering/common.js';
import { NetworkViewCache } from '../ordering/network-view.js';
import type { Principal } from '../ordering/principal.js';
import { tenantScope } from '../ordering/principal.js';
import { analyzeLive, resolveSpec, scenariosOf, type FailureSpec, type ServiceWhatIf } from './analysis.js';
import { availabilityOf, downtimeMs } from './availability.js';
import { runBatch, type BatchReport } from './reconcile.js';

export type { BatchReport } from './reconcile.js';
export type { FailureSpec, ServiceWhatIf } from './analysis.js';
export { availabilityOf, downtimeMs } from './availability.js';

/** Operator policy: whether rerouted services go back to their original path on repair by themselves. */
export type RevertPolicy = 'auto' | 'manual';

/** Settings. */
export interface ResilienceOptions {
  revert?: RevertPolicy;
  views?: NetworkViewCache;
  /** Timing clock (benchmarks). */
  now?: () => number;
  onPlanned?: (ms: number) => void;
}

/** A failure as the API shows it. */
export interface Failure {
  id: string;
  spans: string[];
  srlgs: string[];
  sites: string[];
  failedSpans: string[];
  note: string | null;
  startedAt: string;
  repairedAt: string | null;
}

/** Availability of a service over [from, to). */
export interface Availability {
  serviceId: string;
  from: string;
  to: string;
  downtimeSeconds: number;
  availability: number;
  outages: { startedAt: string; endedAt: string | null; cause: string | null }[];
}

// Arbitrary constant: one restoration batch at a time per database, so two cuts never plan on stale state.
const RESILIENCE_LOCK_KEY = 7_310_550_040;

/** Restoration passes per batch at most (see batch). */
const MAX_PASSES = 3;

/** A report covering two passes: everything either did; what is down is what the later pass left down. */
function merge(a: BatchReport, b: BatchReport): BatchReport {
  const restoredLater = new Set([...b.rerouted.map((r) => r.id), ...b.restored, ...b.switched]);
  return {
    batchId: a.batchId,
    failedSpans: a.failedSpans,
    examined: a.examined,
    switched: [...a.switched, ...b.switched],
    rerouted: [...a.rerouted, ...b.rerouted],
    down: a.down.filter((d) => !restoredLater.has(d.id)),
    restored: [...a.restored, ...b.restored],
    reverted: [...a.reverted, ...b.reverted],
    trunksRerouted: [...a.trunksRerouted, ...b.trunksRerouted],
    timings: {
      identifyMs: a.timings.identifyMs + b.timings.identifyMs,
      loadMs: a.timings.loadMs + b.timings.loadMs,
      planMs: a.timings.planMs + b.timings.planMs,
      writeMs: a.timings.writeMs + b.timings.writeMs,
    },
  };
}

function toFailure(r: fs.FailureRow): Failure {
  return { ...r };
}

/** The resilience use cases over one database. */
export class ResilienceService {
  readonly views: NetworkViewCache;
  private readonly revertPolicy: RevertPolicy;

  constructor(
    private readonly db: Db,
    private readonly opts: ResilienceOptions = {},
  ) {
    this.views = opts.views ?? new NetworkViewCache();
    this.revertPolicy = opts.revert ?? 'auto';
  }

  private async batch(fn: (tx: Queryable) => Promise<string[] | null>, revert: boolean, revertOnly?: readonly string[], spanEvent?: string): Promise<BatchReport & { spans: string[] | null }> {
    return withAllocationRetry(this.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RESILIENCE_LOCK_KEY]);
      const spans = await fn(tx);
      const view = await this.views.get(tx);
      const opts = {
        batchId: `rst_${ulid()}`,
        revert,
        ...(revertOnly ? { revertOnly } : {}),
        ...(this.opts.now ? { now: this.opts.now } : {}),
        ...(this.opts.onPlanned ? { onPlanned: this.opts.onPlanned } : {}),
      };
      let report = await runBatch(tx, view, opts);
      // Make-before-break keeps old paths held while planning; once they are released, services lost for
      // capacity may fit. A further pass in the same transaction catches them (bounded).
      for (let pass = 1; pass < MAX_PASSES && report.down.some((d) => d.reason === 'no-capacity') && (report.rerouted.length > 0 || report.reverted.length > 0); pass++) {
        const more = await runBatch(tx, view, { ...opts, batchId: `rst_${ulid()}`, revert: false });
        if (more.rerouted.length + more.restored.length + more.switched.length === 0) break;
        report = merge(report, more);
      }
      if (spans && spanEvent) await appendEventsBulk(tx, spans.map((id) => ({ type: spanEvent, tenantId: null, subject: { kind: 'span', id }, data: { spanId: id } })));
      return { ...report, spans };
    });
  }

  /** Records a failure and restores everything it affects, in one transaction. */
  async cut(input: FailureSpec & { note?: string | null }): Promise<{ failure: Failure; batch: BatchReport }> {
    const id = `flt_${ulid()}`;
    let failure: fs.FailureRow | null = null;
    const batch = await this.batch(
      async (tx) => {
        const view = await this.views.get(tx);
        const spans = resolveSpec(view, input).map((e) => view.graph.spanIds[e]);
        failure = await fs.insertFailure(tx, { id, spans: input.spans ?? [], srlgs: input.srlgs ?? [], sites: input.sites ?? [], failedSpans: spans, note: input.note ?? null });
        return spans;
      },
      this.revertPolicy === 'auto',
      undefined,
      'span.failed',
    );
    return { failure: toFailure(failure as unknown as fs.FailureRow), batch };
  }

  /** Marks a failure repaired; services come back, reverting per policy (override with revert). */
  async repair(id: string, opts: { revert?: RevertPolicy } = {}): Promise<{ failure: Failure; batch: BatchReport }> {
    const revert = (opts.revert ?? this.revertPolicy) === 'auto';
    const batch = await this.batch(
      async (tx) => {
        const f = await fs.getFailure(tx, id, true);
        if (!f) throw notFound('failure', id);
        if (f.repairedAt) throw new LightpathError('conflict', `failure ${id} was already repaired at ${f.repairedAt}`);
        await fs.repairFailure(tx, id);
        // A span stays failed while another open failure holds it.
        const still = new Set(await fs.failedSpanIds(tx));
        return f.failedSpans.filter((s) => !still.has(s));
      },
      revert,
      undefined,
      'span.repaired',
    );
    return { failure: toFailure((await fs.getFailure(this.db, id)) as fs.FailureRow), batch };
  }

  /** Moves one rerouted service back to its original path now (manual revert policy). */
  async revert(serviceId: string): Promise<BatchReport> {
    const svc = await st.getService(this.db, serviceId, undefined);
    if (!svc) throw notFound('service', serviceId);
    return this.batch(async () => null, true, [serviceId]);
  }

  /** Re-runs restoration for the current failures (e.g. after capacity was freed). */
  async reconcile(): Promise<BatchReport> {
    return this.batch(async () => null, this.revertPolicy === 'auto');
  }

  /** A failure by id. */
  async getFailure(id: string): Promise<Failure> {
    const f = await fs.getFailure(this.db, id);
    if (!f) throw notFound('failure', id);
    return toFailure(f);
  }

  /** Page of failures; open = unrepaired only. */
  async listFailures(req: { limit?: number; cursor?: string; open?: boolean }): Promise<Page<Failure>> {
    const { limit, after } = pageArgs(req);
    const rows = await fs.listFailures(this.db, { after, limit: limit + 1, open: req.open ?? false });
    return toPage(rows.map(toFailure), limit);
  }

  /** Downtime and availability of a service over [from, to) (default: since it was created, until now). */
  async availability(p: Principal, serviceId: string, range: { from?: string; to?: string } = {}): Promise<Availability> {
    const svc = await st.getService(this.db, serviceId, tenantScope(p));
    if (!svc) throw notFound('service', serviceId);
    const from = range.from ?? svc.createdAt;
    const to = range.to ?? (await fs.dbNow(this.db));
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
      throw validationFailed('invalid window', [{ path: '/from', message: 'from and to must be ISO-8601 times with from < to' }]);
    }
    const outages = await fs.outagesBetween(this.db, serviceId, new Date(fromMs).toISOString(), new Date(toMs).toISOString());
    const ms = outages.map((o) => ({ startMs: Date.parse(o.startedAt), endMs: o.endedAt === null ? null : Date.parse(o.endedAt) }));
    return {
      serviceId,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      downtimeSeconds: downtimeMs(ms, fromMs, toMs) / 1000,
      availability: availabilityOf(ms, fromMs, toMs),
      outages: outages.map((o) => ({ startedAt: o.startedAt, endedAt: o.endedAt, cause: o.cause })),
    };
  }

  /** What-if: each scenario's effect on every live service, computed without changing anything. */
  async analyze(input: { scenario: 'all-single-spans' | 'all-single-srlgs' | FailureSpec[] }): Promise<ServiceWhatIf[]> {
    const view = await this.views.get(this.db);
    const scenarios = scenariosOf(view, input.scenario);
    return analyzeLive(this.db, view, scenarios);
  }
}
