/**
 * SQL for leased background work (table `jobs`, migration 006). A job is one piece of work on one
 * subject (`order.activate` of ord_…, `failure.restore` of flt_…). Workers lease due jobs with
 * SKIP LOCKED, so any number of processes share the queue without waiting on each other; a lease
 * that expires (its worker died) makes the job due again; the worker deletes the job in the same
 * transaction as the work's outcome, fenced by its lease token, so an outcome is recorded once even
 * when a lease was taken over meanwhile. Nothing here uses session state: it works through a
 * transaction-mode connection pooler.
 */
import type { Queryable } from './db.js';

/** A leased job. */
export interface JobRow {
  id: number;
  kind: string;
  subject: string;
  attempts: number;
  leaseToken: string;
  leaseUntil: string;
  lastError: string | null;
}

/** Enqueues jobs (idempotent: a job for the same kind and subject is kept as it is). */
export async function enqueueJobs(q: Queryable, jobs: readonly { kind: string; subject: string; runAt?: string | null }[]): Promise<void> {
  if (jobs.length === 0) return;
  await q.query(
    `INSERT INTO jobs (kind, subject, run_at)
     SELECT k, s, COALESCE(r, now()) FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(k, s, r)
     ON CONFLICT (kind, subject) DO NOTHING`,
    [jobs.map((j) => j.kind), jobs.map((j) => j.subject), jobs.map((j) => j.runAt ?? null)],
  );
}

function toJob(r: Record<string, unknown>): JobRow {
  return {
    id: Number(r.id),
    kind: r.kind as string,
    subject: r.subject as string,
    attempts: Number(r.attempts),
    leaseToken: r.lease_token as string,
    leaseUntil: new Date(r.lease_until as string).toISOString(),
    lastError: (r.last_error as string | null) ?? null,
  };
}

/**
 * Leases up to `limit` due jobs of the given kinds for `leaseSeconds`: due means run_at has come and
 * no live lease holds it. Each lease gets its own token (the fence for completion).
 */
export async function leaseJobs(q: Queryable, f: { kinds: readonly string[]; owner: string; tokens: readonly string[]; leaseSeconds: number }): Promise<JobRow[]> {
  if (f.tokens.length === 0) return [];
  const r = await q.query<Record<string, unknown>>(
    `WITH due AS (
       SELECT id, row_number() OVER (ORDER BY run_at, id) AS n FROM (
         SELECT id, run_at FROM jobs
          WHERE dead_at IS NULL AND run_at <= now() AND (lease_until IS NULL OR lease_until < now()) AND kind = ANY($1::text[])
          ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) d)
     UPDATE jobs j SET lease_owner = $2, lease_token = ($3::text[])[due.n], lease_until = now() + make_interval(secs => $5), attempts = j.attempts + 1
       FROM due WHERE j.id = due.id
     RETURNING j.*`,
    [[...f.kinds], f.owner, [...f.tokens], f.tokens.length, f.leaseSeconds],
    { prepare: true },
  );
  return r.rows.map(toJob);
}

/** Extends live leases (a worker still on them); returns the ids whose lease it still held. */
export async function extendLeases(q: Queryable, leases: readonly { id: number; token: string }[], leaseSeconds: number): Promise<number[]> {
  if (leases.length === 0) return [];
  const r = await q.query<{ id: string | number }>(
    `UPDATE jobs j SET lease_until = now() + make_interval(secs => $3)
       FROM unnest($1::bigint[], $2::text[]) AS u(id, token)
      WHERE j.id = u.id AND j.lease_token = u.token RETURNING j.id`,
    [leases.map((l) => l.id), leases.map((l) => l.token), leaseSeconds],
  );
  return r.rows.map((x) => Number(x.id));
}

/** Deletes a finished job; false when the lease was lost (another worker took it over). */
export async function finishJob(q: Queryable, id: number, token: string): Promise<boolean> {
  return (await finishJobs(q, [{ id, token }])).length > 0;
}

/** finishJob for many jobs in one statement: the ids of those whose lease was still the given one (now deleted). */
export async function finishJobs(q: Queryable, leases: readonly { id: number; token: string }[]): Promise<number[]> {
  if (leases.length === 0) return [];
  const r = await q.query<{ id: unknown }>(
    'DELETE FROM jobs j USING unnest($1::bigint[], $2::text[]) AS u(id, token) WHERE j.id = u.id AND j.lease_token = u.token RETURNING j.id',
    [leases.map((l) => l.id), leases.map((l) => l.token)],
  );
  return r.rows.map((x) => Number(x.id));
}

/** Gives a job back to be run again at `runAt` (after a failure), or marks it dead. */
export async function releaseJob(q: Queryable, id: number, token: string, f: { error: string; retryInSeconds: number | null }): Promise<boolean> {
  const r = await q.query(
    `UPDATE jobs SET lease_owner = NULL, lease_token = NULL, lease_until = NULL, last_error = left($3, 2000),
            run_at = CASE WHEN $4::float8 IS NULL THEN run_at ELSE now() + make_interval(secs => $4::float8) END,
            dead_at = CASE WHEN $4::float8 IS NULL THEN now() ELSE NULL END
      WHERE id = $1 AND lease_token = $2`,
    [id, token, f.error, f.retryInSeconds],
  );
  return r.rowCount > 0;
}

/** Deletes jobs by kind and subject (their subject went away, e.g. a cancelled order). */
export async function deleteJobs(q: Queryable, kind: string, subjects: readonly string[]): Promise<void> {
  if (subjects.length === 0) return;
  await q.query('DELETE FROM jobs WHERE kind = $1 AND subject = ANY($2::text[])', [kind, [...subjects]]);
}

/** How many jobs are due, leased and dead, by kind (metrics, tests). */
export async function jobCounts(q: Queryable): Promise<{ kind: string; due: number; leased: number; dead: number }[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT kind, count(*) FILTER (WHERE dead_at IS NULL AND (lease_until IS NULL OR lease_until < now())) AS due,
            count(*) FILTER (WHERE dead_at IS NULL AND lease_until >= now()) AS leased,
            count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
       FROM jobs GROUP BY kind ORDER BY kind`,
  );
  return r.rows.map((x) => ({ kind: x.kind as string, due: Number(x.due), leased: Number(x.leased), dead: Number(x.dead) }));
}

/** Seconds until the next job of these kinds is due (null when none is waiting): lets a worker sleep. */
export async function nextDueInSeconds(q: Queryable, kinds: readonly string[]): Promise<number | null> {
  const r = await q.query<{ s: unknown }>(
    `SELECT extract(epoch FROM (min(greatest(run_at, COALESCE(lease_until, run_at))) - now())) AS s
       FROM jobs WHERE dead_at IS NULL AND kind = ANY($1::text[])`,
    [[...kinds]],
  );
  const s = r.rows[0]?.s;
  return s === null || s === undefined ? null : Math.max(0, Number(s));
}

/** Deletes a job no worker holds a lease on (work done by someone else meanwhile). */
export async function deleteUnleasedJob(q: Queryable, kind: string, subject: string): Promise<void> {
  await q.query('DELETE FROM jobs WHERE kind = $1 AND subject = $2 AND (lease_until IS NULL OR lease_until < now())', [kind, subject]);
}
