/**
 * Bulk transfers by deadline: "this many Gbit from A to B by then". A transfer's schedule is a list of
 * (slot, candidate path, rate) and each run of equal capacity it holds on a trunk is an ordinary
 * time-bounded allocation (`trunk:<id>:0`, Gbps units, `during` = the run's slots) owned by the transfer,
 * so the exclusion constraint that keeps services apart keeps transfers and services apart too: a
 * transfer can only ever use capacity nobody else holds in those slots.
 */
export const transfers = `
CREATE TABLE transfers (
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL,
  a_site_id       text NOT NULL,
  z_site_id       text NOT NULL,
  volume_gbit     double precision NOT NULL CHECK (volume_gbit > 0),
  earliest_start  timestamptz NOT NULL,
  deadline        timestamptz NOT NULL CHECK (deadline > earliest_start),
  max_rate_gbps   integer CHECK (max_rate_gbps > 0),
  state           text NOT NULL CHECK (state IN ('scheduled', 'late', 'cancelled')),
  slot_seconds    integer NOT NULL CHECK (slot_seconds > 0),
  -- Candidate paths [{id, trunkIds, siteIds, latencyUs, lengthKm, pricePerGbitMinor}]; schedule entries
  -- [{slot, path, rateGbps}] with slot = whole slots since the Unix epoch.
  paths           jsonb NOT NULL,
  schedule        jsonb NOT NULL,
  price_minor     double precision NOT NULL CHECK (price_minor >= 0),
  currency        text NOT NULL,
  completion_at   timestamptz NOT NULL,
  idempotency_key text,
  request_hash    text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  cancelled_at    timestamptz,
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX transfers_tenant_idx ON transfers (tenant_id, id);
CREATE INDEX transfers_open_idx ON transfers (completion_at) WHERE state <> 'cancelled';

ALTER TABLE allocations ADD COLUMN transfer_id text REFERENCES transfers (id);
ALTER TABLE allocations DROP CONSTRAINT allocations_check;
ALTER TABLE allocations ADD CONSTRAINT allocations_owner_check CHECK (num_nonnulls(service_id, trunk_id, transfer_id) = 1);
ALTER TABLE allocations DROP CONSTRAINT allocations_role_check;
ALTER TABLE allocations ADD CONSTRAINT allocations_role_check CHECK (role IN ('working', 'protect', 'trunk', 'transfer'));
ALTER TABLE allocations ADD CONSTRAINT allocations_transfer_check CHECK ((transfer_id IS NULL) = (role <> 'transfer'));
CREATE INDEX allocations_transfer_idx ON allocations (transfer_id) WHERE transfer_id IS NOT NULL;
`;
