/**
 * The contract every Mahalanobis learner shares (scikit-learn's estimator contract in
 * TypeScript form, as metric-learn's BaseMetricLearner / MahalanobisMixin):
 *
 *   d(x, x') = sqrt((x − x')ᵀ M (x − x')),  M = Lᵀ L,  L = `components` (nComponents x nFeatures).
 *
 * Subclasses implement `fit` (or a weakly supervised variant) and call `setFitted`; everything
 * else (transform, distances, the metric function, the Mahalanobis matrix) is derived here,
 * once, so no learner can get it subtly different.
 */
import { Matrix, asMatrix, describeValue, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { toTuples, tupleCount, type TuplesInput } from './tuples.js';
import { saveModel, type ModelPayload } from '../io/model-file.js';

export class NotFittedError extends Error {
  constructor(name: string) {
    super(`${name} is not fitted yet: call fit() first (or load a fitted model)`);
    this.name = 'NotFittedError';
  }
}

export interface ProgressEvent {
  algorithm: string;
  iteration: number;
  maxIter: number;
  objective?: number;
  message?: string;
}

export interface BaseLearnerOptions {
  /** Seed for everything random in the fit; same seed, same model. */
  seed?: number;
  /** true logs progress to stderr; a function receives each progress event. */
  verbose?: boolean | ((event: ProgressEvent) => void);
}

export interface LearnerState {
  algorithm: string;
  params: Record<string, unknown>;
  components: { rows: number; cols: number; data: number[] };
  nIter: number;
  converged: boolean;
  warnings: string[];
}

export abstract class MahalanobisLearner<O extends BaseLearnerOptions = BaseLearnerOptions> {
  /** Short lowercase name used by the CLI and model files, e.g. "lmnn". */
  abstract readonly algorithm: string;
  readonly options: Readonly<O>;
  private _components: Matrix<Float64Array> | null = null;
  private _nIter = 0;
  private _converged = true;
  private _warnings: string[] = [];

  constructor(options: O) {
    this.options = Object.freeze({ ...options });
  }

  /** Effective hyperparameters (defaults filled in), for reports and model files. */
  abstract get params(): Record<string, unknown>;

  get isFitted(): boolean {
    return this._components !== null;
  }

  /** L, nComponents x nFeatures. Read-only: a copy is returned. */
  get components(): Matrix<Float64Array> {
    return this.requireFitted().clone();
  }

  get nIter(): number {
    return this._nIter;
  }

  get converged(): boolean {
    return this._converged;
  }

  /** Non-fatal problems seen in the last fit (e.g. stopped at maxIter). */
  get warnings(): readonly string[] {
    return this._warnings;
  }

  get nFeatures(): number {
    return this.requireFitted().cols;
  }

  get nComponents(): number {
    return this.requireFitted().rows;
  }

  /** Called by subclasses at the end of fit. Resets all learned state, so refits do not leak. */
  protected setFitted(components: Matrix<Float64Array>, info: { nIter?: number; converged?: boolean; warnings?: string[] } = {}): this {
    for (const v of components.data) {
      if (!Number.isFinite(v)) throw new RangeError(`${this.algorithm}: the fit produced non-finite components; check the input scaling or raise regularisation`);
    }
    this._components = components;
    this._nIter = info.nIter ?? 0;
    this._converged = info.converged ?? true;
    this._warnings = [...(info.warnings ?? [])];
    if (!this._converged) {
      const msg = `${this.algorithm}: stopped at maxIter (${this._nIter}) before converging; raise maxIter or loosen the tolerance`;
      if (!this._warnings.includes(msg)) this._warnings.push(msg);
    }
    for (const w of this._warnings) this.warn(w);
    return this;
  }

  protected warn(message: string): void {
    if (this.options.verbose) process.emitWarning(message, { code: 'SIMLEARN_FIT' });
  }

  protected progress(event: Omit<ProgressEvent, 'algorithm'>): void {
    const v = this.options.verbose;
    if (!v) return;
    const e = { algorithm: this.algorithm, ...event };
    if (typeof v === 'function') v(e);
    else process.stderr.write(`${e.algorithm} iter ${e.iteration}/${e.maxIter}${e.objective !== undefined ? ` objective ${e.objective.toPrecision(6)}` : ''}${e.message ? ` ${e.message}` : ''}\n`);
  }

  protected requireFitted(): Matrix<Float64Array> {
    if (!this._components) throw new NotFittedError(this.algorithm);
    return this._components;
  }

  /** X Lᵀ: the data in the learned space, where Euclidean distance is the learned metric. */
  transform(X: Matrix<FloatArray> | number[][]): Matrix<Float64Array> {
    const L = this.requireFitted();
    const x = asMatrix(X, 'X').toFloat64();
    if (x.cols !== L.cols) throw new RangeError(`transform: X has ${x.cols} features but the model was fitted on ${L.cols}`);
    const out = Matrix.zeros(x.rows, L.rows);
    getBackend().gemm(false, true, x.rows, L.rows, L.cols, 1, x.data, x.cols, L.data, L.cols, 0, out.data, L.rows);
    return out;
  }

  /** M = Lᵀ L (nFeatures x nFeatures, symmetric PSD). */
  getMahalanobisMatrix(): Matrix<Float64Array> {
    const L = this.requireFitted();
    const M = Matrix.zeros(L.cols, L.cols);
    getBackend().gemm(true, false, L.cols, L.cols, L.rows, 1, L.data, L.cols, L.data, L.cols, 0, M.data, L.cols);
    return M;
  }

  /** Learned distance for each pair: ‖L(a − b)‖. */
  pairDistance(pairs: TuplesInput): Float64Array {
    const t = toTuples(pairs, 2, 'pairs');
    const L = this.requireFitted();
    if (t.points.cols !== L.cols) throw new RangeError(`pairDistance: pairs have ${t.points.cols} features but the model was fitted on ${L.cols}`);
    const Z = this.transform(t.points);
    const n = tupleCount(t);
    const k = Z.cols;
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      const a = t.indices[2 * p] * k;
      const b = t.indices[2 * p + 1] * k;
      let s = 0;
      for (let j = 0; j < k; j++) {
        const d = Z.data[a + j] - Z.data[b + j];
        s += d * d;
      }
      out[p] = Math.sqrt(s);
    }
    return out;
  }

  /** −pairDistance: higher means more alike (for ROC and thresholds). */
  pairScore(pairs: TuplesInput): Float64Array {
    const d = this.pairDistance(pairs);
    for (let i = 0; i < d.length; i++) d[i] = -d[i];
    return d;
  }

  /**
   * A plain function of two vectors computing the learned distance; it captures a copy of
   * L, so later refits of this learner do not change it.
   */
  getMetric(): (a: ArrayLike<number>, b: ArrayLike<number>) => number {
    const L = this.requireFitted().clone();
    const diff = new Float64Array(L.cols);
    return (a, b) => {
      if (a.length !== L.cols || b.length !== L.cols) throw new RangeError(`metric: vectors must have ${L.cols} features, got ${a.length} and ${b.length}`);
      for (let j = 0; j < L.cols; j++) diff[j] = a[j] - b[j];
      let s = 0;
      for (let i = 0; i < L.rows; i++) {
        let t = 0;
        const row = i * L.cols;
        for (let j = 0; j < L.cols; j++) t += L.data[row + j] * diff[j];
        s += t * t;
      }
      return Math.sqrt(s);
    };
  }

  toJSON(): LearnerState {
    const L = this.requireFitted();
    return {
      algorithm: this.algorithm,
      params: this.params,
      components: { rows: L.rows, cols: L.cols, data: Array.from(L.data) },
      nIter: this._nIter,
      converged: this._converged,
      warnings: [...this._warnings],
    };
  }

  /**
   * The model-file form, kind 'metric/<algorithm>': the components plus the options given at
   * construction (JSON-representable ones) and the fit diagnostics. Load it back with
   * modelFromPayload / loadModelObject once src/metric/registry.ts has been imported.
   */
  toPayload(): ModelPayload {
    const L = this.requireFitted();
    const options: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(this.options)) {
      if (key === 'verbose' || typeof v === 'function') continue;
      if (v === null || ['number', 'string', 'boolean'].includes(typeof v) || Array.isArray(v)) options[key] = v;
    }
    return {
      kind: `metric/${this.algorithm}`,
      version: 1,
      meta: { algorithm: this.algorithm, options, params: this.params, nIter: this._nIter, converged: this._converged, warnings: [...this._warnings] },
      arrays: { components: { shape: [L.rows, L.cols], data: L.data.slice() } },
    };
  }

  /** Writes the model file (atomically). */
  save(path: string): void {
    saveModel(path, this.toPayload());
  }

  /** Restores learned state saved by toJSON (used by model loading). */
  restoreState(state: Pick<LearnerState, 'components' | 'nIter' | 'converged' | 'warnings'>): this {
    const c = state.components;
    this._components = new Matrix(c.rows, c.cols, Float64Array.from(c.data));
    this._nIter = state.nIter;
    this._converged = state.converged;
    this._warnings = [...state.warnings];
    return this;
  }
}

