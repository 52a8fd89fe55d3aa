/**
 * A fleet of emulated devices for a Lightpath network: one ROADM per POP (a degree per fiber pair
 * of each of its spans), one transponder shelf per data center and cloud on-ramp, each with its
 * own NETCONF server on a loopback port; fiber cuts and repairs as loss-of-signal alarms on the
 * degrees at both ends of a span.
 */
import type { Network } from '../../domain/network.js';
import { LayoutIndex, fleetLayout, type DeviceLayout, type LayoutOptions } from '../../southbound/openroadm/layout.js';
import { EmulatedDevice, type DeviceOptions } from './device.js';
import { EMULATOR_MODEL } from './inventory.js';
import { NetconfServer, generateHostKey } from './server.js';
import { createValidator, type DatastoreValidator, type YangValidatorOptions } from './validator.js';

/** How to start a fleet. */
export interface FleetOptions extends LayoutOptions, DeviceOptions {
  /** Credentials every device accepts. */
  username: string;
  password: string;
  host?: string;
  /** First port; device i listens on basePort + i. 0 (default): every port chosen by the OS. */
  basePort?: number;
  /** YANG models to validate against; without it, structural validation only (with a warning). */
  yangDir?: string;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
  /** A validator to share (the fleet then does not close it). */
  validator?: DatastoreValidator;
  validatorOptions?: YangValidatorOptions;
  /** Largest NETCONF chunk the servers send. */
  maxChunkBytes?: number;
  /** Called after each device starts (progress). */
  onStarted?: (done: number, total: number) => void;
}

/** One running device as the fleet reports it. */
export interface FleetDevice {
  siteId: string;
  nodeId: string;
  kind: 'roadm' | 'xpdr';
  host: string;
  port: number;
  model: string;
  device: EmulatedDevice;
  server: NetconfServer;
}

/** Result of a cut or repair: the ports whose loss of signal was raised or cleared. */
export interface FaultResult {
  spanId: string;
  ports: { nodeId: string; siteId: string; circuitPack: string; port: string; degree: number }[];
}

/** A running fleet. */
export class Fleet {
  readonly index: LayoutIndex;
  private readonly bySite = new Map<string, FleetDevice>();

  private constructor(
    readonly devices: FleetDevice[],
    layout: DeviceLayout[],
    readonly validator: DatastoreValidator,
    private readonly ownsValidator: boolean,
    private readonly spanIds: Set<string>,
  ) {
    this.index = new LayoutIndex(layout);
    for (const d of devices) this.bySite.set(d.siteId, d);
  }

  /** Starts every device's server; on failure, stops those already started. */
  static async start(network: Network, opts: FleetOptions): Promise<Fleet> {
    if (!opts.username || !opts.password) throw new Error('a fleet needs a username and a password');
    const basePort = opts.basePort ?? 0;
    if (!(Number.isInteger(basePort) && basePort >= 0 && basePort <= 65535)) throw new RangeError('basePort must be an integer in 0..65535');
    const layout = fleetLayout(network, opts);
    if (basePort > 0 && basePort + layout.length - 1 > 65535) throw new RangeError(`basePort ${basePort} leaves no room for ${layout.length} devices`);
    // Two yanglint processes by default: validation is the busiest part of a commit, and it runs beside the event loop.
    const validator = opts.validator ?? (await createValidator(opts.yangDir, opts.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`)), { processes: 2, ...opts.validatorOptions }));
    const hostKey = generateHostKey();
    const devices: FleetDevice[] = [];
    try {
      for (const [i, l] of layout.entries()) {
        const device = new EmulatedDevice(l, validator, { now: opts.now });
        const server = new NetconfServer(device, { host: opts.host, port: basePort > 0 ? basePort + i : 0, username: opts.username, password: opts.password, hostKey, maxChunkBytes: opts.maxChunkBytes });
        const port = await server.listen();
        devices.push({ siteId: l.siteId, nodeId: l.nodeId, kind: l.kind, host: server.host, port, model: EMULATOR_MODEL[l.kind], device, server });
        opts.onStarted?.(i + 1, layout.length);
      }
    } catch (err) {
      await Promise.all(devices.map((d) => d.server.close()));
      if (!opts.validator) await validator.close();
      throw err;
    }
    return new Fleet(devices, layout, validator, !opts.validator, new Set(network.spans.map((s) => s.id)));
  }

  /** The device at a site. */
  device(siteId: string): FleetDevice | undefined {
    return this.bySite.get(siteId);
  }

  private fault(spanId: string, raise: boolean): FaultResult {
    if (!this.spanIds.has(spanId)) throw new RangeError(`unknown span ${spanId}`);
    const ports: FaultResult['ports'] = [];
    for (const { siteId, degree } of this.index.degreesOfSpan(spanId)) {
      const d = this.bySite.get(siteId);
      if (!d) continue;
      if (raise) d.device.raiseLossOfSignal(degree.circuitPack, degree.ttpPort, `fiber cut on span ${spanId} (fiber pair ${degree.fiberPair})`);
      else d.device.clearLossOfSignal(degree.circuitPack, degree.ttpPort);
      ports.push({ nodeId: d.nodeId, siteId, circuitPack: degree.circuitPack, port: degree.ttpPort, degree: degree.degree });
    }
    return { spanId, ports };
  }

  /** A fiber cut: loss of signal on the span's degree ports at both ends (every fiber pair). */
  cut(spanId: string): FaultResult {
    return this.fault(spanId, true);
  }

  /** The repair: clears those alarms. */
  repair(spanId: string): FaultResult {
    return this.fault(spanId, false);
  }

  /** Stops every server (and the validator the fleet started). */
  async stop(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.server.close()));
    if (this.ownsValidator) await this.validator.close();
  }
}
