/** The fit / transform contract of the preprocessing steps, with the fitTransform they share. */
import type { Matrix, FloatArray } from '../matrix.js';
import { toMatrix, type MatrixInput } from './input.js';

export abstract class Transformer {
  abstract fit(X: MatrixInput): this;
  abstract transform(X: MatrixInput): Matrix<FloatArray>;

  /** fit(X) then transform(X), converting a nested-array X only once. A Matrix input keeps its dtype. */
  fitTransform<T extends FloatArray>(X: Matrix<T>): Matrix<T>;
  fitTransform(X: MatrixInput): Matrix<FloatArray>;
  fitTransform(X: MatrixInput): Matrix<FloatArray> {
    const M = toMatrix(X, 'X');
    return this.fit(M).transform(M);
  }
}
