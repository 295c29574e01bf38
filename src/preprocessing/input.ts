/** Input handling shared by the transformers. */
import { Matrix, ShapeError, asMatrix, assertFinite, type FloatArray } from '../matrix.js';

export type MatrixInput = Matrix<FloatArray> | ArrayLike<ArrayLike<number>>;

/** Validates finiteness; a Matrix keeps its dtype, nested arrays become float64. */
export function toMatrix(X: MatrixInput, name: string): Matrix<FloatArray> {
  if (X instanceof Matrix) {
    assertFinite(X, name);
    return X;
  }
  return asMatrix(X, name);
}

export function checkFeatures(X: Matrix<FloatArray>, expected: number, who: string): void {
  if (X.cols !== expected) throw new ShapeError(`${who}: X has ${X.cols} features but the transformer was fitted on ${expected}`);
}

export class NotFittedYet extends Error {
  constructor(who: string) {
    super(`${who} is not fitted yet; call fit(X) first`);
    this.name = 'NotFittedError';
  }
}
