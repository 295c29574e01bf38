import type { Command } from 'commander';
import { basename } from 'node:path';
import { UsageError, asOptionError, checkLabelFlag, collect, intOption, nameLabelSource, printJson, type CliCommand } from './command.js';
import { LabelColumnError } from '../io/csv.js';
import { MAX_SEED } from '../random.js';
import { checkFeatureCount } from '../io/dataset.js';
import type { SimilarityModel } from '../service/similarity-model.js';

interface ReportCliOptions {
  data: string;
  test?: string;
  label?: string;
  model: string[];
  out: string;
  testSize: string;
  seed: string;
  k: string;
  title?: string;
  json?: boolean;
}

/**
 * The model with its input width checked against the data first, so a mismatch names the data
 * file and the model file rather than surfacing from inside the model. (--test is checked
 * against --data by the report itself.)
 */
function widthChecked(model: SimilarityModel, modelFile: string, dataFile: string, labelGiven: boolean): SimilarityModel {
  const expected = model.nFeatures;
  if (expected === undefined) return model;
  const fix = `pass data with the ${expected} feature columns the model was fitted on${labelGiven ? '' : ' (name the label column with --label)'}`;
  return {
    ...model,
    transform: (X) => {
      checkFeatureCount(X.cols, expected, { source: `--data ${dataFile}`, model: `--model ${modelFile}`, fix });
      return model.transform(X);
    },
  };
}

export const reportCommand: CliCommand = {
  name: 'report',
  register(program: Command) {
    program
      .command('report')
      .description('score fitted models against Euclidean on labelled data and write a self-contained HTML report (maps, metric bars, ROC)')
      .requiredOption('--data <file>', 'labelled data (the references; split into references/queries unless --test is given)')
      .option('--model <file>', 'a .simlearn model (repeat for several)', collect, [])
      .option('--test <file>', 'held-out labelled queries')
      .option('--label <col>', 'label column (default: "label", else the last column)')
      .option('--out <file>', 'where to write the report', 'report.html')
      .option('--test-size <f>', 'held-out fraction when --test is not given', '0.3')
      .option('--seed <n>', 'seed of the split and the verification pairs', '0')
      .option('-k <n>', 'neighbours for the k-NN accuracy', '3')
      .option('--title <text>', 'report title')
      .option('--json', 'print one JSON object with the metrics')
      .action(async (opts: ReportCliOptions) => {
        if (opts.model.length === 0) throw new UsageError('give at least one --model FILE to report on');
        checkLabelFlag(opts.label, { files: [opts.data, opts.test] });
        const testSize = Number(opts.testSize);
        if (!(testSize > 0 && testSize < 1)) throw new UsageError(`--test-size must be a fraction in (0, 1), got "${opts.testSize}"`);
        const seed = intOption(opts.seed, '--seed', 0, MAX_SEED);
        const k = Number(opts.k);
        if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, got "${opts.k}"`);
        const [{ loadSimilarityModel }, { reportFromModels }] = await Promise.all([import('../service/load-model.js'), import('../report/from-models.js')]);
        const models = opts.model.map((file) => ({ name: basename(file).replace(/\.simlearn$/, ''), model: widthChecked(loadSimilarityModel(file), file, opts.data, opts.label !== undefined) }));
        let report;
        try {
          report = await reportFromModels({ data: opts.data, test: opts.test, label: opts.label, models, out: opts.out, testSize, seed, k, title: opts.title });
        } catch (err) {
          // A label column the file lacks is the data's problem, named under --label (not a usage error).
          if (opts.label !== undefined && err instanceof LabelColumnError) throw nameLabelSource(err, `--label ${opts.label}`);
          throw asOptionError(err, { k: `-k ${opts.k}`, testSize: `--test-size ${opts.testSize}` });
        }
        const { path, input } = report;
        if (opts.json) printJson({ report: path, learners: input.learners.map((l) => ({ name: l.name, kind: l.kind, ...l.metrics })) });
        else {
          for (const l of input.learners) process.stderr.write(`${l.name.padEnd(20)} ${k}-NN ${l.metrics.knnAccuracy.toFixed(4)}  MAP@R ${l.metrics.mapAtR.toFixed(4)}  P@1 ${l.metrics.precisionAt1.toFixed(4)}\n`);
          process.stdout.write(`${path}\n`);
        }
      });
  },
};
