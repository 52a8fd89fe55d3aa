/**
 * The `lightpath` program run in this process on an embedded store's data directory, its output
 * captured: what the CLI tests drive.
 */
import { buildProgram } from '../../src/cli/main.js';
import { reportFailure } from '../../src/cli/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A runner of `lightpath --data-dir dataDir …`: exit code (commander's exits become codes), stdout and stderr. */
export function inProcessCli(dataDir: string): (args: string[]) => Promise<CliResult> {
  return async (args) => {
    const program = buildProgram();
    const exit = (c: { exitOverride(): unknown; commands: readonly unknown[] }): void => {
      c.exitOverride();
      for (const sub of c.commands) exit(sub as typeof c);
    };
    exit(program);
    let stdout = '';
    let stderr = '';
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    // Only the command's own text is captured; the embedded database writes binary chatter of its own.
    process.stdout.write = ((s: unknown) => (typeof s === 'string' ? ((stdout += s), true) : true)) as typeof process.stdout.write;
    process.stderr.write = ((s: unknown) => (typeof s === 'string' ? ((stderr += s), true) : true)) as typeof process.stderr.write;
    let code = 0;
    // The embedded store is the subject here, even when CI sets DATABASE_URL for the suite.
    const url = process.env.DATABASE_URL;
    process.env.DATABASE_URL = '';
    try {
      await program.parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });
    } catch (e) {
      code = reportFailure(e);
    } finally {
      if (url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = url;
      process.stdout.write = out;
      process.stderr.write = err;
    }
    return { code, stdout, stderr };
  };
}
