/**
 * LFDA's local-scaling affinity and its Laplacian product: the reference for
 * native/src/affinity.cc. For the rows x_a of X (m x d) and scales σ_a > 0,
 *   A_ab = exp(−‖x_a − x_b‖² / (σ_a σ_b))  (a ≠ b),  A_aa = 0,
 * and out = Lap(A) X = diag(A 1) X − A X, so that Xᵀ out = Σ_{a<b} A_ab (x_a − x_b)(x_a − x_b)ᵀ.
 * Distances come from a GEMM (‖x_a‖² + ‖x_b‖² − 2 x_a·x_b, clamped at 0), in row blocks so
 * memory stays O(block · m). The backends agree to rounding (each has its own GEMM and exp).
 */
import { gemm } from './js-kernels.js';

export function checkAffinityArgs(X: Float64Array, m: number, d: number, sigma: Float64Array, out: Float64Array): void {
  const fn = 'affinityLaplacian';
  if (!Number.isInteger(m) || m < 1 || !Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: m and d must be positive integers, got ${m} and ${d}`);
  for (const [name, a] of [['X', X], ['out', out]] as const) {
    if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
    if (a.length < m * d) throw new RangeError(`${fn}: ${name} must hold an ${m} x ${d} matrix (${m * d} values), got ${a.length}`);
  }
  if (!(sigma instanceof Float64Array) || sigma.length !== m) throw new RangeError(`${fn}: sigma must be a Float64Array of ${m} scales`);
  for (let a = 0; a < m; a++) if (!(sigma[a] > 0) || !Number.isFinite(sigma[a])) throw new RangeError(`${fn}: sigma[${a}] = ${sigma[a]}; scales must be positive and finite`);
}

/** Rows per block: about 2 MB of float64 affinities, at least 32 rows. */
export function affinityBlockRows(m: number): number {
  return Math.min(m, Math.max(32, Math.floor(262_144 / m)));
}

export function affinityLaplacian(X: Float64Array, m: number, d: number, sigma: Float64Array, out: Float64Array): void {
  checkAffinityArgs(X, m, d, sigma, out);
  const nrm = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += X[a * d + c] * X[a * d + c];
    nrm[a] = s;
  }
  const rows = affinityBlockRows(m);
  const A = new Float64Array(rows * m);
  for (let s0 = 0; s0 < m; s0 += rows) {
    const rb = Math.min(rows, m - s0);
    gemm(false, true, rb, m, d, 1, X.subarray(s0 * d), d, X, d, 0, A, m);
    for (let r = 0; r < rb; r++) {
      const a = s0 + r, row = r * m;
      let deg = 0;
      for (let b = 0; b < m; b++) {
        let v = 0;
        if (b !== a) {
          let dist = nrm[a] + nrm[b] - 2 * A[row + b];
          if (dist < 0) dist = 0;
          v = Math.exp(-dist / (sigma[a] * sigma[b]));
        }
        A[row + b] = v;
        deg += v;
      }
      for (let c = 0; c < d; c++) out[a * d + c] = deg * X[a * d + c];
    }
    // out_block −= A_block X
    gemm(false, false, rb, d, m, -1, A, m, X, d, 1, out.subarray(s0 * d), d);
  }
}
