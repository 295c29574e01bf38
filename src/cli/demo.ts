import type { Command } from 'commander';
import { UsageError, asOptionError, checkLabelFlag, intOption, nameLabelSource, printJson, type CliCommand } from './command.js';
import { LabelColumnError } from '../io/csv.js';
import { MAX_SEED } from '../random.js';

interface DemoCliOptions {
  data?: string;
  label?: string;
  out: string;
  quick?: boolean;
  seed: string;
  testSize: string;
  k: string;
  learners?: string;
  report: boolean;
  progress: boolean;
  json?: boolean;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  register(program: Command) {
    program
      .command('demo')
      .description('compare Mahalanobis learners and a deep head against Euclidean on bundled digits (or --data), print a table, write an HTML report and the models')
      .option('--data <file>', 'your dataset (CSV with a label column, JSONL, .npy) instead of the bundled digits')
      .option('--label <col>', 'label column of --data (default: "label", else the last column)')
      .option('--out <dir>', 'folder for report.html and the fitted models (*.simlearn)', 'simlearn-demo')
      .option('--quick', 'fewer and shorter fits on at most 600 rows (under 30 s on 2 cores)')
      .option('--seed <n>', 'seed of the split and of every fit', '0')
      .option('--test-size <f>', 'held-out fraction', '0.3')
      .option('-k <n>', 'neighbours for the k-NN accuracy', '3')
      .option('--learners <list>', 'comma-separated subset, e.g. euclidean,nca,lmnn,mlp-triplet')
      .option('--no-report', 'skip the HTML report')
      .option('--no-progress', 'no progress output on stderr')
      .option('--json', 'print one JSON object with the results instead of the table')
      .action(async (opts: DemoCliOptions) => {
        checkLabelFlag(opts.label, { files: [opts.data] });
        const seed = intOption(opts.seed, '--seed', 0, MAX_SEED);
        const testSize = Number(opts.testSize);
        if (!(testSize > 0 && testSize < 1)) throw new UsageError(`--test-size must be a fraction in (0, 1), got "${opts.testSize}"`);
        const k = Number(opts.k);
        if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, got "${opts.k}"`);
        const learners = opts.learners ? opts.learners.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : undefined;
        // Loaded on use: the demo pulls in every learner, the trainer and the report renderer.
        const [{ runDemo }, { formatDemoTable }] = await Promise.all([import('../demo/run.js'), import('../demo/table.js')]);
        let result;
        try {
          result = await runDemo({ data: opts.data, label: opts.label, outDir: opts.out, quick: opts.quick, seed, testSize, k, learners, report: opts.report, progress: opts.progress ? 'auto' : false });
        } catch (err) {
          if (err instanceof RangeError && /unknown learner/.test(err.message)) throw new UsageError(err.message);
          // A label column the file lacks is the data's problem, named under --label (not a usage error).
          if (opts.label !== undefined && err instanceof LabelColumnError) throw nameLabelSource(err, `--label ${opts.label}`);
          throw asOptionError(err, { k: `-k ${opts.k}`, testSize: `--test-size ${opts.testSize}` });
        }
        if (opts.json) {
          printJson({
            ...result,
            learners: result.learners.map(({ map: _m, roc: _r, ...rest }) => rest),
          });
        } else process.stdout.write(formatDemoTable(result));
        if (result.learners.every((l) => l.error)) throw new Error('every learner failed; see the messages above');
      });
  },
};
