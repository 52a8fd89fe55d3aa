/**
 * Ordering: API keys, the price book, quotes, services, orders, packet trunks and resource allocations.
 * Every held resource is an integer unit range on a named resource over a time range, so one exclusion
 * constraint makes double allocation impossible whichever process or replica writes.
 */
export const ordering = `
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE api_keys (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  role       text NOT NULL CHECK (role IN ('operator', 'customer')),
  key_hash   text NOT NULL UNIQUE,
  prefix     text NOT NULL,
  name       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);

CREATE TABLE price_book (
  id         integer PRIMARY KEY CHECK (id = 1),
  book       jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE quotes (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL,
  request    jsonb NOT NULL,
  options    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX quotes_tenant_idx ON quotes (tenant_id, id);

CREATE TABLE services (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL,
  product    text NOT NULL CHECK (product IN ('dark-fiber', 'wave', 'ethernet', 'cloud-connect')),
  state      text NOT NULL CHECK (state IN ('reserved', 'active', 'terminated')),
  spec       jsonb NOT NULL,
  design     jsonb NOT NULL,
  price      jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_tenant_idx ON services (tenant_id, id);

CREATE TABLE orders (
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL,
  action          text NOT NULL CHECK (action IN ('add', 'modify', 'delete')),
  state           text NOT NULL CHECK (state IN ('acknowledged', 'inProgress', 'completed', 'failed', 'cancelled')),
  service_id      text NOT NULL REFERENCES services (id),
  quote_id        text,
  option_id       text,
  spec            jsonb NOT NULL,
  design          jsonb,
  idempotency_key text,
  request_hash    text,
  failure_reason  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX orders_tenant_idx ON orders (tenant_id, id);
CREATE INDEX orders_pending_idx ON orders (state, id) WHERE state IN ('acknowledged', 'inProgress');
CREATE INDEX orders_service_idx ON orders (service_id);

CREATE TABLE trunks (
  id             text PRIMARY KEY,
  a_site_id      text NOT NULL,
  z_site_id      text NOT NULL,
  capacity_gbps  integer NOT NULL CHECK (capacity_gbps > 0),
  path_spans     jsonb NOT NULL,
  latency_us     double precision NOT NULL,
  length_km      double precision NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  retired_at     timestamptz
);
CREATE INDEX trunks_ends_idx ON trunks (a_site_id, z_site_id);

CREATE TABLE allocations (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('spectrum', 'strand', 'trunk')),
  resource_id  text NOT NULL,
  sub          integer NOT NULL DEFAULT 0 CHECK (sub >= 0),
  resource     text GENERATED ALWAYS AS (kind || ':' || resource_id || ':' || sub::text) STORED,
  units        int4range NOT NULL CHECK (NOT isempty(units) AND lower(units) >= 0),
  during       tstzrange NOT NULL DEFAULT tstzrange(now(), NULL, '[)'),
  service_id   text REFERENCES services (id),
  trunk_id     text REFERENCES trunks (id),
  order_id     text NOT NULL,
  role         text NOT NULL CHECK (role IN ('working', 'protect', 'trunk')),
  CHECK ((service_id IS NULL) <> (trunk_id IS NULL)),
  CONSTRAINT allocations_no_double_booking EXCLUDE USING gist (resource WITH =, units WITH &&, during WITH &&)
);
CREATE INDEX allocations_service_idx ON allocations (service_id);
CREATE INDEX allocations_order_idx ON allocations (order_id);
CREATE INDEX allocations_trunk_idx ON allocations (trunk_id);
CREATE INDEX allocations_kind_idx ON allocations (kind, resource_id);
`;
