/**
 * Neighbourhood Components Analysis: Goldberger, Roweis, Hinton & Salakhutdinov,
 * "Neighbourhood Components Analysis", NIPS 2004.
 *
 * Maximises the expected leave-one-out accuracy of a stochastic nearest-neighbour rule,
 *   f(L) = Σ_i p_i,  p_i = Σ_{j: y_j = y_i} p_ij,  p_ij = softmax_{j≠i}(−‖L x_i − L x_j‖²),
 * with L-BFGS (as metric-learn and scikit-learn do). The paper's gradient
 *   ∂f/∂L = 2 L Σ_ij (p_i p_ij − [y_i = y_j] p_ij) (x_i − x_j)(x_i − x_j)ᵀ
 * is evaluated as a graph Laplacian product, ∂(−f)/∂L = 2 Zᵀ (D − W − Wᵀ) X with Z = X Lᵀ
 * (cf. scatter.ts), so one call costs one n x n x k GEMM for the distances (in row blocks,
 * never an n x n buffer), a pass over them, and an O(nnz·d) pass over the kept weights, not
 * n² outer products. Softmax weights below exp(−CUTOFF) of a row's largest are skipped: they
 * are zero to double precision in the row sum, so objective and gradient stay exact. The
 * softmax and Laplacian pass is the backend's `neighbourSoftmaxLaplacian`. With fewer points
 * than features, or rank-deficient data, the minimisation runs within the span of the
 * training rows or of their differences (row-span.ts `descentSpan`): the gradient has no
 * component outside it, so only L's part inside moves.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, checkInt, checkPositive, checkBool, type InitOption } from './init.js';
import { getBackend } from '../backend/index.js';
import { minimizeLbfgs } from './optim/lbfgs.js';
import { saturatedStartWarning } from './saturated-start.js';
import { descentSpan, multiplyByTranspose, fromSpan, leftFactor, fromLeftFactor } from './row-span.js';

export interface NcaOptions extends BaseLearnerOptions {
  /** Output dimension (rows of L); default = number of features. */
  nComponents?: number;
  /** Initial L: 'auto' (identity, or PCA when reducing), 'identity', 'pca', 'random' or a matrix. */
  init?: InitOption;
  /** L-BFGS iterations (metric-learn: 100). */
  maxIter?: number;
  /** Gradient tolerance (max |∂f/∂L|). */
  tol?: number;
  /**
   * With fewer points than features, run L-BFGS within the span of the training rows, and with
   * rank-deficient data (r ≤ 0.9 d) within the span of their differences (default true;
   * row-span.ts `descentSpan`): the same iterates in exact arithmetic, with r columns instead
   * of d, so every product and every L-BFGS vector shrinks.
   */
  rowSpace?: boolean;
}

/** Softmax weights below exp(−40) ≈ 4e-18 of the row maximum vanish when added to the row sum (≥ 1) in double precision. */
const CUTOFF = 40;

/** Buffers reused across objective calls (one fit evaluates the objective ~100 times). */
export interface NcaWorkspace {
  n: number; d: number; k: number;
  Z: Float64Array; SX: Float64Array;
}

export function createNcaWorkspace(n: number, d: number, k: number): NcaWorkspace {
  return { n, d, k, Z: new Float64Array(n * k), SX: new Float64Array(n * d) };
}

/**
 * The negated NCA objective −Σ p_i and its gradient with respect to L (k x d, row-major).
 * Exported for the finite-difference test; `ws` (from createNcaWorkspace) avoids reallocating
 * buffers on every call.
 */
export function ncaLossGrad(X: Matrix<Float64Array>, y: Int32Array, L: Float64Array, k: number, grad: Float64Array, ws?: NcaWorkspace): number {
  const n = X.rows, d = X.cols;
  if (!ws || ws.n !== n || ws.d !== d || ws.k !== k) ws = createNcaWorkspace(n, d, k);
  const be = getBackend();
  const { Z, SX } = ws;
  be.gemm(false, true, n, k, d, 1, X.data, d, L, d, 0, Z, k);
  const f = be.neighbourSoftmaxLaplacian(X.data, Z, n, d, k, y, CUTOFF, SX);
  // ∂(−f)/∂L = 2 L Xᵀ Lap(W) X = 2 Zᵀ (Lap(W) X).
  be.gemm(true, false, k, d, n, 2, Z, k, SX, d, 0, grad, d);
  return -f;
}

export class NCA extends MahalanobisLearner<NcaOptions> {
  readonly algorithm = 'nca';

  constructor(options: NcaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, init: typeof o.init === 'string' || o.init === undefined ? (o.init ?? 'auto') : 'matrix', maxIter: o.maxIter ?? 100, tol: o.tol ?? 1e-5, rowSpace: o.rowSpace ?? true, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'nca');
    const x = data.X;
    const k = resolveNComponents(this.options.nComponents, x.cols, 'nca');
    const maxIter = checkInt(this.options.maxIter ?? 100, 'maxIter', 'nca');
    const tol = checkPositive(this.options.tol ?? 1e-5, 'tol', 'nca', true);
    const rowSpace = checkBool(this.options.rowSpace ?? true, 'rowSpace', 'nca');
    if (x.rows < 2) throw new RangeError('nca: needs at least 2 samples');
    const L0 = initComponents(x, k, this.options.init ?? 'auto', toRandom(this.options.seed ?? 0), 'nca');
    // Rows ordered by class: the objective and its gradient do not depend on the order, and
    // neighbouring rows then share most of their softmax support, so the backend's dense
    // blocks stay narrow.
    const order = Array.from({ length: x.rows }, (_, i) => i).sort((a, b) => data.y[a] - data.y[b] || a - b);
    const xs = x.takeRows(order);
    const ys = Int32Array.from(order, (i) => data.y[i]);
    const d = x.cols;
    const span = rowSpace ? descentSpan(xs) : null;
    const xw = span ? new Matrix(x.rows, span.r, multiplyByTranspose(xs.data, x.rows, d, span.vt, span.r)) : xs;
    const Ls = span ? multiplyByTranspose(L0, k, d, span.vt, span.r) : L0;
    // More outputs than rows: minimise over R in L V = Q R (row-span.ts), r x r instead of k x r.
    const factor = span && k > span.r ? leftFactor(Ls, k, span.r) : null;
    const kw = factor ? factor.r : k;
    const ws = createNcaWorkspace(x.rows, xw.cols, kw);
    const start = factor ? factor.r0 : Ls;
    const res = minimizeLbfgs((L, g) => ncaLossGrad(xw, ys, L, kw, g, ws), start, {
      maxIter, gtol: tol,
      onIter: (iteration, objective) => this.progress({ iteration, maxIter, objective }),
    });
    const moved = factor ? fromLeftFactor(factor, res.x) : res.x;
    // Distances of xw under start are those of x under L0 (row-span.ts), so the check runs on the smaller pair.
    const warning = saturatedStartWarning('nca', res.nIter, xw, start, kw, tol);
    return this.setFitted(new Matrix(k, d, span ? fromSpan(moved, L0, k, d, span) : moved), { nIter: res.nIter, converged: res.converged, warnings: warning ? [warning] : [] });
  }
}
