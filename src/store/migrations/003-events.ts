/**
 * The event outbox, webhook endpoints with their delivery state, and hourly usage records.
 * Nothing here references another area's tables, so it applies whatever 002 contains.
 */
export const events = `
CREATE TABLE events (
  id           bigserial PRIMARY KEY,
  type         text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_-]*([.][a-z][a-z0-9_-]*)+$' AND length(type) <= 128),
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  tenant_id    text CHECK (length(tenant_id) BETWEEN 1 AND 128),
  subject_kind text NOT NULL CHECK (length(subject_kind) BETWEEN 1 AND 64),
  subject_id   text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 256),
  data         jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- a customer's stream reads its own tenant in id order
CREATE INDEX events_tenant_idx ON events (tenant_id, id);

CREATE TABLE webhooks (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL,
  -- operators' endpoints receive every tenant's events, customers' only their own
  all_tenants   boolean NOT NULL DEFAULT false,
  url           text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
  types         text[],
  secret        text NOT NULL CHECK (length(secret) >= 16),
  -- only events after this one are delivered: a new endpoint does not receive history
  from_event_id bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant_id, id);

-- Idempotency-Key memory for POST /v1/webhooks, kept apart from webhooks so a replay after DELETE
-- still answers with the original response instead of creating a second endpoint.
CREATE TABLE webhook_idempotency (
  tenant_id    text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE webhook_deliveries (
  webhook_id       text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- How far the fan-out from events to webhook_deliveries has got (one row).
CREATE TABLE webhook_dispatch (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_event_id bigint NOT NULL DEFAULT 0
);
INSERT INTO webhook_dispatch (singleton, last_event_id) VALUES (true, 0);

CREATE TABLE usage_records (
  service_id     text NOT NULL,
  hour           timestamptz NOT NULL CHECK (extract(epoch FROM hour)::bigint % 3600 = 0),
  tenant_id      text NOT NULL,
  product        text NOT NULL,
  -- null for products without a bandwidth (dark fiber)
  bandwidth_gbps double precision CHECK (bandwidth_gbps > 0),
  active_seconds integer NOT NULL CHECK (active_seconds BETWEEN 1 AND 3600),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, hour)
);
CREATE INDEX usage_records_tenant_idx ON usage_records (tenant_id, hour);
`;
