/**
 * `simlearn fit`: z-score + learner fitted on a whole dataset, saved as one model file (a
 * 'pipeline' of the scaler and the learner, or the learner alone with --no-scale).
 */
import type { Command } from 'commander';
import { printJson, collect, type CliCommand } from './command.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { createLearner } from '../metric/algorithms.js';
import { Pipeline } from '../metric/registry.js';
import { algorithmNames } from '../metric/algorithms.js';
import { algorithmAndParams, asSetError, readLabelled, withSetHint } from './metric-options.js';

interface FitOpts {
  data: string;
  label?: string;
  labels?: string;
  algo: string;
  set?: string[];
  out: string;
  scale: boolean;
  json?: boolean;
  verbose?: boolean;
}

export const fitCommand: CliCommand = {
  name: 'fit',
  register(program: Command) {
    program
      .command('fit')
      .description('fit a metric learner on a labelled dataset and save it')
      .requiredOption('--data <file>', 'dataset (.csv with a label column, .jsonl, .npy)')
      .option('--label <column>', 'label column name or index (default: "label", else the last column)')
      .option('--labels <file>', '.npy data: the labels (.npy or one label per line)')
      .requiredOption('--algo <name>', `algorithm: ${algorithmNames().join(', ')} (euclidean = no learning)`)
      .option('--set <key=value>', 'learner option, repeatable', collect, [])
      .requiredOption('--out <file>', 'model file to write')
      .option('--no-scale', 'do not z-score the features first (the model is then the learner alone)')
      .option('--json', 'print one JSON object on stdout')
      .option('-v, --verbose', 'progress on stderr')
      .action((opts: FitOpts) => {
        const { spec, params } = algorithmAndParams(opts.algo, opts.set);
        const ds = readLabelled(opts.data, opts.label, opts.labels);
        const learner = createLearner(spec.name, { ...params, ...(opts.verbose ? { verbose: true } : {}) });
        let X = ds.X;
        let scaler: StandardScaler | null = null;
        if (opts.scale) {
          scaler = new StandardScaler().fit(X);
          X = scaler.transform(X).toFloat64();
        }
        let y: (number | string)[] = ds.y;
        if (spec.task === 'regression') {
          if (ds.y.every((v) => typeof v === 'number')) y = ds.y.map(Number);
          else {
            // Text labels are classes: the learner fits their codes (in sorted order) as targets, as cv does.
            const classes = [...new Set(ds.y.map(String))].sort();
            y = ds.y.map((v) => classes.indexOf(String(v)));
            process.stderr.write(`warning: ${spec.name} learns from real-valued targets but the label column "${ds.labelName ?? ''}" holds text; fitting the class codes 0..${classes.length - 1} as targets\n`);
          }
        }
        const t0 = performance.now();
        try {
          learner.fit(X, y);
        } catch (e) {
          throw asSetError(withSetHint(e, spec.options, params), params);
        }
        const seconds = (performance.now() - t0) / 1000;
        const model = scaler ? new Pipeline([scaler, learner], { algorithm: spec.name, featureNames: ds.featureNames }) : learner;
        model.save(opts.out);
        const info = { algorithm: spec.name, params: learner.params, out: opts.out, nSamples: X.rows, nFeatures: X.cols, nComponents: learner.nComponents, nIter: learner.nIter, converged: learner.converged, fitSeconds: seconds, warnings: [...learner.warnings] };
        if (opts.json) printJson(info);
        else {
          process.stdout.write(`${spec.name}: fitted on ${X.rows} x ${X.cols} in ${seconds.toFixed(3)} s (${learner.nComponents} components${learner.nIter ? `, ${learner.nIter} iterations` : ''}); saved ${opts.out}\n`);
          for (const w of learner.warnings) process.stderr.write(`warning: ${w}\n`);
        }
      });
  },
};
