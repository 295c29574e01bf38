/**
 * Small dense symmetric-matrix helpers the weakly supervised learners share (PSD projection,
 * log-determinant, inverse of an SPD matrix, outer-product sums). All n x n row-major float64.
 * Decompositions go through the backend.
 */
import { getBackend } from '../backend/index.js';

/** Makes A exactly symmetric in place: (A + Aᵀ)/2. */
export function symmetrizeInPlace(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (A[i * n + j] + A[j * n + i]);
    A[i * n + j] = v;
    A[j * n + i] = v;
  }
}

/** V diag(f(λ)) Vᵀ for the eigendecomposition of symmetric A. */
export function spectralMap(A: Float64Array, n: number, f: (lambda: number) => number): Float64Array {
  const { values, vectors } = getBackend().eigh(A, n);
  const out = new Float64Array(n * n);
  const w = new Float64Array(n);
  for (let j = 0; j < n; j++) w[j] = f(values[j]);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[i * n + j] * w[j] * vectors[k * n + j];
      out[i * n + k] = s;
      out[k * n + i] = s;
    }
  }
  return out;
}

/** Nearest PSD matrix in Frobenius norm with eigenvalues ≥ floor (clamps the spectrum). */
export function projectPsd(A: Float64Array, n: number, floor = 0): Float64Array {
  return spectralMap(A, n, (l) => (l > floor ? l : floor));
}

/** Smallest and largest eigenvalue of symmetric A. */
export function eigRange(A: Float64Array, n: number): { min: number; max: number } {
  const { values } = getBackend().eigh(A, n);
  return { min: values[0], max: values[n - 1] };
}

/** log det A for SPD A (Cholesky); +NaN-free: returns −Infinity when A is not positive definite. */
export function logDetSpd(A: Float64Array, n: number): number {
  let L: Float64Array;
  try {
    L = getBackend().cholesky(A, n);
  } catch {
    return -Infinity;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/** A⁻¹ for SPD A. */
export function inverseSpd(A: Float64Array, n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  const X = getBackend().solveSpd(A, n, I, n);
  symmetrizeInPlace(X, n);
  return X;
}

/** Σ_t w_t v_t v_tᵀ for the rows v_t of V (m x d): Vᵀ diag(w) V through one GEMM. */
export function weightedGram(V: Float64Array, m: number, d: number, w: ArrayLike<number> | null): Float64Array {
  const be = getBackend();
  if (w === null) return be.gram(V, m, d);
  const WV = new Float64Array(m * d);
  for (let t = 0; t < m; t++) {
    const wt = w[t];
    if (wt === 0) continue;
    for (let c = 0; c < d; c++) WV[t * d + c] = wt * V[t * d + c];
  }
  const out = new Float64Array(d * d);
  be.gemm(true, false, d, d, m, 1, V, d, WV, d, 0, out, d);
  symmetrizeInPlace(out, d);
  return out;
}

/** v_tᵀ M v_t for each row of V (m x d): the squared Mahalanobis lengths. */
export function quadForms(V: Float64Array, m: number, d: number, M: Float64Array): Float64Array {
  const VM = new Float64Array(m * d);
  getBackend().gemm(false, false, m, d, d, 1, V, d, M, d, 0, VM, d);
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += VM[t * d + c] * V[t * d + c];
    out[t] = s;
  }
  return out;
}

/** Row differences points[idx[t·arity + i]] − points[idx[t·arity + j]] for every tuple t. */
export function tupleDiffs(points: Float64Array, d: number, indices: Int32Array, arity: number, i: number, j: number): Float64Array {
  const n = indices.length / arity;
  const out = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    const a = indices[t * arity + i] * d, b = indices[t * arity + j] * d;
    for (let c = 0; c < d; c++) out[t * d + c] = points[a + c] - points[b + c];
  }
  return out;
}

/** Percentile (linear interpolation, numpy's default) of an array; does not modify it. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) throw new RangeError('percentile: no values');
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** The prior metric M₀ of ITML, LSML and SDML (metric-learn's `prior` parameter). */
export type PriorOption = 'identity' | 'covariance' | 'random' | Float64Array | number[][];

/**
 * M₀ as an SPD d x d matrix: identity; the inverse covariance of the points (eigenvalues
 * floored at 1e-10 of the largest, so constant columns do not make it singular); a random SPD
 * matrix (R Rᵀ/d + I/d, R Gaussian); or a given SPD matrix.
 */
export function priorMatrix(prior: PriorOption, points: Float64Array, n: number, d: number, rng: { normal(): number }, algorithm: string): Float64Array {
  if (prior === 'identity') {
    const I = new Float64Array(d * d);
    for (let i = 0; i < d; i++) I[i * d + i] = 1;
    return I;
  }
  if (prior === 'covariance') {
    if (n < 2) throw new RangeError(`${algorithm}: prior "covariance" needs at least 2 points`);
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += points[i * d + c] / n;
    const Xc = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) Xc[i * d + c] = points[i * d + c] - mean[c];
    const C = getBackend().gram(Xc, n, d);
    for (let i = 0; i < C.length; i++) C[i] /= n - 1;
    const { max } = eigRange(C, d);
    if (!(max > 0)) throw new RangeError(`${algorithm}: prior "covariance": the points have zero variance`);
    return spectralMap(C, d, (l) => 1 / Math.max(l, 1e-10 * max));
  }
  if (prior === 'random') {
    const R = new Float64Array(d * d);
    for (let i = 0; i < R.length; i++) R[i] = rng.normal();
    const A = getBackend().gram(R, d, d);
    for (let i = 0; i < A.length; i++) A[i] /= d;
    for (let i = 0; i < d; i++) A[i * d + i] += 1 / d;
    symmetrizeInPlace(A, d);
    return A;
  }
  let M: Float64Array;
  if (prior instanceof Float64Array) {
    if (prior.length !== d * d) throw new RangeError(`${algorithm}: prior has ${prior.length} values, expected ${d} x ${d}`);
    M = prior.slice();
  } else if (Array.isArray(prior)) {
    if (prior.length !== d || prior.some((r) => r.length !== d)) throw new RangeError(`${algorithm}: prior must be a ${d} x ${d} matrix`);
    M = Float64Array.from(prior.flat());
  } else throw new RangeError(`${algorithm}: prior must be "identity", "covariance", "random" or a ${d} x ${d} SPD matrix, got ${String(prior)}`);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    if (Math.abs(M[i * d + j] - M[j * d + i]) > 1e-8 * (1 + Math.abs(M[i * d + j]))) throw new RangeError(`${algorithm}: prior is not symmetric at (${i}, ${j})`);
  }
  for (const v of M) if (!Number.isFinite(v)) throw new RangeError(`${algorithm}: prior has non-finite entries`);
  if (eigRange(M, d).min <= 0) throw new RangeError(`${algorithm}: prior must be positive definite (its smallest eigenvalue is ≤ 0)`);
  return M;
}
