/**
 * Faults from the network: a NETCONF session per device subscribed to its OpenROADM alarm
 * notifications (reconnecting on its own with backoff; on every new session the device's active alarm
 * list replaces what was known of it, so nothing raised or cleared while it was away is missed).
 *
 * Correlation: a span has failed when every degree of it (each fiber pair, at both ends, on the
 * devices that are registered) shows loss of signal. Then the failure is recorded exactly as an
 * operator's `POST /v1/failures` would be (ResilienceService.cut: recorded first, idempotent,
 * restoration follows), with source `device`. When every degree of such a span is clear again, the
 * device-sourced failure is repaired (restoration reverts per the revert policy). Loss of signal at
 * one end only is not a span failure. A device that stops answering keeps its last known alarms: an
 * unreachable device is an event (`device.unreachable`, `device.reachable`) and a metric, never a
 * failure or a repair.
 */
import { setMaxListeners } from 'node:events';
import type { Db } from '../../store/db.js';
import { appendEvent } from '../../store/events.js';
import * as fs from '../../store/failures.js';
import { NetconfClient } from '../../southbound/netconf/client.js';
import { child, childText, children, el, type XElement } from '../../southbound/netconf/xml.js';
import { NS } from '../../southbound/openroadm/model.js';
import type { LayoutIndex } from '../../southbound/openroadm/layout.js';
import type { Principal } from '../ordering/principal.js';
import type { ResilienceService } from '../resilience/index.js';
import type { DeviceDirectory, DeviceRow, DeviceStatus } from './directory.js';

/** Who records what the devices report (audit: actor role system, key device-alarms). */
export const DEVICE_PRINCIPAL: Principal = { tenantId: 'operator', role: 'operator', keyId: 'device-alarms', via: 'system' };

/** Monitor settings. */
export interface AlarmMonitorOptions {
  /** First reconnect delay (default 200 ms), doubled up to maxDelayMs (default 5 s). */
  delayMs?: number;
  maxDelayMs?: number;
  /** How often the device list is re-read for devices added or moved (default 5 s). */
  refreshMs?: number;
  /** Told of failures recorded and repaired, and of errors (never secrets). */
  onRecord?: (what: { action: 'cut' | 'repair'; spanId: string; failureId: string }) => void;
  onError?: (err: unknown) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/** A loss-of-signal alarm's place: circuit pack and port. */
function losOf(alarm: XElement): { key: string; clear: boolean } | null {
  if (childText(child(alarm, 'probableCause', NS.alarm) ?? alarm, 'cause', NS.alarm) !== 'lossOfSignal') return null;
  const port = child(child(child(alarm, 'resource', NS.alarm) ?? alarm, 'resource', NS.alarm) ?? alarm, 'port', NS.alarm);
  if (!port) return null;
  const key = `${childText(port, 'circuit-pack-name', NS.alarm) ?? ''}/${childText(port, 'port-name', NS.alarm) ?? ''}`;
  return { key, clear: childText(alarm, 'severity', NS.alarm) === 'clear' };
}

/** Subscribes to every device's alarms and turns correlated loss of signal into span failures. */
export class AlarmMonitor {
  private readonly abort = new AbortController();
  private readonly loops = new Map<string, { key: string; stop: AbortController; done: Promise<void> }>();
  /** Loss of signal per site: "circuit pack/port". */
  private readonly los = new Map<string, Set<string>>();
  private readonly spanQueues = new Map<string, Promise<void>>();
  private refresher: Promise<void> | null = null;
  /** Notifications handled, failures recorded and repaired (tests, metrics). */
  readonly stats = { notifications: 0, cuts: 0, repairs: 0 };

  constructor(
    private readonly db: Db,
    private readonly directory: DeviceDirectory,
    private readonly resilience: ResilienceService,
    private readonly layout: () => Promise<LayoutIndex>,
    private readonly opts: AlarmMonitorOptions = {},
  ) {
    directory.on('change', (s: DeviceStatus) => void this.reachabilityEvent(s));
  }

