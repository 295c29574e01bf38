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
  // Inner lasso sweeps stop when no coefficient moves by more than a relative 1e-3 · 0.01^it,
  // floored at this: early outer sweeps (W still far off) need no exact inner solutions, the
  // last ones solve them accurately, which keeps the outer sweeps few. Warm starts carry β over.
  const lassoTol = 1e-10;
  const W = S.slice();
  // Bt row j holds β_j (coefficients of column j on the others; entry j stays 0, which lets
  // the loops below run over all l without testing l ≠ j). W is symmetric, so its rows are
  // used where the algorithm reads columns: every inner loop is contiguous.
  const Bt = new Float64Array(d * d);
  const r = new Float64Array(d);
  let scale = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) scale += Math.abs(S[i * d + j]);
  scale = scale / Math.max(1, d * (d - 1)) || 1;
  let it = 0, converged = false;
  if (d === 1) {
    return { precision: Float64Array.of(1 / S[0]), covariance: S.slice(), nIter: 0, converged: true };
  }
  while (it < maxIter) {
    it++;
    let change = 0;
    for (let j = 0; j < d; j++) {
      const bo = j * d;
      // r = s12 − W11 β.
      for (let k = 0; k < d; k++) {
        const wo = k * d;
        let acc = 0;
        for (let l = 0; l < d; l++) acc += W[wo + l] * Bt[bo + l];
        r[k] = S[wo + j] - acc + W[wo + j] * Bt[bo + j];
      }
      for (let sweep = 0; sweep < lassoMaxIter; sweep++) {
        let maxDelta = 0, maxBeta = 0;
        for (let k = 0; k < d; k++) {
          if (k === j) continue;
          const wo = k * d;
          const wkk = W[wo + k];
          const old = Bt[bo + k];
          const z = r[k] + wkk * old;
          const nb = (z > rho ? z - rho : z < -rho ? z + rho : 0) / wkk;
          const delta = nb - old;
          if (delta !== 0) {
            Bt[bo + k] = nb;
            for (let l = 0; l < d; l++) r[l] -= delta * W[wo + l];
            const ad = delta < 0 ? -delta : delta;
            if (ad > maxDelta) maxDelta = ad;
          }
          const ab = nb < 0 ? -nb : nb;
          if (ab > maxBeta) maxBeta = ab;
        }
        if (maxDelta <= Math.max(lassoTol, 1e-3 * Math.pow(0.01, it)) * Math.max(maxBeta, 1e-300) || maxDelta === 0) break;
      }
      // w12 = W11 β (β_j = 0, and the diagonal W_jj is kept).
      for (let k = 0; k < d; k++) {
        if (k === j) continue;
        const wo = k * d;
        let acc = 0;
        for (let l = 0; l < d; l++) if (l !== j) acc += W[wo + l] * Bt[bo + l];
        change += Math.abs(acc - W[wo + j]);
        W[wo + j] = acc;
        W[j * d + k] = acc;
      }
    }
    if (change / (d * (d - 1)) < tol * scale) {
      converged = true;
      break;
    }
  }
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
