/** Every CLI command, one file each. Add a new command by importing it here. */
import type { CliCommand } from './command.js';
import { infoCommand } from './info.js';
import { serveCommand } from './serve.js';
import { exportCommand } from './export.js';
import { demoCommand } from './demo.js';
import { reportCommand } from './report.js';
import { trainCommand } from './train.js';
import { cvCommand } from './cv.js';
import { fitCommand } from './fit.js';
import { transformCommand } from './transform.js';
import { indexCommand } from './index.js';
import { searchCommand } from './search.js';
import { evaluateCommand } from './evaluate.js';

export const commands: CliCommand[] = [infoCommand, trainCommand, serveCommand, exportCommand, demoCommand, reportCommand, cvCommand, fitCommand, transformCommand, indexCommand, searchCommand, evaluateCommand];
