/**
 * k-means (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii, "k-means++: the
 * advantages of careful seeding", SODA 2007), best of `nInit` seeded restarts by inertia
 * Σ_i ‖x_i − c_{label(i)}‖².
 *
 * Seeding follows the greedy variant scikit-learn uses: each new centre is the best (lowest
 * resulting potential) of 2 + ⌊ln k⌋ candidates drawn with probability ∝ D(x)², which is
 * measurably more robust than one draw. Assignment steps use the backend's tiled k-NN
 * (k = 1); a centre that loses all its points is moved to the point farthest from its
 * centre (with fewer distinct points than k, coinciding centres can still leave a cluster
 * empty). Stops when centres move less than
 * tol · (mean per-feature variance) in total squared shift, or after maxIter.
 *
 * `transform` (e.g. a fitted metric learner) is applied first, to cluster in a learned space.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { Random, toRandom } from '../random.js';
import type { IndexTransform } from '../neighbors/index-types.js';
import { exponentOf, timesPowerOfTwo } from '../linalg/power-of-two.js';

export interface KMeansOptions {
  nClusters: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number | Random;
  transform?: IndexTransform;
}

export interface KMeansResult {
  labels: Int32Array;
  centers: Matrix<Float64Array>;
  inertia: number;
  nIter: number;
  converged: boolean;
}

function toData(X: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, transform?: IndexTransform): Matrix<Float64Array> {
  let m: Matrix<FloatArray> = X instanceof Matrix ? X : Matrix.fromRows(X, 'float64');
  if (transform) m = transform.transform(m);
  const x = m.toFloat64();
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) throw new RangeError(`kmeans: X value at row ${Math.floor(i / x.cols)}, column ${i % x.cols} is ${x.data[i]}; remove or impute non-finite values first`);
  return x;
}

/**
 * Data whose largest |value| lies in [2^-SAFE_EXP, 2^SAFE_EXP] are clustered as they are.
 * Squared distances of such data (times d ≤ 2^50 features, times 4 for differences) stay far
 * from float64 overflow and underflow; beyond it they turn into ∞ (k-means++ then samples
 * from ∞/NaN weights) or 0 (every point looks like every other).
 */
const SAFE_EXP = 200;

/**
 * Brings data of extreme magnitude back near 1 by a power of two, so that squared distances
 * computed on it stay finite and nonzero. A power of two only shifts exponents, so every
 * distance comparison (and hence every label) is that of the unscaled data, and values can be
 * scaled back exactly; values below 2^-1074 relative to the largest are lost, which cannot
 * move a squared distance of the rest. Returns `shift` = 0 and the data itself when the data
 * are already in range, so ordinary data are used bit for bit.
 */
export function rescaleForDistances(x: Matrix<Float64Array>): { x: Matrix<Float64Array>; shift: number } {
  let maxAbs = 0;
  for (let i = 0; i < x.data.length; i++) {
    const v = Math.abs(x.data[i]);
    if (v > maxAbs) maxAbs = v;
  }
  if (maxAbs === 0 || (maxAbs <= 2 ** SAFE_EXP && maxAbs >= 2 ** -SAFE_EXP)) return { x, shift: 0 };
  // the exponent of maxAbs (Math.log2 may round up just below a power of two; one off is harmless)
  const shift = exponentOf(maxAbs);
  return { x: new Matrix(x.rows, x.cols, x.data.map((v) => timesPowerOfTwo(v, -shift))), shift };
}

/** Undoes rescaleForDistances on values of the data's units raised to `power` (1 for coordinates and distances, 2 for squared distances). */
export function unscale(v: number, shift: number, power: number): number {
  return shift === 0 ? v : timesPowerOfTwo(v, shift * power);
}

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/**
 * out[i] = ‖x_i − data[o .. o + d)‖² for every row i, each summed as sqDist does; four rows
 * at a time, so that four independent sums overlap instead of each waiting on its last add.
 */
function sqDistsTo(data: Float64Array, n: number, d: number, o: number, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < d; j++) {
      const c = data[o + j];
      const t0 = data[r0 + j] - c, t1 = data[r1 + j] - c, t2 = data[r2 + j] - c, t3 = data[r3 + j] - c;
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) out[i] = sqDist(data, i * d, data, o, d);
}

