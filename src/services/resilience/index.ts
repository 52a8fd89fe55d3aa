/**
 * Resilience use cases: record a failure (cut, SRLG event, site loss), then restore every affected
 * service; repair it and bring services back (reverting when the policy says so); manual revert; SLA
 * availability; what-if analysis on live data.
 *
 * A failure is recorded first, in its own short transaction, idempotently (the same cut posted twice
 * is one failure), together with a `restoration.run` job: restoration, which can be long and can lose
 * races with orders, follows in its own transaction and is retried by the job worker until it
 * succeeds, so a failure is never lost because restoration was hard. The request that records a
 * failure also runs a restoration pass at once when it can, so its answer usually carries the result.
 */
import { newUlid as ulid } from '../ids.js';
import { LightpathError, notFound, validationFailed } from '../../domain/errors.js';
import type { Db, Queryable } from '../../store/db.js';
import * as fs from '../../store/failures.js';
import { lockInventoryExclusive, lockInventoryShared } from '../../store/inventory.js';
import * as jobs from '../../store/jobs.js';
import * as st from '../../store/ordering.js';
import { appendEventsBulk } from '../../store/resilience.js';
import { audit } from '../audit.js';
import type { JobHandler } from '../jobs.js';
import { RESTORATION_JOB } from '../../store/job-kinds.js';
import { withAllocationRetry, pageArgs, toPage, type Page } from '../ordering/common.js';
import { NetworkViewCache, type NetworkView } from '../ordering/network-view.js';
import type { Principal } from '../ordering/principal.js';
import { tenantScope } from '../ordering/principal.js';
import { analyzeLive, resolveSpec, scenariosOf, type FailureSpec, type ServiceWhatIf } from './analysis.js';
import { availabilityOf, downtimeMs } from './availability.js';
import { runBatch, type BatchReport } from './reconcile.js';
import { replanBookings, type BookingsReport } from '../ordering/changes.js';
import { createOrderingContext, type OrderingContext, type OrderingOptions } from '../ordering/context.js';
import { SYSTEM_PRINCIPAL } from '../ordering/principal.js';

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
  /** Told when a restoration pass could not run at once and was left to the worker. */
  onRestoreDeferred?: (err: unknown) => void;
  /** Ordering settings used to re-plan bookings that have not started (k paths, activation lead). */
  ordering?: OrderingOptions;
  /**
   * Runs at the end of every restoration batch, in its transaction (the inventory version still
   * share-locked): bulk transfers re-plan around the trunks the batch could not route around.
   */
  afterBatch?: (tx: Queryable, report: BatchReport) => Promise<void>;
  /**
   * Add/drop ports free per ROADM site (the NETCONF driver's port claims against the devices'
   * equipment): restoration puts no regenerator where two are not free. Default: not limited.
   */
  addDropFree?: (q: Queryable, view: NetworkView) => Promise<Map<string, number>>;
}

/** A restoration pass's report, with what it did to bookings that have not started yet. */
export type RestorationReport = BatchReport & { bookings: BookingsReport };

/** A failure as the API shows it. */
export interface Failure {
  id: string;
  spans: string[];
  srlgs: string[];
  sites: string[];
  failedSpans: string[];
  note: string | null;
  /** operator (API, CLI) or device (correlated loss-of-signal alarms). */
  source: 'operator' | 'device';
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

export { RESTORATION_JOB } from '../../store/job-kinds.js';

/** What recording a failure (or a repair) answers. */
export interface FailureOutcome {
  failure: Failure;
  /** False when the same failure was already open (a repeated post). */
  created: boolean;
  /** The restoration pass run at once, or null when it is left to the job worker (still pending). */
  batch: BatchReport | null;
  restoration: 'done' | 'pending';
}

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
  private readonly booking: OrderingContext;

  constructor(
    private readonly db: Db,
    private readonly opts: ResilienceOptions = {},
  ) {
    this.views = opts.views ?? new NetworkViewCache();
    this.revertPolicy = opts.revert ?? 'auto';
    this.booking = createOrderingContext(db, opts.ordering);
  }

