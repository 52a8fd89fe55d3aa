/**
 * One writer per device: every change this process makes to a device goes through its queue, and
 * the changes handed over in the same turn or queued while a commit is running go to the device
 * together, as one edit-config and one commit. Validation of the whole datastore at commit dominates a commit's time (it grows
 * with the datastore), so combining edits makes a burst of activations (a restoration moving
 * hundreds of waves) cost a few commits per device instead of one per wave. After each commit the
 * running configuration is read back once (only the batch's circuits when every change names its
 * circuit) and every change of the batch verifies its own entries in it (a change that names its
 * circuit is handed that circuit's entries alone, see scoped). A commit is two
 * round trips: the lock, then edit-config, commit, discard-changes, unlock and the read-back
 * pipelined (NetconfClient.editAndCommit).
 *
 * A batch the device refuses is undone by the device (rollback-on-error, discard-changes); its
 * changes are then tried one by one, so one bad change fails alone.
 */
import type { NetconfClient } from './netconf/client.js';
import { NetconfRpcError } from './netconf/protocol.js';
import { ManagedSession, type RetryOptions } from './netconf/reconnect.js';
import { el, type XElement } from './netconf/xml.js';
import { NS } from './openroadm/model.js';

/** One change: the entries to put inside org-openroadm-device, from the running configuration when it asks for it. */
export interface DeviceChange {
  /** True when `build` needs the running configuration (read at the start of the batch). */
  needsRunning: boolean;
  /** Interface and roadm-connections entries (merge, or with nc:operation="remove"); empty = nothing to change. */
  build(running: XElement[] | null): XElement[];
  /**
   * When set, the change only looks at entries with this circuit-id (before and after): a batch whose
   * changes all name one reads only those entries back, not the device's whole configuration, and
   * the change is handed only its circuit's entries (build's running, and what apply resolves with).
   */
  circuitId?: string;
  /**
   * With circuitId: the only interfaces of the circuit the change looks at after its commit (the ones
   * it configured). The read-back then selects them by name, and every cross-connect of the circuit as
   * before, instead of every interface of the circuit: a service moved by restoration still has its
   * old path's entries on the devices the new one shares, until they are removed.
   */
  readBackInterfaces?: readonly string[];
}

/** How to reach the device and how to write. */
export interface DeviceWriterOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  rpcTimeoutMs?: number;
  connectTimeoutMs?: number;
  retry?: RetryOptions;
  /** Lock the candidate around each edit and commit (default true). */
  lock?: boolean;
  /** Send edit, commit, unlock and read-back without waiting for each reply (default true; see NetconfClient.editAndCommit). */
  pipeline?: boolean;
  /** Largest number of changes combined into one commit (default 256). */
  maxBatch?: number;
}

/** The filter reading what configuration the driver manages: every interface and cross-connect. */
export const MANAGED_FILTER: XElement[] = [el(NS.device, 'org-openroadm-device', [el(NS.device, 'interface'), el(NS.device, 'roadm-connections')])];

/** The filter for the entries of some circuits (RFC 6241 §6.2.5 content match on circuit-id), or every managed entry. */
export function circuitFilter(circuitIds: readonly (string | undefined)[]): XElement[] {
  if (circuitIds.length === 0 || circuitIds.some((c) => c === undefined)) return MANAGED_FILTER;
  const ids = [...new Set(circuitIds as string[])];
  return [el(NS.device, 'org-openroadm-device', ids.flatMap((id) => [el(NS.device, 'interface', [el(NS.device, 'circuit-id', id)]), el(NS.device, 'roadm-connections', [el(NS.device, 'circuit-id', id)])]))];
}

/**
 * The read-back after a batch's commit: per change, its circuit's cross-connects and either the
 * interfaces it names (readBackInterfaces) or every interface of its circuit; every managed entry
 * when a change names no circuit.
 */
export function readBackFilter(changes: readonly DeviceChange[]): XElement[] {
  if (changes.length === 0 || changes.some((c) => c.circuitId === undefined)) return MANAGED_FILTER;
  const wide = new Set(changes.filter((c) => !c.readBackInterfaces).map((c) => c.circuitId!));
  const named = new Set(changes.flatMap((c) => (c.readBackInterfaces && !wide.has(c.circuitId!) ? c.readBackInterfaces : [])));
  const circuits = [...new Set(changes.map((c) => c.circuitId!))];
  return [
    el(NS.device, 'org-openroadm-device', [
      ...[...wide].map((id) => el(NS.device, 'interface', [el(NS.device, 'circuit-id', id)])),
      ...[...named].map((name) => el(NS.device, 'interface', [el(NS.device, 'name', name)])),
      ...circuits.map((id) => el(NS.device, 'roadm-connections', [el(NS.device, 'circuit-id', id)])),
    ]),
  ];
}