  /** Starts watching the devices (and re-reads the device list every refreshMs). */
  start(): void {
    if (this.refresher) return;
    this.refresher = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.sync();
        } catch (err) {
          this.opts.onError?.(err);
        }
        await sleep(this.opts.refreshMs ?? 5000, this.abort.signal);
      }
    })();
  }

  /** Starts a session loop for each device not watched yet; stops those of devices gone or moved. */
  async sync(): Promise<void> {
    const devices = await this.directory.list();
    const want = new Map(devices.map((d) => [d.siteId, d]));
    for (const [siteId, l] of this.loops) {
      const d = want.get(siteId);
      if (!d || `${d.host}:${d.port}` !== l.key) {
        l.stop.abort();
        this.loops.delete(siteId);
      }
    }
    for (const d of devices) {
      if (this.loops.has(d.siteId)) continue;
      const stop = new AbortController();
      // One listener per device on the monitor's signal: as many as there are devices.
      setMaxListeners(0, this.abort.signal);
      this.abort.signal.addEventListener('abort', () => stop.abort(), { once: true });
      this.loops.set(d.siteId, { key: `${d.host}:${d.port}`, stop, done: this.watch(d, stop.signal) });
    }
  }

  /** One device: connect, subscribe, read the active alarms, listen until the session ends; again after a backoff. */
  private async watch(d: DeviceRow, signal: AbortSignal): Promise<void> {
    let delay = this.opts.delayMs ?? 200;
    while (!signal.aborted) {
      let client: NetconfClient | null = null;
      try {
        client = await NetconfClient.connect({ host: d.host, port: d.port, ...this.directory.login(d.siteId), connectTimeoutMs: 5000, rpcTimeoutMs: 10_000 });
        const c = client;
        const closed = new Promise<unknown>((resolve) => c.once('close', resolve));
        const onAbort = () => c.destroy();
        signal.addEventListener('abort', onAbort);
        c.on('notification', (n: XElement) => {
          const a = child(n, 'alarm-notification', NS.alarm);
          if (a) this.onAlarm(d.siteId, a);
        });
        await c.createSubscription({ filter: [el(NS.alarm, 'alarm-notification')] });
        const data = await c.get([el(NS.alarm, 'active-alarm-list')]);
        const list = data.find((e) => e.name === 'active-alarm-list');
        const now = new Set<string>();
        for (const a of list ? children(list, 'activeAlarms', NS.alarm) : []) {
          const l = losOf(a);
          if (l && !l.clear) now.add(l.key);
        }
        this.los.set(d.siteId, now);
        this.directory.mark(d, true);
        delay = this.opts.delayMs ?? 200;
        void this.evaluateSite(d.siteId);
        const why = await closed;
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) this.directory.mark(d, false, why ?? 'session closed');
      } catch (err) {
        client?.destroy();
        if (!signal.aborted) this.directory.mark(d, false, err);
      }
      if (signal.aborted) break;
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.opts.maxDelayMs ?? 5000);
    }
  }

  private onAlarm(siteId: string, alarm: XElement): void {
    this.stats.notifications++;
    const l = losOf(alarm);
    if (!l) return;
    const set = this.los.get(siteId) ?? new Set<string>();
    this.los.set(siteId, set);
    if (l.clear) set.delete(l.key);
    else set.add(l.key);
    void this.evaluateSite(siteId);
  }

  /** Re-evaluates every span that ends at the site. */
  private async evaluateSite(siteId: string): Promise<void> {
    try {
      const index = await this.layout();
      const dev = index.device(siteId);
      if (dev?.kind !== 'roadm') return;
      for (const spanId of new Set(dev.degrees.map((g) => g.spanId))) this.evaluateSpan(index, spanId);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** Queues the span's evaluation behind the previous one (a cut and its clear are recorded in order). */
  private evaluateSpan(index: LayoutIndex, spanId: string): void {
    const degrees = index.degreesOfSpan(spanId).filter((x) => this.loops.has(x.siteId));
    if (degrees.length === 0) return;
    const down = degrees.filter((x) => this.los.get(x.siteId)?.has(`${x.degree.circuitPack}/${x.degree.ttpPort}`));
    const state = down.length === degrees.length ? 'failed' : down.length === 0 ? 'clear' : 'partial';
    if (state === 'partial') return;
    const where = degrees.map((x) => `${index.device(x.siteId)?.nodeId ?? x.siteId} ${x.degree.ttpPort}`).join(', ');
    const prev = this.spanQueues.get(spanId) ?? Promise.resolve();
    const next = prev.then(() => (state === 'failed' ? this.recordCut(spanId, where) : this.recordRepair(spanId))).catch((err) => this.opts.onError?.(err));
    this.spanQueues.set(spanId, next);
  }

  private async recordCut(spanId: string, where: string): Promise<void> {
    const open = await fs.openFailureLike(this.db, { spans: [spanId], srlgs: [], sites: [] });
    if (open) return;
    const r = await this.resilience.cut(DEVICE_PRINCIPAL, { spans: [spanId], note: `loss of signal at both ends: ${where}`, source: 'device' });
    if (r.created) {
      this.stats.cuts++;
      this.opts.onRecord?.({ action: 'cut', spanId, failureId: r.failure.id });
    }
  }

  private async recordRepair(spanId: string): Promise<void> {
    const open = await fs.openFailureLike(this.db, { spans: [spanId], srlgs: [], sites: [] });
    // Only what the devices reported is repaired by them; an operator's cut waits for the operator.
    if (!open || open.source !== 'device') return;
    try {
      await this.resilience.repair(DEVICE_PRINCIPAL, open.id);
      this.stats.repairs++;
      this.opts.onRecord?.({ action: 'repair', spanId, failureId: open.id });
    } catch (err) {
      // Another replica repaired it first.
      if (!(err instanceof Error && /already repaired/.test(err.message))) throw err;
    }
  }

  private async reachabilityEvent(s: DeviceStatus): Promise<void> {
    try {
      await this.db.transaction((tx) =>
        appendEvent(tx, { type: s.reachable ? 'device.reachable' : 'device.unreachable', tenantId: null, subject: { kind: 'device', id: s.siteId }, data: { siteId: s.siteId, nodeId: s.nodeId, host: s.host, port: s.port, reachable: s.reachable, since: s.since, error: s.lastError } }),
      );
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  /** Sites whose device currently reports loss of signal somewhere (tests). */
  lossOfSignal(siteId: string): string[] {
    return [...(this.los.get(siteId) ?? [])].sort();
  }

  /** Stops every session. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.refresher;
    await Promise.all([...this.loops.values()].map((l) => l.done));
    await Promise.all([...this.spanQueues.values()]);
    this.loops.clear();
  }
}
