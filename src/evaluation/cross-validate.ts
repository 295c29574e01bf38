/**
 * The evaluation protocol of record (the one metric-learn's figures in shared/peers were
 * measured with), as a library function reused by `simlearn cv`, the bench and the demo.
 * For each fold: z-score fitted on the training part, learner fitted on the training part,
 * both parts transformed, k-NN in the transformed space, scored on the test part.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { predefinedFolds, stratifiedKFold, kFold, type Split } from '../preprocessing/split.js';
import { createLearner, getAlgorithm, type Task } from '../metric/algorithms.js';
import { KNeighborsClassifier } from '../neighbors/knn-classifier.js';
import { KNeighborsRegressor } from '../neighbors/knn-regressor.js';
import { measureCpu } from './cpu-time.js';

export { cpuSeconds } from './cpu-time.js';

export interface CrossValidateOptions {
  /** A registered algorithm name ('euclidean' = no learning). */
  algorithm: string;
  /** Learner options (hyperparameters); seed defaults to the CV seed. */
  params?: Record<string, unknown>;
  /** Neighbours of the k-NN scorer (default 3). */
  k?: number;
  weights?: 'uniform' | 'distance';
  /** Fold of each row (a folds file); otherwise `nFolds` folds are drawn with `seed`. */
  folds?: ArrayLike<number>;
  nFolds?: number;
  seed?: number;
  /** Default: the algorithm's task. */
  task?: Task;
  /** Called after each fold. */
  onFold?: (fold: FoldResult) => void;
}

export interface FoldResult {
  fold: number;
  score: number;
  fitSeconds: number;
  nIter: number;
  converged: boolean;
  warnings: string[];
}

export interface Summary {
  mean: number;
  /** Population standard deviation over folds. */
  std: number;
  perFold: number[];
}

export interface CrossValidateResult {
  algorithm: string;
  task: Task;
  params: Record<string, unknown>;
  k: number;
  nFolds: number;
  accuracy?: Summary;
  mse?: Summary;
  /** CPU seconds of each fold's learner fit, its background threads included (see cpu-time.ts). */
  fitSeconds: { median: number; perFold: number[] };
  warnings: string[];
}

export function summarize(values: number[]): Summary {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, perFold: values };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function makeSplits(n: number, y: ArrayLike<number | string>, task: Task, o: CrossValidateOptions): Split[] {
  if (o.folds) {
    if (o.folds.length !== n) throw new RangeError(`crossValidate: folds has ${o.folds.length} entries but the data has ${n} rows; the folds file belongs to another dataset`);
    return predefinedFolds(o.folds);
  }
  const nFolds = o.nFolds ?? 5;
  if (!Number.isInteger(nFolds) || nFolds < 2) throw new RangeError(`crossValidate: nFolds must be an integer ≥ 2, got ${nFolds}`);
  if (nFolds > n) throw new RangeError(`crossValidate: cannot make ${nFolds} folds from ${n} rows; use nFolds (simlearn cv --cv) of at most ${n}, or more data`);
  return task === 'classification' ? stratifiedKFold(y, nFolds, { seed: o.seed ?? 0 }) : kFold(n, nFolds, { seed: o.seed ?? 0 });
}

