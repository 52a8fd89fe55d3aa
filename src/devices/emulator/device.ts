/**
 * One emulated OpenROADM device: running and candidate datastores, locks, sessions, validation of
 * every configuration it accepts, operational state, alarms with fault injection, and notification
 * subscribers. Transport-free: the SSH server (server.ts) turns NETCONF messages into calls here.
 */
import { NC_NS, NOTIF_NS, NetconfRpcError, rpcError, type RpcErrorInfo } from '../../southbound/netconf/protocol.js';
import { child, childText, children, cloneElement, el, type XElement } from '../../southbound/netconf/xml.js';
import { NS, OPENROADM_MODULES } from '../../southbound/openroadm/model.js';
import type { DeviceLayout } from '../../southbound/openroadm/layout.js';
import { editConfig, mergeTrees, subtreeFilter, type DefaultOperation, type ErrorOption } from './datastore.js';
import { alarmLeaves, initialConfig, stateOf, type ActiveAlarm } from './inventory.js';
import { validationSlice } from './slice.js';
import type { DatastoreValidator, ValidationIssue } from './validator.js';

export type Datastore = 'running' | 'candidate';

/** What the device needs of a NETCONF session. */
export interface DeviceSession {
  readonly id: number;
  /** Delivers a notification (when subscribed). */
  notify(notification: XElement): void;
  /** Ends the session (kill-session). */
  terminate(reason: string): void;
}

interface Subscription {
  filter: XElement[] | null;
}

/** Options of an emulated device. */
export interface DeviceOptions {
  /** Wall clock for event times (tests pass a fixed one). */
  now?: () => Date;
}

/** Runs async critical sections one at a time. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => {});
    return next;
  }
}

const RULE_ERROR = (path: string, message: string, appTag: string): RpcErrorInfo => ({
  type: 'application',
  tag: 'invalid-value',
  severity: 'error',
  appTag,
  path,
  pathNamespaces: { 'org-openroadm-device': NS.device },
  message,
});

/** Maps yanglint's issues to rpc-errors (RFC 7950 §15 error tags and app tags where they apply). */
export function issuesToErrors(issues: readonly ValidationIssue[]): RpcErrorInfo[] {
  return issues.map((i) => {
    let tag: RpcErrorInfo['tag'] = 'invalid-value';
    let appTag: string | undefined;
    if (/leafref|instance-required|no target instance/i.test(i.message)) {
      tag = 'data-missing';
      appTag = 'instance-required';
    } else if (/^Mandatory node/.test(i.message)) tag = 'data-missing';
    else if (/not found as a child|Unknown element|unknown.*namespace/i.test(i.message)) tag = 'unknown-element';
    else if (/Must condition/i.test(i.message)) {
      tag = 'operation-failed';
      appTag = 'must-violation';
    } else if (/Duplicate instance|Unique data/i.test(i.message)) {
      tag = 'operation-failed';
      appTag = 'data-not-unique';
    }
    const e: RpcErrorInfo = { type: 'application', tag, severity: 'error', message: i.message };
    if (appTag) e.appTag = appTag;
    if (i.path) {
      e.path = i.path;
      const ns: Record<string, string> = {};
      for (const m of i.path.matchAll(/([A-Za-z][\w.-]*):/g)) {
        const mod = OPENROADM_MODULES.find((x) => x.name === m[1]);
        if (mod) ns[m[1]] = mod.namespace;
      }
      e.pathNamespaces = ns;
    }
    return e;
  });
}

