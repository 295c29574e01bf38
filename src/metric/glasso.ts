/**
 * Graphical lasso: the sparse inverse covariance
 *   Θ = argmin_{Θ ≻ 0}  tr(S Θ) − log det Θ + ρ Σ_{i≠j} |Θ_ij|
 * by the block coordinate descent of J. Friedman, T. Hastie, R. Tibshirani, "Sparse inverse
 * covariance estimation with the graphical lasso", Biostatistics 2008: cycle over columns j,
 * solving for each the lasso  min_β ½ βᵀ W₁₁ β − βᵀ s₁₂ + ρ ‖β‖₁  by coordinate descent and
 * setting w₁₂ = W₁₁ β, where W (the estimate of Θ⁻¹) starts at S. The diagonal is not
 * penalised (as scikit-learn's graphical_lasso). S must be positive definite: every W stays
 * positive definite then (Banerjee et al. 2008), which is the solver's robustness guarantee;
 * callers guard S before calling.
 */
import { Matrix } from '../matrix.js';
import { symmetrize } from '../linalg/index.js';
import { getBackend } from '../backend/index.js';

export interface GlassoResult {
  /** The precision Θ (d x d, symmetric positive definite). */
  precision: Float64Array;
  /** The covariance estimate W = Θ⁻¹. */
  covariance: Float64Array;
  nIter: number;
  converged: boolean;
}

export function graphicalLasso(S: Float64Array, d: number, rho: number, options: { maxIter?: number; tol?: number; lassoMaxIter?: number } = {}): GlassoResult {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new RangeError(`graphicalLasso: rho must be a non-negative finite number, got ${rho}`);
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-4;
  const lassoMaxIter = options.lassoMaxIter ?? 200;
  if (d === 1) {
    return { precision: Float64Array.of(1 / S[0]), covariance: S.slice(), nIter: 0, converged: true };
  }
  // The sweeps run on the backend (native: the same loop in C++, same bits).
  const { covariance: W, beta: Bt, nIter: it, converged } = getBackend().graphicalLassoSweeps(S, d, rho, maxIter, tol, lassoMaxIter);
  // Θ from W and β: θ_jj = 1 / (w_jj − w12ᵀβ), θ_{·j} = −β θ_jj; symmetrised.
  const T = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) if (k !== j) s += W[k * d + j] * Bt[j * d + k];
    const tjj = 1 / (W[j * d + j] - s);
    T[j * d + j] = tjj;
    for (let k = 0; k < d; k++) if (k !== j) T[k * d + j] = -Bt[j * d + k] * tjj;
  }
  return { precision: symmetrize(new Matrix(d, d, T)).data, covariance: W, nIter: it, converged };
}
