/**
 * Capacity plans over the store's network (issue 16): `POST /v1/plans` records the request and a
 * `plan.solve` job in one transaction; the job worker solves it in a worker thread (solve.ts) over the
 * network as the store holds it, reporting progress (`plan.progress` events, the plan's `progress`),
 * and stores the plan document (`plan.completed`) or the reason it failed (`plan.failed`).
 *
 * A done plan is applied as a reviewable inventory change set (engine/planning/change-set.ts):
 * `changes` previews it against the network as it is now, `apply` writes exactly that, in one
 * transaction through the inventory's write path (InventoryService.changeSpans: validation, optics
 * re-check, one audit record per change), and stamps the plan applied in the same transaction, so a
 * plan is applied at most once (a second apply is 409 conflict) and a failed apply changes nothing.
 * Plans are the operator's (routes are operator-only); their events carry no tenant.
 */
import { LightpathError, notFound } from '../../domain/errors.js';
import type { Network } from '../../domain/network.js';
import { planChangeSet, type ChangeSet } from '../../engine/planning/change-set.js';
import type { NetworkPlan } from '../../engine/planning/network-plan.js';
import type { SolveProgress } from '../../engine/planning/solution.js';
import type { Db, Queryable } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import { inventoryVersion, loadNetwork, lockInventoryShared } from '../../store/inventory.js';
import { SOLVE_PLAN } from '../../store/job-kinds.js';
import * as jobs from '../../store/jobs.js';
import * as st from '../../store/plans.js';
import { spanUtilisation } from '../../store/utilisation.js';
import { audit } from '../audit.js';
import { newUlid as ulid } from '../ids.js';
import type { InventoryService } from '../inventory.js';
import type { JobHandler } from '../jobs.js';
import { requestHash } from '../ordering/common.js';
import { SYSTEM_PRINCIPAL, type Principal } from '../ordering/principal.js';
import { pageArgs, toPage, type Page } from '../paging.js';
import { planInput, solverSettings, type PlanRequest } from './request.js';
import { PlanFailure, solveInThread } from './solve.js';

export type { PlanRequest } from './request.js';
export type { PlanState, PlanProgress } from '../../store/plans.js';

/** A plan as the API shows it. */
export interface Plan {
  id: string;
  state: st.PlanState;
  request: PlanRequest;
  progress: st.PlanProgress | null;
  error: { code: string; detail: string } | null;
  /** Inventory version the plan was computed on (null before it runs). */
  inventoryVersion: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  appliedAt: string | null;
  /** The plan document once done; null in lists and before it is done. */
  document: NetworkPlan | null;
}

/** The change set of a plan, as previewed or as applied. */
export interface PlanChanges extends ChangeSet {
  planId: string;
  applied: boolean;
  appliedAt: string | null;
  /** The inventory version the preview was computed on (apply recomputes it under its lock). */
  inventoryVersion: number;
}

export interface PlanServiceOptions {
  /** Least time between two progress reports written (default 1000 ms). */
  progressIntervalMs?: number;
}

/** Cable ids of a plan's change set carry this tag (unique per plan, valid in an inventory id). */
export function planTag(planId: string): string {
  return planId.replace(/_/g, '-').toLowerCase();
}

function view(r: st.PlanRow): Plan {
  return {
    id: r.id,
    state: r.state,
    request: r.request as PlanRequest,
    progress: r.progress,
    error: r.error,
    inventoryVersion: r.inventoryVersion,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    appliedAt: r.appliedAt,
    document: (r.document as NetworkPlan | null) ?? null,
  };
}

const subject = (id: string) => ({ kind: 'plan', id });

export class PlanService {
  private readonly progressIntervalMs: number;

  constructor(
    private readonly db: Db,
    private readonly inventory: InventoryService,
    opts: PlanServiceOptions = {},
  ) {
    this.progressIntervalMs = opts.progressIntervalMs ?? 1000;
  }

