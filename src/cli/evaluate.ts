/**
 * `simlearn evaluate`: retrieval metrics of labelled embeddings.
 *
 * Without --queries, every row is a query against all the others (leave-one-out); with
 * --queries, those rows are searched against --data. --json prints one object:
 *   precisionAt1, rPrecision, mapAtR (pytorch-metric-learning's MAP@R), mapAtK
 *   (OpenMetricLearning's map@k at cutoff `k`), k, and objects keyed by cutoff (from
 *   --k-values, default 1,5,10): precisionAt, recallAt, cmcAt, ndcgAt — e.g.
 *   "cmcAt": {"1": 0.97, "5": 0.99, "10": 1}; plus depth (neighbours retrieved: the largest
 *   R or the deepest cutoff, derived automatically), maxRelevant (the largest R), nQueries,
 *   nEvaluated, sameSet, warnings. A cutoff beyond the available references keeps its key
 *   and is evaluated at that number of references (all of them), with a warning.
 */
import type { Command } from 'commander';
import { UsageError, checkLabelFlag, printJson, readWithLabelFlag, type CliCommand } from './command.js';
import { checkLabelsFile } from './metric-options.js';
import { readDataset } from '../io/index.js';
import type { Dataset } from '../io/dataset.js';
import { loadModelObject } from '../io/model-registry.js';
import { retrievalMetrics } from '../evaluation/retrieval.js';
import type { Matrix, FloatArray } from '../matrix.js';
import { labelOption } from './index.js';
import '../metric/registry.js';

interface EvaluateOpts {
  data: string;
  queries?: string;
  label?: string;
  labels?: string;
  queryLabels?: string;
  k: string;
  kValues: string;
  model?: string;
  json?: boolean;
}