export function crossValidate(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>, options: CrossValidateOptions): CrossValidateResult {
  const spec = getAlgorithm(options.algorithm);
  const task = options.task ?? spec.task;
  if (task !== 'classification' && task !== 'regression') throw new RangeError(`crossValidate: task must be "classification" or "regression", got "${String(task)}"`);
  const x = asMatrix(X, 'X').toFloat64();
  if (y.length !== x.rows) throw new RangeError(`crossValidate: X has ${x.rows} rows but y has ${y.length} labels`);
  if (task === 'regression') {
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(Number(y[i]))) throw new RangeError(`crossValidate: regression needs numeric targets; y[${i}] is ${JSON.stringify(y[i])}`);
  }
  const k = options.k ?? 3;
  const splits = makeSplits(x.rows, y, task, options);
  const classCode = new Map<number | string, number>();
  if (task === 'classification' && spec.task === 'regression') {
    const values = [...new Set(Array.from(y))];
    const numeric = values.every((v) => typeof v === 'number');
    values.sort((a, b) => (numeric ? (a as number) - (b as number) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    values.forEach((v, i) => classCode.set(v, numeric ? (v as number) : i));
  }
  const params = { seed: options.seed ?? 0, ...(options.params ?? {}) };
  // Build one learner up front so bad options fail before any work.
  let effective = createLearner(spec.name, params).params;
  const scores: number[] = [];
  const times: number[] = [];
  const warnings: string[] = [];
  // A fit that fails on a class's size in one training part would fail where that class is
  // smallest too: an error that speaks of classes reports the smallest over every part, so that
  // its advice (lower k, kGenuine, …) can be followed for the whole cross-validation.
  const smallestTrainingClass = (): string => {
    let rows = Infinity, at = -1;
    splits.forEach((sp, f) => {
      const counts = new Map<unknown, number>();
      for (const i of sp.train) counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
      for (const c of counts.values()) if (c < rows) { rows = c; at = f; }
    });
    return at < 0 ? '' : ` (across the ${splits.length} training parts the smallest class has ${rows} row${rows === 1 ? '' : 's'}, in fold ${at}'s)`;
  };
  splits.forEach((split, f) => {
    const Xtr = x.takeRows(split.train);
    const Xte = x.takeRows(split.test);
    const ytr = Array.from(split.train, (i) => y[i]);
    const yte = Array.from(split.test, (i) => y[i]);
    if (k >= Xtr.rows) throw new RangeError(`crossValidate: k = ${k} must be smaller than the training part of fold ${f} (${Xtr.rows} rows)`);
    if (task === 'classification') {
      // k-NN can only predict classes it was trained on: such test rows score 0 whatever the learner does
      const seen = new Set(ytr);
      const missing = new Map<number | string, number>();
      for (const v of yte) if (!seen.has(v)) missing.set(v, (missing.get(v) ?? 0) + 1);
      if (missing.size > 0) {
        const list = [...missing].map(([c, n]) => `${JSON.stringify(c)} (${n} test row${n > 1 ? 's' : ''})`).join(', ');
        warnings.push(`fold ${f}: class${missing.size > 1 ? 'es' : ''} ${list} of the test part ${missing.size > 1 ? 'are' : 'is'} absent from its training part, so k-NN cannot predict ${missing.size > 1 ? 'them' : 'it'} and the fold's accuracy is capped; use stratified folds (--cv N) or a folds file that leaves every class in each training part`);
      }
    }
    const scaler = new StandardScaler().fit(Xtr);
    const Ztr = scaler.transform(Xtr).toFloat64();
    const Zte = scaler.transform(Xte).toFloat64();
    const learner = createLearner(spec.name, params);
    // A regression learner (mlkr) scored by k-NN accuracy fits the class codes as its targets
    // (as metric-learn's MLKR does on integer labels); text labels have no numbers of their own.
    const fitY = task === 'regression' ? ytr.map(Number) : spec.task === 'regression' ? ytr.map((v) => classCode.get(v)!) : ytr;
    let fitSeconds: number;
    try {
      fitSeconds = measureCpu(() => learner.fit(Ztr, fitY)).seconds;
    } catch (err) {
      const e = err as Error;
      e.message = `fold ${f}: ${e.message}${task === 'classification' && /\bclass\b/.test(e.message) ? smallestTrainingClass() : ''}`;
      throw e;
    }
    if (f === 0) effective = learner.params;
    const Ttr = learner.transform(Ztr);
    const Tte = learner.transform(Zte);
    let score: number;
    if (task === 'classification') score = new KNeighborsClassifier({ k, weights: options.weights }).fit(Ttr, ytr).score(Tte, yte);
    else score = new KNeighborsRegressor({ k, weights: options.weights }).fit(Ttr, ytr.map(Number)).mse(Tte, yte.map(Number));
    scores.push(score);
    times.push(fitSeconds);
    for (const w of learner.warnings) warnings.push(`fold ${f}: ${w}`);
    options.onFold?.({ fold: f, score, fitSeconds, nIter: learner.nIter, converged: learner.converged, warnings: [...learner.warnings] });
  });
  const result: CrossValidateResult = {
    algorithm: spec.name, task, params: effective, k, nFolds: splits.length,
    fitSeconds: { median: median(times), perFold: times }, warnings,
  };
  if (task === 'classification') result.accuracy = summarize(scores);
  else result.mse = summarize(scores);
  return result;
}
