/**
 * Covariance: the classic baseline M = Σ⁻¹, the inverse covariance of the training data
 * (Mahalanobis, "On the generalised distance in statistics", 1936; metric-learn's Covariance).
 * It whitens the data and ignores labels. A singular Σ (constant or collinear columns, as on
 * digits, or fewer rows than features) is handled with the pseudo-inverse, as metric-learn's
 * pinvh: directions without variance get weight 0 instead of making the fit fail. The fit's
 * warnings say so, with the rank and why it falls short of the feature count.
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
    const L = whiteningComponents(x, tol);
    const warning = rankWarning(x, L.rows, tol);
    this.setFitted(L, { warnings: warning ? [warning] : [] });
    return this;
  }
}

/**
 * The message for a covariance of rank r below the feature count d: which of the causes apply
 * (n rows span at most n − 1 directions once centred; each constant column removes one; what
 * neither accounts for is collinear columns or variance under tol × the largest), and what
 * gives a full-rank covariance. null at full rank.
 */
function rankWarning(X: Matrix<Float64Array>, r: number, tol: number): string | null {
  const n = X.rows, d = X.cols;
  if (r >= d) return null;
  let constant = 0;
  for (let c = 0; c < d; c++) {
    const v = X.data[c];
    let same = true;
    for (let i = 1; i < n && same; i++) same = X.data[i * d + c] === v;
    if (same) constant++;
  }
  const causes: string[] = [];
  if (n - 1 < d) causes.push(`${n} rows, which once centred span at most ${n - 1} directions`);
  if (constant > 0) causes.push(`${constant} constant column${constant > 1 ? 's' : ''}`);
  const bound = Math.min(n - 1, d - constant);
  if (r < bound) causes.push(`${causes.length ? `${bound - r} more` : `${bound - r}`} from columns that are (nearly) linear combinations of others, with variance at most tol × the largest, tol = ${tol}`);
  // Reducing to r features always gives a full rank; more rows and dropping the constant
  // columns do only when those two account for the whole shortfall.
  const other: string[] = [];
  if (r === bound) {
    if (n - 1 < d) other.push('use more rows than features');
    if (constant > 0) other.push(`drop the constant column${constant > 1 ? 's' : ''}`);
  }
  const none = d - r;
  const them = none > 1 ? 'them' : 'it';
  return `covariance: the training covariance has rank ${r} of ${d} features: ${none} direction${none > 1 ? 's have' : ' has'} no variance (${causes.join('; ')}); the pseudo-inverse (as metric-learn's pinvh) gives ${them} zero weight, so differences along ${them} do not count in the distance; for a full-rank metric, reduce the features to ${r} (e.g. PCA with nComponents ${r})${other.length ? `, or ${other.join(' and ')}` : ''}`;
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
