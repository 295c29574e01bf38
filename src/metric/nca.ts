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
import { denseScatter, pairScatter, sparseDensity, leftMultiply, project, selfSqDistances } from './scatter.js';
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

/** Softmax weights below exp(−40) ≈ 4e-18 of the row maximum vanish when added to the row sum (≥ 1) in double precision. */
const CUTOFF = 40;

/**
 * The negated NCA objective −Σ p_i and its gradient with respect to L (k x d, row-major).
 * Exported for the finite-difference test.
 */
export function ncaLossGrad(X: Matrix<Float64Array>, y: Int32Array, L: Float64Array, k: number, grad: Float64Array): number {
  const n = X.rows, d = X.cols;
  const Z = project(X, L, k);
  const D = selfSqDistances(Z, n, k);
  // The softmax is sparse in practice (weights beyond CUTOFF are zero to double precision), so
  // the weights are collected as a pair list; a dense matrix is formed only when that is cheaper.
  const idx = new Int32Array(n);
  const ev = new Float64Array(n);
  let cap = Math.max(1024, 8 * n);
  let pa = new Int32Array(cap), pb = new Int32Array(cap), pw = new Float64Array(cap);
  let np = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    D[row + i] = Infinity; // excluded from its own softmax
    let dmin = Infinity;
    for (let j = 0; j < n; j++) { const v = D[row + j]; if (v < dmin) dmin = v; }
    const lim = dmin + CUTOFF;
    const yi = y[i];
    let s = 0, same = 0, cnt = 0;
    for (let j = 0; j < n; j++) {
      const v = D[row + j];
      if (v > lim) continue;
      const e = Math.exp(dmin - v);
      idx[cnt] = j;
      ev[cnt] = e;
      cnt++;
      s += e;
      if (y[j] === yi) same += e;
    }
    const pi = same / s;
    f += pi;
    if (np + cnt > cap) {
      cap = Math.max(2 * cap, np + cnt);
      const na = new Int32Array(cap), nb = new Int32Array(cap), nw = new Float64Array(cap);
      na.set(pa); nb.set(pb); nw.set(pw);
      pa = na; pb = nb; pw = nw;
    }
    // W_ij = p_ij ([y_i = y_j] − p_i): the weight of (x_i − x_j)(x_i − x_j)ᵀ in ∂(−f)/∂M.
    const inv = 1 / s;
    for (let q = 0; q < cnt; q++) {
      const j = idx[q];
      pa[np] = i; pb[np] = j; pw[np] = ev[q] * inv * ((y[j] === yi ? 1 : 0) - pi);
      np++;
    }
  }
  let G: Float64Array;
  if (np < sparseDensity() * n * n) G = pairScatter(X, pa, pb, pw, np);
  else {
    const W = D.fill(0);
    for (let p = 0; p < np; p++) W[pa[p] * n + pb[p]] = pw[p];
    G = denseScatter(X, W);
  }
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
