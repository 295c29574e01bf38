/** `simlearn transform`: applies a saved learner (or pipeline) to a dataset and writes the result. */
import type { Command } from 'commander';
import { UsageError, checkLabelFlag, printJson, readWithLabelFlag, type CliCommand } from './command.js';
import { loadModel } from '../io/model-file.js';
import { modelFromPayload } from '../io/model-registry.js';
import { checkFeatureCount, readDataset, writeCsv, type Dataset } from '../io/index.js';
import { asSimilarityModel } from '../service/similarity-model.js';
import { labelOption } from './index.js';
import type { Matrix, FloatArray } from '../matrix.js';
import '../service/registries.js';

interface TransformOpts {
  model: string;
  data: string;
  out: string;
  label?: string;
  json?: boolean;
}

interface Transformer {
  transform(X: Matrix<FloatArray>): Matrix<FloatArray>;
}

/** The model object and the input width it takes (undefined when the object does not say). */
function loadTransformer(path: string): { model: Transformer; nFeatures: number | undefined } {
  const payload = loadModel(path);
  const object = modelFromPayload(payload) as Partial<Transformer> | null;
  if (typeof object?.transform !== 'function') {
    throw new UsageError(`--model ${path} holds a model of kind "${payload.kind}", which has no transform (it cannot map data); give a model written by simlearn fit or simlearn train`);
  }
  const model = object as Transformer;
  return { model, nFeatures: asSimilarityModel(model, { kind: payload.kind }).nFeatures };
}

/** A label column the user or the file named as such, as opposed to "the last column" by default. */
function labelIsNamed(ds: Dataset, label: string | undefined): boolean {
  return label !== undefined || (ds.labelName !== null && ds.labelName.toLowerCase() === 'label');
}

/**
 * Reads --data so that its feature columns match the model. The one reinterpretation allowed:
 * unlabelled data whose last column was taken as the label only by default (no --label, no
 * column named "label") is read with every column a feature when exactly that fits the model.
 */
function readInput(path: string, label: string | undefined, nFeatures: number | undefined): Dataset {
  checkLabelFlag(label, { files: [path], none: true });
  const lab = labelOption(label);
  let ds = readWithLabelFlag(label, () => readDataset(path, { label: lab }));
  // --label none means no labels in the output, for JSON Lines (whose labels are no column) too.
  if (lab === null && ds.y !== null) ds = { ...ds, y: null, labelName: null };
  if (nFeatures === undefined || ds.X.cols === nFeatures) return ds;
  if (ds.y !== null && ds.X.cols + 1 === nFeatures && !labelIsNamed(ds, label)) {
    const all = tryRead(path);
    if (all !== null) {
      process.stderr.write(`note: --data ${path} has no column named "label", so all ${nFeatures} columns are read as features (the model takes ${nFeatures}); pass --label COLUMN if one of them holds labels\n`);
      return all;
    }
  }
  const read = ds.y === null ? `${ds.X.cols} features, no label column` : `${ds.X.cols} features besides the label column "${ds.labelName}"`;
  const fix = `pass data with the ${nFeatures} feature columns the model was fitted on${ds.y === null ? '' : ', or choose the label column with --label (--label none if there is none)'}`;
  checkFeatureCount(ds.X.cols, nFeatures, { source: `--data ${path}`, detail: read, fix });
  return ds;
}

/** The file with every column a feature, or null when some column is not numeric. */
function tryRead(path: string): Dataset | null {
  try {
    return readDataset(path, { label: null });
  } catch {
    return null;
  }
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
        const { model, nFeatures } = loadTransformer(opts.model);
        const ds = readInput(opts.data, opts.label, nFeatures);
        const Z = model.transform(ds.X);
        writeCsv(opts.out, Z, { y: ds.y, labelName: ds.labelName ?? 'label', featureNames: Array.from({ length: Z.cols }, (_, j) => `c${j}`) });
        const info = { model: opts.model, out: opts.out, rows: Z.rows, cols: Z.cols };
        if (opts.json) printJson(info);
        else process.stdout.write(`wrote ${Z.rows} x ${Z.cols} to ${opts.out}\n`);
      });
  },
};
