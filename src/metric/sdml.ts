/**
 * SDML: Sparse Determinant Metric Learning.
 * G.-J. Qi, J. Tang, Z.-J. Zha, T.-S. Chua, H.-J. Zhang, "An efficient sparse metric learning
 * in high-dimensional space via ℓ1-penalized log-determinant regularization", ICML 2009.
 *
 *   min_{M ≻ 0}  tr(M₀⁻¹ M) − log det M + η tr(K M) + ρ ‖M‖₁,off,
 *   K = (1/|P|) Σ_{pairs} y_p (x_a − x_b)(x_a − x_b)ᵀ   (y = +1 similar, −1 dissimilar),
 * i.e. a graphical lasso with "empirical covariance" S = M₀⁻¹ + η K, whose sparse precision
 * is the metric. Solved by the graphical lasso block coordinate descent (glasso.ts).
 *
 * Robustness (metric-learn's SDML fails with its defaults on iris, wine and digits because S
 * is indefinite, so the problem is unbounded and its graphical lasso diverges):
 * - K is averaged over the pairs instead of summed, so η means the same for any number of
 *   pairs (deviation from the paper's sum; with a sum, η must shrink with the pair count);
 * - PSD guard on S: when its smallest eigenvalue is below `minEigen` (default 0.2) times its
 *   largest, c·I is added to S to bring it up to that floor. This adds isotropic mass to the
 *   prior term; for M₀ = I it equals using η/(1 + c) with the metric scaled by 1/(1 + c)
 *   (a scale no distance ranking sees, up to ρ's relative weight). It keeps the problem
 *   bounded and the metric's condition number ≤ 1/minEigen; the default was chosen on iris,
 *   wine and digits (0.1 to 0.5 all beat metric-learn's tuned runs; 0.02 does not on digits).
 *   The fit's warnings report the shift;
 * - a final PSD guard: a precision with a non-positive eigenvalue (only possible through
 *   round-off) is clamped to the floor.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';
import { tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import { PairLearner } from './weakly-supervised.js';
import { pairsFromLabels, metricComponents } from './supervised-tuples.js';
import { priorMatrix, priorParam, type PriorOption } from './prior.js';
import { centredPoints, indexedPairs } from './indexed-pairs.js';
import { pairScatter } from './scatter.js';
import { eigh, inverseSpd, projectPsd } from '../linalg/index.js';
import { graphicalLasso } from './glasso.js';
import { checkPositive, checkInt } from './init.js';

export interface SdmlOptions extends BaseLearnerOptions {
  /** η: weight of the pair term against the prior. Default 0.5. */
  balanceParam?: number;
  /** ρ: ℓ1 penalty on the off-diagonal of M. Default 0.01. */
  sparsityParam?: number;
  /** Prior metric M₀. Default 'identity'. */
  prior?: PriorOption;
  /** PSD guard: the least eigenvalue of S relative to its largest. Default 0.2. */
  minEigen?: number;
  /** Graphical lasso sweeps. Default 100. */
  maxIter?: number;
  /** Graphical lasso tolerance (mean change of W relative to S's off-diagonal). Default 1e-4. */
  tol?: number;
}

export interface SdmlResult {
  M: Float64Array;
  nIter: number;
  converged: boolean;
  warnings: string[];
}

