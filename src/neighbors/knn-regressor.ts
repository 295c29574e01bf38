/**
 * k-nearest-neighbour regression: the prediction is the (uniform or 1/distance weighted) mean
 * of the neighbours' targets. Search as in KNeighborsClassifier (backend kernel, an index, or
 * a metric function), optionally in a learned space (e.g. MLKR's).
 */
import { describeValue, type Matrix, type FloatArray } from '../matrix.js';
import { checkLabelArray } from '../metric/base.js';
import { KnnBase } from './knn-classifier.js';

export class KNeighborsRegressor extends KnnBase {
  protected readonly name = 'KNeighborsRegressor';
  private targets: Float64Array = new Float64Array(0);

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number>): this {
    const targets = checkLabelArray(y, y?.length, this.name, 'targets');
    const t = new Float64Array(targets.length);
    for (let i = 0; i < targets.length; i++) {
      const v = targets[i];
      // Number() would read null and "" as 0 and true as 1: only numbers are targets.
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${this.name}: y[${i}] is ${describeValue(v)}; targets must be finite numbers`);
      t[i] = v;
    }
    this.fitPoints(X, targets.length);
    this.targets = t;
    return this;
  }

  predict(Xq: Matrix<FloatArray> | number[][]): Float64Array {
    const nb = this.kneighbors(Xq);
    const nq = nb.indices.length / nb.k;
    const out = new Float64Array(nq);
    const w = new Float64Array(nb.k);
    for (let i = 0; i < nq; i++) {
      this.voteWeights(nb, i, w);
      let s = 0, sw = 0;
      for (let j = 0; j < nb.k; j++) {
        s += w[j] * this.targets[nb.indices[i * nb.k + j]];
        sw += w[j];
      }
      out[i] = s / sw;
    }
    return out;
  }

  /** Mean squared error on (X, y). */
  mse(Xq: Matrix<FloatArray> | number[][], y: ArrayLike<number>): number {
    const p = this.predict(Xq);
    if (p.length !== y.length) throw new RangeError(`${this.name}.mse: X has ${p.length} rows but y has ${y.length} targets`);
    let s = 0;
    for (let i = 0; i < p.length; i++) s += (p[i] - Number(y[i])) ** 2;
    return s / p.length;
  }
}
