// Runs the compiled test suite with node's own test runner. Every *.test.js under dist/test runs;
// the runner's closing summary (tests / pass / fail) is the last thing printed.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const args = ['--test', `--test-concurrency=${Math.max(2, availableParallelism())}`, '--test-reporter=spec', ...process.argv.slice(2)];
if (process.argv.length <= 2) args.push('dist/test/');
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);
