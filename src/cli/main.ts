/** The `lightpath` command line: one program, subcommands per noun or verb (CONVENTIONS: CLI). */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { reportFailure, EXIT } from './context.js';
import { registerInventoryCommands } from './commands/inventory.js';
import { registerPathCommand } from './commands/path.js';
import { registerReachCommand } from './commands/reach.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerQuoteCommand } from './commands/quote.js';
import { registerOrderCommands } from './commands/order.js';
import { registerAvailabilityCommand } from './commands/availability.js';
import { registerServicesCommands } from './commands/services.js';
import { registerEventsCommand } from './commands/events.js';
import { registerCutCommand } from './commands/cut.js';
import { registerRepairCommand } from './commands/repair.js';
import { registerFailuresCommand } from './commands/failures.js';
import { registerWebhooksCommand } from './commands/webhooks.js';
import { registerUsageCommand } from './commands/usage.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerQotCommand } from './commands/qot.js';
import { registerQotPolicyCommand } from './commands/qot-policy.js';
import { registerDevicesCommands } from './commands/devices.js';
import { registerTransferCommands } from './commands/transfer.js';

const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/** Builds the program; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('lightpath')
    .description('Lightpath: a control plane that sells a fiber backbone as on-demand services')
    .version(version)
    .option('--data-dir <dir>', 'embedded store directory (env LIGHTPATH_DATA_DIR, default ./.lightpath)')
    .option('--database-url <url>', 'use this PostgreSQL server instead (env DATABASE_URL)')
    .option('--server <url>', 'talk to this Lightpath server (env LIGHTPATH_SERVER; default: the server holding the data directory, if any)')
    .option('--key <key>', 'API key for the server (env LIGHTPATH_KEY; default: the operator key its first start stored in the data directory)')
    .option('--json', 'print the API\'s JSON instead of tables')
    .exitOverride();
  program.configureOutput({ outputError: (str, write) => write(str.startsWith('error:') ? `lightpath: usage: ${str.slice(7).trim()} (see lightpath --help)\n` : str) });
  registerServeCommand(program, version);
  registerInventoryCommands(program);
  registerPathCommand(program);
  registerReachCommand(program);
  registerSimulateCommand(program);
  registerKeysCommands(program);
  registerQuoteCommand(program);
  registerOrderCommands(program);
  registerAvailabilityCommand(program);
  registerServicesCommands(program);
  registerEventsCommand(program);
  registerCutCommand(program);
  registerRepairCommand(program);
  registerFailuresCommand(program);
  registerWebhooksCommand(program);
  registerUsageCommand(program);
  registerPlanCommand(program);
  registerQotCommand(program);
  registerQotPolicyCommand(program);
  registerDevicesCommands(program);
  registerTransferCommands(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT.usage;
    }
    return reportFailure(err);
  }
}
