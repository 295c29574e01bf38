/**
 * k-nearest-neighbour classification in a learned space (Cover & Hart, 1967): the model the
 * metric learners are judged by. Neighbours come from the backend's fused GEMM + top-k
 * kernel by default (exact), from any `Index` when an `index` factory is given (exact or
 * approximate), or from a plain metric function (brute force, for arbitrary metrics).
 * A `transform` (any fitted learner) maps the data first, so Euclidean search there is the
 * learned metric.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import type { Index } from './index-types.js';
import { labelKey, checkLabelArray } from '../metric/base.js';

export type KnnWeights = 'uniform' | 'distance';

export interface KnnModelOptions {
  /** Neighbours per query (default 3, the protocol of record). */
  k?: number;
  /** 'uniform' votes, or 'distance': votes weighted by 1/distance (exact matches win outright). */
  weights?: KnnWeights;
  /** A fitted learner (or anything with transform) applied to training and query data. */
  transform?: { transform(X: Matrix<FloatArray>): Matrix<FloatArray> };
  /** A distance function of two vectors, searched by brute force instead of the backend kernel. */
  metric?: (a: ArrayLike<number>, b: ArrayLike<number>) => number;
  /** Builds the index searched instead of the backend kernel (e.g. an HNSW or LSH index). */
  index?: () => Index;
}

export interface Neighbours {
  /** nq x k indices into the training set, nearest first. */
  indices: Int32Array;
  /** nq x k (non-squared) distances. */
  distances: Float64Array;
  k: number;
}

/** Shared fitting/search machinery of the k-NN classifier and regressor. */
export abstract class KnnBase {
  readonly k: number;
  readonly weights: KnnWeights;
  protected readonly opts: KnnModelOptions;
  private train: Matrix<Float64Array> | null = null;
  private index: Index | null = null;
  protected abstract readonly name: string;

