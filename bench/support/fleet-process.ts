/**
 * The emulated device fleet in a process of its own, for benchmarks: real devices are other
 * machines, so their SSH, XML and datastore work should not share the control plane's event loop
 * (in one process, the 124 emulated devices and the control plane took turns on one thread).
 * `FleetProcess.start` forks this module, which runs Fleet.start and answers messages: cut a span,
 * the validator's counters, the running datastore of the ROADM carrying the most entries, stop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import type { Network } from '../../src/domain/network.js';
import { Fleet, type FleetDevice, type FleetOptions } from '../../src/devices/emulator/fleet.js';
import type { YangValidator } from '../../src/devices/emulator/validator.js';
import { serializeXml } from '../../src/southbound/netconf/xml.js';

type Op = { op: 'start'; network: Network; opts: Omit<FleetOptions, 'warn' | 'validator' | 'onStarted'> } | { op: 'cut'; spanId: string } | { op: 'stats' } | { op: 'busiest' } | { op: 'profile'; file: string | null } | { op: 'stop' };
type Request = Op & { id: number };
/** A device as listed across the process boundary (FleetDevice without its in-process objects). */
export type RemoteDevice = Omit<FleetDevice, 'device' | 'server'>;
/** The validator's counters (YangValidator.stats), or null for structural validation. */
export type ValidatorStats = YangValidator['stats'] | null;

/** The parent's handle on the fleet process. */
export class FleetProcess {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  /** The devices (set once started). */
  devices: RemoteDevice[] = [];
  /** 'yang' or 'structural'. */
  validatorKind = '';

  private constructor(
    private readonly child: ChildProcess,
    warn: (m: string) => void,
  ) {
    child.on('message', (m: { id?: number; value?: unknown; error?: string; warn?: string }) => {
      if (m.warn !== undefined) warn(m.warn);
      else if (m.id !== undefined) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(`fleet process: ${m.error}`));
        else w?.resolve(m.value);
      }
    });
    // A fleet process that dies fails what is waiting on it instead of leaving the bench hanging.
    child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`fleet process exited (${code})`));
      this.waiting.clear();
    });
  }

  /** Forks the fleet process and starts the fleet there; warnings are passed to `warn`. */
  static async start(network: Network, opts: Omit<FleetOptions, 'warn' | 'validator' | 'onStarted'>, warn: (m: string) => void): Promise<FleetProcess> {
    const fp = new FleetProcess(fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }), warn);
    const started = (await fp.ask({ op: 'start', network, opts })) as { devices: RemoteDevice[]; validator: string };
    fp.devices = started.devices;
    fp.validatorKind = started.validator;
    return fp;
  }

  private ask(req: Op): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...req, id });
    });
  }

  /** Loss of signal on both ends of a span (sent; the devices raise their alarms in their process). */
  cut(spanId: string): void {
    this.ask({ op: 'cut', spanId }).catch((err: unknown) => console.error(err));
  }

  stats(): Promise<ValidatorStats> {
    return this.ask({ op: 'stats' }) as Promise<ValidatorStats>;
  }

  /** The node id and running datastore (XML) of the ROADM carrying the most entries. */
  busiest(): Promise<{ nodeId: string; xml: string }> {
    return this.ask({ op: 'busiest' }) as Promise<{ nodeId: string; xml: string }>;
  }

  /** Starts a CPU profile of the fleet process (file null), or stops it and writes it to file. */
  async profile(file: string | null): Promise<void> {
    await this.ask({ op: 'profile', file });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.ask({ op: 'stop' });
    await exited;
  }
}

// In the forked process: the fleet itself.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  let fleet: Fleet | null = null;
  let inspector: Session | null = null;
  const send = (m: unknown) => process.send!(m);
  async function answer(req: Request): Promise<void> {
    switch (req.op) {
      case 'start': {
        fleet = await Fleet.start(req.network, { ...req.opts, warn: (w) => send({ warn: w }) });
        send({ id: req.id, value: { devices: fleet.devices.map(({ siteId, nodeId, kind, host, port, model }) => ({ siteId, nodeId, kind, host, port, model })), validator: fleet.validator.kind } });
        return;
      }
      case 'cut':
        fleet!.cut(req.spanId);
        send({ id: req.id, value: null });
        return;
      case 'stats':
        send({ id: req.id, value: 'stats' in fleet!.validator ? { ...(fleet!.validator as YangValidator).stats } : null });
        return;
      case 'busiest': {
        // Each measured once (a running datastore read is a deep copy), not in the sort's comparisons.
        const size = (d: FleetDevice) => d.device.getConfig('running', null)[0].children.length;
        const d = fleet!.devices.filter((x) => x.kind === 'roadm').map((x) => ({ x, n: size(x) })).sort((a, b) => b.n - a.n)[0].x;
        send({ id: req.id, value: { nodeId: d.nodeId, xml: d.device.getConfig('running', null).map((e) => serializeXml(e)).join('\n') } });
        return;
      }
      case 'profile':
        if (req.file === null) {
          inspector = new Session();
          inspector.connect();
          await inspector.post('Profiler.enable');
          await inspector.post('Profiler.start');
        } else if (inspector) {
          const { profile } = await inspector.post('Profiler.stop');
          fs.writeFileSync(req.file, JSON.stringify(profile));
          inspector.disconnect();
          inspector = null;
        }
        send({ id: req.id, value: null });
        return;
      case 'stop':
        await fleet?.stop();
        send({ id: req.id, value: null });
        process.disconnect();
        return;
    }
  }
  process.on('message', (req: Request) => {
    void (async () => {
      try {
        await answer(req);
      } catch (err) {
        send({ id: req.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
}
