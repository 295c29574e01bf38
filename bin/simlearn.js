#!/usr/bin/env node
// Runs the compiled CLI; `npm install` (prepare) builds dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

// Most commands live for a second or two and spend it in the native backend. V8's default
// tier-up budget is made for long-lived programs: here it sends the JavaScript glue around the
// kernels (input checks, sampling, small loops) to the optimising compiler, whose background
// work cost more CPU than the glue itself, 10-40 ms per fit of LSML or SDML on digits. Eight
// times the budget (1 MB) lets only truly hot code be compiled. Training and the server run
// for long: they keep V8's default. Set before any of our code is loaded, since a function's
// budget is fixed when it first runs.
const LONG_RUNNING = new Set(['train', 'serve', 'demo']);
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command !== undefined && !LONG_RUNNING.has(command)) setFlagsFromString('--interrupt-budget=1048576');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('simlearn: dist/ is missing; run "npm run build" first\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
