/**
 * The occupancy log records deleted spectrum allocations too. The product never deletes one (an
 * allocation ends by its `during` being cut), but an operator's cleanup or a test's reset may: until
 * now a reader kept a deleted allocation's channel lit, and since quotes read the spectrum held on a
 * route from the rows a process keeps (LitChannels) it would also keep that spectrum taken. The log now
 * names the deleted id; a reader's delta lists logged ids no longer in the table as gone.
 */
export const occupancyDeletes = `
CREATE OR REPLACE FUNCTION lp_log_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v text;
BEGIN
  v := current_setting('lightpath.occupancy_version', true);
  IF v IS NULL OR v = '' THEN
    UPDATE meta SET value = to_jsonb((value #>> '{}')::bigint + 1) WHERE key = 'occupancyVersion' RETURNING value #>> '{}' INTO v;
    PERFORM set_config('lightpath.occupancy_version', v, true);
  END IF;
  INSERT INTO occupancy_log (version, alloc_id) VALUES (v::bigint, CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER allocations_occupancy_log_delete AFTER DELETE ON allocations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.kind = 'spectrum') EXECUTE FUNCTION lp_log_occupancy();
`;
