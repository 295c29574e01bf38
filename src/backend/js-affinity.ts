/**
 * LFDA's local-scaling affinity and its Laplacian product: the reference for
 * native/src/affinity.cc. For the rows x_a of X (m x d, m ≥ 2) and a neighbour rank k,
 *   σ_a = max(‖x_a − x_(k)‖, 1e-12), x_(k) the k-th nearest other row (the local scale),
 *   A_ab = exp(−‖x_a − x_b‖² / (σ_a σ_b))  (a ≠ b),  A_aa = 0,
 * out = Lap(A) X = diag(A 1) X − A X, so that Xᵀ out = Σ_{a<b} A_ab (x_a − x_b)(x_a − x_b)ᵀ,
 * and σ is returned. Distances come from a GEMM (‖x_a‖² + ‖x_b‖² − 2 x_a·x_b, clamped at 0),
 * in row blocks so memory stays O(block · m): one pass for the scales, one for the affinity.
 * The backends agree to rounding (each has its own GEMM and exp).
 */
import { gemm } from './js-kernels.js';

export function checkAffinityArgs(X: Float64Array, m: number, d: number, k: number, out: Float64Array): void {
  const fn = 'affinityLaplacian';
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`${fn}: m must be an integer of at least 2 (the scales need another row), got ${m}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: d must be a positive integer, got ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > m - 1) throw new RangeError(`${fn}: k must be an integer from 1 to m − 1 = ${m - 1}, got ${k}`);
  for (const [name, a] of [['X', X], ['out', out]] as const) {
    if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
    if (a.length < m * d) throw new RangeError(`${fn}: ${name} must hold an ${m} x ${d} matrix (${m * d} values), got ${a.length}`);
  }
}

/** Rows per block: about 2 MB of float64 distances, at least 32 rows. */
function affinityBlockRows(m: number): number {
  return Math.min(m, Math.max(32, Math.floor(262_144 / m)));
}

export function affinityLaplacian(X: Float64Array, m: number, d: number, k: number, out: Float64Array): Float64Array {
  checkAffinityArgs(X, m, d, k, out);
  const nrm = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += X[a * d + c] * X[a * d + c];
    nrm[a] = s;
  }
  const rows = affinityBlockRows(m);
  const A = new Float64Array(rows * m);
  const distancesOfBlock = (s0: number, rb: number): void => {
    gemm(false, true, rb, m, d, 1, X.subarray(s0 * d), d, X, d, 0, A, m);
    for (let r = 0; r < rb; r++) for (let b = 0; b < m; b++) {
      const v = nrm[s0 + r] + nrm[b] - 2 * A[r * m + b];
      A[r * m + b] = v < 0 ? 0 : v;
    }
  };
  const sigma = new Float64Array(m);
  const others = new Float64Array(m - 1);
  for (let s0 = 0; s0 < m; s0 += rows) {
    const rb = Math.min(rows, m - s0);
    distancesOfBlock(s0, rb);
    for (let r = 0; r < rb; r++) {
      const a = s0 + r;
      let t = 0;
      for (let b = 0; b < m; b++) if (b !== a) others[t++] = A[r * m + b];
      others.sort();
      sigma[a] = Math.max(Math.sqrt(others[k - 1]), 1e-12);
    }
  }
  for (let s0 = 0; s0 < m; s0 += rows) {
    const rb = Math.min(rows, m - s0);
    distancesOfBlock(s0, rb);
    for (let r = 0; r < rb; r++) {
      const a = s0 + r, row = r * m;
      let deg = 0;
      for (let b = 0; b < m; b++) {
        const v = b === a ? 0 : Math.exp(-A[row + b] / (sigma[a] * sigma[b]));
        A[row + b] = v;
        deg += v;
      }
      for (let c = 0; c < d; c++) out[a * d + c] = deg * X[a * d + c];
    }
    // out_block −= A_block X
    gemm(false, false, rb, d, m, -1, A, m, X, d, 1, out.subarray(s0 * d), d);
  }
  return sigma;
}