/**
 * L with Lᵀ L = M, from the eigendecomposition M = V Λ Vᵀ: L = Λ^½ Vᵀ, keeping eigenvalues
 * above `tol` × the largest (metric-learn's components_from_metric). M must be symmetric PSD
 * up to that tolerance.
 */
export function componentsFromMetric(M: Matrix<FloatArray>, tol = 1e-10): Matrix<Float64Array> {
  const m = M.toFloat64();
  if (m.rows !== m.cols) throw new RangeError(`componentsFromMetric: M must be square, got ${m.rows} x ${m.cols}`);
  const n = m.rows;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const a = m.data[i * n + j], b = m.data[j * n + i];
    if (Math.abs(a - b) > 1e-8 * (1 + Math.abs(a) + Math.abs(b))) throw new RangeError(`componentsFromMetric: M is not symmetric (M[${i},${j}] = ${a}, M[${j},${i}] = ${b})`);
  }
  const { values, vectors } = getBackend().eigh(m.data, n);
  const top = Math.max(0, values[n - 1]);
  if (values[0] < -Math.max(tol * Math.max(top, 1), 1e-12)) throw new RangeError(`componentsFromMetric: M is not positive semidefinite (smallest eigenvalue ${values[0]})`);
  const keep: number[] = [];
  for (let j = n - 1; j >= 0; j--) if (values[j] > tol * top) keep.push(j);
  if (keep.length === 0) keep.push(n - 1);
  const L = Matrix.zeros(keep.length, n);
  keep.forEach((j, r) => {
    const s = Math.sqrt(Math.max(0, values[j]));
    for (let c = 0; c < n; c++) L.data[r * n + c] = s * vectors[c * n + j];
  });
  return L;
}

