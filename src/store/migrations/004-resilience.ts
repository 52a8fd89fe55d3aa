/**
 * Resilience: persisted failure events, per-service outage intervals (SLA accounting), what each
 * service held before restoration moved it (for reversion), and a restoration priority. Services gain
 * the state 'down' (a failure took every path it could use).
 */
export const resilience = `
ALTER TABLE services DROP CONSTRAINT services_state_check;
ALTER TABLE services ADD CONSTRAINT services_state_check CHECK (state IN ('reserved', 'active', 'down', 'terminated'));
ALTER TABLE services ADD COLUMN priority integer NOT NULL DEFAULT 0;

CREATE TABLE failures (
  id           text PRIMARY KEY,
  spans        text[] NOT NULL DEFAULT '{}',
  srlgs        text[] NOT NULL DEFAULT '{}',
  sites        text[] NOT NULL DEFAULT '{}',
  failed_spans text[] NOT NULL,
  note         text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  repaired_at  timestamptz,
  CHECK (repaired_at IS NULL OR repaired_at >= started_at)
);
CREATE INDEX failures_open_idx ON failures (id) WHERE repaired_at IS NULL;

CREATE TABLE service_outages (
  id         bigserial PRIMARY KEY,
  service_id text NOT NULL REFERENCES services (id),
  started_at timestamptz NOT NULL,
  ended_at   timestamptz,
  cause      text,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX service_outages_open_idx ON service_outages (service_id) WHERE ended_at IS NULL;
CREATE INDEX service_outages_service_idx ON service_outages (service_id, started_at);

CREATE TABLE service_resilience (
  service_id      text PRIMARY KEY REFERENCES services (id),
  original_design jsonb,
  switched_at     timestamptz,
  rerouted_at     timestamptz
);
`;
