/**
 * The background-work runner: leases due jobs from the database (store/jobs.ts), runs each with its
 * kind's handler, keeps the lease alive while the handler works, and gives a job back with a backoff
 * when its handler fails (or hands it to the handler's `giveUp` after the last attempt). Work survives
 * a crash: a job leased by a process that died becomes due again when its lease expires, and any
 * process (this one restarted, or another replica) takes it over. Handlers are idempotent and record
 * their outcome with `ctx.finish(tx)` in the outcome's own transaction, which is fenced by the lease:
 * if another worker took the job over meanwhile, the outcome's transaction rolls back.
 *
 * Why a small lease table and not pg-boss or graphile-worker: a job must be written in the same
 * statement as the order it activates (the order write is one combined statement, see
 * store/ordering.ts), which would mean writing into a library's private tables; graphile-worker needs
 * LISTEN/NOTIFY and its own pg pool, which embedded PGlite does not offer; and the whole mechanism here
 * is four statements (lease, renew, finish, give back) that behave the same on PGlite, a server and a
 * transaction-mode pooler.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Db, Queryable } from '../store/db.js';
import { isConnectionError } from '../store/errors.js';
import * as jobs from '../store/jobs.js';

export type { JobRow } from '../store/jobs.js';

/** Thrown when a job's lease was taken over: its outcome must not be recorded. */
export class LeaseLostError extends Error {
  constructor(job: jobs.JobRow) {
    super(`lease on job ${job.kind} ${job.subject} was taken over`);
    this.name = 'LeaseLostError';
  }
}

/** What a handler gets besides the job. */
export interface JobContext {
  /** Deletes the job in the caller's transaction; throws LeaseLostError (rolling it back) when the lease is gone. */
  finish(tx: Queryable): Promise<void>;
  /** Aborted when the worker is closing or the lease was lost. */
  signal: AbortSignal;
}

/** How one kind of job is done. */
export interface JobHandler {
  kind: string;
  /** Does the work (idempotently) and records its outcome with ctx.finish in the same transaction. */
  run(job: jobs.JobRow, ctx: JobContext): Promise<void>;
  /** After the last failed attempt: record the final outcome (e.g. fail the order) with ctx.finish. */
  giveUp?(job: jobs.JobRow, error: string, ctx: JobContext): Promise<void>;
  /** Attempts before giving up (default 8). */
  maxAttempts?: number;
  /**
   * Optional: runs several due jobs of this kind together (work that is cheaper done at once, such as
   * a restoration's device reconfigurations: one commit per device instead of one per job). A lane
   * that leases one such job leases up to `batchSize` due ones of the kind in the same query and
   * hands them all here. Resolves with one outcome per job, in order: undefined when it is done
   * (recorded with its ctx.finish), else its error, which is handled as `run`'s would be.
   */
  runBatch?(items: readonly { job: jobs.JobRow; ctx: JobContext }[]): Promise<unknown[]>;
  /** Most jobs handed to runBatch at once (default 256). */
  batchSize?: number;
  /**
   * At most one job of this kind at a time per worker (long CPU-bound work such as a plan solve): only
   * the worker's first lane leases it, so the other lanes stay free for short jobs (activations).
   */
  solo?: boolean;
}

/** Worker settings. */
export interface JobWorkerOptions {
  /** Idle poll interval (default 200 ms). */
  pollMs?: number;
  /** Jobs run at once (default 4). */
  concurrency?: number;
  /** Lease length (default LIGHTPATH_JOB_LEASE_SECONDS or 15 s); renewed every third of it while a job runs. */
  leaseSeconds?: number;
  /** Called when the loop itself fails unexpectedly (the job stays leased until its lease expires). */
  onError?: (err: unknown) => void;
}

/** Backoff before attempt n+1, in seconds: 0.5, 1, 2, ... up to 60. */
export function backoffSeconds(attempt: number): number {
  return Math.min(60, 0.5 * 2 ** Math.max(0, attempt - 1));
}

function leaseFromEnv(): number {
  const v = Number(process.env.LIGHTPATH_JOB_LEASE_SECONDS ?? 15);
  return Number.isFinite(v) && v >= 1 ? v : 15;
}

