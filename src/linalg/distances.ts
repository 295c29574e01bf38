/** Pairwise distances over the active backend's tiled kernels. */
import { Matrix, ShapeError, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { assertMatrix } from './checks.js';

/**
 * n x m squared Euclidean distances between the rows of A and of B (B defaults to A),
 * ‖a‖² + ‖b‖² − 2 a·b clamped at 0; the A-vs-A case is exactly symmetric with a zero diagonal.
 * Mixed dtypes promote to float64.
 */
export function pairwiseSqEuclidean<T extends FloatArray>(A: Matrix<T>, B?: Matrix<T>): Matrix<T>;
export function pairwiseSqEuclidean(A: Matrix<FloatArray>, B?: Matrix<FloatArray>): Matrix<FloatArray>;
export function pairwiseSqEuclidean(A: Matrix<FloatArray>, B?: Matrix<FloatArray>): Matrix<FloatArray> {
  assertMatrix(A, 'A', 'pairwiseSqEuclidean');
  const same = B === undefined || B === A;
  let b = B ?? A;
  assertMatrix(b, 'B', 'pairwiseSqEuclidean');
  if (A.cols !== b.cols) throw new ShapeError(`pairwiseSqEuclidean: A has ${A.cols} columns but B has ${b.cols}`);
  let a = A;
  if (a.dtype !== b.dtype) {
    a = a.toFloat64();
    b = b.toFloat64();
  }
  const D = getBackend().sqeuclidean(a.data, a.rows, b.data, b.rows, a.cols);
  if (same) {
    // Exact symmetry and a zero diagonal, whatever rounding the kernel's dot products left.
    const n = a.rows;
    for (let i = 0; i < n; i++) {
      D[i * n + i] = 0;
      for (let j = 0; j < i; j++) D[j * n + i] = D[i * n + j];
    }
  }
  return new Matrix(a.rows, b.rows, D);
}

/** Euclidean distance between rows i and j of M (accumulated in float64). */
export function rowDistance(M: Matrix<FloatArray>, i: number, j: number): number {
  const d = M.cols;
  const a = M.data;
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = a[i * d + c] - a[j * d + c];
    s += t * t;
  }
  return Math.sqrt(s);
}