function decimal(e: XElement | undefined, name: string): number | null {
  const t = e ? childText(e, name) : undefined;
  const v = t === undefined ? NaN : Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * Rules a real ROADM enforces beyond the YANG model (OpenROADM MSA device white paper: a media
 * channel is a passband of the WSS on one port, a network media channel lies inside its media
 * channel, and a ROADM cannot change a channel's frequency): media channels on one port do not
 * overlap, nor do network media channels on one port; an NMC fits its supporting MC; a
 * roadm-connection joins two NMCs of the same frequency and width.
 */
export function deviceRules(data: readonly XElement[]): RpcErrorInfo[] {
  const dev = data.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
  if (!dev) return [];
  const errors: RpcErrorInfo[] = [];
  const ifaces = children(dev, 'interface');
  const byName = new Map(ifaces.map((i) => [childText(i, 'name') ?? '', i]));
  const typeOf = (i: XElement) => (child(i, 'type')?.text ?? '').replace(/^.*:/, '');
  const at = (name: string) => `/org-openroadm-device:org-openroadm-device/org-openroadm-device:interface[org-openroadm-device:name='${name}']`;
  // GHz ranges per port, to find overlaps; frequencies are compared in GHz rounded to 1 kHz, so
  // decimal text like 193.0375 compares exactly.
  const ghz = (thz: number) => Math.round(thz * 1e6) / 1e3;
  const ranges = new Map<string, { name: string; lo: number; hi: number }[]>();
  const addRange = (key: string, name: string, lo: number, hi: number) => {
    const list = ranges.get(key) ?? [];
    for (const r of list) {
      if (lo < r.hi && r.lo < hi) errors.push(RULE_ERROR(at(name), `spectrum of ${name} [${lo}, ${hi}) GHz overlaps ${r.name} [${r.lo}, ${r.hi}) GHz on the same port`, 'spectrum-overlap'));
    }
    list.push({ name, lo, hi });
    ranges.set(key, list);
  };
  const nmcRange = (i: XElement): [number, number] | null => {
    const n = child(i, 'nmc-ctp', NS.nmc);
    const f = decimal(n, 'frequency');
    const w = decimal(n, 'width');
    return f === null || w === null ? null : [ghz(f) - w / 2, ghz(f) + w / 2];
  };
  for (const i of ifaces) {
    const name = childText(i, 'name') ?? '';
    const port = `${childText(i, 'supporting-circuit-pack-name') ?? ''}/${childText(i, 'supporting-port') ?? ''}`;
    const t = typeOf(i);
    if (t === 'mediaChannelTrailTerminationPoint') {
      const mc = child(i, 'mc-ttp', NS.mc);
      const lo = decimal(mc, 'min-freq');
      const hi = decimal(mc, 'max-freq');
      if (lo !== null && hi !== null) {
        if (!(hi > lo)) errors.push(RULE_ERROR(at(name), `media channel ${name}: max-freq must exceed min-freq`, 'bad-media-channel'));
        else addRange(`mc:${port}`, name, ghz(lo), ghz(hi));
      }
    } else if (t === 'networkMediaChannelConnectionTerminationPoint') {
      const r = nmcRange(i);
      if (!r) continue;
      addRange(`nmc:${port}`, name, r[0], r[1]);
      for (const s of children(i, 'supporting-interface-list')) {
        const mc = byName.get(s.text ?? '');
        if (!mc || typeOf(mc) !== 'mediaChannelTrailTerminationPoint') continue;
        const m = child(mc, 'mc-ttp', NS.mc);
        const lo = decimal(m, 'min-freq');
        const hi = decimal(m, 'max-freq');
        if (lo !== null && hi !== null && (r[0] < ghz(lo) || r[1] > ghz(hi))) {
          errors.push(RULE_ERROR(at(name), `network media channel ${name} [${r[0]}, ${r[1]}) GHz does not fit its media channel ${s.text} [${ghz(lo)}, ${ghz(hi)}) GHz`, 'nmc-outside-mc'));
        }
      }
    }
  }
  for (const c of children(dev, 'roadm-connections')) {
    const name = childText(c, 'connection-name') ?? '';
    const src = byName.get(childText(child(c, 'source') ?? c, 'src-if') ?? '');
    const dst = byName.get(childText(child(c, 'destination') ?? c, 'dst-if') ?? '');
    if (!src || !dst) continue;
    const a = typeOf(src) === 'networkMediaChannelConnectionTerminationPoint' ? nmcRange(src) : null;
    const b = typeOf(dst) === 'networkMediaChannelConnectionTerminationPoint' ? nmcRange(dst) : null;
    if (a && b && (a[0] !== b[0] || a[1] !== b[1])) {
      errors.push({
        ...RULE_ERROR(`/org-openroadm-device:org-openroadm-device/org-openroadm-device:roadm-connections[org-openroadm-device:connection-name='${name}']`, `connection ${name} joins [${a[0]}, ${a[1]}) GHz to [${b[0]}, ${b[1]}) GHz: a ROADM cannot change a channel's frequency`, 'frequency-mismatch'),
      });
    }
  }
  return errors;
}

/** An emulated device. */
export class EmulatedDevice {
  private running: XElement[];
  /** Null while the candidate equals running. */
  private candidate: XElement[] | null = null;
  private candidateModifiedBy = 0;
  /** True when running was accepted by a full or sliced YANG check (not set with test-option set, nor the initial datastore). */
  private runningChecked = false;
  private readonly locks: Record<Datastore, number> = { running: 0, candidate: 0 };
  private readonly sessions = new Map<number, DeviceSession>();
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly alarms = new Map<string, ActiveAlarm>();
  private readonly downPorts = new Set<string>();
  private readonly mutex = new Mutex();
  private nextSessionId = 1;
  private readonly now: () => Date;
  /** Commits and running edits that were accepted (for tests and benches). */
  readonly counters = { commits: 0, rejected: 0 };

  constructor(
    readonly layout: DeviceLayout,
    private readonly validator: DatastoreValidator,
    opts: DeviceOptions = {},
  ) {
    this.running = initialConfig(layout);
    this.now = opts.now ?? (() => new Date());
  }

  get nodeId(): string {
    return this.layout.nodeId;
  }

  /** Registers a session; returns its id. */
  openSession(make: (id: number) => DeviceSession): DeviceSession {
    const s = make(this.nextSessionId++);
    this.sessions.set(s.id, s);
    return s;
  }

  /** Forgets a session: releases its locks; a held candidate lock discards the candidate (RFC 6241 §7.5). */
  closeSession(id: number): void {
    if (!this.sessions.delete(id)) return;
    this.subscriptions.delete(id);
    if (this.locks.candidate === id) {
      this.locks.candidate = 0;
      this.candidate = null;
    }
    if (this.locks.running === id) this.locks.running = 0;
  }

  /** Ids of open sessions. */
  sessionIds(): number[] {
    return [...this.sessions.keys()];
  }

  private store(ds: Datastore): XElement[] {
    return ds === 'running' ? this.running : (this.candidate ?? this.running);
  }

  private checkNotLocked(sessionId: number, ds: Datastore): void {
    const holder = this.locks[ds];
    if (holder !== 0 && holder !== sessionId) {
      throw rpcError('protocol', 'in-use', `the ${ds} datastore is locked by session ${holder}`, { info: [{ name: 'session-id', value: String(holder) }] });
    }
  }

  /** <get-config>: a datastore, filtered. */
  getConfig(source: Datastore, filter: XElement[] | null): XElement[] {
    const data = this.store(source);
    return filter ? subtreeFilter(data, filter) : data.map(cloneElement);
  }

  /** <get>: running configuration with operational state and alarms, filtered. */
  get(filter: XElement[] | null): XElement[] {
    const full = mergeTrees(this.running, stateOf(this.layout, this.running, this.downPorts, [...this.alarms.values()]));
    return filter ? subtreeFilter(full, filter) : full;
  }

  /**
   * Validates a datastore with the device rules and the validator; throws NetconfRpcError when invalid.
   * With `base`, the running datastore it replaces (valid, since it was accepted), the YANG validator
   * checks the part of `data` the change can affect (slice.ts; the whole datastore when in doubt);
   * the device rules always look at the whole datastore.
   */
  private async check(data: XElement[], base?: XElement[]): Promise<void> {
    const rules = [...deviceRules(data), ...this.addDropRule(data)];
    if (rules.length > 0) throw new NetconfRpcError(rules);
    const slice = base && this.runningChecked && base === this.running && this.validator.kind === 'yang' ? validationSlice(base, data) : null;
    // An empty slice: only entries nothing kept refers to were removed, and what remains was valid.
    if (slice?.length === 0) return;
    const r = await this.validator.validate(slice ?? data, 'config');
    if (!r.ok) throw new NetconfRpcError(issuesToErrors(r.issues));
  }

  /** A colorless add/drop port of a CDC SRG carries one channel (one NMC per port). */
  private addDropRule(data: readonly XElement[]): RpcErrorInfo[] {
    if (this.layout.kind !== 'roadm') return [];
    const srgPacks = new Set(this.layout.srgs.map((s) => s.circuitPack));
    const dev = data.find((e) => e.ns === NS.device && e.name === 'org-openroadm-device');
    const seen = new Map<string, string>();
    const errors: RpcErrorInfo[] = [];
    for (const i of children(dev ?? el(NS.device, 'x'), 'interface')) {
      const cp = childText(i, 'supporting-circuit-pack-name') ?? '';
      if (!srgPacks.has(cp) || !child(i, 'nmc-ctp', NS.nmc)) continue;
      const key = `${cp}/${childText(i, 'supporting-port') ?? ''}`;
      const name = childText(i, 'name') ?? '';
      const other = seen.get(key);
      if (other) errors.push(RULE_ERROR(`/org-openroadm-device:org-openroadm-device/org-openroadm-device:interface[org-openroadm-device:name='${name}']`, `add/drop port ${key} already carries ${other}; a colorless add/drop port carries one channel`, 'port-in-use'));
      else seen.set(key, name);
    }
    return errors;
  }

  /** <edit-config> (RFC 6241 §7.2). Running edits are validated before they apply; candidate edits at commit. */
  editConfig(
    sessionId: number,
    target: Datastore,
    config: XElement[],
    opts: { defaultOperation?: DefaultOperation; errorOption?: ErrorOption; testOption?: 'test-then-set' | 'set' | 'test-only' } = {},
  ): Promise<void> {
    return this.mutex.run(async () => {
      this.checkNotLocked(sessionId, target);
      const before = this.store(target);
      const r = editConfig(before, config, { defaultOperation: opts.defaultOperation, errorOption: opts.errorOption });
      const rollback = r.errors.length > 0 && (opts.errorOption ?? 'stop-on-error') === 'rollback-on-error';
      const test = opts.testOption ?? 'test-then-set';
      if (target === 'running' || test === 'test-only') {
        // Running must stay valid whatever the error-option; test-only validates and changes nothing.
        if (!rollback && test !== 'set') {
          try {
            await this.check(r.data, target === 'running' ? before : undefined);
          } catch (err) {
            this.counters.rejected++;
            if (err instanceof NetconfRpcError && r.errors.length > 0) throw new NetconfRpcError([...r.errors, ...err.errors]);
            throw err;
          }
        }
      }
      if (test !== 'test-only' && !rollback) {
        if (target === 'running') {
          this.running = r.data;
          this.runningChecked = test !== 'set';
          this.counters.commits++;
        } else {
          this.candidate = r.data;
          this.candidateModifiedBy = sessionId;
        }
      }
      if (r.errors.length > 0) throw new NetconfRpcError(r.errors);
    });
  }

  /** <commit> (RFC 6241 §8.3.4.1): validates the candidate and makes it running. */
  commit(sessionId: number): Promise<void> {
    return this.mutex.run(async () => {
      this.checkNotLocked(sessionId, 'running');
      this.checkNotLocked(sessionId, 'candidate');
      const candidate = this.candidate;
      if (candidate === null) return;
      try {
        await this.check(candidate, this.running);
      } catch (err) {
        this.counters.rejected++;
        throw err;
      }
      // The session that locked the candidate may have ended while it was validated (its changes are
      // then discarded, RFC 6241 §7.5): nothing to commit any more.
      if (this.candidate !== candidate) throw rpcError('application', 'operation-failed', 'the candidate was discarded while it was being validated (its lock holder\'s session ended)');
      this.running = candidate;
      this.runningChecked = true;
      this.candidate = null;
      this.counters.commits++;
    });
  }

  /** <discard-changes> (RFC 6241 §8.3.4.2). */
  discardChanges(sessionId: number): Promise<void> {
    return this.mutex.run(async () => {
      this.checkNotLocked(sessionId, 'candidate');
      this.candidate = null;
    });
  }

  /** <validate> (RFC 6241 §8.6). */
  validate(source: Datastore | XElement[]): Promise<void> {
    return this.mutex.run(() => this.check(Array.isArray(source) ? source : this.store(source)));
  }

  /** <lock> (RFC 6241 §7.5). */
  lock(sessionId: number, target: Datastore): void {
    const holder = this.locks[target];
    if (holder !== 0) throw rpcError('protocol', 'lock-denied', `the ${target} datastore is already locked by session ${holder}`, { info: [{ name: 'session-id', value: String(holder) }] });
    if (target === 'candidate' && this.candidate !== null) {
      throw rpcError('protocol', 'lock-denied', 'the candidate has uncommitted changes; commit or discard them first', { info: [{ name: 'session-id', value: String(this.candidateModifiedBy) }] });
    }
    this.locks[target] = sessionId;
  }

  /** <unlock> (RFC 6241 §7.6). */
  unlock(sessionId: number, target: Datastore): void {
    if (this.locks[target] !== sessionId) {
      throw rpcError('protocol', 'operation-failed', this.locks[target] === 0 ? `the ${target} datastore is not locked` : `the ${target} lock is held by session ${this.locks[target]}`);
    }
    this.locks[target] = 0;
  }

  /** <kill-session> (RFC 6241 §7.9). */
  killSession(sessionId: number, victim: number): void {
    if (victim === sessionId) throw rpcError('protocol', 'invalid-value', 'a session cannot kill itself; use close-session');
    const s = this.sessions.get(victim);
    if (!s) throw rpcError('protocol', 'invalid-value', `no session ${victim}`);
    this.closeSession(victim);
    s.terminate(`killed by session ${sessionId}`);
  }

  /** <create-subscription> (RFC 5277 §2.1.1) on the NETCONF stream; replay is not supported. */
  subscribe(sessionId: number, opts: { stream?: string; filter: XElement[] | null; startTime?: string }): void {
    if (opts.stream !== undefined && opts.stream !== 'NETCONF') throw rpcError('application', 'invalid-value', `unknown stream ${opts.stream}; this device has NETCONF`);
    if (opts.startTime !== undefined) throw rpcError('protocol', 'operation-failed', 'replay is not supported (no :replay capability)');
    if (this.subscriptions.has(sessionId)) throw rpcError('protocol', 'in-use', 'this session already has a subscription');
    this.subscriptions.set(sessionId, { filter: opts.filter });
  }

  private publish(event: XElement): void {
    const notification = el(NOTIF_NS, 'notification', [el(NOTIF_NS, 'eventTime', this.now().toISOString()), event]);
    for (const [id, sub] of this.subscriptions) {
      if (sub.filter && subtreeFilter([event], sub.filter).length === 0) continue;
      this.sessions.get(id)?.notify(notification);
    }
  }

  /** Active alarms. */
  activeAlarms(): ActiveAlarm[] {
    return [...this.alarms.values()];
  }

  /** Fault injection: loss of signal on a port (e.g. a degree's line port after a fiber cut). Idempotent. */
  raiseLossOfSignal(circuitPack: string, port: string, detail?: string): ActiveAlarm {
    this.checkPort(circuitPack, port);
    const id = `LOS-${circuitPack}-${port}`;
    const existing = this.alarms.get(id);
    if (existing) return existing;
    const alarm: ActiveAlarm = { id, nodeId: this.nodeId, circuitPack, port, cause: 'lossOfSignal', severity: 'critical', raiseTime: this.now().toISOString() };
    if (detail) alarm.additionalDetail = detail;
    this.alarms.set(id, alarm);
    this.downPorts.add(`${circuitPack}/${port}`);
    this.publish(el(NS.alarm, 'alarm-notification', alarmLeaves(alarm)));
    return alarm;
  }

  /** Clears a loss of signal; notifies with severity clear. Idempotent. */
  clearLossOfSignal(circuitPack: string, port: string): void {
    this.checkPort(circuitPack, port);
    const id = `LOS-${circuitPack}-${port}`;
    const alarm = this.alarms.get(id);
    if (!alarm) return;
    this.alarms.delete(id);
    this.downPorts.delete(`${circuitPack}/${port}`);
    this.publish(el(NS.alarm, 'alarm-notification', alarmLeaves({ ...alarm, severity: 'clear', raiseTime: this.now().toISOString() })));
  }

  private checkPort(circuitPack: string, port: string): void {
    const dev = this.running.find((e) => e.name === 'org-openroadm-device');
    const cp = dev ? children(dev, 'circuit-packs').find((c) => childText(c, 'circuit-pack-name') === circuitPack) : undefined;
    if (!cp || !children(cp, 'ports').some((p) => childText(p, 'port-name') === port)) throw new RangeError(`${this.nodeId} has no port ${circuitPack}/${port}`);
  }
}

/** The <data> element of a get / get-config reply. */
export function dataElement(content: XElement[]): XElement {
  return el(NC_NS, 'data', content);
}