export function sdmlSolve(t: Tuples, y: Int8Array, options: SdmlOptions, rng: Random): SdmlResult {
  const eta = checkPositive(options.balanceParam ?? 0.5, 'balanceParam', 'sdml', true);
  const rho = checkPositive(options.sparsityParam ?? 0.01, 'sparsityParam', 'sdml', true);
  const floor = checkPositive(options.minEigen ?? 0.2, 'minEigen', 'sdml');
  if (floor >= 1) throw new RangeError(`sdml: minEigen must be below 1, got ${floor}`);
  const maxIter = checkInt(options.maxIter ?? 100, 'maxIter', 'sdml');
  const tol = checkPositive(options.tol ?? 1e-4, 'tol', 'sdml');
  const d = t.points.cols;
  const n = tupleCount(t);
  if (n === 0) throw new RangeError('sdml: no pairs given');
  const M0 = priorMatrix(options.prior ?? 'identity', t.points.data, t.points.rows, d, rng, 'sdml');
  const S = inverseSpd(new Matrix(d, d, M0)).data;
  const N = t.points.rows;
  const pairs = indexedPairs(centredPoints(t.points.data, N, d), N, d, t.indices, 2, 0, 1);
  const w = new Float64Array(n);
  for (let p = 0; p < n; p++) w[p] = (eta * y[p]) / n;
  const K = pairScatter(new Matrix(N, d, pairs.X), pairs.first, pairs.second, w);
  for (let i = 0; i < d * d; i++) S[i] += K[i];
  const warnings: string[] = [];
  const { min, max } = eigenRange(S, d);
  if (!(max > 0)) throw new RangeError('sdml: the pair term cancels the prior entirely (S has no positive eigenvalue); lower balanceParam');
  const target = floor * max;
  if (min < target) {
    // Solve (min + c) = floor (max + c) for the shift c.
    const c = (target - min) / (1 - floor);
    for (let i = 0; i < d; i++) S[i * d + i] += c;
    // The floor is relative: say so with its value, so that the numbers agree on their face.
    const p3 = (v: number) => v.toPrecision(3);
    warnings.push(`sdml: the pair term made the graphical lasso input ${min <= 0 ? 'indefinite' : 'ill-conditioned'}: its eigenvalues run ${p3(min)} .. ${p3(max)}, the smallest below minEigen × the largest = ${floor} × ${p3(max)} = ${p3(target)}; added ${p3(c)}·I (PSD guard), which moves them to ${p3(min + c)} .. ${p3(max + c)}, the smallest now minEigen × the largest; to shift less, lower minEigen or balanceParam`);
  }
  const g = graphicalLasso(S, d, rho, { maxIter, tol });
  let M = g.precision;
  const check = eigenRange(M, d);
  if (!(check.min > 0)) M = projectPsd(new Matrix(d, d, M), 1e-10 * Math.max(check.max, 1e-300)).data;
  return { M, nIter: g.nIter, converged: g.converged, warnings };
}

/** Extreme eigenvalues of A, symmetric by construction (a sum of symmetric terms, or glasso's precision). */
function eigenRange(A: Float64Array, d: number): { min: number; max: number } {
  const { values } = eigh(new Matrix(d, d, A), { assumeSymmetric: true });
  return { min: values[0], max: values[d - 1] };
}

function paramsOf(o: SdmlOptions): Record<string, unknown> {
  return { balanceParam: o.balanceParam ?? 0.5, sparsityParam: o.sparsityParam ?? 0.01, prior: priorParam(o.prior), minEigen: o.minEigen ?? 0.2, maxIter: o.maxIter ?? 100, tol: o.tol ?? 1e-4, seed: o.seed ?? 0 };
}

/** SDML from pairs labelled +1 (similar) / −1 (dissimilar). */
export class SDML extends PairLearner<SdmlOptions> {
  readonly algorithm = 'sdml-pairs';

  constructor(options: SdmlOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    return paramsOf(this.options);
  }

  fit(pairs: TuplesInput, y: ArrayLike<number | boolean>): this {
    return this.fitPairs(pairs, y, (t, labels) => sdmlSolve(t, labels, this.options, toRandom(this.options.seed)));
  }
}

export interface SdmlSupervisedOptions extends SdmlOptions {
  /** Positive and negative pairs drawn from the labels (each). Default 20 · nClasses². */
  numConstraints?: number;
}

/**
 * SDML with pairs generated from class labels (metric-learn's SDML_Supervised). Rows labelled null, undefined or NaN are unlabelled: they take
 * part in no generated constraint (-1 is a class; see supervised-tuples.ts). Labels are compared by their text.
 */
export class SDMLSupervised extends MahalanobisLearner<SdmlSupervisedOptions> {
  readonly algorithm = 'sdml';

  constructor(options: SdmlSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    return { ...paramsOf(this.options), numConstraints: this.options.numConstraints ?? null };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>): this {
    const { tuples: t, labels, rng } = pairsFromLabels(X, y, this.algorithm, this.options);
    const r = sdmlSolve(t, labels, this.options, rng);
    this.setFitted(metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged, warnings: r.warnings });
    return this;
  }
}
