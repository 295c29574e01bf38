/**
 * Covariance: the classic baseline M = Σ⁻¹, the inverse covariance of the training data
 * (Mahalanobis, "On the generalised distance in statistics", 1936; metric-learn's Covariance).
 * It whitens the data and ignores labels. A singular Σ (constant or collinear columns, as on
 * digits) is handled with the pseudo-inverse: directions without variance get weight 0
 * instead of making the fit fail.
 */
import { Matrix, describeValue, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { MahalanobisLearner, checkX, checkLabelArray, type BaseLearnerOptions } from './base.js';

export interface CovarianceOptions extends BaseLearnerOptions {
  /** Eigenvalues below tol × the largest count as zero (pseudo-inverse). Default 1e-10. */
  tol?: number;
}

export class Covariance extends MahalanobisLearner<CovarianceOptions> {
  readonly algorithm = 'covariance';

  constructor(options: CovarianceOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    return { tol: this.options.tol ?? 1e-10 };
  }

  /** y is accepted (and ignored) so every learner has the same fit signature. */
  fit(X: Matrix<FloatArray> | number[][], y?: ArrayLike<number | string>): this {
    // tol first: one of 1 or more keeps no eigenvalue, which would read as constant data.
    const tol = this.options.tol ?? 1e-10;
    if (typeof tol !== 'number' || !(tol >= 0 && tol < 1)) throw new RangeError(`covariance: tol must be a number in [0, 1) (eigenvalues below tol × the largest are dropped), got ${describeValue(tol)}`);
    const x = checkX(X, 'covariance');
    if (x.rows < 2) throw new RangeError(`covariance: X needs at least 2 rows, got ${x.rows}`);
    if (y !== undefined && y !== null) checkLabelArray(y, x.rows, 'covariance');
    this.setFitted(whiteningComponents(x, tol));
    return this;
  }
}

/** L = Λ^{-1/2} Vᵀ over the nonzero spectrum of the sample covariance, so LᵀL = Σ⁺. */
export function whiteningComponents(X: Matrix<Float64Array>, tol: number): Matrix<Float64Array> {
  const n = X.rows, d = X.cols;
  const be = getBackend();
  const Xc = new Float64Array(n * d);
  be.centreColumns(X.data, n, d, Xc);
  if (n < d) {
    // Fewer rows than features: the covariance's eigenpairs from the thin SVD of the centred
    // rows (λ = s² / (n − 1), v = the right singular vectors), n² d work instead of d³.
    const { s, vt } = be.svd(Xc, n, d);
    const top = s[0] * s[0];
    const keep: number[] = [];
    for (let j = 0; j < s.length; j++) if (s[j] * s[j] > tol * top && s[j] > 0) keep.push(j);
    if (keep.length === 0) throw new RangeError('the covariance matrix is zero: every feature is constant; nothing to learn from');
    const L = Matrix.zeros(keep.length, d);
    keep.forEach((j, r) => {
      const f = Math.sqrt(n - 1) / s[j];
      for (let c = 0; c < d; c++) L.data[r * d + c] = f * vt[j * d + c];
    });
    return L;
  }
  const C = be.gram(Xc, n, d);
  for (let i = 0; i < C.length; i++) C[i] /= n - 1;
  return inverseSqrtComponents(C, d, tol);
}

/** Rows λ^{-1/2} vᵀ for each eigenpair of the symmetric PSD C with λ > tol·λmax (largest first). */
export function inverseSqrtComponents(C: Float64Array, d: number, tol: number): Matrix<Float64Array> {
  const { values, vectors } = getBackend().eigh(C, d);
  const top = values[d - 1];
  const keep: number[] = [];
  for (let j = d - 1; j >= 0; j--) if (values[j] > tol * top && values[j] > 0) keep.push(j);
  if (keep.length === 0) throw new RangeError('the covariance matrix is zero: every feature is constant; nothing to learn from');
  const L = Matrix.zeros(keep.length, d);
  keep.forEach((j, r) => {
    const s = 1 / Math.sqrt(values[j]);
    for (let c = 0; c < d; c++) L.data[r * d + c] = s * vectors[c * d + j];
  });
  return L;
}
