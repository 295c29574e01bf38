/**
 * Weighted scatter matrices Σ_ij W_ij (x_i − x_j)(x_i − x_j)ᵀ, the common core of the NCA,
 * MLKR, LMNN and LFDA gradients/objectives. Written as a graph Laplacian,
 *   Σ_ij W_ij δ_ij δ_ijᵀ = Xᵀ (D − (W + Wᵀ)) X,   D = diag(rowsums of W + Wᵀ),
 * so the n² outer products become one or two GEMMs (or an O(nnz·d) sparse pass when W is
 * mostly zeros, as softmax weights usually are).
 */
import { Matrix } from '../matrix.js';
import { getBackend } from '../backend/index.js';

/**
 * Density of W below which the O(nnz·d) sparse pass beats the two n x n x d GEMMs: a sparse
 * pass costs ~2·nnz·d scalar operations, which BLAS outruns many times over, so the
 * break-even point depends on the backend.
 */
function sparseDensity(): number {
  return getBackend().name === 'native' ? 0.07 : 0.35;
}

/** d x d scatter for a dense n x n weight matrix W (any sign, need not be symmetric). */
export function denseScatter(X: Matrix<Float64Array>, W: Float64Array): Float64Array {
  const n = X.rows, d = X.cols;
  let nnz = 0;
  for (let i = 0; i < W.length; i++) if (W[i] !== 0) nnz++;
  const SX = new Float64Array(n * d);
  const x = X.data;
  if (nnz < sparseDensity() * n * n) {
    // Sparse pass: each nonzero adds w (x_i − x_j) to row i and w (x_j − x_i) to row j.
    for (let i = 0; i < n; i++) {
      const wr = i * n;
      const ri = i * d;
      for (let j = 0; j < n; j++) {
        const w = W[wr + j];
        if (w === 0 || i === j) continue;
        const rj = j * d;
        for (let c = 0; c < d; c++) {
          const v = w * (x[ri + c] - x[rj + c]);
          SX[ri + c] += v;
          SX[rj + c] -= v;
        }
      }
    }
  } else {
    // SX = D X − W X − Wᵀ X: two GEMMs, no explicit (cache-hostile) transpose of W.
    const deg = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const wr = i * n;
      let rs = 0;
      for (let j = 0; j < n; j++) {
        const v = i === j ? 0 : W[wr + j];
        rs += v;
        deg[j] += v;
      }
      deg[i] += rs;
    }
    const be = getBackend();
    const diag = new Float64Array(n);
    for (let i = 0; i < n; i++) diag[i] = W[i * n + i];
    // The diagonal of W never contributes (δ_ii = 0): take it out of the products.
    be.gemm(false, false, n, d, n, -1, W, n, x, d, 0, SX, d);
    be.gemm(true, false, n, d, n, -1, W, n, x, d, 1, SX, d);
    for (let i = 0; i < n; i++) {
      const di = deg[i] + 2 * diag[i];
      for (let c = 0; c < d; c++) SX[i * d + c] += di * x[i * d + c];
    }
  }
  return laplacianGram(x, n, d, SX);
}

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

/**
 * All n x n squared Euclidean distances between rows of Z (n x k), diagonal exactly 0.
 * Z Zᵀ comes from the backend's symmetric rank-k product (SYRK: half a GEMM's flops).
 */
export function selfSqDistances(Z: Float64Array, n: number, k: number): Float64Array {
  const Zt = new Float64Array(n * k);
  const nrm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) {
      const v = Z[i * k + c];
      Zt[c * n + i] = v;
      s += v * v;
    }
    nrm[i] = s;
  }
  const D = getBackend().gram(Zt, k, n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const ni = nrm[i];
    for (let j = 0; j < n; j++) {
      const v = ni + nrm[j] - 2 * D[row + j];
      D[row + j] = v < 0 ? 0 : v;
    }
    D[row + i] = 0;
  }
  return D;
}
