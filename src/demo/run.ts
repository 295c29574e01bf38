/**
 * The demo pipeline as a library function (the `simlearn demo` command is a thin layer over it):
 * fit the Euclidean baseline, a selection of Mahalanobis learners and a deep head on one dataset,
 * score each on the same held-out split, save each fitted model and write an HTML report.
 *
 * Protocol (documented in the report and the README):
 * - one stratified train/test split (default 70/30, seeded);
 * - Mahalanobis learners see features z-scored with the training part's statistics (the scaler is
 *   saved with each model as a pipeline, so saved models take raw features); the deep head
 *   standardises with the same statistics internally;
 * - k-NN accuracy (k = 3 by default) of a classifier over the training embeddings on the test part;
 *   MAP@R and precision@1 with the test part as queries and the training part as references;
 *   ROC AUC on seeded same-class / different-class pairs of the test part.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Matrix, type FloatArray } from '../matrix.js';
import { readDataset } from '../io/index.js';
import { createLearner } from '../metric/algorithms.js';
import { Constraints } from '../metric/constraints.js';
import '../metric/index.js';
import { Pipeline } from '../metric/registry.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { trainTestSplit } from '../preprocessing/split.js';
import { getBackend } from '../backend/index.js';
import { VERSION } from '../version.js';
import { writeReport } from '../report/html.js';
import type { LearnerResult, ReportInput } from '../report/types.js';
import { demoLearners, fileStem, QUICK_MAX_ROWS, type DemoLearnerSpec } from './learners.js';
import { evaluateEmbedding, project2d, verificationPairs, type Label } from './evaluate.js';
import { trainDeepHead } from './deep.js';
import { progressSink } from './progress.js';
import { bundledDataset } from './package-root.js';

export interface DemoOptions {
  /** Dataset file (CSV/TSV/JSONL/NPY); default: the digits CSV shipped with simlearn. */
  data?: string;
  /** Label column (CSV); default: a column named "label", else the last one. */
  label?: string;
  /** Folder for report.html and the models (default ./simlearn-demo). */
  outDir?: string;
  /** Fewer, shorter fits on at most 600 rows: under 30 s on 2 cores. */
  quick?: boolean;
  seed?: number;
  /** Fraction of rows held out (default 0.3). */
  testSize?: number;
  /** Neighbours of the k-NN accuracy (default 3). */
  k?: number;
  /** Only these learners (model file stems: euclidean, nca, lmnn, mlp-triplet, ...). */
  learners?: string[];
  /** Progress on stderr: live bars on a terminal ('auto', default), lines (true off-TTY), none (false). */
  progress?: boolean | 'auto';
  /** Write the report (default true). */
  report?: boolean;
}

export interface DemoLearnerResult extends LearnerResult {
  id: string;
  error?: string;
}

export interface DemoResult {
  dataset: ReportInput['dataset'] & { path: string };
  nTrain: number;
  nTest: number;
  seed: number;
  k: number;
  quick: boolean;
  learners: DemoLearnerResult[];
  skipped: string[];
  reportPath: string | null;
  outDir: string;
  seconds: number;
  backend: string;
}

interface Fitted {
  Etr: Matrix<FloatArray>;
  Ete: Matrix<FloatArray>;
  fitSeconds: number;
  modelFile: string;
  warnings: string[];
  training?: LearnerResult['training'];
}

