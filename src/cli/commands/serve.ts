import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { resolveStoreConfig } from '../../store/config.js';
import { heldDataDirLock } from '../../store/lock.js';
import { printFirstStartOperatorKey } from './keys.js';
import { globals } from '../context.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

/** `serve`: the API and the portal, until SIGINT/SIGTERM. */
export function registerServeCommand(program: Command, version: string): void {
  program
    .command('serve')
    .description('run the API server and web portal (loads the built-in network on first start)')
    .option('--port <port>', 'TCP port (0 = any free port)', port, Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--empty', 'on first start, begin with no network instead of the built-in one')
    .action(async (opts: { port: number; host: string; empty?: boolean }, cmd: Command) => {
      const config = resolveStoreConfig(globals(cmd), 'lightpath serve');
      // The server's modules load here, not when the program starts: other commands stay quick.
      const [{ buildApp }, { openStore }, { createServices, startBackground, stopServices }] = await Promise.all([
        import('../../api/app.js'),
        import('../../store/open.js'),
        import('../../services/index.js'),
      ]);
      const db = await openStore(config);
      const services = createServices(db);
      const app = await buildApp({ services, version });
      const init = await services.inventory.initialize({ empty: opts.empty ?? false });
      await printFirstStartOperatorKey(db, undefined, { dataDir: config.databaseUrl ? undefined : config.dataDir });
      const counts = await services.inventory.counts();
      app.log.info({ store: db.description, init, ...counts }, init === 'loaded-builtin' ? 'first start: loaded the built-in network' : 'store opened');
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down');
        await app.close();
        await stopServices(services);
        await db.close();
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
