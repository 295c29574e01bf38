/**
 * MLKR's leave-one-out kernel regression and its Laplacian product: the reference for the
 * native kernel (native/src/softmax.cc, which shares NCA's row machinery).
 *
 * For rows z_i of Z (n x k) and d_ij = ‖z_i − z_j‖², the Gaussian kernel weights
 * p_ij = softmax_{j≠i}(−d_ij) give the prediction ŷ_i = Σ_j p_ij y_j and the residual
 * r_i = ŷ_i − y_i. Weights below exp(−cutoff) of the row's largest are dropped (with cutoff 60
 * they vanish against the row sum, ≥ 1). With W_ij = 2 r_i (ŷ_i − y_j) p_ij, SX receives
 * Lap(W) X = (diag(W1 + Wᵀ1) − W − Wᵀ) X, pair by pair (row i gains W_ij (x_i − x_j), row j
 * loses it), and the return value is Σ r_i², so that the gradient of Σ r_i² with respect to L
 * is 2 Zᵀ SX (Weinberger & Tesauro 2007, written as a Laplacian product). The rows are
 * processed one at a time from the exact distances; memory is O(n).
 */
import { checkRowKernelArgs } from './js-softmax.js';

export function checkKernelRegressionArgs(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Float64Array, cutoff: number, SX: Float64Array): void {
  const fn = 'kernelRegressionLaplacian';
  checkRowKernelArgs(fn, 'a prediction from the other rows', X, Z, n, d, k, cutoff, SX);
  if (!(y instanceof Float64Array)) throw new TypeError(`${fn}: y must be a Float64Array`);
  if (y.length !== n) throw new RangeError(`${fn}: y has ${y.length} targets, expected ${n}`);
}

export function kernelRegressionLaplacian(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Float64Array, cutoff: number, SX: Float64Array): number {
  checkKernelRegressionArgs(X, Z, n, d, k, y, cutoff, SX);
  const D = new Float64Array(n), e = new Float64Array(n);
  SX.fill(0, 0, n * d);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let dmin = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < k; c++) {
        const t = Z[i * k + c] - Z[j * k + c];
        s += t * t;
      }
      D[j] = s;
      if (s < dmin) dmin = s;
    }
    let sum = 0, sy = 0;
    for (let j = 0; j < n; j++) {
      e[j] = j !== i && D[j] - dmin <= cutoff ? Math.exp(dmin - D[j]) : 0;
      sum += e[j];
      sy += e[j] * y[j];
    }
    const yhat = sy / sum, r = yhat - y[i];
    loss += r * r;
    for (let j = 0; j < n; j++) {
      if (e[j] === 0) continue;
      const w = (2 * r * (yhat - y[j]) * e[j]) / sum;
      for (let c = 0; c < d; c++) {
        const v = w * (X[i * d + c] - X[j * d + c]);
        SX[i * d + c] += v;
        SX[j * d + c] -= v;
      }
    }
  }
  return loss;
}
