/** Shape checks shared by the linalg wrappers; messages name the argument and the fix. */
import { Matrix, ShapeError, assertFinite, type FloatArray } from '../matrix.js';

export function assertMatrix(m: unknown, name: string, fn: string): asserts m is Matrix<FloatArray> {
  if (!(m instanceof Matrix)) throw new TypeError(`${fn}: ${name} must be a Matrix (wrap nested arrays with asMatrix)`);
}

export function assertSquare(m: Matrix<FloatArray>, name: string, fn: string): void {
  assertMatrix(m, name, fn);
  if (m.rows !== m.cols) throw new ShapeError(`${fn}: ${name} must be square, got ${m.rows} x ${m.cols}`);
}

/**
 * Refuses a matrix whose triangles differ beyond rounding, relative to its largest entry
 * (1e-6 by default: loose enough for matrices computed in float32, tight enough to catch a
 * non-symmetric matrix passed by mistake).
 */
export function assertSymmetric(m: Matrix<FloatArray>, name: string, fn: string, tol = 1e-6): void {
  assertSquare(m, name, fn);
  const n = m.rows;
  const a = m.data;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  const limit = tol * Math.max(scale, Number.MIN_VALUE);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(a[i * n + j] - a[j * n + i]);
      if (d > limit) {
        throw new ShapeError(`${fn}: ${name} is not symmetric (entries [${i},${j}] and [${j},${i}] differ by ${d.toExponential(3)}); symmetrise it with symmetrize(M) = (M + Mᵀ)/2 or pass { assumeSymmetric: true } to read the lower triangle only`);
      }
    }
  }
}

/** The matrix as float64 (a view when it already is). */
export function f64(m: Matrix<FloatArray>): Matrix<Float64Array> {
  return m.toFloat64();
}

/**
 * Non-finite input makes LAPACK return garbage silently, so the wrappers refuse it up front
 * (O(n²) against the O(n³) decomposition) and both backends fail the same way.
 */
export function assertFiniteInput(m: Matrix<FloatArray>, name: string, fn: string): void {
  assertFinite(m, `${fn}: ${name}`);
}
