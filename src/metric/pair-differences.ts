/**
 * Differences between tuple members and the two products the weakly supervised learners take
 * of them: Σ_t w_t v_t v_tᵀ (gradients, scatter terms) and v_tᵀ M v_t (squared Mahalanobis
 * lengths). Row-major float64, products through the backend's GEMM.
 */
import { getBackend } from '../backend/index.js';
import { Matrix } from '../matrix.js';
import { symmetrize } from '../linalg/index.js';

/** Row differences points[idx[t·arity + i]] − points[idx[t·arity + j]] for every tuple t. */
export function tupleDiffs(points: Float64Array, d: number, indices: Int32Array, arity: number, i: number, j: number): Float64Array {
  const n = indices.length / arity;
  const out = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    const a = indices[t * arity + i] * d, b = indices[t * arity + j] * d;
    for (let c = 0; c < d; c++) out[t * d + c] = points[a + c] - points[b + c];
  }
  return out;
}

/** Σ_t w_t v_t v_tᵀ for the rows v_t of V (m x d): Vᵀ diag(w) V through one GEMM. */
export function weightedGram(V: Float64Array, m: number, d: number, w: ArrayLike<number> | null): Float64Array {
  const be = getBackend();
  if (w === null) return be.gram(V, m, d);
  const WV = new Float64Array(m * d);
  for (let t = 0; t < m; t++) {
    const wt = w[t];
    if (wt === 0) continue;
    for (let c = 0; c < d; c++) WV[t * d + c] = wt * V[t * d + c];
  }
  const out = new Float64Array(d * d);
  be.gemm(true, false, d, d, m, 1, V, d, WV, d, 0, out, d);
  // The GEMM's two triangles round differently; the sum is symmetric by construction.
  return symmetrize(new Matrix(d, d, out)).data;
}

/** v_tᵀ M v_t for each row of V (m x d): the squared Mahalanobis lengths. */
export function quadForms(V: Float64Array, m: number, d: number, M: Float64Array): Float64Array {
  const VM = new Float64Array(m * d);
  getBackend().gemm(false, false, m, d, d, 1, V, d, M, d, 0, VM, d);
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += VM[t * d + c] * V[t * d + c];
    out[t] = s;
  }
  return out;
}
