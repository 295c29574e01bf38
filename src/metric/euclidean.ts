/**
 * The no-learning baseline: L = I, so the learned distance is the plain Euclidean one.
 * It exists so `--algo euclidean` runs through exactly the same protocol as every learner.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';

export class Euclidean extends MahalanobisLearner<BaseLearnerOptions> {
  readonly algorithm = 'euclidean';

  constructor(options: BaseLearnerOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    return {};
  }

  fit(X: Matrix<FloatArray> | number[][], y?: ArrayLike<number | string>): this {
    const x = asMatrix(X, 'X');
    if (x.rows === 0) throw new RangeError('euclidean: X has no rows');
    if (y !== undefined && y.length !== x.rows) throw new RangeError(`euclidean: X has ${x.rows} rows but y has ${y.length} labels`);
    return this.setFitted(Matrix.identity(x.cols));
  }
}