function labelsOf(y: Label[], rows: ArrayLike<number>): Label[] {
  return Array.from(rows, (i) => y[i]);
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const seed = options.seed ?? 0;
  const k = options.k ?? 3;
  const quick = options.quick ?? false;
  const outDir = resolve(options.outDir ?? 'simlearn-demo');
  const dataPath = options.data ?? bundledDataset('digits');
  const progress = progressSink(options.progress ?? 'auto');

  const ds = readDataset(dataPath, { label: options.label });
  if (!ds.y) throw new Error(`${dataPath}: the data has no label column; the demo compares learners on class labels (name the column with --label)`);
  let X = ds.X;
  let y: Label[] = ds.y;
  const nClassesAll = new Set(y.map(String)).size;
  if (nClassesAll < 2) throw new Error(`${dataPath}: the labels have ${nClassesAll} class; similarity learning needs at least 2`);
  if (quick && X.rows > QUICK_MAX_ROWS) {
    const keep = trainTestSplit(y, { testSize: QUICK_MAX_ROWS, stratify: true, seed }).test;
    X = X.takeRows(keep);
    y = labelsOf(y, keep);
  }
  const split = trainTestSplit(y, { testSize: options.testSize ?? 0.3, stratify: true, seed });
  const Xtr = X.takeRows(split.train);
  const Xte = X.takeRows(split.test);
  const ytr = labelsOf(y, split.train);
  const yte = labelsOf(y, split.test);
  if (k >= Xtr.rows) throw new RangeError(`k = ${k} must be smaller than the training part (${Xtr.rows} rows)`);
  const scaler = new StandardScaler().fit(Xtr);
  const Ztr = scaler.transform(Xtr).toFloat64();
  const Zte = scaler.transform(Xte).toFloat64();
  const pairs = verificationPairs(yte, Math.min(2000, 4 * yte.length), seed);

  const { selected, skipped } = demoLearners(quick, options.learners);
  mkdirSync(outDir, { recursive: true });
  const name = dataPath === bundledDataset('digits') ? 'digits' : dataPath.replace(/^.*[\\/]/, '');
  progress.info(`simlearn demo: ${name}, ${X.rows} rows × ${X.cols} features, ${nClassesAll} classes; ${Xtr.rows} train / ${Xte.rows} test; backend ${getBackend().name}${quick ? ' (quick)' : ''}`);
  if (skipped.length) progress.info(`  (not available in this build, skipped: ${skipped.join(', ')})`);

  const fitOne = (spec: DemoLearnerSpec): Fitted => {
    const file = join(outDir, `${fileStem(spec)}.simlearn`);
    if (spec.type === 'metric') {
      const maxIter = typeof spec.params.maxIter === 'number' ? spec.params.maxIter : 1;
      const step = progress.step(spec.name, maxIter);
      const learner = createLearner(spec.algorithm, {
        ...spec.params,
        ...fitDataLimits(spec.algorithm, spec.params, ytr),
        seed,
        verbose: (e: { iteration: number; maxIter: number; objective?: number }) => {
          step.total(e.maxIter);
          step.update(e.iteration, e.objective !== undefined ? `objective ${e.objective.toPrecision(5)}` : '');
        },
      });
      const s = performance.now();
      try {
        learner.fit(Ztr, ytr);
      } catch (err) {
        step.done(`failed: ${(err as Error).message}`);
        throw err;
      }
      const fitSeconds = (performance.now() - s) / 1000;
      new Pipeline([scaler, learner], { demo: true, algorithm: spec.algorithm }).save(file);
      step.done(`fitted in ${fitSeconds.toFixed(2)} s${learner.nIter ? ` (${learner.nIter} iterations${learner.converged ? '' : ', not converged'})` : ''}`);
      return { Etr: learner.transform(Ztr), Ete: learner.transform(Zte), fitSeconds, modelFile: file, warnings: [...learner.warnings] };
    }
    const step = progress.step(spec.name, spec.epochs);
    const s = performance.now();
    let r;
    try {
      r = trainDeepHead(spec, Xtr, ytr, Xte, yte, seed, (log) => step.update(log.epoch, `loss ${log.loss.toFixed(4)}`));
    } catch (err) {
      step.done(`failed: ${(err as Error).message}`);
      throw err;
    }
    const fitSeconds = (performance.now() - s) / 1000;
    r.head.save(file);
    step.done(`trained in ${fitSeconds.toFixed(2)} s (${spec.epochs} epochs)`);
    return { Etr: r.head.transform(Xtr), Ete: r.head.transform(Xte), fitSeconds, modelFile: file, warnings: [], training: r.history };
  };

  const results: DemoLearnerResult[] = [];
  for (const spec of selected) {
    const id = fileStem(spec);
    const kind = spec.type === 'metric' ? (spec.algorithm === 'euclidean' ? 'euclidean' : `metric/${spec.algorithm}`) : 'deep/head';
    try {
      const f = fitOne(spec);
      const scores = evaluateEmbedding(f.Etr, ytr, f.Ete, yte, { k, pairs });
      results.push({
        id,
        name: spec.name,
        kind,
        metrics: scores.metrics,
        roc: scores.roc,
        map: project2d(f.Ete),
        fitSeconds: spec.type === 'metric' && spec.algorithm === 'euclidean' ? undefined : f.fitSeconds,
        modelFile: f.modelFile,
        warnings: f.warnings,
        training: f.training,
        validationMetric: f.training ? 'MAP@R (held-out, leave-one-out)' : undefined,
      });
    } catch (err) {
      // One learner failing (e.g. a singular scatter on the user's data) must not hide the others.
      results.push({ id, name: spec.name, kind, metrics: { knnAccuracy: NaN, mapAtR: NaN, precisionAt1: NaN }, error: (err as Error).message, warnings: [`failed: ${(err as Error).message}`] });
    }
  }

  const seconds = (performance.now() - t0) / 1000;
  const dataset = { name, path: dataPath, nSamples: X.rows, nFeatures: X.cols, nClasses: nClassesAll };
  let reportPath: string | null = null;
  if (options.report ?? true) {
    const ok = results.filter((r) => !r.error);
    reportPath = join(outDir, 'report.html');
    await writeReport(reportPath, {
      title: `simlearn demo: ${name}`,
      dataset,
      protocol: `Stratified hold-out split (seed ${seed}): ${Xtr.rows} training rows, ${Xte.rows} test rows${quick ? ` (quick mode: ${X.rows} rows sampled)` : ''}. ` +
        `Features z-scored with the training part's statistics. ${k}-NN accuracy on the test part; MAP@R and precision@1 with test queries against training references; ` +
        `ROC AUC on ${pairs.genuine.length} test pairs (half same-class).`,
      knnK: k,
      mapLabels: yte,
      mapMethod: 'PCA (first two principal axes) of each learner\'s test-set embedding, coloured by class; "Euclidean" shows the z-scored data before learning.',
      learners: [...ok, ...results.filter((r) => r.error)],
      environment: { simlearn: VERSION, backend: `${getBackend().name} (${getBackend().blas})`, seconds: seconds.toFixed(1), generated: new Date().toISOString() },
    });
  }
  return { dataset, nTrain: Xtr.rows, nTest: Xte.rows, seed, k, quick, learners: results, skipped, reportPath, outDir, seconds, backend: getBackend().name };
}

/**
 * The line-up's settings are sized for digits-like data. On data with small classes the demo
 * asks for what the labels allow instead of failing the learner: no more pairs than the
 * labels give (20 classes of 7 training rows have 421 same-class pairs, not 1000), and no
 * more target neighbours than the smallest class has other members (LMNN's k). `simlearn cv`
 * and `fit` keep the stricter contract: there the error names the limit.
 */
function fitDataLimits(algorithm: string, params: Record<string, unknown>, y: ArrayLike<Label>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof params.numConstraints === 'number') {
    const c = new Constraints(Array.from(y, String));
    out.numConstraints = Math.max(1, Math.min(params.numConstraints, c.maxPositivePairs(), c.maxNegativePairs()));
  }
  // LFDA's k (local scaling) is already taken per class as min(k, class size − 1).
  if (algorithm === 'lmnn' && typeof params.k === 'number' && params.k > 1) {
    const counts = new Map<string, number>();
    for (let i = 0; i < y.length; i++) counts.set(String(y[i]), (counts.get(String(y[i])) ?? 0) + 1);
    const smallest = Math.min(...counts.values());
    if (smallest >= 2) out.k = Math.min(params.k, smallest - 1);
  }
  return out;
}
