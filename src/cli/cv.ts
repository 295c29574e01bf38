/**
 * `simlearn cv`: the protocol of record (z-score, fit, transform, k-NN, score per fold), the
 * command this project's accuracy and speed are judged by.
 */
import type { Command } from 'commander';
import { UsageError, asOptionError, printJson, collect, type CliCommand } from './command.js';
import { crossValidate } from '../evaluation/cross-validate.js';
import { readFolds } from '../io/csv.js';
import { algorithmNames } from '../metric/algorithms.js';
import { MAX_SEED } from '../random.js';
import { algorithmAndParams, intOption, readLabelled, setFlags, withSetHint } from './metric-options.js';

interface CvOpts {
  data: string;
  label?: string;
  labels?: string;
  algo: string;
  set?: string[];
  k: string;
  folds?: string;
  cv?: string;
  seed?: string;
  task?: string;
  weights?: string;
  json?: boolean;
}

export const cvCommand: CliCommand = {
  name: 'cv',
  register(program: Command) {
    program
      .command('cv')
      .description('cross-validate a metric learner with k-NN (z-score, fit, transform, k-NN per fold)')
      .requiredOption('--data <file>', 'dataset (.csv with a label column, .jsonl, .npy)')
      .option('--label <column>', 'label column name or index (default: "label", else the last column)')
      .option('--labels <file>', '.npy data: the labels (.npy or one label per line)')
      .requiredOption('--algo <name>', `algorithm: ${algorithmNames().join(', ')} (euclidean = no learning)`)
      .option('--set <key=value>', 'learner option, repeatable (e.g. --set k=5)', collect, [])
      .option('--k <n>', 'neighbours of the k-NN scorer', '3')
      .option('--folds <file>', 'fold assignment file (CSV row,fold)')
      .option('--cv <n>', 'number of folds drawn at random (when no --folds)')
      .option('--seed <n>', 'seed for folds and learners', '0')
      .option('--task <task>', 'classification or regression (default: the algorithm\'s)')
      .option('--weights <w>', 'k-NN vote weights: uniform or distance', 'uniform')
      .option('--json', 'print one JSON object on stdout')
      .action((opts: CvOpts) => {
        const { spec, params } = algorithmAndParams(opts.algo, opts.set);
        const k = intOption(opts.k, '--k', 1) as number;
        const seed = intOption(opts.seed, '--seed', 0, MAX_SEED) as number;
        if (opts.folds && opts.cv) throw new UsageError('give either --folds FILE or --cv N, not both');
        const nFolds = intOption(opts.cv, '--cv', 2);
        if (opts.task !== undefined && opts.task !== 'classification' && opts.task !== 'regression') throw new UsageError(`--task must be "classification" or "regression", got "${opts.task}"`);
        if (opts.weights !== 'uniform' && opts.weights !== 'distance') throw new UsageError(`--weights must be "uniform" or "distance", got "${opts.weights}"`);
        const ds = readLabelled(opts.data, opts.label, opts.labels);
        const folds = opts.folds ? readFolds(opts.folds, ds.X.rows) : undefined;
        // Class-label learners would read every real value as its own class: refuse rather than
        // fail later with a message about classes or pairs (euclidean and covariance read no labels).
        if (opts.task === 'regression' && spec.task === 'classification' && spec.name !== 'euclidean' && spec.name !== 'covariance') {
          throw new UsageError(`--task regression: ${spec.name} learns from class labels (same-class pairs, neighbours or chunks), so real-valued targets would make every value its own class; for a real-valued target use --algo mlkr (euclidean and covariance as baselines), or leave out --task regression`);
        }
        let task = (opts.task as 'classification' | 'regression' | undefined) ?? spec.task;
        if (opts.task === undefined && task === 'regression' && ds.y.some((v) => typeof v !== 'number')) {
          // Text labels cannot be a regression target: these are classes, so score k-NN accuracy.
          task = 'classification';
          process.stderr.write(`warning: ${spec.name} learns from real-valued targets but the label column "${ds.labelName ?? ''}" holds text; scoring k-NN accuracy with the class codes as its targets (pass --task to choose)\n`);
        }
        if (task === 'classification') {
          const nClasses = new Set(ds.y).size;
          // Scoring a single class is always 100 %: a mislabelled --label, not a result.
          if (nClasses < 2) throw new UsageError(`--label: the label column "${ds.labelName ?? ''}" of ${opts.data} has a single class; classification needs at least 2 (name the right column with --label, or use --task regression for a numeric target)`);
          if (nClasses > ds.X.rows / 2 && ds.y.every((v) => typeof v === 'number')) process.stderr.write(`warning: the label column "${ds.labelName ?? ''}" has ${nClasses} distinct values for ${ds.X.rows} rows; if it is a numeric target, pass --task regression\n`);
        }
        let result;
        try {
          result = crossValidate(ds.X, ds.y, {
            algorithm: spec.name, params, k, folds, nFolds, seed, task, weights: opts.weights as 'uniform' | 'distance',
            onFold: (f) => {
              if (!opts.json) process.stderr.write(`fold ${f.fold}: ${task === 'classification' ? 'accuracy' : 'mse'} ${formatScore(f.score)}, fit ${f.fitSeconds.toFixed(3)} s${f.nIter ? `, ${f.nIter} iterations` : ''}${f.converged ? '' : ' (not converged)'}\n`);
            },
          });
        } catch (e) {
          if (e instanceof Error && /^crossValidate: k = \d+ must be smaller/.test(e.message)) throw new UsageError(`--k ${k}: ${e.message.slice('crossValidate: '.length)}; lower --k`);
          throw asOptionError(withSetHint(e, spec.options, params), { ...setFlags(params), ...(opts.cv !== undefined ? { nFolds: `--cv ${opts.cv}` } : {}) });
        }
        if (opts.json) {
          printJson(result);
          return;
        }
        const s = result.accuracy ?? result.mse;
        const what = result.accuracy ? 'accuracy' : 'mse';
        process.stdout.write(`${result.algorithm} on ${opts.data}: ${result.k}-NN ${what} ${formatScore(s!.mean)} ± ${formatScore(s!.std)} over ${result.nFolds} folds; median fit ${result.fitSeconds.median.toFixed(3)} s\n`);
        for (const w of mergeFoldWarnings(result.warnings)) process.stderr.write(`warning: ${w}\n`);
      });
  },
};

/**
 * "fold 0: W", "fold 1: W", … → "folds 0, 1, …: W", keeping first-appearance order: the same
 * warning from every fold reads once on the terminal (--json keeps one entry per fold).
 */
export function mergeFoldWarnings(warnings: readonly string[]): string[] {
  const byText = new Map<string, string[]>();
  const other: string[] = [];
  const order: (string | { text: string })[] = [];
  for (const w of warnings) {
    const m = /^fold (\S+): ([\s\S]*)$/.exec(w);
    if (!m) { other.push(w); order.push(w); continue; }
    const folds = byText.get(m[2]);
    if (folds) folds.push(m[1]);
    else { byText.set(m[2], [m[1]]); order.push({ text: m[2] }); }
  }
  return order.map((o) => {
    if (typeof o === 'string') return o;
    const folds = byText.get(o.text)!;
    return `${folds.length > 1 ? 'folds' : 'fold'} ${folds.join(', ')}: ${o.text}`;
  });
}

/** Four decimals, as accuracies read; MSEs far from 1 (targets in the millions, or tiny) in four significant digits. */
function formatScore(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toPrecision(4) : v.toFixed(4);
}
