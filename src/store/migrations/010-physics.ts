/**
 * Physical truth: the line-system model in the inventory, transit policy per site, and the channels
 * lit on each span as the QoT check needs them.
 *
 * Spans get their fiber type, connector loss, per-channel launch power and in-line amplifier sites (km
 * from the A end; NULL = unknown, placed by the QoT model every ≤ 80 km and shown as placed). Sites get
 * `transit`: whether circuits may pass through (POPs and amplifier huts by default; customer data
 * centers and cloud on-ramps are endpoints only).
 *
 * What live waves hold. A span's optics (length, fiber type, connector loss, launch power, amplifiers)
 * decide the GSNR of every wave on it and the loss of every strand: a change under live allocations is
 * refused with in-use unless the transaction says it re-checked them (the inventory service sets
 * `lightpath.optics_rechecked` to the span's id after recomputing the GSNR of every wave on the span
 * and the loss of every strand path, see services/inventory.ts). Turning a site's transit off is
 * refused while live or booked circuits (007's held and scheduled ones too) or trunks pass through it.
 * Written on top of 007 (calendar); it assumes nothing of 008/009.
 *
 * Lit channels. A spectrum allocation carries its channel (`channel`: lightpath id, transceiver mode,
 * centre frequency), so the QoT state can be rebuilt from the store. Every change of a spectrum
 * allocation is logged in `occupancy_log` under a version taken at commit (a deferred trigger bumps
 * `meta.occupancyVersion` once per transaction, under that row's lock, so versions follow commit
 * order): a reader that saw version V reads what changed after V and nothing is missed. Taking the
 * lock at commit, after every other lock of the transaction, adds no lock cycle.
 */
export const physics = `
-- ---- sites: transit policy -------------------------------------------------------------------------

ALTER TABLE sites ADD COLUMN transit boolean;
UPDATE sites SET transit = kind IN ('pop', 'amplifier');
ALTER TABLE sites ALTER COLUMN transit SET NOT NULL;

CREATE FUNCTION lp_sites_transit_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.transit := coalesce(NEW.transit, NEW.kind IN ('pop', 'amplifier'));
  RETURN NEW;
END $$;
CREATE TRIGGER sites_transit_default BEFORE INSERT ON sites FOR EACH ROW EXECUTE FUNCTION lp_sites_transit_default();

-- Live circuits (services, and orders being carried out) and trunks whose path passes through the site.
CREATE FUNCTION lp_refuse_transit_off() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  svcs text[];
  trks text[];
BEGIN
  IF OLD.transit AND NOT NEW.transit THEN
    PERFORM lp_lock_inventory();
    SELECT array_agg(DISTINCT x.id ORDER BY x.id) INTO svcs FROM (
        SELECT s.id, s.design AS d FROM services s WHERE s.state IN ('held', 'scheduled', 'reserved', 'active', 'down')
        UNION ALL
        SELECT o.service_id, o.design->'design' FROM orders o WHERE o.state IN ('held', 'acknowledged', 'inProgress') AND o.design IS NOT NULL) x,
      jsonb_array_elements(coalesce(x.d->'paths', '[]'::jsonb)) p
     WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(p->'siteIds') WITH ORDINALITY AS e(site, n)
                    WHERE e.site = OLD.id AND e.n > 1 AND e.n < jsonb_array_length(p->'siteIds'));
    SELECT array_agg(t.id ORDER BY t.id) INTO trks FROM trunks t
     WHERE t.retired_at IS NULL
       AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(t.path_spans->'siteIds') WITH ORDINALITY AS e(site, n)
                    WHERE e.site = OLD.id AND e.n > 1 AND e.n < jsonb_array_length(t.path_spans->'siteIds'));
    IF svcs IS NOT NULL OR trks IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'LP409',
        MESSAGE = format('site %s is in use: %s live service(s) and %s trunk(s) pass through it', OLD.id, coalesce(cardinality(svcs), 0), coalesce(cardinality(trks), 0)),
        DETAIL = json_build_object('services', coalesce(svcs, '{}'::text[]), 'trunks', coalesce(trks, '{}'::text[]))::text;
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sites_transit_guard BEFORE UPDATE ON sites FOR EACH ROW EXECUTE FUNCTION lp_refuse_transit_off();

-- ---- spans: the line-system model -----------------------------------------------------------------

ALTER TABLE spans
  ADD COLUMN fiber_type text NOT NULL DEFAULT 'G.652.D' CHECK (fiber_type ~ '^[A-Za-z0-9.+-]{1,32}$'),
  ADD COLUMN connector_loss_db double precision NOT NULL DEFAULT 0.5 CHECK (connector_loss_db BETWEEN 0 AND 3),
  ADD COLUMN launch_power_dbm double precision NOT NULL DEFAULT 0 CHECK (launch_power_dbm BETWEEN -10 AND 10),
  ADD COLUMN amplifier_sites_km jsonb CHECK (amplifier_sites_km IS NULL OR jsonb_typeof(amplifier_sites_km) = 'array');

CREATE FUNCTION lp_spans_optics_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c bigint[];
BEGIN
  IF (NEW.length_km IS DISTINCT FROM OLD.length_km OR NEW.fiber_type IS DISTINCT FROM OLD.fiber_type
      OR NEW.connector_loss_db IS DISTINCT FROM OLD.connector_loss_db OR NEW.launch_power_dbm IS DISTINCT FROM OLD.launch_power_dbm
      OR NEW.amplifier_sites_km IS DISTINCT FROM OLD.amplifier_sites_km)
     AND coalesce(current_setting('lightpath.optics_rechecked', true), '') IS DISTINCT FROM OLD.id THEN
    PERFORM lp_lock_inventory();
    SELECT array_agg(a.id) INTO c FROM allocations a
     WHERE ((a.kind = 'spectrum' AND a.resource_id = OLD.id)
         OR (a.kind = 'strand' AND a.resource_id IN (SELECT id FROM cables WHERE span_id = OLD.id)))
       AND lp_live(a.during);
    PERFORM lp_refuse_in_use(format('the optics of span %s (length, fiber, connectors, launch power, amplifiers)', OLD.id), c);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER spans_optics_guard BEFORE UPDATE ON spans FOR EACH ROW EXECUTE FUNCTION lp_spans_optics_guard();

-- ---- lit channels ---------------------------------------------------------------------------------

ALTER TABLE allocations ADD COLUMN channel jsonb;

INSERT INTO meta (key, value) VALUES ('occupancyVersion', '0'::jsonb) ON CONFLICT (key) DO NOTHING;

CREATE TABLE occupancy_log (
  version  bigint NOT NULL,
  alloc_id bigint NOT NULL
);
CREATE INDEX occupancy_log_version_idx ON occupancy_log (version);

-- At commit: one version per transaction (remembered in a transaction-local setting), taken under the
-- occupancyVersion row's lock, which the transaction keeps until it has committed.
CREATE FUNCTION lp_log_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v text;
BEGIN
  v := current_setting('lightpath.occupancy_version', true);
  IF v IS NULL OR v = '' THEN
    UPDATE meta SET value = to_jsonb((value #>> '{}')::bigint + 1) WHERE key = 'occupancyVersion' RETURNING value #>> '{}' INTO v;
    PERFORM set_config('lightpath.occupancy_version', v, true);
  END IF;
  INSERT INTO occupancy_log (version, alloc_id) VALUES (v::bigint, NEW.id);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER allocations_occupancy_log AFTER INSERT OR UPDATE ON allocations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'spectrum') EXECUTE FUNCTION lp_log_occupancy();
`;
