/**
 * Input checks and bookkeeping shared by every index: one place for the error messages
 * users see when a query has the wrong width, an id repeats or k is not a positive integer.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import type { IndexMetric, IndexTransform } from './index-types.js';

export type VectorsInput = Matrix<FloatArray> | ArrayLike<ArrayLike<number>>;

export const INDEX_METRICS: readonly IndexMetric[] = ['sqeuclidean', 'euclidean', 'cosine', 'inner_product'];

export function checkMetric(metric: unknown, where: string): IndexMetric {
  if (!INDEX_METRICS.includes(metric as IndexMetric)) {
    throw new RangeError(`${where}: metric must be one of ${INDEX_METRICS.join(', ')}, got ${JSON.stringify(metric)}`);
  }
  return metric as IndexMetric;
}

/** Float32 copy-or-view of the input, refusing ragged rows and non-finite values. */
export function toFloat32Rows(x: VectorsInput, name: string): Matrix<Float32Array> {
  let m: Matrix<Float32Array>;
  if (x instanceof Matrix) m = x.toFloat32();
  else {
    if (x == null || typeof (x as ArrayLike<unknown>).length !== 'number') throw new TypeError(`${name}: expected a Matrix or an array of rows`);
    m = Matrix.fromRows(x, 'float32') as Matrix<Float32Array>;
  }
  const a = m.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      const row = Math.floor(i / m.cols);
      const col = i % m.cols;
      const original = x instanceof Matrix ? x.data[i] : Number(x[row][col]);
      // a finite float64 beyond ±3.4e38 becomes Infinity only on the way to float32
      if (Number.isFinite(original)) throw new RangeError(`${name}: value at row ${row}, column ${col} is ${original}, beyond float32's range (±3.4e38) in which indexes store vectors; standardise the features (z-score) or rescale them`);
      throw new RangeError(`${name}: value at row ${row}, column ${col} is ${a[i]}; remove or impute non-finite values first`);
    }
  }
  return m;
}

const F32_MAX = 3.4028234663852886e38;
/** The smallest normal float32 (2^-126): below it a float32 keeps fewer than 24 significant bits. */
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * What decides whether float32 distance kernels stay in range: per-column extremes, the
 * largest squared row norm and the largest |value| (all float64).
 */
export class MagnitudeStats {
  constructor(readonly colMin: Float64Array, readonly colMax: Float64Array, readonly maxSqNorm: number, readonly maxAbs: number) {}

  static of(m: Matrix<FloatArray>): MagnitudeStats {
    const { rows, cols, data } = m;
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    let maxSq = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const v = data[o + j];
        s += v * v;
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
      if (s > maxSq) maxSq = s;
    }
    let maxAbs = 0;
    for (let j = 0; j < cols; j++) if (rows > 0) maxAbs = Math.max(maxAbs, -lo[j], hi[j]);
    return new MagnitudeStats(lo, hi, maxSq, maxAbs);
  }

  /** The statistics of both sets together (a new object). */
  merge(o: MagnitudeStats | null): MagnitudeStats {
    if (!o) return this;
    const lo = Float64Array.from(this.colMin, (v, j) => Math.min(v, o.colMin[j]));
    const hi = Float64Array.from(this.colMax, (v, j) => Math.max(v, o.colMax[j]));
    return new MagnitudeStats(lo, hi, Math.max(this.maxSqNorm, o.maxSqNorm), Math.max(this.maxAbs, o.maxAbs));
  }
}

/**
 * Refuses data whose distances the float32 kernels cannot represent. Squared-L2 kernels form
 * ‖q‖² + ‖x‖² − 2⟨q, x⟩ (every partial result at most 2·max‖x‖² or the distance itself, which
 * is at most Σ_j range_j²); inner products stay within max‖x‖² (Cauchy–Schwarz). Above
 * 3.4e38 they overflow to Infinity/NaN; when even the largest squared norm is below float32's
 * normal range (1.2e-38) every distance is subnormal or 0, so rankings become arbitrary.
 * Cosine indexes normalise rows first and need no check.
 */
export function checkFloat32Distances(metric: IndexMetric, stats: MagnitudeStats, name: string): void {
  if (metric === 'cosine') return;
  const fix = 'standardise the features (z-score) or rescale them';
  let peak = stats.maxSqNorm;
  if (metric !== 'inner_product') {
    let diameter = 0;
    // an empty set has colMin = Infinity > colMax = -Infinity and no extent
    for (let j = 0; j < stats.colMin.length; j++) if (stats.colMax[j] >= stats.colMin[j]) diameter += (stats.colMax[j] - stats.colMin[j]) ** 2;
    peak = Math.max(2 * stats.maxSqNorm, diameter);
  }
  const what = metric === 'inner_product' ? 'inner products' : 'squared distances';
  if (peak > F32_MAX) throw new RangeError(`${name}: values up to ${stats.maxAbs.toPrecision(3)} overflow float32 ${what} (they reach ${peak.toPrecision(3)}, beyond float32's 3.4e38); ${fix}`);
  if (stats.maxSqNorm > 0 && stats.maxSqNorm < F32_MIN_NORMAL) throw new RangeError(`${name}: values of at most ${stats.maxAbs.toPrecision(3)} are too small for float32 ${what}: every squared norm is below float32's normal range (1.2e-38), so distances lose their precision or round to 0; ${fix}`);
}

