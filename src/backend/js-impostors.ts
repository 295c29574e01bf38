/**
 * LMNN's impostor candidates: the reference for native/src/impostors.cc.
 *
 * For each listed row i of Z (n x k, float64), the rows l of another class (y_l ≠ y_i) whose
 * squared distance ‖z_i − z_l‖² may lie below radius2[i]. Distances for the search come from
 * one GEMM per block of rows on augmented rows, [z_i, ‖z_i‖², 1] · [−2 z_l, 1, ‖z_l‖²]; its
 * rounding error is at most 2 (k + 6) u (‖z_i‖² + ‖z_l‖²) (u the unit roundoff of the GEMM's
 * type) whatever the summation order, and every comparison allows for it, so the lists are a
 * superset of the exact answer. A candidate whose search distance may be below exactBelow[i]
 * gets its exact float64 distance (the sum of squared differences, in order: the same bits on
 * both backends); the others get Infinity. minOut bounds from below the squared distance of
 * every other-class row left out. The native backend searches in float32 (twice the BLAS
 * speed), so its lists may hold a few more borderline rows than this float64 reference.
 */
import { gemm } from './js-kernels.js';
import type { ImpostorCandidates } from './backend.js';
import { augmentRows, rowSqDist, searchMargin } from './js-augmented.js';

export function checkImpostorArgs(Z: Float64Array, n: number, k: number, y: Int32Array, rows: Int32Array, radius2: Float64Array, exactBelow: Float64Array): void {
  const fn = 'impostorCandidates';
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${fn}: k must be a positive integer, got ${k}`);
  if (!(Z instanceof Float64Array)) throw new TypeError(`${fn}: Z must be a Float64Array`);
  if (Z.length < n * k) throw new RangeError(`${fn}: Z must hold an ${n} x ${k} matrix (${n * k} values), got ${Z.length}`);
  for (const [name, a] of [['y', y], ['rows', rows]] as const) if (!(a instanceof Int32Array)) throw new TypeError(`${fn}: ${name} must be an Int32Array`);
  if (y.length !== n) throw new RangeError(`${fn}: y has ${y.length} labels, expected ${n}`);
  for (let r = 0; r < rows.length; r++) {
    if (rows[r] < 0 || rows[r] >= n) throw new RangeError(`${fn}: rows[${r}] = ${rows[r]} is not a row (0 .. ${n - 1})`);
  }
  for (const [name, a] of [['radius2', radius2], ['exactBelow', exactBelow]] as const) {
    if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
    if (a.length !== n) throw new RangeError(`${fn}: ${name} has ${a.length} entries, expected ${n} (one per row of Z)`);
  }
}

/** Rows per block: about 4 M distances, and at least 32 rows. */
function impostorBlockRows(n: number, nRows: number): number {
  return Math.min(nRows, Math.max(32, Math.floor(4_000_000 / n)));
}

export function impostorCandidates(Z: Float64Array, n: number, k: number, y: Int32Array, rows: Int32Array, radius2: Float64Array, exactBelow: Float64Array): ImpostorCandidates {
  checkImpostorArgs(Z, n, k, y, rows, radius2, exactBelow);
  const ka = k + 2;
  const { A, B, nrm, maxN } = augmentRows(Z, n, k);
  const errScale = searchMargin(k);
  const m = rows.length;
  const block = impostorBlockRows(n, m);
  const Q = new Float64Array(block * ka), G = new Float64Array(block * n);
  const start = new Int32Array(m + 1), minOut = new Float64Array(m);
  let index = new Int32Array(Math.max(16, 4 * m)), dist = new Float64Array(index.length);
  let cnt = 0;
  for (let s0 = 0; s0 < m; s0 += block) {
    const rb = Math.min(block, m - s0);
    for (let r = 0; r < rb; r++) Q.set(A.subarray(rows[s0 + r] * ka, rows[s0 + r] * ka + ka), r * ka);
    gemm(false, true, rb, n, ka, 1, Q, ka, B, ka, 0, G, n);
    for (let r = 0; r < rb; r++) {
      const i = rows[s0 + r], off = r * n, yi = y[i];
      const margin = errScale * (nrm[i] + maxN);
      const hi = radius2[i] + margin, exactHi = exactBelow[i] + margin;
      start[s0 + r] = cnt;
      let mo = Infinity;
      for (let l = 0; l < n; l++) {
        if (y[l] === yi) continue;
        const v = G[off + l];
        if (v < hi) {
          if (cnt === index.length) {
            const ni = new Int32Array(2 * cnt), nd = new Float64Array(2 * cnt);
            ni.set(index); nd.set(dist);
            index = ni; dist = nd;
          }
          index[cnt] = l;
          dist[cnt] = v < exactHi ? rowSqDist(Z, i, l, k) : Infinity;
          cnt++;
        } else if (v < mo) mo = v;
      }
      minOut[s0 + r] = Math.max(0, mo - margin);
    }
  }
  start[m] = cnt;
  return { start, index: index.slice(0, cnt), dist: dist.slice(0, cnt), minOut };
}
