/**
 * The neighbour softmax of NCA and its Laplacian product: the reference for
 * native/src/softmax.cc.
 *
 * For rows z_i of Z (n x k) and d_ij = ‖z_i − z_j‖², p_ij = softmax_{j≠i}(−d_ij) and
 * p_i = Σ_{j: y_j = y_i} p_ij. Weights p_ij below exp(−cutoff) of the row's largest are
 * dropped: with cutoff 40 they vanish against the row sum (≥ 1) in double precision. With
 * W_ij = p_ij ([y_i = y_j] − p_i), SX receives Lap(W) X, Lap(W) = diag(W1 + Wᵀ1) − W − Wᵀ,
 * pair by pair (row i gains W_ij (x_i − x_j), row j loses it), and the return value is Σ p_i.
 *
 * Each row's support is found from search distances made by one GEMM per block of rows on
 * augmented rows (js-augmented.ts), allowing for their rounding; the distances kept are then
 * recomputed exactly (sqDist4). Memory is O(block · n). The native kernel searches in
 * float32, and on blocks where the supports are dense it takes the exact distances from a
 * float64 GEMM and the Laplacian product from two GEMMs; with libm's exp against V8's, the
 * backends agree to rounding, not to the bit.
 */
import { gemm } from './js-kernels.js';
import { augmentRows, searchMargin } from './js-augmented.js';

/** Rows per block: about 2 MB of float64 distances, and at least 32 rows. */
function softmaxBlockRows(n: number): number {
  return Math.min(n, Math.max(32, Math.floor(262_144 / n)));
}

/**
 * The checks a row kernel over Z (n x k) with a Laplacian product into SX (n x d) shares
 * (NCA's softmax here, MLKR's regression in js-kernel-regression.ts); `atLeast2` says why.
 */
export function checkRowKernelArgs(fn: string, atLeast2: string, X: Float64Array, Z: Float64Array, n: number, d: number, k: number, cutoff: number, SX: Float64Array): void {
  for (const [name, v] of [['n', n], ['d', d], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  if (n < 2) throw new RangeError(`${fn}: n must be at least 2 (${atLeast2}), got ${n}`);
  for (const [name, a, cols] of [['X', X, d], ['Z', Z, k], ['SX', SX, d]] as const) {
    if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
    if (a.length < n * cols) throw new RangeError(`${fn}: ${name} must hold an ${n} x ${cols} matrix (${n * cols} values), got ${a.length}`);
  }
  if (!(cutoff > 0) || !Number.isFinite(cutoff)) throw new RangeError(`${fn}: cutoff must be a positive finite number, got ${cutoff}`);
}

export function checkSoftmaxArgs(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Int32Array, cutoff: number, SX: Float64Array): void {
  const fn = 'neighbourSoftmaxLaplacian';
  checkRowKernelArgs(fn, 'a softmax over the other rows', X, Z, n, d, k, cutoff, SX);
  if (!(y instanceof Int32Array)) throw new TypeError(`${fn}: y must be an Int32Array`);
  if (y.length !== n) throw new RangeError(`${fn}: y has ${y.length} labels, expected ${n}`);
}

/** ‖a − b‖² with four running sums over c mod 4, added as (s0 + s1) + (s2 + s3) (as native). */
function sqDist4(Z: Float64Array, a: number, b: number, k: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const ra = a * k, rb = b * k;
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const t0 = Z[ra + c] - Z[rb + c], t1 = Z[ra + c + 1] - Z[rb + c + 1], t2 = Z[ra + c + 2] - Z[rb + c + 2], t3 = Z[ra + c + 3] - Z[rb + c + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; c < k; c++) {
    const t = Z[ra + c] - Z[rb + c];
    s0 += t * t;
  }
  return (s0 + s1) + (s2 + s3);
}

export function neighbourSoftmaxLaplacian(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Int32Array, cutoff: number, SX: Float64Array): number {
  checkSoftmaxArgs(X, Z, n, d, k, y, cutoff, SX);
  const ka = k + 2;
  const { A, B, nrm, maxN } = augmentRows(Z, n, k);
  const errScale = searchMargin(k);
  const rows = softmaxBlockRows(n);
  const G = new Float64Array(rows * n);
  const cj = new Int32Array(n), ce = new Float64Array(n);
  SX.fill(0, 0, n * d);
  let f = 0;
  for (let s0 = 0; s0 < n; s0 += rows) {
    const rb = Math.min(rows, n - s0);
    gemm(false, true, rb, n, ka, 1, A.subarray(s0 * ka), ka, B, ka, 0, G, n);
    for (let i = s0; i < s0 + rb; i++) {
      const row = (i - s0) * n;
      let min = Infinity;
      for (let j = 0; j < n; j++) if (j !== i && G[row + j] < min) min = G[row + j];
      // Every j within cutoff of the exact minimum is within cutoff + 2 margins of the search minimum.
      const hi = min + cutoff + 2 * errScale * (nrm[i] + maxN);
      let cnt = 0, dmin = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i || !(G[row + j] < hi)) continue;
        const v = sqDist4(Z, i, j, k);
        cj[cnt] = j; ce[cnt] = v; cnt++;
        if (v < dmin) dmin = v;
      }
      const lim = dmin + cutoff;
      const yi = y[i];
      let kept = 0, sum = 0, same = 0;
      for (let q = 0; q < cnt; q++) {
        const v = ce[q];
        if (v > lim) continue;
        const e = Math.exp(dmin - v);
        const j = cj[q];
        cj[kept] = j; ce[kept] = e; kept++;
        sum += e;
        if (y[j] === yi) same += e;
      }
      const pi = same / sum;
      f += pi;
      const inv = 1 / sum;
      const xi = i * d;
      for (let q = 0; q < kept; q++) {
        const j = cj[q];
        const w = ce[q] * inv * ((y[j] === yi ? 1 : 0) - pi);
        if (w === 0) continue;
        const xj = j * d;
        for (let c = 0; c < d; c++) {
          const v = w * (X[xi + c] - X[xj + c]);
          SX[xi + c] += v;
          SX[xj + c] -= v;
        }
      }
    }
  }
  return f;
}