  /**
   * One restoration pass (with the bounded extra passes below) in one transaction, planned on the
   * network as it is and will stay until commit: the inventory-version row is share-locked first, so
   * no failure, repair or inventory change commits in between (see migration 006). `finish` records,
   * in the same transaction, that the pending restoration job is done.
   */
  private async batch(revert: boolean, revertOnly: readonly string[] | undefined, finish: (tx: Queryable) => Promise<void>): Promise<RestorationReport> {
    return withAllocationRetry(this.db, async (tx) => {
      const version = await lockInventoryShared(tx);
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RESILIENCE_LOCK_KEY]);
      const view = await this.views.at(tx, version);
      // One count for every pass: the devices' ports are claimed later, when the moves are configured.
      const addDropFree = await this.opts.addDropFree?.(tx, view);
      const opts = {
        batchId: `rst_${ulid()}`,
        revert,
        ...(addDropFree ? { addDropFree } : {}),
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
      // Bookings that have not started are planned around the failure for their own windows.
      const bookings = await replanBookings(this.booking, SYSTEM_PRINCIPAL, tx, view);
      if (this.opts.afterBatch) await this.opts.afterBatch(tx, report);
      await finish(tx);
      return { ...report, bookings };
    });
  }

  /**
   * Runs a restoration pass now for everything the current failures and repairs ask for. A pending
   * restoration job that no worker holds is done by this pass (it saw every failure committed before
   * it), so it is removed in the same transaction.
   */
  async restore(): Promise<RestorationReport> {
    return this.batch(this.revertPolicy === 'auto', undefined, (tx) => jobs.deleteUnleasedJob(tx, RESTORATION_JOB.kind, RESTORATION_JOB.subject));
  }

  /** The leased job that restores after failures and repairs (run by the background worker, retried until it succeeds). */
  restorationJob(): JobHandler {
    return {
      kind: RESTORATION_JOB.kind,
      maxAttempts: 1_000_000,
      run: async (_job, ctx) => {
        await this.batch(this.revertPolicy === 'auto', undefined, ctx.finish);
      },
    };
  }

  /** A restoration pass at once, or null (left to the worker) when it cannot finish now. */
  private async restoreNowIfPossible(): Promise<RestorationReport | null> {
    try {
      return await this.restore();
    } catch (err) {
      this.opts.onRestoreDeferred?.(err);
      return null;
    }
  }

  /**
   * Records a failure (idempotent: an open failure naming the same spans, SRLGs and sites is returned
   * as it is), then restores what it affects.
   */
  async cut(p: Principal, input: FailureSpec & { note?: string | null; source?: 'operator' | 'device' }): Promise<FailureOutcome> {
    const sorted = (xs: readonly string[] | undefined): string[] => [...new Set(xs ?? [])].sort();
    const spec = { spans: sorted(input.spans), srlgs: sorted(input.srlgs), sites: sorted(input.sites) };
    const recorded = await this.db.transaction(async (tx) => {
      // The version row for update first: the failure set is part of the network every plan is made on.
      const version = await lockInventoryExclusive(tx);
      const view = await this.views.at(tx, version);
      const failedSpans = resolveSpec(view, spec).map((e) => view.graph.spanIds[e]);
      const open = await fs.openFailureLike(tx, spec);
      if (open) return { failure: open, created: false };
      const failure = await fs.insertFailure(tx, { id: `flt_${ulid()}`, ...spec, failedSpans, note: input.note ?? null, source: input.source ?? 'operator' });
      await jobs.enqueueJobs(tx, [RESTORATION_JOB]);
      await audit(tx, p, { action: 'failure.record', subject: { kind: 'failure', id: failure.id }, after: { ...spec, failedSpans, note: failure.note, source: failure.source } });
      await appendEventsBulk(tx, failedSpans.map((id) => ({ type: 'span.failed', tenantId: null, subject: { kind: 'span', id }, data: { spanId: id, failureId: failure.id } })));
      return { failure, created: true };
    });
    const batch = recorded.created ? await this.restoreNowIfPossible() : null;
    return { failure: toFailure(recorded.failure), created: recorded.created, batch, restoration: batch || !recorded.created ? 'done' : 'pending' };
  }

  /** Marks a failure repaired; services come back, reverting per policy (override with revert). */
  async repair(p: Principal, id: string, opts: { revert?: RevertPolicy } = {}): Promise<FailureOutcome> {
    await this.db.transaction(async (tx) => {
      await lockInventoryExclusive(tx);
      const f = await fs.getFailure(tx, id, true);
      if (!f) throw notFound('failure', id);
      if (f.repairedAt) throw new LightpathError('conflict', `failure ${id} was already repaired at ${f.repairedAt}`);
      await fs.repairFailure(tx, id);
      // A span stays failed while another open failure holds it.
      const still = new Set(await fs.failedSpanIds(tx));
      const back = f.failedSpans.filter((s) => !still.has(s));
      await jobs.enqueueJobs(tx, [RESTORATION_JOB]);
      await audit(tx, p, { action: 'failure.repair', subject: { kind: 'failure', id }, before: { repairedAt: null }, after: { repairedSpans: back, revert: opts.revert ?? this.revertPolicy } });
      await appendEventsBulk(tx, back.map((s) => ({ type: 'span.repaired', tenantId: null, subject: { kind: 'span', id: s }, data: { spanId: s, failureId: id } })));
    });
    const revert = (opts.revert ?? this.revertPolicy) === 'auto';
    let batch: BatchReport | null;
    try {
      batch = await this.batch(revert, undefined, (tx) => jobs.deleteUnleasedJob(tx, RESTORATION_JOB.kind, RESTORATION_JOB.subject));
    } catch (err) {
      this.opts.onRestoreDeferred?.(err);
      batch = null;
    }
    return { failure: toFailure((await fs.getFailure(this.db, id)) as fs.FailureRow), created: true, batch, restoration: batch ? 'done' : 'pending' };
  }

  /** Moves one rerouted service back to its original path now (manual revert policy). */
  async revert(p: Principal, serviceId: string): Promise<BatchReport> {
    const svc = await st.getService(this.db, serviceId, undefined);
    if (!svc) throw notFound('service', serviceId);
    return this.batch(true, [serviceId], (tx) => audit(tx, p, { action: 'service.revert', subject: { kind: 'service', id: serviceId }, tenantId: svc.tenantId }));
  }

  /** Re-runs restoration for the current failures (e.g. after capacity was freed). */
  async reconcile(): Promise<BatchReport> {
    return this.restore();
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