/** Runs leased jobs of the kinds it has handlers for. */
export class JobWorker {
  /** Identifies this process's leases (host, pid and a random part). */
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  readonly leaseSeconds: number;
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wake: (() => void) | null = null;
  private readonly closing = new AbortController();
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly onError: (err: unknown) => void;
  /** Jobs done, given back and given up since start (tests, metrics). */
  readonly stats = { done: 0, retried: 0, gaveUp: 0, leaseLost: 0, handedBack: 0 };
  /** Jobs running here now, by id (what a drain hands back). */
  private readonly active = new Map<number, jobs.JobRow>();

  constructor(
    protected readonly db: Db,
    handlers: readonly JobHandler[],
    opts: JobWorkerOptions = {},
  ) {
    for (const h of handlers) this.handlers.set(h.kind, h);
    this.pollMs = opts.pollMs ?? 200;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.leaseSeconds = opts.leaseSeconds ?? leaseFromEnv();
    this.onError = opts.onError ?? (() => {});
  }

  /** Adds handlers (before start). */
  register(...handlers: JobHandler[]): void {
    for (const h of handlers) this.handlers.set(h.kind, h);
  }

  /** Runs every job due now (and any becoming due meanwhile) to completion; returns how many it ran. */
  async runOnce(): Promise<number> {
    let handled = 0;
    const all = [...this.handlers.keys()];
    const shared = all.filter((k) => this.handlers.get(k)?.solo !== true);
    // Lanes start as work shows up: one lane looks first, and each lease taken starts another lane
    // (up to `concurrency`). An idle poll is then one query, not one per lane: with many lanes and a
    // short poll interval, idle lanes polling the store at once took the CPU from the jobs running.
    const busy = new Set<number>();
    const lanes: Promise<void>[] = [];
    // A lane that fails (the store went away) ends; the others run to their end, then the first error is
    // thrown. Each lane's rejection is taken here as it happens, so none is left unhandled while an
    // earlier lane is still being awaited.
    let failed: { err: unknown } | null = null;
    const spawn = (): void => {
      if (busy.size >= this.concurrency) return;
      let index = 0;
      while (busy.has(index)) index++;
      busy.add(index);
      lanes.push(
        lane(index)
          .catch((err: unknown) => {
            failed ??= { err };
          })
          .finally(() => busy.delete(index)),
      );
    };
    const lane = async (index: number): Promise<void> => {
      // Solo kinds only on the first lane: at most one of each runs at a time.
      const kinds = index === 0 ? all : shared;
      if (kinds.length === 0) return;
      while (!this.closing.signal.aborted) {
        const [job] = await jobs.leaseJobs(this.db, { kinds, owner: this.owner, tokens: [crypto.randomUUID()], leaseSeconds: this.leaseSeconds });
        if (!job) return;
        const batch = [job];
        const handler = this.handlers.get(job.kind);
        if (handler?.runBatch) {
          const more = Math.max(0, (handler.batchSize ?? 256) - 1);
          const tokens = Array.from({ length: more }, () => crypto.randomUUID());
          batch.push(...(await jobs.leaseJobs(this.db, { kinds: [job.kind], owner: this.owner, tokens, leaseSeconds: this.leaseSeconds })));
        }
        spawn();
        await this.process(batch);
        handled += batch.length;
      }
    };
    spawn();
    for (let i = 0; i < lanes.length; i++) await lanes[i];
    if (failed !== null) throw (failed as { err: unknown }).err;
    return handled;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.runOnce();
        } catch (err) {
          this.onError(err);
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.pollMs);
        });
      }
    })();
  }

  /** Asks the loop to look now (after work was enqueued). */
  poke(): void {
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  /**
   * Stops the loop and waits for running jobs to record their outcome. With `handBackAfterMs` (a drain),
   * jobs still running after that long are handed back: their handlers are aborted and their leases
   * released in the database, so another replica takes them up at once instead of after the lease
   * expires. A handler that finishes later anyway cannot record an outcome (its lease token is gone).
   */
  async close(opts: { handBackAfterMs?: number } = {}): Promise<void> {
    this.running = false;
    this.poke();
    const loop = this.loop ?? Promise.resolve();
    if (opts.handBackAfterMs !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = await Promise.race([loop.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), opts.handBackAfterMs)))]);
      clearTimeout(timer);
      if (late) {
        this.closing.abort();
        await this.handBack();
        // A handler that ignores the abort is not waited for: its job belongs to the queue again and
        // its outcome would be refused by the lease fence.
        await Promise.race([loop, new Promise((r) => setTimeout(r, 500).unref())]);
        this.loop = null;
        return;
      }
    }
    await loop;
    this.loop = null;
  }

  /** Releases the leases of the jobs running here (due again now); returns how many it released. */
  async handBack(): Promise<number> {
    const held = [...this.active.values()];
    let n = 0;
    for (const job of held) {
      try {
        if (await jobs.releaseJob(this.db, job.id, job.leaseToken, { error: 'handed back: the worker was shutting down', retryInSeconds: 0 })) n++;
      } catch (err) {
        // The database is gone: the lease expires on its own.
        this.onError(err);
      }
    }
    this.stats.handedBack += n;
    return n;
  }

  /** Runs leased jobs of one kind (several only for a handler with runBatch) and records each outcome. */
  private async process(batch: readonly jobs.JobRow[]): Promise<void> {
    const handler = this.handlers.get(batch[0].kind);
    if (!handler) return;
    const items = batch.map((job) => {
      const lost = new AbortController();
      const ctx: JobContext = {
        signal: AbortSignal.any([lost.signal, this.closing.signal]),
        finish: async (tx) => {
          if (!(await jobs.finishJob(tx, job.id, job.leaseToken))) throw new LeaseLostError(job);
        },
      };
      return { job, ctx, lost };
    });
    // Renew the leases while the handler works, so a long job is not taken over from a live worker.
    const renew = setInterval(() => {
      jobs
        .extendLeases(
          this.db,
          items.map((i) => ({ id: i.job.id, token: i.job.leaseToken })),
          this.leaseSeconds,
        )
        .then((ids) => {
          const held = new Set(ids);
          for (const i of items) if (!held.has(i.job.id)) i.lost.abort();
        })
        .catch(() => {});
    }, Math.max(200, (this.leaseSeconds * 1000) / 3));
    for (const i of items) this.active.set(i.job.id, i.job);
    try {
      let outcomes: unknown[];
      if (handler.runBatch) {
        try {
          outcomes = await handler.runBatch(items.map(({ job, ctx }) => ({ job, ctx })));
        } catch (err) {
          outcomes = items.map(() => err);
        }
      } else {
        outcomes = [await handler.run(items[0].job, items[0].ctx).then(() => undefined, (err: unknown) => err ?? new Error('failed'))];
      }
      for (const [k, { job, ctx }] of items.entries()) {
        const err = outcomes[k];
        if (err === undefined) this.stats.done++;
        else if (err instanceof LeaseLostError) this.stats.leaseLost++;
        else await this.failed(handler, job, ctx, err);
      }
    } finally {
      clearInterval(renew);
      for (const i of items) this.active.delete(i.job.id);
    }
  }

  private async failed(handler: JobHandler, job: jobs.JobRow, ctx: JobContext, err: unknown): Promise<void> {
    // Aborted by a drain: the job is handed back (handBack), never given up because the process stops.
    if (this.closing.signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    const max = handler.maxAttempts ?? 8;
    try {
      if (job.attempts >= max && !isConnectionError(err)) {
        this.stats.gaveUp++;
        if (handler.giveUp) await handler.giveUp(job, message, ctx);
        else await jobs.releaseJob(this.db, job.id, job.leaseToken, { error: message, retryInSeconds: null });
        return;
      }
      this.stats.retried++;
      await jobs.releaseJob(this.db, job.id, job.leaseToken, { error: message, retryInSeconds: backoffSeconds(job.attempts) });
    } catch (e) {
      // The database is gone too: the lease expires and the job is taken up again later.
      if (!(e instanceof LeaseLostError)) this.onError(e);
    }
  }
}
