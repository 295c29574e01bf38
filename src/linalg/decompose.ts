/** Matrix-level decompositions over the active backend (computed in float64). */
import { Matrix, ShapeError, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { assertFiniteInput, assertMatrix, assertSquare, assertSymmetric } from './checks.js';

export interface EighOptions {
  /** Skip the symmetry check and read only the lower triangle. */
  assumeSymmetric?: boolean;
}

export interface Eigh {
  /** Ascending. */
  values: Float64Array;
  /** Column j is the unit eigenvector of values[j]. */
  vectors: Matrix<Float64Array>;
}

/** Eigendecomposition of a symmetric matrix: M = V diag(values) Vᵀ. */
export function eigh(M: Matrix<FloatArray>, options: EighOptions = {}): Eigh {
  if (options.assumeSymmetric) assertSquare(M, 'M', 'eigh');
  else assertSymmetric(M, 'M', 'eigh');
  assertFiniteInput(M, 'M', 'eigh');
  const n = M.rows;
  const r = getBackend().eigh(M.toFloat64().data, n);
  return { values: r.values, vectors: new Matrix(n, n, r.vectors) };
}

/** Lower Cholesky factor L with M = L Lᵀ (throws LinAlgError when M is not positive definite). */
export function cholesky(M: Matrix<FloatArray>): Matrix<Float64Array> {
  assertSquare(M, 'M', 'cholesky');
  assertFiniteInput(M, 'M', 'cholesky');
  return new Matrix(M.rows, M.rows, getBackend().cholesky(M.toFloat64().data, M.rows));
}

export interface Svd {
  /** m x r with orthonormal columns, r = min(m, n). */
  U: Matrix<Float64Array>;
  /** r singular values, descending. */
  s: Float64Array;
  /** r x n with orthonormal rows. */
  Vt: Matrix<Float64Array>;
}

/** Thin singular value decomposition A = U diag(s) Vt. */
export function svd(A: Matrix<FloatArray>): Svd {
  assertMatrix(A, 'A', 'svd');
  assertFiniteInput(A, 'A', 'svd');
  const { rows: m, cols: n } = A;
  const r = Math.min(m, n);
  const out = getBackend().svd(A.toFloat64().data, m, n);
  if (out.s.length !== r) throw new ShapeError(`svd: backend returned ${out.s.length} singular values, expected ${r}`);
  return { U: new Matrix(m, r, out.u), s: out.s, Vt: new Matrix(r, n, out.vt) };
}
