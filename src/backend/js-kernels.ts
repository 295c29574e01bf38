/**
 * Pure-TypeScript BLAS-like kernels: the reference every native kernel is tested against,
 * and the fallback where no compiler or BLAS exists (including browsers).
 *
 * Loops are ordered so the innermost one walks contiguous memory; that alone is worth
 * several times over the naive i-j-p order in V8.
 */
import { allocate, dtypeOf, type FloatArray } from '../matrix.js';
import type { KnnOptions, KnnResult } from './backend.js';

export function gemm<T extends FloatArray>(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: T, lda: number, b: T, ldb: number, beta: number, c: T, ldc: number): void {
  // BLAS semantics: beta == 0 means C is not read (so NaN garbage in C does not leak).
  for (let i = 0; i < m; i++) {
    const row = i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[row + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[row + j] *= beta;
  }
  if (alpha === 0 || k === 0) return;
  if (!transB) {
    // C[i,:] += alpha A(i,p) B[p,:]: the inner loop streams a row of B and a row of C.
    const BLOCK = 256;
    for (let p0 = 0; p0 < k; p0 += BLOCK) {
      const p1 = Math.min(k, p0 + BLOCK);
      for (let i = 0; i < m; i++) {
        const crow = i * ldc;
        for (let p = p0; p < p1; p++) {
          const aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
          if (aip === 0) continue;
          const brow = p * ldb;
          for (let j = 0; j < n; j++) c[crow + j] += aip * b[brow + j];
        }
      }
    }
  } else if (!transA) {
    // C[i,j] += alpha <A[i,:], B[j,:]>: both rows contiguous.
    for (let i = 0; i < m; i++) {
      const arow = i * lda;
      const crow = i * ldc;
      for (let j = 0; j < n; j++) {
        const brow = j * ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 3 < k; p += 4) {
          s0 += a[arow + p] * b[brow + p];
          s1 += a[arow + p + 1] * b[brow + p + 1];
          s2 += a[arow + p + 2] * b[brow + p + 2];
          s3 += a[arow + p + 3] * b[brow + p + 3];
        }
        for (; p < k; p++) s0 += a[arow + p] * b[brow + p];
        c[crow + j] += alpha * (s0 + s1 + s2 + s3);
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const crow = i * ldc;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p * lda + i] * b[j * ldb + p];
        c[crow + j] += alpha * s;
      }
    }
  }
}

export function gemv<T extends FloatArray>(trans: boolean, m: number, n: number, alpha: number, a: T, lda: number, x: T, beta: number, y: T): void {
  const outLen = trans ? n : m;
  for (let i = 0; i < outLen; i++) y[i] = beta === 0 ? 0 : beta * y[i];
  if (!trans) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      const row = i * lda;
      for (let j = 0; j < n; j++) s += a[row + j] * x[j];
      y[i] += alpha * s;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const xi = alpha * x[i];
      if (xi === 0) continue;
      const row = i * lda;
      for (let j = 0; j < n; j++) y[j] += xi * a[row + j];
    }
  }
}

export function gram<T extends FloatArray>(x: T, n: number, d: number): T {
  const out = allocate(dtypeOf(x), d * d) as T;
  // Accumulate the upper triangle row by row of X, then mirror.
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let i = 0; i < d; i++) {
      const xi = x[row + i];
      if (xi === 0) continue;
      const orow = i * d;
      for (let j = i; j < d; j++) out[orow + j] += xi * x[row + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out[i * d + j] = out[j * d + i];
  return out;
}

export function dot<T extends FloatArray>(x: T, y: T): number {
  if (x.length !== y.length) throw new RangeError(`dot: x has length ${x.length} but y has ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function axpy<T extends FloatArray>(alpha: number, x: T, y: T): void {
  if (x.length !== y.length) throw new RangeError(`axpy: x has length ${x.length} but y has ${y.length}`);
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

export function scal<T extends FloatArray>(alpha: number, x: T): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}

export function rowSqNorms<T extends FloatArray>(x: T, n: number, d: number): T {
  const out = allocate(dtypeOf(x), n) as T;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += x[row + j] * x[row + j];
    out[i] = s;
  }
  return out;
}

/**
 * Column means of the n x d float64 x (summed in row order, then divided by n), and x minus
 * them written to out when given (out may be x). Returns the means.
 */
export function centreColumns(x: Float64Array, n: number, d: number, out: Float64Array | null = null): Float64Array {
  const fn = 'centreColumns';
  if (!(x instanceof Float64Array)) throw new TypeError(`${fn}: x must be a Float64Array`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: n must be at least 1 (the mean of no rows is undefined), got ${n}`);
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`${fn}: d must be a non-negative integer, got ${d}`);
  if (x.length < n * d) throw new RangeError(`${fn}: x has ${x.length} values but an ${n} x ${d} matrix needs ${n * d}`);
  if (out !== null) {
    if (!(out instanceof Float64Array)) throw new TypeError(`${fn}: out must be a Float64Array`);
    if (out.length < n * d) throw new RangeError(`${fn}: out has ${out.length} values but an ${n} x ${d} matrix needs ${n * d}`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) mean[j] += x[r + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  if (out !== null) {
    for (let i = 0; i < n; i++) {
      const r = i * d;
      for (let j = 0; j < d; j++) out[r + j] = x[r + j] - mean[j];
    }
  }
  return mean;
}

/**
 * Squared Euclidean distances of every pair i < j of the m rows of x (m x d float64), in
 * scipy's condensed order (row-major over i < j), each summed over the columns in order from
 * the differences (no ‖a‖² + ‖b‖² − 2ab cancellation).
 */
export function condensedSqDistances(x: Float64Array, m: number, d: number): Float64Array {
  const fn = 'condensedSqDistances';
  if (!(x instanceof Float64Array)) throw new TypeError(`${fn}: x must be a Float64Array`);
  if (!Number.isInteger(m) || m < 0 || !Number.isInteger(d) || d < 0) throw new RangeError(`${fn}: m and d must be non-negative integers, got ${m} and ${d}`);
  if (x.length < m * d) throw new RangeError(`${fn}: x has ${x.length} values but an ${m} x ${d} matrix needs ${m * d}`);
  const out = new Float64Array((m * (m - 1)) / 2);
  let k = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, k++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const v = x[i * d + c] - x[j * d + c];
        s += v * v;
      }
      out[k] = s;
    }
  }
  return out;
}