  /**
   * Queues a plan (202): the request is checked against the network now (unknown sites, metros,
   * labels are 400 at once), then the plan row and its job are written in one transaction.
   * Idempotent per Idempotency-Key.
   */
  async create(p: Principal, body: PlanRequest, idempotencyKey?: string): Promise<{ plan: Plan; created: boolean }> {
    const hash = requestHash(body);
    const network = await loadNetwork(this.db);
    planInput(network, body);
    return this.db.transaction(async (tx) => {
      if (idempotencyKey) {
        const prior = await st.planByIdempotencyKey(tx, idempotencyKey);
        if (prior) {
          if (prior.requestHash !== hash) throw new LightpathError('idempotency-conflict', 'this Idempotency-Key was used with a different request');
          return { plan: view(prior), created: false };
        }
      }
      const id = `pln_${ulid()}`;
      const row = await st.insertPlan(tx, { id, request: body, createdBy: p.keyId, idempotencyKey: idempotencyKey ?? null, requestHash: hash });
      await jobs.enqueueJobs(tx, [{ kind: SOLVE_PLAN, subject: id }]);
      await audit(tx, p, { action: 'plan.create', subject: subject(id), after: { request: body } });
      await appendEvent(tx, { type: 'plan.queued', tenantId: null, subject: subject(id), data: { planId: id, state: 'queued' } });
      return { plan: view(row), created: true };
    });
  }

  async get(id: string): Promise<Plan> {
    const row = await st.getPlan(this.db, id);
    if (!row) throw notFound('plan', id);
    return view(row);
  }

