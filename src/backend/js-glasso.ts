/**
 * The sweeps of the graphical lasso's block coordinate descent (Friedman, Hastie & Tibshirani,
 * "Sparse inverse covariance estimation with the graphical lasso", Biostatistics 2008), the
 * reference for the native kernel (native/src/glasso.cc, the same loop statement for
 * statement). src/metric/glasso.ts checks the input and turns W and β into the precision.
 *
 * Each sweep cycles over columns j and solves the lasso  min_β ½ βᵀ W₁₁ β − βᵀ s₁₂ + ρ ‖β‖₁
 * by coordinate descent, then sets w₁₂ = W₁₁ β. W is symmetric, so its rows are read where
 * the algorithm reads columns: every inner loop is contiguous.
 */
import type { GlassoSweeps } from './backend.js';

// Inner lasso sweeps stop when no coefficient moves by more than innerTol relative to the
// largest, with innerTol = 1e-3 · 0.01^sweep (kept as a running product, which the native
// kernel repeats exactly) floored here: early outer sweeps, with W still far off, need no exact
// inner solutions; the last ones solve them accurately, which keeps the outer sweeps few.
// Warm starts carry β over.
const LASSO_TOL = 1e-10;

/** Σ a[ao + l] b[bo + l] in glasso.cc's order: four partial sums by l mod 4, then the tail. */
function dot4(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  const d4 = d & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let l = 0; l < d4; l += 4) {
    s0 += a[ao + l] * b[bo + l];
    s1 += a[ao + l + 1] * b[bo + l + 1];
    s2 += a[ao + l + 2] * b[bo + l + 2];
    s3 += a[ao + l + 3] * b[bo + l + 3];
  }
  let s = (s0 + s1) + (s2 + s3);
  for (let l = d4; l < d; l++) s += a[ao + l] * b[bo + l];
  return s;
}

export function graphicalLassoSweeps(S: Float64Array, d: number, rho: number, maxIter: number, tol: number, lassoMaxIter: number): GlassoSweeps {
  if (d < 2) throw new RangeError(`graphicalLassoSweeps: d must be at least 2, got ${d}`);
  if (S.length !== d * d) throw new RangeError(`graphicalLassoSweeps: S must be a ${d} x ${d} matrix (${d * d} values), got ${S.length}`);
  const W = S.slice();
  // Row j of Bt holds β_j (entry j stays 0, so the loops run over all l without testing l ≠ j).
  const Bt = new Float64Array(d * d);
  const r = new Float64Array(d);
  let scale = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) scale += Math.abs(S[i * d + j]);
  scale = scale / Math.max(1, d * (d - 1)) || 1;
  let innerTol = 1e-3;
  let it = 0, converged = false;
  while (it < maxIter) {
    it++;
    innerTol *= 0.01;
    const stopRel = Math.max(LASSO_TOL, innerTol);
    let change = 0;
    for (let j = 0; j < d; j++) {
      const bo = j * d;
      // r = s12 − W11 β.
      for (let k = 0; k < d; k++) {
        const wo = k * d;
        r[k] = S[wo + j] - dot4(W, wo, Bt, bo, d) + W[wo + j] * Bt[bo + j];
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
        if (maxDelta <= stopRel * Math.max(maxBeta, 1e-300) || maxDelta === 0) break;
      }
      // w12 = W11 β (β_j = 0, and the diagonal W_jj is kept).
      for (let k = 0; k < d; k++) {
        if (k === j) continue;
        const wo = k * d;
        const acc = dot4(W, wo, Bt, bo, d); // β_j = 0: no need to skip l = j
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
  return { covariance: W, beta: Bt, nIter: it, converged };
}