export function sqeuclidean<T extends FloatArray>(a: T, n: number, b: T, m: number, d: number): T {
  const out = allocate(dtypeOf(a), n * m) as T;
  gemm(false, true, n, m, d, -2, a, d, b, d, 0, out, m);
  const na = rowSqNorms(a, n, d);
  const nb = rowSqNorms(b, m, d);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const v = out[row + j] + na[i] + nb[j];
      out[row + j] = v < 0 ? 0 : v; // keeps NaN: a NaN input must not become distance 0
    }
  }
  return out;
}

/**
 * Tiled exact k-NN: distance tiles come from GEMM, and each tile is folded into per-query
 * sorted top-k lists. NaN ranks after every number, so a NaN row never hides a real neighbour.
 */
export function knn<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, k: number, options: KnnOptions = {}): KnnResult<T> {
  const dtype = dtypeOf(queries);
  const excludeSelf = options.excludeSelf ?? false;
  const budget = options.memoryBudget ?? 64 * 1024 * 1024;
  const bytes = dtype === 'float32' ? 4 : 8;
  const indices = new Int32Array(nq * k).fill(-1);
  const distances = allocate(dtype, nq * k).fill(Infinity) as T;
  if (k === 0 || nq === 0) return { indices, distances };
  const qn = rowSqNorms(queries, nq, d);
  const rn = rowSqNorms(refs, nr, d);
  const refTile = Math.max(1, Math.min(nr, 2048));
  const queryTile = Math.max(1, Math.min(nq, Math.floor(budget / (bytes * refTile))));
  const tile = allocate(dtype, queryTile * refTile) as T;
  for (let q0 = 0; q0 < nq; q0 += queryTile) {
    const qb = Math.min(queryTile, nq - q0);
    for (let r0 = 0; r0 < nr; r0 += refTile) {
      const rb = Math.min(refTile, nr - r0);
      gemm(false, true, qb, rb, d, -2, queries.subarray(q0 * d, (q0 + qb) * d) as T, d, refs.subarray(r0 * d, (r0 + rb) * d) as T, d, 0, tile, rb);
      for (let qi = 0; qi < qb; qi++) {
        const q = q0 + qi;
        const base = q * k;
        for (let ri = 0; ri < rb; ri++) {
          const r = r0 + ri;
          if (excludeSelf && r === q) continue;
          let dist = tile[qi * rb + ri] + qn[q] + rn[r];
          if (dist < 0) dist = 0;
          insertTopK(indices, distances, base, k, r, dist);
        }
      }
    }
  }
  return { indices, distances };
}

/** Inserts (index, dist) into the sorted list at [base, base + k) if it belongs there. */
export function insertTopK(indices: Int32Array, distances: FloatArray, base: number, k: number, index: number, dist: number): void {
  const last = base + k - 1;
  if (indices[last] !== -1 && !ranksBefore(dist, distances[last])) return;
  let pos = last;
  while (pos > base && (indices[pos - 1] === -1 || ranksBefore(dist, distances[pos - 1]))) {
    indices[pos] = indices[pos - 1];
    distances[pos] = distances[pos - 1];
    pos--;
  }
  indices[pos] = index;
  distances[pos] = dist;
}

function ranksBefore(d: number, e: number): boolean {
  return d < e || (e !== e && d === d);
}

/**
 * One Adam step over a float32 parameter (Kingma & Ba 2015; torch.optim.Adam's form, with
 * weight decay added to the gradient (coupled) or shrinking the weights (decoupled, AdamW)).
 * Moments and the update are computed in float64 and stored in float32, in this order; the
 * native kernel repeats it operation for operation, so both backends give the same bits.
 * c = [beta1, beta2, 1 − beta1, 1 − beta2, eps, stepSize = lr / (1 − beta1ᵗ),
 * 1 / √(1 − beta2ᵗ), coupled decay, decoupled shrink factor].
 */
export function adamStep(val: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: Float64Array): void {
  const n = val.length;
  if (g.length !== n || m.length !== n || v.length !== n) throw new RangeError(`adamStep: value, grad, m and v must have one length, got ${n}, ${g.length}, ${m.length}, ${v.length}`);
  if (c.length !== 9) throw new RangeError(`adamStep: expected 9 coefficients, got ${c.length}`);
  const b1 = c[0], b2 = c[1], a1 = c[2], a2 = c[3], eps = c[4], stepSize = c[5], invSqrtBc2 = c[6], coupled = c[7], shrink = c[8];
  for (let i = 0; i < n; i++) {
    const x = val[i];
    const gi = g[i] + coupled * x;
    const mi = b1 * m[i] + a1 * gi;
    const vi = b2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    val[i] = x * shrink - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}
