/**
 * Where the devices are and whether they answer: the device inventory (the store's `devices` table,
 * or a fixed list read from a file at start), the credentials to log in with (never stored, never
 * logged), and each device's reachability as the driver and the alarm monitor last saw it.
 */
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import type { Db } from '../../store/db.js';
import * as sb from '../../store/southbound.js';
import type { DeviceRow } from '../../store/southbound.js';

export type { DeviceRow } from '../../store/southbound.js';

/** A login. */
export interface DeviceCredentials {
  username: string;
  password: string;
}

/** Logins: one for every device, and optional ones per site. */
export interface CredentialSource {
  default: DeviceCredentials | null;
  sites?: Record<string, DeviceCredentials>;
}

/** A credential source that cannot be used (names what is missing, never a secret). */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

function credentialsOf(v: unknown, where: string): DeviceCredentials {
  const o = v as { username?: unknown; password?: unknown } | null;
  if (!o || typeof o.username !== 'string' || typeof o.password !== 'string' || !o.username || !o.password) throw new CredentialsError(`${where}: needs a username and a password (strings)`);
  return { username: o.username, password: o.password };
}

/**
 * Device logins from a secrets file (JSON: `{"username", "password", "sites": {"<site>": {"username",
 * "password"}}}`) or else the environment (LIGHTPATH_DEVICES_USERNAME, default "lightpath", and
 * LIGHTPATH_DEVICES_PASSWORD). Errors name the file and field, never a value.
 */
export function loadCredentials(env: Record<string, string | undefined>, secretsFile?: string): CredentialSource {
  if (secretsFile) {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
    } catch (err) {
      throw new CredentialsError(`${secretsFile}: cannot read the device secrets (${err instanceof SyntaxError ? 'not JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable')})`);
    }
    const o = (doc ?? {}) as { username?: unknown; sites?: unknown };
    const sites: Record<string, DeviceCredentials> = {};
    if (o.sites !== undefined) {
      if (typeof o.sites !== 'object' || o.sites === null || Array.isArray(o.sites)) throw new CredentialsError(`${secretsFile}: sites must be an object of site id → {username, password}`);
      for (const [site, v] of Object.entries(o.sites)) sites[site] = credentialsOf(v, `${secretsFile}: sites.${site}`);
    }
    const dflt = o.username !== undefined ? credentialsOf(doc, secretsFile) : null;
    if (!dflt && Object.keys(sites).length === 0) throw new CredentialsError(`${secretsFile}: no credentials (username and password, or sites)`);
    return { default: dflt, sites };
  }
  const password = env.LIGHTPATH_DEVICES_PASSWORD;
  if (!password) return { default: null };
  return { default: { username: env.LIGHTPATH_DEVICES_USERNAME || 'lightpath', password } };
}

/** A device with what was last seen of it. */
export interface DeviceStatus extends DeviceRow {
  /** null until the first attempt to reach it. */
  reachable: boolean | null;
  /** When reachability last changed. */
  since: string | null;
  /** Why it was last unreachable (no secrets). */
  lastError: string | null;
}

/** Reads device endpoints from a JSON file: an array, or `{items: [...]}` as `lightpath devices serve --json` prints. */
export function readDeviceFile(file: string): DeviceRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CredentialsError(`${file}: cannot read the device inventory (${err instanceof SyntaxError ? 'not JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable')})`);
  }
  const items = Array.isArray(doc) ? doc : (doc as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new CredentialsError(`${file}: expected an array of devices or {items: [...]}`);
  return items.map((v, i) => {
    const d = v as Record<string, unknown>;
    const port = Number(d.port);
    if (typeof d.siteId !== 'string' || typeof d.nodeId !== 'string' || typeof d.host !== 'string' || !(Number.isInteger(port) && port >= 1 && port <= 65535) || (d.kind !== 'roadm' && d.kind !== 'xpdr')) {
      throw new CredentialsError(`${file}: items[${i}]: needs siteId, nodeId, kind (roadm|xpdr), host and port (1-65535)`);
    }
    return { siteId: d.siteId, nodeId: d.nodeId, kind: d.kind, host: d.host, port, model: typeof d.model === 'string' ? d.model : null };
  });
}

/** Endpoints, logins and reachability. Events: 'change' (DeviceStatus) when a device's reachability flips. */
export class DeviceDirectory extends EventEmitter {
  private cache: { at: number; rows: DeviceRow[] } | null = null;
  private readonly seen = new Map<string, { reachable: boolean; since: string; lastError: string | null }>();

  constructor(
    private readonly db: Db,
    private readonly credentials: CredentialSource,
    /** A fixed inventory (from a file); default: the store's, re-read at most every refreshMs. */
    private readonly fixed: readonly DeviceRow[] | null = null,
    private readonly refreshMs = 2000,
  ) {
    super();
  }

  /** Every device. */
  async list(): Promise<DeviceRow[]> {
    if (this.fixed) return [...this.fixed];
    const now = Date.now();
    if (!this.cache || now - this.cache.at > this.refreshMs) this.cache = { at: now, rows: await sb.listDevices(this.db) };
    return this.cache.rows;
  }

  /** The device at a site, re-reading the store once when it is not known yet. */
  async endpoint(siteId: string): Promise<DeviceRow | undefined> {
    let d = (await this.list()).find((x) => x.siteId === siteId);
    if (!d && !this.fixed) {
      this.cache = null;
      d = (await this.list()).find((x) => x.siteId === siteId);
    }
    return d;
  }

  /** The login for a site's device. */
  login(siteId: string): DeviceCredentials {
    const c = this.credentials.sites?.[siteId] ?? this.credentials.default;
    if (!c) throw new CredentialsError(`no device credentials for site ${siteId} (LIGHTPATH_DEVICES_PASSWORD or --device-secrets)`);
    return c;
  }

  /** Records what an attempt to reach a device found. */
  mark(device: DeviceRow, reachable: boolean, error?: unknown): void {
    const prev = this.seen.get(device.siteId);
    const lastError = reachable ? (prev?.lastError ?? null) : error instanceof Error ? error.message : error === undefined ? null : String(error);
    if (prev && prev.reachable === reachable) {
      prev.lastError = lastError;
      return;
    }
    const since = new Date().toISOString();
    this.seen.set(device.siteId, { reachable, since, lastError });
    this.emit('change', { ...device, reachable, since, lastError } satisfies DeviceStatus);
  }

  /** Every device with its reachability. */
  async statuses(): Promise<DeviceStatus[]> {
    return (await this.list()).map((d) => {
      const s = this.seen.get(d.siteId);
      return { ...d, reachable: s?.reachable ?? null, since: s?.since ?? null, lastError: s?.lastError ?? null };
    });
  }
}