interface Pending {
  change: DeviceChange;
  resolve: (running: XElement[]) => void;
  reject: (err: unknown) => void;
}

/** Batches changes to one device (see the module comment). */
export class DeviceWriter {
  private readonly session: ManagedSession;
  private queue: Pending[] = [];
  private running = false;
  /** Commits made and changes they carried (benchmarks). */
  readonly stats = { commits: 0, changes: 0 };

  constructor(private readonly opts: DeviceWriterOptions) {
    this.session = new ManagedSession(
      { host: opts.host, port: opts.port, username: opts.username, password: opts.password, rpcTimeoutMs: opts.rpcTimeoutMs, connectTimeoutMs: opts.connectTimeoutMs },
      opts.retry ?? { attempts: 2, delayMs: 100 },
    );
  }

  /** Applies a change; resolves with the running configuration (interfaces and cross-connects; only the change's circuit's when it names one) after its commit. */
  apply(change: DeviceChange): Promise<XElement[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (this.running) return;
      // The first change waits for the end of the current turn, so changes handed over together (a
      // restoration's phase: every moved service's entries on this device) go in one commit, not as
      // one commit for the first and one for the rest.
      this.running = true;
      queueMicrotask(() => void this.drain());
    });
  }

  /** Reads the managed configuration (after the changes queued before this call). */
  read(): Promise<XElement[]> {
    return this.apply({ needsRunning: false, build: () => [] });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 256);
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let c: NetconfClient;
    try {
      c = await this.session.session();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    try {
      const filter = circuitFilter(batch.map((p) => p.change.circuitId));
      const before = batch.some((p) => p.change.needsRunning) ? await c.getConfig('running', filter) : null;
      const edits: XElement[] = [];
      const built: Pending[] = [];
      const beforeOf = scoped(before);
      for (const p of batch) {
        try {
          edits.push(...p.change.build(beforeOf(p.change.circuitId)));
          built.push(p);
        } catch (err) {
          p.reject(err);
        }
      }
      // The read-back goes with the edit and commit (one round trip after the lock; see editAndCommit).
      const readBack = built.length > 0 ? readBackFilter(built.map((p) => p.change)) : filter;
      const after = edits.length > 0 ? (await this.commit(c, edits, readBack))! : before === null ? await c.getConfig('running', readBack) : before;
      this.stats.commits += edits.length > 0 ? 1 : 0;
      this.stats.changes += built.length;
      const afterOf = scoped(after);
      for (const p of built) p.resolve(afterOf(p.change.circuitId)!);
    } catch (err) {
      if (err instanceof NetconfRpcError && batch.length > 1 && !transient(err)) {
        // The device refused the combined edit and kept its configuration: find the change it refuses.
        for (const p of batch) await this.runBatch([p]);
        return;
      }
      for (const p of batch) p.reject(err);
    }
  }

  private commit(c: NetconfClient, edits: XElement[], readBack: XElement[]): Promise<XElement[] | null> {
    return c.editAndCommit([el(NS.device, 'org-openroadm-device', edits)], { lock: this.opts.lock !== false, readBack, pipeline: this.opts.pipeline });
  }

  /** Closes the session. */
  close(): Promise<void> {
    return this.session.close();
  }
}

/**
 * What each change of a batch is handed of a configuration read for the whole batch: a change that
 * names its circuit gets that circuit's entries alone (DeviceChange.circuitId: it looks at nothing
 * else), grouped in one pass, so that the changes of a batch (a restoration's hundreds of services
 * on a hub ROADM) do not each search the whole read-back; one without gets all of it.
 */
export function scoped(config: XElement[] | null): (circuitId: string | undefined) => XElement[] | null {
  if (config === null) return () => null;
  let groups: Map<string, XElement[]> | null = null;
  return (circuitId) => {
    if (circuitId === undefined) return config;
    groups ??= byCircuit(config);
    return groups.get(circuitId) ?? [el(NS.device, 'org-openroadm-device')];
  };
}

/** A configuration's entries by circuit-id, each group as a configuration of its own (the device element holding only them). */
function byCircuit(config: readonly XElement[]): Map<string, XElement[]> {
  const out = new Map<string, XElement[]>();
  for (const top of config) {
    if (top.ns !== NS.device || top.name !== 'org-openroadm-device') continue;
    for (const e of top.children) {
      const id = e.children.find((c) => c.name === 'circuit-id')?.text;
      if (id === undefined || id === null) continue;
      let group = out.get(id);
      if (!group) out.set(id, (group = [{ ...top, children: [] }]));
      group[0].children.push(e);
    }
  }
  return out;
}

/** rpc-errors that say "not now" rather than "not this": another session holds the lock or the datastore. */
export function transient(err: NetconfRpcError): boolean {
  return err.errors.some((e) => e.tag === 'lock-denied' || e.tag === 'in-use' || e.tag === 'resource-denied');
}
