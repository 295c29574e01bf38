/** Linear systems, inverses and log-determinants over the active backend (float64). */
import { Matrix, ShapeError, type FloatArray } from '../matrix.js';
import { getBackend, LinAlgError } from '../backend/index.js';
import { lu } from '../backend/js-decompositions.js';
import { assertFiniteInput, assertSquare } from './checks.js';
import { cholesky } from './decompose.js';

type Rhs = Matrix<FloatArray> | ArrayLike<number>;

function rhsOf(A: Matrix<FloatArray>, B: Rhs, fn: string): { data: Float64Array; nrhs: number; vector: boolean } {
  assertFiniteInput(A, 'A', fn);
  if (B instanceof Matrix) {
    assertFiniteInput(B, 'B', fn);
    if (B.rows !== A.rows) throw new ShapeError(`${fn}: B has ${B.rows} rows but A is ${A.rows} x ${A.cols}`);
    return { data: B.toFloat64().data, nrhs: B.cols, vector: false };
  }
  if (B.length !== A.rows) throw new ShapeError(`${fn}: b has ${B.length} values but A is ${A.rows} x ${A.cols}`);
  const data = Float64Array.from(B);
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`${fn}: b[${bad}] is ${data[bad]}; remove or impute non-finite values`);
  return { data, nrhs: 1, vector: true };
}

/** Solves A X = B for a general square A (LU with partial pivoting). A vector b gives a vector. */
export function solve(A: Matrix<FloatArray>, B: Matrix<FloatArray>): Matrix<Float64Array>;
export function solve(A: Matrix<FloatArray>, b: ArrayLike<number>): Float64Array;
export function solve(A: Matrix<FloatArray>, B: Rhs): Matrix<Float64Array> | Float64Array {
  assertSquare(A, 'A', 'solve');
  const { data, nrhs, vector } = rhsOf(A, B, 'solve');
  const x = getBackend().solve(A.toFloat64().data, A.rows, data, nrhs);
  return vector ? x : new Matrix(A.rows, nrhs, x);
}

/** Solves A X = B for a symmetric positive definite A (Cholesky). */
export function solveSpd(A: Matrix<FloatArray>, B: Matrix<FloatArray>): Matrix<Float64Array>;
export function solveSpd(A: Matrix<FloatArray>, b: ArrayLike<number>): Float64Array;
export function solveSpd(A: Matrix<FloatArray>, B: Rhs): Matrix<Float64Array> | Float64Array {
  assertSquare(A, 'A', 'solveSpd');
  const { data, nrhs, vector } = rhsOf(A, B, 'solveSpd');
  const x = getBackend().solveSpd(A.toFloat64().data, A.rows, data, nrhs);
  return vector ? x : new Matrix(A.rows, nrhs, x);
}

/** Inverse of a general square matrix (prefer solve() when a product with the inverse is all you need). */
export function inverse(A: Matrix<FloatArray>): Matrix<Float64Array> {
  assertSquare(A, 'A', 'inverse');
  assertFiniteInput(A, 'A', 'inverse');
  return new Matrix(A.rows, A.rows, getBackend().inverse(A.toFloat64().data, A.rows));
}

/** Inverse of a symmetric positive definite matrix (Cholesky solves; the result is exactly symmetric). */
export function inverseSpd(A: Matrix<FloatArray>): Matrix<Float64Array> {
  assertSquare(A, 'A', 'inverseSpd');
  assertFiniteInput(A, 'A', 'inverseSpd');
  const n = A.rows;
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  const X = getBackend().solveSpd(A.toFloat64().data, n, I, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) X[i * n + j] = X[j * n + i] = 0.5 * (X[i * n + j] + X[j * n + i]);
  return new Matrix(n, n, X);
}

/** log det of a symmetric positive definite matrix, 2 Σ log L_ii (throws when not PD). */
export function logDetSpd(A: Matrix<FloatArray>): number {
  const L = cholesky(A);
  const n = L.rows;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L.data[i * n + i]);
  return 2 * s;
}

/** Alias of logDetSpd: the log-determinant most learners need (covariances, metrics). */
export const logDet = logDetSpd;

/**
 * Sign and log |det| of a general square matrix from its LU factors (as numpy.linalg.slogdet);
 * a singular matrix gives { sign: 0, logAbsDet: -Infinity } rather than an error.
 */
export function slogdet(A: Matrix<FloatArray>): { sign: number; logAbsDet: number } {
  assertSquare(A, 'A', 'slogdet');
  const n = A.rows;
  if (n === 0) return { sign: 1, logAbsDet: 0 };
  let f;
  try {
    f = lu(A.toFloat64().data, n, 'slogdet');
  } catch (err) {
    if (err instanceof LinAlgError && /singular/.test(err.message)) return { sign: 0, logAbsDet: -Infinity };
    throw err;
  }
  let sign = 1;
  let log = 0;
  for (let i = 0; i < n; i++) {
    const d = f.LU[i * n + i];
    if (d < 0) sign = -sign;
    if (f.piv[i] !== i) sign = -sign;
    log += Math.log(Math.abs(d));
  }
  return { sign, logAbsDet: log };
}
