/**
 * Trust: the database itself refuses inventory changes under live services, leases background work,
 * keeps an append-only audit trail, and records a failure once.
 *
 * Inventory guard. Allocations name their resource by kind and id (`spectrum:<span>:<fiber pair>`,
 * `strand:<cable>`, `trunk:<trunk>`). Triggers on spans, cables and sites refuse (SQLSTATE LP409,
 * DETAIL = the services and trunks concerned as JSON) any change that would remove or shrink what a
 * live allocation (one whose interval reaches past now, including future windows) holds: deleting the
 * span or cable, moving a span's ends or a cable to another span, fewer fiber pairs or slots than held,
 * another grid (slot width, start frequency), fewer strands or more strands reserved than held, and a
 * new kind for a site where live services end. A statement-level trigger on allocations refuses
 * (LP422) a new allocation on a resource that does not exist or is too small, so the reference holds
 * in both directions.
 *
 * Locking discipline. Every inventory change and every failure first takes the inventory-version row
 * FOR UPDATE (the guard triggers take it themselves, so no write path can skip it); every order,
 * modify and restoration takes it FOR SHARE in the statement or transaction that writes its plan and
 * checks that the version is still the one it planned on. So an order either commits before the change
 * (and the change's check, a later statement of a READ COMMITTED transaction, sees its allocations) or
 * waits for the change and then finds the version moved (and plans again). Functions are VOLATILE, so
 * each statement inside sees what committed before it started.
 */
