/**
 * Southbound: the device inventory (where each site's NETCONF device answers; credentials are never
 * stored here), what the NETCONF driver installed or is installing on the devices for each service
 * (one row per device transaction: an order's id, or a restoration's reconfiguration), the add/drop
 * ports and transponders each transaction holds (chosen in the database so every replica agrees;
 * a service's transactions share its ports),
 * and where a failure came from (an operator, or the devices' alarms).
 */
export const southbound = `
ALTER TABLE failures ADD COLUMN source text NOT NULL DEFAULT 'operator' CHECK (source IN ('operator', 'device'));

CREATE TABLE devices (
  site_id    text PRIMARY KEY,
  node_id    text NOT NULL UNIQUE,
  kind       text NOT NULL CHECK (kind IN ('roadm', 'xpdr')),
  host       text NOT NULL,
  port       integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  model      text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE device_configs (
  service_id text NOT NULL,
  txn_id     text NOT NULL,
  design     jsonb NOT NULL,
  sites      text[] NOT NULL,
  state      text NOT NULL CHECK (state IN ('configuring', 'active')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, txn_id)
);
CREATE UNIQUE INDEX device_configs_active_idx ON device_configs (service_id) WHERE state = 'active';

CREATE TABLE device_ports (
  site_id    text NOT NULL,
  port       text NOT NULL,
  service_id text NOT NULL,
  txn_id     text NOT NULL,
  use        text NOT NULL,
  PRIMARY KEY (service_id, txn_id, site_id, use),
  FOREIGN KEY (service_id, txn_id) REFERENCES device_configs (service_id, txn_id) ON DELETE CASCADE
);
-- A port belongs to one service; that service's transactions share it (a restoration retunes the
-- customer's transponder rather than moving the customer). Claims serialize per site on an advisory
-- lock (store/southbound.ts claimPorts); this index keeps one row per port and transaction.
CREATE UNIQUE INDEX device_ports_port_idx ON device_ports (site_id, port, txn_id);
`;
