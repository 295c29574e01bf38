/** Matrix products over the active backend's GEMM. */
import { Matrix, ShapeError, allocate, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { assertMatrix } from './checks.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * op(A) op(B), where op transposes when asked. The result has the inputs' dtype; mixing
 * float32 and float64 promotes to float64 (precision is never silently dropped).
 */
export function matmul<T extends FloatArray>(A: Matrix<T>, B: Matrix<T>, options?: MatmulOptions): Matrix<T>;
export function matmul(A: Matrix<FloatArray>, B: Matrix<FloatArray>, options?: MatmulOptions): Matrix<FloatArray>;
export function matmul(A: Matrix<FloatArray>, B: Matrix<FloatArray>, options: MatmulOptions = {}): Matrix<FloatArray> {
  assertMatrix(A, 'A', 'matmul');
  assertMatrix(B, 'B', 'matmul');
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (A.dtype !== B.dtype) {
    A = A.toFloat64();
    B = B.toFloat64();
  }
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kb = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (k !== kb) {
    throw new ShapeError(`matmul: inner dimensions differ: ${transA ? 'Aᵀ' : 'A'} is ${m} x ${k} but ${transB ? 'Bᵀ' : 'B'} is ${kb} x ${n}`);
  }
  const c = allocate(A.dtype, m * n);
  if (m > 0 && n > 0) getBackend().gemm(transA, transB, m, n, k, 1, A.data, A.cols, B.data, B.cols, 0, c, n);
  return new Matrix(m, n, c);
}

/** y = A x (or Aᵀ x with trans) for a vector x. */
export function matvec(A: Matrix<FloatArray>, x: ArrayLike<number>, trans = false): Float64Array {
  assertMatrix(A, 'A', 'matvec');
  const want = trans ? A.rows : A.cols;
  if (x.length !== want) throw new ShapeError(`matvec: x has ${x.length} values but ${trans ? 'Aᵀ' : 'A'} needs ${want}`);
  const a = A.toFloat64();
  const y = new Float64Array(trans ? A.cols : A.rows);
  const xv = x instanceof Float64Array ? x : Float64Array.from(x);
  if (A.rows > 0 && A.cols > 0) getBackend().gemv(trans, A.rows, A.cols, 1, a.data, A.cols, xv, 0, y);
  return y;
}

/** The d x d Gram matrix XᵀX of an n x d X (symmetric; SYRK on the native backend). */
export function gram<T extends FloatArray>(X: Matrix<T>): Matrix<T> {
  assertMatrix(X, 'X', 'gram');
  return new Matrix(X.cols, X.cols, getBackend().gram(X.data, X.rows, X.cols));
}
