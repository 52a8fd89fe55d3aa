/**
 * `lightpath devices …`:
 * - `serve`: emulated OpenROADM devices for a network (a ROADM per POP, a transponder shelf per data
 *   center and cloud on-ramp), each a NETCONF server on loopback; prints the device table and serves
 *   until interrupted. The network comes from a file, the store (`--from-store`) or the built-in one;
 *   `--register` writes the devices into the store's inventory. While it runs, faults are injected by
 *   `devices cut SPAN` / `devices repair SPAN` (its control socket) or the same lines on its standard input.
 * - `cut SPAN`, `repair SPAN`: loss of signal raised / cleared at both ends of a span on a running emulator.
 * - `list`, `register FILE`: the store's device inventory.
 * - `audit`: every device's running configuration against what the store says it should carry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { LightpathError } from '../../domain/errors.js';
import type { Network } from '../../domain/network.js';
import { builtinNetwork } from '../../data/builtin-network.js';
import { ImportError, parseNetwork } from '../../import/index.js';
// The emulator (SSH, YANG) and the NETCONF driver load only when a command needs them: every other command starts faster.
import type { Fleet } from '../../devices/emulator/fleet.js';
import type { DeviceRow, NetworkAudit } from '../../services/southbound/index.js';
import { withClient } from '../client.js';
import { globals, output, renderTable } from '../context.js';
import { netconfOptions } from '../netconf-options.js';
import { defaultControlPath, runControlLine, sendControl, serveControl, type ControlReply } from '../../devices/emulator/control.js';

function deviceRows(items: readonly DeviceRow[]): DeviceRow[] {
  return items.map((d) => ({ siteId: d.siteId, nodeId: d.nodeId, kind: d.kind, host: d.host, port: d.port, model: d.model }));
}

/** A device inventory file (an array, or {items}), as rows. */
async function deviceFile(file: string): Promise<DeviceRow[]> {
  const { CredentialsError, readDeviceFile } = await import('../../services/southbound/directory.js');
  try {
    return deviceRows(readDeviceFile(file));
  } catch (err) {
    if (err instanceof CredentialsError) throw new LightpathError('validation-failed', err.message);
    throw err;
  }
}

function auditTable(a: NetworkAudit): string {
  const rows = a.devices
    .filter((d) => !d.reachable || d.missing.length + d.extra.length + d.different.length + d.missingLines.length + d.differentLines.length > 0)
    .map((d) => [d.siteId, d.nodeId, d.reachable ? 'yes' : `no: ${d.error ?? ''}`, d.missing.length, d.extra.length, d.different.length, d.missingLines.length + d.differentLines.length]);
  const lines = [a.clean ? `clean: ${a.devices.length} devices carry exactly what the store says` : `${rows.length} of ${a.devices.length} devices differ from the store`];
  if (rows.length) lines.push(renderTable(['site', 'node-id', 'reachable', 'missing', 'extra', 'different', 'transponder lines'], rows));
  for (const d of a.devices) {
    for (const m of d.missing) lines.push(`${d.nodeId}: missing ${m.name} (${m.srcIf} -> ${m.dstIf}, ${m.frequencyThz} THz, ${m.circuitId})`);
    for (const x of d.extra) lines.push(`${d.nodeId}: extra ${x.name} (${x.srcIf} -> ${x.dstIf}, circuit ${x.circuitId ?? '-'})`);
    for (const x of d.different) lines.push(`${d.nodeId}: different ${x.expected.name}: ${x.fields.join(', ')}`);
  }
  for (const s of a.services) lines.push(`service ${s.serviceId}: ${s.problem}`);
  return lines.join('\n');
}

function faultText(r: Extract<ControlReply, { ok: true }>): string {
  return `${r.action} ${r.spanId}: ${r.ports.map((p) => `${p.nodeId} ${p.port}`).join(', ') || 'no ROADM degree'}`;
}

interface ServeOptions {
  network?: string;
  fromStore?: boolean;
  register?: boolean;
  basePort: number;
  host: string;
  yangDir?: string;
  username: string;
  password?: string;
  control?: string;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer in 0..65535');
  return n;
}

/** The network to emulate: a project JSON / GeoJSON (or any importable) file, else the built-in one. */
function loadNetwork(file: string | undefined): Network {
  if (!file) return builtinNetwork();
  const text = fs.readFileSync(file, 'utf8');
  try {
    return parseNetwork(path.basename(file), text).network;
  } catch (err) {
    if (err instanceof ImportError) {
      throw new LightpathError('validation-failed', `cannot read ${file}`, err.issues.map((i) => ({ path: i.field, message: i.message, file: i.file, line: i.line })));
    }
    throw err;
  }
}

