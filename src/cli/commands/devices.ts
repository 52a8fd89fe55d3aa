/**
 * `lightpath devices serve`: emulated OpenROADM devices for a network (a ROADM per POP, a
 * transponder shelf per data center and cloud on-ramp), each a NETCONF server on loopback; prints
 * the device table and serves until interrupted. Reads a network file or the built-in network; it
 * does not open the store. While it runs, lines on standard input inject faults:
 * `cut SPAN`, `repair SPAN`.
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
// The emulator (SSH, YANG) loads only when `devices serve` runs: every other command starts faster.
import type { Fleet } from '../../devices/emulator/fleet.js';
import { globals, output, renderTable } from '../context.js';

interface ServeOptions {
  network?: string;
  basePort: number;
  host: string;
  yangDir?: string;
  username: string;
  password?: string;
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
    .option('--base-port <n>', 'first port (device i listens on N+i); 0 lets the OS choose each', port, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--yang-dir <dir>', 'OpenROADM YANG models to validate configurations with (yanglint); without it, structural validation only')
    .option('--username <name>', 'SSH user the devices accept', 'lightpath')
    .option('--password <password>', 'SSH password the devices accept (env LIGHTPATH_DEVICES_PASSWORD; generated and printed when absent)')
    .action(async (o: ServeOptions, cmd: Command) => {
      const network = loadNetwork(o.network);
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
      output(cmd, { network: network.name, validation: fleet.validator.kind, username: o.username, items: rows }, () =>
        [renderTable(['site', 'node-id', 'kind', 'host', 'port', 'model'], rows.map((r) => [r.siteId, r.nodeId, r.kind, r.host, r.port, r.model])), `${rows.length} devices (${network.name}); validation: ${fleet.validator.kind}; Ctrl-C to stop`].join('\n'),
      );
      const json = globals(cmd).json === true;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (!process.stdin.isTTY) {
          const rl = createInterface({ input: process.stdin });
          rl.on('line', (line) => {
            const [verb, spanId] = line.trim().split(/\s+/);
            if (!verb) return;
            try {
              if (verb !== 'cut' && verb !== 'repair') throw new Error(`unknown command ${verb} (cut SPAN, repair SPAN)`);
              if (!spanId) throw new Error(`${verb} needs a span id`);
              const r = verb === 'cut' ? fleet.cut(spanId) : fleet.repair(spanId);
              process.stdout.write(json ? JSON.stringify({ action: verb, ...r }) + '\n' : `${verb} ${spanId}: ${r.ports.map((p) => `${p.nodeId} ${p.port}`).join(', ') || 'no ROADM degree'}\n`);
            } catch (err) {
              process.stderr.write(`lightpath: validation-failed: ${err instanceof Error ? err.message : String(err)}\n`);
            }
          });
        }
      });
      await fleet.stop();
      process.exit(0);
    });
}
