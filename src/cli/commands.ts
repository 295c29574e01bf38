/** Every CLI command, one file each. Add a new command by importing it here. */
import type { CliCommand } from './command.js';
import { infoCommand } from './info.js';

export const commands: CliCommand[] = [infoCommand];
