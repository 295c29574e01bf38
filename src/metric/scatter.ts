/**
 * Weighted scatter matrices Σ_ij W_ij (x_i − x_j)(x_i − x_j)ᵀ, the common core of the LMNN
 * and LFDA gradients/objectives (NCA's and MLKR's are backend kernels, which form the same
 * Laplacian product row by row). Written as a graph Laplacian,
 *   Σ_ij W_ij δ_ij δ_ijᵀ = Xᵀ (D − (W + Wᵀ)) X,   D = diag(rowsums of W + Wᵀ),
 * so the n² outer products become GEMMs, or an O(nnz·d) pass for a list of pairs.
 */
import { Matrix } from '../matrix.js';
import { getBackend } from '../backend/index.js';

/**
 * d x d scatter for a sparse list of weighted pairs (a[p], b[p], w[p]), p < count: the
 * Laplacian's product L X is summed pair by pair on the backend (addPairLaplacian), then one GEMM.
 */
export function pairScatter(X: Matrix<Float64Array>, a: ArrayLike<number>, b: ArrayLike<number>, w: ArrayLike<number>, count = w.length): Float64Array {
  const n = X.rows, d = X.cols;
  const SX = new Float64Array(n * d);
  const first = (a instanceof Int32Array ? a : Int32Array.from(a)).subarray(0, count);
  const second = (b instanceof Int32Array ? b : Int32Array.from(b)).subarray(0, count);
  const weights = (w instanceof Float64Array ? w : Float64Array.from(w)).subarray(0, count);
  getBackend().addPairLaplacian(SX, X.data, n, d, first, second, weights);
  return laplacianGram(X.data, n, d, SX);
}

/** Xᵀ SX (d x d), symmetrised: the scatter, once SX holds the Laplacian's product L X. */
export function laplacianGram(x: Float64Array, n: number, d: number, SX: Float64Array): Float64Array {
  const G = new Float64Array(d * d);
  getBackend().gemm(true, false, d, d, n, 1, x, d, SX, d, 0, G, d);
  symmetrize(G, d);
  return G;
}

/** Averages G with its transpose in place (removes rounding asymmetry). */
export function symmetrize(G: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (G[i * d + j] + G[j * d + i]);
    G[i * d + j] = v;
    G[j * d + i] = v;
  }
}

/** out = alpha · L G (L k x d, G d x d): the chain rule from ∂/∂M to ∂/∂L is 2 L G. */
export function leftMultiply(L: Float64Array, k: number, d: number, G: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(k * d);
  getBackend().gemm(false, false, k, d, d, alpha, L, d, G, d, 0, out, d);
  return out;
}

/** Z = X Lᵀ (n x k). */
export function project(X: Matrix<Float64Array>, L: Float64Array, k: number): Float64Array {
  const n = X.rows, d = X.cols;
  const Z = new Float64Array(n * k);
  getBackend().gemm(false, true, n, k, d, 1, X.data, d, L, d, 0, Z, k);
  return Z;
}
