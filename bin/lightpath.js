#!/usr/bin/env node
// Entry point of the `lightpath` command; the TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('lightpath: internal: not built yet; run `npm run build` (npm ci does it too)\n');
  process.exit(70);
}
const { main: run } = await import(main.href);
const code = await run(process.argv.slice(2));
// serve keeps running; every other command ends here.
if (process.argv[2] !== 'serve' || code !== 0) process.exitCode = code;