/** `devices`: emulated devices. */
export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('emulated OpenROADM devices (NETCONF over SSH)');
  devices
    .command('serve')
    .description('start a NETCONF device emulator per POP (ROADM) and per data center / cloud on-ramp (transponders) and serve until interrupted')
    .option('--network <file>', 'network file (project JSON, GeoJSON, GML, ...); default: the built-in network')
    .option('--from-store', "emulate the store's network (--data-dir / --database-url) instead of a file")
    .option('--register', "write the devices (site, host, port) into the store's device inventory, for serve --driver netconf")
    .option('--base-port <n>', 'first port (device i listens on N+i); 0 lets the OS choose each', port, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--yang-dir <dir>', 'OpenROADM YANG models to validate configurations with (yanglint); without it, structural validation only')
    .option('--username <name>', 'SSH user the devices accept', 'lightpath')
    .option('--password <password>', 'SSH password the devices accept (env LIGHTPATH_DEVICES_PASSWORD; generated and printed when absent)')
    .option('--control <socket>', 'Unix socket for `devices cut` / `devices repair` (env LIGHTPATH_DEVICES_CONTROL; default in the temporary directory)')
    .action(async (o: ServeOptions, cmd: Command) => {
      if (o.fromStore && o.network) throw new LightpathError('validation-failed', 'give --network FILE or --from-store, not both');
      // The network and the registration go through the API (the running server, or the store opened and closed again).
      let network: Network;
      if (o.fromStore) {
        const doc = await withClient(cmd, (c) => c.request<unknown>('GET', '/v1/network', { query: { format: 'json' } }), { initialize: false });
        network = parseNetwork('store.json', JSON.stringify(doc), 'json').network;
        if (network.sites.length === 0) throw new LightpathError('validation-failed', 'the store holds no network (import one, or start serve once)');
      } else network = loadNetwork(o.network);
      let password = o.password ?? process.env.LIGHTPATH_DEVICES_PASSWORD;
      if (!password) {
        password = randomBytes(12).toString('base64url');
        process.stderr.write(`device password for ${o.username} (shown once): ${password}\n`);
      }
      const bar = new cliProgress.SingleBar({ format: 'starting devices [{bar}] {value}/{total}', noTTYOutput: true, stream: process.stderr, notTTYSchedule: 2000 }, cliProgress.Presets.shades_classic);
      let fleet: Fleet;
      try {
        let started = false;
        const { Fleet } = await import('../../devices/emulator/fleet.js');
        fleet = await Fleet.start(network, {
          username: o.username,
          password,
          host: o.host,
          basePort: o.basePort,
          yangDir: o.yangDir,
          warn: (m) => process.stderr.write(`warning: ${m}\n`),
          onStarted: (done, total) => {
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          },
        });
        bar.stop();
      } catch (err) {
        bar.stop();
        const { ValidatorUnavailableError } = await import('../../devices/emulator/validator.js');
        if (err instanceof ValidatorUnavailableError) throw new LightpathError('validation-failed', err.message);
        throw err;
      }
      const rows = fleet.devices.map((d) => ({ siteId: d.siteId, nodeId: d.nodeId, kind: d.kind, host: d.host, port: d.port, model: d.model }));
      if (o.register) {
        try {
          await withClient(cmd, (c) => c.request('PUT', '/v1/devices', { body: { items: rows } }), { initialize: false });
        } catch (err) {
          await fleet.stop();
          throw err;
        }
      }
      const handle = (line: string): ControlReply => runControlLine(line, fleet);
      const controlPath = o.control ?? defaultControlPath();
      let closeControl: (() => Promise<void>) | null = null;
      try {
        closeControl = await serveControl(controlPath, handle);
      } catch (err) {
        // The devices still serve; only `devices cut` cannot reach this emulator (its standard input still can).
        process.stderr.write(`warning: no fault-injection socket: ${err instanceof Error ? err.message : String(err)} (use --control)\n`);
      }
      const control = closeControl ? controlPath : null;
      output(cmd, { network: network.name, validation: fleet.validator.kind, username: o.username, control, items: rows }, () =>
        [
          renderTable(['site', 'node-id', 'kind', 'host', 'port', 'model'], rows.map((r) => [r.siteId, r.nodeId, r.kind, r.host, r.port, r.model])),
          `${rows.length} devices (${network.name}); validation: ${fleet.validator.kind}; faults: ${control ? `lightpath devices cut SPAN --control ${control}` : 'cut SPAN on standard input'}; Ctrl-C to stop`,
        ].join('\n'),
      );
      const json = globals(cmd).json === true;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (!process.stdin.isTTY) {
          const rl = createInterface({ input: process.stdin });
          rl.on('line', (line) => {
            if (!line.trim()) return;
            const r = handle(line);
            if (!r.ok) process.stderr.write(`lightpath: validation-failed: ${r.error}\n`);
            else process.stdout.write(json ? JSON.stringify({ action: r.action, spanId: r.spanId, ports: r.ports }) + '\n' : faultText(r) + '\n');
          });
        }
      });
      await closeControl?.();
      await fleet.stop();
      process.exit(0);
    });

  for (const action of ['cut', 'repair'] as const) {
    devices
      .command(action)
      .description(action === 'cut' ? 'fiber cut on a running emulator (devices serve): loss of signal on the span’s degree ports at both ends' : 'repair a span on a running emulator: clears the loss of signal at both ends')
      .argument('<span>', 'span id')
      .option('--control <socket>', 'the emulator’s control socket (env LIGHTPATH_DEVICES_CONTROL; default as devices serve)')
      .action(async (spanId: string, o: { control?: string }, cmd: Command) => {
        const socketPath = o.control ?? defaultControlPath();
        let r: ControlReply;
        try {
          r = await sendControl(socketPath, `${action} ${spanId}`);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') throw new LightpathError('not-found', `no device emulator listens on ${socketPath} (start lightpath devices serve, or give --control)`);
          throw err;
        }
        if (!r.ok) throw new LightpathError(/^unknown span/.test(r.error) ? 'not-found' : 'validation-failed', r.error);
        output(cmd, { action: r.action, spanId: r.spanId, ports: r.ports }, () => faultText(r));
      });
  }

  devices
    .command('list')
    .description('the device inventory: site, node id, kind, host, port, model, and reachability as the server sees it')
    .action(async (_o: unknown, cmd: Command) => {
      const { items } = await withClient(cmd, (c) => c.request<{ items: (DeviceRow & { reachable: boolean | null })[] }>('GET', '/v1/devices'), { initialize: false });
      output(cmd, { items }, () => renderTable(['site', 'node-id', 'kind', 'host', 'port', 'model', 'reachable'], items.map((d) => [d.siteId, d.nodeId, d.kind, d.host, d.port, d.model, d.reachable === null ? '-' : d.reachable ? 'yes' : 'no'])));
    });
  devices
    .command('register')
    .description("replace the device inventory with a file's (JSON: an array, or {items} as `devices serve --json` prints)")
    .argument('<file>', 'device inventory file')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const rows = await deviceFile(file);
      const { items } = await withClient(cmd, (c) => c.request<{ items: DeviceRow[] }>('PUT', '/v1/devices', { body: { items: rows } }), { initialize: false });
      output(cmd, { items }, () => `${items.length} devices registered`);
    });
  devices
    .command('audit')
    .description("compare every device's running configuration with what the store says it should carry: missing, extra and different cross-connects")
    .option('--devices <file>', "without a server: device inventory (JSON); default: the store's")
    .option('--device-secrets <file>', 'without a server: device logins (JSON {username, password, sites?}); default: LIGHTPATH_DEVICES_USERNAME / LIGHTPATH_DEVICES_PASSWORD')
    .action(async (o: { devices?: string; deviceSecrets?: string }, cmd: Command) => {
      const a = await withClient(
        cmd,
        async (c) => {
          // A running server audits with its own driver (serve --driver netconf); without one, this process talks to the devices.
          if (c.remote || !c.services) return c.request<NetworkAudit>('GET', '/v1/devices/audit');
          const services = c.services;
          const { createNetconf } = await import('../../services/southbound/index.js');
          const nb = createNetconf(services.db, () => services.ordering.views, { ...netconfOptions(o), monitor: false });
          try {
            return await nb.driver.audit();
          } finally {
            await nb.driver.close();
          }
        },
        { initialize: false },
      );
      output(cmd, a, () => auditTable(a));
      if (!a.clean) process.exitCode = 1;
    });
}
