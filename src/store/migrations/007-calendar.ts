/**
 * The capacity calendar: every service and order has a window [starts_at, ends_at) (ends_at null =
 * open-ended) and its allocations hold exactly that window (the exclusion constraint of 002/005 already
 * compares time ranges). Orders may be `held` until committed or expired; services are `held`,
 * `scheduled` (window in the future), `reserved` (activating), `active`, `down`, `ended` (window over)
 * or `terminated`. Recurring bookings are a series of services (and orders) sharing a series id.
 * Trunks are lit from `lit_from`: a circuit may groom onto a trunk only when the trunk is lit for its
 * whole window.
 */
export const calendar = `
ALTER TABLE services DROP CONSTRAINT services_state_check;
ALTER TABLE services ADD CONSTRAINT services_state_check
  CHECK (state IN ('held', 'scheduled', 'reserved', 'active', 'down', 'ended', 'terminated'));
ALTER TABLE services ADD COLUMN starts_at timestamptz;
ALTER TABLE services ADD COLUMN ends_at timestamptz;
ALTER TABLE services ADD COLUMN series_id text;
UPDATE services SET starts_at = created_at WHERE starts_at IS NULL;
ALTER TABLE services ALTER COLUMN starts_at SET NOT NULL;
ALTER TABLE services ALTER COLUMN starts_at SET DEFAULT now();
ALTER TABLE services ADD CONSTRAINT services_window_check CHECK (ends_at IS NULL OR ends_at > starts_at);
CREATE INDEX services_series_idx ON services (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX services_tenant_window_idx ON services (tenant_id, starts_at);

ALTER TABLE orders DROP CONSTRAINT orders_state_check;
ALTER TABLE orders ADD CONSTRAINT orders_state_check
  CHECK (state IN ('held', 'acknowledged', 'inProgress', 'completed', 'failed', 'cancelled'));
ALTER TABLE orders ADD COLUMN hold_expires_at timestamptz;
-- The window the order books (for a modify: the service's window after it).
ALTER TABLE orders ADD COLUMN starts_at timestamptz;
ALTER TABLE orders ADD COLUMN ends_at timestamptz;
UPDATE orders o SET starts_at = s.starts_at FROM services s WHERE s.id = o.service_id AND o.starts_at IS NULL;
ALTER TABLE orders ADD COLUMN series_id text;
ALTER TABLE orders ADD CONSTRAINT orders_hold_check CHECK ((state = 'held') <= (hold_expires_at IS NOT NULL));
CREATE INDEX orders_series_idx ON orders (series_id) WHERE series_id IS NOT NULL;

-- A booking that has not started yet holds its end sites too (006 named only live states).
CREATE OR REPLACE FUNCTION lp_sites_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  svcs text[];
BEGIN
  PERFORM lp_lock_inventory();
  IF TG_OP = 'DELETE' OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.id IS DISTINCT FROM OLD.id THEN
    SELECT array_agg(s.id ORDER BY s.id) INTO svcs FROM services s
     WHERE s.state IN ('held', 'scheduled', 'reserved', 'active', 'down') AND (s.spec->>'aSite' = OLD.id OR s.spec->>'zSite' = OLD.id);
    IF svcs IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'LP409',
        MESSAGE = format('site %s is in use by %s live or booked service(s) ending there', OLD.id, cardinality(svcs)),
        DETAIL = json_build_object('services', svcs, 'trunks', '{}'::text[])::text;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;

ALTER TABLE trunks ADD COLUMN lit_from timestamptz;
UPDATE trunks SET lit_from = created_at WHERE lit_from IS NULL;
ALTER TABLE trunks ALTER COLUMN lit_from SET NOT NULL;
ALTER TABLE trunks ALTER COLUMN lit_from SET DEFAULT now();
`;