export interface LabelledData {
  X: Matrix<Float64Array>;
  /** Labels encoded as 0..nClasses-1. */
  y: Int32Array;
  /** The original label of each code (its first occurrence in y). */
  classes: (number | string)[];
}

/** X as a learner's training input: 2-D, finite, with at least one row and one feature. */
export function checkX(X: Matrix<FloatArray> | number[][], algorithm: string): Matrix<Float64Array> {
  const x = asMatrix(X, 'X').toFloat64();
  if (x.rows === 0) throw new RangeError(`${algorithm}: X has no rows`);
  if (x.cols === 0) throw new RangeError(`${algorithm}: X has 0 feature columns; every row needs at least one feature`);
  return x;
}

/**
 * The key a class label is compared by: its text, so that 1 and "1" (as a CSV or JSON round
 * trip easily mixes them) are one class here, in KNeighborsClassifier and in the retrieval
 * metrics alike. Labels must be numbers or strings; a missing one (null, undefined) or a
 * non-finite number is an error naming the row.
 */
export function labelKey(v: unknown, i: number, algorithm: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`${algorithm}: y[${i}] is ${v}; labels must be finite`);
    return String(v);
  }
  if (v === null || v === undefined) throw new RangeError(`${algorithm}: y[${i}] is ${v}; every row needs a label`);
  throw new RangeError(`${algorithm}: y[${i}] is ${describeValue(v)}; labels must be numbers or strings`);
}

/** y as an array-like of the right length, or an error saying what y should be. */
export function checkLabelArray(y: unknown, rows: number, algorithm: string, what = 'labels'): ArrayLike<unknown> {
  if (y === null || typeof y !== 'object' || typeof (y as ArrayLike<unknown>).length !== 'number') throw new RangeError(`${algorithm}: y must be an array of ${what} (one per row of X), got ${describeValue(y)}`);
  const a = y as ArrayLike<unknown>;
  if (a.length !== rows) throw new RangeError(`${algorithm}: X has ${rows} rows but y has ${a.length} ${what}; give one ${what === 'labels' ? 'label' : 'target'} per row`);
  return a;
}

/**
 * Validates a supervised training set: shapes, finiteness, at least two classes. Every row
 * needs a label (a number or a string; null and undefined are errors, and -1 is a class like
 * any other). Labels are compared by their text, String(v): 1 and "1" are the same class,
 * which `classes` reports by the value first seen.
 */
export function checkXy(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>, algorithm: string, minClasses = 2): LabelledData {
  const x = checkX(X, algorithm);
  const labels = checkLabelArray(y, x.rows, algorithm);
  const codes = new Map<string, number>();
  const classes: (number | string)[] = [];
  const yy = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const key = labelKey(labels[i], i, algorithm);
    let c = codes.get(key);
    if (c === undefined) {
      c = classes.length;
      codes.set(key, c);
      classes.push(labels[i] as number | string);
    }
    yy[i] = c;
  }
  if (classes.length < minClasses) throw new RangeError(`${algorithm}: y has ${classes.length} class${classes.length === 1 ? '' : 'es'}; metric learning from labels needs at least ${minClasses}`);
  return { X: x, y: yy, classes };
}