function seedPlusPlus(x: Matrix<Float64Array>, k: number, rng: Random): Float64Array {
  const { rows: n, cols: d, data } = x;
  const centers = new Float64Array(k * d);
  const first = rng.int(n);
  centers.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) { closest[i] = sqDist(data, i * d, centers, 0, d); pot += closest[i]; }
  const trials = 2 + Math.floor(Math.log(k));
  const cand = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestIdx = -1;
    let bestPot = Infinity;
    let bestD: Float64Array | null = null;
    for (let t = 0; t < trials; t++) {
      let idx: number;
      if (pot > 0) {
        let r = rng.next() * pot;
        idx = n - 1;
        for (let i = 0; i < n; i++) { r -= closest[i]; if (r < 0) { idx = i; break; } }
      } else idx = rng.int(n);
      sqDistsTo(data, n, d, idx * d, cand);
      let p = 0;
      for (let i = 0; i < n; i++) { const v = Math.min(closest[i], cand[i]); cand[i] = v; p += v; }
      if (p < bestPot) { bestPot = p; bestIdx = idx; bestD = cand.slice(); }
    }
    centers.set(data.subarray(bestIdx * d, bestIdx * d + d), c * d);
    closest.set(bestD as Float64Array);
    pot = bestPot;
  }
  return centers;
}

function lloyd(x: Matrix<Float64Array>, centers: Float64Array, k: number, maxIter: number, tolAbs: number): KMeansResult {
  const { rows: n, cols: d, data } = x;
  const be = getBackend();
  let labels = new Int32Array(n);
  let dists = new Float64Array(n);
  let iter = 0;
  let converged = false;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const assign = (): void => {
    const r = be.knn(data, n, centers, k, d, 1);
    labels = Int32Array.from(r.indices);
    dists = Float64Array.from(r.distances as Float64Array);
  };
  for (iter = 1; iter <= maxIter; iter++) {
    assign();
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
    }
    // an empty cluster takes the point worst served by its centre
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      let far = 0;
      for (let i = 1; i < n; i++) if (dists[i] > dists[far]) far = i;
      const old = labels[far];
      counts[old]--;
      for (let j = 0; j < d; j++) sums[old * d + j] -= data[far * d + j];
      labels[far] = c;
      dists[far] = 0;
      counts[c] = 1;
      for (let j = 0; j < d; j++) sums[c * d + j] = data[far * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / counts[c];
        const t = v - centers[c * d + j];
        shift += t * t;
        centers[c * d + j] = v;
      }
    }
    if (shift <= tolAbs) {
      converged = true;
      break;
    }
  }
  assign();
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dists[i];
  return { labels, centers: new Matrix(k, d, centers), inertia, nIter: Math.min(iter, maxIter), converged };
}

/**
 * Inertia is reported in the data's units; for data near the float64 limits its true value
 * may lie beyond them (∞ for features near 1e160). Clustering itself runs on data rescaled by
 * a power of two (see rescaleForDistances), so labels and centres are unaffected.
 */
export function kmeans(X: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, options: KMeansOptions): KMeansResult {
  if (options === null || typeof options !== 'object') throw new RangeError(`kmeans: the options argument with nClusters is missing or not an object (got ${options === undefined ? 'nothing' : JSON.stringify(options)}); call kmeans(X, { nClusters: 3 })`);
  const { x, shift } = rescaleForDistances(toData(X, options.transform));
  const k = options.nClusters;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans: nClusters must be a positive integer, got ${k}`);
  if (k > x.rows) throw new RangeError(`kmeans: nClusters = ${k} exceeds the ${x.rows} samples; use at most ${x.rows} clusters`);
  const nInit = options.nInit ?? 10;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`kmeans: nInit must be a positive integer, got ${nInit}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`kmeans: maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`kmeans: tol must be ≥ 0, got ${tol}`);
  // tolerance relative to the data's scale, as scikit-learn does
  const { rows: n, cols: d, data } = x;
  let meanVar = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += data[i * d + j];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (data[i * d + j] - m) ** 2;
    meanVar += v / n;
  }
  const tolAbs = (tol * meanVar) / Math.max(1, d);
  const rng = toRandom(options.seed);
  let best: KMeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    const r = lloyd(x, seedPlusPlus(x, k, rng.fork()), k, maxIter, tolAbs);
    if (!best || r.inertia < best.inertia) best = r;
  }
  const out = best as KMeansResult;
  if (shift === 0) return out;
  const c = out.centers.data;
  for (let i = 0; i < c.length; i++) c[i] = unscale(c[i], shift, 1);
  return { ...out, inertia: unscale(out.inertia, shift, 2) };
}