  /** Plans by id (oldest first), without their documents. */
  async list(req: { limit?: number; cursor?: string; state?: string }): Promise<Page<Plan>> {
    const { limit, after } = pageArgs(req);
    const rows = await st.listPlans(this.db, { after, limit: limit + 1, state: req.state });
    const page = toPage(rows, limit, (r) => r.id);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  private static doneDocument(row: st.PlanRow): NetworkPlan {
    if (row.state !== 'done') throw new LightpathError('conflict', `plan ${row.id} is ${row.state}: only a done plan has a change set`);
    return row.document as NetworkPlan;
  }

  /** The change set the plan's builds make on the network as it is now (or the one it applied). */
  async changes(id: string): Promise<PlanChanges> {
    return this.db.transaction(async (tx) => {
      const version = await lockInventoryShared(tx);
      const row = await st.getPlan(tx, id);
      if (!row) throw notFound('plan', id);
      if (row.appliedAt !== null) return { ...(row.appliedChanges as ChangeSet), planId: id, applied: true, appliedAt: row.appliedAt, inventoryVersion: version };
      const cs = planChangeSet(await loadNetwork(tx), PlanService.doneDocument(row), planTag(id));
      return { ...cs, planId: id, applied: false, appliedAt: null, inventoryVersion: version };
    });
  }

  /**
   * Applies the plan's change set: all of it in one transaction, or nothing (409 conflict when the
   * network no longer takes it, or when the plan was applied already). With `inventoryVersion` (the
   * version a preview was computed on), only if the inventory has not changed since: what is written
   * is then exactly what was reviewed.
   */
  async apply(p: Principal, id: string, opts: { inventoryVersion?: number | undefined } = {}): Promise<PlanChanges> {
    return this.inventory.changeSpans(p, `the change set of plan ${id}`, async (tx: Queryable, network: Network, versionBefore: number) => {
      const row = await st.getPlan(tx, id, true);
      if (!row) throw notFound('plan', id);
      if (row.appliedAt !== null) throw new LightpathError('conflict', `plan ${id} was applied at ${row.appliedAt}; its changes are in the inventory`, undefined, { appliedAt: row.appliedAt });
      if (opts.inventoryVersion !== undefined && opts.inventoryVersion !== versionBefore) {
        throw new LightpathError('conflict', `the inventory changed since the change set was reviewed (version ${opts.inventoryVersion}, now ${versionBefore}); review it again`, undefined, { inventoryVersion: versionBefore });
      }
      const cs = planChangeSet(network, PlanService.doneDocument(row), planTag(id));
      if (cs.conflicts.length > 0) throw new LightpathError('conflict', `plan ${id} no longer fits the inventory: ${cs.conflicts.slice(0, 3).join('; ')}; plan again`, undefined, { conflicts: cs.conflicts });
      if (!(await st.markPlanApplied(tx, id, p.keyId, cs))) throw new LightpathError('conflict', `plan ${id} was applied meanwhile`);
      const version = await inventoryVersion(tx);
      const summary = { spansCreated: cs.changes.filter((c) => c.op === 'span.create').map((c) => c.spanId), spansUpdated: cs.changes.filter((c) => c.op === 'span.update').map((c) => c.spanId), cablesAdded: cs.changes.flatMap((c) => c.cablesAdded), fiberPairsAdded: cs.changes.reduce((n, c) => n + c.fiberPairsAdded, 0) };
      return {
        changes: cs.changes,
        result: { ...cs, planId: id, applied: true, appliedAt: new Date().toISOString(), inventoryVersion: version },
        audit: { action: 'plan.apply', subject: subject(id), after: summary },
        after: async (t) => void (await appendEvent(t, { type: 'plan.applied', tenantId: null, subject: subject(id), data: { planId: id, ...summary } })),
      };
    });
  }

  /** Records the plan's outcome, the job's completion, its audit record and event, in one transaction. */
  private async finish(id: string, outcome: { document: NetworkPlan } | { error: { code: string; detail: string } }, finishJob: (tx: Queryable) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      const changed = await st.finishPlan(tx, id, outcome);
      if (changed) {
        if ('document' in outcome) {
          const d = outcome.document;
          await audit(tx, SYSTEM_PRINCIPAL, { action: 'plan.complete', subject: subject(id), after: { status: d.solver.status, capex: d.capex.total, gap: d.solver.gap } });
          await appendEvent(tx, { type: 'plan.completed', tenantId: null, subject: subject(id), data: { planId: id, state: 'done', status: d.solver.status, capex: d.capex.total, bound: d.solver.bound, gap: d.solver.gap, seconds: d.solver.seconds } });
        } else {
          await audit(tx, SYSTEM_PRINCIPAL, { action: 'plan.fail', subject: subject(id), after: outcome.error });
          await appendEvent(tx, { type: 'plan.failed', tenantId: null, subject: subject(id), data: { planId: id, state: 'failed', ...outcome.error } });
        }
      }
      await finishJob(tx);
    });
  }

  /** The leased job that computes a plan (registered on the shared job worker). */
  solveJob(): JobHandler {
    return {
      kind: SOLVE_PLAN,
      maxAttempts: 3,
      // A solve holds a CPU core for its time limit: one at a time per process, activations go on beside it.
      solo: true,
      run: async (job, ctx) => {
        const id = job.subject;
        const loaded = await this.db.transaction(async (tx) => {
          const version = await lockInventoryShared(tx);
          const row = await st.getPlan(tx, id, true);
          if (!row || row.state === 'done' || row.state === 'failed') return null;
          await st.startPlan(tx, id, version);
          const network = await loadNetwork(tx);
          const used = Object.fromEntries((await spanUtilisation(tx)).map((u) => [u.spanId, u.usedSlots]));
          await appendEvent(tx, { type: 'plan.started', tenantId: null, subject: subject(id), data: { planId: id, state: 'running', inventoryVersion: version, attempt: job.attempts } });
          return { row, network, used };
        });
        if (loaded === null) {
          await this.db.transaction((tx) => ctx.finish(tx));
          return;
        }
        const request = loaded.row.request as PlanRequest;
        let input;
        try {
          input = planInput(loaded.network, request, loaded.used);
        } catch (err) {
          // The network changed between the request and the run (e.g. a site was deleted).
          if (!(err instanceof LightpathError)) throw err;
          await this.finish(id, { error: { code: err.code, detail: err.detail } }, ctx.finish);
          return;
        }
        // Progress: at most one report per interval, written in order, all before the outcome.
        let chain: Promise<void> = Promise.resolve();
        let last = -Infinity;
        const report = (pr: SolveProgress): void => {
          const now = performance.now();
          if (now - last < this.progressIntervalMs) return;
          last = now;
          const progress = { seconds: pr.seconds, primal: pr.primal, dual: pr.dual, gap: pr.gap, nodes: pr.nodes };
          chain = chain
            .then(() =>
              this.db.transaction(async (tx) => {
                await st.setPlanProgress(tx, id, progress);
                await appendEvent(tx, { type: 'plan.progress', tenantId: null, subject: subject(id), data: { planId: id, ...progress, timeLimitSeconds: solverSettings(request).timeLimitSeconds } });
              }),
            )
            .catch(() => {});
        };
        let plan: NetworkPlan;
        try {
          plan = await solveInThread(input, solverSettings(request), { signal: ctx.signal, onProgress: report });
        } catch (err) {
          await chain;
          if (err instanceof PlanFailure) {
            await this.finish(id, { error: { code: err.code, detail: err.detail } }, ctx.finish);
            return;
          }
          throw err;
        }
        await chain;
        await this.finish(id, { document: plan }, ctx.finish);
      },
      giveUp: async (job, error, ctx) => {
        await this.finish(job.subject, { error: { code: 'internal', detail: `the plan could not be computed: ${error}` } }, ctx.finish);
      },
    };
  }
}