export const trust = `
INSERT INTO meta (key, value) VALUES ('inventoryVersion', '0'::jsonb) ON CONFLICT (key) DO NOTHING;

-- ---- inventory guard ------------------------------------------------------------------------------

CREATE FUNCTION lp_lock_inventory() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM meta WHERE key = 'inventoryVersion' FOR UPDATE;
END $$;

-- VOLATILE on purpose: 'now' is the statement's real time, after any lock it waited for.
CREATE FUNCTION lp_live(during tstzrange) RETURNS boolean LANGUAGE sql VOLATILE AS $$
  SELECT upper_inf(during) OR upper(during) > clock_timestamp()
$$;

-- Raises in-use naming the services (directly, or riding the trunks) that hold the given allocations.
CREATE FUNCTION lp_refuse_in_use(what text, conflicting bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  svcs text[];
  trks text[];
BEGIN
  IF conflicting IS NULL OR cardinality(conflicting) = 0 THEN RETURN; END IF;
  SELECT array_agg(DISTINCT x.s ORDER BY x.s) INTO svcs FROM (
      SELECT a.service_id AS s FROM allocations a WHERE a.id = ANY(conflicting) AND a.service_id IS NOT NULL
      UNION
      SELECT r.service_id FROM allocations a
        JOIN allocations r ON r.kind = 'trunk' AND r.resource_id = a.trunk_id AND r.service_id IS NOT NULL AND lp_live(r.during)
       WHERE a.id = ANY(conflicting) AND a.trunk_id IS NOT NULL) x;
  SELECT array_agg(DISTINCT a.trunk_id ORDER BY a.trunk_id) INTO trks FROM allocations a WHERE a.id = ANY(conflicting) AND a.trunk_id IS NOT NULL;
  RAISE EXCEPTION USING
    ERRCODE = 'LP409',
    MESSAGE = format('%s is in use by %s live service(s)%s', what, coalesce(cardinality(svcs), 0),
                     CASE WHEN trks IS NULL THEN '' ELSE format(' and %s trunk(s)', cardinality(trks)) END),
    DETAIL = json_build_object('services', coalesce(svcs, '{}'::text[]), 'trunks', coalesce(trks, '{}'::text[]))::text;
END $$;

CREATE FUNCTION lp_spans_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c bigint[];
BEGIN
  PERFORM lp_lock_inventory();
  IF TG_OP = 'DELETE' OR NEW.a_site_id IS DISTINCT FROM OLD.a_site_id OR NEW.z_site_id IS DISTINCT FROM OLD.z_site_id THEN
    SELECT array_agg(a.id) INTO c FROM allocations a
     WHERE ((a.kind = 'spectrum' AND a.resource_id = OLD.id)
         OR (a.kind = 'strand' AND a.resource_id IN (SELECT id FROM cables WHERE span_id = OLD.id)))
       AND lp_live(a.during);
    PERFORM lp_refuse_in_use(format('span %s', OLD.id), c);
  ELSIF NEW.fiber_pairs IS DISTINCT FROM OLD.fiber_pairs OR NEW.slot_count IS DISTINCT FROM OLD.slot_count
     OR NEW.slot_width_ghz IS DISTINCT FROM OLD.slot_width_ghz OR NEW.start_frequency_ghz IS DISTINCT FROM OLD.start_frequency_ghz THEN
    SELECT array_agg(a.id) INTO c FROM allocations a
     WHERE a.kind = 'spectrum' AND a.resource_id = OLD.id AND lp_live(a.during)
       AND (NEW.fiber_pairs IS NULL OR a.sub >= NEW.fiber_pairs OR upper(a.units) > NEW.slot_count
            OR NEW.slot_width_ghz IS DISTINCT FROM OLD.slot_width_ghz
            OR NEW.start_frequency_ghz IS DISTINCT FROM OLD.start_frequency_ghz);
    PERFORM lp_refuse_in_use(format('the line system of span %s', OLD.id), c);
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER spans_guard BEFORE UPDATE OR DELETE ON spans FOR EACH ROW EXECUTE FUNCTION lp_spans_guard();

CREATE FUNCTION lp_cables_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c bigint[];
BEGIN
  PERFORM lp_lock_inventory();
  IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.span_id IS DISTINCT FROM OLD.span_id THEN
    SELECT array_agg(a.id) INTO c FROM allocations a WHERE a.kind = 'strand' AND a.resource_id = OLD.id AND lp_live(a.during);
    PERFORM lp_refuse_in_use(format('cable %s', OLD.id), c);
  ELSIF NEW.strand_count < OLD.strand_count OR NEW.strands_in_use > OLD.strands_in_use THEN
    SELECT array_agg(a.id) INTO c FROM allocations a
     WHERE a.kind = 'strand' AND a.resource_id = OLD.id AND lp_live(a.during)
       AND (upper(a.units) > NEW.strand_count OR lower(a.units) < NEW.strands_in_use);
    PERFORM lp_refuse_in_use(format('strands of cable %s', OLD.id), c);
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cables_guard BEFORE UPDATE OR DELETE ON cables FOR EACH ROW EXECUTE FUNCTION lp_cables_guard();

CREATE FUNCTION lp_sites_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  svcs text[];
BEGIN
  PERFORM lp_lock_inventory();
  IF TG_OP = 'DELETE' OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.id IS DISTINCT FROM OLD.id THEN
    SELECT array_agg(s.id ORDER BY s.id) INTO svcs FROM services s
     WHERE s.state IN ('reserved', 'active', 'down') AND (s.spec->>'aSite' = OLD.id OR s.spec->>'zSite' = OLD.id);
    IF svcs IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'LP409',
        MESSAGE = format('site %s is in use by %s live service(s) ending there', OLD.id, cardinality(svcs)),
        DETAIL = json_build_object('services', svcs, 'trunks', '{}'::text[])::text;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sites_guard BEFORE UPDATE OR DELETE ON sites FOR EACH ROW EXECUTE FUNCTION lp_sites_guard();

CREATE FUNCTION lp_allocations_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT i.kind, i.resource_id, i.sub, i.units INTO bad FROM lp_new i
   WHERE (i.kind = 'spectrum' AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.id = i.resource_id AND s.fiber_pairs > i.sub AND s.slot_count >= upper(i.units)))
      OR (i.kind = 'strand' AND NOT EXISTS (SELECT 1 FROM cables c WHERE c.id = i.resource_id AND upper(i.units) <= c.strand_count AND lower(i.units) >= c.strands_in_use))
      OR (i.kind = 'trunk' AND NOT EXISTS (SELECT 1 FROM trunks t WHERE t.id = i.resource_id AND t.retired_at IS NULL AND upper(i.units) <= t.capacity_gbps))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'LP422',
      MESSAGE = format('allocation %s:%s:%s %s is outside the inventory', bad.kind, bad.resource_id, bad.sub, bad.units);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER allocations_check AFTER INSERT ON allocations REFERENCING NEW TABLE AS lp_new
  FOR EACH STATEMENT EXECUTE FUNCTION lp_allocations_check();

-- ---- leased background work -----------------------------------------------------------------------

-- One row per piece of work to do (activate an order, restore after a failure, ...). A worker leases
-- due rows with SKIP LOCKED; a lease that expires (the worker died) makes the row due again; the row is
-- deleted in the same transaction as the work's outcome, fenced by the lease token. Unique per subject,
-- so enqueueing is idempotent.
CREATE TABLE jobs (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9.-]{0,62}$'),
  subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 256),
  run_at       timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  lease_token  text,
  lease_owner  text,
  lease_until  timestamptz,
  last_error   text,
  dead_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, subject)
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE dead_at IS NULL;

-- Orders acknowledged or in progress before this migration get their activation job.
INSERT INTO jobs (kind, subject) SELECT 'order.activate', id FROM orders WHERE state IN ('acknowledged', 'inProgress') ON CONFLICT DO NOTHING;

-- The server-side id of the request that placed an order (every order has one, with or without an
-- Idempotency-Key); an unknown write outcome is resolved by the order id, this traces it.
ALTER TABLE orders ADD COLUMN request_id text;

-- ---- audit ----------------------------------------------------------------------------------------

CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  actor_key_id    text,
  actor_tenant_id text,
  actor_role      text NOT NULL CHECK (actor_role IN ('operator', 'customer', 'system')),
  actor_via       text NOT NULL CHECK (actor_via IN ('api', 'cli', 'system')),
  request_id      text,
  action          text NOT NULL CHECK (action ~ '^[a-z][a-z0-9-]*([.][a-z][a-z0-9-]*)+$'),
  subject_kind    text NOT NULL,
  subject_id      text,
  tenant_id       text,
  before          jsonb,
  after           jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_kind, subject_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_key_id, id);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id);

CREATE FUNCTION lp_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LP403', MESSAGE = 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION lp_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION lp_audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- ---- failures -------------------------------------------------------------------------------------

-- The same cut posted twice is one failure: an open failure is unique by what it names (sorted lists).
CREATE UNIQUE INDEX failures_open_same_idx ON failures (spans, srlgs, sites) WHERE repaired_at IS NULL;
`;
