import type { Command } from 'commander';
import type { CliCommand } from './command.js';
import { printJson } from './command.js';
import { getBackend, nativeLoadError } from '../backend/index.js';
import { VERSION } from '../version.js';

export const infoCommand: CliCommand = {
  name: 'info',
  register(program: Command) {
    program
      .command('info')
      .description('show the version and the compute backend in use')
      .option('--json', 'print one JSON object')
      .action((opts: { json?: boolean }) => {
        const b = getBackend();
        const info = { version: VERSION, backend: b.name, blas: b.blas, threads: b.getThreads() };
        if (opts.json) printJson(info);
        else {
          process.stdout.write(`simlearn ${info.version}\nbackend: ${info.backend}\nblas: ${info.blas}\nthreads: ${info.threads}\n`);
          if (b.name === 'js') process.stdout.write(`native addon: not loaded (${nativeLoadError() ?? 'SIMLEARN_BACKEND=js'})\n`);
        }
      });
  },
};
