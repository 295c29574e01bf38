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
  const W = S.slice();
  const B = new Float64Array(d * d); // column j holds β_j (B[k*d + j], k ≠ j)
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
      // r = s12 − W11 β for the current β (β_j entries: B[k*d + j], k ≠ j).
      for (let k = 0; k < d; k++) {
        if (k === j) continue;
        let s = S[k * d + j];
        for (let l = 0; l < d; l++) if (l !== j) s -= W[k * d + l] * B[l * d + j];
        r[k] = s;
      }
      for (let sweep = 0; sweep < lassoMaxIter; sweep++) {
        let maxDelta = 0, maxBeta = 0;
        for (let k = 0; k < d; k++) {
          if (k === j) continue;
          const wkk = W[k * d + k];
          const old = B[k * d + j];
          const z = r[k] + wkk * old;
          const nb = (z > rho ? z - rho : z < -rho ? z + rho : 0) / wkk;
          const delta = nb - old;
          if (delta !== 0) {
            B[k * d + j] = nb;
            for (let l = 0; l < d; l++) if (l !== j) r[l] -= delta * W[l * d + k];
            maxDelta = Math.max(maxDelta, Math.abs(delta));
          }
          maxBeta = Math.max(maxBeta, Math.abs(nb));
        }
        if (maxDelta <= 1e-10 * Math.max(maxBeta, 1e-300) || maxDelta === 0) break;
      }
      // w12 = W11 β.
      for (let k = 0; k < d; k++) {
        if (k === j) continue;
        let s = 0;
        for (let l = 0; l < d; l++) if (l !== j) s += W[k * d + l] * B[l * d + j];
        change += Math.abs(s - W[k * d + j]);
        W[k * d + j] = s;
        W[j * d + k] = s;
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
    for (let k = 0; k < d; k++) if (k !== j) s += W[k * d + j] * B[k * d + j];
    const tjj = 1 / (W[j * d + j] - s);
    T[j * d + j] = tjj;
    for (let k = 0; k < d; k++) if (k !== j) T[k * d + j] = -B[k * d + j] * tjj;
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (T[i * d + j] + T[j * d + i]);
    T[i * d + j] = v;
    T[j * d + i] = v;
  }
  return { precision: T, covariance: W, nIter: it, converged };
}