  constructor(options: KnnModelOptions = {}) {
    const k = options.k ?? 3;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k-NN: k must be a positive integer, got ${k}`);
    const w = options.weights ?? 'uniform';
    if (w !== 'uniform' && w !== 'distance') throw new RangeError(`k-NN: weights must be "uniform" or "distance", got "${String(w)}"`);
    if (options.metric && options.index) throw new RangeError('k-NN: give either metric or index, not both');
    this.k = k;
    this.weights = w;
    this.opts = options;
  }

  protected prepare(X: Matrix<FloatArray> | number[][], name: string): Matrix<Float64Array> {
    const x = asMatrix(X, name).toFloat64();
    return this.opts.transform ? asMatrix(this.opts.transform.transform(x), `${name} (transformed)`).toFloat64() : x;
  }

  protected fitPoints(X: Matrix<FloatArray> | number[][], nLabels: number): void {
    const x = this.prepare(X, 'X');
    if (x.cols === 0) throw new RangeError(`${this.name}: X has 0 feature columns; every row needs at least one feature`);
    if (nLabels !== x.rows) throw new RangeError(`${this.name}: X has ${x.rows} rows but y has ${nLabels} values; give one per row`);
    if (this.k >= x.rows) throw new RangeError(`${this.name}: k = ${this.k} must be smaller than the number of training samples (${x.rows}); lower k or add data`);
    this.train = x;
    this.index = null;
    if (this.opts.index) {
      const idx = this.opts.index();
      idx.add(x, Int32Array.from({ length: x.rows }, (_, i) => i));
      this.index = idx;
    }
  }

  protected get nTrain(): number {
    return this.requireTrain().rows;
  }

  private requireTrain(): Matrix<Float64Array> {
    if (!this.train) throw new Error(`${this.name} is not fitted yet: call fit(X, y) first`);
    return this.train;
  }

  /** The k nearest training points of each query. */
  kneighbors(Xq: Matrix<FloatArray> | number[][], k = this.k): Neighbours {
    const train = this.requireTrain();
    const q = this.prepare(Xq, 'X');
    if (q.cols !== train.cols) throw new RangeError(`${this.name}: queries have ${q.cols} features but the model was fitted on ${train.cols}`);
    if (!Number.isInteger(k) || k < 1 || k > train.rows) throw new RangeError(`${this.name}: k must be in 1..${train.rows}, got ${k}`);
    const nq = q.rows;
    const indices = new Int32Array(nq * k);
    const distances = new Float64Array(nq * k);
    if (this.index) {
      const r = this.index.search(q, k);
      const sq = this.index.metric === 'sqeuclidean';
      for (let i = 0; i < nq; i++) {
        if (r.ids[i].length < k) throw new Error(`${this.name}: the index returned ${r.ids[i].length} neighbours for query ${i}, fewer than k = ${k}`);
        for (let j = 0; j < k; j++) {
          indices[i * k + j] = r.ids[i][j];
          distances[i * k + j] = sq ? Math.sqrt(Math.max(0, r.distances[i][j])) : r.distances[i][j];
        }
      }
    } else if (this.opts.metric) {
      const f = this.opts.metric;
      const all = new Float64Array(train.rows);
      const order = new Int32Array(train.rows);
      for (let i = 0; i < nq; i++) {
        const qi = q.row(i);
        for (let j = 0; j < train.rows; j++) {
          const v = f(qi, train.row(j));
          if (!Number.isFinite(v)) throw new RangeError(`${this.name}: the metric returned ${v} for query ${i} and training point ${j}`);
          all[j] = v;
          order[j] = j;
        }
        const sorted = Array.from(order).sort((a, b) => all[a] - all[b] || a - b);
        for (let j = 0; j < k; j++) {
          indices[i * k + j] = sorted[j];
          distances[i * k + j] = all[sorted[j]];
        }
      }
    } else {
      const r = getBackend().knn(q.data, nq, train.data, train.rows, train.cols, k);
      for (let p = 0; p < nq * k; p++) {
        indices[p] = r.indices[p];
        distances[p] = Math.sqrt(Math.max(0, r.distances[p]));
      }
    }
    return { indices, distances, k };
  }

  /** Vote weights for one query's neighbours (writes into w). */
  protected voteWeights(nb: Neighbours, i: number, w: Float64Array): void {
    const k = nb.k;
    if (this.weights === 'uniform') { w.fill(1); return; }
    let exact = false;
    for (let j = 0; j < k; j++) if (nb.distances[i * k + j] === 0) exact = true;
    for (let j = 0; j < k; j++) {
      const dist = nb.distances[i * k + j];
      w[j] = exact ? (dist === 0 ? 1 : 0) : 1 / dist;
    }
  }
}

/**
 * Sorts labels the way scikit-learn's np.unique does: numbers numerically, else by their text.
 * The values themselves are kept, so predictions are the labels given to fit.
 */
function sortLabels(labels: (number | string)[]): (number | string)[] {
  return labels.every((v) => typeof v === 'number') ? (labels as number[]).sort((a, b) => a - b) : labels.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

export class KNeighborsClassifier extends KnnBase {
  protected readonly name = 'KNeighborsClassifier';
  private classes_: (number | string)[] = [];
  private codes: Int32Array = new Int32Array(0);

  /**
   * Labels are numbers or strings, compared by their text as the metric learners' checkXy
   * does: 1 and "1" are one class, reported (and predicted) as the value first seen.
   */
  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const labels = checkLabelArray(y, y?.length, this.name);
    const first = new Map<string, number | string>();
    const keys: string[] = new Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const key = labelKey(labels[i], i, this.name);
      keys[i] = key;
      if (!first.has(key)) first.set(key, labels[i] as number | string);
    }
    const classes = sortLabels([...first.values()]);
    const map = new Map(classes.map((c, i) => [String(c), i]));
    const codes = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) codes[i] = map.get(keys[i]) as number;
    this.fitPoints(X, labels.length);
    this.classes_ = classes;
    this.codes = codes;
    return this;
  }

  get classes(): (number | string)[] {
    return [...this.classes_];
  }

  /** Class membership weights per query (nq x nClasses, rows sum to 1), columns in `classes` order. */
  predictProba(Xq: Matrix<FloatArray> | number[][]): Matrix<Float64Array> {
    const nb = this.kneighbors(Xq);
    const nc = this.classes_.length;
    const nq = nb.indices.length / nb.k;
    const out = Matrix.zeros(nq, nc);
    const w = new Float64Array(nb.k);
    for (let i = 0; i < nq; i++) {
      this.voteWeights(nb, i, w);
      let s = 0;
      for (let j = 0; j < nb.k; j++) {
        out.data[i * nc + this.codes[nb.indices[i * nb.k + j]]] += w[j];
        s += w[j];
      }
      for (let c = 0; c < nc; c++) out.data[i * nc + c] /= s;
    }
    return out;
  }

  /** Majority (or weighted) vote; ties go to the first class in sorted order, as scikit-learn. */
  predict(Xq: Matrix<FloatArray> | number[][]): (number | string)[] {
    const P = this.predictProba(Xq);
    const nc = P.cols;
    const out: (number | string)[] = [];
    for (let i = 0; i < P.rows; i++) {
      let best = 0;
      for (let c = 1; c < nc; c++) if (P.data[i * nc + c] > P.data[i * nc + best] + 1e-12) best = c;
      out.push(this.classes_[best]);
    }
    return out;
  }

  /** Accuracy on (X, y). */
  score(Xq: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): number {
    const p = this.predict(Xq);
    if (p.length !== y.length) throw new RangeError(`${this.name}.score: X has ${p.length} rows but y has ${y.length} labels`);
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (String(p[i]) === String(y[i])) ok++;
    return ok / p.length;
  }
}
