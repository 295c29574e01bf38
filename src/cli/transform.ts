/** `simlearn transform`: applies a saved learner (or pipeline) to a dataset and writes the result. */
import type { Command } from 'commander';
import { UsageError, printJson, type CliCommand } from './command.js';
import { loadModelObject } from '../io/model-registry.js';
import { readDataset, writeCsv } from '../io/index.js';
import { labelOption } from './index.js';
import type { Matrix, FloatArray } from '../matrix.js';
import '../metric/registry.js';

interface TransformOpts {
  model: string;
  data: string;
  out: string;
  label?: string;
  json?: boolean;
}

export const transformCommand: CliCommand = {
  name: 'transform',
  register(program: Command) {
    program
      .command('transform')
      .description('map a dataset into a saved learner\'s space (labels, if any, are copied)')
      .requiredOption('--model <file>', 'model file written by simlearn fit')
      .requiredOption('--data <file>', 'dataset to transform')
      .requiredOption('--out <file>', 'CSV file to write')
      .option('--label <column>', 'label column of the input, copied to the output (default: "label" if present, else the last column unless the model takes every column; "none" = no labels)')
      .option('--json', 'print one JSON object on stdout')
      .action((opts: TransformOpts) => {
        if (!opts.out.toLowerCase().endsWith('.csv')) throw new UsageError(`--out must be a .csv file, got "${opts.out}"`);
        const model = loadModelObject(opts.model) as { transform?: (X: Matrix<FloatArray>) => Matrix<FloatArray> };
        if (typeof model?.transform !== 'function') throw new UsageError(`${opts.model} holds a model without a transform (kind cannot map data)`);
        let ds = readDataset(opts.data, { label: labelOption(opts.label) });
        let Z: Matrix<FloatArray>;
        try {
          Z = model.transform(ds.X);
        } catch (e) {
          if (opts.label !== undefined || ds.y === null) throw e;
          // The default label column (the last one) may be a feature of unlabelled data: if every
          // column read as a feature fits the model, that was the case.
          const all = readDataset(opts.data, { label: null });
          try {
            Z = model.transform(all.X);
          } catch {
            throw e;
          }
          ds = all;
        }
        writeCsv(opts.out, Z, { y: ds.y, labelName: ds.labelName ?? 'label', featureNames: Array.from({ length: Z.cols }, (_, j) => `c${j}`) });
        const info = { model: opts.model, out: opts.out, rows: Z.rows, cols: Z.cols };
        if (opts.json) printJson(info);
        else process.stdout.write(`wrote ${Z.rows} x ${Z.cols} to ${opts.out}\n`);
      });
  },
};
