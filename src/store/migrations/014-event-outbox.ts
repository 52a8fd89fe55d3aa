/**
 * Event ids without a lock held through commit (issue 18). Until now every event-writing transaction
 * took one advisory lock before drawing its id and kept it until it committed, so ids became visible in
 * order; the price was that event-writing commits (every order, every state change) went one at a time,
 * each waiting for the previous one's WAL flush, across every replica.
 *
 * Now a writer appends to `event_outbox` (no lock; its row is visible when its transaction commits) and a
 * publisher moves committed outbox rows into `events`, drawing the public ids there, in outbox order. The
 * publisher is one short statement (lp_publish_events) that runs outside application transactions and
 * takes the old lock only for its own move and commit, so publishers go one at a time and every id it
 * draws is larger than every id any earlier publisher drew and committed: a reader that sees id N sees
 * every id below N, exactly the guarantee readers resume on. Readers publish before they read
 * (lp_events_after, lp_latest_event_id), so an event is listed by the first read after its commit.
 * Order: a transaction that starts after another committed appends after it (its outbox seq is larger)
 * and is published in the same move or a later one, so cause comes before effect.
 */
export const eventOutbox = `
CREATE TABLE event_outbox (
  seq          bigserial PRIMARY KEY,
  -- The same rule as events.type since migration 009 (order.inProgress).
  type         text NOT NULL CHECK (type ~ '^[a-z][A-Za-z0-9_-]*([.][a-z][A-Za-z0-9_-]*)+$' AND length(type) <= 128),
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  tenant_id    text CHECK (length(tenant_id) BETWEEN 1 AND 128),
  subject_kind text NOT NULL CHECK (length(subject_kind) BETWEEN 1 AND 64),
  subject_id   text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 256),
  data         jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Moves every committed outbox row into events (ids drawn in outbox order); returns how many. Each
-- statement of a volatile function takes a fresh snapshot (READ COMMITTED), so after the lock it sees
-- what every earlier publisher moved and committed.
CREATE FUNCTION lp_publish_events() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_outbox) THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(7310550003);
  WITH moved AS (DELETE FROM event_outbox RETURNING *)
  INSERT INTO events (type, occurred_at, tenant_id, subject_kind, subject_id, data)
  SELECT type, occurred_at, tenant_id, subject_kind, subject_id, data FROM moved ORDER BY seq;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Publishes, then the events after a position (a fresh snapshot: the ones just published included).
CREATE FUNCTION lp_events_after(p_after bigint, p_tenant text, p_types text[], p_limit integer) RETURNS SETOF events
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM lp_publish_events();
  RETURN QUERY SELECT * FROM events e
   WHERE e.id > p_after AND (p_tenant IS NULL OR e.tenant_id = p_tenant) AND (p_types IS NULL OR e.type = ANY(p_types))
   ORDER BY e.id LIMIT p_limit;
END $$;

-- Publishes, then the largest event id (0 when none).
CREATE FUNCTION lp_latest_event_id() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM lp_publish_events();
  RETURN coalesce((SELECT max(id) FROM events), 0);
END $$;
`;
