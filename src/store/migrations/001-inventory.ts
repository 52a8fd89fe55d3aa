/** The physical network: SRLGs, sites, spans with their line systems, SRLG membership and cables. */
export const inventory = `
CREATE TABLE meta (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE srlgs (
  id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  name       text NOT NULL CHECK (length(btrim(name)) > 0),
  kind       text NOT NULL CHECK (kind IN ('conduit', 'trench', 'bridge', 'building', 'duct', 'right-of-way', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  name           text NOT NULL CHECK (length(btrim(name)) > 0),
  kind           text NOT NULL CHECK (kind IN ('datacenter', 'pop', 'cloud-onramp', 'amplifier')),
  lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  metro          text,
  cloud_provider text,
  cloud_region   text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_kind_idx ON sites (kind);
CREATE INDEX sites_metro_idx ON sites (metro);

CREATE TABLE spans (
  id                  text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  a_site_id           text NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  z_site_id           text NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  length_km           double precision NOT NULL CHECK (length_km > 0 AND length_km <= 40000),
  measured_latency_us double precision CHECK (measured_latency_us > 0),
  geometry            jsonb NOT NULL,
  fiber_pairs         integer CHECK (fiber_pairs >= 1),
  slot_count          integer CHECK (slot_count BETWEEN 1 AND 4096),
  slot_width_ghz      double precision CHECK (slot_width_ghz > 0),
  start_frequency_ghz double precision CHECK (start_frequency_ghz > 0),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (a_site_id <> z_site_id),
  -- a line system is all there or not at all (dark fiber)
  CHECK ((fiber_pairs IS NULL) = (slot_count IS NULL)
     AND (slot_count IS NULL) = (slot_width_ghz IS NULL)
     AND (slot_width_ghz IS NULL) = (start_frequency_ghz IS NULL))
);
CREATE INDEX spans_a_site_idx ON spans (a_site_id);
CREATE INDEX spans_z_site_idx ON spans (z_site_id);

CREATE TABLE span_srlgs (
  span_id  text NOT NULL REFERENCES spans (id) ON DELETE CASCADE,
  srlg_id  text NOT NULL REFERENCES srlgs (id) ON DELETE RESTRICT,
  position integer NOT NULL,
  PRIMARY KEY (span_id, srlg_id)
);
CREATE INDEX span_srlgs_srlg_idx ON span_srlgs (srlg_id);

CREATE TABLE cables (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  span_id        text NOT NULL REFERENCES spans (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  strand_count   integer NOT NULL CHECK (strand_count BETWEEN 1 AND 1728),
  strands_in_use integer NOT NULL CHECK (strands_in_use >= 0 AND strands_in_use <= strand_count)
);
CREATE INDEX cables_span_idx ON cables (span_id);
`;
