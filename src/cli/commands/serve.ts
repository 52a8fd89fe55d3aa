import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { resolveStoreConfig } from '../../store/config.js';
import { heldDataDirLock } from '../../store/lock.js';
import { printFirstStartOperatorKey } from './keys.js';
import { globals } from '../context.js';
import { netconfOptions } from '../netconf-options.js';

function driverName(v: string): 'emulator' | 'netconf' {
  if (v !== 'emulator' && v !== 'netconf') throw new InvalidArgumentError('must be emulator or netconf');
  return v;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

/** A drain ends by this long after SIGTERM, whatever still runs (the unit's stop timeout is 15 s). */
const DRAIN_LIMIT_MS = 9_500;
/**
 * How long a draining replica keeps serving while not ready (LIGHTPATH_DRAIN_DELAY_MS, default 2.5 s):
 * long enough for deploy/haproxy.cfg's checks (1 s apart, 2 failures) to take it out of rotation.
 */
function drainDelayMs(): number {
  const v = Number(process.env.LIGHTPATH_DRAIN_DELAY_MS ?? 2_500);
  return Number.isFinite(v) && v >= 0 ? Math.min(v, 5_000) : 2_500;
}
/** Background jobs still running this long into a drain are handed back to another replica. */
const JOB_GRACE_MS = 3_000;

/** `serve`: the API and the portal, until SIGINT/SIGTERM (which drain it: see shutdown). */
export function registerServeCommand(program: Command, version: string): void {
  program
    .command('serve')
    .description('run the API server and web portal (loads the built-in network on first start)')
    .option('--port <port>', 'TCP port (0 = any free port)', port, Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--empty', 'on first start, begin with no network instead of the built-in one')
    .option('--driver <driver>', 'southbound driver: emulator (no devices) or netconf (OpenROADM devices over NETCONF/SSH)', driverName, (process.env.LIGHTPATH_DRIVER as 'emulator' | 'netconf' | undefined) ?? 'emulator')
    .option('--devices <file>', 'netconf: device inventory (JSON, as `devices serve --json` prints); default: the store\'s (`devices register`)')
    .option('--device-secrets <file>', 'netconf: device logins (JSON {username, password, sites?}); default: LIGHTPATH_DEVICES_USERNAME / LIGHTPATH_DEVICES_PASSWORD')
    .action(async (opts: { port: number; host: string; empty?: boolean; driver: 'emulator' | 'netconf'; devices?: string; deviceSecrets?: string }, cmd: Command) => {
      const config = resolveStoreConfig(globals(cmd), 'lightpath serve');
      // The server's modules load here, not when the program starts: other commands stay quick.
      const [{ buildApp }, { openStore }, { createServices, startBackground, stopServices }] = await Promise.all([
        import('../../api/app.js'),
        import('../../store/open.js'),
        import('../../services/index.js'),
      ]);
      // Read the device inventory and logins before opening the store, so a bad file fails fast.
      const netconf = opts.driver === 'netconf' ? netconfOptions(opts) : undefined;
      const db = await openStore(config);
      // A random first-fit start per process: replicas grooming one site pair at once take different
      // trunk units rather than queueing on each other's uncommitted ones (PlanOptions.trunkStart).
      const services = createServices(db, { trunkStart: Math.random(), ...(netconf ? { netconf, workerConcurrency: 64 } : {}) });
      const lifecycle = { draining: false };
      const app = await buildApp({ services, version, lifecycle });
      const init = await services.inventory.initialize({ empty: opts.empty ?? false });
      await printFirstStartOperatorKey(db, undefined, { dataDir: config.databaseUrl ? undefined : config.dataDir });
      const counts = await services.inventory.counts();
      app.log.info({ store: db.description, init, ...counts, driver: opts.driver }, init === 'loaded-builtin' ? 'first start: loaded the built-in network' : 'store opened');
      services.netconf?.directory.on('change', (s: { siteId: string; nodeId: string; reachable: boolean; lastError: string | null }) =>
        s.reachable ? app.log.info({ site: s.siteId, nodeId: s.nodeId }, 'device reachable') : app.log.warn({ site: s.siteId, nodeId: s.nodeId, error: s.lastError }, 'device unreachable'),
      );
      let closing = false;
      // The drain (SIGTERM from systemd, a rolling upgrade, an orchestrator): /readyz turns 503 at once so
      // the load balancer sends nothing new; the listener closes (a balancer's new connection fails and is
      // redispatched to another replica); in-flight requests finish; event streams end with a `retry:`
      // hint; background jobs get a few seconds to finish and are then handed back to the queue for
      // another replica. Whatever still hangs is cut at DRAIN_LIMIT_MS: a process manager expects the
      // exit within 10 s, and everything this process held is in the database (leases expire).
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        lifecycle.draining = true;
        const t0 = Date.now();
        app.log.info({ signal }, 'draining: not ready, closing the listener, finishing in-flight requests');
        const force = setTimeout(() => {
          app.log.error({ signal, ms: Date.now() - t0 }, 'drain did not finish in time; exiting anyway');
          process.exit(1);
        }, DRAIN_LIMIT_MS);
        force.unref();
        try {
          // No new jobs from now on; running ones finish or are handed back, side by side with requests.
          const jobsStopped = stopServices(services, { handBackAfterMs: JOB_GRACE_MS });
          // Keep serving (not ready, Connection: close) until the balancer's checks have seen it: closing
          // the listener at once would reset connections the kernel accepted but no request was read from.
          await new Promise((r) => setTimeout(r, drainDelayMs()));
          await app.close();
          await jobsStopped;
          app.log.info({ handedBack: services.worker.stats.handedBack, ms: Date.now() - t0 }, 'drained');
          await db.close();
        } catch (err) {
          app.log.error({ err }, 'drain failed');
          process.exit(1);
        }
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      let url: string;
      try {
        url = await app.listen({ port: opts.port, host: opts.host });
      } catch (err) {
        await app.close();
        await stopServices(services);
        await db.close();
        throw err;
      }
      // Other processes on this data directory (the CLI) learn where the server answers.
      if (!config.databaseUrl && config.dataDir) heldDataDirLock(config.dataDir)?.setUrl(url);
      startBackground(services, (err) => app.log.error({ err }, 'background job failed'));
      app.log.info({ url }, `Lightpath listening on ${url}`);
    });
}
