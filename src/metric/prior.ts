/**
 * The prior metric M₀ of ITML, LSML and SDML (metric-learn's `prior` parameter): the matrix
 * the learned metric is regularised towards (and, for ITML and LSML, starts from).
 */
import { Matrix } from '../matrix.js';
import { applyEigenFunction, covariance, eigh, gram, symmetrize } from '../linalg/index.js';

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
    const { values, vectors } = eigh(covariance(new Matrix(n, d, points)), { assumeSymmetric: true });
    const max = values[d - 1];
    if (!(max > 0)) throw new RangeError(`${algorithm}: prior "covariance": the points have zero variance`);
    return applyEigenFunction(values, vectors, (l) => 1 / Math.max(l, 1e-10 * max)).data;
  }
  if (prior === 'random') {
    const R = new Float64Array(d * d);
    for (let i = 0; i < R.length; i++) R[i] = rng.normal();
    const A = gram(new Matrix(d, d, R)).data;
    for (let i = 0; i < A.length; i++) A[i] /= d;
    for (let i = 0; i < d; i++) A[i * d + i] += 1 / d;
    return symmetrize(new Matrix(d, d, A)).data;
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
  // Symmetry was checked above with the prior's own tolerance.
  if (eigh(new Matrix(d, d, M), { assumeSymmetric: true }).values[0] <= 0) throw new RangeError(`${algorithm}: prior must be positive definite (its smallest eigenvalue is ≤ 0)`);
  return M;
}

/** How a prior is reported in a learner's params: its name, or 'matrix' for a given matrix. */
export function priorParam(prior: PriorOption | undefined): string {
  return typeof prior === 'string' || prior === undefined ? (prior ?? 'identity') : 'matrix';
}
