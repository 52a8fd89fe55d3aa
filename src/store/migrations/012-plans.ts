/**
 * Capacity plans (issue 16): a build-out plan computed in the background (`plan.solve` job) over the
 * store's network, kept as its JSON document, and applied at most once as an inventory change set.
 * Plans are the operator's: no tenant column.
 */
export const plans = `
CREATE TABLE plans (
  id                text PRIMARY KEY,
  state             text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  -- The request as accepted (forecast or growth scenario, horizon, supply, solver options).
  request           jsonb NOT NULL,
  -- The last progress report of the solver {seconds, primal, dual, gap, nodes}; null before the solve.
  progress          jsonb,
  -- The plan document (engine NetworkPlan) once done.
  document          jsonb,
  -- {code, detail} once failed.
  error             jsonb,
  -- Inventory version the plan was computed on.
  inventory_version bigint,
  created_by        text NOT NULL,
  idempotency_key   text UNIQUE,
  request_hash      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  -- Set once, by the transaction that applied the change set.
  applied_at        timestamptz,
  applied_by        text,
  applied_changes   jsonb,
  CHECK ((state = 'done') = (document IS NOT NULL)),
  CHECK (applied_at IS NULL OR state = 'done')
);
`;