function readLabelled(path: string, label: string | undefined, labelsFile: string | undefined, flag: string): Dataset & { y: (string | number)[] } {
  const lab = labelOption(label);
  if (lab === null) throw new UsageError('--label none: evaluation needs labels');
  checkLabelsFile(path, labelsFile, flag);
  const ds = readWithLabelFlag(label, () => readDataset(path, { label: lab, labels: labelsFile }));
  if (!ds.y) throw new UsageError(`${path}: no labels found; name the CSV label column with --label COLUMN, or give ${flag} FILE for .npy data`);
  return ds as Dataset & { y: (string | number)[] };
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  register(program: Command) {
    program
      .command('evaluate')
      .description('retrieval metrics (precision@1, R-precision, MAP@R, mAP@k, CMC@k, NDCG@k, recall@k) of labelled embeddings')
      .requiredOption('--data <file>', 'embeddings with labels: CSV (label column), JSONL ({vector, label}) or .npy with --labels')
      .option('--queries <file>', 'query embeddings (same formats); default: every row of --data against the others')
      .option('--label <column>', 'CSV label column (default: "label" if present, else the last column)')
      .option('--labels <file>', '.npy data: labels file (.npy or one label per line)')
      .option('--query-labels <file>', '.npy queries: labels file')
      .option('--k <k>', 'cutoff of mapAtK (OpenMetricLearning map@k)', '10')
      .option('--k-values <list>', 'cutoffs of precisionAt, recallAt, cmcAt, ndcgAt (comma-separated)', '1,5,10')
      .option('--model <file>', 'a saved learner: evaluate in its transformed space')
      .option('--json', 'print one JSON object on stdout (keys below)')
      .addHelpText('after', `
JSON keys (--json):
  precisionAt1   fraction of queries whose nearest reference shares their label
  rPrecision     hits among the top R / R, R = other references of the query's class
  mapAtR         MAP@R (pytorch-metric-learning): (1/R) sum_{i<=R} rel_i * hits(i)/i
  mapAtK         mAP@k (OpenMetricLearning map@k): sum_{i<=k} rel_i * hits(i)/i / hits(k), at cutoff k
  k              the cutoff of mapAtK (--k, default 10)
  precisionAt, recallAt, cmcAt, ndcgAt
                 objects keyed by each cutoff of --k-values, e.g. "cmcAt": {"1": 0.97, "5": 0.99, "10": 1}
  depth          neighbours retrieved per query: the largest R or the deepest cutoff (derived
                 automatically, never truncated)
  maxRelevant    the largest R (the largest class, minus the query itself without --queries)
  nQueries, nEvaluated (queries with R >= 1; lone queries are excluded), sameSet, warnings
Without --queries every row is a query against all other rows (leave-one-out).
A cutoff (--k or in --k-values) larger than the number of references available to a query
keeps its key but is evaluated at that number: every reference is retrieved, so recall, CMC
and NDCG equal their values at any deeper cutoff, and precision counts hits among them
(hits / available). A warning names such cutoffs.`)
      .action((opts: EvaluateOpts) => {
        const k = Number(opts.k);
        if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k must be a positive integer, got "${opts.k}"`);
        const kValues = opts.kValues.split(',').map((s) => Number(s.trim()));
        if (kValues.length === 0 || kValues.some((v) => !Number.isInteger(v) || v < 1)) throw new UsageError(`--k-values must be comma-separated positive integers, got "${opts.kValues}"`);
        let transform: ((X: Matrix<FloatArray>) => Matrix<FloatArray>) | null = null;
        if (opts.model) {
          const m = loadModelObject(opts.model) as { transform?: (X: Matrix<FloatArray>) => Matrix<FloatArray> };
          if (typeof m?.transform !== 'function') throw new UsageError(`--model ${opts.model}: the model has no transform() to apply`);
          transform = (X) => (m.transform as (X: Matrix<FloatArray>) => Matrix<FloatArray>).call(m, X);
        }
        // --label applies to --data and --queries alike: used when either is a CSV file.
        checkLabelFlag(opts.label, { files: [opts.data, opts.queries], labelsFlag: (f) => (f === opts.data ? '--labels' : '--query-labels') });
        const refs = readLabelled(opts.data, opts.label, opts.labels, '--labels');
        const R = transform ? transform(refs.X) : refs.X;
        let report;
        if (opts.queries) {
          const qs = readLabelled(opts.queries, opts.label, opts.queryLabels, '--query-labels');
          const Q = transform ? transform(qs.X) : qs.X;
          if (Q.cols !== R.cols) throw new UsageError(`--queries has ${Q.cols} columns but --data has ${R.cols}`);
          report = retrievalMetrics(Q, qs.y, { references: R, referenceLabels: refs.y, k, kValues });
        } else {
          report = retrievalMetrics(R, refs.y, { k, kValues });
        }
        for (const w of report.warnings) process.stderr.write(`simlearn evaluate: ${w}\n`);
        if (opts.json) {
          printJson(report);
          return;
        }
        const f = (v: number): string => v.toFixed(4);
        const lines = [
          `queries: ${report.nQueries} (${report.nEvaluated} with a relevant reference)${report.sameSet ? ', leave-one-out' : ''}`,
          `precision@1   ${f(report.precisionAt1)}`,
          `R-precision   ${f(report.rPrecision)}`,
          `MAP@R         ${f(report.mapAtR)}   (pytorch-metric-learning)`,
          `mAP@${report.k}        ${f(report.mapAtK)}   (OpenMetricLearning map@k)`,
          ...Object.keys(report.cmcAt).map((c) => `@${c.padEnd(4)} precision ${f(report.precisionAt[c])}  recall ${f(report.recallAt[c])}  CMC ${f(report.cmcAt[c])}  NDCG ${f(report.ndcgAt[c])}`),
          `neighbours retrieved per query: ${report.depth} (${report.depth === report.maxRelevant ? 'the largest R' : 'the deepest cutoff'}; the largest class has ${report.maxRelevant} relevant references per query)`,
        ];
        process.stdout.write(lines.join('\n') + '\n');
      });
  },
};
