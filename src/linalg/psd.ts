/**
 * Functions of symmetric matrices through their eigendecomposition: projection onto the
 * PSD cone (Higham, "Computing a nearest symmetric positive semidefinite matrix", 1988:
 * symmetrise, then clip negative eigenvalues), square roots, inverse square roots and the
 * pseudo-inverse.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { LinAlgError } from '../backend/index.js';
import { eigh, svd } from './decompose.js';
import { assertMatrix, assertSquare } from './checks.js';

const EPS = 2.220446049250313e-16;

/** (M + Mᵀ) / 2 as float64. */
export function symmetrize(M: Matrix<FloatArray>): Matrix<Float64Array> {
  assertSquare(M, 'M', 'symmetrize');
  const n = M.rows;
  const a = M.data;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i];
    for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  return new Matrix(n, n, out);
}

/** V diag(f(λ)) Vᵀ for a symmetric M = V diag(λ) Vᵀ. */
export function applyEigenFunction(values: Float64Array, vectors: Matrix<Float64Array>, f: (lambda: number, index: number) => number): Matrix<Float64Array> {
  const n = values.length;
  const V = vectors.data;
  const fl = new Float64Array(n);
  for (let j = 0; j < n; j++) fl[j] = f(values[j], j);
  const out = new Float64Array(n * n);
  const tmp = new Float64Array(n);
  // Σ_j f(λ_j) v_j v_jᵀ, accumulated row by row: out[i,:] = Σ_j V[i,j] f_j V[:,j]ᵀ
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) tmp[j] = V[i * n + j] * fl[j];
    for (let k = 0; k <= i; k++) {
      let s = 0;
      const rk = k * n;
      for (let j = 0; j < n; j++) s += tmp[j] * V[rk + j];
      out[i * n + k] = s;
      out[k * n + i] = s;
    }
  }
  return new Matrix(n, n, out);
}

/**
 * The nearest (Frobenius) symmetric matrix with every eigenvalue >= minEigenvalue:
 * symmetrise, then clip the eigenvalues. minEigenvalue = 0 gives the PSD projection.
 */
export function projectPsd(M: Matrix<FloatArray>, minEigenvalue = 0): Matrix<Float64Array> {
  if (!Number.isFinite(minEigenvalue)) throw new RangeError(`projectPsd: minEigenvalue must be finite, got ${minEigenvalue}`);
  const S = symmetrize(M);
  const { values, vectors } = eigh(S, { assumeSymmetric: true });
  if (values.length === 0 || values[0] >= minEigenvalue) return S;
  return applyEigenFunction(values, vectors, (l) => Math.max(l, minEigenvalue));
}

export interface SpdRootOptions {
  /** Added to the diagonal before the decomposition (a ridge, for singular input). */
  ridge?: number;
  /**
   * Eigenvalues below this (absolute) are raised to it. Default for sqrtmSpd: 0 (tiny negative
   * rounding is clipped); for invSqrtmSpd: none, so a singular input is an error.
   */
  floor?: number;
}

function spdEigen(M: Matrix<FloatArray>, fn: string, options: SpdRootOptions) {
  assertSquare(M, 'M', fn);
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new RangeError(`${fn}: ridge must be a non-negative number, got ${options.ridge}`);
  if (options.floor !== undefined && !(options.floor >= 0 && Number.isFinite(options.floor))) throw new RangeError(`${fn}: floor must be a non-negative number, got ${options.floor}`);
  const S = symmetrize(M);
  if (ridge > 0) for (let i = 0; i < S.rows; i++) S.data[i * S.rows + i] += ridge;
  const e = eigh(S, { assumeSymmetric: true });
  const n = e.values.length;
  const top = n > 0 ? Math.max(Math.abs(e.values[0]), Math.abs(e.values[n - 1])) : 0;
  // Rounding makes the eigenvalues of a PSD matrix negative by up to ~n eps ‖M‖.
  const tol = 10 * Math.max(n, 1) * EPS * top;
  if (n > 0 && e.values[0] < -tol) {
    throw new LinAlgError(`${fn}: M is not positive semidefinite (smallest eigenvalue ${e.values[0].toExponential(3)}); project it first with projectPsd(M) or add a ridge`);
  }
  return { ...e, tol };
}

/** The symmetric PSD square root M^{1/2} (M symmetric PSD). */
export function sqrtmSpd(M: Matrix<FloatArray>, options: SpdRootOptions = {}): Matrix<Float64Array> {
  const { values, vectors } = spdEigen(M, 'sqrtmSpd', options);
  const floor = options.floor ?? 0;
  return applyEigenFunction(values, vectors, (l) => Math.sqrt(Math.max(l, floor)));
}

/**
 * M^{-1/2} for a symmetric positive definite M. A singular (or numerically singular) M is an
 * error unless `ridge` or `floor` says how to regularise it.
 */
export function invSqrtmSpd(M: Matrix<FloatArray>, options: SpdRootOptions = {}): Matrix<Float64Array> {
  const { values, vectors, tol } = spdEigen(M, 'invSqrtmSpd', options);
  const floor = options.floor ?? 0;
  if (values.length > 0 && Math.max(values[0], floor) <= tol) {
    throw new LinAlgError(`invSqrtmSpd: M is singular or nearly so (smallest eigenvalue ${values[0].toExponential(3)}, largest ${values[values.length - 1].toExponential(3)}); pass { ridge: 1e-6 } (adds ridge·I) or { floor: 1e-8 } (raises small eigenvalues)`);
  }
  return applyEigenFunction(values, vectors, (l) => 1 / Math.sqrt(Math.max(l, floor)));
}

/**
 * Moore-Penrose pseudo-inverse A⁺ (n x m for an m x n A) via the SVD; singular values at or
 * below rcond · σ_max count as zero (default rcond = max(m, n) · eps, as numpy.linalg.pinv).
 */
export function pseudoInverse(A: Matrix<FloatArray>, rcond?: number): Matrix<Float64Array> {
  assertMatrix(A, 'A', 'pseudoInverse');
  const { rows: m, cols: n } = A;
  const cutoffRel = rcond ?? Math.max(m, n) * EPS;
  if (!(cutoffRel >= 0)) throw new RangeError(`pseudoInverse: rcond must be non-negative, got ${rcond}`);
  const { U, s, Vt } = svd(A);
  const r = s.length;
  const cutoff = r > 0 ? cutoffRel * s[0] : 0;
  // A⁺ = V diag(1/σ) Uᵀ: out[j, i] = Σ_t Vt[t, j] / σ_t U[i, t]
  const out = new Float64Array(n * m);
  for (let t = 0; t < r; t++) {
    if (!(s[t] > cutoff)) continue;
    const inv = 1 / s[t];
    for (let j = 0; j < n; j++) {
      const v = Vt.data[t * n + j] * inv;
      if (v === 0) continue;
      const row = j * m;
      for (let i = 0; i < m; i++) out[row + i] += v * U.data[i * r + t];
    }
  }
  return new Matrix(n, m, out);
}

/** True when the symmetric matrix has no eigenvalue below -tol · max|λ| (default tol 1e-10). */
export function isPsd(M: Matrix<FloatArray>, tol = 1e-10): boolean {
  const { values } = eigh(symmetrize(M), { assumeSymmetric: true });
  if (values.length === 0) return true;
  const top = Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
  return values[0] >= -tol * top;
}
