/** The `simlearn` command line: a thin layer over the public API. */
import { Command, CommanderError } from 'commander';
import { commands } from './commands.js';
import { UsageError } from './command.js';
import { ConfigError } from '../deep/config.js';
import { VERSION } from '../version.js';

let pipeHandled = false;

/**
 * `simlearn ... | head` closes the pipe while we may still be writing; like other Unix tools,
 * stop quietly then instead of dying on an unhandled EPIPE with a stack trace.
 */
function exitQuietlyOnClosedPipe(): void {
  if (pipeHandled) return;
  pipeHandled = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export async function main(argv: string[] = process.argv): Promise<number> {
  exitQuietlyOnClosedPipe();
  const program = new Command();
  program
    .name('simlearn')
    .description('similarity learning: metric learning, deep similarity heads, search and evaluation')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  for (const c of commands) c.register(program);
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    // A training config is options in a file: a bad value there is a usage error too.
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`simlearn: ${err.message}\n`);
      return 2;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`simlearn: error: ${msg}\n`);
    if (process.env.SIMLEARN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  main().then((code) => { process.exitCode = code; });
}