/** Applies the optional learned transform, then converts to float32 for the search kernels. */
export function prepareVectors(x: VectorsInput, name: string, transform: IndexTransform | undefined): Matrix<Float32Array> {
  if (!transform) return toFloat32Rows(x, name);
  const input = x instanceof Matrix ? x : Matrix.fromRows(x, 'float64');
  const out = transform.transform(input);
  if (!(out instanceof Matrix) || out.rows !== input.rows) {
    throw new TypeError(`${name}: the index transform must return a Matrix with one row per input row`);
  }
  return toFloat32Rows(out, `${name} (after transform)`);
}

export function checkDim(m: Matrix<FloatArray>, dim: number, name: string): void {
  if (m.cols !== dim) {
    throw new RangeError(`${name}: vectors have ${m.cols} columns but the index holds ${dim}-dimensional vectors; pass vectors of the same width (and the same transform) as those added`);
  }
}

/** Scales each row to unit length in place; a zero row has no direction, so cosine is undefined. */
export function normalizeRowsInPlace(m: Matrix<Float32Array>, name: string): void {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * data[o + j];
    if (!(s > 0)) throw new RangeError(`${name}: row ${i} is all zeros, so its cosine distance is undefined; remove it or use metric 'euclidean'`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < cols; j++) data[o + j] *= inv;
  }
}

export function checkK(k: number, where: string): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${where}: k must be a positive integer, got ${k}`);
  return k;
}

/**
 * Ids are non-negative safe integers (HNSW keys are unsigned 64-bit; doubles hold them
 * exactly up to 2^53). Missing ids continue after the largest id seen so far.
 */
export class IdAllocator {
  nextId = 0;

  assign(n: number, ids: ArrayLike<number> | undefined, exists: (id: number) => boolean, where: string): Float64Array {
    const out = new Float64Array(n);
    if (ids === undefined) {
      for (let i = 0; i < n; i++) out[i] = this.nextId + i;
    } else {
      if (ids.length !== n) throw new RangeError(`${where}: got ${ids.length} ids for ${n} vectors; pass one id per row`);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const id = Number(ids[i]);
        if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`${where}: ids[${i}] = ${ids[i]} is not a non-negative integer`);
        if (seen.has(id) || exists(id)) throw new RangeError(`${where}: id ${id} is already in the index; ids must be unique (remove it first to replace it)`);
        seen.add(id);
        out[i] = id;
      }
    }
    for (let i = 0; i < n; i++) if (out[i] + 1 > this.nextId) this.nextId = out[i] + 1;
    return out;
  }
}

/** Turns the per-query flat arrays of a top-k search into the SearchResult shape. */
export function toNested(ids: ArrayLike<number>, dists: ArrayLike<number>, nq: number, k: number): { ids: number[][]; distances: number[][] } {
  const outIds: number[][] = new Array(nq);
  const outD: number[][] = new Array(nq);
  for (let q = 0; q < nq; q++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let j = 0; j < k; j++) {
      const id = ids[q * k + j];
      if (id < 0) break;
      a.push(id);
      b.push(dists[q * k + j]);
    }
    outIds[q] = a;
    outD[q] = b;
  }
  return { ids: outIds, distances: outD };
}

/**
 * Converts a squared Euclidean distance between prepared (possibly unit-normalised) vectors
 * into the distance the metric reports.
 */
export function reportDistance(metric: IndexMetric, sq: number): number {
  switch (metric) {
    case 'euclidean': return Math.sqrt(sq);
    case 'cosine': return sq / 2; // ‖a − b‖² = 2 − 2cos for unit vectors, so 1 − cos = ‖a − b‖²/2
    default: return sq;
  }
}

/**
 * Upper limits for HNSW settings. usearch accepts anything and fails later, at add or search
 * ("Failed to reserve memory" for connectivity 1e9, "Out of memory!" for an ef of 5e9); far
 * below those lie the useful values (connectivity 8–64, ef up to a few thousand, and an ef
 * beyond the index size searches no further).
 */
export const HNSW_LIMITS = {
  connectivity: [2, 1024],
  expansionAdd: [1, 1_000_000],
  expansionSearch: [1, 1_000_000],
  threads: [0, 1024],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * Checks the HNSW settings present in `settings` against HNSW_LIMITS; `where` prefixes the
 * message (e.g. "--set" at index build, or "--ef" with { expansionSearch: ef } at search).
 */
export function checkHnswSettings(settings: Record<string, unknown>, where: string): void {
  for (const [name, [lo, hi]] of Object.entries(HNSW_LIMITS)) {
    const v = settings[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`${where}: HNSW ${name} must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}${name === 'expansionSearch' ? ' (an ef beyond the index size searches no further; use an exact index for exhaustive search)' : ''}`);
    }
  }
}
