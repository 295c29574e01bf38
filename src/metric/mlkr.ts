/**
 * Metric Learning for Kernel Regression: Weinberger & Tesauro, "Metric Learning for Kernel
 * Regression", AISTATS 2007.
 *
 * Leave-one-out Nadaraya–Watson regression with a Gaussian kernel in the learned space,
 *   ŷ_i = Σ_{j≠i} k_ij y_j / Σ_{j≠i} k_ij,  k_ij = exp(−‖L x_i − L x_j‖²),
 * and L minimises the squared error Σ_i (y_i − ŷ_i)² with L-BFGS (as metric-learn). The
 * gradient of the paper, 4 L Σ_ij (ŷ_i − y_i)(ŷ_i − y_j) p_ij δδᵀ (p_ij = k_ij / Σ_j k_ij), is
 * evaluated as a Laplacian product, 2 Zᵀ Lap(W) X with Z = X Lᵀ: the backend's
 * `kernelRegressionLaplacian` (native: NCA's row machinery, exact distances from one GEMM,
 * vectorised exponentials; js-kernel-regression.ts is the reference). y is real-valued.
 */
import { Matrix, describeValue, type FloatArray } from '../matrix.js';
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkX, checkLabelArray, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, checkInt, checkPositive, type InitOption } from './init.js';
import { getBackend } from '../backend/index.js';
import { minimizeLbfgs } from './optim/lbfgs.js';
import { saturatedStartWarning } from './saturated-start.js';

export interface MlkrOptions extends BaseLearnerOptions {
  nComponents?: number;
  init?: InitOption;
  /** L-BFGS iterations (metric-learn: 1000). */
  maxIter?: number;
  /** Gradient tolerance. */
  tol?: number;
}

const CUTOFF = 60;

/** Buffers reused across objective calls. */
interface MlkrWorkspace { n: number; d: number; k: number; Z: Float64Array; SX: Float64Array }

function createMlkrWorkspace(n: number, d: number, k: number): MlkrWorkspace {
  return { n, d, k, Z: new Float64Array(n * k), SX: new Float64Array(n * d) };
}

/**
 * Squared leave-one-out regression error and its gradient with respect to L (k x d,
 * row-major). Exported for the finite-difference test.
 */
export function mlkrLossGrad(X: Matrix<Float64Array>, y: Float64Array, L: Float64Array, k: number, grad: Float64Array, ws?: MlkrWorkspace): number {
  const n = X.rows, d = X.cols;
  if (!ws || ws.n !== n || ws.d !== d || ws.k !== k) ws = createMlkrWorkspace(n, d, k);
  const be = getBackend();
  be.gemm(false, true, n, k, d, 1, X.data, d, L, d, 0, ws.Z, k);
  const loss = be.kernelRegressionLaplacian(X.data, ws.Z, n, d, k, y, CUTOFF, ws.SX);
  // ∂/∂L = 2 L Xᵀ Lap(W) X = 2 Zᵀ (Lap(W) X).
  be.gemm(true, false, k, d, n, 2, ws.Z, k, ws.SX, d, 0, grad, d);
  return loss;
}

export class MLKR extends MahalanobisLearner<MlkrOptions> {
  readonly algorithm = 'mlkr';

  constructor(options: MlkrOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, init: typeof o.init === 'string' || o.init === undefined ? (o.init ?? 'auto') : 'matrix', maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-5, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number>): this {
    const x = checkX(X, 'mlkr');
    if (x.rows < 3) throw new RangeError(`mlkr: X needs at least 3 rows, got ${x.rows}`);
    const targets = checkLabelArray(y, x.rows, 'mlkr', 'targets');
    const yy = new Float64Array(targets.length);
    for (let i = 0; i < targets.length; i++) {
      const v = targets[i];
      // Number() would read null and "" as 0 and true as 1: only numbers are targets.
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`mlkr: y[${i}] is ${describeValue(v)}; targets must be finite numbers`);
      yy[i] = v;
    }
    const k = resolveNComponents(this.options.nComponents, x.cols, 'mlkr');
    const maxIter = checkInt(this.options.maxIter ?? 1000, 'maxIter', 'mlkr');
    const tol = checkPositive(this.options.tol ?? 1e-5, 'tol', 'mlkr', true);
    const L0 = initComponents(x, k, this.options.init ?? 'auto', toRandom(this.options.seed ?? 0), 'mlkr');
    const ws = createMlkrWorkspace(x.rows, x.cols, k);
    const res = minimizeLbfgs((L, g) => mlkrLossGrad(x, yy, L, k, g, ws), L0, {
      maxIter, gtol: tol,
      onIter: (iteration, objective) => this.progress({ iteration, maxIter, objective }),
    });
    const warning = saturatedStartWarning('mlkr', res.nIter, x, L0, k, tol);
    return this.setFitted(new Matrix(k, x.cols, res.x), { nIter: res.nIter, converged: res.converged, warnings: warning ? [warning] : [] });
  }
}
