/**
 * Neighbourhood Components Analysis: Goldberger, Roweis, Hinton & Salakhutdinov,
 * "Neighbourhood Components Analysis", NIPS 2004.
 *
 * Maximises the expected leave-one-out accuracy of a stochastic nearest-neighbour rule,
 *   f(L) = Σ_i p_i,  p_i = Σ_{j: y_j = y_i} p_ij,  p_ij = softmax_{j≠i}(−‖L x_i − L x_j‖²),
 * with L-BFGS (as metric-learn and scikit-learn do). The paper's gradient
 *   ∂f/∂L = 2 L Σ_ij (p_i p_ij − [y_i = y_j] p_ij) (x_i − x_j)(x_i − x_j)ᵀ
 * is evaluated as a graph Laplacian product Xᵀ(D − W − Wᵀ)X (see scatter.ts), so it costs
 * one n x n x k GEMM for the distances plus an O(nnz·d) pass, not n² outer products.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, checkInt, checkPositive, type InitOption } from './init.js';
import { denseScatter, leftMultiply, project, selfSqDistances } from './scatter.js';
import { minimizeLbfgs } from './optim/lbfgs.js';

export interface NcaOptions extends BaseLearnerOptions {
  /** Output dimension (rows of L); default = number of features. */
  nComponents?: number;
  /** Initial L: 'auto' (identity, or PCA when reducing), 'identity', 'pca', 'random' or a matrix. */
  init?: InitOption;
  /** L-BFGS iterations (metric-learn: 100). */
  maxIter?: number;
  /** Gradient tolerance (max |∂f/∂L|). */
  tol?: number;
}

/** Softmax weights below exp(−60) relative to the row maximum are exactly negligible in double. */
const CUTOFF = 60;

/**
 * The negated NCA objective −Σ p_i and its gradient with respect to L (k x d, row-major).
 * Exported for the finite-difference test.
 */
export function ncaLossGrad(X: Matrix<Float64Array>, y: Int32Array, L: Float64Array, k: number, grad: Float64Array): number {
  const n = X.rows, d = X.cols;
  const Z = project(X, L, k);
  const D = selfSqDistances(Z, n, k);
  const W = new Float64Array(n * n);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let dmin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i && D[row + j] < dmin) dmin = D[row + j];
    let s = 0, same = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const t = D[row + j] - dmin;
      if (t > CUTOFF) continue;
      const e = Math.exp(-t);
      W[row + j] = e;
      s += e;
      if (y[j] === y[i]) same += e;
    }
    const pi = same / s;
    f += pi;
    // W_ij = p_ij ([y_i = y_j] − p_i): the weight of (x_i − x_j)(x_i − x_j)ᵀ in ∂(−f)/∂M.
    for (let j = 0; j < n; j++) {
      const e = W[row + j];
      if (e === 0) continue;
      const pij = e / s;
      W[row + j] = pij * ((y[j] === y[i] ? 1 : 0) - pi);
    }
  }
  const G = denseScatter(X, W);
  grad.set(leftMultiply(L, k, d, G, 2));
  return -f;
}

export class NCA extends MahalanobisLearner<NcaOptions> {
  readonly algorithm = 'nca';

  constructor(options: NcaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, init: typeof o.init === 'string' || o.init === undefined ? (o.init ?? 'auto') : 'matrix', maxIter: o.maxIter ?? 100, tol: o.tol ?? 1e-5, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'nca');
    const x = data.X;
    const k = resolveNComponents(this.options.nComponents, x.cols, 'nca');
    const maxIter = checkInt(this.options.maxIter ?? 100, 'maxIter', 'nca');
    const tol = checkPositive(this.options.tol ?? 1e-5, 'tol', 'nca', true);
    if (x.rows < 2) throw new RangeError('nca: needs at least 2 samples');
    const L0 = initComponents(x, k, this.options.init ?? 'auto', toRandom(this.options.seed ?? 0), 'nca');
    const res = minimizeLbfgs((L, g) => ncaLossGrad(x, data.y, L, k, g), L0, {
      maxIter, gtol: tol,
      onIter: (iteration, objective) => this.progress({ iteration, maxIter, objective }),
    });
    return this.setFitted(new Matrix(k, x.cols, res.x), { nIter: res.nIter, converged: res.converged });
  }
}
