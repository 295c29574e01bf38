/**
 * Deep top-K selection (K in the hundreds or thousands, as retrieval metrics need when K is
 * the largest class size): quickselect then sort the K winners, O(n + K log K) per query
 * instead of the O(n K) of insertion into a sorted list.
 *
 * Order is (distance, index) lexicographic, so ties resolve to the lower index everywhere
 * and the result never depends on the partitioning path. NaN ranks last.
 */

function less(d: ArrayLike<number>, a: number, b: number): boolean {
  const da = d[a];
  const db = d[b];
  if (da < db) return true;
  if (da > db) return false;
  if (da === db) return a < b;
  // at least one NaN: a number ranks before NaN
  if (da === da) return true;
  if (db === db) return false;
  return a < b;
}

/**
 * Writes into `out` (length ≥ k) the indices of the k smallest values of `dist`, nearest first.
 * `scratch` is an Int32Array of length ≥ dist.length reused between calls.
 */
export function selectTopK(dist: ArrayLike<number>, k: number, out: Int32Array, scratch: Int32Array, outOffset = 0): void {
  const n = dist.length;
  if (k > n) throw new RangeError(`selectTopK: k = ${k} exceeds the ${n} candidates`);
  const idx = scratch;
  for (let i = 0; i < n; i++) idx[i] = i;
  if (k < n) {
    let lo = 0;
    let hi = n - 1;
    const target = k - 1;
    while (hi > lo) {
      // median of three as pivot keeps sorted inputs linear
      const mid = (lo + hi) >>> 1;
      if (less(dist, idx[mid], idx[lo])) swap(idx, mid, lo);
      if (less(dist, idx[hi], idx[lo])) swap(idx, hi, lo);
      if (less(dist, idx[hi], idx[mid])) swap(idx, hi, mid);
      const pivot = idx[mid];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (less(dist, idx[i], pivot)) i++;
        while (less(dist, pivot, idx[j])) j--;
        if (i <= j) {
          swap(idx, i, j);
          i++;
          j--;
        }
      }
      if (target <= j) hi = j;
      else if (target >= i) lo = i;
      else break;
    }
  }
  const top = Array.from(idx.subarray(0, k));
  top.sort((a, b) => (less(dist, a, b) ? -1 : less(dist, b, a) ? 1 : 0));
  for (let i = 0; i < k; i++) out[outOffset + i] = top[i];
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

const INDEX_BITS = 2 ** 21;

/**
 * Fast path for non-negative float32 distances and at most 2^21 candidates: the float32
 * bit pattern of a non-negative float orders like the float, so bits·2^21 + index is an
 * exact double key (< 2^53) whose numeric order is (distance, index). Selection and the
 * final sort then run on plain numbers (native typed-array sort), no comparator calls.
 */
export function selectTopKFloat32(dist: Float32Array, k: number, out: Int32Array, keys: Float64Array, outOffset = 0): void {
  const n = dist.length;
  if (k > n) throw new RangeError(`selectTopKFloat32: k = ${k} exceeds the ${n} candidates`);
  if (n > INDEX_BITS) throw new RangeError(`selectTopKFloat32: at most ${INDEX_BITS} candidates, got ${n}`);
  const bits = new Uint32Array(dist.buffer, dist.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const v = dist[i];
    if (v < 0) throw new RangeError('selectTopKFloat32: distances must be non-negative');
    keys[i] = (v === 0 ? 0 : bits[i]) * INDEX_BITS + i;
  }
  selectFromKeys(keys, n, k, out, outOffset);
}

/**
 * The same selection for squared distances given as a GEMM row g (= −2 q·r_j) plus norms:
 * d_j = max(0, qq + rn_j + g_j), with `exclude` (≥ 0) ranked last. Builds the keys in the same
 * pass that finishes the distances, so the row is read once.
 */
export function selectTopKFromGemm(g: Float32Array, qq: number, rn: ArrayLike<number>, exclude: number, k: number, out: Int32Array, keys: Float64Array, outOffset = 0): void {
  const n = g.length;
  if (k > n) throw new RangeError(`selectTopKFromGemm: k = ${k} exceeds the ${n} candidates`);
  if (n > INDEX_BITS) throw new RangeError(`selectTopKFromGemm: at most ${INDEX_BITS} candidates, got ${n}`);
  for (let i = 0; i < n; i++) {
    const v = g[i] + qq + rn[i];
    g[i] = v > 0 ? v : v === v ? 0 : NaN;
  }
  if (exclude >= 0) g[exclude] = Infinity;
  const bits = new Uint32Array(g.buffer, g.byteOffset, n);
  // Estimate a distance τ just above the k-th smallest from an evenly spaced sample, then key
  // only the rows at or below τ. Exact whenever at least k rows survive (the k-th smallest is
  // then ≤ τ, so every one of the k nearest, ties included, is among the survivors);
  // otherwise fall back to keying every row.
  if (n >= 4096 && k * 8 < n) {
    const sampleSize = 512;
    const stride = n / sampleSize;
    const sample = new Float64Array(sampleSize);
    for (let t = 0; t < sampleSize; t++) sample[t] = g[Math.floor(t * stride)];
    sample.sort();
    const rank = Math.min(sampleSize - 1, Math.ceil((k / n) * sampleSize * 1.5) + 8);
    const tau = sample[rank];
    let m = 0;
    for (let i = 0; i < n; i++) if (g[i] <= tau) keys[m++] = bits[i] * INDEX_BITS + i;
    if (m >= k) {
      selectFromKeys(keys, m, k, out, outOffset);
      return;
    }
  }
  for (let i = 0; i < n; i++) {
    const v = g[i];
    keys[i] = (v === v ? bits[i] : 0x7fc00000) * INDEX_BITS + i;
  }
  if (exclude >= 0) keys[exclude] = 0xffffffff * INDEX_BITS + exclude;
  selectFromKeys(keys, n, k, out, outOffset);
}

function selectFromKeys(keys: Float64Array, n: number, k: number, out: Int32Array, outOffset: number): void {
  const a = keys.subarray(0, n);
  if (k < n) quickselect(a, k - 1);
  const top = a.subarray(0, k);
  top.sort();
  for (let i = 0; i < k; i++) {
    const key = top[i];
    out[outOffset + i] = key - Math.floor(key / INDEX_BITS) * INDEX_BITS;
  }
}

/** Rearranges a so that a[target] holds its order statistic and everything before is ≤ it. */
export function quickselect(a: Float64Array, target: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three
    if (a[mid] < a[lo]) swapF(a, mid, lo);
    if (a[hi] < a[lo]) swapF(a, hi, lo);
    if (a[hi] < a[mid]) swapF(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        swapF(a, i, j);
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

function swapF(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
